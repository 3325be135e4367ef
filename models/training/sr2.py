#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Trains SR² (Schirrmacher et al.): super-resolution and digit
classification in parallel, joined by shared first layers, on MNIST.

    /usr/bin/python3 models/training/sr2.py --scale 4 --arch fsrcnn --stage sr --minutes 10
    /usr/bin/python3 models/training/sr2.py --scale 4 --arch fsrcnn --stage classifier \
        --init models/training/runs/sr2-x4-fsrcnn-sr/checkpoint.pt \
        --export models/hfsr-sr2-x4-fsrcnn-l0.safetensors
    /usr/bin/python3 models/training/sr2.py --scale 4 --arch fsrcnn --stage joint --lambda 9 \
        --init models/training/runs/sr2-x4-fsrcnn-l0/checkpoint.pt \
        --export models/hfsr-sr2-x4-fsrcnn-l9.safetensors

Three stages, as the paper's two plus one so that every lambda starts from
the same weights and the op can blend them:
  sr          the SR network alone, MSE, Adam at 1e-3 (the paper's stage 1);
  classifier  lambda = 0: the classifier attached and trained on the frozen
              SR network's features (plain SR, and the common start of the
              next stage);
  joint       L = L_SR + lambda * L_Cl (MSE + cross-entropy), every weight
              trained at 1e-5 from the classifier stage (the paper's stage 2).
The classifier's own weights always see the plain cross-entropy gradient;
lambda scales what reaches the shared layers (with Adam, whose steps do not
depend on a gradient's scale, this is L_SR + lambda * L_Cl, and it lets
lambda = 0 still train a classifier).

Architectures (--arch): fsrcnn (FSRCNN 56-12-4x12-56, 9x9 deconvolution;
its first convolution shared), wdsr (WDSR-A, 8 blocks of 32 features x4, on
one channel; its head and the first --shared blocks shared) and sequential
(FSRCNN, then the classifier on its HR output: the baseline the paper beats).
The classifier is ResNet-18's basic blocks without its last two and without
downsampling: the engine keeps every feature map a whole multiple of the
input (so any image size runs), and inputs of 7x7 to 28x28 do not need it.

Data: MNIST's official idx files.  The training set is split 80/20 into
training and validation by a fixed permutation; the test set is never read
here.  An HR digit is shifted by up to +-3 px and rotated by up to 10
degrees (bilinear), blurred with a Gaussian of sigma = scale / 2 (the
engine's kernel, borders replicated) and averaged over scale x scale blocks.
Values are MNIST's grey levels / 255 (light digit on black).
"""

import argparse
import functools
import gzip
import io
import math
import os
import shlex
import struct
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
from hfsr_export import export_model, load_model_file
from PIL import Image

MNIST_DEFAULT = os.path.join(hfsr_sr.REPO, '..', 'shared', 'data', 'digits', 'mnist')
ARCHS = ('fsrcnn', 'wdsr', 'sequential')
STAGES = ('sr', 'classifier', 'joint')
DEGRADATIONS = ('train', 'random', 'random-noise')
# --degradation random (docs/design.md, "SR² in the wild"): the share of
# digits degraded exactly as --degradation train, so that the networks keep
# what they do there; the largest blur, as a multiple of the scale; the
# share of the others saved as JPEG, and its quality range.
TRAIN_SHARE = 0.4
SIGMA_MAX = 0.6
JPEG_SHARE = 0.3
JPEG_QUALITY = (60, 95)
DOWNSAMPLERS = ('mean', 'point', 'bicubic')
# --degradation random-noise (the "fsrcnn-noisy" family): randomised
# degradations, then Gaussian noise on a share NOISE_SHARE of the digits,
# its variance log-uniform in NOISE_VARIANCE: around the evaluation grid's
# 1e-4 to 1e-2, so that the grid's noise is no longer unseen (the family is
# named for it and compared with the unseen-noise one in the model card).
NOISE_SHARE = 0.75
NOISE_VARIANCE = (1e-5, 2e-2)
CLASSES = 10
SPLIT_SEED = 2026
CLASSIFIER_WIDTHS = (32, 32, 64, 64, 64, 64)


def read_idx(path):
    """An idx file (gzip or plain) as a numpy array of its dimensions."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as stream:
        data = stream.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f'{path}: not an idx file of unsigned bytes')
    dims = data[3]
    if len(data) < 4 + 4 * dims:
        raise ValueError(f'{path}: truncated header')
    shape = struct.unpack('>' + 'I' * dims, data[4:4 + 4 * dims])
    count = int(np.prod(shape))
    if len(data) != 4 + 4 * dims + count:
        raise ValueError(f'{path}: {len(data) - 4 - 4 * dims} bytes of data for shape {shape}')
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find_idx(folder, stem):
    for name in (stem, stem + '.gz'):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return path
    raise SystemExit(f'sr2: no {stem}[.gz] in {folder}')


def load_mnist(folder, split):
    """(images uint8 [N, 28, 28], labels uint8 [N]) of split 'train' or 't10k'."""
    images = read_idx(find_idx(folder, f'{split}-images-idx3-ubyte'))
    labels = read_idx(find_idx(folder, f'{split}-labels-idx1-ubyte'))
    if images.ndim != 3 or labels.shape != images.shape[:1]:
        raise SystemExit(f'sr2: {folder}: {split} images {images.shape} and labels {labels.shape} differ')
    return images, labels


def train_val_split(count):
    """Indices of the 80 % training and 20 % validation parts, fixed."""
    order = np.random.default_rng(SPLIT_SEED).permutation(count)
    cut = count * 4 // 5
    return np.sort(order[:cut]), np.sort(order[cut:])


def blur_sigma(scale):
    return scale / 2.0


def degrade(hr, scale):
    """LR of HR digits [N, 1, H, W] (H, W multiples of scale): Gaussian blur
    (borders replicated, as hfsr_gaussian_blur) and scale x scale block mean."""
    k = torch.tensor(dog_sr.gaussian_kernel(blur_sigma(scale)), dtype=hr.dtype, device=hr.device)
    r = k.numel() // 2
    x = F.pad(hr, (r, r, r, r), mode='replicate')
    x = F.conv2d(x, k.view(1, 1, 1, -1))
    x = F.conv2d(x, k.view(1, 1, -1, 1))
    return F.avg_pool2d(x, scale)


def augment(hr, generator, max_shift=3, max_degrees=10.0, subpixel=False):
    """Random shifts of up to +-max_shift px and rotations of up to
    +-max_degrees; whole pixels as the paper, or any fraction of a pixel
    (subpixel: every phase of the LR grid)."""
    n = hr.shape[0]
    angle = (torch.rand(n, generator=generator) * 2 - 1) * math.radians(max_degrees)
    if subpixel:
        shift = (torch.rand(n, 2, generator=generator) * 2 - 1) * max_shift
    else:
        shift = torch.randint(-max_shift, max_shift + 1, (n, 2), generator=generator)
    return warp(hr, angle, shift)


def blur_each(hr, sigmas):
    """Each image [i] blurred with a Gaussian of sigmas[i] (0: unchanged),
    sampled as hfsr_gaussian_blur's kernel but on the radius of the
    largest, borders replicated."""
    n = hr.shape[0]
    radius = max(1, int(math.ceil(3.0 * float(sigmas.max()))))
    x = torch.arange(-radius, radius + 1, dtype=hr.dtype)
    s = sigmas.to(hr.dtype).clamp_min(1e-6).view(n, 1)
    k = torch.exp(-x * x / (2.0 * s * s))
    k = (k / k.sum(1, keepdim=True)).to(hr.device)
    y = F.pad(hr.transpose(0, 1), (radius, radius, radius, radius), mode='replicate')
    y = F.conv2d(y, k.view(n, 1, 1, -1), groups=n)
    y = F.conv2d(y, k.view(n, 1, -1, 1), groups=n)
    return y.transpose(0, 1)


@functools.lru_cache(maxsize=None)
def _resize_matrix(side, scale):
    # every batch of a run downscales the same sizes: built once
    return torch.from_numpy(hfsr_data.resize_matrix(side, side // scale, 1.0 / scale))


def bicubic_matrix(side, scale, like):
    """MATLAB's antialiased bicubic downscale of one axis by 1/scale
    (hfsr_data.resize_matrix, as hfsr_imresize)."""
    return _resize_matrix(side, scale).to(like.dtype).to(like.device)


def jpeg(lr, quality):
    """An LR image [1, h, w] in [0, 1] saved as a greyscale JPEG of the
    given quality and read back."""
    pixels = (lr[0].clamp(0, 1) * 255.0).round().to(torch.uint8).cpu().numpy()
    stream = io.BytesIO()
    Image.fromarray(pixels, mode='L').save(stream, format='JPEG', quality=int(quality))
    stream.seek(0)
    back = np.asarray(Image.open(stream).convert('L'), dtype=np.float32) / 255.0
    return torch.from_numpy(back).to(lr.dtype).to(lr.device)[None]


def draw_degradations(n, scale, generator):
    """The degradations of n digits, drawn as random_degrade says: a dict
    of per-digit tensors (plain: as degrade(); sigma; kind, an index into
    DOWNSAMPLERS; phase (x, y) of point sampling; quality, 0 for no JPEG)."""
    plain = torch.rand(n, generator=generator) < TRAIN_SHARE
    sigma = torch.rand(n, generator=generator) * SIGMA_MAX * scale
    sigma[torch.rand(n, generator=generator) < 0.2] = 0.0
    kind = torch.randint(0, len(DOWNSAMPLERS), (n,), generator=generator)
    phase = torch.randint(0, scale, (n, 2), generator=generator)
    compress = torch.rand(n, generator=generator) < JPEG_SHARE
    quality = torch.randint(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1, (n,), generator=generator)
    return {'plain': plain, 'sigma': sigma, 'kind': kind, 'phase': phase,
            'quality': torch.where(compress, quality, torch.zeros_like(quality))}


def apply_degradations(hr, scale, drawn):
    """LR of HR digits [N, 1, H, W] by the degradations `drawn`
    (draw_degradations): a plain digit as degrade(); the others blurred
    (blur_each), downsampled by block mean, by the pixel at `phase` of each
    block or by MATLAB's antialiased bicubic, and rounded to 8 bits or,
    with a quality, saved as JPEG."""
    lr = degrade(hr, scale)
    if bool(drawn['plain'].all()):
        return lr
    blurred = blur_each(hr, drawn['sigma'])
    mean = F.avg_pool2d(blurred, scale)
    rows, cols = bicubic_matrix(hr.shape[2], scale, hr), bicubic_matrix(hr.shape[3], scale, hr)
    bicubic = rows @ blurred @ cols.T
    for i in range(hr.shape[0]):
        if drawn['plain'][i]:
            continue
        kind = DOWNSAMPLERS[drawn['kind'][i]]
        if kind == 'mean':
            lr[i] = mean[i]
        elif kind == 'point':
            x, y = (int(v) for v in drawn['phase'][i])
            lr[i] = blurred[i, :, y::scale, x::scale]
        else:
            lr[i] = bicubic[i]
        quality = int(drawn['quality'][i])
        lr[i] = jpeg(lr[i], quality) if quality > 0 else (lr[i].clamp(0, 1) * 255.0).round() / 255.0
    return lr


def random_degrade(hr, scale, generator):
    """LR of HR digits [N, 1, H, W] by degradations drawn per digit
    (deterministic for a generator's state): a share TRAIN_SHARE exactly as
    degrade(); the others a Gaussian blur of sigma in [0, SIGMA_MAX x scale]
    (a fifth of them none), a downsampler out of DOWNSAMPLERS (block mean,
    one pixel of each block at a random phase, MATLAB's antialiased
    bicubic), then 8 bits, a share JPEG_SHARE of them as JPEG of a quality
    in JPEG_QUALITY.  No noise: the evaluation's noise stays unseen, as in
    the paper."""
    return apply_degradations(hr, scale, draw_degradations(hr.shape[0], scale, generator))


def draw_noise(n, generator):
    """The noise variance of each of n digits, as --degradation random-noise
    draws it: a share NOISE_SHARE log-uniform in NOISE_VARIANCE, the others 0."""
    low, high = (math.log(v) for v in NOISE_VARIANCE)
    variance = torch.exp(low + (high - low) * torch.rand(n, generator=generator))
    variance[torch.rand(n, generator=generator) >= NOISE_SHARE] = 0.0
    return variance


def add_noise(lr, variance, generator):
    """LR digits [N, 1, h, w] plus Gaussian noise of variance[i] on digit i,
    not clipped, as evaluate() and hfsr-sr2-eval add it."""
    sd = variance.to(lr.dtype).sqrt().view(-1, 1, 1, 1)
    return lr + sd.to(lr.device) * torch.randn(lr.shape, generator=generator).to(lr.device)


def warp(hr, angle, shift):
    """Each image rotated by angle[i] radians about its centre and moved by
    shift[i] = (dx, dy) pixels, bilinear, zero outside."""
    n, _, h, w = hr.shape
    angle, shift = angle.to(hr.dtype), shift.to(hr.dtype)
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.zeros(n, 2, 3, dtype=hr.dtype)
    theta[:, 0, 0], theta[:, 0, 1] = cos, -sin * h / w
    theta[:, 1, 0], theta[:, 1, 1] = sin * w / h, cos
    theta[:, 0, 2] = -2.0 * shift[:, 0] / w
    theta[:, 1, 2] = -2.0 * shift[:, 1] / h
    grid = F.affine_grid(theta.to(hr.device), list(hr.shape), align_corners=False)
    return F.grid_sample(hr, grid, mode='bilinear', padding_mode='zeros', align_corners=False)


class FSRCNN(nn.Module):
    """FSRCNN (Dong et al.): 5x5 feature extraction (shared with the
    classifier), 1x1 shrinking, four 3x3 mapping layers, 1x1 expanding,
    PReLU after each, and a 9x9 transposed convolution to the HR size."""

    def __init__(self, scale, d=56, s=12, m=4):
        super().__init__()
        self.features = d
        self.first = nn.Sequential(nn.Conv2d(1, d, 5, padding=2), nn.PReLU(d))
        layers = [nn.Conv2d(d, s, 1), nn.PReLU(s)]
        for _ in range(m):
            layers += [nn.Conv2d(s, s, 3, padding=1), nn.PReLU(s)]
        layers += [nn.Conv2d(s, d, 1), nn.PReLU(d)]
        self.body = nn.Sequential(*layers)
        # out = (in - 1) * scale - 2 * padding + 9 + output_padding = in * scale
        padding = (9 - scale + 1) // 2
        self.deconv = nn.ConvTranspose2d(d, 1, 9, stride=scale, padding=padding,
                                         output_padding=scale - 9 + 2 * padding)
        for layer in self.modules():
            if isinstance(layer, nn.Conv2d):
                nn.init.kaiming_normal_(layer.weight, a=0.25)
                nn.init.zeros_(layer.bias)
        nn.init.normal_(self.deconv.weight, std=1e-3)
        nn.init.zeros_(self.deconv.bias)

    def shared(self, x):
        return self.first(x)

    def rest(self, f, x):
        return self.deconv(self.body(f))


class WDSR1(nn.Module):
    """WDSR-A on one channel; its head and first `shared` blocks are shared."""

    def __init__(self, scale, shared, blocks=8):
        super().__init__()
        if not 1 <= shared <= blocks:
            raise ValueError(f'shared blocks must be 1..{blocks}, got {shared}')
        self.net = wdsr.WDSRA(scale, blocks=blocks, channels=1)
        self.features = 32
        self.split = shared

    def shared(self, x):
        # blocks by index: a slice of a Sequential is a new module, which
        # torch.fx (the exporter) cannot find in the model
        f = self.net.head(x)
        for i in range(self.split):
            f = self.net.body[i](f)
        return f

    def rest(self, f, x):
        n = self.net
        for i in range(self.split, len(n.body)):
            f = n.body[i](f)
        return n.tail_shuffle(n.tail(f)) + n.skip_shuffle(n.skip(x))


class BasicBlock(nn.Module):
    """ResNet's basic block, stride 1: conv-BN-ReLU-conv-BN plus the input
    (through a 1x1 conv-BN where the width changes), then ReLU."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.project = None
        if cin != cout:
            self.project = nn.Sequential(nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(y + (x if self.project is None else self.project(x)))


class Classifier(nn.Module):
    def __init__(self, cin, widths=CLASSIFIER_WIDTHS, classes=CLASSES):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(cin, widths[0], 3, padding=1, bias=False),
                                  nn.BatchNorm2d(widths[0]), nn.ReLU())
        blocks, width = [], widths[0]
        for w in widths:
            blocks.append(BasicBlock(width, w))
            width = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(width, classes)

    def forward(self, x):
        y = self.blocks(self.stem(x))
        return self.fc(torch.flatten(y.mean((2, 3)), 1))


class SR2(nn.Module):
    """forward(x, class_gradient) -> (SR image, class logits)."""

    def __init__(self, scale, arch, shared=1):
        super().__init__()
        if arch not in ARCHS:
            raise ValueError(f'arch must be one of {ARCHS}')
        self.arch = arch
        self.sr = WDSR1(scale, shared) if arch == 'wdsr' else FSRCNN(scale)
        self.classifier = Classifier(1 if arch == 'sequential' else self.sr.features)

    def forward(self, x, class_gradient=1.0):
        f = self.sr.shared(x)
        y = self.sr.rest(f, x)
        c = y if self.arch == 'sequential' else f
        if class_gradient != 1.0:
            # the value of c, with class_gradient times its gradient
            c = c * class_gradient + c.detach() * (1.0 - class_gradient)
        return y, self.classifier(c)


class Exported(nn.Module):
    """What the engine runs: the SR image and the class probabilities."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        y, logits = self.model(x)
        return y, F.softmax(logits, dim=1)


class Batches:
    """Training batches: batch i is drawn with a generator seeded by (seed, i),
    so a resumed run sees the batches the uninterrupted one would have."""

    def __init__(self, images, labels, scale, seed, degradation='train'):
        self.images, self.labels, self.scale, self.seed = images, labels, scale, seed
        self.degradation = degradation

    def __call__(self, iteration, size, device):
        generator = torch.Generator().manual_seed(self.seed * 1000003 + iteration)
        index = torch.randint(0, len(self.images), (size,), generator=generator)
        hr = torch.from_numpy(self.images[index.numpy()]).float().div_(255.0).unsqueeze(1)
        randomised = self.degradation != 'train'
        hr = augment(hr, generator, subpixel=randomised)
        lr = random_degrade(hr, self.scale, generator) if randomised else degrade(hr, self.scale)
        if self.degradation == 'random-noise':
            lr = add_noise(lr, draw_noise(lr.shape[0], generator), generator)
        labels = torch.from_numpy(self.labels[index.numpy()]).long()
        return lr.to(device), hr.to(device), labels.to(device)


def evaluate(model, images, labels, scale, device, noise_variance=0.0, batch=500, seed=7):
    """(PSNR dB of the SR output, accuracy) on unaugmented digits, with
    Gaussian noise of the given variance added to the LR input."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    squared, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(images), batch):
            hr = torch.from_numpy(images[start:start + batch]).float().div_(255.0).unsqueeze(1).to(device)
            lr = degrade(hr, scale)
            if noise_variance > 0:
                lr = lr + math.sqrt(noise_variance) * torch.randn(lr.shape, generator=generator).to(device)
            y, logits = model(lr)
            squared += float(((y.clamp(0, 1) - hr) ** 2).mean((1, 2, 3)).clamp_min(1e-10).log10().sum())
            correct += int((logits.argmax(1).cpu() == torch.from_numpy(labels[start:start + batch]).long()).sum())
    model.train()
    n = len(images)
    return -10.0 * squared / n, correct / n


def build_parser():
    parser = argparse.ArgumentParser(description='Train SR² (super-resolution and classification in '
                                                 'parallel) on MNIST and export it as an hfsr model.')
    parser.add_argument('--scale', type=int, choices=(2, 4), required=True)
    parser.add_argument('--arch', choices=ARCHS, required=True)
    parser.add_argument('--shared', type=int, default=1, help='wdsr: shared blocks (1 or 4; default 1)')
    parser.add_argument('--stage', choices=STAGES, required=True)
    parser.add_argument('--lambda', dest='lam', type=float, default=None,
                        help='joint stage: weight of the classification loss (e.g. 1, 9; 0.11 for '
                             'sequential as in the paper)')
    parser.add_argument('--init', help='checkpoint of the previous stage; for the sr stage also a '
                                         'shipped .safetensors file, whose SR network it starts from')
    parser.add_argument('--degradation', choices=DEGRADATIONS, default='train',
                        help='train: the paper\'s (blur sigma scale/2, block mean); random: drawn per '
                             'digit (random_degrade); random-noise: random, then Gaussian noise '
                             '(draw_noise)')
    parser.add_argument('--mnist', default=MNIST_DEFAULT, help='folder of the MNIST idx files')
    parser.add_argument('--iters', type=int, default=3000)
    parser.add_argument('--minutes', type=float, default=None,
                        help='train for about this many minutes (fixes --iters after a timing window)')
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--lr', type=float, default=None,
                        help='Adam learning rate (default 1e-3, joint stage 1e-5)')
    parser.add_argument('--val-count', type=int, default=2000,
                        help='validation digits measured at the end (of the 12000 held out)')
    parser.add_argument('--out', help='run folder (default models/training/runs/sr2-xS-ARCH-STAGE)')
    parser.add_argument('--export', help='write the model file here (classifier and joint stages)')
    parser.add_argument('--resume', action='store_true')
    parser.add_argument('--threads', type=int, default=0)
    parser.add_argument('--device', choices=('auto', 'cpu', 'cuda'), default='auto')
    parser.add_argument('--log-every', type=int, default=100)
    parser.add_argument('--seed', type=int, default=1)
    return parser


def sr_network(architecture):
    """The SR network an architecture holds: (scale, kind, shared blocks)."""
    kind = 'wdsr' if architecture['arch'] == 'wdsr' else 'fsrcnn'
    return (architecture['scale'], kind, architecture['shared'] if kind == 'wdsr' else 1)


def init_sr_from_file(model, path, architecture):
    """The SR network of a shipped SR² file (hfsr-sr2-*.safetensors) of the
    same scale and SR network, into model.sr; returns how the file was
    trained (its hfsr.training)."""
    metadata, tensors = load_model_file(path)
    found = {'scale': int(metadata.get('hfsr.scale', 0)), 'arch': metadata.get('hfsr.arch'),
             'shared': int(metadata.get('hfsr.shared', 1))}
    if metadata.get('hfsr.task') != 'structure-sr' or sr_network(found) != sr_network(architecture):
        raise SystemExit(f'sr2: {path} is not an SR² file of {sr_network(architecture)}')
    wdsr.load_folded(model.sr, tensors, prefix='model.sr.')
    return metadata.get('hfsr.training', '?')


def describe_degradation(args):
    if args.degradation == 'train':
        return (f'shifts up to 3 px and rotations up to 10 degrees, Gaussian blur sigma '
                f'{blur_sigma(args.scale):g} and {args.scale}x{args.scale} block mean')
    return (f'shifts of any fraction up to 3 px and rotations up to 10 degrees; randomised '
            f'degradations: {TRAIN_SHARE:g} of the digits Gaussian blur sigma {blur_sigma(args.scale):g} '
            f'and block mean, the others blur sigma 0 to {SIGMA_MAX * args.scale:g}, block mean, point '
            f'sampling or antialiased bicubic, 8 bits, {JPEG_SHARE:g} of them JPEG quality '
            f'{JPEG_QUALITY[0]}-{JPEG_QUALITY[1]}; '
            + ('no noise' if args.degradation == 'random' else
               f'then Gaussian noise on {NOISE_SHARE:g} of the digits, variance log-uniform in '
               f'{NOISE_VARIANCE[0]:g}-{NOISE_VARIANCE[1]:g}'))


def run_name(args):
    arch = args.arch + (f'{args.shared}' if args.arch == 'wdsr' else '')
    stage = {'sr': 'sr', 'classifier': 'l0', 'joint': f'l{args.lam:g}'}[args.stage]
    return f'sr2-x{args.scale}-{arch}-{stage}'


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    if args.stage == 'joint' and (args.lam is None or args.lam < 0):
        raise SystemExit('sr2: the joint stage needs --lambda >= 0')
    if args.stage != 'sr' and not args.init:
        raise SystemExit(f'sr2: the {args.stage} stage starts from --init CHECKPOINT')
    if args.arch == 'wdsr' and args.shared not in (1, 4):
        raise SystemExit('sr2: --shared is 1 or 4')
    out = args.out or os.path.join(hfsr_sr.HERE, 'runs', run_name(args))
    os.makedirs(out, exist_ok=True)
    log = hfsr_sr.Log(os.path.join(out, 'train.log'))
    try:
        return train(args, argv, out, log)
    finally:
        log.close()


def train(args, argv, out, log):
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = hfsr_sr.pick_device(args.device)
    command = shlex.join(['/usr/bin/python3', os.path.relpath(os.path.abspath(__file__), hfsr_sr.REPO)] + argv)
    log(f'# {time.strftime("%Y-%m-%d %H:%M:%S")} {command}')
    images, labels = load_mnist(args.mnist, 'train')
    train_index, val_index = train_val_split(len(images))
    val_index = val_index[:args.val_count]
    batches = Batches(images[train_index], labels[train_index], args.scale, args.seed, args.degradation)
    lam = {'sr': None, 'classifier': 0.0, 'joint': args.lam}[args.stage]
    lr = args.lr if args.lr is not None else (1e-5 if args.stage == 'joint' else 1e-3)

    architecture = {'scale': args.scale, 'arch': args.arch,
                    'shared': args.shared if args.arch == 'wdsr' else 1}
    torch.manual_seed(args.seed)
    model = SR2(**architecture).to(device)
    origin = f'random (seed {args.seed})'
    checkpoint_path = os.path.join(out, 'checkpoint.pt')
    iteration, elapsed_before, previous = 0, 0.0, []
    if args.init and args.init.endswith('.safetensors'):
        if args.stage != 'sr':
            raise SystemExit('sr2: a .safetensors --init starts the sr stage only (its classifier '
                             'has batch normalisation folded away)')
        shipped = init_sr_from_file(model, args.init, architecture)
        origin = f'{args.init} (its SR network)'
        previous = [f'SR network from {args.init}, trained as: {shipped}']
        log(f'weights from {origin}')
    elif args.init:
        state = hfsr_sr.load_checkpoint(args.init, device)
        if state['stage'] == 'sr':
            # Stage 1 trained the SR network alone: take it, whatever the
            # classifier will be fed (fsrcnn and sequential share it).
            if sr_network(state['architecture']) != sr_network(architecture):
                raise SystemExit(f'sr2: {args.init} trained {sr_network(state["architecture"])}, '
                                 f'not {sr_network(architecture)}')
            model.sr.load_state_dict({name[3:]: value for name, value in state['model'].items()
                                      if name.startswith('sr.')})
        elif state['architecture'] != architecture:
            raise SystemExit(f'sr2: {args.init} is a run of {state["architecture"]}, not {architecture}')
        else:
            model.load_state_dict(state['model'])
        origin = f'{args.init} ({state["stage"]} stage, {state["iteration"]} iterations)'
        previous = state.get('history', [])
        log(f'weights from {origin}')
    if args.stage == 'sr':
        parameters = list(model.sr.parameters())
    elif args.stage == 'classifier':
        parameters = list(model.classifier.parameters())
    else:
        parameters = list(model.parameters())
    optimizer = torch.optim.Adam(parameters, lr=lr)
    if args.resume and os.path.exists(checkpoint_path):
        state = hfsr_sr.load_checkpoint(checkpoint_path, device)
        if state['architecture'] != architecture or state['stage'] != args.stage:
            raise SystemExit(f'sr2: {checkpoint_path} is a run of another network or stage')
        model.load_state_dict(state['model'])
        optimizer.load_state_dict(state['optimizer'])
        iteration, elapsed_before = state['iteration'], state['elapsed']
        if args.minutes is not None:
            args.iters = state['iterations']
        log(f'resumed from {checkpoint_path} at iteration {iteration}')
    count = sum(p.numel() for p in model.parameters())
    log(f'SR² x{args.scale} {args.arch} ({architecture["shared"]} shared), stage {args.stage}, '
        f'lambda {lam}, lr {lr:g}: {count} parameters; {len(train_index)} training digits; '
        f'device {hfsr_sr.describe_device(device)}')

    start = time.monotonic()
    budget = hfsr_sr.TimeBudget(args.minutes, start, iteration, device, log)
    sums, window = [0.0, 0.0], 0
    model.train()
    while iteration < args.iters:
        for group in optimizer.param_groups:
            group['lr'] = hfsr_sr.cosine_lr(iteration, args.iters, lr, lr / 100.0)
        lr_batch, hr, target = batches(iteration, args.batch, device)
        if args.stage == 'sr':
            y = model.sr.rest(model.sr.shared(lr_batch), lr_batch)
            sr_loss, class_loss = F.mse_loss(y, hr), torch.zeros((), device=device)
            loss = sr_loss
        else:
            y, logits = model(lr_batch, class_gradient=lam)
            sr_loss, class_loss = F.mse_loss(y, hr), F.cross_entropy(logits, target)
            loss = class_loss if args.stage == 'classifier' else sr_loss + class_loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        iteration += 1
        sums[0] += float(sr_loss)
        sums[1] += float(class_loss)
        window += 1
        args.iters = budget.iterations(iteration, args.iters)
        if iteration % args.log_every == 0:
            log(f'iter {iteration}/{args.iters} mse {sums[0] / window:.3e} ce {sums[1] / window:.3f} '
                f'elapsed {elapsed_before + time.monotonic() - start:.0f} s')
            sums, window = [0.0, 0.0], 0
    wall_time = elapsed_before + time.monotonic() - start
    psnr, accuracy = evaluate(model, images[val_index], labels[val_index], args.scale, device)
    summary = (f'{len(val_index)} validation digits: SR PSNR {psnr:.2f} dB'
               + ('' if args.stage == 'sr' else f', accuracy {100 * accuracy:.2f} %'))
    log(f'val iter {iteration}: {summary}')
    history = previous + [f'{args.stage} stage{"" if lam is None else f" (lambda {lam:g})"}: '
                          f'{iteration} iterations of batch {args.batch}, lr {lr:g} cosine to '
                          f'{lr / 100:g}, {wall_time:.0f} s on {hfsr_sr.describe_device(device)}; '
                          f'command: {command}']
    hfsr_sr.save_checkpoint(checkpoint_path, {
        'architecture': architecture, 'stage': args.stage, 'lambda': lam,
        'model': model.state_dict(), 'optimizer': optimizer.state_dict(),
        'iteration': iteration, 'iterations': args.iters, 'elapsed': wall_time,
        'command': command, 'history': history})
    if args.export and args.stage != 'sr':
        metadata = {
            'hfsr.task': 'structure-sr',
            'hfsr.scale': str(args.scale),
            'hfsr.arch': args.arch,
            'hfsr.shared': str(architecture['shared']),
            'hfsr.lambda': f'{lam:g}',
            'hfsr.classes': ' '.join(str(c) for c in range(CLASSES)),
            'hfsr.training': (
                f'SR² {args.arch}, {count} parameters; MNIST training set (80 % by a fixed '
                f'permutation, seed {SPLIT_SEED}), ' + describe_degradation(args) +
                '; loss MSE + lambda x cross-entropy; ' + '; '.join(history)),
            'hfsr.quality': summary,
        }
        os.makedirs(os.path.dirname(os.path.abspath(args.export)), exist_ok=True)
        model.eval()
        export_model(Exported(model), args.export, input_channels=1,
                     output_names=['output', 'class'], metadata=metadata)
        log(f'exported {args.export}')
    return {'iteration': iteration, 'checkpoint': checkpoint_path, 'psnr': psnr, 'accuracy': accuracy}


if __name__ == '__main__':
    main()
