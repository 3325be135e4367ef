# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reliability suite, GEGL's side: every hfsr op on every pixel format
GEGL's loaders produce (8-bit, 16-bit and float; grey, grey + alpha, RGB,
RGBA; indexed, with and without transparency; grey, RGB and CMYK JPEG) at
1x1, 2x2, 3x3 and one larger size, plus float images holding NaN and
infinities.  Each file runs in its own `reliability` process (reliability.c)
under a timeout, so a crash or a hang is caught and named.  Every case must
give the documented size and finite values in [0, 1]; the only warnings
allowed are the non-finite rule's, on the files that hold such values.

Usage: test-reliability.py PATH-TO-reliability [--table]; --table prints
the table of cases (file x op: result).
"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    from reliability_inputs import make_files
except ImportError as error:
    print(f'SKIP: {error}')
    sys.exit(77)

TIMEOUT_S = 300
NON_FINITE_WARNING = 'are not finite numbers'


def run_file(driver, path):
    """[(op, result, found, [warnings])] and a complaint or None."""
    try:
        process = subprocess.run([driver, path], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as expired:
        return [], f'hung for {TIMEOUT_S} s:\n{(expired.output or b"").decode()}'
    log = process.stdout.decode('utf-8', 'replace')
    cases, complaint = [], None
    for line in log.splitlines():
        fields = line.split('\t')
        if fields[0] == 'RESULT':
            cases.append([fields[2], fields[3], fields[4], []])
        elif fields[0] == 'WARN' and cases:
            cases[-1][3].append(fields[3])
    if process.returncode != 0:
        complaint = f'exit status {process.returncode}:\n{log[-3000:]}'
    return cases, complaint


def main():
    driver = sys.argv[1]
    table = '--table' in sys.argv
    failures = []
    rows = []
    with tempfile.TemporaryDirectory(prefix='hfsr-reliability-') as directory:
        files = make_files(directory)
        for name, path in sorted(files.items()):
            cases, complaint = run_file(driver, path)
            if complaint is not None:
                failures.append(f'{name}: {complaint}')
            for op, result, found, warnings in cases:
                expected = NON_FINITE_WARNING if name.startswith('nonfinite') else None
                unexpected = [w for w in warnings
                              if expected is None or expected not in w]
                if expected is not None and not any(expected in w for w in warnings):
                    unexpected.append(f'no warning of the non-finite values')
                if result != 'ok' or unexpected:
                    failures.append(f'{name}: {op}: {result} {found} {unexpected}')
                    result = 'FAIL'
                rows.append((name, op, result, found))
            print(f'{name}: {len(cases)} cases'
                  + ('' if complaint is None else ' -- ' + complaint.splitlines()[0]),
                  flush=True)
    if table:
        for row in rows:
            print('| ' + ' | '.join(row) + ' |')
    print(f'{len(rows)} cases on {len(files)} files, {len(failures)} failures')
    for failure in failures:
        print('FAIL:', failure)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
