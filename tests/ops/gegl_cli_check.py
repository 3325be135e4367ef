# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures and checks for test-gegl-cli.sh.

`make DIR` writes the input images and, in DIR/models, super-resolution
networks simple enough for a numpy twin; test-gegl-cli.sh runs the `gegl`
command on them; `check DIR` compares what it wrote with numpy twins of the
maps (Zhou et al. eq 4-7, the FFT high-pass, Roh & Kang's GMS) and of the
networks; `same A.npy B.npy` compares two float outputs.  PNGs are written and read here (zlib + numpy) because PIL has no
16-bit colour modes.
"""
import json
import os
import struct
import sys
import zlib

import numpy as np

WIDTH, HEIGHT = 67, 45
CHANNELS_OF_COLOUR_TYPE = {0: 1, 4: 2, 2: 3, 6: 4}
GMS_C = 170.0 / 255.0 ** 2


# ------------------------------------------------------------------- PNG I/O

def write_png(path, pixels):
    """Writes a uint8 or uint16 array (h, w) or (h, w, channels)."""
    pixels = np.asarray(pixels)
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    height, width, channels = pixels.shape
    depth = 16 if pixels.dtype == np.uint16 else 8
    colour_type = {v: k for k, v in CHANNELS_OF_COLOUR_TYPE.items()}[channels]
    rows = pixels.astype('>u2' if depth == 16 else 'u1').reshape(height, -1)
    raw = b''.join(b'\0' + row.tobytes() for row in rows)

    def chunk(kind, body):
        return (struct.pack('>I', len(body)) + kind + body +
                struct.pack('>I', zlib.crc32(kind + body) & 0xffffffff))

    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n')
        f.write(chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, depth,
                                           colour_type, 0, 0, 0)))
        f.write(chunk(b'IDAT', zlib.compress(raw)))
        f.write(chunk(b'IEND', b''))


def unfilter(kind, line, previous, bpp):
    if kind == 0:
        return line
    if kind == 2:
        return (line + previous).astype(np.uint8)
    out = line.astype(np.int32)
    up = previous.astype(np.int32)
    for x in range(len(out)):
        left = out[x - bpp] if x >= bpp else 0
        upper_left = up[x - bpp] if x >= bpp else 0
        if kind == 1:
            predictor = left
        elif kind == 3:
            predictor = (left + up[x]) // 2
        else:
            p = left + up[x] - upper_left
            pa, pb, pc = abs(p - left), abs(p - up[x]), abs(p - upper_left)
            predictor = (left if pa <= pb and pa <= pc
                         else up[x] if pb <= pc else upper_left)
        out[x] = (out[x] + predictor) & 0xff
    return out.astype(np.uint8)


def read_png(path):
    """Returns (pixels as floats in [0, 1] shaped (h, w, channels), depth)."""
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', f'{path}: not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b'IHDR':
            width, height, depth, colour_type, _, _, interlace = \
                struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
    assert interlace == 0 and depth in (8, 16), f'{path}: unsupported PNG'
    channels = CHANNELS_OF_COLOUR_TYPE[colour_type]
    bpp = channels * depth // 8
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(idat), np.uint8)
    previous = np.zeros(stride, np.uint8)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        previous = unfilter(raw[start], raw[start + 1:start + 1 + stride],
                            previous, bpp)
        rows.append(previous)
    pixels = np.frombuffer(np.concatenate(rows).tobytes(),
                           '>u2' if depth == 16 else 'u1')
    pixels = pixels.reshape(height, width, channels).astype(np.float64)
    return pixels / (2 ** depth - 1), depth


def as_rgba(pixels):
    """What the op sees: R'G'B'A, grey replicated, missing alpha 1."""
    channels = pixels.shape[2]
    colour = pixels[:, :, :1 if channels < 3 else 3]
    colour = np.repeat(colour, 3 // colour.shape[2], axis=2)
    alpha = (pixels[:, :, -1:] if channels in (2, 4)
             else np.ones(pixels.shape[:2] + (1,)))
    return np.concatenate([colour, alpha], axis=2)


# ------------------------------------------------------------------- twins

def weight_map(plane):
    """Eq 4-6: up, down, left, right; the largest |d|, first on ties."""
    plane = plane.astype(np.float32)
    height, width = plane.shape
    differences = np.zeros((4, height, width), np.float32)
    exists = np.zeros((4, height, width), bool)
    differences[0, 1:] = plane[1:] - plane[:-1]
    exists[0, 1:] = True
    differences[1, :-1] = plane[:-1] - plane[1:]
    exists[1, :-1] = True
    differences[2, :, 1:] = plane[:, 1:] - plane[:, :-1]
    exists[2, :, 1:] = True
    differences[3, :, :-1] = plane[:, :-1] - plane[:, 1:]
    exists[3, :, :-1] = True
    magnitude = np.where(exists, np.abs(differences), -1.0)
    best = np.argmax(magnitude, axis=0)
    return np.take_along_axis(differences, best[None], axis=0)[0]


def selection_map(weights, alpha):
    """Eq 7, and where a pixel lies too close to the band's edges for a
    float32 / float64 difference between two implementations to matter."""
    weights = weights.astype(np.float64)
    normalised = (weights - weights.min()) / (weights.max() - weights.min())
    mean, sd = normalised.mean(), normalised.std()
    low, high = mean - alpha * sd, mean + alpha * sd
    selected = ((normalised < low) | (normalised > high)).astype(np.float64)
    ambiguous = ((np.abs(normalised - low) < 1e-5) |
                 (np.abs(normalised - high) < 1e-5))
    return selected, ambiguous


def highpass(plane, cutoff):
    height, width = plane.shape
    fy = np.fft.fftfreq(height) * height / (height / 2.0)
    fx = np.fft.fftfreq(width) * width / (width / 2.0)
    radius = np.hypot(fy[:, None], fx[None, :])
    spectrum = np.fft.fft2(plane)
    spectrum[radius < cutoff] = 0
    spectrum[0, 0] = 0
    return np.fft.ifft2(spectrum).real


def gradient_magnitude(plane):
    """Prewitt (1/3)(1 0 -1) with replicated borders."""
    p = np.pad(plane, 1, mode='edge')
    gx = (p[:-2, :-2] + p[1:-1, :-2] + p[2:, :-2]
          - p[:-2, 2:] - p[1:-1, 2:] - p[2:, 2:]) / 3
    gy = (p[:-2, :-2] + p[:-2, 1:-1] + p[:-2, 2:]
          - p[2:, :-2] - p[2:, 1:-1] - p[2:, 2:]) / 3
    return np.hypot(gx, gy)


def gms_map(image, reference):
    g1, g2 = gradient_magnitude(image), gradient_magnitude(reference)
    return 1 - (2 * g1 * g2 + GMS_C) / (g1 ** 2 + g2 ** 2 + GMS_C)


def tent(t):
    return max(0.0, 1.0 - abs(t))


def bilinear_taps(scale):
    """(i, j, dy, dx, weight): output pixel (s y + i, s x + j) takes
    weight x input pixel (y + dy, x + dx); it lies at input position
    y + (i + 0.5) / s - 0.5 and takes the two rows (columns) nearest."""
    for i in range(scale):
        for j in range(scale):
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    weight = (tent(dy - ((i + 0.5) / scale - 0.5)) *
                              tent(dx - ((j + 0.5) / scale - 0.5)))
                    if weight > 0:
                        yield i, j, dy, dx, weight


def write_bilinear_network(path, scale, gain, alpha):
    """An hfsr model (models/FORMAT.md): a 5x5 convolution and a pixel
    shuffle that upsample bilinearly, times @gain, trained for @alpha."""
    weights = np.zeros((3 * scale * scale, 3, 5, 5), np.float32)
    for i, j, dy, dx, weight in bilinear_taps(scale):
        for c in range(3):
            weights[c * scale * scale + i * scale + j, c, 2 + dy, 2 + dx] = \
                gain * weight
    graph = {'input': {'name': 'input', 'channels': 3},
             'outputs': ['output'],
             'nodes': [{'name': 'up', 'op': 'conv2d', 'inputs': ['input'],
                        'weight': 'up.weight'},
                       {'name': 'output', 'op': 'pixel_shuffle',
                        'inputs': ['up'], 'factor': scale}]}
    header = json.dumps({
        'up.weight': {'dtype': 'F32', 'shape': list(weights.shape),
                      'data_offsets': [0, weights.nbytes]},
        '__metadata__': {'hfsr.format': '1', 'hfsr.graph': json.dumps(graph),
                         'hfsr.task': 'super-resolution',
                         'hfsr.scale': str(scale), 'hfsr.alpha': alpha},
    }).encode()
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(header)) + header +
                weights.astype('<f4').tobytes())


def bilinear_twin(colour, scale, gain):
    """What write_bilinear_network's network gives: zero-padded borders,
    clamped to [0, 1] as the op does."""
    height, width, _ = colour.shape
    padded = np.pad(colour, ((1, 1), (1, 1), (0, 0)))
    out = np.zeros((height * scale, width * scale, colour.shape[2]))
    for i, j, dy, dx, weight in bilinear_taps(scale):
        out[i::scale, j::scale] += weight * padded[1 + dy:1 + dy + height,
                                                   1 + dx:1 + dx + width]
    return np.clip(gain * out, 0, 1)


# The family the op finds on HFSR_MODEL_PATH: alpha 0 at gain 1 and alpha
# 1/3 at gain 0.5, so alpha 0.2 blends them 0.4 : 0.6 to gain 0.7.
SR_FAMILY = (('hfsr-x2-a0.safetensors', 1.0, '0'),
             ('hfsr-x2-a1-3.safetensors', 0.5, '0.3333333333333333'))
SR_GAIN_AT_0_2 = 0.4 * 1.0 + 0.6 * 0.5


# ------------------------------------------------------------------- make

def make(directory):
    rng = np.random.default_rng(2026)
    y, x = np.mgrid[0:HEIGHT, 0:WIDTH]
    # Smooth shading with a noisy patch: the selection map then holds both
    # values (noise gives large weights, shading ones near the mean).
    smooth = 0.5 + 0.2 * np.sin(x / 9.0) * np.cos(y / 11.0)
    patch = ((np.abs(x - 40) < 15) & (np.abs(y - 20) < 12))[:, :, None]

    def image(channels, maximum, noise):
        values = smooth[:, :, None] + patch * rng.uniform(
            -noise, noise, (HEIGHT, WIDTH, channels))
        return np.clip(np.rint(values * maximum), 0, maximum)

    def save(name, pixels):
        write_png(os.path.join(directory, name), pixels)

    rgb8 = image(3, 255, 0.2).astype(np.uint8)
    save('rgb8.png', rgb8)
    rgba16 = image(4, 65535, 0.2).astype(np.uint16)
    rgba16[:, :, 3] = rng.integers(0, 65536, (HEIGHT, WIDTH))
    save('rgba16.png', rgba16)
    grey8 = image(1, 255, 0.1).astype(np.uint8)
    save('grey8.png', grey8)
    greya8 = image(2, 255, 0.1).astype(np.uint8)
    greya8[:, :, 1] = rng.integers(0, 256, (HEIGHT, WIDTH))
    save('greya8.png', greya8)
    # The GMS reference: the grey image with noise on its right half.
    reference = grey8.astype(np.int32)
    reference[:, WIDTH // 2:] += rng.integers(-40, 41,
                                              (HEIGHT, WIDTH - WIDTH // 2, 1))
    save('grey8-reference.png', np.clip(reference, 0, 255).astype(np.uint8))
    save('grey8-small.png', grey8[:, :40])

    from PIL import Image
    Image.fromarray(rgb8).save(os.path.join(directory, 'photo.jpg'),
                               quality=90)

    big = rng.integers(0, 256, (200, 300, 3)).astype(np.uint8)
    save('big-rgb8.png', big)
    # alpha rising left to right, one pixel in 20 transparent: colour at
    # small alpha is where chunking showed (straight colour magnified the
    # network's last bits)
    alpha = np.clip(np.linspace(-0.3, 1.3, 300), 0, 1)[None, :].repeat(200, 0)
    alpha[rng.uniform(size=(200, 300)) < 0.05] = 0
    save('big-rgba8.png', np.dstack([big, np.rint(alpha * 255).astype(np.uint8)]))

    os.mkdir(os.path.join(directory, 'models'))
    for name, gain, alpha in SR_FAMILY:
        write_bilinear_network(os.path.join(directory, 'models', name), 2,
                               gain, alpha)


# ------------------------------------------------------------------- check

class Checker:
    def __init__(self, directory):
        self.directory = directory
        self.failures = 0

    def path(self, name):
        return os.path.join(self.directory, name)

    def fail(self, message):
        print('FAIL:', message)
        self.failures += 1

    def log_clean(self, name):
        """A run that should have worked left no hfsr warning or error."""
        log = open(self.path(name + '.log')).read()
        for bad in ('hfsr-WARNING', 'hfsr-CRITICAL', 'Error'):
            if bad in log:
                self.fail(f'{name}: "{bad}" in its output:\n{log}')

    def output(self, name, shape):
        pixels, depth = read_png(self.path(name + '.png'))
        if pixels.shape[:2] != shape:
            self.fail(f'{name}: size {pixels.shape[:2]}, expected {shape}')
            return None, 1.0
        # Half a quantisation step plus float noise.
        return pixels, 0.5 / (2 ** depth - 1) + 2e-6

    def close(self, name, actual, expected, tolerance, skip=None):
        error = np.abs(actual - expected)
        if skip is not None:
            error = np.where(skip, 0, error)
        worst = np.unravel_index(np.argmax(error), error.shape)
        if error[worst] > tolerance:
            self.fail(f'{name}: at (y, x, c) = {worst} got {actual[worst]:.6f}'
                      f', expected {expected[worst]:.6f} (+-{tolerance:.2g})')
        else:
            print(f'ok: {name} (max error {error.max():.2g})')

    def hf_maps(self, name, source):
        rgba = as_rgba(source)
        colour = rgba[:, :, :3]
        weights = np.stack([weight_map(colour[:, :, c]) for c in range(3)],
                           axis=2)
        selections = [selection_map(weights[:, :, c], 0.2) for c in range(3)]
        expected = {
            'signed': np.clip(0.5 + weights, 0, 1),
            'magnitude': np.abs(weights),
            'selection': np.stack([s for s, _ in selections], axis=2),
            'highpass': np.clip(0.5 + np.stack(
                [highpass(colour[:, :, c], 0.1) for c in range(3)], axis=2),
                0, 1),
        }
        ambiguous = np.stack([a for _, a in selections], axis=2)
        # A fixture whose selection is nearly constant would test little.
        if not 0.05 < expected['selection'].mean() < 0.95 or \
                ambiguous.mean() > 0.01:
            self.fail(f'{name}: fixture gives a weak selection test')
        for mode, map_ in expected.items():
            run = f'hf-{name}-{mode}'
            self.log_clean(run)
            actual, tolerance = self.output(run, source.shape[:2])
            if actual is None:
                continue
            if actual.shape[2] != 4:
                self.fail(f'{run}: {actual.shape[2]} channels, expected 4')
                continue
            self.close(run, actual[:, :, :3], map_, tolerance,
                       ambiguous if mode == 'selection' else None)
            self.close(run + ' alpha', actual[:, :, 3], rgba[:, :, 3],
                       tolerance)

    def grey_map(self, run, shape):
        actual, tolerance = self.output(run, shape)
        if actual is not None and actual.shape[2] != 1:
            self.fail(f'{run}: {actual.shape[2]} channels, a grey map has 1')
            return None, tolerance
        return (None if actual is None else actual[:, :, 0]), tolerance

    def gms_maps(self):
        image = read_png(self.path('grey8.png'))[0][:, :, 0]
        reference = read_png(self.path('grey8-reference.png'))[0][:, :, 0]
        gms = gms_map(image, reference)
        shape = image.shape
        left = np.s_[:, :WIDTH // 2 - 20]  # beyond every map's reach

        self.log_clean('gms-grey-gms')
        actual, tolerance = self.grey_map('gms-grey-gms', shape)
        if actual is not None:
            self.close('gms-grey-gms', actual, gms, tolerance)

        self.log_clean('gms-grey-hard')
        actual, _ = self.grey_map('gms-grey-hard', shape)
        if actual is not None:
            if not np.all((actual == 0) | (actual == 1)):
                self.fail('gms-grey-hard: not binary')
            # An opening only removes pixels from the binarised map.
            elif np.any((actual == 1) & (gms <= 0.1 - 1e-4)):
                self.fail('gms-grey-hard: 1 where GMS is below threshold')
            elif actual[left].any() or not actual.any():
                self.fail('gms-grey-hard: differences in the wrong place')
            else:
                print('ok: gms-grey-hard')

        self.log_clean('gms-grey-soft')
        actual, _ = self.grey_map('gms-grey-soft', shape)
        if actual is not None:
            if actual.min() < 0 or actual.max() > 1 or actual[left].any():
                self.fail('gms-grey-soft: values outside [0, 1] or in the '
                          'unchanged left half')
            elif not np.any((actual > 0.05) & (actual < 0.95)):
                self.fail('gms-grey-soft: no graded values')
            else:
                print('ok: gms-grey-soft')

        self.log_clean('gms-rgb-self')
        actual, tolerance = self.grey_map('gms-rgb-self', shape)
        if actual is not None:
            self.close('gms-rgb-self', actual, np.zeros(shape), tolerance)

        for run, words in (('gms-mismatch', 'same rectangle'),
                           ('gms-missing', 'no reference')):
            log = open(self.path(run + '.log')).read()
            if 'hfsr-WARNING' not in log or words not in log:
                self.fail(f'{run}: no warning with "{words}":\n{log}')
            actual, tolerance = self.grey_map(run, shape)
            if actual is not None:
                self.close(run, actual, np.ones(shape), tolerance)

    def super_resolution(self):
        rgb = read_png(self.path('rgb8.png'))[0]
        grey = read_png(self.path('grey8.png'))[0]
        for run, source, gain in (('sr-rgb8', rgb, SR_GAIN_AT_0_2),
                                  ('sr-grey8', grey, 1.0)):
            self.log_clean(run)
            height, width, channels = source.shape
            actual, tolerance = self.output(run, (2 * height, 2 * width))
            if actual is None:
                continue
            # Grey stays grey (Y' and alpha), colour R'G'B'A; opaque.
            if actual.shape[2] != channels + 1:
                self.fail(f'{run}: {actual.shape[2]} channels, expected '
                          f'{channels + 1}')
                continue
            self.close(run, actual[:, :, :-1],
                       bilinear_twin(source, 2, gain), tolerance)
            self.close(run + ' alpha', actual[:, :, -1],
                       np.ones(actual.shape[:2]), tolerance)

        # No network: a warning naming the file, and the cubic upscale of
        # the input, never black.
        run = 'sr-missing'
        log = open(self.path(run + '.log')).read()
        if 'hfsr-WARNING' not in log or 'missing.safetensors' not in log:
            self.fail(f'{run}: no warning naming the file:\n{log}')
        actual, _ = self.output(run, (3 * HEIGHT, 3 * WIDTH))
        if actual is not None:
            nearest = np.repeat(np.repeat(rgb, 3, axis=0), 3, axis=1)
            difference = np.abs(actual[:, :, :3] - nearest).mean()
            if difference > 0.05 or actual[:, :, 3].min() < 0.99:
                self.fail(f'{run}: mean distance {difference:.3f} to the '
                          f'input, alpha down to {actual[:, :, 3].min()}')
            else:
                print(f'ok: {run} (mean distance to the input '
                      f'{difference:.3f})')

    def run(self):
        for name in ('rgb8', 'rgba16', 'grey8', 'greya8'):
            self.hf_maps(name, read_png(self.path(name + '.png'))[0])
        # The JPEG as GEGL decoded it.
        self.hf_maps('jpeg', read_png(self.path('photo-decoded.png'))[0])
        self.gms_maps()
        self.super_resolution()
        return 1 if self.failures else 0


# Tile splits and thread counts may change results by this much (float
# sums in another order inside OpenBLAS's edge kernels), no more.
SPLIT_TOLERANCE = 1e-5


def same(first, second):
    """`same A B`: the two float images (.npy of gegl:npy-save, or float
    .tif of gegl:tiff-save, which keeps alpha) agree within
    SPLIT_TOLERANCE; prints the largest difference."""
    if first.endswith('.tif'):
        import tifffile
        a, b = tifffile.imread(first), tifffile.imread(second)
    else:
        a, b = np.load(first), np.load(second)
    if a.shape != b.shape or a.size == 0:
        print(f'{first} is {a.shape}, {second} {b.shape}')
        return 1
    worst = float(np.abs(a.astype(np.float64) - b).max())
    print(f'max difference {worst:.3g}')
    return 0 if worst <= SPLIT_TOLERANCE else 1


if __name__ == '__main__':
    if sys.argv[1] == 'make':
        make(sys.argv[2])
    elif sys.argv[1] == 'same':
        sys.exit(same(sys.argv[2], sys.argv[3]))
    else:
        sys.exit(Checker(sys.argv[2]).run())
