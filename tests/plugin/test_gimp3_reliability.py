# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reliability suite's GIMP 3 side, for both of GIMP 3's front ends: each
GEGL op as GIMP 3's own filter, which Python-Fu and Script-Fu can apply
(Gimp.DrawableFilter), and each procedure of hfsr's GIMP 3 plug-in
(plugin/hfsr-plugin3.c) called from Python-Fu.  Every pixel format of tests/ops/reliability_inputs.py (at 1x1 and
3x3, the larger ones and the non-finite floats), loaded by GIMP 3's own
loaders, gets each hfsr op as a filter merged into its layer and each plug-in
procedure (reliability_gimp3.py, inside gimp-console-3.0).  Each case must leave
GIMP running, the layer at the documented size (scale times the input for
the upscaling ops: merged, the filter grows the layer, not the canvas) and
every value finite; an indexed image may be handled or refused with a
message.

GIMP runs in a process group of its own under a timeout that kills it with
everything it started (gimp_harness.run_killing_group).  When GIMP dies or
hangs in a case, that case fails and a fresh GIMP goes on with the next.
The table of cases (file x op) is printed; HFSR_RELIABILITY_TABLE=1 prints
it one case per line as well.

Usage: test_gimp3_reliability.py [GIMP_CONSOLE], with meson's test_env
(GEGL_PATH with this build's ops, HFSR_MODEL_PATH, HFSR_SOURCE_ROOT).
Exits 77 when gimp-console-3.0 or a Python module is missing, unless
HFSR_GIMP3_REQUIRED=1 (scripts/test.sh's GIMP 3 step), when that fails.
"""
import json
import os
import re
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
from gimp3_required import REQUIRED, skip



sys.path.insert(0, os.path.join(os.environ.get('HFSR_SOURCE_ROOT', ''), 'tests', 'ops'))
try:
    from gimp_harness import run_killing_group, read_results, gimp3_profile
    from reliability_inputs import make_files
except ImportError as error:
    skip(str(error))

# Case: (op, its settings as GIMP 3's filter config takes them, GEGL enums
# as choice strings; whether it gets an aux input; output size / input size).
CASES = {
    'hf-map signed': ('hfsr:hf-map', {'mode': 'signed'}, False, 1),
    'hf-map selection': ('hfsr:hf-map', {'mode': 'selection', 'alpha': 0.2}, False, 1),
    'hf-map highpass': ('hfsr:hf-map', {'mode': 'highpass', 'cutoff': 0.1}, False, 1),
    'gms-map': ('hfsr:gms-map', {'mode': 'gms'}, True, 1),
    'super-resolution x2': ('hfsr:super-resolution', {'scale': 2, 'alpha': 0.2}, False, 2),
    'super-resolution x4': ('hfsr:super-resolution', {'scale': 4, 'alpha': 0.0}, False, 4),
    'scale-space': ('hfsr:scale-space', {'output': 'dog', 'level': 1}, False, 1),
    'dog-sr': ('hfsr:dog-sr', {'scale': 2, 'method': 'gaussian-stack',
                               'output': 'dog', 'level': 1}, False, 2),
    'structure-sr x2': ('hfsr:structure-sr', {'scale': 2, 'arch': 'fsrcnn',
                                              'lambda': 9.0}, False, 2),
    # The plug-in's procedures (in place: the image, and so the layer,
    # grows; a map is a new layer on top, the GMS reference the layer).
    'plug-in super-resolution': ('plug-in-hfsr-super-resolution',
                                 {'scale': 2, 'alpha': 0.2}, False, 2),
    'plug-in hf-map': ('plug-in-hfsr-hf-map', {'mode': 'selection'}, False, 1),
    'plug-in gms-map': ('plug-in-hfsr-gms-map', {'mode': 'soft'}, True, 1),
    'plug-in structure-sr': ('plug-in-hfsr-structure-sr',
                             {'scale': 2, 'arch': 'fsrcnn'}, False, 2),
}
# One GIMP start with a fresh profile takes ~11 s (it queries every plug-in
# once), later ones 2-3 s; 108 cases on 12 files took 11-17 s.  A run gets a
# start-up allowance and a share per case, so that a hang costs minutes, not
# the suite's hour.
START_S = 60
PER_CASE_S = 5
FILES_PER_RUN = 12
NON_FINITE_NOTICE = 'are not finite numbers'


def gimp_command(console, job, gimprc):
    code = ('import runpy; runpy.run_path(%r, {"JOB": %r})'
            % (os.path.join(HERE, 'reliability_gimp3.py'), job))
    return [console, '-i', '-n', '--no-data', '--no-fonts', '-g', gimprc,
            '--batch-interpreter=python-fu-eval', '-b', code, '--quit']


def run_cases(console, work, env, pending, gimprc):
    """Runs PENDING [(file, case)] in as few GIMPs as it takes; returns the
    results and {(file, case): (what happened: crash, hang...), GIMP's log}
    for the cases that gave no result."""
    lost = {}
    job = os.path.join(work, 'job.json')
    while pending:
        files = list(dict.fromkeys(name for name, _ in pending))[:FILES_PER_RUN]
        batch = [p for p in pending if p[0] in files]
        spec = {'directory': work, 'results': os.path.join(work, 'results.txt'),
                'cases': {case: [op, settings, aux]
                          for case, (op, settings, aux, _) in CASES.items()},
                'work': [[name, [c for n, c in batch if n == name]] for name in files]}
        with open(job, 'w') as f:
            json.dump(spec, f)
        started = time.monotonic()
        timeout = START_S + PER_CASE_S * len(batch)
        try:
            log, hung = run_killing_group(gimp_command(console, job, gimprc), work, env,
                                          timeout), False
        except AssertionError as killed:
            log, hung = str(killed), True
        runs = len([n for n in os.listdir(work) if n.startswith('gimp-run-')])
        with open(os.path.join(work, f'gimp-run-{runs + 1}.log'), 'w') as f:
            f.write(log)
        results = read_results(work)
        finished = [p for p in batch if f'{p[0]}|{p[1]}.status' in results
                    or results.get(f'{p[0]}.loaded', '').startswith('failed')]
        print(f'GIMP ran {len(finished)} of {len(batch)} cases on {len(files)} files '
              f'in {time.monotonic() - started:.1f} s', flush=True)
        rest = [p for p in batch if p not in finished]
        if rest:
            # GIMP died or hung in the first case left unfinished, or in
            # loading its file; those are lost, a fresh GIMP goes on with
            # the rest.  A case that never began although its file loaded
            # means the script broke: nothing more can run.
            first = rest[0]
            what = 'hang' if hung else 'crash'
            if f'{first[0]}|{first[1]}.begin' in results:
                lost[first] = (what, log)
                rest = rest[1:]
            elif f'{first[0]}.loaded' not in results:
                for p in rest:
                    if p[0] == first[0]:
                        lost[p] = (f'{what} in loading the file', log)
                rest = [p for p in rest if p[0] != first[0]]
            else:
                for p in rest:
                    lost[p] = ('not run: the script stopped', log)
                rest = []
        pending = rest + [p for p in pending if p not in batch]
    return read_results(work), lost


def judge(name, case, results, lost):
    """'ok', 'palette' (an indexed image's result, mapped to its palette),
    'refused: ...' (indexed only) or 'FAIL: ...'."""
    if (name, case) in lost:
        return f'FAIL: {lost[name, case][0]}'
    loaded = results.get(f'{name}.loaded', 'missing')
    if loaded.startswith(('failed', 'missing')):
        return f'FAIL: GIMP 3 cannot load it ({loaded})'
    key = f'{name}|{case}'
    status = results.get(key + '.status', 'missing')
    size, values = results.get(key + '.size', '?'), results.get(key + '.values', '?')
    width, height = map(int, loaded.split()[0].split('x'))
    scale = CASES[case][3]
    want = f'{width * scale}x{height * scale}'
    indexed = loaded.split()[1] == 'indexed'
    if status != 'ok':
        message = status[len('error: '):] if status.startswith('error: ') else ''
        if indexed and message.strip():
            return 'refused: ' + message
        return f'FAIL: {status}'
    if size != want:
        return f'FAIL: layer {size}, not {want}'
    if not values.startswith('non-finite 0 of'):
        return f'FAIL: {values}'
    if indexed and results.get(key + '.type') == 'indexed':
        return 'palette'
    return 'ok'


def hfsr_lines(logs, work):
    """{line: count} of what GIMP's logs say about hfsr (its ops' messages,
    GIMP's complaints about them), times and process ids taken out."""
    seen = {}
    for log in logs:
        for line in log.replace(work, 'WORK').splitlines():
            if 'hfsr' in line:
                line = re.sub(r'\(([\w.-]+):\d+\)', r'(\1)', line)
                line = re.sub(r'\d\d:\d\d:\d\d\.\d+: ', '', line)
                line = re.sub(r' \(\d+ in the first part met\)', '', line)
                seen[line.strip()] = seen.get(line.strip(), 0) + 1
    return seen


def main():
    console, plugin, system_plugins = (sys.argv[1:4] + ['', '', ''])[:3]
    console = shutil.which(console or 'gimp-console-3.0')
    if console is None:
        skip('no gimp-console-3.0')
    if not plugin:
        if REQUIRED:
            skip('no GIMP 3 plug-in in this build')
        print('No GIMP 3 plug-in in this build: the ops as filters only')
        for case in [case for case in CASES if case.startswith('plug-in')]:
            del CASES[case]
    work = tempfile.mkdtemp(prefix='hfsr-gimp3-reliability-')
    try:
        gimprc = (gimp3_profile(work, plugin, system_plugins) if plugin
                  else os.path.join(work, 'gimprc'))
        if not plugin:
            open(gimprc, 'w').close()
        files = sorted(make_files(work, sizes=((1, 1), (3, 3))))
        env = dict(os.environ, GIMP3_DIRECTORY=os.path.join(work, 'profile'),
                   LC_ALL='C.UTF-8', LANGUAGE='')
        # GIMP 3.0.4 logs criticals of its own in ordinary runs (libgimp on
        # a file-path property, the core at exit): fatal, they would end
        # GIMP or the script as no user sees it.  hfsr's own are looked
        # for in the log instead.
        env.pop('G_DEBUG', None)
        started = time.monotonic()
        results, lost = run_cases(console, work, env,
                                  [(name, case) for name in files for case in CASES],
                                  gimprc)
        print(f'GIMP 3 ran {len(files)} files x {len(CASES)} ops '
              f'in {time.monotonic() - started:.1f} s')
        verdicts = {(name, case): judge(name, case, results, lost)
                    for name in files for case in CASES}
        print_table(files, verdicts, results)
        failures = [f'{name} | {case}: {verdict}'
                    for (name, case), verdict in verdicts.items()
                    if verdict.startswith('FAIL')]
        logs = []
        for log_name in sorted(n for n in os.listdir(work) if n.startswith('gimp-run-')):
            with open(os.path.join(work, log_name), encoding='utf-8') as f:
                logs.append(f.read())
        said = hfsr_lines(logs, work)
        print('What the GIMP logs say about hfsr (count: line):')
        for line, count in sorted(said.items()):
            print(f'  {count:4}: {line}')
        # hfsr's ops warn only of a network's non-finite output, which the
        # shipped ones never give; a critical is a bug wherever it shows.
        failures += [f'GIMP log: {line}' for line in said
                     if 'hfsr-WARNING' in line or 'hfsr-CRITICAL' in line]
        if any(name.startswith('nonfinite') for name in files) and \
                not any(NON_FINITE_NOTICE in line for line in said):
            failures.append('no notice of the non-finite input in GIMP\'s log')
        counts = {kind: sum(v.startswith(kind) for v in verdicts.values())
                  for kind in ('ok', 'palette', 'refused', 'FAIL')}
        print(f'{len(verdicts)} cases on {len(files)} files: {counts["ok"]} ok, '
              f'{counts["palette"]} indexed and mapped to the palette, '
              f'{counts["refused"]} indexed and refused, {counts["FAIL"]} failed')
        for failure in failures:
            print('FAIL:', failure)
        for log in {log for _, log in lost.values()}:
            print('--- the end of the log of a GIMP that failed:\n' + log[-6000:])
        return 1 if failures else 0
    finally:
        if not os.environ.get('HFSR_KEEP_TEST_FILES'):
            shutil.rmtree(work, ignore_errors=True)


def print_table(files, verdicts, results):
    """One row per file (with how GIMP 3 loaded it and how many of its
    values are not finite), one column per op."""
    rows = [['file', 'loaded as'] + list(CASES)]
    for name in files:
        loaded = results.get(f'{name}.loaded', 'missing').split()
        bad = results.get(f'{name}.input', '').split()
        non_finite = f', {bad[1]} non-finite' if len(bad) > 1 and bad[1] != '0' else ''
        rows.append([name, ' '.join(loaded[1:]) + non_finite] +
                    [verdicts[name, case].split(':')[0] for case in CASES])
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(' | '.join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    if os.environ.get('HFSR_RELIABILITY_TABLE'):
        for (name, case), verdict in verdicts.items():
            print(f'| {name} | {case} | {verdict} | GIMP 3 filter |')


if __name__ == '__main__':
    sys.exit(main())
