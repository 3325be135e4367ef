# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Images for super-resolution training and evaluation.

The degradation is MATLAB's ``imresize(img, 1/s, 'bicubic')`` with its
default antialiasing, because every published SR table was made with it: a
model trained on another downscaler (PIL, OpenCV, torch's interpolate) loses
a large part of its measured gain.  The resize is written from MATLAB's
documented definition (cubic kernel a = -0.5; when shrinking, the kernel is
stretched by 1/scale and scaled by scale; weights normalised per output
sample; indices past an edge mirrored, edge sample repeated) and works in
float64.  MATLAB itself rounds uint8 input back to uint8 between the height
and the width pass; here only the final result is rounded (by the caller),
a difference of at most half an 8-bit step.

Images are float32 arrays shaped (height, width, 3), gamma-encoded R'G'B' in
[0, 1], as the engine sees them.
"""

import math
import os

import numpy as np
from PIL import Image

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp')


def cubic_kernel(x):
    """Keys' cubic convolution kernel with a = -0.5 (MATLAB's 'bicubic')."""
    ax = np.abs(x)
    ax2 = ax * ax
    ax3 = ax2 * ax
    near = (1.5 * ax3 - 2.5 * ax2 + 1.0) * (ax <= 1.0)
    far = (-0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0) * ((ax > 1.0) & (ax <= 2.0))
    return near + far


def resize_matrix(in_length, out_length, scale, antialiasing=True):
    """The (out_length, in_length) matrix that resizes one axis as MATLAB's
    imresize does for a scale factor of `scale` (output / input)."""
    kernel_width = 4.0
    if scale < 1.0 and antialiasing:
        def kernel(x):
            return scale * cubic_kernel(scale * x)
        kernel_width /= scale
    else:
        kernel = cubic_kernel
    # MATLAB's 1-based output coordinates mapped into input coordinates so
    # that pixel areas, not pixel centres at the edges, line up.
    x = np.arange(1, out_length + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(u - kernel_width / 2.0)
    taps = int(math.ceil(kernel_width)) + 2
    indices = left[:, None] + np.arange(taps, dtype=np.float64)[None, :]
    weights = kernel(u[:, None] - indices)
    weights /= weights.sum(axis=1, keepdims=True)
    # Mirror: ..., 2, 1, [1, 2, ..., n], n, n-1, ...  (1-based).
    mirror = np.concatenate([np.arange(in_length), np.arange(in_length)[::-1]])
    source = mirror[np.mod(indices.astype(np.int64) - 1, 2 * in_length)]
    matrix = np.zeros((out_length, in_length), dtype=np.float64)
    rows = np.broadcast_to(np.arange(out_length)[:, None], source.shape)
    np.add.at(matrix, (rows, source), weights)
    return matrix


def imresize(image, scale, antialiasing=True):
    """MATLAB imresize(image, scale, 'bicubic') on a (H, W) or (H, W, C)
    array: the output is ceil(scale * size) along both axes, float64,
    neither clipped nor rounded."""
    image = np.asarray(image, dtype=np.float64)
    height, width = image.shape[:2]
    out_height = int(math.ceil(height * scale))
    out_width = int(math.ceil(width * scale))
    rows = resize_matrix(height, out_height, scale, antialiasing)
    cols = resize_matrix(width, out_width, scale, antialiasing)
    # MATLAB resizes the height first when both axes share the scale.
    out = np.tensordot(rows, image, axes=(1, 0))
    out = np.tensordot(cols, out, axes=(1, 1)).swapaxes(0, 1)
    return out


def quantize(image, levels=255):
    """Clips to [0, 1] and rounds to `levels` steps: how a downscaled image
    reaches a user (8-bit files), and how SR tables score outputs."""
    return (np.round(np.clip(image, 0.0, 1.0) * levels) / levels).astype(np.float32)


def bicubic_downscale(image, factor):
    """The SR degradation: MATLAB bicubic (antialiased) by 1/factor, rounded
    to 8 bits.  `image` should be mod-cropped to `factor`."""
    return quantize(imresize(image, 1.0 / factor))


def bicubic_upscale(image, factor):
    """MATLAB bicubic upscale by `factor`, rounded to 8 bits: the baseline."""
    return quantize(imresize(image, float(factor)))


def modcrop(image, factor):
    """Crops height and width down to multiples of `factor` (top-left kept)."""
    height, width = image.shape[:2]
    return image[: height - height % factor, : width - width % factor]


def rgb_to_y(image):
    """ITU-R BT.601 luma as MATLAB's rgb2ycbcr computes it, in [16, 235]/255:
    the Y every SR paper reports PSNR on."""
    image = np.asarray(image, dtype=np.float64)
    return (16.0 + image[..., 0] * 65.481 + image[..., 1] * 128.553
            + image[..., 2] * 24.966) / 255.0


def y_psnr(output, reference, shave):
    """PSNR in dB on BT.601 Y, `shave` pixels dropped at every border (the SR
    convention: shave = scale), peak 1.  Images must have the same size."""
    if output.shape != reference.shape:
        raise ValueError(f'y_psnr: shapes differ: {output.shape} vs {reference.shape}')
    diff = rgb_to_y(output) - rgb_to_y(reference)
    if shave > 0:
        diff = diff[shave:-shave, shave:-shave]
    mse = float(np.mean(diff * diff))
    return math.inf if mse == 0.0 else 10.0 * math.log10(1.0 / mse)


def load_image(path):
    """A file as float32 (H, W, 3) R'G'B' in [0, 1].  Grey images are
    replicated to three channels, alpha is dropped, 16-bit grey keeps its
    precision."""
    with Image.open(path) as im:
        if im.mode in ('I;16', 'I;16B', 'I;16L', 'I'):
            grey = np.asarray(im, dtype=np.float32) / 65535.0
            return np.repeat(grey[:, :, None], 3, axis=2)
        rgb = np.asarray(im.convert('RGB'), dtype=np.float32) / 255.0
    return rgb


def list_images(folder):
    """The image files directly inside `folder`, sorted by name (the order
    every deterministic split here relies on)."""
    names = sorted(n for n in os.listdir(folder)
                   if n.lower().endswith(IMAGE_SUFFIXES)
                   and os.path.isfile(os.path.join(folder, n)))
    return [os.path.join(folder, n) for n in names]


# The eight symmetries of the square: k quarter turns, then an optional
# left-right flip.
def dihedral(image, mode):
    """Applies symmetry `mode` (0..7) to the first two axes of `image`."""
    out = np.rot90(image, k=mode % 4, axes=(0, 1))
    if mode >= 4:
        out = out[:, ::-1]
    return out


class PatchSampler:
    """Random aligned (LR, HR) patch pairs from a set of images.

    Every HR image is mod-cropped to the scale and downscaled once, up
    front; a patch pair is then an LR crop at (y, x) and the HR crop at
    (scale*y, scale*x).  The LR crop's values are exactly those of the whole
    LR image, so training sees the same degradation as a full-image run.
    Both are kept as uint8 to hold T91 + BSD200 in ~130 MB.  Images smaller
    than one HR patch are skipped (listed in `skipped`).  A patch is drawn
    from an image with probability proportional to its area, then placed
    uniformly, then given one of the 8 symmetries.
    """

    def __init__(self, paths, scale, lr_patch):
        self.scale = scale
        self.lr_patch = lr_patch
        self.lr_images = []
        self.hr_images = []
        self.paths = []
        self.skipped = []
        hr_patch = lr_patch * scale
        for path in paths:
            hr = modcrop(load_image(path), scale)
            if hr.shape[0] < hr_patch or hr.shape[1] < hr_patch:
                self.skipped.append(path)
                continue
            lr = bicubic_downscale(hr, scale)
            self.hr_images.append(np.round(hr * 255.0).astype(np.uint8))
            self.lr_images.append(np.round(lr * 255.0).astype(np.uint8))
            self.paths.append(path)
        if not self.paths:
            raise ValueError(f'no training image is at least {hr_patch}x{hr_patch} pixels '
                             f'(LR patch {lr_patch} x scale {scale})')
        areas = np.array([lr.shape[0] * lr.shape[1] for lr in self.lr_images], dtype=np.float64)
        self.probabilities = areas / areas.sum()

    def batch(self, rng, size):
        """`size` pairs as uint8 arrays (N, 3, p, p) and (N, 3, s*p, s*p);
        the caller converts to float where the batch is used (on a GPU that
        is four times less to copy).  All random draws are made up front, so
        the loop only copies."""
        p, s = self.lr_patch, self.scale
        lr_batch = np.empty((size, 3, p, p), dtype=np.uint8)
        hr_batch = np.empty((size, 3, p * s, p * s), dtype=np.uint8)
        choices = rng.choice(len(self.paths), size=size, p=self.probabilities)
        where = rng.random((size, 2))
        modes = rng.integers(0, 8, size)
        for n, index in enumerate(choices):
            lr, hr = self.lr_images[index], self.hr_images[index]
            y = int(where[n, 0] * (lr.shape[0] - p + 1))
            x = int(where[n, 1] * (lr.shape[1] - p + 1))
            lr_batch[n] = dihedral(lr[y:y + p, x:x + p], modes[n]).transpose(2, 0, 1)
            hr_batch[n] = dihedral(hr[s * y:s * (y + p), s * x:s * (x + p)], modes[n]).transpose(2, 0, 1)
        return lr_batch, hr_batch
