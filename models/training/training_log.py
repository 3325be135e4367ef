#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Prints the training log of HF Super-Resolution model files as the
Markdown table of models/README.md ("Training log"): for each file and each
training step (hfsr_sr.steps_of), the cumulative iterations, the device,
the step's time and the validation Y-PSNR after it.

    /usr/bin/python3 models/training/training_log.py models/hfsr-x*-a*.safetensors
"""

import os
import sys

import hfsr_sr
from hfsr_export import load_model_file


def rows(path):
    metadata, _ = load_model_file(path)
    total = 0
    for number, step in enumerate(hfsr_sr.steps_of(metadata, path), 1):
        total += step['iterations']
        seconds = step.get('seconds')
        psnr = step.get('validation_db')
        yield (f'| `{os.path.basename(path)}` | {number} | {total} | {step.get("device") or "?"} | '
               + (f'{seconds} s' if seconds is not None else '?') + ' | '
               + (f'{psnr:.2f} dB' if psnr is not None else '—') + ' |')


def main(paths):
    print('| file | step | iterations (cumulative) | device | time | validation Y-PSNR |')
    print('|---|---:|---:|---|---:|---:|')
    for path in paths:
        for row in rows(path):
            print(row)


if __name__ == '__main__':
    main(sys.argv[1:])
