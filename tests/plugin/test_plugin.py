# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The GIMP plug-in in real GIMP: gimp-console-2.10 runs plugin-checks.scm
with a fresh profile pointing at this build, and every result it leaves is
checked here: sizes, layers, names, untouched inputs, error messages, and
pixels against the same op run by the `gegl` command.

Usage: test_plugin.py BUILD_PLUGIN_DIR SYSTEM_PLUGIN_DIR, with GEGL_PATH,
HFSR_SOURCE_ROOT and HFSR_BUILD_ROOT set (meson's test_env).  Exits 77
when gimp-console-2.10, gegl or numpy is missing.
"""
import os
import shutil
import sys
import tempfile
import time
import unittest
import warnings

try:
    import numpy as np
    from PIL import Image
    import gimp_harness as harness
    from gimp_harness import read_png, as_rgba
except ImportError as error:
    print(f'SKIP: {error}')
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get('HFSR_SOURCE_ROOT', '')
# An ICC profile that is not GIMP's built-in sRGB, when the system has one.
A_PROFILE = '/usr/share/color/icc/ghostscript/a98.icc'
PLUGIN_DIRS = []


class PluginInGimp(harness.StackLevelChecks, unittest.TestCase):
    work = None
    log = ''
    results = {}
    sr_networks = False

    @classmethod
    def setUpClass(cls):
        # gegl_cli_check's PNG reader leaves closing its files to Python.
        warnings.filterwarnings('ignore', category=ResourceWarning)
        cls.work = tempfile.mkdtemp(prefix='hfsr-plugin-test-')
        harness.make_inputs(cls.work)
        cls.sr_networks = harness.gegl_has_op('hfsr:super-resolution')
        models = os.path.join(cls.work, 'models')
        if cls.sr_networks:
            harness.write_sr_networks(models)
        # The gegl command below must find the same networks.
        os.environ['HFSR_MODEL_PATH'] = models
        profile = harness.GimpProfile(cls.work, PLUGIN_DIRS,
                                      {'GEGL_PATH': os.environ['GEGL_PATH'],
                                       'HFSR_MODEL_PATH': models})
        # GIMP 2.10 reads a profile by URI only.
        icc = 'file://' + A_PROFILE if os.path.exists(A_PROFILE) else ''
        cls.batch = harness.make_batch_folder(cls.work, 'batch-hf', 'batch-x2')
        for digit in ('digit-x4-0000-7.png', 'digit-x2-0001-2.png'):
            shutil.copy(os.path.join(SOURCE_ROOT, 'tests', 'tools', 'fixtures', 'sr2', digit),
                        cls.work)
        # The seven as a sign shows it: dark on a light ground.
        seven = np.asarray(Image.open(os.path.join(cls.work, 'digit-x4-0000-7.png')).convert('L'))
        Image.fromarray(255 - seven).save(os.path.join(cls.work, 'digit-dark-x4-0000-7.png'))
        command = ('(begin (load "%s") (hfsr-run-checks "%s" %s "%s" "%s"))'
                   % (os.path.join(HERE, 'plugin-checks.scm'), cls.work,
                      '#t' if cls.sr_networks else '#f', icc,
                      os.path.join(SOURCE_ROOT, 'data', 'scripts',
                                   'hfsr-batch.scm')))
        started = time.monotonic()
        cls.log = profile.console(command)
        cls.pluginrc = os.path.join(profile.directory, 'pluginrc')
        print(f'GIMP ran plugin-checks.scm in '
              f'{time.monotonic() - started:.1f} s', file=sys.stderr)
        cls.results = harness.read_results(cls.work)

    @classmethod
    def tearDownClass(cls):
        if cls.work and not os.environ.get('HFSR_KEEP_TEST_FILES'):
            shutil.rmtree(cls.work, ignore_errors=True)

    # ------------------------------------------------------------ helpers

    def test_every_case_ran(self):
        self.assertEqual(self.results.get('done'), '1', self.log)
        self.assertNotIn('broken-case', self.results, self.log)

    def result(self, key):
        if key not in self.results:
            self.fail(f'the Script-Fu did not get to {key}; GIMP said:\n'
                      f'{self.log}')
        return self.results[key]

    def png(self, name):
        return read_png(os.path.join(self.work, name))[0]

    def assert_close(self, actual, expected, tolerance, what):
        self.assertEqual(actual.shape[:2], expected.shape[:2], what)
        difference = np.abs(actual - expected).max()
        self.assertLessEqual(difference, tolerance,
                             f'{what}: differs by up to {difference:.6f}')

    def assert_same_as_gegl(self, key, source, operation, bits):
        """KEY.png (GIMP's layer) against the op run by `gegl` on SOURCE:
        R'G'B'A as the op sees them, within GIMP's rounding to BITS."""
        expected = as_rgba(harness.gegl(self.work, source, key + '-gegl.png',
                                *operation))
        actual = as_rgba(self.png(key + '.png'))
        # Colour under fully transparent pixels is free to differ.
        visible = expected[:, :, 3:] > 0
        self.assert_close(actual * visible, expected * visible,
                          1.0 / (2 ** bits - 1) + 1e-6, key)

    def assert_map_layer(self, key, source, name_parts, layers=2):
        self.assertEqual(self.result(key + '.status'), 'ok', self.log)
        self.assertEqual(int(self.result(key + '.layers')), layers)
        self.assertEqual(self.result(key + '.position'), '0')
        self.assertEqual(self.result(key + '.drawable-position'), '1')
        for part in name_parts:
            self.assertIn(part, self.result(key + '.name'))
        height, width = self.png(source).shape[:2]
        self.assertEqual(self.result(key + '.geometry'),
                         f'{width}x{height}+0+0')

    def assert_unchanged(self, key, source):
        np.testing.assert_array_equal(self.png(key + '-source.png'),
                                      self.png(source), key)

    def assert_refused(self, key, source, message, layers=1):
        self.assertEqual(self.result(key + '.status'), 'failed')
        self.assertEqual(int(self.result(key + '.layers')), layers)
        self.assertIn(message, self.log)
        if source is not None:
            self.assert_unchanged(key, source)

    def test_menus_and_catalogue_are_registered(self):
        """What GIMP recorded of the plug-in (pluginrc): each procedure's
        menu label and place, and the translation catalogue."""
        # Other plug-ins' icons make it partly binary.
        with open(self.pluginrc, encoding='utf-8', errors='replace') as f:
            pluginrc = f.read()
        for procedure, label, path in (
                ('plug-in-hfsr-super-resolution', 'HF _Super-Resolution...',
                 '<Image>/Filters/Enhance'),
                ('plug-in-hfsr-hf-map', '_High-Frequency Map...',
                 '<Image>/Filters/Edge-Detect'),
                ('plug-in-hfsr-gms-map', 'G_MS Map...',
                 '<Image>/Filters/Edge-Detect'),
                ('plug-in-hfsr-dog-sr', '_DoG Super-Resolution...',
                 '<Image>/Filters/Enhance')):
            with self.subTest(procedure):
                definition = pluginrc.split(f'(proc-def "{procedure}"', 1)
                self.assertEqual(len(definition), 2, procedure)
                definition = definition[1].split('(proc-def', 1)[0]
                self.assertIn(f'"{label}"', definition)
                self.assertIn(f'(menu-path "{path}")', definition)
                self.assertIn('"RGB*, GRAY*"', definition)
        self.assertIn('(locale-def "hfsr"', pluginrc)

    # ------------------------------------------------------ batch scripts

    def test_batch_hf_map_maps_every_png_and_jpeg(self):
        self.assertEqual(self.result('batch-hf-map'), '3', self.log)
        for stem, size in self.batch.items():
            with self.subTest(stem):
                map_png = self.png(os.path.join('batch-hf',
                                                stem + '-hf-selection.png'))
                self.assertEqual(map_png.shape[:2], size)
                # A selection map holds 0 and 1 only, and both.
                self.assertEqual(sorted(np.unique(map_png[:, :, 0])), [0, 1])

    def test_batch_upscale_upscales_every_png_and_jpeg(self):
        self.require_sr()
        self.assertEqual(self.result('batch-upscale'), '3', self.log)
        for stem, (height, width) in self.batch.items():
            with self.subTest(stem):
                upscaled = self.png(os.path.join('batch-x2', stem + '-x2.png'))
                self.assertEqual(upscaled.shape[:2], (2 * height, 2 * width))

    # -------------------------------------------------------------- maps

    def test_hf_map_rgb8(self):
        for mode, alpha, cutoff, name in (('signed', 0.2, 0.1, 'Signed'),
                                          ('magnitude', 0.2, 0.1, 'magnitude'),
                                          ('selection', 0.25, 0.1, '0.25'),
                                          ('highpass', 0.2, 0.15, '0.15')):
            key = 'hf-rgb8-' + mode
            with self.subTest(key):
                self.assert_map_layer(key, 'rgb8.png', [name])
                self.assert_same_as_gegl(key, 'rgb8.png',
                                         ['hfsr:hf-map', f'mode={mode}',
                                          f'alpha={alpha}',
                                          f'cutoff={cutoff}'], 8)

    def test_hf_map_rgba16_keeps_precision_and_alpha(self):
        for mode, alpha in (('signed', 0.2), ('selection', 0.1)):
            key = 'hf-rgba16-' + mode
            with self.subTest(key):
                self.assert_map_layer(key, 'rgba16.png', [])
                self.assertEqual(read_png(os.path.join(self.work,
                                                       key + '.png'))[1], 16)
                self.assertEqual(self.png(key + '.png').shape[2], 4)
                self.assert_same_as_gegl(key, 'rgba16.png',
                                         ['hfsr:hf-map', f'mode={mode}',
                                          f'alpha={alpha}'], 16)

    def test_hf_map_grey(self):
        for mode, cutoff in (('selection', 0.1), ('highpass', 0.3)):
            key = 'hf-grey8-' + mode
            with self.subTest(key):
                self.assert_map_layer(key, 'grey8.png', [])
                self.assertEqual(self.result(key + '.base-type'), '1')
                self.assertEqual(self.png(key + '.png').shape[2], 1)
                self.assert_same_as_gegl(key, 'grey8.png',
                                         ['hfsr:hf-map', f'mode={mode}',
                                          'alpha=0.2', f'cutoff={cutoff}'], 8)

    def test_gms_map(self):
        for key, source, reference, mode in (
                ('gms-rgb8-soft', 'rgb8.png', 'blur8.png', 'soft'),
                ('gms-rgb8-gms', 'rgb8.png', 'blur8.png', 'gms'),
                ('gms-grey8-hard', 'grey8.png', 'blurgrey8.png', 'hard')):
            with self.subTest(key):
                self.assert_map_layer(key, source, [], layers=3)
                self.assert_same_as_gegl(
                    key, source,
                    ['hfsr:gms-map', f'mode={mode}', 'threshold=0.1',
                     'radius=1', 'sigma=1.5', 'iterations=2', 'aux=[',
                     'gegl:load', 'path=' + os.path.join(self.work,
                                                         reference), ']'], 8)

    # ----------------------------------------------------------- refusals

    def test_indexed_image_is_refused(self):
        self.assert_refused('bad-indexed', None, 'this image is indexed')
        self.assertEqual(self.result('bad-indexed.base-type'), '2')

    def test_out_of_range_values_are_refused(self):
        self.assert_refused('bad-alpha', 'rgb8.png',
                            'alpha = 2 is out of range: alpha takes a '
                            'number from 0 to 1')
        self.assert_refused('bad-mode', 'rgb8.png',
                            'mode = 7 is out of range: mode takes one of '
                            '0 (signed), 1 (magnitude), 2 (selection), '
                            '3 (highpass)')

    def test_reference_of_another_size_is_refused(self):
        self.assert_refused('bad-reference-size', 'rgb8.png',
                            'the two must have the same size', layers=2)

    # --------------------------------------------------- super-resolution

    def require_sr(self):
        if not self.sr_networks:
            self.skipTest('hfsr:super-resolution is not in this build')

    def test_sr_in_place_scales_the_image(self):
        self.require_sr()
        key = 'sr-rgb8-x2-inplace'
        self.assertEqual(self.result(key + '.status'), 'ok', self.log)
        self.assertEqual(self.result(key + '.size'), '112x80')
        self.assertEqual(self.result(key + '.same-image'), '1')
        self.assertEqual(self.result(key + '.layers'), '2')
        self.assertEqual(self.result(key + '.result.geometry'), '112x80+0+0')
        # The other layer: twice the size, at twice the offsets.
        self.assertEqual(self.result(key + '.other.geometry'), '20x16+10+14')
        self.assert_same_as_gegl(key, 'rgb8.png',
                                 ['hfsr:super-resolution', 'scale=2',
                                  'alpha=0.2'], 8)

    def test_sr_new_image_keeps_precision_alpha_and_profile(self):
        self.require_sr()
        key = 'sr-rgba16-x3-new'
        self.assertEqual(self.result(key + '.status'), 'ok', self.log)
        self.assertEqual(self.result(key + '.same-image'), '0')
        # The image itself is left as it was.
        self.assertEqual(self.result(key + '.size'), '40x32')
        self.assertEqual(self.result(key + '.other.geometry'), '10x8+5+7')
        self.assertEqual(self.result(key + '.result.size'), '120x96')
        self.assertEqual(self.result(key + '.result.layers'), '1')
        self.assertEqual(self.result(key + '.result.precision'),
                         self.result(key + '.precision'))
        self.assertEqual(self.result(key + '.same-profile'), '1')
        if os.path.exists(A_PROFILE):
            self.assertGreater(int(self.result(key + '.profile-bytes')), 0)
        self.assertEqual(read_png(os.path.join(self.work,
                                               key + '.png'))[1], 16)
        self.assert_same_as_gegl(key, 'rgba16.png',
                                 ['hfsr:super-resolution', 'scale=3',
                                  'alpha=0.2'], 16)

    def test_sr_any_scale(self):
        """A fractional factor in place (the image 56 x 40 at x1.5: 84 x
        60, the other layer scaled by GIMP) and as a new image (40 x 32 at
        x2.5: 100 x 80), each the `gegl` command's pixels; the integer 2 of
        the other cases reaches the float argument unchanged."""
        self.require_sr()
        key = 'sr-rgb8-x1.5-inplace'
        self.assertEqual(self.result(key + '.status'), 'ok', self.log)
        self.assertEqual(self.result(key + '.size'), '84x60')
        self.assertEqual(self.result(key + '.result.geometry'), '84x60+0+0')
        # GIMP rounds the other layer's edges halves up: 7.5 -> 8, 10.5 ->
        # 11, 22.5 -> 23.
        self.assertEqual(self.result(key + '.other.geometry'), '15x12+8+11')
        self.assert_same_as_gegl(key, 'rgb8.png',
                                 ['hfsr:super-resolution', 'scale=1.5',
                                  'alpha=0.2'], 8)
        key = 'sr-layer-x1.5-inplace'
        self.assertEqual(self.result(key + '.status'), 'ok', self.log)
        self.assertEqual(self.result(key + '.size'), '84x60')
        self.assertEqual(self.result(key + '.small.geometry'), '5x8+2+2')
        key = 'sr-rgba16-x2.5-new'
        self.assertEqual(self.result(key + '.status'), 'ok', self.log)
        self.assertEqual(self.result(key + '.size'), '40x32')
        self.assertEqual(self.result(key + '.result.size'), '100x80')
        self.assert_same_as_gegl(key, 'rgba16.png',
                                 ['hfsr:super-resolution', 'scale=2.5',
                                  'alpha=0.2'], 16)

    def test_sr_perceptual_variant(self):
        """variant 1: the perceptual family's network (the test's, a
        bilinear upsampler of another gain), as `gegl ... variant=perceptual`
        gives it."""
        self.require_sr()
        key = 'sr-rgb8-x2-perceptual-new'
        self.assertEqual(self.result(key + '.status'), 'ok', self.log)
        self.assertEqual(self.result(key + '.result.size'), '112x80')
        self.assert_same_as_gegl(key, 'rgb8.png',
                                 ['hfsr:super-resolution', 'scale=2',
                                  'variant=perceptual'], 8)

    def test_sr_grey_stays_grey(self):
        self.require_sr()
        key = 'sr-grey8-x2-new'
        self.assertEqual(self.result(key + '.status'), 'ok', self.log)
        self.assertEqual(self.result(key + '.result.size'), '96x72')
        self.assertEqual(self.result(key + '.result.base-type'), '1')
        self.assert_same_as_gegl(key, 'grey8.png',
                                 ['hfsr:super-resolution', 'scale=2',
                                  'alpha=0'], 8)

    def test_sr_refusals_leave_the_image(self):
        self.require_sr()
        for key, message in (
                ('bad-sr-scale', 'scale = 9 is out of range: scale takes a '
                                 'number from 1 to 8'),
                ('bad-sr-alpha', 'alpha = 0.5 is out of range'),
                ('bad-sr-indexed', 'this image is indexed')):
            with self.subTest(key):
                self.assertEqual(self.result(key + '.status'), 'failed')
                self.assertIn(message, self.log)
                self.assertEqual(self.result(key + '.layers'), '2')
                self.assertEqual(self.result(key + '.other.geometry'),
                                 '10x8+5+7')
        self.assertEqual(self.result('bad-sr-scale.size'), '56x40')
        self.assert_unchanged('bad-sr-scale', 'rgb8.png')


    def test_dog_sr_levels_in_a_new_image(self):
        self.require_sr()
        for key, source, method, output, levels, visible in (
                ('dog-rgb8-x2', 'rgb8.png', 'residual-dog', 'dog', 4, 2),
                ('dog-grey8-x2-gaussian', 'grey8.png', 'gaussian-stack', 'gaussian', 5, 5),
                ('dog-rgb8-x2-pixel', 'rgb8.png', 'pixel-sr', 'dog', 4, 3)):
            with self.subTest(key):
                self.assertEqual(self.result(key + '.status'), 'ok', self.log)
                self.assertEqual(self.result(key + '.same-image'), '0')
                height, width = self.png(source).shape[:2]
                # The image itself is left as it was; the new one is twice the size.
                self.assertEqual(self.result(key + '.size'), f'{width}x{height}')
                self.assertEqual(self.result(key + '.result.size'), f'{2 * width}x{2 * height}')
                self.assertEqual(self.result(key + '.result.layers'), '2')
                self.assertEqual(self.result(key + '.group'), '1')
                self.assertEqual(self.result(key + '.levels'), str(levels))
                self.assert_same_as_gegl(key, source, ['hfsr:super-resolution', 'scale=2',
                                                       'alpha=0'], 8)
                self.assert_stack_levels(key, source, method, output, levels, visible, 8,
                                         extra=('gain=10',))
        # Keypoints: the upscale and above it a transparent layer with the
        # keypoints of the trained method's stack, as hfsr:dog-sr draws them
        # over the upscale.
        key = 'dog-rgb8-x2-keypoints'
        self.assertEqual(self.result(key + '.status'), 'ok', self.log)
        self.assertEqual(self.result(key + '.result.layers'), '2')
        self.assertEqual(self.result(key + '-overlay.name'), 'SIFT keypoints')
        overlay = self.png(key + '-overlay.png')
        upscale = self.png(key + '.png')
        self.assertEqual(overlay.shape[2], 4)
        marked = overlay[..., 3] > 0.5
        self.assertGreater(marked.sum(), 50)
        self.assertLess(marked.mean(), 0.5)
        drawn = harness.gegl(self.work, 'rgb8.png', key + '-gegl.png', 'hfsr:dog-sr', 'scale=2',
                             'method=gaussian-stack', 'output=keypoints')
        composite = np.where(marked[..., None], overlay[..., :3], upscale[..., :3])
        self.assertLess(np.abs(composite - drawn[..., :3]).max(), 2.5 / 255)
        self.assertEqual(self.result('bad-dog-level.status'), 'failed')
        self.assertIn('level = 6 is out of range', self.log)
        self.assertEqual(self.result('bad-dog-level.layers'), '1')
        # 5 is in the op's range (the Gaussian stack's), not the DoG's
        self.assertEqual(self.result('bad-dog-level5.status'), 'failed')
        self.assertIn('level = 5 is out of range: level takes 1 to 4 with the '
                      'Difference of Gaussians', self.log)
        self.assertEqual(self.result('bad-dog-level5.layers'), '1')

    def test_structure_sr_names_the_class(self):
        self.require_sr()
        for key, source, scale, label, operation, same_image in (
                ('sr2-seven-x4-new', 'digit-x4-0000-7.png', 4, '7',
                 ['scale=4', 'arch=fsrcnn', 'shared-layers=1', 'lambda=9'], '0'),
                ('sr2-two-x2-inplace', 'digit-x2-0001-2.png', 2, '2',
                 ['scale=2', 'arch=wdsr', 'shared-layers=4', 'lambda=9'], '1'),
                ('sr2-seven-x4-noisy', 'digit-x4-0000-7.png', 4, '7',
                 ['scale=4', 'arch=fsrcnn-noisy', 'shared-layers=1', 'lambda=9'], '0')):
            with self.subTest(key):
                self.assertEqual(self.result(key + '.status'), 'ok', self.log)
                self.assertEqual(self.result(key + '.same-image'), same_image)
                height, width = self.png(source).shape[:2]
                self.assertEqual(self.result(key + '.result.size'),
                                 f'{scale * width}x{scale * height}')
                # "<layer>: 7 (99.9 %)": the class the engine gives for this digit
                name = self.result(key + '.result.name')
                self.assertRegex(name, r': %s \(\d+\.\d %%\)$' % label)
                self.assert_same_as_gegl(key, source, ['hfsr:structure-sr'] + operation, 8)
        self.assertEqual(self.result('bad-sr2-scale.status'), 'failed')

    def test_structure_sr_dark_characters(self):
        """The seven dark on light: detected (polarity 0) and chosen (2),
        it is recognised and the pixels are the op's; read as light on dark
        (1), the network sees another digit (a 0, as hfsr-classify says of
        the file)."""
        self.require_sr()
        for key, polarity in (('sr2-dark-auto', 'auto'), ('sr2-dark-chosen', 'dark-on-light')):
            with self.subTest(key):
                self.assertEqual(self.result(key + '.status'), 'ok', self.log)
                self.assertRegex(self.result(key + '.result.name'), r': 7 \(\d+\.\d %\)$')
                self.assert_same_as_gegl(key, 'digit-dark-x4-0000-7.png',
                                         ['hfsr:structure-sr', 'scale=4', 'polarity=' + polarity], 8)
        self.assertEqual(self.result('sr2-dark-as-light.status'), 'ok', self.log)
        self.assertNotRegex(self.result('sr2-dark-as-light.result.name'), r': 7 \(')
        self.assertIn('no Structure-aware SR network is trained for x3', self.log)
        self.assert_unchanged('bad-sr2-scale', 'digit-x2-0001-2.png')


def main():
    global PLUGIN_DIRS
    PLUGIN_DIRS = harness.plugin_dirs_from_arguments(__doc__)
    for program in ('gimp-console-2.10', 'gegl'):
        if shutil.which(program) is None:
            print(f'SKIP: no {program}')
            return 77
    if not harness.gegl_has_op('hfsr:hf-map'):
        print('hfsr:hf-map not found on GEGL_PATH=' +
              os.environ.get('GEGL_PATH', '(unset)'))
        return 1
    result = unittest.main(argv=sys.argv[:1], exit=False, verbosity=2).result
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
