# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Real GIMP 2.10 on this build, for the plug-in's tests: input images, test
super-resolution networks, a fresh GIMP profile that finds this build's
plug-in and GEGL module, and the `gegl` command as the reference.

Environment (meson's test_env): GEGL_PATH (this build's ops folder and the
system's), HFSR_SOURCE_ROOT.  PNGs are read and written by
tests/ops/gegl_cli_check.py, which handles 16-bit colour (PIL does not).
"""
import os
import shutil
import signal
import subprocess
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.join(os.environ.get('HFSR_SOURCE_ROOT', ''),
                                'tests', 'ops'))
from gegl_cli_check import (  # noqa: E402,F401 (as_rgba: for the tests)
    read_png, write_png, write_bilinear_network, as_rgba)

# One GIMP start with a fresh profile takes ~10 s (more on a busy machine);
# every plug-in call starts a process of its own.
GIMP_TIMEOUT_S = 300
GEGL_TIMEOUT_S = 60

# The test's super-resolution networks, found by the plug-in and the gegl
# command alike through HFSR_MODEL_PATH: bilinear upsampling at a gain per
# trained alpha (gegl_cli_check.write_bilinear_network).
SR_NETWORKS = [('hfsr-x2-a0.safetensors', 2, 1.0, '0'),
               ('hfsr-x2-a1-3.safetensors', 2, 0.5, '0.3333333333333333'),
               ('hfsr-x3-a0-2.safetensors', 3, 0.9, '0.2'),
               # the perceptual variant's family, told apart by its gain
               ('hfsr-x2-perceptual.safetensors', 2, 0.7, '0')]


def make_inputs(directory):
    """8-bit RGB, 16-bit RGBA, 8-bit grey and indexed PNGs, blurred copies
    as GMS references and a smaller image as a mismatched one."""
    rng = np.random.default_rng(2026)

    def shading(height, width, channels):
        # Smooth shading with a noisy patch: every map has both kinds of
        # pixel to show.
        y, x = np.mgrid[0:height, 0:width]
        smooth = 0.5 + 0.25 * np.sin(x / 7.0) * np.cos(y / 5.0)
        patch = ((np.abs(x - width // 2) < width // 4) &
                 (np.abs(y - height // 2) < height // 4))[:, :, None]
        return np.clip(smooth[:, :, None] +
                       patch * rng.uniform(-0.25, 0.25,
                                           (height, width, channels)), 0, 1)

    def blurred(pixels):
        padded = np.pad(pixels.astype(np.float64),
                        ((1, 1), (1, 1), (0, 0)), mode='edge')
        height, width = pixels.shape[:2]
        total = sum(padded[dy:dy + height, dx:dx + width]
                    for dy in range(3) for dx in range(3))
        return np.rint(total / 9).astype(pixels.dtype)

    def save(name, pixels):
        write_png(os.path.join(directory, name), pixels)

    rgb8 = np.rint(shading(40, 56, 3) * 255).astype(np.uint8)
    save('rgb8.png', rgb8)
    save('blur8.png', blurred(rgb8))
    grey8 = np.rint(shading(36, 48, 1) * 255).astype(np.uint8)
    save('grey8.png', grey8[:, :, 0])
    save('blurgrey8.png', blurred(grey8)[:, :, 0])
    save('small8.png', rgb8[:16, :24])

    # Opaque, translucent and fully transparent parts, hidden colour
    # included.
    rgba16 = np.rint(shading(32, 40, 4) * 65535).astype(np.uint16)
    rgba16[:, :20, 3] = 65535
    rgba16[:, 20:, 3] = np.linspace(0, 65535, 20).astype(np.uint16)
    rgba16[20:, 30:, 3] = 0
    save('rgba16.png', rgba16)

    indices = np.add.outer(np.arange(24) // 3, np.arange(32) // 4) % 8
    indexed = Image.fromarray(indices.astype(np.uint8), 'P')
    indexed.putpalette([c for i in range(8)
                        for c in (i * 32, 255 - i * 32, (i * 90) % 256)])
    indexed.save(os.path.join(directory, 'indexed.png'))


def make_batch_folder(work, *outputs):
    """WORK/batch-in, for the batch examples: two PNGs and a JPEG made from
    make_inputs' rgb8.png and grey8.png, and the empty folders OUTPUTS in
    WORK.  Returns {stem: (height, width)}."""
    folder = os.path.join(work, 'batch-in')
    for name in outputs + ('batch-in',):
        os.makedirs(os.path.join(work, name))
    shutil.copy(os.path.join(work, 'rgb8.png'),
                os.path.join(folder, 'one.png'))
    shutil.copy(os.path.join(work, 'grey8.png'),
                os.path.join(folder, 'two.PNG'))
    Image.fromarray(np.rint(read_png(os.path.join(work, 'rgb8.png'))[0] * 255)
                    .astype(np.uint8)[:30, :44]).save(
                        os.path.join(folder, 'three.jpg'), quality=95)
    return {'one': (40, 56), 'two': (36, 48), 'three': (30, 44)}


def write_sr_networks(directory, networks=SR_NETWORKS):
    """The stand-in SR networks, and the shipped DoG-SR networks and SR²
    networks (small and fast enough as they are) for hfsr:dog-sr's trained
    methods and hfsr:structure-sr."""
    os.makedirs(directory, exist_ok=True)
    for name, scale, gain, alpha in networks:
        write_bilinear_network(os.path.join(directory, name), scale, gain,
                               alpha)
    shipped = os.path.join(os.environ.get('HFSR_SOURCE_ROOT', ''), 'models')
    for name in sorted(os.listdir(shipped)):
        if name.startswith(('hfsr-dog-x2-', 'hfsr-sr2-')) and name.endswith('.safetensors'):
            shutil.copy(os.path.join(shipped, name), directory)


def gegl_has_op(operation):
    """Whether the gegl command (and so the plug-in) finds OPERATION."""
    listing = subprocess.run(['gegl', '--list-all'], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=GEGL_TIMEOUT_S)
    return operation in listing.stdout.decode().split()


def gegl(work, source, output, *operation):
    """The op through the `gegl` command, PNG in, 16-bit PNG out; returns
    the pixels (floats in [0, 1])."""
    process = subprocess.run(
        ['gegl', os.path.join(work, source), '-o', os.path.join(work, output),
         '--'] + list(operation),
        cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        timeout=GEGL_TIMEOUT_S)
    log = process.stdout.decode('utf-8', 'replace')
    # `gegl` exits 0 and writes a placeholder even when an op fails; the
    # tile cache warning at its exit is GEGL 0.4.42's own.
    complaints = [line for line in log.splitlines()
                  if ('WARNING' in line or 'CRITICAL' in line) and
                  'gegl_tile_cache_destroy' not in line]
    if process.returncode != 0 or complaints:
        raise AssertionError(f'gegl {" ".join(operation)} failed:\n{log}')
    return read_png(os.path.join(work, output))[0]


class GimpProfile:
    """A GIMP profile of its own in WORK: the plug-in folders PLUGIN_DIRS
    (this build's first, then the system's, where Script-Fu lives) in a
    gimprc given with -g, and the plug-ins' environment ENVIRON in
    environ/hfsr.env."""

    def __init__(self, work, plugin_dirs, environ):
        self.work = work
        self.directory = os.path.join(work, 'profile')
        # Folders GIMP writes to at exit; it complains when they are missing.
        for folder in ('environ', 'brushes', 'dynamics', 'fonts',
                       'gradients', 'palettes', 'patterns', 'tool-presets',
                       'plug-ins', 'scripts'):
            os.makedirs(os.path.join(self.directory, folder), exist_ok=True)
        with open(os.path.join(self.directory, 'environ', 'hfsr.env'),
                  'w') as f:
            for name, value in environ.items():
                f.write(f'{name}={value}\n')
        self.gimprc = os.path.join(work, 'gimprc')
        with open(self.gimprc, 'w') as f:
            f.write('(plug-in-path "%s")\n' % ':'.join(plugin_dirs))

    def env(self, **extra):
        """GIMP's environment: C.UTF-8 (numbers print as 0.25) unless
        EXTRA says otherwise."""
        env = dict(os.environ, GIMP2_DIRECTORY=self.directory,
                   LC_ALL='C.UTF-8', LANGUAGE='')
        env.update(extra)
        return env

    def arguments(self):
        """gimp's options: this profile's gimprc, no data or fonts."""
        return ['-d', '-f', '-g', self.gimprc]

    def console(self, command, timeout=GIMP_TIMEOUT_S, **extra_env):
        """Runs Script-Fu COMMAND in gimp-console and returns what GIMP
        printed.  The separate (gimp-quit 0) ends the batch; the exit code
        is 0 whatever happened, so callers check the files the script
        wrote.  GIMP runs in a process group of its own: past TIMEOUT it is
        killed with every plug-in it started (a plug-in stuck in a deadlock
        would otherwise outlive it), and the test fails with the log."""
        return run_killing_group(
            ['gimp-console-2.10', '-i'] + self.arguments() +
            ['-b', command, '-b', '(gimp-quit 0)'],
            self.work, self.env(**extra_env), timeout)


def run_killing_group(argv, cwd, env, timeout):
    """What ARGV printed; past TIMEOUT seconds ARGV and all it started are
    killed and AssertionError carries the log."""
    return run_killing_group_with_status(argv, cwd, env, timeout)[0]


def run_killing_group_with_status(argv, cwd, env, timeout):
    """run_killing_group's output and ARGV's exit status."""
    process = subprocess.Popen(argv, cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        raise AssertionError(
            f'{argv[0]} ran past {timeout} s and was killed with the '
            f'plug-ins it started; its log:\n'
            + output.decode('utf-8', 'replace'))
    finally:
        # a plug-in left behind after GIMP itself ended
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return output.decode('utf-8', 'replace'), process.returncode


def read_results(work):
    """The "key<TAB>value" lines a Script-Fu check wrote to WORK/results.txt,
    as a dict (empty when GIMP wrote none)."""
    results = os.path.join(work, 'results.txt')
    if not os.path.exists(results):
        return {}
    with open(results, encoding='utf-8') as f:
        return dict(line.rstrip('\n').split('\t', 1) for line in f if '\t' in line)


def plugin_dirs_from_arguments(usage):
    """BUILD_PLUGIN_DIR SYSTEM_PLUGIN_DIR from the command line."""
    if len(sys.argv) < 3:
        print(usage)
        sys.exit(2)
    return sys.argv[1:3]


def gimp3_profile(work, plugin, system_plugin_dir, gimprc_extra=''):
    """A GIMP 3 setup in WORK for the GIMP 3 plug-in PLUGIN (the built
    executable, copied to WORK/plug-ins/hfsr/hfsr: GIMP 3 loads a plug-in
    only from a folder of its own name) and GIMP's own plug-ins in
    SYSTEM_PLUGIN_DIR (its file loaders, Python-Fu): returns the gimprc to
    give with -g.  The profile folder itself is WORK/profile, given as
    GIMP3_DIRECTORY."""
    plugins = os.path.join(work, 'plug-ins')
    os.makedirs(os.path.join(plugins, 'hfsr'), exist_ok=True)
    shutil.copy(plugin, os.path.join(plugins, 'hfsr', 'hfsr'))
    os.makedirs(os.path.join(work, 'profile'), exist_ok=True)
    gimprc = os.path.join(work, 'gimprc')
    with open(gimprc, 'w') as f:
        f.write('(plug-in-path "%s:%s")\n%s' % (plugins, system_plugin_dir, gimprc_extra))
    return gimprc


class StackLevelChecks:
    """For the GIMP tests of DoG Super-Resolution (a TestCase with
    result(KEY) and assert_same_as_gegl(KEY, SOURCE, OPERATION, BITS)):
    the levels of the layer group a run left."""

    def assert_stack_levels(self, key, source, method, output, levels, visible, bits,
                            extra=()):
        """KEY-level1 ... KEY-levelLEVELS: only level VISIBLE shown, named
        after the stack OUTPUT and the level, and equal to hfsr:dog-sr's
        level at x2 with METHOD (and EXTRA properties) within BITS."""
        for level in range(1, levels + 1):
            name = f'{key}-level{level}'
            self.assertEqual(self.result(name + '.visible'), '1' if level == visible else '0')
            self.assertIn(('DoG ' if output == 'dog' else 'Gaussian ') + str(level),
                          self.result(name + '.name'))
            self.assert_same_as_gegl(name, source,
                                     ['hfsr:dog-sr', 'scale=2', f'method={method}',
                                      f'output={output}', f'level={level}', *extra], bits)
