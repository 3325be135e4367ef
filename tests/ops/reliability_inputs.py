# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reliability suite's input files, for GEGL (test-reliability.py) and
GIMP (tests/plugin/test_plugin_reliability.py) alike: every pixel format
GEGL's loaders produce (8-bit, 16-bit and float; grey, grey + alpha, RGB,
RGBA; indexed, with and without transparency; grey, RGB and CMYK JPEG) at
1x1, 2x2 and 3x3, some at a larger size, and float images holding NaN and
infinities (named nonfinite-*)."""
import os

import numpy as np
import tifffile
from PIL import Image

from gegl_cli_check import write_png

SIZES = ((1, 1), (2, 2), (3, 3))
LARGE = (240, 320)


def pattern(height, width, channels, seed):
    """Smooth shading with noise, alpha (the last channel of 2 or 4) with
    opaque, translucent and transparent parts."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    base = 0.5 + 0.3 * np.sin(x / 5.0 + 1) * np.cos(y / 4.0)
    pixels = np.clip(base[:, :, None] + rng.uniform(-0.2, 0.2, (height, width, channels)), 0, 1)
    if channels in (2, 4):
        alpha = np.clip(np.linspace(-0.5, 1.5, width)[None, :].repeat(height, 0), 0, 1)
        alpha[rng.uniform(size=(height, width)) < 0.1] = 0
        pixels[:, :, -1] = alpha
    return pixels


def make_files(directory, sizes=SIZES):
    """{name: path} of every kind of input at each of SIZES."""
    files = {}

    def add(name, height, width, writer):
        path = os.path.join(directory, f'{name}-{width}x{height}' + writer.suffix)
        writer(path, height, width)
        files[os.path.basename(path)] = path

    class Png:
        suffix = '.png'

        def __init__(self, channels, depth):
            self.channels, self.depth = channels, depth

        def __call__(self, path, height, width):
            top = 255 if self.depth == 8 else 65535
            pixels = np.rint(pattern(height, width, self.channels, width) * top)
            pixels = pixels.astype(np.uint8 if self.depth == 8 else np.uint16)
            write_png(path, pixels if self.channels > 1 else pixels[:, :, 0])

    class FloatTiff:
        suffix = '.tif'

        def __init__(self, channels, non_finite=False):
            self.channels, self.non_finite = channels, non_finite

        def __call__(self, path, height, width):
            pixels = pattern(height, width, self.channels, width).astype(np.float32)
            if self.non_finite:
                pixels.flat[::7] = np.nan
                pixels.flat[3::11] = np.inf
                pixels.flat[5::13] = -np.inf
            photometric = 'rgb' if self.channels >= 3 else 'minisblack'
            extra = ['unassalpha'] if self.channels in (2, 4) else []
            tifffile.imwrite(path, pixels if self.channels > 1 else pixels[:, :, 0],
                             photometric=photometric, extrasamples=extra)

    class Pil:
        def __init__(self, mode, suffix, **options):
            self.mode, self.suffix, self.options = mode, suffix, options

        def __call__(self, path, height, width):
            rgb = Image.fromarray(np.rint(pattern(height, width, 3, width) * 255)
                                  .astype(np.uint8))
            if self.mode == 'PA':
                image = rgb.convert('P', palette=Image.ADAPTIVE, colors=16)
                image.info['transparency'] = 0
            elif self.mode == 'P':
                image = rgb.convert('P', palette=Image.ADAPTIVE, colors=16)
            else:
                image = rgb.convert(self.mode)
            image.save(path, **self.options)

    kinds = {
        'grey8': Png(1, 8), 'greya8': Png(2, 8), 'rgb8': Png(3, 8), 'rgba8': Png(4, 8),
        'grey16': Png(1, 16), 'greya16': Png(2, 16), 'rgb16': Png(3, 16),
        'rgba16': Png(4, 16),
        'greyf': FloatTiff(1), 'greyaf': FloatTiff(2), 'rgbf': FloatTiff(3),
        'rgbaf': FloatTiff(4),
        'indexed': Pil('P', '.png'), 'indexed-alpha': Pil('PA', '.png'),
        'grey-jpeg': Pil('L', '.jpg', quality=95),
        'rgb-jpeg': Pil('RGB', '.jpg', quality=95),
        'cmyk-jpeg': Pil('CMYK', '.jpg', quality=95),
    }
    for name, writer in kinds.items():
        for height, width in sizes:
            add(name, height, width, writer)
    for name in ('rgb8', 'rgba16', 'greya8', 'rgbaf', 'cmyk-jpeg'):
        add(name, *LARGE, kinds[name])
    for channels, name in ((4, 'nonfinite-rgbaf'), (1, 'nonfinite-greyf')):
        for height, width in ((3, 3), (31, 29)):
            add(name, height, width, FloatTiff(channels, non_finite=True))
    return files
