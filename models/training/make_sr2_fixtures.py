#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the SR² test fixtures: the first digit of each class in the MNIST
test set, degraded as sr2.py degrades (Gaussian blur, block mean) at x2
and x4 and rounded to 8-bit grey PNGs, named digit-xS-INDEX-LABEL.png; and
the first 10 digits of each class, undegraded, as a 100-digit test set in
OUT_DIR/mnist-100 (idx files, gzip) for hfsr-sr2-eval's regression check.

    /usr/bin/python3 models/training/make_sr2_fixtures.py [MNIST_DIR] [OUT_DIR]

(defaults ../shared/data/digits/mnist and tests/tools/fixtures/sr2).
"""

import gzip
import os
import struct
import sys

import numpy as np
import torch
from PIL import Image

import hfsr_sr
import sr2


def main():
    mnist = sys.argv[1] if len(sys.argv) > 1 else sr2.MNIST_DEFAULT
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(hfsr_sr.REPO, 'tests', 'tools', 'fixtures', 'sr2')
    images, labels = sr2.load_mnist(mnist, 't10k')
    os.makedirs(out, exist_ok=True)
    for label in range(sr2.CLASSES):
        index = int(np.flatnonzero(labels == label)[0])
        hr = torch.from_numpy(images[index].copy()).double().div(255.0)[None, None]
        for scale in (2, 4):
            lr = sr2.degrade(hr, scale)[0, 0].numpy()
            pixels = np.clip(np.floor(lr * 255.0 + 0.5), 0, 255).astype(np.uint8)
            path = os.path.join(out, f'digit-x{scale}-{index:04d}-{label}.png')
            Image.fromarray(pixels, mode='L').save(path)
            print(path)
    picks = np.sort(np.concatenate([np.flatnonzero(labels == label)[:10] for label in range(sr2.CLASSES)]))
    folder = os.path.join(out, 'mnist-100')
    os.makedirs(folder, exist_ok=True)
    for stem, array in (('t10k-images-idx3-ubyte', images[picks]), ('t10k-labels-idx1-ubyte', labels[picks])):
        path = os.path.join(folder, stem + '.gz')
        header = bytes([0, 0, 8, array.ndim]) + struct.pack('>' + 'I' * array.ndim, *array.shape)
        # mtime 0: the same bytes on every run
        with gzip.GzipFile(path, 'wb', mtime=0) as stream:
            stream.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())
        print(path)


if __name__ == '__main__':
    main()
