#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the SR² training recipe (sr2.py): the idx reader, the split,
the degradation against a naive twin and the engine's blur, the networks'
shapes, the lambda gradient scaling, and three-stage runs whose exported
files hfsr_export.run_graph reproduces.

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
import hfsr_sr  # noqa: E402
import sr2  # noqa: E402
from hfsr_export import load_model_file, run_graph  # noqa: E402

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

    def test_joint_stage_needs_a_lambda_and_a_start(self):
        with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            sr2.main(['--scale', '2', '--arch', 'fsrcnn', '--stage', 'joint', '--init', 'x.pt'])
        with contextlib.redirect_stderr(io.StringIO()), self.assertRaises(SystemExit):
            sr2.main(['--scale', '2', '--arch', 'fsrcnn', '--stage', 'classifier'])


if __name__ == '__main__':
    unittest.main()
