# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The GIMP 3 batch examples in real GIMP 3: data/scripts/hfsr-batch-gimp3.scm
(Script-Fu) and data/scripts/hfsr-batch.py (Python-Fu), each job of each
run by gimp-console-3.0 with the command plugin/README.md gives, on a
folder of two PNGs (8-bit RGB, grey), a JPEG and a corrupt PNG.  Every
good file must be done (an upscale twice the size, a selection map of the
same size with values 0 and 1 only), the corrupt one reported and skipped,
the count printed and GIMP's exit status non-zero; on a folder without a
corrupt file, zero.

The profile is fresh, with this build's plug-in in its plug-ins folder
(<profile>/plug-ins/hfsr/hfsr, as a user install has it), and the test's
stand-in networks (gimp_harness.write_sr_networks) through
HFSR_MODEL_PATH.

Usage: test_gimp3_batch.py PLUGIN, with meson's test_env; PLUGIN is the
built GIMP 3 plug-in ('' where the build has none).  Exits 77 where
gimp-console-3.0, the plug-in or numpy is missing, unless
HFSR_GIMP3_REQUIRED=1 (scripts/test.sh's GIMP 3 step), when that fails.
"""
import os
import shutil
import sys
import tempfile
import time
import unittest
import warnings

from gimp3_required import skip
SCRIPTS = os.path.join(os.environ.get('HFSR_SOURCE_ROOT', ''), 'data', 'scripts')



try:
    import numpy as np
    import gimp_harness as harness
    from gimp_harness import read_png
except ImportError as error:
    skip(str(error))

PLUGIN = ''
# GIMP's exit status when the batch command ended in an error: Script-Fu's
# (error ...) is an execution error, a Python exception a calling error.
FAILED_STATUS = {'scm': 70, 'py': 64}
# The runs: language, job and its arguments, input folder, output folder
# (batch-in has the corrupt file; the Python job makes its output folder).
RUNS = {
    'scm-upscale': ('scm', 'upscale', 'batch-in', 'scm-x2'),
    'scm-hf-map': ('scm', 'hf-map', 'batch-in', 'scm-hf'),
    'py-upscale': ('py', 'upscale', 'batch-in', 'py-x2'),
    'py-hf-map': ('py', 'hf-map', 'batch-in', 'py-hf'),
    'scm-clean': ('scm', 'hf-map', 'clean-in', 'scm-clean'),
    'py-clean': ('py', 'hf-map', 'clean-in', 'py-clean'),
}


def batch_code(language, job, folder, out):
    """The -b command of plugin/README.md for JOB on FOLDER into OUT."""
    if language == 'scm':
        call = ('(hfsr-batch-upscale "%s" "%s" 2 0.2)' if job == 'upscale'
                else '(hfsr-batch-hf-map "%s" "%s" "selection" 0.2)') % (folder, out)
        return '(begin (load "%s") %s)' % (os.path.join(SCRIPTS, 'hfsr-batch-gimp3.scm'), call)
    call = ('hfsr_batch_upscale("%s", "%s", scale=2, alpha=0.2)' if job == 'upscale'
            else 'hfsr_batch_hf_map("%s", "%s", mode="selection", alpha=0.2)') % (folder, out)
    return 'exec(open("%s").read())\n%s' % (os.path.join(SCRIPTS, 'hfsr-batch.py'), call)


class BatchInGimp3(unittest.TestCase):
    work = None
    runs = {}

    @classmethod
    def setUpClass(cls):
        # gegl_cli_check's PNG reader leaves closing its files to Python.
        warnings.filterwarnings('ignore', category=ResourceWarning)
        cls.work = tempfile.mkdtemp(prefix='hfsr-gimp3-batch-')
        harness.make_inputs(cls.work)
        cls.sizes = harness.make_batch_folder(cls.work, 'scm-x2', 'scm-hf', 'scm-clean',
                                              'clean-in')
        with open(os.path.join(cls.work, 'batch-in', 'broken.png'), 'wb') as f:
            f.write(b'\x89PNG\r\n\x1a\nnot a PNG after all')
        shutil.copy(os.path.join(cls.work, 'batch-in', 'one.png'),
                    os.path.join(cls.work, 'clean-in'))
        models = os.path.join(cls.work, 'models')
        harness.write_sr_networks(models)
        # A user install: the plug-in in the profile's plug-ins folder.
        profile = os.path.join(cls.work, 'profile')
        os.makedirs(os.path.join(profile, 'plug-ins', 'hfsr'))
        shutil.copy(PLUGIN, os.path.join(profile, 'plug-ins', 'hfsr', 'hfsr'))
        env = dict(os.environ, GIMP3_DIRECTORY=profile, HFSR_MODEL_PATH=models,
                   LC_ALL='C.UTF-8', LANGUAGE='')
        # GIMP 3.0.4 logs criticals of its own in ordinary runs: fatal,
        # they would end GIMP.
        env.pop('G_DEBUG', None)
        console = shutil.which('gimp-console-3.0')
        for key, (language, job, folder, out) in RUNS.items():
            interpreter = 'plug-in-script-fu-eval' if language == 'scm' else 'python-fu-eval'
            code = batch_code(language, job, os.path.join(cls.work, folder),
                              os.path.join(cls.work, out))
            started = time.monotonic()
            log, status = harness.run_killing_group_with_status(
                [console, '-i', '-n', '--no-data', '--no-fonts',
                 '--batch-interpreter=' + interpreter, '-b', code, '--quit'],
                cls.work, env, harness.GIMP_TIMEOUT_S)
            # The first run includes GIMP's first look at every plug-in.
            print(f'{key}: GIMP 3 ran in {time.monotonic() - started:.1f} s, '
                  f'exit status {status}', file=sys.stderr)
            cls.runs[key] = (log, status)

    @classmethod
    def tearDownClass(cls):
        if cls.work and not os.environ.get('HFSR_KEEP_TEST_FILES'):
            shutil.rmtree(cls.work, ignore_errors=True)

    def check_run(self, key, check_file):
        """KEY's run: a line per good file and its result passing
        CHECK_FILE(pixels, source height and width), the corrupt file
        reported, the count, GIMP's exit status."""
        language, job, folder, out = RUNS[key]
        log, status = self.runs[key]
        clean = folder == 'clean-in'
        suffix = '-x2.png' if job == 'upscale' else '-hf-selection.png'
        for stem, size in self.sizes.items():
            if clean and stem != 'one':
                continue
            with self.subTest(key=key, file=stem):
                target = os.path.join(self.work, out, stem + suffix)
                self.assertIn(f' -> {target}', log)
                self.assertTrue(os.path.exists(target), log[-6000:])
                check_file(read_png(target)[0], size)
        broken = os.path.join(self.work, folder, 'broken.png')
        self.assertFalse(any(name.startswith('broken')
                             for name in os.listdir(os.path.join(self.work, out))))
        if clean:
            self.assertIn('hfsr-batch: 1 done, 0 failed', log)
            self.assertEqual(status, 0, log[-6000:])
        else:
            self.assertRegex(log, f'hfsr-batch: {broken} failed to load: .+')
            self.assertIn('hfsr-batch: 3 done, 1 failed', log)
            self.assertIn('1 of 4 files failed', log)
            self.assertEqual(status, FAILED_STATUS[language], log[-6000:])

    def check_upscale(self, pixels, size):
        self.assertEqual(pixels.shape[:2], (2 * size[0], 2 * size[1]))

    def check_selection_map(self, pixels, size):
        self.assertEqual(pixels.shape[:2], size)
        # A selection map holds 0 and 1 only, and both.
        colour = pixels[:, :, :3] if pixels.shape[2] >= 3 else pixels[:, :, :1]
        self.assertEqual(sorted(np.unique(colour)), [0, 1])

    def test_script_fu_upscale(self):
        self.check_run('scm-upscale', self.check_upscale)

    def test_script_fu_hf_map(self):
        self.check_run('scm-hf-map', self.check_selection_map)

    def test_python_fu_upscale(self):
        self.check_run('py-upscale', self.check_upscale)

    def test_python_fu_hf_map(self):
        self.check_run('py-hf-map', self.check_selection_map)

    def test_script_fu_exits_0_when_all_are_done(self):
        self.check_run('scm-clean', self.check_selection_map)

    def test_python_fu_exits_0_when_all_are_done(self):
        self.check_run('py-clean', self.check_selection_map)


if __name__ == '__main__':
    PLUGIN = sys.argv[1] if len(sys.argv) > 1 else ''
    if shutil.which('gimp-console-3.0') is None:
        skip('no gimp-console-3.0')
    if not PLUGIN or not os.path.exists(PLUGIN):
        skip('no GIMP 3 plug-in in this build')
    unittest.main(argv=sys.argv[:1])
