#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of hfsr_perceptual.py: the HPF network's shape and its FFT target
(against the engine's hfsr_highpass), the soft GMS map against the real
`hfsr:gms-map` op run by the `gegl` command, the RaGAN loss, loading a shipped
network for fine-tuning, and few-iteration runs of every stage whose exports
the engine loads and run_graph() reproduces.

    /usr/bin/python3 models/training/test_perceptual.py     (meson test training-perceptual)

Exits 77 (skip) where PyTorch is not importable, as meson expects.  The
engine and the ops are found through HFSR_ENGINE_MODULE, GEGL_PATH and
HFSR_BUILD_ROOT (meson sets them), else in REPO/build; the comparisons that
need them are skipped, with the reason, where they are missing.
"""

import contextlib
import ctypes
import io
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

try:
    import numpy as np
    import torch
except ImportError as missing:
    print(f'skipping the perceptual training tests: {missing}')
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import dog_sr  # noqa: E402
import hfsr_data  # noqa: E402
import hfsr_perceptual as hp  # noqa: E402
import hfsr_sr  # noqa: E402
import wdsr  # noqa: E402
from hfsr_export import load_model_file, run_graph  # noqa: E402
import test_training  # noqa: E402
from test_training import synthetic_photo, write_png  # noqa: E402

torch.set_num_threads(1)

BUILD = os.environ.get('HFSR_BUILD_ROOT') or os.path.join(hfsr_sr.REPO, 'build')
ENGINE_MODULE = os.environ.get('HFSR_ENGINE_MODULE') or os.path.join(
    BUILD, 'tests', 'training', 'libhfsr-engine-for-python.so')
SHIPPED_X2 = os.path.join(hfsr_sr.REPO, 'models', 'hfsr-x2-a0.safetensors')
# Under meson (HFSR_BUILD_ROOT set) the ops module must load; run by hand
# without a build, the op comparison is skipped.
UNDER_MESON = 'HFSR_BUILD_ROOT' in os.environ


def engine():
    """The built engine through ctypes, or a skip."""
    if not os.path.isfile(ENGINE_MODULE):
        raise unittest.SkipTest(f'no built engine module at {ENGINE_MODULE}')
    lib = ctypes.CDLL(ENGINE_MODULE)
    p, i, d = ctypes.c_void_p, ctypes.c_int, ctypes.c_double
    for name, argtypes, restype in (
            ('hfsr_highpass', [p, i, i, d, p, p], i),
            ('hfsr_gradient_magnitude', [p, i, i, p], None),
            ('hfsr_gaussian_blur', [p, i, i, d, p, p], i),
            ('hfsr_morph_open', [p, i, i, i, p, p], i),
            ('hfsr_model_load', [ctypes.c_char_p, p], p),
            ('hfsr_model_get_scale', [p], i),
            ('hfsr_model_get_metadata', [p, ctypes.c_char_p], ctypes.c_char_p),
            ('hfsr_model_free', [p], None)):
        function = getattr(lib, name)
        function.argtypes, function.restype = argtypes, restype
    return lib


def plane(array):
    return np.ascontiguousarray(array, dtype=np.float32)


class HighPassNetTest(unittest.TestCase):
    def test_shapes_and_size(self):
        net = hp.HighPassNet()
        x = torch.rand(2, 3, 17, 23)
        maps, out = net.features(x)
        self.assertEqual(out.shape, (2, 3, 17, 23))
        self.assertTrue(torch.equal(net(x), out))
        self.assertEqual([m.shape for m in maps], [(2, 32, 17, 23)] * 2)
        # 3x3 convolutions 3->32, 32->32, 32->3 with biases.
        self.assertEqual(wdsr.parameter_count(net), (27 * 32 + 32) + (288 * 32 + 32) + (288 * 3 + 3))
        self.assertEqual(wdsr.parameter_count(net), 11011)

    def test_highpass_keeps_fine_and_removes_coarse_waves(self):
        # Along x on a 64-wide image, frequency k sits at radius k / 32 of
        # Nyquist: k = 2 (0.0625) is below the cutoff 0.1, k = 5 (0.156) above.
        x = torch.arange(64, dtype=torch.float64)
        coarse = torch.cos(2 * math.pi * 2 * x / 64).expand(8, 64)
        fine = torch.cos(2 * math.pi * 5 * x / 64).expand(8, 64)
        out = hp.fft_highpass(0.5 + coarse + fine, 0.1)
        self.assertLess((out - fine).abs().max().item(), 1e-12)
        self.assertLess(hp.fft_highpass(torch.full((5, 7), 0.3), 0.0).abs().max().item(), 1e-12)

    def test_highpass_equals_the_engine(self):
        lib = engine()
        rng = np.random.default_rng(2)
        for height, width, cutoff in ((17, 23, 0.1), (16, 20, 0.25), (9, 1, 0.5)):
            image = plane(rng.random((height, width)))
            expected = np.empty_like(image)
            self.assertTrue(lib.hfsr_highpass(image.ctypes.data, width, height, cutoff,
                                              expected.ctypes.data, None))
            actual = hp.fft_highpass(torch.from_numpy(image), cutoff).numpy()
            np.testing.assert_allclose(actual, expected, rtol=0, atol=2e-6)

    def test_hpf_loss_compares_features_and_leaves_the_network_alone(self):
        torch.manual_seed(1)
        with tempfile.TemporaryDirectory() as root:
            path = os.path.join(root, 'hpf.pt')
            torch.save(hp.HighPassNet().state_dict(), path)
            hpf = hp.load_hpf(path, torch.device('cpu'))
        hr = torch.rand(2, 3, 12, 12)
        self.assertEqual(hp.hpf_loss(hpf, hr.clone(), hr).item(), 0.0)
        sr = (hr + 0.1 * torch.randn_like(hr)).requires_grad_(True)
        loss = hp.hpf_loss(hpf, sr, hr)
        maps_sr, _ = hpf.features(sr)
        maps_hr, _ = hpf.features(hr)
        expected = sum((a - b).abs().mean() for a, b in zip(maps_sr, maps_hr))
        self.assertAlmostEqual(loss.item(), expected.item(), places=6)
        loss.backward()
        self.assertGreater(sr.grad.abs().sum().item(), 0)
        self.assertTrue(all(p.grad is None and not p.requires_grad for p in hpf.parameters()))


class SoftGmsPiecesTest(unittest.TestCase):
    """The soft map's building blocks against the engine's C functions."""

    def test_gradient_blur_and_opening_equal_the_engine(self):
        lib = engine()
        rng = np.random.default_rng(3)
        for height, width in ((13, 19), (1, 6), (7, 1)):
            image = plane(rng.random((height, width)))
            planes = torch.from_numpy(image)[None, None]
            expected = np.empty_like(image)
            lib.hfsr_gradient_magnitude(image.ctypes.data, width, height, expected.ctypes.data)
            np.testing.assert_allclose(hp.gradient_magnitude(planes)[0, 0].numpy(), expected,
                                       rtol=0, atol=1e-6)
            for sigma in (0.5, 1.5, 4.0):
                self.assertTrue(lib.hfsr_gaussian_blur(image.ctypes.data, width, height, sigma,
                                                       expected.ctypes.data, None))
                np.testing.assert_allclose(hp.gaussian_blur(planes, sigma)[0, 0].numpy(), expected,
                                           rtol=0, atol=1e-6)
            for radius in (0, 1, 2, 3, 9):
                self.assertTrue(lib.hfsr_morph_open(image.ctypes.data, width, height, radius,
                                                    expected.ctypes.data, None))
                # Minimum and maximum pick values: exact.
                np.testing.assert_array_equal(hp.morph_open(planes, radius)[0, 0].numpy(), expected)

    def test_disk(self):
        self.assertEqual(sorted(hp.disk_offsets(1)), [(-1, 0), (0, -1), (0, 0), (0, 1), (1, 0)])
        self.assertEqual(len(hp.disk_offsets(2)), 13)


def gegl_environment():
    """(environment for `gegl` with the build's ops, or None, reason)."""
    if shutil.which('gegl') is None:
        return None, 'no gegl command'
    if 'GEGL_PATH' in os.environ:
        environment = dict(os.environ)
    else:
        if not os.path.isfile(os.path.join(BUILD, 'ops', 'hfsr.so')):
            return None, f'no built ops in {BUILD}/ops'
        try:
            plugins = subprocess.run(['pkg-config', '--variable=pluginsdir', 'gegl-0.4'], check=True,
                                     capture_output=True, text=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None, 'pkg-config cannot find gegl-0.4'
        environment = dict(os.environ, GEGL_PATH=os.path.join(BUILD, 'ops') + os.pathsep + plugins)
    listing = subprocess.run(['gegl', '--list-all'], env=environment, capture_output=True, text=True).stdout
    if 'hfsr:gms-map' not in listing.split():
        return None, f'hfsr:gms-map not found on GEGL_PATH={environment["GEGL_PATH"]}'
    return environment, None


class SoftGmsOpTest(unittest.TestCase):
    """The torch mask must be the one `hfsr:gms-map mode=soft` shows (its
    default threshold 0.1, radius 1, sigma 1.5, iterations 2): the op run by
    the `gegl` command on an 8-bit RGB image against a reference that differs
    by noise in its right half.  Its .npy output is linear Y (gegl:npy-save
    converts), encoded back to the op's Y' here."""

    # Measured: 1.6e-6 on GMS (babl's Y' against dog_sr.grey) and 1.1e-7 on
    # the soft map (float sums in another order).
    GMS_TOLERANCE = 1e-5
    MAP_TOLERANCE = 1e-6

    @classmethod
    def setUpClass(cls):
        cls.environment, reason = gegl_environment()
        if cls.environment is None:
            if UNDER_MESON:
                raise AssertionError(reason)
            raise unittest.SkipTest(reason)
        cls.tmp = tempfile.TemporaryDirectory()
        rng = np.random.default_rng(3)
        reference = synthetic_photo(rng, 40, 56)
        image = reference.copy()
        image[:, 28:] += 0.08 * rng.standard_normal((40, 28, 3))
        cls.image_path = os.path.join(cls.tmp.name, 'image.png')
        cls.reference_path = os.path.join(cls.tmp.name, 'reference.png')
        write_png(cls.image_path, image)
        write_png(cls.reference_path, reference)

        def load(path):
            return torch.from_numpy(hfsr_data.load_image(path).transpose(2, 0, 1).copy())[None]
        cls.image, cls.reference = load(cls.image_path), load(cls.reference_path)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def op(self, *properties):
        out = os.path.join(self.tmp.name, 'map.npy')
        if os.path.exists(out):
            os.remove(out)
        run = subprocess.run(['gegl', self.image_path, '-o', out, '--', 'hfsr:gms-map', *properties,
                              'aux=[', 'gegl:load', f'path={self.reference_path}', ']'],
                             env=self.environment, capture_output=True, text=True)
        # gegl exits 0 even when an op fails: only the file tells.
        self.assertTrue(os.path.isfile(out), run.stdout + run.stderr)
        linear = torch.from_numpy(np.load(out).astype(np.float64))
        return dog_sr.srgb_encode(linear).numpy()

    def test_gms_and_soft_map_equal_the_op(self):
        gms = hp.gms_map(dog_sr.grey(self.image), dog_sr.grey(self.reference))[0, 0].numpy()
        np.testing.assert_allclose(gms, self.op('mode=gms'), rtol=0, atol=self.GMS_TOLERANCE)
        # A GMS value this close to the threshold could binarise either way.
        self.assertGreater(np.abs(gms - hp.GMS_THRESHOLD).min(), 10 * self.GMS_TOLERANCE,
                           'fixture has a GMS value at the threshold')

        soft = hp.soft_gms_map(self.image, self.reference)[0, 0].numpy()
        # Not a trivial map: alike on the left, graded and strong on the right.
        self.assertEqual(soft[:, :10].max(), 0.0)
        self.assertGreater(soft.max(), 0.5)
        self.assertGreater(((soft > 0.05) & (soft < 0.95)).mean(), 0.2)
        np.testing.assert_allclose(soft, self.op('mode=soft'), rtol=0, atol=self.MAP_TOLERANCE)
        np.testing.assert_array_equal(soft, hp.soft_gms_map(self.reference, self.image)[0, 0].numpy())

        other = dict(threshold=0.05, radius=2, sigma=1.0, iterations=3)
        expected = self.op('mode=soft', *(f'{k}={v}' for k, v in other.items()))
        np.testing.assert_allclose(hp.soft_gms_map(self.image, self.reference, **other)[0, 0].numpy(),
                                   expected, rtol=0, atol=self.MAP_TOLERANCE)


class LossTest(unittest.TestCase):
    def test_ragan_hand_worked(self):
        def softplus(v):
            return math.log1p(math.exp(v))
        real, fake = torch.tensor([[2.0], [0.0]]), torch.tensor([[0.0], [-2.0]])
        # real - mean(fake) = (3, 1); fake - mean(real) = (-1, -3).
        d = 0.5 * ((softplus(-3) + softplus(-1)) / 2 + (softplus(-1) + softplus(-3)) / 2)
        g = 0.5 * ((softplus(3) + softplus(1)) / 2 + (softplus(1) + softplus(3)) / 2)
        self.assertAlmostEqual(hp.ragan_loss(real, fake, for_generator=False).item(), d, places=6)
        self.assertAlmostEqual(hp.ragan_loss(real, fake, for_generator=True).item(), g, places=6)
        same = torch.zeros(3, 1)
        self.assertAlmostEqual(hp.ragan_loss(same, same, False).item(), math.log(2), places=6)

    def test_discriminator_takes_any_patch_size(self):
        d = hp.Discriminator()
        for side in (16, 64, 128):
            self.assertEqual(d(torch.rand(2, 3, side, side)).shape, (2, 1))
        # The patch critic: one logit per position of its 1/8-size map.
        patch = hp.Discriminator(patch=True)
        for side in (16, 64, 128):
            self.assertEqual(patch(torch.rand(2, 3, side, side)).shape, (2 * (side // 8) ** 2, 1))

    def test_gms_terms_ignore_what_is_structurally_alike(self):
        # A uniform brightness offset has the same gradients: the mask is 0
        # everywhere, so the masked terms are 0 where plain L1 is not.
        hr = 0.9 * torch.rand(2, 3, 16, 16)
        sr = hr + 0.05  # nothing reaches 1, where Y' would clip
        settings = {'hpf_weight': 1.0, 'l1_weight': 1.0}
        hpf = hp.HighPassNet().eval()
        masked, coverage = hp.generator_loss_terms('gms', settings, sr, hr, hpf)
        plain, _ = hp.generator_loss_terms('hpf-loss', settings, sr, hr, hpf)
        self.assertEqual(coverage.item(), 0.0)
        self.assertEqual(masked['l1'].item(), 0.0)
        self.assertAlmostEqual(plain['l1'].item(), 0.05, places=5)
        # --l1-weight scales the pixel term alone.
        light, _ = hp.generator_loss_terms('hpf-loss', dict(settings, l1_weight=0.1), sr, hr, hpf)
        self.assertAlmostEqual(light['l1'].item(), 0.005, places=6)
        self.assertAlmostEqual(light['hpf'].item(), plain['hpf'].item(), places=6)
        self.assertEqual(set(hp.generator_loss_terms('l1', settings, sr, hr, None)[0]), {'l1'})

    def test_chroma_term_sees_colour_not_grey_and_ignores_the_mask(self):
        hr = 0.9 * torch.rand(2, 3, 16, 16)
        settings = {'hpf_weight': 1.0, 'l1_weight': 1.0, 'chroma_weight': 2.0}
        hpf = hp.HighPassNet().eval()
        # A grey offset has no chroma (each Cb and Cr row sums to 0).
        grey, _ = hp.generator_loss_terms('gms', settings, hr + 0.05, hr, hpf)
        self.assertAlmostEqual(grey['chroma'].item(), 0.0, places=6)
        # Blue raised by 0.05 where the mask is 0: Cb moves 112/255 of it and
        # Cr 18.214/255; the term is their mean times the weight.
        bluer = hr.clone()
        bluer[:, 2] += 0.05
        terms, _ = hp.generator_loss_terms('adv', settings, bluer, hr, hpf)
        self.assertAlmostEqual(terms['chroma'].item(), 2.0 * 0.05 * (112.0 + 18.214) / 255 / 2, places=5)
        # Weight 0 (the default) adds no term.
        self.assertNotIn('chroma', hp.generator_loss_terms('gms', dict(settings, chroma_weight=0.0),
                                                           bluer, hr, hpf)[0])


class CriticProbeTest(unittest.TestCase):
    def test_critic_learns_what_sets_a_blocky_generator_apart(self):
        # Nearest-neighbour x4 blocks against the noise they were taken
        # from: any critic worth its name gets well below chance (ln 2).
        import critic_probe
        torch.manual_seed(3)

        def batches():
            while True:
                high = torch.rand(4, 3, 32, 32)
                yield high[..., ::4, ::4], high

        generator = torch.nn.Upsample(scale_factor=4, mode='nearest')
        for patch in (False, True):
            means = critic_probe.train_critic(generator, hp.Discriminator(patch=patch), batches(),
                                              1e-3, 4 * critic_probe.EVERY)
            self.assertEqual(len(means), 4)
            self.assertLess(means[-1], 0.3, (patch, means))


@unittest.skipUnless(os.path.isfile(SHIPPED_X2), f'{SHIPPED_X2} is missing')
class LoadGeneratorTest(unittest.TestCase):
    def test_shipped_network_round_trips(self):
        model, architecture, _ = hp.load_generator(SHIPPED_X2)
        self.assertEqual(architecture, {'scale': 2, 'features': 32, 'blocks': 8, 'expansion': 4,
                                        'channels': 3})
        x = torch.rand(1, 3, 9, 11, generator=torch.Generator().manual_seed(6))
        with torch.no_grad():
            produced = model.eval()(x)
        expected = run_graph(SHIPPED_X2, x)['output']
        self.assertLess((produced - expected).abs().max().item(), 1e-5)

    def test_refuses_other_networks(self):
        dog = os.path.join(hfsr_sr.REPO, 'models', 'hfsr-dog-x2-residual-dog.safetensors')
        if not os.path.isfile(dog):
            self.skipTest(f'{dog} is missing')
        with self.assertRaises(SystemExit):
            hp.load_generator(dog)


@unittest.skipUnless(os.path.isfile(SHIPPED_X2), f'{SHIPPED_X2} is missing')
class StageRunTest(unittest.TestCase):
    """Every stage for a few iterations on tiny synthetic photos, chained as
    the recipe chains them; each export must load in the engine and compute
    what the checkpoint's generator computes."""

    @classmethod
    def setUpClass(cls):
        # test_training's fixture: cls.tmp, cls.data (img0-3.png, the last
        # held out, and a_tiny.png, smaller than any patch) and cls.val.
        test_training.TrainingRunTest.setUpClass.__func__(cls)
        cls.run_dir = os.path.join(cls.tmp.name, 'run')
        cls.results = {}
        cls.results['hpf'] = cls.main('hpf', '--iters', '3', '--patch', '16')
        init = SHIPPED_X2
        for stage in hp.GENERATOR_STAGES:
            cls.results[stage] = cls.main(stage, '--iters', '2', '--init', init)
            init = cls.results[stage]['export']

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def main(cls, stage, *extra, out=None):
        argv = ['--stage', stage, '--out', out or cls.run_dir, '--data', cls.data, '--val', cls.val,
                '--holdout', f'{cls.data}:1', '--batch', '2', '--patch', '8', '--threads', '1',
                '--device', 'cpu', '--log-every', '1'] + list(extra)
        with contextlib.redirect_stdout(io.StringIO()):
            return hp.main(argv)

    def log(self, stage):
        with open(os.path.join(self.run_dir, f'{stage}.log'), encoding='utf-8') as log:
            return log.read()

    def test_hpf_stage_writes_a_state_dict(self):
        result = self.results['hpf']
        self.assertEqual(result['iteration'], 3)
        state = torch.load(result['hpf'], weights_only=True)
        self.assertEqual(set(state), set(hp.HighPassNet().state_dict()))
        text = self.log('hpf')
        self.assertIn('data (4 images, 1 held out for validation)', text)
        self.assertIn('(1 smaller than 16x16 skipped)', text)
        self.assertIn('iter 3/3 mse', text)
        self.assertIn('of the high-pass energy of 2 images', text)

    def test_generator_stages_export_what_they_trained(self):
        lib = engine() if os.path.isfile(ENGINE_MODULE) else None
        _, shipped = load_model_file(SHIPPED_X2)
        terms = {'l1': ['l1'], 'hpf-loss': ['l1', 'hpf'], 'gms': ['l1', 'hpf', 'mask'],
                 'adv': ['l1', 'hpf', 'adv', 'd', 'mask']}
        for stage in hp.GENERATOR_STAGES:
            result = self.results[stage]
            self.assertEqual(result['iteration'], 2)
            self.assertEqual(os.path.basename(result['export']), f'{stage}.safetensors')
            metadata, tensors = load_model_file(result['export'])
            self.assertEqual((metadata['hfsr.task'], metadata['hfsr.scale'], metadata['hfsr.stage']),
                             ('super-resolution', '2', f'perceptual-{stage}'))
            self.assertIn('iterations: 2 of batch 2', metadata['hfsr.training'])
            self.assertIn(f'--stage {stage}', metadata['hfsr.training'])
            self.assertIn('Y-PSNR (dB)', metadata['hfsr.quality'])
            # Training moved the weights.
            self.assertFalse(torch.equal(tensors['head.weight'], shipped['head.weight']), stage)
            # Each stage appends its step to the steps of the file it started
            # from: the shipped file's, then one per stage of the chain.
            steps = json.loads(metadata['hfsr.steps'])
            shipped_steps = hfsr_sr.steps_of(load_model_file(SHIPPED_X2)[0], SHIPPED_X2)
            self.assertEqual(steps[:len(shipped_steps)], shipped_steps)
            chain = steps[len(shipped_steps):]
            self.assertEqual([s['stage'] for s in chain],
                             ['perceptual-' + s for s in hp.GENERATOR_STAGES[:hp.GENERATOR_STAGES.index(stage) + 1]])
            self.assertEqual(chain[-1]['iterations'], 2)
            self.assertIn(f'--stage {stage}', chain[-1]['command'])
            self.assertIsInstance(chain[-1]['validation_db'], float)

            state = hfsr_sr.load_checkpoint(result['checkpoint'])
            model = wdsr.WDSRA(**state['identity']['architecture'])
            model.load_state_dict(state['modules']['generator'])
            x = torch.rand(1, 3, 11, 13, generator=torch.Generator().manual_seed(4))
            with torch.no_grad():
                expected = model.eval()(x)
            produced = run_graph(result['export'], x)['output']
            self.assertLess((produced - expected).abs().max().item(), 1e-5, stage)
            self.assertEqual(stage == 'adv', 'discriminator' in state['modules'])

            # 'iter 2/2 NAME VALUE NAME VALUE ... lr ...'
            lines = self.log(stage).splitlines()
            words = next(line for line in lines if line.startswith('iter 2/2 ')).split()
            self.assertEqual(words[2:words.index('lr'):2], terms[stage], stage)

            if lib is not None:
                loaded = lib.hfsr_model_load(result['export'].encode(), None)
                self.assertTrue(loaded, f'the engine cannot load {result["export"]}')
                self.assertEqual(lib.hfsr_model_get_scale(loaded), 2)
                self.assertEqual(lib.hfsr_model_get_metadata(loaded, b'hfsr.stage'),
                                 f'perceptual-{stage}'.encode())
                lib.hfsr_model_free(loaded)

    def test_resume_equals_uninterrupted_run_and_refuses_other_settings(self):
        constant = ['--lr', '1e-3', '--lr-end', '1e-3', '--patch', '16']
        split = os.path.join(self.tmp.name, 'split')
        self.main('hpf', '--iters', '3', *constant, out=split)
        resumed = self.main('hpf', '--iters', '5', '--resume', *constant, out=split)
        straight = self.main('hpf', '--iters', '5', *constant, out=os.path.join(self.tmp.name, 'straight'))
        self.assertEqual(resumed['iteration'], 5)
        a, b = (torch.load(r['hpf'], weights_only=True) for r in (resumed, straight))
        for name in a:
            self.assertTrue(torch.equal(a[name], b[name]), name)
        with self.assertRaises(SystemExit):
            self.main('hpf', '--iters', '6', '--resume', '--lr', '1e-3', '--patch', '12', out=split)

    def test_eval_table(self):
        output = io.StringIO()
        argv = ['--stage', 'eval', '--data', self.data, '--val', self.val, '--holdout', 'none',
                '--threads', '1', '--models', SHIPPED_X2, self.results['adv']['export']]
        with contextlib.redirect_stdout(output):
            rows = hp.main(argv)
        self.assertEqual([(name, scale) for name, scale, _ in rows],
                         [('bicubic', 2), ('hfsr-x2-a0.safetensors', 2), ('adv.safetensors', 2)])
        hr = hfsr_data.modcrop(hfsr_data.load_image(self.val), 2)
        bicubic = hfsr_data.bicubic_upscale(hfsr_data.bicubic_downscale(hr, 2), 2)
        self.assertAlmostEqual(rows[0][2][0], hfsr_data.y_psnr(bicubic, hr, 2), places=10)
        for _, _, (psnr, ssim, gmsd, energy) in rows:
            self.assertTrue(20 < psnr < 60 and 0.5 < ssim <= 1 and 0 <= gmsd < 0.3 and 0 < energy < 3)
        self.assertIn('| bicubic | x2 |', output.getvalue())
        # The trained network beats bicubic on every measure but detail.
        self.assertGreater(rows[1][2][0], rows[0][2][0])
        self.assertLess(rows[1][2][2], rows[0][2][2])


if __name__ == '__main__':
    unittest.main()
