#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""hfsr-eval as a user runs it, through real GEGL, on generated images.

The table must parse; the bicubic row's Y-PSNR and SSIM must equal those of
the training code's Python twin (models/training/hfsr_data.py) and, where
skimage is present, skimage's SSIM; the saved PNGs must add up to the PNG
column; errors must exit 2 with a message.

Usage: test-hfsr-eval.py HFSR-EVAL.  Exits 77 (skip) without numpy or PIL.
"""
import math
import os
import subprocess
import sys
import tempfile
import unittest

try:
    import numpy as np
    from PIL import Image
except ImportError as missing:
    print(f'skipping the hfsr-eval tests: {missing}')
    sys.exit(77)

ROOT = os.environ.get('HFSR_SOURCE_ROOT',
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'models', 'training'))
import hfsr_data  # noqa: E402

TOOL = sys.argv.pop(1) if len(sys.argv) > 1 else 'hfsr-eval'


def run_tool(*args, stdout=subprocess.PIPE):
    return subprocess.run([TOOL, *args], stdout=stdout, stderr=subprocess.PIPE, text=True,
                          timeout=240)


def parse_tables(text):
    """The Markdown tables of the report, each a list of dicts keyed by the
    header cells, and the '- key: value' lines as a dict."""
    tables, facts, table = [], {}, None
    for line in text.splitlines():
        if line.startswith('- ') and ':' in line:
            key, value = line[2:].split(':', 1)
            facts[key.strip()] = value.strip()
        if not line.startswith('|'):
            table = None
            continue
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if table is None:
            table = {'header': cells, 'rows': []}
            tables.append(table)
        elif not all(set(c) <= set('-:') for c in cells):
            if len(cells) != len(table['header']):
                raise ValueError(f'row with {len(cells)} cells under a header of '
                                 f'{len(table["header"])}: {line}')
            table['rows'].append(dict(zip(table['header'], cells)))
    return [t['rows'] for t in tables], facts


def photo_like(rng, height, width):
    """Smooth shading, hard edges and fine texture, 8-bit RGB."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    base = 0.5 + 0.3 * np.sin(x / 7.0) * np.cos(y / 11.0)
    edges = 0.25 * ((x + 2 * y) % 23 < 9)
    texture = 0.08 * rng.standard_normal((height, width))
    image = np.stack([base + edges, base - edges + 0.2, 0.6 * base + texture], axis=2)
    return np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)


class HfsrEvalTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.images = os.path.join(self.tmp.name, 'hr')
        os.mkdir(self.images)
        rng = np.random.default_rng(7)
        Image.fromarray(photo_like(rng, 72, 96)).save(os.path.join(self.images, 'a-photo.png'))
        # Grey, and a size that is no multiple of the scale: mod-crop.
        grey = photo_like(rng, 41, 50)[:, :, 0]
        Image.fromarray(grey, mode='L').save(os.path.join(self.images, 'b-grey.png'))

    def tearDown(self):
        self.tmp.cleanup()

    def test_table_and_scores(self):
        saved = os.path.join(self.tmp.name, 'saved')
        result = run_tool('--scale', '2', '--methods', 'bicubic,nohalo', '--per-image',
                          '--save', saved, self.images)
        self.assertEqual(result.returncode, 0, result.stderr)
        (summary, per_image), facts = parse_tables(result.stdout)
        self.assertEqual(facts['scale'], '2')
        self.assertEqual(facts['images'], '2')
        self.assertEqual([row['method'] for row in summary], ['bicubic', 'nohalo'])
        for row in summary:
            psnr = float(row['Y-PSNR (dB)'])
            self.assertTrue(math.isfinite(psnr) and 20.0 < psnr < 60.0, row)
            self.assertTrue(0.5 < float(row['SSIM']) <= 1.0, row)
            self.assertTrue(0.0 < float(row['HF share (%)']) < 100.0, row)
            self.assertGreaterEqual(float(row['time (s)']), 0.0)
            self.assertEqual(row['PNG / alpha=0'], '-')
        bicubic, nohalo = summary
        self.assertEqual(bicubic['PNG / bicubic'], '1.000')
        self.assertEqual(bicubic['HF / bicubic'], '1.000')
        # Two interpolators of one 8-bit image: close, not equal.
        self.assertLess(abs(float(nohalo['Y-PSNR (dB)']) - float(bicubic['Y-PSNR (dB)'])), 3.0)
        self.assertNotEqual(nohalo['PNG bytes'], bicubic['PNG bytes'])

        # The bicubic rows against the Python twin of the whole protocol.
        self.assertEqual(len(per_image), 4)
        for name in ('a-photo.png', 'b-grey.png'):
            hr = hfsr_data.modcrop(hfsr_data.load_image(os.path.join(self.images, name)), 2)
            sr = hfsr_data.bicubic_upscale(hfsr_data.bicubic_downscale(hr, 2), 2)
            row = next(r for r in per_image if r['image'] == name and r['method'] == 'bicubic')
            self.assertAlmostEqual(float(row['Y-PSNR (dB)']), hfsr_data.y_psnr(sr, hr, 2),
                                   delta=0.006)
            try:
                from skimage.metrics import structural_similarity
            except ImportError:
                continue
            y_sr = hfsr_data.rgb_to_y(sr)[2:-2, 2:-2] * 255
            y_hr = hfsr_data.rgb_to_y(hr)[2:-2, 2:-2] * 255
            expected = structural_similarity(y_sr, y_hr, gaussian_weights=True, sigma=1.5,
                                             use_sample_covariance=False, data_range=255)
            self.assertAlmostEqual(float(row['SSIM']), expected, delta=6e-5)

        # The outputs: 8-bit PNGs of the mod-cropped size, adding up.
        files = sorted(os.listdir(saved))
        self.assertEqual(len(files), 4, files)
        for method in summary:
            label = method['method']
            mine = [f for f in files if f.endswith(f'-{label}.png')]
            self.assertEqual(len(mine), 2, files)
            self.assertEqual(sum(os.path.getsize(os.path.join(saved, f)) for f in mine),
                             int(method['PNG bytes']))
        for f in files:
            with Image.open(os.path.join(saved, f)) as im:
                self.assertEqual(im.mode, 'RGB')
                self.assertEqual(im.size, (96, 72) if 'a-photo' in f else (50, 40))

    def test_constant_image_is_perfect(self):
        path = os.path.join(self.tmp.name, 'flat.png')
        Image.fromarray(np.full((40, 37, 3), (90, 140, 200), dtype=np.uint8)).save(path)
        result = run_tool('--scale', '3', '--methods', 'bicubic', path)
        self.assertEqual(result.returncode, 0, result.stderr)
        (summary,), facts = parse_tables(result.stdout)
        self.assertEqual(facts['images'], '1')
        self.assertEqual(summary[0]['Y-PSNR (dB)'], 'inf')
        self.assertEqual(summary[0]['SSIM'], '1.0000')
        self.assertEqual(summary[0]['HF share (%)'], '0.000')
        self.assertEqual(summary[0]['HF / bicubic'], '-')

    def assert_fails(self, *args, says):
        result = run_tool(*args)
        self.assertEqual(result.returncode, 2, result.stdout + result.stderr)
        self.assertIn('hfsr-eval: ', result.stderr)
        self.assertIn(says, result.stderr)
        self.assertEqual(result.stdout, '')

    def test_errors(self):
        missing = os.path.join(self.tmp.name, 'nowhere')
        self.assert_fails('--scale', '2', missing, says='nowhere')
        self.assert_fails('--scale', '2', '--methods', 'bicubic,sharpest', self.images,
                          says="'sharpest'")
        self.assert_fails('--scale', '1', self.images, says='--scale')
        self.assert_fails('--scale', '2', '--cut', '1.5', self.images, says='--cut')
        empty = os.path.join(self.tmp.name, 'empty')
        os.mkdir(empty)
        self.assert_fails('--scale', '2', empty, says='empty')
        for name, data in (('broken.png', b'not a png at all'),
                           ('broken.jpg', b'\xff\xd8\xff\xe0 then nothing sensible')):
            path = os.path.join(self.tmp.name, name)
            with open(path, 'wb') as f:
                f.write(data)
            self.assert_fails('--scale', '2', path, says=name)
        tiny = os.path.join(self.tmp.name, 'tiny.png')
        Image.fromarray(np.zeros((14, 30, 3), dtype=np.uint8)).save(tiny)
        self.assert_fails('--scale', '2', tiny, says='too small')

    @unittest.skipUnless(os.access('/dev/full', os.W_OK), 'no /dev/full')
    def test_unwritable_output_is_an_error(self):
        # /dev/full: every write fails (no space left), as on a full disk.
        for args in (('--scale', '3', '--methods', 'bicubic', self.images), ('--help',)):
            with open('/dev/full', 'w') as full:
                result = run_tool(*args, stdout=full)
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertIn('hfsr-eval: standard output: write failed', result.stderr)

    def test_sr_method_runs_or_says_why(self):
        # Until hfsr:super-resolution is built (or where its models are
        # missing) the method must fail cleanly; once it runs, its row is
        # the alpha = 0 reference.
        result = run_tool('--scale', '2', '--methods', 'bicubic,hfsr:alpha=0', self.images)
        if result.returncode == 0:
            (summary,), _ = parse_tables(result.stdout)
            self.assertEqual(summary[1]['method'], 'hfsr:alpha=0')
            self.assertEqual(summary[1]['PNG / alpha=0'], '1.000')
            self.assertTrue(math.isfinite(float(summary[1]['Y-PSNR (dB)'])))
        else:
            self.assertEqual(result.returncode, 2, result.stderr)
            self.assertIn('hfsr:alpha=0', result.stderr)
        self.assert_fails('--scale', '2', '--methods', 'hfsr:alpha=zero', self.images,
                          says='hfsr:alpha=zero')


if __name__ == '__main__':
    unittest.main()
