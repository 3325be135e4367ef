#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Trains the DoG Super-Resolution networks (Noor et al.): from a grey LR
image, the Difference-of-Gaussian (method 1) or Gaussian (method 2) stack
of the HR image at SIFT's sigmas.

    /usr/bin/python3 models/training/dog_sr.py --scale 2 --method residual-dog \
        --iters 4000 --export models/hfsr-dog-x2-residual-dog.safetensors

Method 1 (`residual-dog`): the network predicts D1..D4 as residuals over a
predictor, the DoG of the MATLAB-bicubic upscaled input at the same sigmas
(which the op computes in C); the loss is the MSE of predictor + output
against the HR DoG.  Method 2 (`gaussian-stack`): the network predicts
L1..L5, likewise as residuals over the bicubic image's Gaussian levels, and
the DoG is their difference; the loss is the MSE of the Gaussian levels.
(Predicted outright, the levels were far off: a CPU run of 1894 iterations
gave a DoG 2-13 dB below bicubic's, the subtraction magnifying the levels'
errors.)  Departures from the paper, chosen for the CPU budget and the
engine's exact tiling: one trunk shared by all levels (a WDSR-A-like
network whose tail has one output plane per level) instead of one network
per level, and no squeeze-and-excitation (its global pooling would make a
pixel depend on the whole image, so tiles could not be exact).

Data, degradation, validation images, checkpoints and the time budget are
those of hfsr_sr.py, on grey images: babl's Y', the sRGB encoding of the
luminance of the decoded R'G'B'.
"""

import argparse
import copy
import math
import os
import shlex
import sys
import time

import numpy as np
import torch
from torch import nn

import hfsr_data
import hfsr_export
import hfsr_sr
from hfsr_export import export_model

METHODS = {'residual-dog': 4, 'gaussian-stack': 5}
DEFAULT_SIGMAS = (1.249, 1.545, 1.96588, 2.452527, 3.090016)
# The network learns its planes magnified by this much, so that what it
# outputs is of order 0.1-1 as its initialisation and Adam's step sizes
# expect, not of order 0.01 (a DoG of a photo); the factor is divided out of
# the last, linear layers at export, so the file's outputs are true values.
OUTPUT_GAIN = 32.0
# Luminance of linear sRGB as babl computes it (the sRGB space's Y row,
# adapted to D50 as ICC does), so that this grey is babl's "Y'", the grey
# hfsr:scale-space and hfsr:dog-sr read.
LUMINANCE = (0.2224879, 0.7169039, 0.0606083)


def srgb_decode(v):
    return torch.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)


def srgb_encode(v):
    v = v.clamp(min=0.0)
    return torch.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055)


def grey(rgb):
    """(N, 3, H, W) R'G'B' in [0, 1] -> (N, 1, H, W) Y'."""
    linear = srgb_decode(rgb)
    weights = torch.tensor(LUMINANCE, dtype=rgb.dtype, device=rgb.device).view(1, 3, 1, 1)
    return srgb_encode((linear * weights).sum(dim=1, keepdim=True))


def gaussian_kernel(sigma):
    """The 1-D kernel of hfsr_gaussian_blur: radius ceil(3 sigma), sampled
    exp(-x^2 / 2 sigma^2), normalised to sum 1."""
    radius = int(math.ceil(3.0 * sigma))
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    k = np.exp(-x * x / (2.0 * sigma * sigma))
    return k / k.sum()


def gaussian_stack(planes, sigmas):
    """(N, 1, H, W) -> (N, len(sigmas), H - 2r, W - 2r): each sigma's blur of
    the planes, valid part only (r = the largest radius), so no border rule
    enters: callers pass planes with that margin of real image around."""
    radius = int(math.ceil(3.0 * max(sigmas)))
    levels = []
    for sigma in sigmas:
        k = torch.tensor(gaussian_kernel(sigma), dtype=planes.dtype, device=planes.device)
        r = (k.numel() - 1) // 2
        out = nn.functional.conv2d(planes, k.view(1, 1, 1, -1))
        out = nn.functional.conv2d(out, k.view(1, 1, -1, 1))
        crop = radius - r
        levels.append(out[..., crop:out.shape[-2] - crop, crop:out.shape[-1] - crop])
    return torch.cat(levels, dim=1)


def dog(levels):
    """D_i = L_i - L_{i+1} along dim 1."""
    return levels[:, :-1] - levels[:, 1:]


class Upscaler:
    """MATLAB bicubic upscaling by an integer factor as two matrix products,
    for square patches of one size (the matrices are cached)."""

    def __init__(self, scale, device):
        self.scale = scale
        self.device = device
        self.cache = {}

    def __call__(self, planes):
        n = planes.shape[-1]
        if n not in self.cache:
            m = hfsr_data.resize_matrix(n, n * self.scale, float(self.scale))
            self.cache[n] = torch.tensor(m, dtype=planes.dtype, device=self.device)
        m = self.cache[n]
        return m @ planes @ m.t()


class ResidualBlock(nn.Module):
    def __init__(self, features, expansion):
        super().__init__()
        self.expand = nn.Conv2d(features, features * expansion, 3, padding=1)
        self.activation = nn.ReLU()
        self.reduce = nn.Conv2d(features * expansion, features, 3, padding=1)

    def forward(self, x):
        return x + self.reduce(self.activation(self.expand(x)))


class DogSR(nn.Module):
    """Grey LR (N, 1, h, w) -> `levels` HR planes (N, levels, s h, s w):
    head, residual blocks, a tail with one plane per level and a 5x5 skip
    from the input, both pixel-shuffled."""

    def __init__(self, scale, levels, features=32, blocks=8, expansion=4):
        super().__init__()
        self.head = nn.Conv2d(1, features, 3, padding=1)
        self.body = nn.Sequential(*[ResidualBlock(features, expansion) for _ in range(blocks)])
        self.tail = nn.Conv2d(features, levels * scale * scale, 3, padding=1)
        self.tail_shuffle = nn.PixelShuffle(scale)
        self.skip = nn.Conv2d(1, levels * scale * scale, 5, padding=2)
        self.skip_shuffle = nn.PixelShuffle(scale)
        # Starting at zero output (the predictor itself, for method 1) keeps
        # the first iterations from unlearning a random one.
        for conv in (self.tail, self.skip):
            nn.init.zeros_(conv.weight)
            nn.init.zeros_(conv.bias)

    def forward(self, x):
        return self.tail_shuffle(self.tail(self.body(self.head(x)))) + self.skip_shuffle(self.skip(x))

    def exported(self):
        """A copy whose outputs are the true planes: the training gain
        divided out of the tail and skip convolutions, which are the only
        paths to the output and linear."""
        model = copy.deepcopy(self).cpu().eval()
        with torch.no_grad():
            for conv in (model.tail, model.skip):
                conv.weight /= OUTPUT_GAIN
                conv.bias /= OUTPUT_GAIN
        return model


class Targets:
    """Turns a sampled batch (uint8 LR and HR RGB with a margin of `margin`
    LR pixels around the p x p patch) into the network input, the target
    and the predictor the network's output is added to: HR and bicubic-upscaled LR stacks are
    computed on the extended windows and cropped to the patch, so they equal
    what the op computes on a whole image away from its borders."""

    def __init__(self, scale, method, sigmas, margin, device):
        self.scale, self.method, self.sigmas, self.margin = scale, method, sigmas, margin
        self.device = device
        self.upscale = Upscaler(scale, device)
        self.radius = int(math.ceil(3.0 * max(sigmas)))

    def __call__(self, lr_batch, hr_batch):
        s, m, r = self.scale, self.margin, self.radius
        lr = grey(hfsr_sr.to_unit_float(lr_batch, self.device))
        hr = grey(hfsr_sr.to_unit_float(hr_batch, self.device))
        inner = slice(m, lr.shape[-1] - m)
        network_input = lr[..., inner, inner]
        # The stacks lose r HR pixels at each side; the patch starts m*s in.
        keep = slice(m * s - r, hr.shape[-1] - (m * s - r))
        target = gaussian_stack(hr[..., keep, keep], self.sigmas) * OUTPUT_GAIN
        predictor = gaussian_stack(self.upscale(lr)[..., keep, keep], self.sigmas) * OUTPUT_GAIN
        if self.method == 'gaussian-stack':
            return network_input, target, predictor
        return network_input, dog(target), dog(predictor)


def margin_for(scale, sigmas):
    """LR margin that covers the largest Gaussian radius at HR plus the
    bicubic kernel's reach (2 LR pixels)."""
    return int(math.ceil(math.ceil(3.0 * max(sigmas)) / scale)) + 2


def psnr(a, b):
    mse = float(((a - b) ** 2).mean())
    return math.inf if mse == 0.0 else 10.0 * math.log10(1.0 / mse)


class DogValidation:
    """Per-level PSNR (peak 1: grey values in [0, 1]) of the predicted DoG
    against the HR image's DoG, whole images, shave = the largest Gaussian
    radius at HR (where border rules differ), next to the bicubic upscale's
    DoG: Noor et al.'s Table 3."""

    def __init__(self, groups, scale, sigmas, device):
        self.scale, self.sigmas, self.device = scale, sigmas, device
        self.images = []
        r = int(math.ceil(3.0 * max(sigmas)))
        self.pad = r
        for _, paths in groups:
            for path in paths:
                hr = hfsr_data.modcrop(hfsr_data.load_image(path), scale)
                lr = hfsr_data.bicubic_downscale(hr, scale)
                hr_grey, lr_grey = (
                    grey(torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))[None].to(device))
                    for a in (hr, lr))
                # The predictor is the bicubic upscale of the grey, as in
                # Targets and in the op (hfsr_dog_sr_levels).
                bicubic = hfsr_data.imresize(lr_grey[0, 0].cpu().numpy(), float(scale))
                bicubic = torch.from_numpy(bicubic.astype(np.float32))[None, None].to(device)
                self.images.append((hr_grey, lr_grey, bicubic))

    def __bool__(self):
        return bool(self.images)

    def stack(self, planes):
        """Replicate-padded so the output keeps the image size; the shave
        removes what the padding touched."""
        r = self.pad
        return gaussian_stack(nn.functional.pad(planes, (r, r, r, r), mode='replicate'), self.sigmas)

    @torch.no_grad()
    def run(self, model, method):
        was_training = model.training
        model.eval()
        r = self.pad
        crop = (Ellipsis, slice(r, -r), slice(r, -r))
        model_scores, bicubic_scores = [], []
        for hr, lr, bicubic in self.images:
            truth = dog(self.stack(hr))
            levels = self.stack(bicubic)
            out = model(lr) / OUTPUT_GAIN
            predicted = dog(levels) + out if method == 'residual-dog' else dog(levels + out)
            model_scores.append([psnr(predicted[:, k][crop], truth[:, k][crop]) for k in range(truth.shape[1])])
            bicubic_scores.append([psnr(dog(levels)[:, k][crop], truth[:, k][crop])
                                   for k in range(truth.shape[1])])
        model.train(was_training)
        return np.mean(model_scores, axis=0), np.mean(bicubic_scores, axis=0)

    @staticmethod
    def describe(scores):
        model, bicubic = scores
        return ('DoG PSNR per level: model ' + ' / '.join(f'{v:.2f}' for v in model)
                + ' dB; bicubic ' + ' / '.join(f'{v:.2f}' for v in bicubic) + ' dB')


def init_trunk(model, path):
    """Copies the head and the residual blocks of an HF Super-Resolution
    model file into @model (same trunk; the tail and skip stay zero).  The
    RGB head's weights are summed over the colours: on a grey image, where
    R = G = B = Y', that is the very head the SR network applies."""
    metadata, tensors = hfsr_export.load_model_file(path)
    state = model.state_dict()
    for name, value in tensors.items():
        if name.startswith('body.'):
            if state[name].shape != value.shape:
                raise SystemExit(f'dog_sr: {path}: {name} is {tuple(value.shape)}, '
                                 f'not {tuple(state[name].shape)}')
            state[name] = value.clone()
    state['head.weight'] = tensors['head.weight'].sum(dim=1, keepdim=True)
    state['head.bias'] = tensors['head.bias'].clone()
    model.load_state_dict(state)


def build_parser():
    parser = hfsr_sr.build_parser()
    parser.description = ('Train a DoG Super-Resolution network (Noor et al.) and export it as an '
                          'hfsr model.')
    for action in parser._actions:
        if action.dest == 'scale':
            action.choices = (2, 4)
        if action.dest == 'alpha':
            action.help = argparse.SUPPRESS
    parser.add_argument('--method', choices=tuple(METHODS), required=True)
    parser.add_argument('--init-trunk', metavar='MODEL',
                        help='start the head and residual blocks from an HF Super-Resolution model '
                             '(models/hfsr-xS-a0.safetensors): its RGB head summed over the colours '
                             'reads grey as it reads a grey RGB image')
    parser.add_argument('--sigmas', type=float, nargs=5, default=DEFAULT_SIGMAS,
                        help='the five Gaussian sigmas at HR scale (default Noor et al.: %s)'
                             % ' '.join(map(str, DEFAULT_SIGMAS)))
    return parser


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    tag = f'hfsr-dog-x{args.scale}-{args.method}'
    out = args.out or os.path.join(hfsr_sr.HERE, 'runs', tag)
    export_path = args.export or os.path.join(out, tag + '.safetensors')
    lr_end = args.lr / 100.0 if args.lr_end is None else args.lr_end
    os.makedirs(out, exist_ok=True)
    log = hfsr_sr.Log(os.path.join(out, 'train.log'))
    try:
        return train(args, argv, out, export_path, lr_end, log)
    finally:
        log.close()


def train(args, argv, out, export_path, lr_end, log):
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = hfsr_sr.pick_device(args.device)
    sigmas = tuple(args.sigmas)
    if any(b <= a for a, b in zip(sigmas, sigmas[1:])) or sigmas[0] <= 0:
        raise SystemExit(f'dog_sr: sigmas must be positive and increasing, got {sigmas}')
    command = shlex.join(['/usr/bin/python3', os.path.relpath(os.path.abspath(__file__), hfsr_sr.REPO)] + argv)
    log(f'# {time.strftime("%Y-%m-%d %H:%M:%S")} {command}')

    training_paths, val_groups, data_description = hfsr_sr.gather_images(args, log)
    margin = margin_for(args.scale, sigmas)
    sampler = hfsr_data.PatchSampler(training_paths, args.scale, args.patch + 2 * margin)
    targets = Targets(args.scale, args.method, sigmas, margin, device)
    validation = DogValidation(val_groups, args.scale, sigmas, device)
    log(f'data: {data_description}; {len(sampler.paths)} training images used '
        f'(LR windows {args.patch} + 2 x {margin} margin); validation images: {len(validation.images)}')

    levels = METHODS[args.method]
    architecture = {'scale': args.scale, 'levels': levels, 'features': 32, 'blocks': 8, 'expansion': 4}
    torch.manual_seed(args.seed)
    model = DogSR(**architecture).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    checkpoint_path = os.path.join(out, 'checkpoint.pt')
    iteration, elapsed_before = 0, 0.0
    trunk = f'random (seed {args.seed})'
    if args.resume and os.path.exists(checkpoint_path):
        state = hfsr_sr.load_checkpoint(checkpoint_path, device)
        if state['architecture'] != architecture or state['method'] != args.method:
            raise SystemExit(f'dog_sr: {checkpoint_path} is a run of another network or method')
        model.load_state_dict(state['model'])
        optimizer.load_state_dict(state['optimizer'])
        iteration, elapsed_before = state['iteration'], state['elapsed']
        if args.minutes is not None:
            args.iters = state['iterations']
        trunk = state.get('trunk', trunk)
        log(f'resumed from {checkpoint_path} at iteration {iteration}')
    elif args.init_trunk:
        init_trunk(model, args.init_trunk)
        trunk = f'{os.path.basename(args.init_trunk)}\'s head and blocks'
        log(f'head and residual blocks from {args.init_trunk}')
    parameters = sum(p.numel() for p in model.parameters())
    log(f'DoG-SR x{args.scale} {args.method}: {parameters} parameters; device {hfsr_sr.describe_device(device)}')

    def snapshot():
        return {'architecture': architecture, 'method': args.method, 'sigmas': sigmas,
                'model': model.state_dict(), 'optimizer': optimizer.state_dict(),
                'iteration': iteration, 'iterations': args.iters,
                'elapsed': elapsed_before + time.monotonic() - start, 'command': command,
                'trunk': trunk}

    start = time.monotonic()
    prefetcher = hfsr_sr.Prefetcher(sampler, args.batch, args.seed, iteration)
    loss_sum = torch.zeros((), device=device)
    window = 0
    budget = hfsr_sr.TimeBudget(args.minutes, start, iteration, device, log)
    model.train()
    try:
        while iteration < args.iters:
            for group in optimizer.param_groups:
                group['lr'] = hfsr_sr.cosine_lr(iteration, args.iters, args.lr, lr_end)
            network_input, target, predictor = targets(*prefetcher.next())
            output = model(network_input)
            output = output + predictor
            loss = nn.functional.mse_loss(output, target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            iteration += 1
            loss_sum += loss.detach()
            window += 1
            args.iters = budget.iterations(iteration, args.iters)
            if iteration % args.log_every == 0:
                log(f'iter {iteration}/{args.iters} loss {float(loss_sum) / window:.3e} '
                    f'elapsed {elapsed_before + time.monotonic() - start:.0f} s')
                loss_sum.zero_()
                window = 0
    finally:
        prefetcher.close()
    hfsr_sr.save_checkpoint(checkpoint_path, snapshot())
    wall_time = elapsed_before + time.monotonic() - start

    quality = 'not measured (no validation images)'
    if validation:
        summary = DogValidation.describe(validation.run(model, args.method))
        log(f'val iter {iteration}: {summary}')
        quality = f'after {iteration} iterations, {len(validation.images)} validation images: {summary}'
    metadata = {
        'hfsr.task': 'dog-sr',
        'hfsr.scale': str(args.scale),
        'hfsr.method': args.method,
        'hfsr.sigmas': ' '.join(repr(s) for s in sigmas),
        'hfsr.training': (
            f'shared-trunk residual network (8 blocks, 32 features, expansion x4), {parameters} '
            f'parameters, {levels} output planes; initialised from {trunk}; data: {data_description}, grey Y\' (babl\'s, sRGB '
            f'encoded luminance), LR by MATLAB bicubic (antialiased) downscale rounded to 8 bits, random '
            f'{args.patch}x{args.patch} LR patches, 8 flips/rotations; loss: MSE of the '
            f'{"DoG" if args.method == "residual-dog" else "Gaussian levels"} (bicubic\'s + output); Adam, lr '
            f'{args.lr:g} cosine to {lr_end:g}; iterations: {iteration} of batch {args.batch}; wall time: '
            f'{wall_time:.0f} s; device: {hfsr_sr.describe_device(device)}; command: {command}'),
        'hfsr.quality': quality,
    }
    os.makedirs(os.path.dirname(os.path.abspath(export_path)), exist_ok=True)
    export_model(model.exported(), export_path, input_channels=1, metadata=metadata)
    log(f'exported {export_path} ({wall_time:.0f} s of training)')
    return {'iteration': iteration, 'export': export_path, 'checkpoint': checkpoint_path,
            'metadata': metadata}


if __name__ == '__main__':
    main()
