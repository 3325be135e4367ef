#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""A sheet of crops at 400 % zoom: bicubic, fidelity, perceptual, original.

For each of a few validation photos (never trained on) the LR copy is made by
MATLAB bicubic at the scale and rounded to 8 bits, then upscaled by MATLAB
bicubic and by the real op (the `gegl` command with the build's ops) in both
variants.  From each result the 48 x 48 square of the original with the most
detail (mean |Laplacian| of Y) is cut out and shown enlarged 4 times with
nearest-neighbour pixels, so that ringing, checkerboard patterns and colour
noise are visible.  One row a photo, one column a method, labelled.

    /usr/bin/python3 models/training/perceptual_sheet.py --scale 2 --out models/perceptual-x2.png
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw

import eval_any_scale
import hfsr_data

CROP = 48
ZOOM = 4
LABEL_HEIGHT = 16
# The photos of the sheet: skimage's astronaut and coffee (faces, text and
# fine texture) and one BSD200 hold-out photo.
PHOTOS = ('astronaut.png', 'coffee.png')
BSD_HOLDOUT_INDEX = -3


def detailed_square(high):
    """The top-left corner of the CROP square of HIGH (H, W, 3) with the
    most mean |Laplacian| of Y, on a grid of CROP / 2."""
    y = hfsr_data.rgb_to_y(high)
    lap = np.abs(4 * y[1:-1, 1:-1] - y[:-2, 1:-1] - y[2:, 1:-1] - y[1:-1, :-2] - y[1:-1, 2:])
    best, corner = -1.0, (0, 0)
    for top in range(0, lap.shape[0] - CROP, CROP // 2):
        for left in range(0, lap.shape[1] - CROP, CROP // 2):
            energy = float(lap[top:top + CROP, left:left + CROP].mean())
            if energy > best:
                best, corner = energy, (top + 1, left + 1)
    return corner


def tile(image, corner):
    top, left = corner
    crop = np.round(np.clip(image[top:top + CROP, left:left + CROP], 0, 1) * 255).astype(np.uint8)
    return Image.fromarray(crop).resize((CROP * ZOOM, CROP * ZOOM), Image.NEAREST)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--scale', type=int, choices=(2, 3, 4), required=True)
    parser.add_argument('--out', required=True)
    parser.add_argument('--build', default=os.path.join(eval_any_scale.REPO, 'build'))
    args = parser.parse_args(argv)

    env = eval_any_scale.gegl_environment(args.build)
    candidates = eval_any_scale.validation_photos()
    photos = [p for p in candidates if os.path.basename(p) in PHOTOS]
    if len(candidates) > len(PHOTOS):
        photos.append(candidates[BSD_HOLDOUT_INDEX])
    if not photos:
        sys.exit('perceptual_sheet: no validation photos')
    methods = ('bicubic', 'fidelity', 'perceptual', 'original')
    side = CROP * ZOOM
    sheet = Image.new('RGB', (side * len(methods), (side + LABEL_HEIGHT) * len(photos)), 'white')
    draw = ImageDraw.Draw(sheet)
    with tempfile.TemporaryDirectory() as work:
        for row, path in enumerate(photos):
            high = hfsr_data.modcrop(hfsr_data.load_image(path), args.scale)
            low = hfsr_data.bicubic_downscale(high, args.scale)
            low_path = os.path.join(work, f'{row}.png')
            eval_any_scale.save_png(low, low_path)
            results = {
                'bicubic': hfsr_data.bicubic_upscale(low, args.scale),
                'original': high,
            }
            for variant in ('fidelity', 'perceptual'):
                out = os.path.join(work, f'{row}-{variant}.png')
                subprocess.run(['gegl', low_path, '-o', out, '--', 'hfsr:super-resolution',
                                f'scale={args.scale}', f'variant={variant}'],
                               check=True, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
                results[variant] = hfsr_data.load_image(out)
            corner = detailed_square(high)
            y = row * (side + LABEL_HEIGHT)
            for column, method in enumerate(methods):
                draw.text((column * side + 4, y + 2),
                          f'{method} x{args.scale}: {os.path.basename(path)}', fill='black')
                sheet.paste(tile(results[method], corner), (column * side, y + LABEL_HEIGHT))
    sheet.save(args.out, optimize=True)
    print(f'wrote {args.out}: {len(photos)} photos x {len(methods)} methods')


if __name__ == '__main__':
    main()
