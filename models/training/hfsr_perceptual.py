#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The perceptual (sharp) HF-SR variant after Roh & Kang: a small high-pass
filtering (HPF) network as the loss network in place of VGG (eq 1), the soft
gradient magnitude similarity (GMS) mask (section 3.4), and an adversarial
fine-tune with ESRGAN's relativistic average GAN, applied to the shipped
WDSR-A fidelity networks.

    R=models/training/runs/perceptual-x2
    P="/usr/bin/python3 models/training/hfsr_perceptual.py --threads 1"
    $P --stage hpf --out $R --iters 500                 # R/hpf.pt
    $P --stage l1 --scale 2 --out $R --iters 1000       # from models/hfsr-x2-a0.safetensors
    $P --stage hpf-loss --out $R --iters 1000 --init $R/l1.safetensors
    $P --stage gms --out $R --iters 1000 --init $R/hpf-loss.safetensors
    $P --stage adv --out $R --iters 1000 --init $R/gms.safetensors
    $P --stage eval --models models/hfsr-x2-a0.safetensors $R/*.safetensors

Each generator stage adds one term to the loss of the one before, so the eval
table reads as an ablation:

    l1        L1 (the control: what more training alone does)
    hpf-loss  L1 + w_hf L_hf (eq 1: L1 between the HPF network's first two
              feature maps of SR and HR; the network frozen)
    gms       the same on SR and HR multiplied by the soft GMS map of SR
              against HR (as the paper does), so that training goes to the
              regions restored worst
    adv       that + w_adv times the RaGAN generator loss; a small
              discriminator trains beside the generator

Data, the validation images (never trained on), the time budget and the
checkpoints are hfsr_sr.py's; see models/training/README.md for the recipe.
"""

import argparse
import copy
import hashlib
import json
import math
import os
import shlex
import sys
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

import dog_sr
import hfsr_data
import hfsr_sr
import wdsr
from hfsr_export import export_model, load_model_file, run_graph

GENERATOR_STAGES = ('l1', 'hpf-loss', 'gms', 'adv')
STAGES = ('hpf',) + GENERATOR_STAGES + ('eval',)
# Iterations when --iters is not given: the HPF network is small and learns
# fast; the generator stages are fine-tunes of a trained network.
DEFAULT_ITERS = {'hpf': 500, 'generator': 1000}
# Side of the patches the HPF network trains on (full-resolution photos).
HPF_PATCH = 64

# ------------------------------------------------------------ the HPF network

# The engine's hfsr:hf-map mode=highpass default: everything below a tenth of
# the Nyquist frequency goes.  The target the HPF network learns is exactly
# that map of each R'G'B' channel (hfsr_highpass), so the op shows what the
# loss network was taught to see.  (Its 7x7 receptive field reproduces about
# 80 % of that map's energy; a higher cutoff would be easier, see README.)
HPF_CUTOFF = 0.1
HPF_FEATURES = 32
# Three 3x3 convolutions see 3 pixels around each output pixel; closer to a
# patch border the network sees its zero padding instead of the image, so
# training and validation score only pixels at least this far inside.
HPF_REACH = 3


class HighPassNet(nn.Module):
    """Roh & Kang's three-layer high-pass filtering network: conv3x3 3->32,
    ReLU, conv3x3 32->32, ReLU, conv3x3 32->3, from R'G'B' to the high-pass
    of each channel.  `features()` returns the two intermediate maps that eq
    1 compares, taken before their ReLU: ESRGAN found pre-activation features
    denser, and after a ReLU every negative response (half the edges of a
    high-pass) would weigh nothing."""

    def __init__(self, channels=3, features=HPF_FEATURES):
        super().__init__()
        self.layers = nn.ModuleList([nn.Conv2d(channels, features, 3, padding=1),
                                     nn.Conv2d(features, features, 3, padding=1),
                                     nn.Conv2d(features, channels, 3, padding=1)])

    def features(self, x):
        maps = []
        for layer in self.layers[:-1]:
            x = layer(x)
            maps.append(x)
            x = F.relu(x)
        return maps, self.layers[-1](x)

    def forward(self, x):
        return self.features(x)[1]


def fft_highpass(planes, cutoff=HPF_CUTOFF):
    """hfsr_highpass (engine/maps/highpass.c) on the last two axes: the
    frequencies whose radius sqrt((fx / (W/2))^2 + (fy / (H/2))^2) lies below
    `cutoff` are removed, and the mean always."""
    height, width = planes.shape[-2:]
    spectrum = torch.fft.rfft2(planes.double())
    fy = torch.fft.fftfreq(height, dtype=torch.float64) * height
    fx = torch.arange(width // 2 + 1, dtype=torch.float64)
    radius = torch.sqrt((fy[:, None] / (height / 2.0)) ** 2 + (fx[None, :] / (width / 2.0)) ** 2)
    keep = radius >= cutoff
    keep[0, 0] = False
    return torch.fft.irfft2(spectrum * keep, s=(height, width)).to(planes.dtype)


class HighPassSampler:
    """Random patches of the training photos with their high-pass targets.
    The target is computed once on each whole image, as the op computes it
    (a patch's own FFT would wrap around the patch borders), kept as float16
    (about 1e-3 relative: far below what the network misses) and cropped
    with the patch; both get one of the 8 symmetries, which commute with the
    radial filter.  Patches are drawn uniformly over all pixel positions."""

    def __init__(self, paths, patch, cutoff):
        self.patch = patch
        self.images, self.targets, self.paths, self.skipped = [], [], [], []
        for path in paths:
            image = hfsr_data.load_image(path)
            if min(image.shape[:2]) < patch:
                self.skipped.append(path)
                continue
            target = fft_highpass(torch.from_numpy(image.transpose(2, 0, 1).copy()), cutoff)
            self.images.append(np.round(image * 255.0).astype(np.uint8))
            self.targets.append(target.numpy().transpose(1, 2, 0).astype(np.float16))
            self.paths.append(path)
        if not self.paths:
            raise SystemExit(f'hfsr_perceptual: no training image is at least {patch}x{patch}')
        areas = np.array([i.shape[0] * i.shape[1] for i in self.images], dtype=np.float64)
        self.probabilities = areas / areas.sum()

    def batch(self, rng, size):
        """(N, 3, p, p) uint8 patches and their float16 targets."""
        p = self.patch
        images = np.empty((size, 3, p, p), dtype=np.uint8)
        targets = np.empty((size, 3, p, p), dtype=np.float16)
        for n, index in enumerate(rng.choice(len(self.paths), size=size, p=self.probabilities)):
            image, target = self.images[index], self.targets[index]
            y = int(rng.integers(0, image.shape[0] - p + 1))
            x = int(rng.integers(0, image.shape[1] - p + 1))
            mode = int(rng.integers(0, 8))
            for out, source in ((images, image), (targets, target)):
                out[n] = hfsr_data.dihedral(source[y:y + p, x:x + p], mode).transpose(2, 0, 1)
        return images, targets


def interior(planes, reach=HPF_REACH):
    return planes[..., reach:planes.shape[-2] - reach, reach:planes.shape[-1] - reach]


# PyTorch's CPU convolutions slow down about 3 times per pixel once a batch of
# 32-channel full-resolution maps outgrows the cache: the HPF loss of 16 HR
# patches of 128x128 (x4) took 0.50 s on one thread, in pieces of 4 0.17 s
# (at 64x64 the same either way).  A GPU is best fed the whole batch.
CPU_PIECE_PIXELS = 4 * 128 * 128


def pieces(batch):
    """`batch` split along its first axis into pieces of at most
    CPU_PIECE_PIXELS pixels on a CPU; whole elsewhere."""
    if batch.device.type != 'cpu':
        return [batch]
    return batch.split(max(1, CPU_PIECE_PIXELS // (batch.shape[-2] * batch.shape[-1])))


def hpf_loss(hpf, sr, hr):
    """Eq 1: L_0 + L_1, each the mean absolute difference of one feature map
    of the frozen HPF network on SR and on HR (HR's without a graph)."""
    total = 0.0
    for sr_piece, hr_piece in zip(pieces(sr), pieces(hr)):
        with torch.no_grad():
            hr_maps, _ = hpf.features(hr_piece)
        sr_maps, _ = hpf.features(sr_piece)
        # Pieces hold equal-sized samples: the batch mean is their weighted mean.
        total = total + len(sr_piece) * sum((a - b).abs().mean() for a, b in zip(sr_maps, hr_maps))
    return total / len(sr)


def load_hpf(path, device):
    """The HPF network of a `--stage hpf` run (a plain state_dict)."""
    hpf = HighPassNet().to(device)
    hpf.load_state_dict(torch.load(path, map_location=device, weights_only=True))
    hpf.eval()
    for parameter in hpf.parameters():
        parameter.requires_grad_(False)
    return hpf


# ------------------------------------------------------------ soft GMS mask

# hfsr:gms-map's defaults (ops/hfsr-gms-map.c), so that the op shows the mask
# a model was trained with.  c is Roh & Kang's 170 for [0, 255], here [0, 1].
GMS_C = 170.0 / (255.0 * 255.0)
GMS_THRESHOLD = 0.1
GMS_RADIUS = 1
GMS_SIGMA = 1.5
GMS_ITERATIONS = 2


def gradient_magnitude(planes):
    """hfsr_gradient_magnitude on (..., H, W): Prewitt kernels (1/3)(1 0 -1),
    borders replicated."""
    shape = planes.shape
    p = F.pad(planes.reshape(-1, 1, *shape[-2:]), (1, 1, 1, 1), mode='replicate')
    gx = ((p[..., :-2, :-2] + p[..., 1:-1, :-2] + p[..., 2:, :-2])
          - (p[..., :-2, 2:] + p[..., 1:-1, 2:] + p[..., 2:, 2:])) / 3.0
    gy = ((p[..., :-2, :-2] + p[..., :-2, 1:-1] + p[..., :-2, 2:])
          - (p[..., 2:, :-2] + p[..., 2:, 1:-1] + p[..., 2:, 2:])) / 3.0
    return torch.sqrt(gx * gx + gy * gy).reshape(shape)


def gms_map(image, reference, c=GMS_C):
    """Roh & Kang eq 3 of two planes (..., H, W): 0 alike, 1 different;
    computed in float64 as hfsr_gms_map does."""
    g1 = gradient_magnitude(image).double()
    g2 = gradient_magnitude(reference).double()
    return (1.0 - (2.0 * g1 * g2 + c) / (g1 * g1 + g2 * g2 + c)).to(image.dtype)


def disk_offsets(radius):
    """The (dy, dx) of hfsr_morph_open's disk: dx^2 + dy^2 <= radius^2."""
    return [(dy, dx) for dy in range(-radius, radius + 1) for dx in range(-radius, radius + 1)
            if dx * dx + dy * dy <= radius * radius]


def morph_open(planes, radius):
    """hfsr_morph_open on (N, C, H, W): the minimum, then the maximum, over
    the disk's pixels that lie inside the image (padding with +inf, then
    -inf, leaves the outside out)."""
    if radius == 0:
        return planes.clone()
    height, width = planes.shape[-2:]
    offsets = disk_offsets(radius)

    def extreme(x, pick, outside):
        padded = F.pad(x, (radius,) * 4, value=outside)
        out = None
        for dy, dx in offsets:
            window = padded[..., radius + dy:radius + dy + height, radius + dx:radius + dx + width]
            out = window if out is None else pick(out, window)
        return out

    return extreme(extreme(planes, torch.minimum, math.inf), torch.maximum, -math.inf)


def gaussian_blur(planes, sigma):
    """hfsr_gaussian_blur on (N, C, H, W): dog_sr's kernel (radius
    ceil(3 sigma), normalised), borders replicated."""
    kernel = torch.tensor(dog_sr.gaussian_kernel(sigma), dtype=planes.dtype, device=planes.device)
    r = (kernel.numel() - 1) // 2
    n, c, h, w = planes.shape
    x = F.pad(planes.reshape(n * c, 1, h, w), (r, r, r, r), mode='replicate')
    x = F.conv2d(x, kernel.view(1, 1, 1, -1))
    x = F.conv2d(x, kernel.view(1, 1, -1, 1))
    return x.reshape(n, c, h, w)


@torch.no_grad()
def soft_gms_map(image, reference, threshold=GMS_THRESHOLD, radius=GMS_RADIUS, sigma=GMS_SIGMA,
                 iterations=GMS_ITERATIONS):
    """`hfsr:gms-map mode=soft` of R'G'B' batches (N, 3, H, W), image against
    reference, as (N, 1, H, W) in [0, 1]: GMS of babl's Y' (dog_sr.grey,
    what the op reads), binarised above `threshold`, opened with a disk of
    `radius`, then `iterations` times blurred (Gaussian of `sigma`) and
    opened.  Each sample is a whole image (its borders are the op's image
    borders).  No gradient: the binarisation has none, and the paper uses
    the map as a mask on both images."""
    image = dog_sr.grey(image.clamp(0.0, 1.0))
    reference = dog_sr.grey(reference.clamp(0.0, 1.0))
    mask = morph_open((gms_map(image, reference) > threshold).to(image.dtype), radius)
    for _ in range(iterations):
        mask = morph_open(gaussian_blur(mask, sigma), radius)
    return mask


# ------------------------------------------------------------ adversarial

class Discriminator(nn.Module):
    """A small VGG-like critic of HR patches: pairs of conv3x3 (stride 1) and
    conv4x4 (stride 2) at 32, 64, 128 features, LeakyReLU 0.2, global average
    pooling and a linear score, so that any patch size (HR 64 at x2, 128 at
    x4 with the default LR patch 32) fits.  No batch norm: batches of 16 on
    a CPU give noisy statistics, and RaGAN trains stably without.

    `patch`: a score for every position of the last feature map instead
    (a 1x1 convolution, each seeing 36 x 36 HR pixels, one logit a
    row), so the critic judges each neighbourhood rather than the patch's
    average features: the pooled critic stayed at chance (RaGAN loss ln 2)
    through whole x4 runs (models/README.md, "Perceptual variant")."""

    def __init__(self, channels=3, widths=(32, 64, 128), patch=False):
        super().__init__()
        layers, previous = [], channels
        for width in widths:
            layers += [nn.Conv2d(previous, width, 3, padding=1), nn.LeakyReLU(0.2),
                       nn.Conv2d(width, width, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            previous = width
        self.features = nn.Sequential(*layers)
        self.patch = patch
        self.score = nn.Conv2d(previous, 1, 1) if patch else nn.Linear(previous, 1)

    def forward(self, x):
        if self.patch:
            return torch.cat([self.score(self.features(piece)).reshape(-1, 1) for piece in pieces(x)])
        return torch.cat([self.score(self.features(piece).mean(dim=(2, 3))) for piece in pieces(x)])


def ragan_loss(real_logits, fake_logits, for_generator):
    """ESRGAN's relativistic average GAN loss: D_Ra(a, b) = sigmoid(C(a) -
    mean C(b)).  The discriminator wants D_Ra(real, fake) = 1 and D_Ra(fake,
    real) = 0; the generator the opposite, which also gives it a gradient
    from the real images' term.  Each side's loss is the mean of its two
    binary cross-entropies."""
    real = real_logits - fake_logits.mean()
    fake = fake_logits - real_logits.mean()
    real_label = 0.0 if for_generator else 1.0
    return 0.5 * (F.binary_cross_entropy_with_logits(real, torch.full_like(real, real_label))
                  + F.binary_cross_entropy_with_logits(fake, torch.full_like(fake, 1.0 - real_label)))


# ------------------------------------------------------------ the generator

def load_generator(path):
    """A trainable WDSR-A (wdsr.py, weight norm) holding the weights of an
    exported file such as models/hfsr-x2-a0.safetensors, its architecture
    and the file's metadata (wdsr.load_folded unfolds the weight
    normalisation; the architecture is read from the tensors' shapes)."""
    metadata, tensors = load_model_file(path)
    try:
        scale = int(metadata['hfsr.scale'])
        features, channels = tensors['head.weight'].shape[:2]
        blocks = sum(1 for name in tensors if name.startswith('body.') and name.endswith('.expand.weight'))
        expansion = tensors['body.0.expand.weight'].shape[0] // features
        model = wdsr.WDSRA(scale=scale, features=features, blocks=blocks, expansion=expansion,
                           channels=channels)
        wdsr.load_folded(model, tensors)
    except (KeyError, ValueError, RuntimeError) as problem:
        raise SystemExit(f'hfsr_perceptual: {path} is not a WDSR-A super-resolution file ({problem})')
    architecture = {'scale': scale, 'features': features, 'blocks': blocks, 'expansion': expansion,
                    'channels': channels}
    return model, architecture, metadata


# ------------------------------------------------------------ evaluation

LAPLACIAN = torch.tensor([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]], dtype=torch.float64)


def detail(y):
    """Mean |Laplacian| (valid part) of a Y plane."""
    return float(F.conv2d(torch.from_numpy(y)[None, None], LAPLACIAN[None, None]).abs().mean())


def gmsd(y_sr, y_hr):
    """Xue et al.'s GMSD: the standard deviation of the GMS map (c = 170 on
    [0, 255]) after their 2x2 mean downsampling, with the engine's Prewitt
    kernels; 0 is identical structure, higher is worse."""
    a = F.avg_pool2d(torch.from_numpy(y_sr)[None, None], 2)
    b = F.avg_pool2d(torch.from_numpy(y_hr)[None, None], 2)
    return float(gms_map(a, b).std(unbiased=False))


def image_metrics(sr, hr, scale):
    """(Y-PSNR, SSIM, GMSD, detail energy) of an 8-bit SR image against HR on
    BT.601 Y with `scale` pixels shaved: SSIM as SR papers (and hfsr-eval)
    compute it (Gaussian window 11 / 1.5, on [0, 255]); detail energy is the
    mean |Laplacian| of SR's Y over HR's: 1 is HR's amount of fine detail,
    below is smoother, above is sharper (or noisier) than HR."""
    from skimage.metrics import structural_similarity
    y_sr = hfsr_data.rgb_to_y(sr)[scale:-scale, scale:-scale]
    y_hr = hfsr_data.rgb_to_y(hr)[scale:-scale, scale:-scale]
    ssim = structural_similarity(y_sr * 255, y_hr * 255, gaussian_weights=True, sigma=1.5,
                                 use_sample_covariance=False, data_range=255)
    return (hfsr_data.y_psnr(sr, hr, scale), ssim, gmsd(y_sr, y_hr), detail(y_sr) / detail(y_hr))


METRIC_NAMES = ('Y-PSNR (dB)', 'SSIM', 'GMSD', 'detail energy')


class Evaluation:
    """The validation images at one scale: HR mod-cropped, LR by MATLAB
    bicubic rounded to 8 bits; `run(upscale)` scores an upscaler (LR float32
    (H, W, 3) -> SR) with its outputs clipped and rounded to 8 bits, as the
    mean of each metric over the images."""

    def __init__(self, groups, scale):
        self.scale = scale
        self.pairs = []
        for _, paths in groups:
            for path in paths:
                hr = hfsr_data.modcrop(hfsr_data.load_image(path), scale)
                self.pairs.append((hr, hfsr_data.bicubic_downscale(hr, scale)))

    def __bool__(self):
        return bool(self.pairs)

    def run(self, upscale):
        scores = [image_metrics(hfsr_data.quantize(upscale(lr)), hr, self.scale) for hr, lr in self.pairs]
        return tuple(float(np.mean(column)) for column in zip(*scores))

    def bicubic(self):
        return self.run(lambda lr: hfsr_data.bicubic_upscale(lr, self.scale))

    @staticmethod
    def describe(scores):
        return ', '.join(f'{name} {value:.4f}' for name, value in zip(METRIC_NAMES, scores))


def torch_upscaler(model, device):
    @torch.no_grad()
    def upscale(lr):
        x = torch.from_numpy(np.ascontiguousarray(lr.transpose(2, 0, 1)))[None].to(device)
        return model(x)[0].cpu().numpy().transpose(1, 2, 0)
    return upscale


def file_upscaler(path):
    """The model file run by hfsr_export.run_graph: exactly what the file
    computes, for any SR network in the engine's format."""
    @torch.no_grad()
    def upscale(lr):
        return run_graph(path, torch.from_numpy(np.ascontiguousarray(lr.transpose(2, 0, 1))))['output'] \
            .numpy().transpose(1, 2, 0)
    return upscale


def markdown_table(rows):
    """rows: (name, scale, scores) -> a Markdown table."""
    lines = ['| model | scale | ' + ' | '.join(METRIC_NAMES) + ' |',
             '|---|---|' + '---|' * len(METRIC_NAMES)]
    for name, scale, (psnr, ssim, gmsd_value, energy) in rows:
        lines.append(f'| {name} | x{scale} | {psnr:.2f} | {ssim:.4f} | {gmsd_value:.4f} | {energy:.3f} |')
    return '\n'.join(lines)


def run_eval(args):
    """--stage eval: one row a model file at its own scale, and a bicubic row
    for each scale, on the validation images."""
    if not args.models:
        raise SystemExit('hfsr_perceptual: --stage eval needs --models FILE ...')
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    _, groups, _ = hfsr_sr.gather_images(args, print)
    evaluations, rows = {}, []
    for path in args.models:
        scale = int(load_model_file(path)[0]['hfsr.scale'])
        if scale not in evaluations:
            evaluations[scale] = Evaluation(groups, scale)
            rows.append(('bicubic', scale, evaluations[scale].bicubic()))
        rows.append((os.path.basename(path), scale, evaluations[scale].run(file_upscaler(path))))
    count = len(next(iter(evaluations.values())).pairs)
    table = markdown_table(sorted(rows, key=lambda row: row[1]))
    print(f'{count} validation images: ' + '; '.join(
        f'{label} ({len(paths)})' for label, paths in groups) + '\n\n' + table)
    return rows


# ------------------------------------------------------------ training

def build_parser():
    parser = hfsr_sr.build_parser()
    parser.description = ("Train the perceptual HF-SR variant (Roh & Kang's HPF loss and soft GMS "
                          'mask, ESRGAN RaGAN) stage by stage, or evaluate model files.')
    changes = {
        'scale': dict(required=False, default=None,
                      help='generator stages: the scale (default: the --init file\'s); picks '
                           'models/hfsr-xS-a0.safetensors when --init is not given'),
        'alpha': dict(help=argparse.SUPPRESS),
        'iters': dict(default=None, help='iterations (default %d for hpf, %d for the generator stages)'
                                         % (DEFAULT_ITERS['hpf'], DEFAULT_ITERS['generator'])),
        'patch': dict(default=None, help=f'LR patch side (default 32); hpf: the image patch side '
                                         f'(default {HPF_PATCH})'),
        'lr': dict(default=None, help='Adam learning rate at the start (default 1e-3 for hpf, 1e-4 '
                                      'for the generator stages, which fine-tune)'),
        'init': dict(help='generator stages: the exported WDSR-A model to start from (a shipped '
                          'models/hfsr-xS-a0.safetensors, or a previous stage\'s RUN_DIR/STAGE.safetensors)'),
        'out': dict(help='run folder: STAGE.log, STAGE-checkpoint.pt, hpf.pt, STAGE.safetensors'),
        'export': dict(help='where to write the generator (default OUT/STAGE.safetensors)'),
        'lr_end': dict(help='learning rate at the end of the cosine decay (default lr/100; the '
                            'discriminator\'s ends at the same fraction of its start)'),
        # The stages validate once, at the end (25 whole images take a while on a CPU).
        'val_every': dict(default=0, help=argparse.SUPPRESS),
    }
    for action in parser._actions:
        for key, value in changes.get(action.dest, {}).items():
            setattr(action, key, value)
    parser.add_argument('--stage', choices=STAGES, required=True)
    parser.add_argument('--hpf', help='the HPF network (default OUT/hpf.pt)')
    parser.add_argument('--hpf-weight', type=float, default=1.0,
                        help='w_hf, the HPF loss weight (default 1)')
    parser.add_argument('--l1-weight', type=float, default=1.0,
                        help='the L1 (pixel) loss weight (default 1; ESRGAN weights its pixel term '
                             'a hundredth of its feature term, which leaves the adversarial term more say)')
    parser.add_argument('--chroma-weight', type=float, default=0.0,
                        help='the weight of an unmasked L1 term on the BT.601 Cb and Cr of SR and HR '
                             '(default 0, none): holds the colours while the adversarial term sharpens')
    parser.add_argument('--adv-weight', type=float, default=5e-3,
                        help="w_adv, the RaGAN generator loss weight (default 5e-3, ESRGAN's)")
    parser.add_argument('--discriminator', choices=('pooled', 'patch'), default='pooled',
                        help='the critic scores a patch as a whole (pooled, the default, what the '
                             'shipped files used) or each neighbourhood of it (patch)')
    parser.add_argument('--d-lr', type=float, default=1e-4,
                        help='the discriminator\'s Adam learning rate at the start (default 1e-4)')
    parser.add_argument('--models', nargs='+', help='eval: the model files to score')
    return parser


# BT.601 chroma (MATLAB's rgb2ycbcr Cb and Cr rows, without their offset
# of 128/255), per unit of R'G'B'.
CHROMA_ROWS = ((-37.797 / 255, -74.203 / 255, 112.0 / 255),
               (112.0 / 255, -93.786 / 255, -18.214 / 255))


def chroma(planes):
    """The BT.601 Cb and Cr planes of an (N, 3, H, W) R'G'B' batch."""
    rows = torch.tensor(CHROMA_ROWS, dtype=planes.dtype, device=planes.device)
    return torch.einsum('kc,nchw->nkhw', rows, planes)


def generator_loss_terms(stage, settings, sr, hr, hpf):
    """The loss terms of a generator stage (module docstring) as a dict,
    and the share of the batch the soft GMS mask covers (1 unmasked).

    Masked, the terms are those of SR and HR multiplied by the mask, as the
    paper does, divided by the mask's mean: a constant of the batch, so each
    step goes the paper's way, but the terms keep the size of unmasked ones.
    Otherwise they would shrink with the share the mask covers (about 3 %
    of the shipped x2 network's patches at the op's default threshold) and
    the adversarial term would outweigh them."""
    coverage = torch.ones((), device=sr.device)
    # Unmasked: a colour fringe along an edge the mask leaves out (one the
    # result restores in grey levels) is still an error of the result.
    chroma_weight = settings.get('chroma_weight', 0.0)
    colour = chroma_weight * (chroma(sr) - chroma(hr)).abs().mean() if chroma_weight else None
    if stage in ('gms', 'adv'):
        mask = soft_gms_map(sr.detach(), hr)
        coverage = mask.mean()
        sr, hr = sr * mask, hr * mask
    # An all-zero mask gives zero terms (0 / tiny), not NaN.
    share = coverage.clamp(min=1e-6)
    terms = {'l1': settings['l1_weight'] * (sr - hr).abs().mean() / share}
    if stage != 'l1':
        terms['hpf'] = settings['hpf_weight'] * hpf_loss(hpf, sr, hr) / share
    if colour is not None:
        terms['chroma'] = colour
    return terms, coverage


def run_iterations(args, log, device, sampler, optimizers, step, progress, snapshot, checkpoint_path):
    """The loop every training stage shares: each optimiser's learning rate
    on hfsr_sr's cosine (from its own start to args.lr_decay of it), batches from
    hfsr_sr's Prefetcher (batch i seeded by (seed, i), so a resumed run sees
    the same batches), the --minutes budget, logged means of the loss terms
    and s/iter, checkpoints every --checkpoint-minutes and at the end.
    `step(batch)` trains on one batch and returns its terms (0-d tensors);
    `progress` holds iteration and elapsed, and is updated."""
    start = time.monotonic()
    last_checkpoint = start
    sums, window, window_start = {}, 0, start
    budget = hfsr_sr.TimeBudget(args.minutes, start, progress['iteration'], device, log)
    prefetcher = hfsr_sr.Prefetcher(sampler, args.batch, args.seed, progress['iteration'])
    elapsed_before = progress['elapsed']
    try:
        while progress['iteration'] < args.iters:
            for optimizer, base in optimizers:
                for group in optimizer.param_groups:
                    group['lr'] = hfsr_sr.cosine_lr(progress['iteration'], args.iters, base,
                                                     base * args.lr_decay)
            terms = step(prefetcher.next())
            progress['iteration'] += 1
            for name, value in terms.items():
                sums[name] = sums.get(name, 0.0) + value.detach()
            window += 1
            args.iters = budget.iterations(progress['iteration'], args.iters)
            now = time.monotonic()
            progress['elapsed'] = elapsed_before + now - start
            if progress['iteration'] % args.log_every == 0 or progress['iteration'] == args.iters:
                log(f'iter {progress["iteration"]}/{args.iters} '
                    + ' '.join(f'{name} {float(total) / window:.5f}' for name, total in sums.items())
                    + f' lr {optimizers[0][0].param_groups[0]["lr"]:.2e} elapsed {progress["elapsed"]:.0f} s '
                    f'({(now - window_start) / window:.3f} s/iter)')
                sums, window, window_start = {}, 0, time.monotonic()
            if now - last_checkpoint >= args.checkpoint_minutes * 60.0:
                hfsr_sr.save_checkpoint(checkpoint_path, snapshot())
                last_checkpoint = time.monotonic()
    finally:
        prefetcher.close()
    hfsr_sr.save_checkpoint(checkpoint_path, snapshot())


def resume_or_start(args, log, checkpoint_path, identity, modules, optimizers, device):
    """Loads the checkpoint of this stage in --out when --resume finds one
    (refusing one of another stage or settings); returns the progress:
    iteration and elapsed seconds."""
    progress = {'iteration': 0, 'elapsed': 0.0}
    if not (args.resume and os.path.exists(checkpoint_path)):
        return progress
    state = hfsr_sr.load_checkpoint(checkpoint_path, device)
    if state['identity'] != identity:
        raise SystemExit(f'hfsr_perceptual: {checkpoint_path} is a run of {state["identity"]}, '
                         f'not of {identity}')
    for name, module in modules.items():
        module.load_state_dict(state['modules'][name])
    for name, optimizer in optimizers.items():
        optimizer.load_state_dict(state['optimizers'][name])
    progress.update(iteration=state['iteration'], elapsed=state['elapsed'])
    if args.minutes is not None:
        args.iters = state['iterations']
    log(f'resumed from {checkpoint_path} at iteration {progress["iteration"]} '
        f'({progress["elapsed"]:.0f} s so far)')
    return progress


def make_snapshot(args, identity, modules, optimizers, progress, command):
    """What a checkpoint holds: `identity` (what a resume must match), the
    progress and the state of every module and optimiser."""
    def snapshot():
        return dict(command=command, identity=identity, iteration=progress['iteration'],
                    iterations=args.iters, elapsed=progress['elapsed'],
                    modules={name: module.state_dict() for name, module in modules.items()},
                    optimizers={name: optimizer.state_dict() for name, optimizer in optimizers.items()})
    return snapshot


def hpf_validation(hpf, groups, cutoff, device):
    """The share of the high-pass signal's energy the network reproduces on
    the validation images, 1 - sum (prediction - target)^2 / sum target^2,
    HPF_REACH pixels in from the borders (where the FFT target wraps around
    and the network sees its padding)."""
    error = energy = 0.0
    with torch.no_grad():
        for _, paths in groups:
            for path in paths:
                image = torch.from_numpy(hfsr_data.load_image(path).transpose(2, 0, 1).copy())
                target = interior(fft_highpass(image, cutoff))
                prediction = interior(hpf(image[None].to(device))[0].cpu())
                error += float(((prediction - target) ** 2).sum())
                energy += float((target ** 2).sum())
    return 1.0 - error / energy if energy > 0 else float('nan')


def train_hpf(args, command, out, log, device):
    """--stage hpf: the HPF network learns hfsr_highpass of each R'G'B'
    channel from patches of the training photos; MSE on the patch interior;
    Adam with a cosine decay.  Writes OUT/hpf.pt (a plain state_dict)."""
    training_paths, groups, data_description = hfsr_sr.gather_images(args, log)
    sampler = HighPassSampler(training_paths, args.patch, HPF_CUTOFF)
    log(f'data: {data_description}; {len(sampler.paths)} images used ({len(sampler.skipped)} smaller than '
        f'{args.patch}x{args.patch} skipped); target: FFT high-pass, cutoff {HPF_CUTOFF} of Nyquist, '
        f'per R\'G\'B\' channel')
    torch.manual_seed(args.seed)
    hpf = HighPassNet().to(device)
    optimizer = torch.optim.Adam(hpf.parameters(), lr=args.lr)
    identity = {'stage': 'hpf', 'features': HPF_FEATURES, 'cutoff': HPF_CUTOFF, 'patch': args.patch}
    checkpoint_path = os.path.join(out, 'hpf-checkpoint.pt')
    progress = resume_or_start(args, log, checkpoint_path, identity, {'hpf': hpf}, {'hpf': optimizer},
                               device)
    log(f'HPF network: {wdsr.parameter_count(hpf)} parameters; device {hfsr_sr.describe_device(device)}')

    def step(batch):
        images, targets = (torch.from_numpy(b).to(device).float() for b in batch)
        loss = F.mse_loss(interior(hpf(images / 255.0)), interior(targets))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return {'mse': loss}

    snapshot = make_snapshot(args, identity, {'hpf': hpf}, {'hpf': optimizer}, progress, command)
    run_iterations(args, log, device, sampler, [(optimizer, args.lr)], step, progress, snapshot,
                   checkpoint_path)
    path = os.path.join(out, 'hpf.pt')
    torch.save({k: v.cpu() for k, v in hpf.state_dict().items()}, path + '.tmp')
    os.replace(path + '.tmp', path)
    if groups:
        share = hpf_validation(hpf.eval(), groups, HPF_CUTOFF, device)
        log(f'validation: the HPF network reproduces {100 * share:.1f} % of the high-pass energy of '
            f'{sum(len(p) for _, p in groups)} images')
    log(f'wrote {path} after {progress["iteration"]} iterations ({progress["elapsed"]:.0f} s)')
    return {'iteration': progress['iteration'], 'wall_time': progress['elapsed'], 'hpf': path,
            'checkpoint': checkpoint_path}


def file_digest(path):
    with open(path, 'rb') as stream:
        return hashlib.sha256(stream.read()).hexdigest()[:16]


def train_generator(args, command, out, log, device):
    """--stage l1|hpf-loss|gms|adv: fine-tunes a WDSR-A file (module
    docstring) and exports it to OUT/STAGE.safetensors."""
    stage = args.stage
    if args.init is None:
        if args.scale is None:
            raise SystemExit('hfsr_perceptual: give --init FILE.safetensors or --scale S')
        args.init = os.path.join(hfsr_sr.REPO, 'models', f'hfsr-x{args.scale}-a0.safetensors')
    generator, architecture, init_metadata = load_generator(args.init)
    # The history of the weights this stage continues: each export appends
    # its own step, so a file's hfsr.steps is its whole lineage (training_log.py).
    steps = hfsr_sr.steps_of(init_metadata, args.init)
    if args.scale is not None and args.scale != architecture['scale']:
        raise SystemExit(f'hfsr_perceptual: --init {args.init} is x{architecture["scale"]}, '
                         f'not x{args.scale}')
    scale = architecture['scale']
    generator.to(device)
    settings = {'stage': stage, 'architecture': architecture, 'init': os.path.abspath(args.init),
                'l1_weight': args.l1_weight, 'chroma_weight': args.chroma_weight}
    hpf = None
    if stage != 'l1':
        hpf_path = args.hpf or os.path.join(out, 'hpf.pt')
        if not os.path.exists(hpf_path):
            raise SystemExit(f'hfsr_perceptual: no HPF network at {hpf_path}: run --stage hpf first '
                             'or give --hpf')
        hpf = load_hpf(hpf_path, device)
        settings.update(hpf=f'{os.path.abspath(hpf_path)} (sha256 {file_digest(hpf_path)})',
                        hpf_weight=args.hpf_weight)
    if stage == 'adv':
        settings.update(adv_weight=args.adv_weight, d_lr=args.d_lr, discriminator=args.discriminator)

    training_paths, groups, data_description = hfsr_sr.gather_images(args, log)
    sampler = hfsr_data.PatchSampler(training_paths, scale, args.patch)
    if sampler.skipped:
        log(f'note: smaller than one HR patch, not used ({len(sampler.skipped)}): '
            + ', '.join(os.path.basename(p) for p in sampler.skipped))
    evaluation = Evaluation(groups, scale)
    log(f'data: {data_description}; {len(sampler.paths)} training images used; '
        f'{len(evaluation.pairs)} validation images')

    torch.manual_seed(args.seed)
    modules = {'generator': generator}
    optimizers = {'generator': torch.optim.Adam(generator.parameters(), lr=args.lr)}
    schedule = [(optimizers['generator'], args.lr)]
    if stage == 'adv':
        modules['discriminator'] = Discriminator(patch=args.discriminator == 'patch').to(device)
        optimizers['discriminator'] = torch.optim.Adam(modules['discriminator'].parameters(), lr=args.d_lr)
        schedule.append((optimizers['discriminator'], args.d_lr))
    checkpoint_path = os.path.join(out, f'{stage}-checkpoint.pt')
    progress = resume_or_start(args, log, checkpoint_path, settings, modules, optimizers, device)
    if progress['iteration'] == 0:
        log(f'initialised from {args.init}')
    log(f'WDSR-A x{scale}: {wdsr.parameter_count(generator)} parameters'
        + (f'; discriminator {wdsr.parameter_count(modules["discriminator"])}' if stage == 'adv' else '')
        + f'; device {hfsr_sr.describe_device(device)}')

    discriminator = modules.get('discriminator')

    def step(batch):
        lr, hr = (hfsr_sr.to_unit_float(b, device) for b in batch)
        sr = generator(lr)
        terms, coverage = generator_loss_terms(stage, settings, sr, hr, hpf)
        if discriminator is not None:
            # The generator's step: the critic's weights get no gradient here
            # and the real images' logits need none.
            discriminator.requires_grad_(False)
            with torch.no_grad():
                real_logits = discriminator(hr)
            terms['adv'] = args.adv_weight * ragan_loss(real_logits, discriminator(sr), for_generator=True)
            discriminator.requires_grad_(True)
        loss = sum(terms.values())
        optimizers['generator'].zero_grad(set_to_none=True)
        loss.backward()
        optimizers['generator'].step()
        if discriminator is not None:
            terms['d'] = ragan_loss(discriminator(hr), discriminator(sr.detach()), for_generator=False)
            optimizers['discriminator'].zero_grad(set_to_none=True)
            terms['d'].backward()
            optimizers['discriminator'].step()
        if stage in ('gms', 'adv'):
            terms['mask'] = coverage
        return terms

    snapshot = make_snapshot(args, settings, modules, optimizers, progress, command)
    generator.train()
    run_iterations(args, log, device, sampler, schedule, step, progress, snapshot, checkpoint_path)
    generator.eval()

    quality = 'not measured (no validation images)'
    scores = None
    if evaluation:
        scores = evaluation.run(torch_upscaler(generator, device))
        quality = (f'after {progress["iteration"]} iterations, {len(evaluation.pairs)} validation images '
                   f'(BT.601 Y, shave {scale}, 8-bit output, MATLAB bicubic downscale): '
                   f'{Evaluation.describe(scores)}; bicubic: {Evaluation.describe(evaluation.bicubic())}')
        log(f'val iter {progress["iteration"]}: {quality}')
    l1 = 'L1' if args.l1_weight == 1.0 else f'{args.l1_weight:g} L1'
    colour = f' + {args.chroma_weight:g} unmasked chroma L1' if args.chroma_weight else ''
    losses = {'l1': l1, 'hpf-loss': f'{l1} + {args.hpf_weight:g} HPF (Roh & Kang eq 1)',
              'gms': f'soft-GMS-masked {l1} + {args.hpf_weight:g} HPF',
              'adv': f'soft-GMS-masked {l1} + {args.hpf_weight:g} HPF + {args.adv_weight:g} RaGAN '
                     f'({args.discriminator} discriminator, Adam {args.d_lr:g})'}[stage] + colour
    metadata = {
        'hfsr.task': 'super-resolution',
        'hfsr.scale': str(scale),
        'hfsr.stage': f'perceptual-{stage}',
        'hfsr.training': (
            f'WDSR-A {architecture}, fine-tuned from {os.path.basename(args.init)}; stage {stage}: '
            f'loss {losses}' + (f', HPF network {settings["hpf"]}' if hpf is not None else '')
            + (f', soft GMS mask threshold {GMS_THRESHOLD} radius {GMS_RADIUS} sigma {GMS_SIGMA} '
               f'iterations {GMS_ITERATIONS}' if stage in ('gms', 'adv') else '')
            + f'; data: {data_description}, LR by MATLAB bicubic (antialiased) downscale rounded to 8 bits, '
            f'random {args.patch}x{args.patch} LR patches, 8 flips/rotations; Adam, lr {args.lr:g} cosine '
            f'to {args.lr * args.lr_decay:g}; iterations: {progress["iteration"]} of batch {args.batch}; '
            f'wall time: {progress["elapsed"]:.0f} s; device: {hfsr_sr.describe_device(device)}; '
            f'command: {command}'),
        'hfsr.quality': quality,
        'hfsr.steps': json.dumps(steps + [{
            'iterations': progress['iteration'], 'seconds': round(progress['elapsed']),
            'device': hfsr_sr.describe_device(device), 'stage': f'perceptual-{stage}',
            'validation_db': None if scores is None else round(scores[0], 3), 'command': command}]),
    }
    export_path = args.export or os.path.join(out, f'{stage}.safetensors')
    os.makedirs(os.path.dirname(os.path.abspath(export_path)), exist_ok=True)
    export_model(copy.deepcopy(generator).cpu().eval(), export_path, input_channels=3, metadata=metadata)
    log(f'exported {export_path} ({progress["elapsed"]:.0f} s of training)')
    return {'iteration': progress['iteration'], 'wall_time': progress['elapsed'], 'export': export_path,
            'checkpoint': checkpoint_path, 'metadata': metadata}


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    if args.stage == 'eval':
        return run_eval(args)
    generator_stage = args.stage in GENERATOR_STAGES
    if args.out is None:
        raise SystemExit(f'hfsr_perceptual: --stage {args.stage} needs --out RUN_DIR')
    if args.val_every:
        raise SystemExit('hfsr_perceptual: the stages validate at the end only (no --val-every)')
    if args.iters is None:
        args.iters = DEFAULT_ITERS['generator' if generator_stage else 'hpf']
    if args.patch is None:
        args.patch = 32 if generator_stage else HPF_PATCH
    if args.lr is None:
        args.lr = 1e-4 if generator_stage else 1e-3
    # Every optimiser decays to the same fraction of its own start.
    args.lr_decay = 0.01 if args.lr_end is None else args.lr_end / args.lr
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = hfsr_sr.pick_device(args.device)
    os.makedirs(args.out, exist_ok=True)
    log = hfsr_sr.Log(os.path.join(args.out, f'{args.stage}.log'))
    try:
        command = shlex.join(['/usr/bin/python3', os.path.relpath(os.path.abspath(__file__), hfsr_sr.REPO)]
                             + argv)
        log(f'# {time.strftime("%Y-%m-%d %H:%M:%S")} {command}')
        train = train_generator if generator_stage else train_hpf
        return train(args, command, args.out, log, device)
    finally:
        log.close()


if __name__ == '__main__':
    main()
