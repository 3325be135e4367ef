#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the SR² training recipe (sr2.py): the idx reader, the split,
the degradation against a naive twin and the engine's blur, the randomised
degradations (seeded, each kind against a naive twin), the networks'
shapes, the lambda gradient scaling, three-stage runs whose exported files
hfsr_export.run_graph reproduces, and the SR stage started from a shipped
file.

Exits 77 (skip) where PyTorch is not importable, as meson expects.
"""

import contextlib
import ctypes
import gzip
import io
import math
import os
import struct
import sys
import tempfile
import unittest

try:
    import numpy as np
    import torch
except ImportError as missing:
    print(f'skipping the SR² training tests: {missing}')
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dog_sr  # noqa: E402
import hfsr_data  # noqa: E402
import hfsr_sr  # noqa: E402
import sr2  # noqa: E402
from hfsr_export import load_model_file, run_graph  # noqa: E402
from PIL import Image  # noqa: E402

torch.set_num_threads(1)
ENGINE_MODULE = os.environ.get('HFSR_ENGINE_MODULE', '')


def idx_bytes(array):
    return (bytes([0, 0, 8, array.ndim]) + struct.pack('>' + 'I' * array.ndim, *array.shape)
            + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def write_mnist(folder, count, rng):
    """A stand-in MNIST training set: `count` 28x28 bars and rings, labelled."""
    os.makedirs(folder, exist_ok=True)
    yy, xx = np.mgrid[0:28, 0:28]
    images = np.zeros((count, 28, 28), np.uint8)
    labels = rng.integers(0, sr2.CLASSES, count).astype(np.uint8)
    for n, label in enumerate(labels):
        radius = 4 + label % 5
        ring = np.abs(np.hypot(yy - 14, xx - 14) - radius) < 1.5
        bar = (np.abs(xx - 14) < 2) & (label >= 5)
        images[n][ring | bar] = 255
    with gzip.open(os.path.join(folder, 'train-images-idx3-ubyte.gz'), 'wb') as stream:
        stream.write(idx_bytes(images))
    with open(os.path.join(folder, 'train-labels-idx1-ubyte'), 'wb') as stream:
        stream.write(idx_bytes(labels))
    return images, labels


class IdxTest(unittest.TestCase):
    def test_reads_plain_and_gzip_and_refuses_malformed(self):
        array = np.arange(2 * 3 * 5, dtype=np.uint8).reshape(2, 3, 5)
        with tempfile.TemporaryDirectory() as root:
            plain, packed = os.path.join(root, 'a-idx3-ubyte'), os.path.join(root, 'a-idx3-ubyte.gz')
            with open(plain, 'wb') as stream:
                stream.write(idx_bytes(array))
            with gzip.open(packed, 'wb') as stream:
                stream.write(idx_bytes(array))
            np.testing.assert_array_equal(sr2.read_idx(plain), array)
            np.testing.assert_array_equal(sr2.read_idx(packed), array)
            for broken in (idx_bytes(array)[:-1], b'\0\0\x0d\x01' + idx_bytes(array)[4:], b'\0\0'):
                with open(plain, 'wb') as stream:
                    stream.write(broken)
                with self.assertRaises(ValueError):
                    sr2.read_idx(plain)

    def test_split_is_fixed_disjoint_and_80_20(self):
        train, val = sr2.train_val_split(1000)
        self.assertEqual((len(train), len(val)), (800, 200))
        self.assertEqual(len(np.intersect1d(train, val)), 0)
        np.testing.assert_array_equal(np.union1d(train, val), np.arange(1000))
        np.testing.assert_array_equal(sr2.train_val_split(1000)[1], val)


class DegradationTest(unittest.TestCase):
    def test_shift_moves_whole_pixels_and_quarter_turn_is_rot90(self):
        image = torch.rand(1, 1, 12, 12, generator=torch.Generator().manual_seed(1))
        moved = sr2.warp(image, torch.zeros(1), torch.tensor([[2, -1]]))
        expected = torch.zeros_like(image)
        expected[..., 0:11, 2:12] = image[..., 1:12, 0:10]
        self.assertLess((moved - expected).abs().max().item(), 1e-6)
        turned = sr2.warp(image, torch.tensor([math.pi / 2]), torch.zeros(1, 2))
        errors = [(turned - torch.rot90(image, k, (2, 3))).abs().max().item() for k in (1, 3)]
        self.assertLess(min(errors), 1e-5)

    def test_augment_keeps_small_digits_inside(self):
        images, _ = write_mnist(tempfile.mkdtemp(), 8, np.random.default_rng(2))
        hr = torch.from_numpy(images).float().div(255).unsqueeze(1)
        out = sr2.augment(hr, torch.Generator().manual_seed(3))
        self.assertEqual(out.shape, hr.shape)
        # rings of radius <= 8 around the centre stay in the frame: mass kept within bilinear loss
        ratio = out.sum((1, 2, 3)) / hr.sum((1, 2, 3))
        self.assertTrue(bool(((ratio > 0.85) & (ratio < 1.15)).all()), ratio)

    def test_degrade_equals_naive_blur_and_block_mean(self):
        rng = np.random.default_rng(4)
        image = rng.random((12, 16))
        for scale in (2, 4):
            produced = sr2.degrade(torch.from_numpy(image)[None, None], scale)[0, 0].numpy()
            k = dog_sr.gaussian_kernel(sr2.blur_sigma(scale))
            r = len(k) // 2
            padded = np.pad(image, r, mode='edge')
            kernel = np.outer(k, k)
            blurred = np.array([[(padded[y:y + 2 * r + 1, x:x + 2 * r + 1] * kernel).sum()
                                 for x in range(16)] for y in range(12)])
            expected = blurred.reshape(12 // scale, scale, 16 // scale, scale).mean((1, 3))
            np.testing.assert_allclose(produced, expected, rtol=0, atol=1e-12)
            constant = sr2.degrade(torch.full((1, 1, 8, 8), 0.3, dtype=torch.float64), scale)
            self.assertLess((constant - 0.3).abs().max().item(), 1e-12)
            if os.path.isfile(ENGINE_MODULE):
                engine = ctypes.CDLL(ENGINE_MODULE)
                engine.hfsr_gaussian_blur.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                                      ctypes.c_double, ctypes.c_void_p, ctypes.c_void_p]
                engine.hfsr_gaussian_blur.restype = ctypes.c_int
                plane = np.ascontiguousarray(image, dtype=np.float32)
                out = np.empty_like(plane)
                self.assertTrue(engine.hfsr_gaussian_blur(plane.ctypes.data, 16, 12, sr2.blur_sigma(scale),
                                                          out.ctypes.data, None))
                np.testing.assert_allclose(out, blurred, rtol=0, atol=2e-6)


class NetworkTest(unittest.TestCase):
    def naive_blur(self, image, sigma):
        """hfsr_gaussian_blur's kernel, borders replicated, in numpy."""
        if sigma == 0:
            return image
        k = dog_sr.gaussian_kernel(sigma)
        r = len(k) // 2
        padded = np.pad(image, r, mode='edge')
        kernel = np.outer(k, k)
        h, w = image.shape
        return np.array([[(padded[y:y + 2 * r + 1, x:x + 2 * r + 1] * kernel).sum() for x in range(w)]
                         for y in range(h)])

    def test_random_degradations_are_seeded_and_drawn_as_documented(self):
        hr = torch.rand(400, 1, 28, 28, generator=torch.Generator().manual_seed(1))
        for scale in (2, 4):
            one = sr2.random_degrade(hr[:32], scale, torch.Generator().manual_seed(5))
            again = sr2.random_degrade(hr[:32], scale, torch.Generator().manual_seed(5))
            other = sr2.random_degrade(hr[:32], scale, torch.Generator().manual_seed(6))
            self.assertEqual(one.shape, (32, 1, 28 // scale, 28 // scale))
            torch.testing.assert_close(one, again, rtol=0, atol=0)
            self.assertGreater((one - other).abs().max().item(), 0.01)
            drawn = sr2.draw_degradations(400, scale, torch.Generator().manual_seed(2))
            plain = drawn['plain'].float().mean().item()
            self.assertLess(abs(plain - sr2.TRAIN_SHARE), 0.08)
            self.assertEqual(set(drawn['kind'].tolist()), set(range(len(sr2.DOWNSAMPLERS))))
            self.assertTrue(bool((drawn['sigma'] >= 0).all() and (drawn['sigma'] <= sr2.SIGMA_MAX * scale).all()))
            self.assertGreater(int((drawn['sigma'] == 0).sum()), 40)
            quality = drawn['quality'][drawn['quality'] > 0]
            self.assertLess(abs(len(quality) / 400 - sr2.JPEG_SHARE), 0.08)
            self.assertTrue(bool((quality >= sr2.JPEG_QUALITY[0]).all() and (quality <= sr2.JPEG_QUALITY[1]).all()))
            self.assertEqual(set(drawn['phase'].flatten().tolist()), set(range(scale)))

    def test_each_random_degradation_equals_a_naive_twin(self):
        image = np.random.default_rng(9).random((28, 28))
        hr = torch.from_numpy(image)[None, None]
        for scale in (2, 4):
            side = 28 // scale
            for kind, sigma, phase, quality in (('mean', 0.7 * scale / 2, (0, 0), 0), ('mean', 0.0, (0, 0), 0),
                                                ('point', 0.0, (1, 0), 0), ('point', 1.3, (0, scale - 1), 0),
                                                ('bicubic', 0.0, (0, 0), 0), ('bicubic', 0.9, (0, 0), 0),
                                                ('mean', 1.0, (0, 0), 80)):
                drawn = {'plain': torch.tensor([False]), 'sigma': torch.tensor([sigma]),
                         'kind': torch.tensor([sr2.DOWNSAMPLERS.index(kind)]),
                         'phase': torch.tensor([phase]), 'quality': torch.tensor([quality])}
                produced = sr2.apply_degradations(hr, scale, drawn)[0, 0].numpy()
                blurred = self.naive_blur(image, sigma)
                if kind == 'mean':
                    lr = blurred.reshape(side, scale, side, scale).mean((1, 3))
                elif kind == 'point':
                    lr = blurred[phase[1]::scale, phase[0]::scale]
                else:
                    lr = hfsr_data.imresize(blurred, 1.0 / scale)
                pixels = np.round(np.clip(lr, 0, 1) * 255.0)
                if quality:
                    stream = io.BytesIO()
                    Image.fromarray(pixels.astype(np.uint8), mode='L').save(stream, format='JPEG', quality=quality)
                    pixels = np.asarray(Image.open(io.BytesIO(stream.getvalue())), dtype=np.float64)
                    # JPEG changed the digit, and not beyond recognition
                    self.assertGreater(np.abs(pixels - np.round(np.clip(lr, 0, 1) * 255.0)).max(), 0)
                np.testing.assert_allclose(produced * 255.0, pixels, rtol=0, atol=1e-4,
                                           err_msg=f'{kind} sigma {sigma} x{scale}')
            # a plain digit is degrade() itself, unrounded
            drawn = sr2.draw_degradations(1, scale, torch.Generator())
            drawn['plain'][0] = True
            torch.testing.assert_close(sr2.apply_degradations(hr, scale, drawn), sr2.degrade(hr, scale))

    def test_training_noise_is_seeded_and_drawn_as_documented(self):
        variance = sr2.draw_noise(4000, torch.Generator().manual_seed(3))
        again = sr2.draw_noise(4000, torch.Generator().manual_seed(3))
        torch.testing.assert_close(variance, again, rtol=0, atol=0)
        noisy = variance[variance > 0]
        self.assertLess(abs(len(noisy) / 4000 - sr2.NOISE_SHARE), 0.03)
        self.assertTrue(bool((noisy >= sr2.NOISE_VARIANCE[0]).all() and (noisy <= sr2.NOISE_VARIANCE[1]).all()))
        # log-uniform: as many below the geometric middle as above it
        middle = math.sqrt(sr2.NOISE_VARIANCE[0] * sr2.NOISE_VARIANCE[1])
        self.assertLess(abs(float((noisy < middle).float().mean()) - 0.5), 0.04)
        # each digit gets its own variance, unclipped, and none where 0
        lr = torch.full((3, 1, 200, 200), 0.5, dtype=torch.float64)
        out = sr2.add_noise(lr, torch.tensor([0.0, 1e-4, 1e-2]), torch.Generator().manual_seed(4))
        self.assertEqual(float((out[0] - lr[0]).abs().max()), 0.0)
        for i, expected in ((1, 1e-4), (2, 1e-2)):
            self.assertLess(abs(float((out[i] - 0.5).var()) / expected - 1.0), 0.05)
        self.assertGreater(float(out[2].max()), 0.75)
        # random-noise batches are random's plus noise: the same digits
        images = np.random.default_rng(5).integers(0, 256, (50, 28, 28), dtype=np.uint8)
        labels = np.arange(50, dtype=np.uint8) % 10
        clean = sr2.Batches(images, labels, 4, 1, 'random')(3, 16, 'cpu')
        noisy = sr2.Batches(images, labels, 4, 1, 'random-noise')(3, 16, 'cpu')
        torch.testing.assert_close(clean[1], noisy[1], rtol=0, atol=0)
        torch.testing.assert_close(clean[2], noisy[2], rtol=0, atol=0)
        self.assertGreater(float((clean[0] - noisy[0]).abs().max()), 1e-3)

    def test_sr_stage_starts_from_a_shipped_file(self):
        for scale, arch, shared, name in ((2, 'fsrcnn', 1, 'fsrcnn-l0'), (4, 'wdsr', 4, 'wdsr4-l9')):
            path = os.path.join(hfsr_sr.REPO, 'models', f'hfsr-sr2-x{scale}-{name}.safetensors')
            architecture = {'scale': scale, 'arch': arch, 'shared': shared}
            model = sr2.SR2(**architecture).eval()
            self.assertIn('Gaussian blur', sr2.init_sr_from_file(model, path, architecture))
            x = torch.rand(1, 1, 9, 7, generator=torch.Generator().manual_seed(3))
            with torch.no_grad():
                y = model.sr.rest(model.sr.shared(x), x)
            self.assertLess((run_graph(path, x)['output'] - y).abs().max().item(), 1e-5)
            # another network's file is refused: another scale, another SR network
            for other in ({'scale': 6 - scale, 'arch': arch, 'shared': shared},
                          {'scale': scale, 'arch': 'wdsr' if arch == 'fsrcnn' else 'fsrcnn', 'shared': 1}):
                with self.assertRaises(SystemExit):
                    sr2.init_sr_from_file(sr2.SR2(**other), path, other)

    def test_shapes(self):
        x = torch.rand(2, 1, 7, 9)
        for scale in (2, 4):
            for arch, shared in (('fsrcnn', 1), ('wdsr', 1), ('wdsr', 4), ('sequential', 1)):
                y, logits = sr2.SR2(scale, arch, shared)(x)
                self.assertEqual(tuple(y.shape), (2, 1, 7 * scale, 9 * scale), (arch, scale))
                self.assertEqual(tuple(logits.shape), (2, sr2.CLASSES))

    def test_lambda_scales_only_the_gradient_reaching_shared_layers(self):
        torch.manual_seed(5)
        model = sr2.SR2(2, 'wdsr', 4)
        x = torch.rand(3, 1, 8, 8)
        target = torch.tensor([1, 4, 7])
        grads = {}
        for lam in (0.0, 1.0, 2.5):
            model.zero_grad()
            _, logits = model(x, class_gradient=lam)
            torch.nn.functional.cross_entropy(logits, target).backward()
            grads[lam] = (model.sr.net.head.weight_v.grad.clone(),
                          model.classifier.fc.weight.grad.clone())
            self.assertIsNone(model.sr.net.tail.weight_v.grad)  # the SR tail is not on the class path
        self.assertEqual(grads[0.0][0].abs().max().item(), 0.0)
        self.assertGreater(grads[1.0][0].abs().max().item(), 0.0)
        torch.testing.assert_close(grads[2.5][0], 2.5 * grads[1.0][0])
        for lam in (0.0, 2.5):
            torch.testing.assert_close(grads[lam][1], grads[1.0][1])


class TrainingRunTest(unittest.TestCase):
    def run_stage(self, mnist, root, *extra):
        argv = ['--mnist', mnist, '--batch', '4', '--iters', '3', '--log-every', '1', '--threads', '1',
                '--device', 'cpu', '--val-count', '20'] + list(extra)
        with contextlib.redirect_stdout(io.StringIO()):
            return sr2.main(argv)

    def check_export(self, result, path, scale, arch, lam):
        metadata, _ = load_model_file(path)
        self.assertEqual((metadata['hfsr.task'], metadata['hfsr.scale'], metadata['hfsr.arch'],
                          metadata['hfsr.lambda']), ('structure-sr', str(scale), arch, f'{lam:g}'))
        self.assertIn('accuracy', metadata['hfsr.quality'])
        state = hfsr_sr.load_checkpoint(result['checkpoint'])
        model = sr2.SR2(**state['architecture']).eval()
        model.load_state_dict(state['model'])
        x = torch.rand(2, 1, 7, 10, generator=torch.Generator().manual_seed(6))
        with torch.no_grad():
            image, probabilities = sr2.Exported(model)(x)
        produced = run_graph(path, x)
        self.assertEqual(list(produced), ['output', 'class'])
        self.assertLess((produced['output'] - image).abs().max().item(), 1e-5)
        self.assertLess((produced['class'].reshape(2, -1) - probabilities).abs().max().item(), 1e-6)

    def test_three_stages_export_what_the_graph_runner_reproduces(self):
        with tempfile.TemporaryDirectory() as root:
            mnist = os.path.join(root, 'mnist')
            write_mnist(mnist, 60, np.random.default_rng(7))
            stage1 = {}
            for scale, arch, shared, lam in ((2, 'fsrcnn', 1, 9.0), (4, 'wdsr', 4, 1.0),
                                             (2, 'sequential', 1, 0.11)):
                tag = os.path.join(root, f'{arch}{shared}-x{scale}')
                common = ['--scale', str(scale), '--arch', arch, '--shared', str(shared)]
                # sequential reuses the fsrcnn stage 1, as train-sr2.sh does
                kind = (scale, 'wdsr' if arch == 'wdsr' else 'fsrcnn')
                if kind not in stage1:
                    stage1[kind] = self.run_stage(mnist, root, *common, '--stage', 'sr', '--out', tag + '-sr')
                    self.assertEqual(stage1[kind]['iteration'], 3)
                first = stage1[kind]
                zero = self.run_stage(mnist, root, *common, '--stage', 'classifier', '--init',
                                      first['checkpoint'], '--out', tag + '-l0', '--export', tag + '-l0.st')
                self.check_export(zero, tag + '-l0.st', scale, arch, 0.0)
                joint = self.run_stage(mnist, root, *common, '--stage', 'joint', '--lambda', str(lam),
                                       '--init', zero['checkpoint'], '--out', tag + '-lj',
                                       '--export', tag + '-lj.st')
                self.check_export(joint, tag + '-lj.st', scale, arch, lam)
                # The classifier stage leaves the SR network as stage 1 made it.
                before = hfsr_sr.load_checkpoint(first['checkpoint'])['model']
                after = hfsr_sr.load_checkpoint(zero['checkpoint'])['model']
                for name, value in before.items():
                    if name.startswith('sr.'):
                        torch.testing.assert_close(after[name], value, rtol=0, atol=0)
            with contextlib.redirect_stdout(io.StringIO()), self.assertRaises(SystemExit):
                self.run_stage(mnist, root, '--scale', '2', '--arch', 'wdsr', '--stage', 'classifier',
                               '--init', stage1[(2, 'fsrcnn')]['checkpoint'], '--out', root + '/refused')

    def test_random_degradation_run_from_a_shipped_file(self):
        with tempfile.TemporaryDirectory() as root:
            mnist = os.path.join(root, 'mnist')
            write_mnist(mnist, 60, np.random.default_rng(8))
            shipped = os.path.join(hfsr_sr.REPO, 'models', 'hfsr-sr2-x2-fsrcnn-l0.safetensors')
            first = self.run_stage(mnist, root, '--scale', '2', '--arch', 'fsrcnn', '--stage', 'sr',
                                   '--init', shipped, '--degradation', 'random', '--out', root + '/sr')
            history = hfsr_sr.load_checkpoint(first['checkpoint'])['history']
            self.assertTrue(history[0].startswith(f'SR network from {shipped}'), history[0])
            zero = self.run_stage(mnist, root, '--scale', '2', '--arch', 'fsrcnn', '--stage', 'classifier',
                                  '--degradation', 'random', '--init', first['checkpoint'],
                                  '--out', root + '/l0', '--export', root + '/l0.st')
            self.check_export(zero, root + '/l0.st', 2, 'fsrcnn', 0.0)
            metadata, _ = load_model_file(root + '/l0.st')
            self.assertIn('randomised degradations', metadata['hfsr.training'])
            # the classifier of a shipped file cannot be unfolded: refused
            with contextlib.redirect_stdout(io.StringIO()), self.assertRaises(SystemExit):
                self.run_stage(mnist, root, '--scale', '2', '--arch', 'fsrcnn', '--stage', 'classifier',
                               '--init', shipped, '--out', root + '/refused')

    def test_joint_stage_needs_a_lambda_and_a_start(self):
        with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            sr2.main(['--scale', '2', '--arch', 'fsrcnn', '--stage', 'joint', '--init', 'x.pt'])
        with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            sr2.main(['--scale', '2', '--arch', 'fsrcnn', '--stage', 'classifier'])


if __name__ == '__main__':
    unittest.main()
