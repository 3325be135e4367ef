# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reliability suite's GIMP 2.10 side: every procedure of the plug-in on
every pixel format of tests/ops/reliability_inputs.py (at 1x1 and 3x3, and
the larger ones), loaded by GIMP's own loaders, with the shipped networks.
Every call either succeeds with the documented result (maps add a layer,
super-resolution scales the image in place) or fails with a message a user
can act on: only indexed images are refused ("this image is indexed").  GIMP
runs under a timeout that kills it with its plug-ins, so a hang fails the
test with the log instead of stalling the suite.

Usage: test_plugin_reliability.py BUILD_PLUGIN_DIR SYSTEM_PLUGIN_DIR, with
meson's test_env.  Exits 77 when gimp-console-2.10 or a Python module is
missing.
"""
import os
import shutil
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get('HFSR_SOURCE_ROOT', '')
sys.path.insert(0, os.path.join(SOURCE_ROOT, 'tests', 'ops'))
try:
    import gimp_harness as harness
    from reliability_inputs import make_files, LARGE
except ImportError as error:
    print(f'SKIP: {error}')
    sys.exit(77)

PLUGIN_DIRS = []
# What each procedure does when it succeeds: the image's scale, the layers
# it adds and the scale of the new image it makes (None: none).
EFFECTS = {'hf-map': (1, 1, None), 'gms-map': (1, 1, None),
           'super-resolution-x2': (2, 0, None),
           'super-resolution-x4': (4, 0, None), 'dog-sr': (1, 0, 2),
           'structure-sr': (2, 0, None)}
GIMP_TIMEOUT_S = 900


class ReliabilityInGimp(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which('gimp-console-2.10') is None:
            raise unittest.SkipTest('no gimp-console-2.10')
        cls.work = tempfile.mkdtemp(prefix='hfsr-plugin-reliability-')
        files = make_files(cls.work, sizes=((1, 1), (3, 3)))
        cls.files = sorted(files)
        profile = harness.GimpProfile(
            cls.work, PLUGIN_DIRS,
            {'GEGL_PATH': os.environ['GEGL_PATH'],
             'HFSR_MODEL_PATH': os.environ['HFSR_MODEL_PATH']})
        command = '(begin (load "%s") (hfsr-reliability "%s" (list %s)))' % (
            os.path.join(HERE, 'reliability.scm'), cls.work,
            ' '.join(f'"{name}"' for name in cls.files))
        started = time.monotonic()
        cls.log = profile.console(command, timeout=GIMP_TIMEOUT_S)
        print(f'GIMP ran {len(cls.files)} files x {len(EFFECTS)} procedures '
              f'in {time.monotonic() - started:.1f} s', file=sys.stderr)
        cls.results = harness.read_results(cls.work)

    @classmethod
    def tearDownClass(cls):
        if not os.environ.get('HFSR_KEEP_TEST_FILES'):
            shutil.rmtree(cls.work, ignore_errors=True)

    def test_every_file_and_procedure(self):
        self.assertEqual(self.results.get('done'), '1', self.log[-5000:])
        table = []
        for name in self.files:
            loaded = self.results[name + '.loaded']
            self.assertNotEqual(loaded, 'failed', f'GIMP cannot load {name}')
            width, height = map(int, loaded.split('x'))
            for procedure, (scale, added, made) in EFFECTS.items():
                key = f'{name}|{procedure}'
                with self.subTest(key):
                    status = self.results[key + '.status']
                    if name.startswith('indexed'):
                        self.assertEqual(status, 'failed')
                        self.assertEqual(self.results[key + '.size'], loaded)
                        table.append((name, procedure, 'refused'))
                        continue
                    self.assertEqual(status, 'ok', self.log[-5000:])
                    self.assertEqual(self.results[key + '.size'],
                                     f'{width * scale}x{height * scale}')
                    self.assertEqual(int(self.results[key + '.layers']),
                                     1 + added)
                    self.assertEqual(self.results[key + '.new'],
                                     'none' if made is None else
                                     f'{width * made}x{height * made}')
                    table.append((name, procedure, 'ok'))
        self.assertIn('this image is indexed', self.log)
        # the non-finite rule's notice reaches GIMP's messages
        self.assertIn('are not finite numbers', self.log)
        if os.environ.get('HFSR_RELIABILITY_TABLE'):
            for row in table:
                print('| ' + ' | '.join(row) + ' | GIMP 2.10 |')


if __name__ == '__main__':
    PLUGIN_DIRS.extend(harness.plugin_dirs_from_arguments(__doc__))
    unittest.main(argv=sys.argv[:1], verbosity=2)
