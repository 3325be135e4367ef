#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Y-PSNR of hfsr:super-resolution at any scale factor against MATLAB bicubic.

For each scale S = p/q (1.5 = 3/2 ...), each validation photo is mod-cropped to
p so that the LR copy has whole pixels (size x q/p), shrunk with MATLAB's
antialiased bicubic to exactly that size and rounded to 8 bits, then upscaled
by S again with the real op (the `gegl` command, the build's ops) and with
MATLAB bicubic; both results are rounded to 8 bits and scored on BT.601 Y
against the crop, ceil(S) pixels shaved at each border.  The validation photos
are those the training never saw (hfsr_sr.py): skimage's colour photos and the
last 20 BSD200 images by name.  Prints a Markdown table: per scale the mean
PSNR of each method and the gain.

    /usr/bin/python3 models/training/eval_any_scale.py [--build build]
        [--scales 1.5 2 2.5 3 3.5 4 6 8] [--alpha 0.2]
"""
import argparse
import fractions
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

import hfsr_data
import hfsr_sr

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def validation_photos():
    """skimage's photos and the last 20 BSD200 images by name (missing
    folders are left out with a note)."""
    photos = hfsr_sr.skimage_photo_paths()
    bsd = os.path.join(hfsr_sr.SHARED_TRAIN, 'BSD200')
    if os.path.isdir(bsd):
        photos += hfsr_data.list_images(bsd)[-hfsr_sr.HOLDOUT_DEFAULT:]
    else:
        print(f'note: no {bsd}: skimage photos only', file=sys.stderr)
    return photos


def resize_to(image, out_height, out_width, scale):
    """MATLAB bicubic of `image` by `scale` to exactly the given size (the
    size MATLAB gives, computed without floating-point doubt)."""
    height, width = image.shape[:2]
    rows = hfsr_data.resize_matrix(height, out_height, scale)
    cols = hfsr_data.resize_matrix(width, out_width, scale)
    out = np.tensordot(rows, image, axes=(1, 0))
    return np.tensordot(cols, out, axes=(1, 1)).swapaxes(0, 1)


def save_png(image, path):
    Image.fromarray(np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)).save(path)


def gegl_environment(build):
    """The environment in which the `gegl` command finds the build's ops
    and the repository's models."""
    # GEGL_PATH replaces GEGL's own folders: the system ops go after ours.
    system_ops = subprocess.run(['pkg-config', '--variable=pluginsdir', 'gegl-0.4'],
                                capture_output=True, text=True).stdout.strip() \
        or '/usr/lib/x86_64-linux-gnu/gegl-0.4'
    env = dict(os.environ)
    env['GEGL_PATH'] = os.path.join(os.path.abspath(build), 'ops') + ':' + system_ops
    env['HFSR_MODEL_PATH'] = os.path.join(REPO, 'models')
    return env


def op_upscale(low_path, out_path, scale, alpha, env):
    """The op's result, read back and rounded to 8 bits."""
    subprocess.run(['gegl', low_path, '-o', out_path, '--',
                    'hfsr:super-resolution', f'scale={scale!r}', f'alpha={alpha!r}'],
                   check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return hfsr_data.quantize(hfsr_data.load_image(out_path))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--build', default=os.path.join(REPO, 'build'))
    parser.add_argument('--scales', nargs='+', type=float,
                        default=[1.5, 2, 2.5, 3, 3.5, 4, 6, 8])
    parser.add_argument('--alpha', type=float, default=0.2)
    parser.add_argument('--photos', nargs='*', default=None,
                        help='HR photos (default: the validation photos)')
    args = parser.parse_args(argv)

    env = gegl_environment(args.build)
    photos = args.photos if args.photos else validation_photos()
    if not photos:
        sys.exit('eval_any_scale: no validation photos')

    print(f'# hfsr:super-resolution at any scale, alpha {args.alpha:g}, '
          f'{len(photos)} photos\n')
    print('| scale | network factor | bicubic dB | hfsr dB | gain dB |')
    print('|---:|---|---:|---:|---:|')
    with tempfile.TemporaryDirectory() as work:
        for scale in args.scales:
            ratio = fractions.Fraction(scale).limit_denominator(8)
            p, q = ratio.numerator, ratio.denominator
            shave = math.ceil(scale)
            bicubic, hfsr = [], []
            for index, path in enumerate(photos):
                high = hfsr_data.modcrop(hfsr_data.load_image(path), p)
                height, width = high.shape[:2]
                low_h, low_w = height * q // p, width * q // p
                low = hfsr_data.quantize(resize_to(high, low_h, low_w, q / p))
                low_path = os.path.join(work, f'{index}.png')
                save_png(low, low_path)
                ours = op_upscale(low_path, os.path.join(work, f'{index}-out.png'),
                                  scale, args.alpha, env)
                if ours.shape != high.shape:
                    sys.exit(f'{path}: x{scale} gave {ours.shape}, expected {high.shape}')
                base = hfsr_data.quantize(resize_to(low, height, width, p / q))
                bicubic.append(hfsr_data.y_psnr(base, high, shave))
                hfsr.append(hfsr_data.y_psnr(ours, high, shave))
            plan = ('x2, x3' if scale <= 6 else 'x2, x4') if scale > 4 else \
                f'x{2 if scale <= 2 else 3 if scale <= 3 else 4}'
            if float(scale) not in (2.0, 3.0, 4.0, 6.0, 8.0):
                plan += ', Lanczos down'
            b, h = float(np.mean(bicubic)), float(np.mean(hfsr))
            print(f'| {scale:g} | {plan} | {b:.2f} | {h:.2f} | {h - b:+.2f} |',
                  flush=True)


if __name__ == '__main__':
    main()
