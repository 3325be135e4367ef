# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Translations: po/de.po translates every message of the sources listed in
po/POTFILES (menu labels, dialog texts, error messages, the ops' titles,
labels and descriptions), and under LANGUAGE=de real GIMP shows the
plug-in's German layer names and error messages, the op's German labels
within them.

Usage: test_plugin_i18n.py BUILD_PLUGIN_DIR SYSTEM_PLUGIN_DIR LOCALE_DIR,
LOCALE_DIR holding this build's de/LC_MESSAGES/hfsr.mo.  Exits 77 where
gettext's tools or gimp-console-2.10 are missing (each test on its own).
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

try:
    import gimp_harness as harness
except ImportError as error:
    print(f'SKIP: {error}')
    sys.exit(77)

SOURCE_ROOT = os.environ.get('HFSR_SOURCE_ROOT', '')
HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN_DIRS = []
LOCALE_DIR = ''
# meson's 'glib' gettext preset, which builds po/hfsr.pot.
XGETTEXT_KEYWORDS = ['_', 'N_', 'C_:1c,2', 'NC_:1c,2', 'g_dcgettext:2',
                     'g_dngettext:2,3', 'g_dpgettext2:2c,3']


class Translations(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix='hfsr-plugin-i18n-')

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def test_de_po_translates_every_message(self):
        for tool in ('xgettext', 'msgcmp'):
            if shutil.which(tool) is None:
                self.skipTest(f'no {tool}')
        with open(os.path.join(SOURCE_ROOT, 'po', 'POTFILES')) as f:
            sources = [line.strip() for line in f if line.strip()]
        pot = os.path.join(self.work, 'hfsr.pot')
        subprocess.run(['xgettext', '--from-code=UTF-8', '--language=C',
                        '--output=' + pot] +
                       ['--keyword=' + k for k in XGETTEXT_KEYWORDS] + sources,
                       cwd=SOURCE_ROOT, check=True, timeout=60)
        # Untranslated and fuzzy messages count as missing.
        check = subprocess.run(['msgcmp', os.path.join(SOURCE_ROOT, 'po',
                                                       'de.po'), pot],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=60)
        self.assertEqual(check.returncode, 0,
                         'po/de.po lacks translations (run ninja '
                         'hfsr-update-po and translate):\n' +
                         check.stdout.decode('utf-8', 'replace'))

    def test_gimp_speaks_german(self):
        if shutil.which('gimp-console-2.10') is None:
            self.skipTest('no gimp-console-2.10')
        self.assertTrue(os.path.exists(os.path.join(
            LOCALE_DIR, 'de', 'LC_MESSAGES', 'hfsr.mo')), LOCALE_DIR)
        harness.make_inputs(self.work)
        profile = harness.GimpProfile(self.work, PLUGIN_DIRS,
                                      {'GEGL_PATH': os.environ['GEGL_PATH'],
                                       'HFSR_LOCALE_DIR': LOCALE_DIR})
        log = profile.console(
            '(begin (load "%s") (hfsr-run-language-checks "%s"))'
            % (os.path.join(HERE, 'plugin-checks.scm'), self.work),
            LANGUAGE='de', HFSR_LOCALE_DIR=LOCALE_DIR)
        results_file = os.path.join(self.work, 'results.txt')
        self.assertTrue(os.path.exists(results_file), log)
        with open(results_file, encoding='utf-8') as f:
            results = dict(line.rstrip('\n').split('\t', 1)
                           for line in f if '\t' in line)
        self.assertEqual(results.get('done'), '1', log)
        # The plug-in's name pattern with the op's German title and labels
        # (C.UTF-8 numbers).
        self.assertEqual(results.get('hf-rgb8-selection.name'),
                         'Hochfrequenzkarte (Auswahl, Bandhalbbreite 0.25)', log)
        self.assertEqual(results.get('bad-alpha.status'), 'failed')
        self.assertIn('alpha = 2 liegt außerhalb des Bereichs: alpha nimmt '
                      'eine Zahl von 0 bis 1.', log)


def main():
    global PLUGIN_DIRS, LOCALE_DIR
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    PLUGIN_DIRS = sys.argv[1:3]
    LOCALE_DIR = sys.argv[3]
    result = unittest.main(argv=sys.argv[:1], exit=False, verbosity=2).result
    if not result.wasSuccessful():
        return 1
    return 77 if len(result.skipped) == result.testsRun else 0


if __name__ == '__main__':
    sys.exit(main())
