#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of the Debian photograph set (debian_photos.py): the committed
manifest models/training/data/debian-photos.tsv is complete and obeys the
exclusion rule, and the rule's functions (names, content signatures,
licences) do what they say on synthetic cases.  Reads only the manifest: no
network, no packages.

Exits 77 (skip) where numpy or PIL is not importable, as meson expects.
"""

import os
import re
import sys
import unittest

try:
    import numpy as np
    from PIL import Image
except ImportError as missing:
    print(f'skipping the Debian photograph tests: {missing}')
    sys.exit(77)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import debian_photos  # noqa: E402

MANIFEST = os.path.join(HERE, 'data', 'debian-photos.tsv')


def scene(seed, size=(320, 240)):
    """A smooth random RGB picture with some structure."""
    rng = np.random.default_rng(seed)
    small = rng.uniform(0, 255, (6, 8, 3)).astype(np.uint8)
    return Image.fromarray(small).resize(size, Image.BICUBIC)


class Manifest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rows = debian_photos.read_manifest(MANIFEST)

    def test_check_finds_no_problem(self):
        self.assertEqual(debian_photos.check(self.rows), [])

    def test_rows_complete(self):
        self.assertGreater(len(self.rows), 0)
        for row in self.rows:
            for column in debian_photos.COLUMNS:
                if column != 'reason':
                    self.assertNotEqual(row[column], '', (row['path'], column))
            self.assertRegex(row['sha256'], r'^[0-9a-f]{64}$')
            self.assertGreater(int(row['width']), 0)
            self.assertGreater(int(row['height']), 0)
            self.assertIn(row['kept'], ('yes', 'no'))
            self.assertTrue(row['path'].startswith('/'))

    def test_excluded_rows_have_a_reason(self):
        for row in self.rows:
            if row['kept'] == 'no':
                self.assertTrue(row['reason'], row['path'])
                self.assertEqual((row['out_width'], row['out_height']), ('0', '0'))
            else:
                self.assertEqual(row['reason'], '', row['path'])

    def test_no_kept_test_image_by_name(self):
        for row in self.rows:
            if row['kept'] == 'yes':
                self.assertIsNone(debian_photos.test_set_name(row['path']), row['path'])
        named = [r for r in self.rows if debian_photos.test_set_name(r['path'])]
        self.assertTrue(named, 'the packages hold test images (baboon, butterfly): '
                        'the manifest should list them as excluded')
        for row in named:
            self.assertEqual(row['kept'], 'no')
            self.assertTrue(row['reason'].startswith('test set'), row)

    def test_kept_sizes(self):
        for row in self.rows:
            if row['kept'] != 'yes':
                continue
            w, h = int(row['width']), int(row['height'])
            ow, oh = int(row['out_width']), int(row['out_height'])
            self.assertGreaterEqual(min(ow, oh), debian_photos.MIN_SIDE, row['path'])
            if row['format'] == 'JPEG':
                self.assertEqual((ow, oh), ((w + 1) // 2, (h + 1) // 2), row['path'])
            else:
                self.assertEqual((ow, oh), (w, h), row['path'])

    def test_kept_are_unique_and_licensed(self):
        kept = [r for r in self.rows if r['kept'] == 'yes']
        self.assertEqual(len({r['sha256'] for r in kept}), len(kept))
        for row in kept:
            self.assertNotEqual(row['licence'], 'UNSTATED', row['path'])

    def test_validation_images_not_kept(self):
        for row in self.rows:
            stem = os.path.splitext(os.path.basename(row['path']))[0]
            if row['package'] == 'python3-skimage' and stem in (
                    'astronaut', 'chelsea', 'coffee', 'motorcycle_left', 'rocket'):
                self.assertEqual(row['kept'], 'no')

    def test_check_catches_a_broken_row(self):
        row = dict(next(r for r in self.rows if r['kept'] == 'yes'))
        bad = dict(row, path='/usr/share/backgrounds/baboon.jpg')
        self.assertTrue(debian_photos.check([bad]))
        self.assertTrue(debian_photos.check([dict(row, sha256='abc')]))
        self.assertTrue(debian_photos.check([dict(row, out_width='100')]))
        self.assertTrue(debian_photos.check([dict(row, kept='no', reason='',
                                                  out_width='0', out_height='0')]))


class Rules(unittest.TestCase):
    def test_names(self):
        for path in ('Set5/baby.png', 'x/Lena_std.tif', 'peppers_color.png', 'kodim23.png',
                     'data/baboon.jpg', 'orig_comic.jpg', 'Bridge_by_Someone.jpg',
                     '3096.png', 'img_012.png', 'ppt3.bmp', 'ZebraHerd.jpg'):
            self.assertIsNotNone(debian_photos.test_set_name(path), path)
        for path in ('Path/contents/images/2560x1600.jpg', 'umang_by_Abhishek.jpg',
                     'nature/Dune.jpg', 'apple.jpg', 'germany.jpg', 'human.png'):
            self.assertIsNone(debian_photos.test_set_name(path), path)

    def test_renamed_copy_caught_by_content(self):
        original = scene(1)
        # a renamed copy, re-encoded at another size and slightly brighter
        copy = original.resize((160, 120), Image.BILINEAR)
        copy = Image.fromarray(np.clip(np.asarray(copy, dtype=np.int16) + 12, 0, 255)
                               .astype(np.uint8))
        refs = [('test set: Set14 baboon', debian_photos.signature(original))]
        d, label = debian_photos.nearest(debian_photos.signature(copy), refs)
        self.assertLess(d, debian_photos.CONTENT_DISTANCE)
        self.assertEqual(label, 'test set: Set14 baboon')

    def test_different_image_not_caught(self):
        refs = [('test set: Set14 baboon', debian_photos.signature(scene(1)))]
        for seed in range(2, 12):
            d, _ = debian_photos.nearest(debian_photos.signature(scene(seed)), refs)
            self.assertGreater(d, debian_photos.CONTENT_DISTANCE, seed)

    def test_flat_image_signature(self):
        flat = Image.new('RGB', (300, 300), (40, 80, 120))
        self.assertEqual(float(np.abs(debian_photos.signature(flat)).max()), 0.0)

    def test_output_size(self):
        self.assertEqual(debian_photos.output_size(2560, 1601, 'JPEG'), (1280, 801))
        self.assertEqual(debian_photos.output_size(500, 333, 'PNG'), (500, 333))

    def test_licence_stanzas(self):
        text = ('Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\n'
                'Files: *\nCopyright: x\nLicense: GPL-2+\n\n'
                'Files: nature/Aqua.jpg\n       nature/Garden.jpg\nCopyright: y\n'
                'License: CC-BY-4.0\n Some text of the licence.\n\n'
                'License: CC-BY-4.0\n Full text.\n')
        stanzas = debian_photos.parse_copyright(text)
        self.assertEqual(debian_photos.licence_of(stanzas, 'nature/Garden.jpg'), 'CC-BY-4.0')
        self.assertEqual(debian_photos.licence_of(stanzas, 'abstract/Flow.png'), 'GPL-2+')
        self.assertEqual(debian_photos.licence_of([], 'a.png'), 'UNSTATED')
        self.assertTrue(re.fullmatch(r'[A-Za-z0-9.+-]+', stanzas[1][1]))


if __name__ == '__main__':
    unittest.main()
