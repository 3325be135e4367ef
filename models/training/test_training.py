#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the SR training recipe: MATLAB bicubic, the weight/selection maps
against hand-worked cases and naive twins, the eq 3 loss, WDSR-A, and short
training runs (fresh, resumed, fine-tuned) whose exported files are run back
with hfsr_export.run_graph.

Exits 77 (skip) where PyTorch is not importable, as meson expects.
"""

import contextlib
import ctypes
import io
import json
import math
import os
import sys
import tempfile
import unittest

try:
    import numpy as np
    import torch
    from PIL import Image
except ImportError as missing:
    print(f'skipping the training tests: {missing}')
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hfsr_data  # noqa: E402
import dog_sr  # noqa: E402
import hfsr_sr  # noqa: E402
import wdsr  # noqa: E402
from hfsr_export import export_model, load_model_file, run_graph  # noqa: E402
from hfsr_weightmap import hf_l1_loss, hf_selection_map, hf_weight_map  # noqa: E402

torch.set_num_threads(1)

# The built engine as a shared module (tests/training/meson.build sets this).
ENGINE_MODULE = os.environ.get('HFSR_ENGINE_MODULE', '')


class BicubicTest(unittest.TestCase):
    def test_constant_stays_constant(self):
        image = np.full((13, 17, 3), 0.37)
        for scale in (1 / 2, 1 / 3, 1 / 4, 2.0, 3.0, 4.0):
            out = hfsr_data.imresize(image, scale)
            self.assertEqual(out.shape, (math.ceil(13 * scale), math.ceil(17 * scale), 3))
            np.testing.assert_allclose(out, 0.37, rtol=0, atol=1e-12)

    def test_hand_worked_downscale_with_mirrored_border(self):
        # Length 4 -> 2.  Output 1 (1-based) sits at u = 1/0.5 + 0.5(1 - 2) = 1.5;
        # the stretched kernel 0.5 cubic(0.5 d) over inputs -2..5 (d = 3.5 .. -3.5)
        # gives (-0.0234375, -0.0703125, 0.2265625, 0.8671875, 0.8671875,
        # 0.2265625, -0.0703125, -0.0234375) / 2, summing to 1.  Mirroring maps
        # inputs -2, -1, 0, 5 to 3, 2, 1, 4.  On p = (0, 1, 2, 3):
        # (-0.046875 - 0.0703125 + 0.8671875 + 0.453125 - 0.2109375 - 0.0703125) / 2
        # = 0.4609375; output 2 is 3 - 0.4609375 by symmetry.
        out = hfsr_data.imresize(np.array([[0.0], [1.0], [2.0], [3.0]]), 0.5)
        np.testing.assert_allclose(out[:, 0], [0.4609375, 2.5390625], rtol=0, atol=1e-12)

    def test_ramp_interior_is_the_area_centre(self):
        # A symmetric normalised kernel reproduces straight lines: away from the
        # mirrored borders, output j (0-based) of a 1/s downscale of p_i = i is
        # the centre of its s input pixels, s j + (s - 1) / 2.
        ramp = np.arange(60, dtype=np.float64)[:, None]
        for s in (2, 3, 4):
            out = hfsr_data.imresize(ramp, 1 / s)[:, 0]
            for j in range(len(out)):
                centre = s * j + (s - 1) / 2
                if centre - 2 * s >= 0 and centre + 2 * s <= 59:
                    self.assertAlmostEqual(out[j], centre, places=10)

    def test_upscale_ramp_interior(self):
        ramp = np.arange(20, dtype=np.float64)[:, None]
        out = hfsr_data.imresize(ramp, 2.0)[:, 0]
        # Output j sits at input coordinate (j + 0.5) / 2 - 0.5.
        for j in range(6, 34):
            self.assertAlmostEqual(out[j], (j + 0.5) / 2 - 0.5, places=10)

    def test_downscale_rounds_to_8_bits(self):
        rng = np.random.default_rng(3)
        low = hfsr_data.bicubic_downscale(rng.random((12, 12, 3)), 3)
        self.assertEqual(low.shape, (4, 4, 3))
        np.testing.assert_array_equal(low * 255, np.round(low * 255))
        self.assertTrue(low.min() >= 0 and low.max() <= 1)

    def test_modcrop_and_dihedral(self):
        image = np.arange(7 * 10).reshape(7, 10)
        self.assertEqual(hfsr_data.modcrop(image, 3).shape, (6, 9))
        self.assertEqual(hfsr_data.modcrop(image, 2).shape, (6, 10))
        square = np.arange(9).reshape(3, 3)
        variants = {hfsr_data.dihedral(square, mode).tobytes() for mode in range(8)}
        self.assertEqual(len(variants), 8)

    def test_y_psnr(self):
        # A uniform R'G'B' offset d moves Y by d (65.481 + 128.553 + 24.966) / 255
        # = d 219 / 255; the shaved border holds a different error that must not count.
        reference = np.full((10, 10, 3), 0.5)
        output = reference + 0.01
        output[0, :, :] = 1.0
        expected = -20 * math.log10(0.01 * 219 / 255)
        self.assertAlmostEqual(hfsr_data.y_psnr(output, reference, 2), expected, places=9)
        self.assertLess(hfsr_data.y_psnr(output, reference, 0), expected)

    def test_rgb_to_y_range(self):
        self.assertAlmostEqual(float(hfsr_data.rgb_to_y(np.zeros(3))), 16 / 255)
        self.assertAlmostEqual(float(hfsr_data.rgb_to_y(np.ones(3))), 235 / 255)


def naive_weight_map(plane):
    height, width = plane.shape
    weight = np.zeros_like(plane)
    for y in range(height):
        for x in range(width):
            best, chosen = -1.0, 0.0
            for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                if 0 <= ny < height and 0 <= nx < width:
                    difference = plane[y, x] - plane[ny, nx]
                    if abs(difference) > best:
                        best, chosen = abs(difference), difference
            weight[y, x] = chosen
    return weight


def naive_selection_map(weight, alpha):
    values = weight.astype(np.float64).ravel()
    low, high = values.min(), values.max()
    if low == high:
        return np.zeros_like(weight)
    normalised = (values - low) / (high - low)
    mu = normalised.mean()
    sigma = math.sqrt(((normalised - mu) ** 2).mean())
    keep = (normalised < mu - alpha * sigma) | (normalised > mu + alpha * sigma)
    return keep.reshape(weight.shape).astype(weight.dtype)


class WeightMapTest(unittest.TestCase):
    def test_hand_worked_3x3(self):
        # Each entry worked out from its up, down, left, right differences:
        # corner (0,0): down 1 - 0 = 1 ties right 1 - 2 = -1 -> the first, 1;
        # (1,2): down 3 - 1 = 2 ties left 3 - 5 = -2 -> 2; centre: left 5 - 0 = 5.
        plane = torch.tensor([[1.0, 2.0, 4.0],
                              [0.0, 5.0, 3.0],
                              [7.0, 1.0, 1.0]])
        expected = torch.tensor([[1.0, -3.0, 2.0],
                                 [-7.0, 5.0, 2.0],
                                 [7.0, -6.0, -2.0]])
        self.assertTrue(torch.equal(hf_weight_map(plane), expected))

    def test_ties_and_thin_planes(self):
        # Interior tie with opposite signs: up wins over down, left over right.
        column = torch.tensor([[2.0], [1.0], [0.0]])
        self.assertTrue(torch.equal(hf_weight_map(column), torch.tensor([[1.0], [-1.0], [-1.0]])))
        row = torch.tensor([[0.0, 1.0, 2.0]])
        self.assertTrue(torch.equal(hf_weight_map(row), torch.tensor([[-1.0, 1.0, 1.0]])))
        self.assertTrue(torch.equal(hf_weight_map(torch.tensor([[0.5]])), torch.tensor([[0.0]])))

    def test_matches_naive_twin_batched(self):
        generator = torch.Generator().manual_seed(7)
        # Few levels, so that ties are everywhere.
        planes = torch.randint(0, 4, (3, 2, 9, 11), generator=generator).float() / 3
        batched = hf_weight_map(planes)
        for n in range(3):
            for c in range(2):
                expected = naive_weight_map(planes[n, c].numpy())
                np.testing.assert_array_equal(batched[n, c].numpy(), expected)


class SelectionMapTest(unittest.TestCase):
    def test_hand_worked(self):
        # Normalised (0, .25, .5, .75, 1): mu 0.5, sigma sqrt(0.125) = 0.354.
        weight = torch.tensor([[0.0, 1.0, 2.0, 3.0, 4.0]])
        self.assertEqual(hf_selection_map(weight, 0.0).tolist(), [[1, 1, 0, 1, 1]])
        self.assertEqual(hf_selection_map(weight, 1 / 3).tolist(), [[1, 1, 0, 1, 1]])
        self.assertEqual(hf_selection_map(weight, 1.0).tolist(), [[1, 0, 0, 0, 1]])

    def test_interval_is_closed(self):
        # Normalised (0, 1, 0, 1): mu = sigma = 0.5 exactly, so alpha 1 puts both
        # values on the interval's ends: inside, nothing selected.
        weight = torch.tensor([[-3.0, 5.0], [-3.0, 5.0]])
        self.assertEqual(hf_selection_map(weight, 1.0).sum().item(), 0)
        self.assertEqual(hf_selection_map(weight, 0.999).sum().item(), 4)

    def test_constant_plane_selects_nothing(self):
        for alpha in (0.0, 0.2):
            self.assertEqual(hf_selection_map(torch.full((4, 5), 0.3), alpha).sum().item(), 0)

    def test_planes_are_independent_and_match_naive_twin(self):
        generator = torch.Generator().manual_seed(11)
        weight = torch.randn(2, 3, 8, 10, generator=generator)
        weight[1, 2] = 0.25  # a constant plane among varying ones
        for alpha in (0.0, 1 / 5, 1 / 3):
            batched = hf_selection_map(weight, alpha)
            for n in range(2):
                for c in range(3):
                    expected = naive_selection_map(weight[n, c].numpy(), alpha)
                    np.testing.assert_array_equal(batched[n, c].numpy(), expected)

    def test_larger_alpha_keeps_fewer(self):
        generator = torch.Generator().manual_seed(5)
        weight = hf_weight_map(torch.rand(1, 3, 32, 32, generator=generator))
        kept = [hf_selection_map(weight, a).mean().item() for a in (0, 1 / 7, 1 / 5, 1 / 3)]
        self.assertEqual(kept, sorted(kept, reverse=True))
        self.assertEqual(kept[0], 1.0)


@unittest.skipUnless(os.path.isfile(ENGINE_MODULE),
                     'HFSR_ENGINE_MODULE (the built engine, set by meson) not given')
class EngineMapTest(unittest.TestCase):
    """The training loss must select the pixels `hfsr:hf-map` shows: the
    torch maps against the engine's C functions, bit for bit."""

    @classmethod
    def setUpClass(cls):
        cls.engine = ctypes.CDLL(ENGINE_MODULE)
        cls.engine.hfsr_hf_weight_map.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                                  ctypes.c_void_p]
        cls.engine.hfsr_hf_weight_map.restype = None
        cls.engine.hfsr_hf_selection_map.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                                     ctypes.c_double, ctypes.c_void_p]
        cls.engine.hfsr_hf_selection_map.restype = None

    def engine_maps(self, plane, alpha):
        plane = np.ascontiguousarray(plane, dtype=np.float32)
        height, width = plane.shape
        weight = np.empty_like(plane)
        selection = np.empty_like(plane)
        self.engine.hfsr_hf_weight_map(plane.ctypes.data, width, height, weight.ctypes.data)
        self.engine.hfsr_hf_selection_map(weight.ctypes.data, width, height, alpha,
                                          selection.ctypes.data)
        return weight, selection

    def test_same_maps_as_the_engine(self):
        rng = np.random.default_rng(9)
        photo = np.round(np.clip(synthetic_photo(rng, 48, 64), 0, 1) * 255) / 255
        images = [photo.transpose(2, 0, 1),                              # 8-bit, like the data
                  rng.random((2, 17, 23)),                               # no ties
                  rng.integers(0, 3, (2, 9, 12)) / 2.0,                  # ties everywhere
                  rng.random((1, 1, 9)), rng.random((1, 7, 1)), rng.random((1, 1, 1)),
                  np.full((1, 5, 6), 0.25)]                              # constant
        for image in images:
            planes = torch.from_numpy(image.astype(np.float32))
            weights = hf_weight_map(planes)
            for alpha in (0.0, 1 / 7, 1 / 5, 1 / 3, 1.0):
                selections = hf_selection_map(weights, alpha)
                for c in range(planes.shape[0]):
                    weight, selection = self.engine_maps(image[c], alpha)
                    np.testing.assert_array_equal(weights[c].numpy(), weight)
                    np.testing.assert_array_equal(selections[c].numpy(), selection)


@unittest.skipUnless(os.path.isfile(ENGINE_MODULE),
                     'HFSR_ENGINE_MODULE (the built engine, set by meson) not given')
class EngineResizeTest(unittest.TestCase):
    """hfsr-eval degrades and upscales with the engine's C imresize: it must
    be the degradation the models were trained on."""

    def test_same_imresize_as_the_engine(self):
        engine = ctypes.CDLL(ENGINE_MODULE)
        engine.hfsr_imresize.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                         ctypes.c_int, ctypes.c_int, ctypes.c_int,
                                         ctypes.c_void_p, ctypes.c_void_p]
        engine.hfsr_imresize.restype = ctypes.c_int
        rng = np.random.default_rng(12)
        for s in (2, 3, 4):
            for height, width in ((12 * s, 10 * s), (5 * s, 17 * s), (s, 3 * s)):
                image = rng.random((height, width, 3)).astype(np.float32)
                for scale in (1 / s, float(s)):
                    out_height, out_width = round(height * scale), round(width * scale)
                    planes = np.ascontiguousarray(image.transpose(2, 0, 1))
                    out = np.empty((3, out_height, out_width), dtype=np.float32)
                    self.assertTrue(engine.hfsr_imresize(planes.ctypes.data, 3, width, height,
                                                         out_width, out_height,
                                                         out.ctypes.data, None))
                    expected = hfsr_data.imresize(image, scale).transpose(2, 0, 1)
                    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-5)


class LossTest(unittest.TestCase):
    def test_alpha_zero_is_plain_l1(self):
        generator = torch.Generator().manual_seed(2)
        target = torch.rand(4, 3, 12, 12, generator=generator)
        output = torch.rand(4, 3, 12, 12, generator=generator)
        loss, kept = hf_l1_loss(output, target, 0.0)
        self.assertEqual(float(kept), 1.0)
        self.assertAlmostEqual(loss.item(), torch.nn.functional.l1_loss(output, target).item(), places=6)

    def test_hand_worked_and_constant_sample_left_out(self):
        # Sample 0: target (0, 0, 1, 1) has weights (0, -1, 1, 0) (eq 4-6),
        # normalised (.5, 0, 1, .5) with mu .5: at alpha 0 the two ends sit on mu
        # and drop out, so only the errors 2 and 4 count: (2 + 4) / 2 = 3.
        # Sample 1 is constant: no selected pixel, no part in the mean.
        target = torch.tensor([[[[0.0, 0.0, 1.0, 1.0]]], [[[1.0, 1.0, 1.0, 1.0]]]])
        output = target + torch.tensor([[[[1.0, 2.0, 4.0, 8.0]]], [[[9.0] * 4]]])
        output.requires_grad_(True)
        loss, kept = hf_l1_loss(output, target, 0.0)
        self.assertEqual((loss.item(), float(kept)), (3.0, 0.25))
        loss.backward()
        self.assertEqual(output.grad[0, 0, 0].tolist(), [0.0, 0.5, 0.5, 0.0])
        self.assertEqual(output.grad[1].abs().sum().item(), 0.0)

    def test_all_constant_batch_has_zero_loss_with_gradient_path(self):
        output = torch.zeros(2, 3, 4, 4, requires_grad=True)
        loss, kept = hf_l1_loss(output, torch.full((2, 3, 4, 4), 0.5), 0.2)
        self.assertEqual((loss.item(), float(kept)), (0.0, 0.0))
        loss.backward()


class WDSRTest(unittest.TestCase):
    def test_shapes_and_size(self):
        for scale in (2, 3, 4):
            model = wdsr.WDSRA(scale)
            self.assertEqual(model(torch.rand(1, 3, 5, 7)).shape, (1, 3, 5 * scale, 7 * scale))
            out_channels = 3 * scale * scale
            convs = [(3, 32, 3)] + [(32, 128, 3), (128, 32, 3)] * 8 + [(32, out_channels, 3),
                                                                       (3, out_channels, 5)]
            # weight + bias + the weight-norm gain (one per output channel)
            expected = sum(i * o * k * k + 2 * o for i, o, k in convs)
            self.assertEqual(wdsr.parameter_count(model), expected)
            self.assertEqual(wdsr.macs_per_input_pixel(model), sum(i * o * k * k for i, o, k in convs))

    def test_rejects_other_scales(self):
        with self.assertRaises(ValueError):
            wdsr.WDSRA(5)


def write_png(path, array):
    Image.fromarray(np.round(np.clip(array, 0, 1) * 255).astype(np.uint8)).save(path)


def synthetic_photo(rng, height, width):
    """Smooth gradients, a few hard-edged discs and noise: something to learn."""
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    image = np.stack([x, y, 0.5 * (x + y)], axis=2) * rng.random(3)
    for _ in range(4):
        cy, cx, radius = rng.random() * height, rng.random() * width, 3 + rng.random() * 8
        inside = (np.mgrid[0:height, 0:width][0] - cy) ** 2 + (np.mgrid[0:height, 0:width][1] - cx) ** 2
        image[inside < radius ** 2] = rng.random(3)
    return image + 0.03 * rng.standard_normal(image.shape)


class PatchSamplerTest(unittest.TestCase):
    def test_pairs_are_aligned_crops_under_one_symmetry(self):
        # Every LR patch must be a crop of the image's LR version at some (y, x)
        # under one of the 8 symmetries, and its HR patch the crop at (2y, 2x)
        # under the same symmetry.  Found by brute force over all placements.
        rng = np.random.default_rng(5)
        with tempfile.TemporaryDirectory() as root:
            path = os.path.join(root, 'photo.png')
            write_png(path, synthetic_photo(rng, 22, 26))
            sampler = hfsr_data.PatchSampler([path], 2, 4)
            lr_image, hr_image = sampler.lr_images[0], sampler.hr_images[0]
            lr_batch, hr_batch = sampler.batch(np.random.default_rng(8), 12)
        self.assertEqual((lr_batch.dtype, lr_batch.shape, hr_batch.shape),
                         (np.dtype(np.uint8), (12, 3, 4, 4), (12, 3, 8, 8)))
        modes_seen = set()
        for lr_patch, hr_patch in zip(lr_batch, hr_batch):
            found = [(y, x, mode)
                     for y in range(lr_image.shape[0] - 3) for x in range(lr_image.shape[1] - 3)
                     for mode in range(8)
                     if np.array_equal(hfsr_data.dihedral(lr_image[y:y + 4, x:x + 4], mode),
                                       lr_patch.transpose(1, 2, 0))
                     and np.array_equal(hfsr_data.dihedral(hr_image[2 * y:2 * y + 8, 2 * x:2 * x + 8], mode),
                                        hr_patch.transpose(1, 2, 0))]
            self.assertTrue(found)
            modes_seen.update(mode for _, _, mode in found)
        self.assertGreater(len(modes_seen), 1)


class TrainingRunTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        root = cls.tmp.name
        rng = np.random.default_rng(1)
        cls.data = os.path.join(root, 'data')
        os.mkdir(cls.data)
        for n in range(4):
            write_png(os.path.join(cls.data, f'img{n}.png'), synthetic_photo(rng, 40 + 4 * n, 44))
        # Smaller than one HR patch: skipped.  Sorts first, so the hold-out
        # (the last image by name) is img3.
        write_png(os.path.join(cls.data, 'a_tiny.png'), synthetic_photo(rng, 10, 10))
        cls.val = os.path.join(root, 'val.png')
        write_png(cls.val, synthetic_photo(rng, 30, 26))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def train(self, *extra):
        argv = ['--scale', '2', '--data', self.data, '--val', self.val, '--holdout', f'{self.data}:1',
                '--batch', '2', '--patch', '8', '--threads', '1', '--device', 'cpu',
                '--log-every', '2', '--val-every', '2'] + list(extra)
        with contextlib.redirect_stdout(io.StringIO()):
            return hfsr_sr.main(argv)

    def assert_file_matches_checkpoint(self, model_path, checkpoint_path, scale):
        model = wdsr.build_from_checkpoint(hfsr_sr.load_checkpoint(checkpoint_path)).eval()
        x = torch.rand(1, 3, 11, 13, generator=torch.Generator().manual_seed(4))
        with torch.no_grad():
            expected = model(x)
        produced = run_graph(model_path, x)
        self.assertEqual(list(produced), ['output'])
        self.assertEqual(produced['output'].shape, (1, 3, 11 * scale, 13 * scale))
        self.assertLess((produced['output'] - expected).abs().max().item(), 1e-5)

    def test_train_export_resume_finetune(self):
        run = os.path.join(self.tmp.name, 'run-a0')
        first = self.train('--iters', '4', '--out', run, '--export', os.path.join(run, 'a0.safetensors'))
        self.assertEqual(first['iteration'], 4)
        self.assert_file_matches_checkpoint(first['export'], first['checkpoint'], 2)
        metadata, _ = load_model_file(first['export'])
        self.assertEqual(metadata['hfsr.task'], 'super-resolution')
        self.assertEqual(metadata['hfsr.scale'], '2')
        self.assertEqual(metadata['hfsr.alpha'], '0.0')
        training = metadata['hfsr.training']
        self.assertIn('data (4 images, 1 held out for validation)', training)
        self.assertIn('iterations: 4 of batch 2', training)
        self.assertIn('--scale 2', training)
        self.assertIn('files (1): ', metadata['hfsr.quality'])
        self.assertIn('data held-out (last 1 by name) (1): ', metadata['hfsr.quality'])
        with open(os.path.join(run, 'train.log'), encoding='utf-8') as log:
            text = log.read()
        self.assertIn('not used (1): a_tiny.png', text)
        self.assertIn('validation: files: val.png; data held-out (last 1 by name): img3.png', text)
        self.assertIn('iter 4/4 loss', text)
        self.assertIn('val iter 2:', text)

        resumed = self.train('--iters', '6', '--out', run, '--resume',
                             '--export', os.path.join(run, 'a0.safetensors'))
        self.assertEqual(resumed['iteration'], 6)
        self.assertGreaterEqual(resumed['wall_time'], first['wall_time'])
        self.assertEqual(hfsr_sr.load_checkpoint(resumed['checkpoint'])['iteration'], 6)
        self.assert_file_matches_checkpoint(resumed['export'], resumed['checkpoint'], 2)

        with self.assertRaises(SystemExit):  # a resume must not change the loss
            self.train('--iters', '8', '--out', run, '--resume', '--alpha', '1/3')

        tuned_run = os.path.join(self.tmp.name, 'run-a1-5')
        tuned = self.train('--iters', '2', '--alpha', '1/5', '--lr', '2e-4', '--init',
                           resumed['checkpoint'], '--out', tuned_run)
        self.assertEqual(os.path.basename(tuned['export']), 'hfsr-x2-a1-5.safetensors')
        metadata, _ = load_model_file(tuned['export'])
        self.assertEqual(metadata['hfsr.alpha'], '0.2')
        self.assertIn('init: run-a0/checkpoint.pt (iteration 6)', metadata['hfsr.training'])
        self.assert_file_matches_checkpoint(tuned['export'], tuned['checkpoint'], 2)

    def test_steps_continue_a_shipped_file(self):
        shipped = os.path.join(hfsr_sr.REPO, 'models', 'hfsr-x2-a0.safetensors')
        x = torch.rand(1, 3, 11, 13, generator=torch.Generator().manual_seed(5))
        before = run_graph(shipped, x)['output']
        # A step of no iterations gives the shipped network back: the
        # weight-norm unfolding and the export lose nothing.
        zero = self.train('--iters', '0', '--init', shipped, '--val-every', '0',
                          '--out', os.path.join(self.tmp.name, 'step0'))
        self.assertLess((run_graph(zero['export'], x)['output'] - before).abs().max().item(), 1e-5)
        steps = json.loads(zero['metadata']['hfsr.steps'])
        shipped_metadata, _ = load_model_file(shipped)
        self.assertEqual(len(steps), 1 + len(json.loads(shipped_metadata.get('hfsr.steps', '[0]'))))
        self.assertGreater(steps[0]['iterations'], 0)
        self.assertEqual(steps[-1]['iterations'], 0)
        self.assertIn('hfsr-x2-a0.safetensors', zero['metadata']['hfsr.training'])
        # The next step starts from that file and is appended to its log.
        one = self.train('--iters', '2', '--init', zero['export'], '--lr', '1e-4', '--val-every', '0',
                         '--out', os.path.join(self.tmp.name, 'step1'))
        self.assertEqual([s['iterations'] for s in json.loads(one['metadata']['hfsr.steps'])],
                         [s['iterations'] for s in steps] + [2])
        self.assertGreater((run_graph(one['export'], x)['output'] - before).abs().max().item(), 0)
        for wrong in ('hfsr-x3-a0.safetensors', 'hfsr-sr2-x2-fsrcnn-l0.safetensors'):
            with self.assertRaises(SystemExit):
                self.train('--iters', '1', '--init', os.path.join(hfsr_sr.REPO, 'models', wrong),
                           '--out', os.path.join(self.tmp.name, 'refused'))

    def test_resume_equals_uninterrupted_run(self):
        # A constant learning rate makes the schedule independent of --iters, so
        # 3 + 2 resumed iterations must retrace 5 straight ones: same model,
        # Adam state and patch stream.
        constant = ['--lr', '1e-3', '--lr-end', '1e-3', '--val-every', '0']
        split = os.path.join(self.tmp.name, 'split')
        self.train('--iters', '3', '--out', split, *constant)
        resumed = self.train('--iters', '5', '--out', split, '--resume', *constant)
        straight = self.train('--iters', '5', '--out', os.path.join(self.tmp.name, 'straight'), *constant)
        a = hfsr_sr.load_checkpoint(resumed['checkpoint'])['model']
        b = hfsr_sr.load_checkpoint(straight['checkpoint'])['model']
        for name in a:
            self.assertTrue(torch.equal(a[name], b[name]), name)

    def test_time_budget_fixes_the_iteration_count_and_logs_it(self):
        run = os.path.join(self.tmp.name, 'run-minutes')
        result = self.train('--minutes', '0.001', '--out', run, '--val-every', '0')
        # The budget is spent before the timing window ends, so training stops
        # one iteration after it.
        self.assertEqual(result['iteration'], 221)
        with open(os.path.join(run, 'train.log'), encoding='utf-8') as log:
            self.assertIn('time budget 0.001 min:', log.read())
        self.assertEqual(hfsr_sr.load_checkpoint(result['checkpoint'])['iterations'], 221)

    def test_scale_3_and_resume_of_finished_run(self):
        run = os.path.join(self.tmp.name, 'run-x3')
        argv = ['--scale', '3', '--iters', '1', '--out', run, '--val-every', '0']
        first = self.train(*argv)
        again = self.train(*argv, '--resume')
        self.assertEqual(again['iteration'], 1)
        self.assertEqual(again['export'], first['export'])
        self.assertEqual(load_model_file(again['export'])[0]['hfsr.scale'], '3')
        self.assert_file_matches_checkpoint(again['export'], again['checkpoint'], 3)


class DogStackTest(unittest.TestCase):
    def test_stack_matches_naive_2d_convolution_and_the_engine(self):
        rng = np.random.default_rng(21)
        sigmas = dog_sr.DEFAULT_SIGMAS
        r = math.ceil(3 * max(sigmas))
        image = rng.random((2 * r + 7, 2 * r + 9))
        levels = dog_sr.gaussian_stack(torch.from_numpy(image)[None, None], sigmas)[0].numpy()
        self.assertEqual(levels.shape, (5, 7, 9))
        for k, sigma in enumerate(sigmas):
            kernel = np.outer(dog_sr.gaussian_kernel(sigma), dog_sr.gaussian_kernel(sigma))
            half = kernel.shape[0] // 2
            for y in range(7):
                for x in range(9):
                    window = image[r + y - half:r + y + half + 1, r + x - half:r + x + half + 1]
                    self.assertAlmostEqual(levels[k, y, x], float((window * kernel).sum()), places=10)
        if os.path.isfile(ENGINE_MODULE):
            engine = ctypes.CDLL(ENGINE_MODULE)
            engine.hfsr_gaussian_blur.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                                  ctypes.c_double, ctypes.c_void_p, ctypes.c_void_p]
            engine.hfsr_gaussian_blur.restype = ctypes.c_int
            plane = np.ascontiguousarray(image, dtype=np.float32)
            for k, sigma in enumerate(sigmas):
                out = np.empty_like(plane)
                self.assertTrue(engine.hfsr_gaussian_blur(plane.ctypes.data, plane.shape[1], plane.shape[0],
                                                          sigma, out.ctypes.data, None))
                # Away from the borders the engine's replicate rule never enters.
                np.testing.assert_allclose(out[r:r + 7, r:r + 9], levels[k], rtol=0, atol=2e-6)

    def test_grey_is_babls_y_prime(self):
        # What the ops read: babl's R'G'B' float -> Y' float conversion.
        try:
            babl = ctypes.CDLL('libbabl-0.1.so.0')
        except OSError:
            self.skipTest('libbabl-0.1 is not installed')
        babl.babl_init()
        babl.babl_format.restype = ctypes.c_void_p
        babl.babl_format.argtypes = [ctypes.c_char_p]
        babl.babl_fish.restype = ctypes.c_void_p
        babl.babl_fish.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        babl.babl_process.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_long]
        fish = babl.babl_fish(babl.babl_format(b"R'G'B' float"), babl.babl_format(b"Y' float"))
        rgb = np.random.default_rng(24).random((50, 3)).astype(np.float32)
        rgb[:3] = np.eye(3)
        expected = np.empty(50, dtype=np.float32)
        babl.babl_process(fish, rgb.ctypes.data, expected.ctypes.data, 50)
        actual = dog_sr.grey(torch.from_numpy(rgb.T.copy()).view(1, 3, 50, 1).double())
        np.testing.assert_allclose(actual.view(50).numpy(), expected, rtol=0, atol=2e-5)

    def test_targets_equal_the_whole_image_computation(self):
        # A window as large as the whole LR image: the batch is the image under
        # one of the 8 symmetries, and the stacks commute with them, so one
        # symmetry of the whole-image stacks must equal the batch's.
        rng = np.random.default_rng(22)
        for scale, method in ((2, 'residual-dog'), (4, 'gaussian-stack')):
            sigmas = dog_sr.DEFAULT_SIGMAS
            m = dog_sr.margin_for(scale, sigmas)
            side = 6 + 2 * m
            with tempfile.TemporaryDirectory() as root:
                path = os.path.join(root, 'photo.png')
                write_png(path, synthetic_photo(rng, side * scale, side * scale))
                sampler = hfsr_data.PatchSampler([path], scale, side)
                lr_image, hr_image = sampler.lr_images[0], sampler.hr_images[0]
                lr_batch, hr_batch = sampler.batch(np.random.default_rng(3), 2)
            targets = dog_sr.Targets(scale, method, sigmas, m, torch.device('cpu'))
            network_input, target, predictor = targets(lr_batch, hr_batch)
            self.assertEqual(network_input.shape, (2, 1, 6, 6))
            self.assertEqual(target.shape, (2, 4 if method == 'residual-dog' else 5, 6 * scale, 6 * scale))
            self.assertEqual(predictor.shape, target.shape)
            whole_lr = np.ascontiguousarray(lr_image.transpose(2, 0, 1))[None]
            whole_hr = np.ascontiguousarray(hr_image.transpose(2, 0, 1))[None]
            expected_input, expected_target, expected_predictor = targets(whole_lr, whole_hr)
            for n in range(2):
                matches = [mode for mode in range(8)
                           if np.allclose(np.ascontiguousarray(hfsr_data.dihedral(
                               expected_target[0].numpy().transpose(1, 2, 0), mode)),
                               target[n].numpy().transpose(1, 2, 0), atol=1e-5)]
                self.assertTrue(matches, f'sample {n} at x{scale}')
                self.assertTrue(any(np.allclose(hfsr_data.dihedral(
                    expected_predictor[0].numpy().transpose(1, 2, 0), mode),
                    predictor[n].numpy().transpose(1, 2, 0), atol=1e-5) for mode in matches))

    def test_short_runs_export_models_the_engine_reproduces(self):
        rng = np.random.default_rng(23)
        with tempfile.TemporaryDirectory() as root:
            data = os.path.join(root, 'data')
            os.mkdir(data)
            for n in range(3):
                write_png(os.path.join(data, f'img{n}.png'), synthetic_photo(rng, 64 + 4 * n, 68))
            for scale, method in ((2, 'residual-dog'), (4, 'gaussian-stack')):
                run = os.path.join(root, f'run-{scale}')
                argv = ['--scale', str(scale), '--method', method, '--data', data, '--val', os.path.join(data, 'img0.png'),
                        '--holdout', 'none', '--batch', '2', '--patch', '6', '--threads', '1', '--device', 'cpu',
                        '--iters', '3', '--log-every', '1', '--out', run]
                with contextlib.redirect_stdout(io.StringIO()):
                    result = dog_sr.main(argv)
                self.assertEqual(result['iteration'], 3)
                metadata, _ = load_model_file(result['export'])
                self.assertEqual((metadata['hfsr.task'], metadata['hfsr.scale'], metadata['hfsr.method']),
                                 ('dog-sr', str(scale), method))
                self.assertEqual(len(metadata['hfsr.sigmas'].split()), 5)
                self.assertIn('DoG PSNR per level: model', metadata['hfsr.quality'])
                state = hfsr_sr.load_checkpoint(result['checkpoint'])
                model = dog_sr.DogSR(**state['architecture'])
                model.load_state_dict(state['model'])
                x = torch.rand(1, 1, 9, 11, generator=torch.Generator().manual_seed(5))
                with torch.no_grad():
                    expected = model.eval()(x) / dog_sr.OUTPUT_GAIN
                produced = run_graph(result['export'], x)
                self.assertEqual(produced['output'].shape, expected.shape)
                self.assertLess((produced['output'] - expected).abs().max().item(), 1e-5)


    def test_trunk_from_an_sr_model_reads_grey_as_grey_rgb(self):
        # A WDSR-A exported as the HF-SR models are; its head and blocks in a
        # DogSR compute on a grey image what the SR network computes on the
        # same image as R = G = B.
        torch.manual_seed(3)
        sr = wdsr.WDSRA(scale=2)
        with tempfile.TemporaryDirectory() as root:
            path = os.path.join(root, 'sr.safetensors')
            export_model(sr.eval(), path, input_channels=3, metadata={'hfsr.scale': '2'})
            dog = dog_sr.DogSR(2, 5)
            dog_sr.init_trunk(dog, path)
        grey = torch.rand(1, 1, 10, 12, generator=torch.Generator().manual_seed(4))
        with torch.no_grad():
            expected = sr.body(sr.head(grey.expand(1, 3, 10, 12)))
            produced = dog.body(dog.head(grey))
            # Tail and skip stay zero: the network starts at the predictor.
            self.assertEqual(dog(grey).abs().max().item(), 0.0)
        self.assertLess((produced - expected).abs().max().item(), 1e-4)

if __name__ == '__main__':
    unittest.main()
