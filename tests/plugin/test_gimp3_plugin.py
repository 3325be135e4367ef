# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The GIMP 3 plug-in in real GIMP 3: gimp-console-3.0 runs
plugin_checks_gimp3.py (Python-Fu) on this build's plug-in and GEGL module
with a fresh profile, and every result it leaves is checked here: every
procedure on 8-bit RGB, 16-bit RGBA, 8-bit grey and grey+alpha, pixels
against the same op run by the `gegl` command, sizes, layers, names,
precision and colour profile, and the calls a procedure must refuse
(a PDB error, the image left as it was).  What GIMP 3 registered is
checked too: the procedures' arguments and menu entries, and no menu item
twice (the map ops are GIMP 3 filters of their own; the plug-in's map
procedures have no menu entry).

A second GIMP 3, in a German locale with this build's catalogue, must speak
German: the menu label, the map layer's name and an error message.

Usage: test_gimp3_plugin.py PLUGIN SYSTEM_PLUGIN_DIR LOCALE_DIR, with meson's
test_env (LOCALE_DIR: this build's po/).
PLUGIN is the built GIMP 3 plug-in, copied to <work>/plug-ins/hfsr/hfsr
as GIMP 3 wants it.  Exits 77 where gimp-console-3.0, gegl or numpy is
missing, unless HFSR_GIMP3_REQUIRED=1 (scripts/test.sh's GIMP 3 step).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
from gimp3_required import REQUIRED, skip
SOURCE_ROOT = os.environ.get('HFSR_SOURCE_ROOT', '')



try:
    import numpy as np
    import gimp_harness as harness
    from gimp_harness import read_png, write_png, as_rgba
except ImportError as error:
    skip(str(error))

PLUGIN = ''
SYSTEM_PLUGIN_DIR = ''
LOCALE_DIR = ''
SR2 = os.path.join(SOURCE_ROOT, 'tests', 'tools', 'fixtures', 'sr2')

# The cases: key, procedure, source file, arguments (enums as GIMP 3's
# choice nicks), and the reference or other layer.  The gegl twin of each
# is in the test below that checks it.
CASES = [
    ('hf-rgb8-selection', 'plug-in-hfsr-hf-map', 'rgb8.png',
     {'mode': 'selection', 'alpha': 0.25}),
    ('hf-rgb8-highpass', 'plug-in-hfsr-hf-map', 'rgb8.png',
     {'mode': 'highpass', 'cutoff': 0.15}),
    ('hf-rgba16-signed', 'plug-in-hfsr-hf-map', 'rgba16.png', {'mode': 'signed'}),
    ('hf-grey8-magnitude', 'plug-in-hfsr-hf-map', 'grey8.png', {'mode': 'magnitude'}),
    ('hf-greya8-selection', 'plug-in-hfsr-hf-map', 'greya8.png',
     {'mode': 'selection', 'alpha': 0.1}),
    ('gms-rgb8-soft', 'plug-in-hfsr-gms-map', 'rgb8.png',
     {'mode': 'soft', 'radius': 1, 'iterations': 2}, {'reference': 'blur8.png'}),
    ('gms-rgba16-gms', 'plug-in-hfsr-gms-map', 'rgba16.png',
     {'mode': 'gms'}, {'reference': 'blur-rgba16.png'}),
    ('gms-grey8-hard', 'plug-in-hfsr-gms-map', 'grey8.png',
     {'mode': 'hard', 'radius': 1}, {'reference': 'blurgrey8.png'}),
    ('gms-greya8-gms', 'plug-in-hfsr-gms-map', 'greya8.png',
     {'mode': 'gms'}, {'reference': 'blur-greya8.png'}),
    ('sr-rgb8-x2-inplace', 'plug-in-hfsr-super-resolution', 'rgb8.png',
     {'scale': 2, 'alpha': 0.2}, {'other': 'small8.png'}),
    ('sr-rgba16-x3-new', 'plug-in-hfsr-super-resolution', 'rgba16.png',
     {'scale': 3, 'alpha': 0.2, 'new-image': True}, {'other': 'small8.png'}),
    ('sr-rgb8-x1.5-inplace', 'plug-in-hfsr-super-resolution', 'rgb8.png',
     {'scale': 1.5, 'alpha': 0.2}, {'other': 'small8.png'}),
    ('sr-rgba16-x2.5-new', 'plug-in-hfsr-super-resolution', 'rgba16.png',
     {'scale': 2.5, 'alpha': 0.2, 'new-image': True}),
    ('sr-rgb8-x2-perceptual-new', 'plug-in-hfsr-super-resolution', 'rgb8.png',
     {'scale': 2, 'variant': 'perceptual', 'new-image': True}),
    ('sr-grey8-x2-new', 'plug-in-hfsr-super-resolution', 'grey8.png',
     {'scale': 2, 'alpha': 0.0, 'new-image': True}),
    ('sr-greya8-x2-new', 'plug-in-hfsr-super-resolution', 'greya8.png',
     {'scale': 2, 'alpha': 0.0, 'new-image': True}),
    ('dog-rgb8-x2', 'plug-in-hfsr-dog-sr', 'rgb8.png',
     {'scale': 2, 'method': 'gaussian-stack', 'output': 'dog', 'level': 2}),
    ('dog-rgba16-x2-pixel', 'plug-in-hfsr-dog-sr', 'rgba16.png',
     {'scale': 2, 'method': 'pixel-sr', 'output': 'gaussian', 'level': 5}),
    ('dog-grey8-x2-keypoints', 'plug-in-hfsr-dog-sr', 'grey8.png',
     {'scale': 2, 'method': 'gaussian-stack', 'output': 'keypoints'}),
    ('sr2-seven-x4-new', 'plug-in-hfsr-structure-sr', 'digit-x4-0000-7.png',
     {'scale': 4, 'arch': 'fsrcnn', 'shared-layers': 1, 'lambda': 9.0,
      'new-image': True}),
    ('sr2-dark-auto', 'plug-in-hfsr-structure-sr', 'digit-dark-x4-0000-7.png',
     {'scale': 4, 'new-image': True}),
    ('sr2-dark-as-light', 'plug-in-hfsr-structure-sr', 'digit-dark-x4-0000-7.png',
     {'scale': 4, 'new-image': True, 'polarity': 'light-on-dark'}),
    ('sr2-two-x2-inplace', 'plug-in-hfsr-structure-sr', 'digit-x2-0001-2.png',
     {'scale': 2, 'arch': 'wdsr', 'shared-layers': 4, 'lambda': 9.0}),
    ('sr2-seven-x4-noisy', 'plug-in-hfsr-structure-sr', 'digit-x4-0000-7.png',
     {'scale': 4, 'arch': 'fsrcnn-noisy', 'new-image': True}),
    # What must be refused, the image left as it was.
    ('bad-indexed', 'plug-in-hfsr-hf-map', 'indexed.png', {'mode': 'signed'}),
    ('bad-reference-size', 'plug-in-hfsr-gms-map', 'rgb8.png', {'mode': 'gms'},
     {'reference': 'small8.png'}),
    ('bad-no-reference', 'plug-in-hfsr-gms-map', 'rgb8.png', {'mode': 'gms'}),
    ('bad-dog-level5', 'plug-in-hfsr-dog-sr', 'rgb8.png',
     {'scale': 2, 'method': 'gaussian-stack', 'output': 'dog', 'level': 5}),
    ('bad-sr2-scale', 'plug-in-hfsr-structure-sr', 'digit-x2-0001-2.png',
     {'scale': 3, 'arch': 'fsrcnn'}),
    ('bad-sr-indexed', 'plug-in-hfsr-super-resolution', 'indexed.png', {'scale': 2}),
]

# A few seconds to start GIMP 3 with a fresh profile, then each case.
GIMP3_TIMEOUT_S = 600

GERMAN = 'de_DE.UTF-8'


def locales():
    """The locales glibc has (as `locale -a` names them, e.g. de_DE.utf8,
    in the spelling of LC_ALL)."""
    listing = subprocess.run(['locale', '-a'], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL).stdout.decode()
    return {name.replace('.utf8', '.UTF-8') for name in listing.split()}


# The cases of the run in German.
GERMAN_CASES = [
    ('de-hf-rgb8-selection', 'plug-in-hfsr-hf-map', 'rgb8.png',
     {'mode': 'selection', 'alpha': 0.25}),
    ('de-bad-reference-size', 'plug-in-hfsr-gms-map', 'rgb8.png', {'mode': 'gms'},
     {'reference': 'small8.png'}),
]

REGISTRY_CHECK = '''
import json
from gi.repository import Gimp
pdb = Gimp.get_pdb()
found = {}
for name in pdb.query_procedures('plug-in-hfsr-.*', '', '', '', '', '', '', ''):
    procedure = pdb.lookup_procedure(name)
    found[name] = {'args': [a.name for a in procedure.get_arguments()],
                   'types': [getattr(a, '__gtype__', type(a)).name
                             for a in procedure.get_arguments()],
                   'menu': procedure.get_menu_paths(),
                   'label': procedure.get_menu_label()}
with open(%r, 'w') as f:
    json.dump(found, f)
'''


def blurred(pixels):
    padded = np.pad(pixels.astype(np.float64), ((1, 1), (1, 1), (0, 0)), mode='edge')
    height, width = pixels.shape[:2]
    total = sum(padded[dy:dy + height, dx:dx + width] for dy in range(3) for dx in range(3))
    return np.rint(total / 9).astype(pixels.dtype)


def make_more_inputs(work):
    """Grey+alpha and the blurred references of rgba16 and greya8, beside
    gimp_harness.make_inputs' files; the SR² digits."""
    grey = np.rint(read_png(os.path.join(work, 'grey8.png'))[0][:, :, 0] * 255)
    alpha = np.tile(np.linspace(0, 255, grey.shape[1]), (grey.shape[0], 1))
    alpha[:, :12] = 255
    greya8 = np.stack([grey, np.rint(alpha)], axis=2).astype(np.uint8)
    write_png(os.path.join(work, 'greya8.png'), greya8)
    write_png(os.path.join(work, 'blur-greya8.png'), blurred(greya8))
    rgba16 = np.rint(read_png(os.path.join(work, 'rgba16.png'))[0] * 65535).astype(np.uint16)
    write_png(os.path.join(work, 'blur-rgba16.png'), blurred(rgba16))
    for digit in ('digit-x4-0000-7.png', 'digit-x2-0001-2.png'):
        shutil.copy(os.path.join(SR2, digit), work)
    # The seven as a sign shows it: dark on a light ground.
    seven = read_png(os.path.join(work, 'digit-x4-0000-7.png'))[0]
    write_png(os.path.join(work, 'digit-dark-x4-0000-7.png'),
              np.rint((1.0 - seven) * 255).astype(np.uint8))


class PluginInGimp3(harness.StackLevelChecks, unittest.TestCase):
    work = None
    log = ''
    results = {}

    @classmethod
    def setUpClass(cls):
        warnings.filterwarnings('ignore', category=ResourceWarning)
        cls.work = tempfile.mkdtemp(prefix='hfsr-gimp3-plugin-')
        harness.make_inputs(cls.work)
        make_more_inputs(cls.work)
        models = os.path.join(cls.work, 'models')
        harness.write_sr_networks(models)
        # The gegl command below must find the same networks.
        os.environ['HFSR_MODEL_PATH'] = models
        gimprc = harness.gimp3_profile(cls.work, PLUGIN, SYSTEM_PLUGIN_DIR)
        cls.registry = os.path.join(cls.work, 'registry.json')
        cls.log = cls.run_gimp(cls.work, gimprc, CASES, cls.registry)
        cls.results = harness.read_results(cls.work)

    @staticmethod
    def run_gimp(work, gimprc, cases, registry, locale='C.UTF-8'):
        """Runs CASES in gimp-console-3.0 with the profile of WORK (the
        results go to WORK), after writing what GIMP 3 registered to
        REGISTRY, in LOCALE; returns GIMP's log."""
        job = os.path.join(work, 'job.json')
        with open(job, 'w') as f:
            json.dump({'directory': work,
                       'results': os.path.join(work, 'results.txt'),
                       'cases': [dict(key=c[0], procedure=c[1], file=c[2], args=c[3],
                                      **(c[4] if len(c) > 4 else {}))
                                 for c in cases]}, f)
        code = (REGISTRY_CHECK % registry +
                '\nimport runpy; runpy.run_path(%r, {"JOB": %r})'
                % (os.path.join(HERE, 'plugin_checks_gimp3.py'), job))
        env = dict(os.environ, GIMP3_DIRECTORY=os.path.join(work, 'profile'),
                   LC_ALL=locale, LANGUAGE='', HFSR_LOCALE_DIR=LOCALE_DIR)
        # GIMP 3.0.4 logs criticals of its own in ordinary runs: fatal,
        # they would end GIMP.  hfsr's own are looked for in the log.
        env.pop('G_DEBUG', None)
        started = time.monotonic()
        log = harness.run_killing_group(
            [shutil.which('gimp-console-3.0'), '-i', '-n', '--no-data', '--no-fonts',
             '-g', gimprc, '--batch-interpreter=python-fu-eval', '-b', code, '--quit'],
            work, env, GIMP3_TIMEOUT_S)
        print(f'GIMP 3 ran {len(cases)} cases in {time.monotonic() - started:.1f} s',
              file=sys.stderr)
        return log

    @classmethod
    def tearDownClass(cls):
        if cls.work and not os.environ.get('HFSR_KEEP_TEST_FILES'):
            shutil.rmtree(cls.work, ignore_errors=True)

    # ------------------------------------------------------------ helpers

    def result(self, key):
        if key not in self.results:
            self.fail(f'the checks did not get to {key}; GIMP said:\n{self.log[-6000:]}')
        return self.results[key]

    def pixels(self, key):
        width, height = map(int, self.result(key + '.raw-size').split('x'))
        data = np.fromfile(os.path.join(self.work, key + '.raw'), dtype=np.float32)
        return data.reshape(height, width, 4).astype(np.float64)

    def assert_ok(self, key):
        self.assertEqual(self.result(key + '.status'), 'ok', self.log[-6000:])

    def assert_same_as_gegl(self, key, source, operation, bits, pixels_key=None):
        """KEY's layer (or PIXELS_KEY's) against the op run by `gegl` on
        SOURCE, within GIMP's rounding to BITS; colour under fully
        transparent pixels is free to differ."""
        expected = as_rgba(harness.gegl(self.work, source, key + '-gegl.png', *operation))
        actual = self.pixels(pixels_key or key)
        self.assertEqual(actual.shape, expected.shape, key)
        visible = expected[:, :, 3:] > 0
        difference = np.abs(actual * visible - expected * visible).max()
        self.assertLessEqual(difference, 1.0 / (2 ** bits - 1) + 1e-6,
                             f'{key}: differs from gegl by up to {difference:.6f}')

    def assert_unchanged(self, key, source):
        expected = as_rgba(read_png(os.path.join(self.work, source))[0])
        np.testing.assert_allclose(self.pixels(key + '-source'), expected, atol=1e-6,
                                   err_msg=key)

    def assert_refused(self, key, source, message, layers=1):
        status = self.result(key + '.status')
        self.assertTrue(status.startswith(('calling-error', 'execution-error')), status)
        self.assertIn(message, status)
        self.assertEqual(int(self.result(key + '.layers')), layers)
        if source is not None:
            self.assert_unchanged(key, source)

    # ------------------------------------------------------------ German

    def test_gimp3_speaks_german(self):
        """In a German locale (a GIMP of its own, whose fresh profile makes
        the plug-in register in German): the menu label, the map layer's
        name with the op's German title and labels, an error message.
        glibc 2.41 ignores LANGUAGE=de under C.UTF-8, as GIMP 3 does: the
        chroot of scripts/gimp3-chroot.sh has de_DE.UTF-8."""
        if GERMAN not in locales():
            if REQUIRED:
                self.fail(f'no {GERMAN} locale (locale -a)')
            self.skipTest(f'no {GERMAN} locale')
        if not os.path.exists(os.path.join(LOCALE_DIR, 'de', 'LC_MESSAGES', 'hfsr.mo')):
            self.fail(f'no German catalogue in {LOCALE_DIR}')
        work = os.path.join(self.work, 'de')
        os.makedirs(work)
        for name in ('rgb8.png', 'small8.png'):
            shutil.copy(os.path.join(self.work, name), work)
        gimprc = harness.gimp3_profile(work, PLUGIN, SYSTEM_PLUGIN_DIR)
        registry = os.path.join(work, 'registry.json')
        log = self.run_gimp(work, gimprc, GERMAN_CASES, registry, locale=GERMAN)
        results = harness.read_results(work)
        with open(registry) as f:
            label = json.load(f)['plug-in-hfsr-super-resolution']['label']
        self.assertEqual(label, 'HF-_Superauflösung …')
        self.assertEqual(results.get('de-hf-rgb8-selection.name'),
                         'Hochfrequenzkarte (Auswahl, Bandhalbbreite 0,25)', log[-4000:])
        self.assertIn('Beide müssen gleich groß sein',
                      results.get('de-bad-reference-size.status', ''))

    # ------------------------------------------------------------ registry

    def test_every_case_ran(self):
        self.assertEqual(self.results.get('done'), '1', self.log[-6000:])

    def test_procedures_arguments_and_menus(self):
        """The 2.10 names and argument names; enums as choices; a menu
        item for each procedure that changes the image's size, none for
        the maps (their GEGL ops are GIMP 3's filters)."""
        with open(self.registry) as f:
            registry = json.load(f)
        expected = {
            'plug-in-hfsr-super-resolution': (['scale', 'alpha', 'new-image', 'variant'],
                                              ['<Image>/Filters/Enhance']),
            'plug-in-hfsr-hf-map': (['mode', 'alpha', 'cutoff'], []),
            'plug-in-hfsr-gms-map': (['reference', 'mode', 'threshold', 'radius', 'sigma',
                                      'iterations'], []),
            'plug-in-hfsr-dog-sr': (['scale', 'method', 'output', 'level', 'sigma1', 'sigma2',
                                     'sigma3', 'sigma4', 'sigma5', 'gain'],
                                    ['<Image>/Filters/Enhance']),
            'plug-in-hfsr-structure-sr': (['scale', 'arch', 'shared-layers', 'lambda',
                                           'new-image', 'polarity'], ['<Image>/Filters/Enhance']),
        }
        self.assertEqual(sorted(registry), sorted(expected))
        for name, (args, menu) in expected.items():
            with self.subTest(name):
                self.assertEqual(registry[name]['args'], ['run-mode', 'image', 'drawables'] + args)
                self.assertEqual(registry[name]['menu'], menu)
        types = dict(zip(registry['plug-in-hfsr-hf-map']['args'],
                         registry['plug-in-hfsr-hf-map']['types']))
        self.assertEqual(types['mode'], 'GimpParamChoice')
        # Any factor: the op's double, 1 to 8 (integers still reach it).
        types = dict(zip(registry['plug-in-hfsr-super-resolution']['args'],
                         registry['plug-in-hfsr-super-resolution']['types']))
        self.assertEqual(types['scale'], 'GParamDouble')
        self.assertEqual(types['variant'], 'GimpParamChoice')
        labels = [registry[name]['label'] for name in registry if registry[name]['menu']]
        self.assertEqual(len(labels), len(set(labels)), labels)

    # -------------------------------------------------------------- maps

    def test_hf_maps(self):
        for key, source, operation, bits in (
                ('hf-rgb8-selection', 'rgb8.png', ['mode=selection', 'alpha=0.25'], 8),
                ('hf-rgb8-highpass', 'rgb8.png', ['mode=highpass', 'cutoff=0.15'], 8),
                ('hf-rgba16-signed', 'rgba16.png', ['mode=signed'], 16),
                ('hf-grey8-magnitude', 'grey8.png', ['mode=magnitude'], 8),
                ('hf-greya8-selection', 'greya8.png', ['mode=selection', 'alpha=0.1'], 8)):
            with self.subTest(key):
                self.assert_ok(key)
                height, width = read_png(os.path.join(self.work, source))[0].shape[:2]
                self.assertEqual(self.result(key + '.geometry'), f'{width}x{height}+0+0')
                self.assertEqual(self.result(key + '.layers'), '2')
                # right above the drawable
                self.assertEqual(self.result(key + '.position'), '0')
                self.assertEqual(self.result(key + '.drawable-position'), '1')
                self.assertIn('High-frequency map', self.result(key + '.name'))
                self.assert_same_as_gegl(key, source, ['hfsr:hf-map'] + operation, bits)

    def test_gms_maps(self):
        for key, source, reference, operation, bits in (
                ('gms-rgb8-soft', 'rgb8.png', 'blur8.png',
                 ['mode=soft', 'radius=1', 'iterations=2'], 8),
                ('gms-rgba16-gms', 'rgba16.png', 'blur-rgba16.png', ['mode=gms'], 16),
                ('gms-grey8-hard', 'grey8.png', 'blurgrey8.png', ['mode=hard', 'radius=1'], 8),
                ('gms-greya8-gms', 'greya8.png', 'blur-greya8.png', ['mode=gms'], 8)):
            with self.subTest(key):
                self.assert_ok(key)
                self.assertEqual(self.result(key + '.layers'), '3')
                self.assertEqual(self.result(key + '.position'), '0')
                self.assert_same_as_gegl(
                    key, source, ['hfsr:gms-map'] + operation +
                    ['aux=[', 'gegl:load', 'path=' + os.path.join(self.work, reference), ']'],
                    bits)

    # --------------------------------------------------- super-resolution

    def test_sr_in_place_scales_the_image(self):
        key = 'sr-rgb8-x2-inplace'
        self.assert_ok(key)
        self.assertEqual(self.result(key + '.size'), '112x80')
        self.assertEqual(self.result(key + '.same-image'), '1')
        self.assertEqual(self.result(key + '.layers'), '2')
        # The other layer: twice the size, at twice the offsets.
        self.assertEqual(self.result(key + '.other.geometry'), '48x32+10+14')
        self.assert_same_as_gegl(key, 'rgb8.png',
                                 ['hfsr:super-resolution', 'scale=2', 'alpha=0.2'], 8)

    def test_sr_new_image_keeps_precision_alpha_and_profile(self):
        key = 'sr-rgba16-x3-new'
        self.assert_ok(key)
        self.assertEqual(self.result(key + '.same-image'), '0')
        # The image itself is left as it was.
        self.assertEqual(self.result(key + '.size'), '40x32')
        self.assertEqual(self.result(key + '.other.geometry'), '24x16+5+7')
        self.assertEqual(self.result(key + '.result.size'), '120x96')
        self.assertEqual(self.result(key + '.result.layers'), '1')
        self.assertEqual(self.result(key + '.result.precision'), self.result(key + '.precision'))
        self.assertEqual(self.result(key + '.same-profile'), '1')
        self.assert_same_as_gegl(key, 'rgba16.png',
                                 ['hfsr:super-resolution', 'scale=3', 'alpha=0.2'], 16)

    def test_sr_any_scale(self):
        """A fractional factor in place (56 x 40 at x1.5: 84 x 60, the other
        layer's edges rounded by GIMP, halves up) and as a new image (40 x
        32 at x2.5: 100 x 80), each the `gegl` command's pixels."""
        key = 'sr-rgb8-x1.5-inplace'
        self.assert_ok(key)
        self.assertEqual(self.result(key + '.size'), '84x60')
        self.assertEqual(self.result(key + '.other.geometry'), '36x24+8+11')
        self.assert_same_as_gegl(key, 'rgb8.png',
                                 ['hfsr:super-resolution', 'scale=1.5', 'alpha=0.2'], 8)
        key = 'sr-rgba16-x2.5-new'
        self.assert_ok(key)
        self.assertEqual(self.result(key + '.result.size'), '100x80')
        self.assert_same_as_gegl(key, 'rgba16.png',
                                 ['hfsr:super-resolution', 'scale=2.5', 'alpha=0.2'], 16)

    def test_sr_perceptual_variant(self):
        """variant 'perceptual': the perceptual family's network (the
        test's, a bilinear upsampler of another gain), as `gegl ...
        variant=perceptual` gives it."""
        key = 'sr-rgb8-x2-perceptual-new'
        self.assert_ok(key)
        self.assertEqual(self.result(key + '.result.size'), '112x80')
        self.assert_same_as_gegl(key, 'rgb8.png',
                                 ['hfsr:super-resolution', 'scale=2', 'variant=perceptual'], 8)

    def test_sr_grey_stays_grey(self):
        for key, source in (('sr-grey8-x2-new', 'grey8.png'),
                            ('sr-greya8-x2-new', 'greya8.png')):
            with self.subTest(key):
                self.assert_ok(key)
                self.assertEqual(self.result(key + '.result.base-type'), 'gray')
                self.assert_same_as_gegl(key, source,
                                         ['hfsr:super-resolution', 'scale=2', 'alpha=0'], 8)

    # --------------------------------------------------------- DoG-SR, SR²

    def test_dog_sr_levels_in_a_layer_group(self):
        for key, source, method, output, levels, visible, bits in (
                ('dog-rgb8-x2', 'rgb8.png', 'gaussian-stack', 'dog', 4, 2, 8),
                ('dog-rgba16-x2-pixel', 'rgba16.png', 'pixel-sr', 'gaussian', 5, 5, 16)):
            with self.subTest(key):
                self.assert_ok(key)
                self.assertEqual(self.result(key + '.same-image'), '0')
                self.assertEqual(self.result(key + '.result.layers'), '2')
                self.assertEqual(self.result(key + '.levels'), str(levels))
                self.assert_same_as_gegl(key, source, ['hfsr:super-resolution', 'scale=2',
                                                       'alpha=0'], bits)
                self.assert_stack_levels(key, source, method, output, levels, visible, bits)
        key = 'dog-grey8-x2-keypoints'
        self.assert_ok(key)
        self.assertEqual(self.result(key + '-overlay.name'), 'SIFT keypoints')
        marked = self.pixels(key + '-overlay')[..., 3] > 0.5
        self.assertGreater(marked.sum(), 20)
        self.assertLess(marked.mean(), 0.5)

    def test_structure_sr_names_the_class(self):
        for key, source, scale, label, operation, same_image in (
                ('sr2-seven-x4-new', 'digit-x4-0000-7.png', 4, '7',
                 ['scale=4', 'arch=fsrcnn', 'shared-layers=1', 'lambda=9'], '0'),
                ('sr2-two-x2-inplace', 'digit-x2-0001-2.png', 2, '2',
                 ['scale=2', 'arch=wdsr', 'shared-layers=4', 'lambda=9'], '1'),
                ('sr2-seven-x4-noisy', 'digit-x4-0000-7.png', 4, '7',
                 ['scale=4', 'arch=fsrcnn-noisy', 'shared-layers=1', 'lambda=9'], '0')):
            with self.subTest(key):
                self.assert_ok(key)
                self.assertEqual(self.result(key + '.same-image'), same_image)
                height, width = read_png(os.path.join(self.work, source))[0].shape[:2]
                self.assertEqual(self.result(key + '.result.size'),
                                 f'{scale * width}x{scale * height}')
                self.assertRegex(self.result(key + '.result.name'),
                                 r': %s \(\d+\.\d %%\)$' % label)
                self.assert_same_as_gegl(key, source, ['hfsr:structure-sr'] + operation, 8)

    def test_structure_sr_dark_characters(self):
        """The seven dark on light: detected (the default, 'auto'), it is
        recognised and the pixels are the op's; read as light on dark, the
        network sees another digit."""
        self.assert_ok('sr2-dark-auto')
        self.assertRegex(self.result('sr2-dark-auto.result.name'), r': 7 \(\d+\.\d %\)$')
        self.assert_same_as_gegl('sr2-dark-auto', 'digit-dark-x4-0000-7.png',
                                 ['hfsr:structure-sr', 'scale=4', 'polarity=auto'], 8)
        self.assert_ok('sr2-dark-as-light')
        self.assertNotRegex(self.result('sr2-dark-as-light.result.name'), r': 7 \(')

    # ----------------------------------------------------------- refusals

    def test_refusals_leave_the_image(self):
        self.assert_refused('bad-indexed', None, 'this image is indexed')
        self.assert_refused('bad-sr-indexed', None, 'this image is indexed')
        self.assert_refused('bad-reference-size', 'rgb8.png',
                            'the two must have the same size', layers=2)
        self.assert_refused('bad-no-reference', 'rgb8.png',
                            'is not a drawable with pixels of its own')
        self.assert_refused('bad-dog-level5', 'rgb8.png',
                            'level = 5 is out of range: level takes 1 to 4 with the '
                            'Difference of Gaussians')
        self.assert_refused('bad-sr2-scale', 'digit-x2-0001-2.png',
                            'no Structure-aware SR network is trained for x3')
        self.assertEqual(self.result('bad-sr2-scale.size'), '14x14')


def main():
    global PLUGIN, SYSTEM_PLUGIN_DIR, LOCALE_DIR
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    PLUGIN, SYSTEM_PLUGIN_DIR, LOCALE_DIR = sys.argv[1:4]
    for program in ('gimp-console-3.0', 'gegl'):
        if shutil.which(program) is None:
            skip(f'no {program}')
    if not PLUGIN or not os.path.exists(PLUGIN):
        skip('no GIMP 3 plug-in in this build')
    result = unittest.main(argv=sys.argv[:1], exit=False, verbosity=2).result
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
