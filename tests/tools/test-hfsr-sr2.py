#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""hfsr-classify and hfsr-sr2-eval as a user runs them, with the shipped SR²
networks: the class of known MNIST test digits (tests/tools/fixtures/sr2,
made by models/training/make_sr2_fixtures.py), the probabilities, the
evaluation table on small idx and digits.png stand-ins, the degradation
grid (its LR digits against the training code's degradations where
PyTorch is there), and the refusals.

Usage: test-hfsr-sr2.py HFSR-CLASSIFY HFSR-SR2-EVAL.  Exits 77 (skip)
without numpy or PIL.
"""
import glob
import gzip
import os
import re
import struct
import subprocess
import sys
import tempfile
import unittest

try:
    import numpy as np
    from PIL import Image
except ImportError as missing:
    print(f'skipping the SR² tool tests: {missing}')
    sys.exit(77)

try:
    import torch
except ImportError:
    torch = None

ROOT = os.environ.get('HFSR_SOURCE_ROOT',
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
FIXTURES = os.path.join(ROOT, 'tests', 'tools', 'fixtures', 'sr2')
EVAL = sys.argv.pop(2) if len(sys.argv) > 2 else 'hfsr-sr2-eval'
CLASSIFY = sys.argv.pop(1) if len(sys.argv) > 1 else 'hfsr-classify'
FAMILIES = (('fsrcnn', 1), ('wdsr', 1), ('wdsr', 4), ('sequential', 1))


def run(tool, *args, stdout=subprocess.PIPE):
    return subprocess.run([tool, *args], stdout=stdout, stderr=subprocess.PIPE, text=True,
                          timeout=280)


def run_to_full(tool, *args):
    """The tool with standard output on /dev/full, where every write fails
    (no space left), as on a full disk."""
    with open('/dev/full', 'w') as full:
        return run(tool, *args, stdout=full)


def tables(text):
    """{degradation name: (header, rows)} of hfsr-sr2-eval's grid output."""
    found = {}
    for part in text.split('\n### ')[1:]:
        # "NAME: what it does": a name such as mean:0.25 has no space
        found[part.split(': ', 1)[0]] = table_rows(part)
    return found


def table_rows(text):
    rows = []
    for line in text.splitlines():
        if line.startswith('|') and not set(line) <= set('|-: '):
            rows.append([c.strip() for c in line.strip().strip('|').split('|')])
    return rows[0], rows[1:]


def idx_bytes(array, shape=None):
    """An idx file of unsigned bytes; @shape, when given, is written in
    the header instead of the array's own."""
    shape = array.shape if shape is None else shape
    return (bytes([0, 0, 8, len(shape)]) + struct.pack('>' + 'I' * len(shape), *shape)
            + array.astype(np.uint8).tobytes())


def write_idx(path, array, shape=None):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'wb') as stream:
        stream.write(idx_bytes(array, shape))


def hr_stand_ins():
    """28 x 28 digits made by enlarging the x2 fixtures (14 x 14), with
    their labels: close enough to MNIST's for the tool's mechanics."""
    images, labels = [], []
    for path in sorted(glob.glob(os.path.join(FIXTURES, 'digit-x2-*.png'))):
        small = Image.open(path).convert('L')
        images.append(np.asarray(small.resize((28, 28), Image.BICUBIC)))
        labels.append(int(path[-5]))
    return np.stack(images), np.array(labels)


class ClassifyTest(unittest.TestCase):
    def test_known_digits_get_their_labels(self):
        for scale in (2, 4):
            digits = sorted(glob.glob(os.path.join(FIXTURES, f'digit-x{scale}-*.png')))
            self.assertEqual(len(digits), 10)
            for arch, shared in FAMILIES:
                result = run(CLASSIFY, '--scale', str(scale), '--arch', arch, '--shared', str(shared),
                             '--all', *digits)
                self.assertEqual(result.returncode, 0, result.stderr)
                lines = result.stdout.splitlines()
                self.assertEqual(len(lines), 20)
                correct = 0
                for path, line, probabilities in zip(digits, lines[0::2], lines[1::2]):
                    found = re.fullmatch(re.escape(path) + r': (\d) \((\d\.\d{4})\)', line)
                    self.assertIsNotNone(found, line)
                    correct += int(found.group(1)) == int(path[-5])
                    words = probabilities.split()
                    self.assertEqual(words[0::2], [str(c) for c in range(10)])
                    p = [float(w) for w in words[1::2]]
                    self.assertAlmostEqual(sum(p), 1.0, delta=2e-3)
                    self.assertAlmostEqual(max(p), float(found.group(2)), delta=1e-4)
                self.assertGreaterEqual(correct, 9, f'x{scale} {arch}{shared}: {result.stdout}')

    def test_dark_characters(self):
        """The x4 fixtures inverted, dark on light as on a sign: detected
        (the default) or named (--polarity dark-on-light), at least 9 of 10
        get their labels, as the light ones do; read as light on dark,
        fewer than 5 do."""
        digits = sorted(glob.glob(os.path.join(FIXTURES, 'digit-x4-*.png')))
        with tempfile.TemporaryDirectory() as root:
            dark = []
            for path in digits:
                inverted = os.path.join(root, os.path.basename(path))
                Image.fromarray(255 - np.asarray(Image.open(path).convert('L'))).save(inverted)
                dark.append(inverted)
            for options, least, most in (((), 9, 10), (('--polarity', 'dark-on-light'), 9, 10),
                                         (('--polarity', 'light-on-dark'), 0, 4)):
                with self.subTest(options):
                    result = run(CLASSIFY, '--scale', '4', *options, *dark)
                    self.assertEqual(result.returncode, 0, result.stderr)
                    correct = sum(line.split(': ')[1][0] == path[-5]
                                  for path, line in zip(dark, result.stdout.splitlines()))
                    self.assertGreaterEqual(correct, least, result.stdout)
                    self.assertLessEqual(correct, most, result.stdout)
            result = run(CLASSIFY, '--polarity', 'sideways', dark[0])
            self.assertEqual(result.returncode, 2)
            self.assertIn('--polarity must be', result.stderr)

    def test_refusals(self):
        digit = sorted(glob.glob(os.path.join(FIXTURES, 'digit-x4-*.png')))[0]
        sr_model = os.path.join(ROOT, 'models', 'hfsr-x2-a0.safetensors')
        with tempfile.TemporaryDirectory() as root:
            big = os.path.join(root, 'big.png')
            Image.new('L', (300, 300)).save(big)
            text = os.path.join(root, 'not-an-image.png')
            with open(text, 'w') as stream:
                stream.write('digits')
            # float TIFFs: every value NaN is nothing to classify; some NaN
            # are read as 0 (the ops' rule), with a warning
            import numpy as np
            import tifffile
            all_nan = os.path.join(root, 'all-nan.tif')
            tifffile.imwrite(all_nan, np.full((28, 28), np.nan, np.float32))
            cases_nan = os.path.join(root, 'some-nan.tif')
            seven = np.asarray(Image.open(digit).convert('L'), np.float32) / 255
            seven[0, :5] = np.nan
            tifffile.imwrite(cases_nan, seven)
            result = run(CLASSIFY, '--scale', '4', cases_nan)
            self.assertEqual(result.returncode, 0, result.stderr)
            # five grey pixels, read as R'G'B'
            self.assertIn(': warning: 15 values are not finite numbers', result.stderr)
            self.assertEqual(result.stdout.split()[1], digit[-5], result.stdout)
            cases = [((), 'no images given'),
                     ((all_nan,), 'no pixel value is a finite number'),
                     (('--scale', '3', digit), 'no Structure-aware SR network is trained for x3'),
                     (('--arch', 'wdsr', '--shared', '2', digit), 'wdsr with 2 shared layers'),
                     (('--lambda', '-1', digit), '--lambda must be'),
                     (('--model', sr_model, '--scale', '2', digit), 'not a Structure-aware SR network'),
                     ((big,), 'classifying needs one grey crop'),
                     ((text,), text)]
            for args, message in cases:
                result = run(CLASSIFY, *args)
                self.assertEqual(result.returncode, 2, (args, result.stdout))
                self.assertIn(message, result.stderr, args)
                self.assertTrue(result.stderr.startswith('hfsr-classify: '), result.stderr)

    @unittest.skipUnless(os.access('/dev/full', os.W_OK), 'no /dev/full')
    def test_unwritable_output_is_an_error(self):
        digit = sorted(glob.glob(os.path.join(FIXTURES, 'digit-x2-*.png')))[0]
        for args in (('--scale', '2', digit), ('--help',)):
            result = run_to_full(CLASSIFY, *args)
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertIn('hfsr-classify: standard output: write failed', result.stderr)


class EvalTest(unittest.TestCase):
    def test_table_on_an_idx_test_set(self):
        images, labels = hr_stand_ins()
        with tempfile.TemporaryDirectory() as root:
            write_idx(os.path.join(root, 't10k-images-idx3-ubyte.gz'), images)
            write_idx(os.path.join(root, 't10k-labels-idx1-ubyte.gz'), labels)
            first = run(EVAL, '--scale', '2', '--noise', '0,0.01', root)
            self.assertEqual(first.returncode, 0, first.stderr)
            header, rows = table_rows(first.stdout)
            self.assertEqual(header, ['method', 'SSIM σ²=0', 'acc. σ²=0', 'SSIM σ²=0.01', 'acc. σ²=0.01'])
            self.assertEqual([r[0] for r in rows],
                             ['bicubic', 'fsrcnn', 'sequential', 'sr2-fsrcnn', 'sr2-fsrcnn-noisy', 'sr2-wdsr1',
                              'sr2-wdsr4'])
            self.assertEqual(rows[0][2], '—')
            for row in rows:
                ssim = [float(row[1]), float(row[3])]
                self.assertTrue(all(0.0 < s <= 1.0 for s in ssim), row)
                if row[0] != 'bicubic':
                    accuracy = [float(row[2].rstrip(' %')), float(row[4].rstrip(' %'))]
                    self.assertTrue(all(0.0 <= a <= 100.0 for a in accuracy), row)
                    # a multiple of one digit in ten
                    self.assertTrue(all(abs(a * 10 / 100 - round(a * 10 / 100)) < 1e-6 for a in accuracy))
                    # the networks beat bicubic on clean input
                    self.assertGreater(ssim[0], float(rows[0][1]), row)
            self.assertIn('digits: 10 (evenly spread over the 10)', first.stdout)
            again = run(EVAL, '--scale', '2', '--noise', '0,0.01', root)
            self.assertEqual(again.stdout, first.stdout)
            reseeded = run(EVAL, '--scale', '2', '--noise', '0,0.01', '--seed', '5', root)
            _, other = table_rows(reseeded.stdout)
            self.assertEqual([r[1:3] for r in other], [r[1:3] for r in rows])
            self.assertNotEqual([r[3] for r in other], [r[3] for r in rows])

    def test_degradation_grid(self):
        images, labels = hr_stand_ins()
        with tempfile.TemporaryDirectory() as root:
            write_idx(os.path.join(root, 't10k-images-idx3-ubyte.gz'), images)
            write_idx(os.path.join(root, 't10k-labels-idx1-ubyte.gz'), labels)
            args = ('--scale', '4', '--noise', '0,0.01', '--methods', 'bicubic,sr2-fsrcnn', root)
            first = run(EVAL, '--degradation', 'grid,mean:0.5', *args)
            self.assertEqual(first.returncode, 0, first.stderr)
            found = tables(first.stdout)
            self.assertEqual(list(found), ['train', 'mean:0.25', 'mean:0', 'point:0', 'point:0.25', 'bicubic',
                                           'shift:0.5', 'warp', 'jpeg:75', 'mean:0.5'])
            for name, (header, rows) in found.items():
                self.assertEqual(header[:3], ['method', 'SSIM σ²=0', 'acc. σ²=0'], name)
                self.assertEqual([r[0] for r in rows], ['bicubic', 'sr2-fsrcnn'], name)
            # train is mean:0.5; the others degrade differently
            self.assertEqual(found['train'][1], found['mean:0.5'][1])
            for name in found:
                if name not in ('train', 'mean:0.5'):
                    self.assertNotEqual(found[name][1][0][1:], found['train'][1][0][1:], name)
            self.assertEqual(run(EVAL, '--degradation', 'grid,mean:0.5', *args).stdout, first.stdout)
            # the seed draws the noise and warp's motions, nothing else
            reseeded = tables(run(EVAL, '--degradation', 'grid', '--seed', '5', *args).stdout)
            self.assertEqual(reseeded['point:0'][1][0][1], found['point:0'][1][0][1])
            self.assertNotEqual(reseeded['warp'][1][0][1], found['warp'][1][0][1])
            for word in ('mean', 'mean:-1', 'point:3', 'jpeg:0', 'jpeg:7.5', 'shift:5', 'warp:1', 'blur:1',
                         'train,', 'bicubic:1'):
                result = run(EVAL, '--degradation', word, *args)
                self.assertEqual(result.returncode, 2, word)
                self.assertIn('--degradation: ', result.stderr, word)

    @unittest.skipIf(torch is None, 'no PyTorch for the training code')
    def test_degradations_equal_the_training_code(self):
        sys.path.insert(0, os.path.join(ROOT, 'models', 'training'))
        import sr2
        images, labels = hr_stand_ins()
        with tempfile.TemporaryDirectory() as root:
            write_idx(os.path.join(root, 't10k-images-idx3-ubyte.gz'), images)
            write_idx(os.path.join(root, 't10k-labels-idx1-ubyte.gz'), labels)
            for scale in (2, 4):
                folder = os.path.join(root, f'lr{scale}')
                result = run(EVAL, '--scale', str(scale), '--methods', 'bicubic', '--noise', '0', '--degradation',
                             'train,mean:0.35,point:0,point:0.25,bicubic,shift:0.5,warp,jpeg:75',
                             '--save-lr', folder, root)
                self.assertEqual(result.returncode, 0, result.stderr)
                hr = torch.from_numpy(images.astype(np.float64) / 255.0).unsqueeze(1)
                n = len(images)

                def drawn(kind, sigma):
                    return {'plain': torch.zeros(n, dtype=torch.bool), 'sigma': torch.full((n,), sigma),
                            'kind': torch.full((n,), sr2.DOWNSAMPLERS.index(kind)),
                            'phase': torch.full((n, 2), scale // 2), 'quality': torch.zeros(n, dtype=torch.long)}

                train = sr2.degrade(hr, scale)
                moved = sr2.degrade(sr2.warp(hr, torch.zeros(n), torch.full((n, 2), scale / 2)), scale)
                expected = {
                    'train': train, 'mean-0.35': sr2.apply_degradations(hr, scale, drawn('mean', 0.35 * scale)),
                    'point-0': sr2.apply_degradations(hr, scale, drawn('point', 0.0)),
                    'point-0.25': sr2.apply_degradations(hr, scale, drawn('point', 0.25 * scale)),
                    'bicubic': sr2.apply_degradations(hr, scale, drawn('bicubic', 0.0)),
                    'shift-0.5': moved,
                    'jpeg-75': torch.stack([sr2.jpeg(lr, 75) for lr in train])}
                for name, lr in expected.items():
                    want = np.round(np.clip(lr[:, 0].numpy(), 0, 1) * 255.0)
                    got = np.stack([np.asarray(Image.open(os.path.join(folder, f'{name}-{i:05d}.png')).convert('L'),
                                               dtype=np.float64) for i in range(n)])
                    self.assertEqual(got.shape, want.shape, name)
                    # 8-bit files; JPEG may turn a rounding tie into a level or two
                    self.assertLessEqual(np.abs(got - want).max(), 2 if name == 'jpeg-75' else 1, (scale, name))
                    self.assertLess(np.abs(got - want).mean(), 0.05, (scale, name))
                warped = [np.asarray(Image.open(os.path.join(folder, f'warp-{i:05d}.png')).convert('L'))
                          for i in range(n)]
                self.assertTrue(any(np.abs(w.astype(int) - t).max() > 20
                                    for w, t in zip(warped, np.round(train[:, 0].numpy() * 255.0))))

    def test_refuses_bad_idx_files(self):
        images, labels = hr_stand_ins()
        with tempfile.TemporaryDirectory() as root:
            image_path = os.path.join(root, 't10k-images-idx3-ubyte')
            label_path = os.path.join(root, 't10k-labels-idx1-ubyte')
            write_idx(image_path, images)
            cases = [
                # labels are classes 0 to 9
                (labels, None, label_path + ': label 3 is 10, not a class from 0 to 9', 3, 10),
                (labels, None, label_path + ': label 9 is 255, not a class from 0 to 9', 9, 255),
                # the header's count against the bytes that follow it
                (labels, (11,), label_path + ': its shape, 11, does not match the 10 bytes', 0, None),
                (labels[:0], (0,), 'images of 28 x 28 and 0 labels', 0, None),
            ]
            for array, shape, message, index, value in cases:
                array = array.copy()
                if value is not None:
                    array[index] = value
                write_idx(label_path, array, shape)
                result = run(EVAL, '--scale', '2', '--methods', 'bicubic', root)
                self.assertEqual(result.returncode, 2, (message, result.stdout))
                self.assertIn(message, result.stderr)
                self.assertTrue(result.stderr.startswith('hfsr-sr2-eval: '), result.stderr)
            # An empty set, and a gzip file whose header is cut short.
            write_idx(image_path, images[:0])
            write_idx(label_path, labels[:0])
            result = run(EVAL, '--scale', '2', root)
            self.assertEqual(result.returncode, 2, result.stdout)
            self.assertIn(root + ': the test set holds no digits', result.stderr)
            os.remove(image_path)
            with gzip.open(image_path + '.gz', 'wb') as stream:
                stream.write(idx_bytes(images)[:10])
            result = run(EVAL, '--scale', '2', root)
            self.assertEqual(result.returncode, 2, result.stdout)
            self.assertIn(image_path + '.gz: not an idx file of 3-dimensional unsigned bytes',
                          result.stderr)

    def test_refuses_a_negative_count(self):
        images, labels = hr_stand_ins()
        with tempfile.TemporaryDirectory() as root:
            write_idx(os.path.join(root, 't10k-images-idx3-ubyte.gz'), images)
            write_idx(os.path.join(root, 't10k-labels-idx1-ubyte.gz'), labels)
            for count in ('-1', '-2147483648'):
                result = run(EVAL, '--scale', '2', '--count', count, root)
                self.assertEqual(result.returncode, 2, (count, result.stdout))
                self.assertIn(f'hfsr-sr2-eval: --count must be 0 (every digit) or more (got {count})',
                              result.stderr)
            # 0 is the default: every digit.
            result = run(EVAL, '--scale', '2', '--count', '0', '--methods', 'bicubic', '--noise', '0',
                         root)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn('digits: 10 (evenly spread over the 10)', result.stdout)

    @unittest.skipUnless(os.access('/dev/full', os.W_OK), 'no /dev/full')
    def test_unwritable_output_is_an_error(self):
        images, labels = hr_stand_ins()
        with tempfile.TemporaryDirectory() as root:
            write_idx(os.path.join(root, 't10k-images-idx3-ubyte.gz'), images)
            write_idx(os.path.join(root, 't10k-labels-idx1-ubyte.gz'), labels)
            for args in (('--scale', '2', '--methods', 'bicubic', '--noise', '0', root), ('--help',)):
                result = run_to_full(EVAL, *args)
                self.assertEqual(result.returncode, 2, (args, result.stderr))
                self.assertIn('hfsr-sr2-eval: standard output: write failed', result.stderr)

    def test_opencv_digits_png_and_refusals(self):
        with tempfile.TemporaryDirectory() as root:
            sheet = np.zeros((1000, 2000), np.uint8)
            sheet[5:15, 8:12] = 255  # a "1" in the first cell, class 0 by position
            path = os.path.join(root, 'digits.png')
            Image.fromarray(sheet).save(path)
            result = run(EVAL, '--scale', '4', '--count', '3', '--methods', 'bicubic,sr2-fsrcnn',
                         '--noise', '0', path)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn('digits: 3 (evenly spread over the 5000)', result.stdout)
            Image.fromarray(sheet[:, :1000]).save(path)
            cases = [(('--scale', '3', root), '--scale must be 2 or 4'),
                     (('--scale', '2', path), "OpenCV's digits.png holds"),
                     (('--scale', '2', '--noise', '0,x', root), "'x' is not a variance"),
                     (('--scale', '2', '--methods', 'magic', ROOT), "unknown method 'magic'"),
                     (('--scale', '2', root), 't10k-images-idx3-ubyte')]
            for args, message in cases:
                result = run(EVAL, *args)
                self.assertEqual(result.returncode, 2, (args, result.stdout))
                self.assertIn(message, result.stderr, args)


class RegressionTest(unittest.TestCase):
    """The shipped networks on 100 MNIST test digits (fixtures/sr2/mnist-100)
    degraded as the paper did not train: point sampling after a light blur,
    bicubic, JPEG.  The floors are the accuracies measured when the files
    were made (models/README.md, "In the wild") less about 4 digits in
    100, so a retrained file that loses robustness fails here."""

    FLOORS = {  # scale -> degradation -> lowest accuracy (%) of every SR² method
        # measured: x2 99 99 99 100, x4 100 97 100 94; the files trained on the
        # paper's degradation alone scored 41 % (x4 point:0.25) and 60 % (bicubic)
        2: {'train': 95, 'point:0.25': 95, 'bicubic': 95, 'jpeg:75': 95},
        4: {'train': 95, 'point:0.25': 93, 'bicubic': 95, 'jpeg:75': 90},
    }

    def test_shipped_networks_on_unseen_degradations(self):
        digits = os.path.join(FIXTURES, 'mnist-100')
        for scale, floors in self.FLOORS.items():
            result = run(EVAL, '--scale', str(scale), '--noise', '0', '--degradation', ','.join(floors),
                         '--methods', 'bicubic,sequential,sr2-fsrcnn,sr2-wdsr1,sr2-wdsr4', digits)
            self.assertEqual(result.returncode, 0, result.stderr)
            found = tables(result.stdout)
            self.assertEqual(list(found), list(floors))
            for name, (_, rows) in found.items():
                bicubic = float(rows[0][1])
                for row in rows[1:]:
                    self.assertGreater(float(row[1]), bicubic, (scale, name, row))
                    if row[0].startswith('sr2-'):
                        self.assertGreaterEqual(float(row[2].rstrip(' %')), floors[name], (scale, name, row))

    # scale -> lowest accuracy (%) of sr2-fsrcnn-noisy at σ² = 1e-3 and 1e-2,
    # on the paper's degradation and on point sampling, less about 4 digits
    # in 100.  Measured when the files were made: x2 100/99 and 99/98, x4
    # 100/77 and 98/88; sr2-fsrcnn, which saw no noise, scored 48 % at x4
    # train with σ² = 1e-2 and an SSIM of 0.24 against the noisy one's 0.42.
    NOISY_FLOORS = {2: (95, 94), 4: (94, 73)}

    def test_noise_trained_family_under_noise(self):
        """The noise-trained family on noisy digits: SSIM above bicubic's and
        above the unseen-noise SR²-FSRCNN's at σ² = 1e-2, and its accuracy
        above the floors."""
        digits = os.path.join(FIXTURES, 'mnist-100')
        for scale, floors in self.NOISY_FLOORS.items():
            result = run(EVAL, '--scale', str(scale), '--noise', '1e-3,1e-2', '--degradation', 'train,point:0.25',
                         '--methods', 'bicubic,sr2-fsrcnn,sr2-fsrcnn-noisy', digits)
            self.assertEqual(result.returncode, 0, result.stderr)
            for name, (_, rows) in tables(result.stdout).items():
                bicubic, unseen, noisy = rows
                self.assertEqual(noisy[0], 'sr2-fsrcnn-noisy')
                where = (scale, name, noisy)
                for column in (1, 3):
                    self.assertGreater(float(noisy[column]), float(bicubic[column]), where)
                self.assertGreater(float(noisy[3]), float(unseen[3]), where)
                for column, floor in zip((2, 4), floors):
                    self.assertGreaterEqual(float(noisy[column].rstrip(' %')), floor, where)


if __name__ == '__main__':
    unittest.main()
