#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The "SR² in the wild" figure of models/README.md: printed digits
photographed in a newspaper (OpenCV's sudoku.png, from Debian's
opencv-doc), dark on light, each cropped, made 28 x 28 and then 7 x 7 by
MATLAB's antialiased bicubic after a levels stretch (2nd to 98th
percentile to black and white) — no SVHN-like set can be had here — and
upscaled x4 by bicubic and by hfsr:structure-sr (the `gegl` command,
polarity dark-on-light) with two sets of model files, each with the class
hfsr-classify gives.

    /usr/bin/python3 models/training/sr2_wild_figure.py SUDOKU.png OUT.png \
        [--before OLD_MODELS_DIR] [--build build]

Rows: the crop, the 7 x 7 input (nearest), bicubic, SR² of --before's files
(if given), SR² of the repository's files; under each SR² tile its class.
"""

import argparse
import os
import subprocess
import tempfile

import numpy as np
from PIL import Image, ImageDraw

import hfsr_data
from eval_any_scale import REPO, gegl_environment, save_png

# Centre of one printed digit of each class in sudoku.png (558 x 563), and
# the side of its crop: the digit about 20 of the 28 pixels, as in MNIST.
DIGITS = {1: (277, 328), 2: (280, 235), 3: (126, 328), 4: (70, 328), 5: (325, 190),
          6: (232, 102), 7: (372, 102), 8: (420, 187), 9: (462, 143)}
CROP = 42
SCALE = 4
TILE = 56


def sr2(low_path, out_path, env):
    """hfsr:structure-sr x4 (fsrcnn, lambda 9, dark on light) and its class."""
    subprocess.run(['gegl', low_path, '-o', out_path, '--', 'hfsr:structure-sr', f'scale={SCALE}',
                    'polarity=dark-on-light'], check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    label = subprocess.run([env['HFSR_CLASSIFY'], '--scale', str(SCALE), '--polarity', 'dark-on-light',
                            low_path], check=True, env=env, capture_output=True,
                           text=True).stdout.rsplit(': ', 1)[1].split()[0]
    # the `gegl` command writes 16-bit PNGs, which hfsr_data reads
    return hfsr_data.load_image(out_path)[..., 0], label


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('sudoku')
    parser.add_argument('out')
    parser.add_argument('--before', help='a folder of earlier SR² model files to compare')
    parser.add_argument('--build', default=os.path.join(REPO, 'build'))
    args = parser.parse_args(argv)
    photo = np.asarray(Image.open(args.sudoku).convert('L'), dtype=np.float64) / 255.0
    envs = []
    for models in ([args.before] if args.before else []) + [None]:
        env = gegl_environment(args.build)
        if models:
            env['HFSR_MODEL_PATH'] = os.path.abspath(models)
        env['HFSR_CLASSIFY'] = os.path.join(os.path.abspath(args.build), 'tools', 'hfsr-classify')
        envs.append(env)
    rows = 3 + len(envs)
    sheet = Image.new('L', (len(DIGITS) * (TILE + 4), rows * (TILE + 16)), 255)
    draw = ImageDraw.Draw(sheet)
    with tempfile.TemporaryDirectory() as folder:
        for column, (label, (x, y)) in enumerate(sorted(DIGITS.items())):
            crop = photo[y - CROP // 2:y + CROP // 2, x - CROP // 2:x + CROP // 2]
            # Levels, as a user would set them first: the networks know ink
            # on an even ground (0 and 1), not a grey photograph's range.
            low_level, high_level = np.percentile(crop, (2, 98))
            crop = np.clip((crop - low_level) / (high_level - low_level), 0, 1)
            hr = hfsr_data.imresize(crop, 28 / CROP)
            low = hfsr_data.quantize(hfsr_data.imresize(hr, 1 / SCALE))
            low_path = os.path.join(folder, f'{label}.png')
            save_png(low, low_path)
            tiles = [(hr, ''), (np.kron(low, np.ones((SCALE, SCALE))), ''),
                     (hfsr_data.imresize(low, SCALE), '')]
            for n, env in enumerate(envs):
                tiles.append(sr2(low_path, os.path.join(folder, f'{label}-{n}.png'), env))
            for row, (image, text) in enumerate(tiles):
                tile = Image.fromarray(np.round(np.clip(image, 0, 1) * 255).astype(np.uint8))
                left, top = column * (TILE + 4), row * (TILE + 16)
                sheet.paste(tile.resize((TILE, TILE), Image.NEAREST), (left, top))
                if text:
                    draw.text((left + 2, top + TILE + 2), f'class {text}', fill=0)
    sheet.save(args.out)


if __name__ == '__main__':
    main()
