#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Trains the HF Super-Resolution models: WDSR-A with Zhou et al.'s
high-frequency L1 loss (eq 3: L1 over the pixels the alpha selection map of
the HR patch keeps), and exports them for the engine.

    /usr/bin/python3 models/training/hfsr_sr.py --scale 2 --alpha 0 \
        --iters 4000 --threads 2 --export models/hfsr-x2-a0.safetensors

Relaunching the same command with --resume continues from the last
checkpoint in --out.  See models/training/README.md for the full recipe.
"""

import argparse
import copy
import fractions
import importlib.util
import json
import math
import os
import queue
import re
import shlex
import sys
import threading
import time

import numpy as np
import torch

import hfsr_data
import wdsr
from hfsr_export import export_model, load_model_file
from hfsr_weightmap import hf_l1_loss

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SHARED_TRAIN = os.path.normpath(os.path.join(REPO, '..', 'shared', 'data', 'train'))
# The natural colour photos among skimage's sample images (the rest are grey,
# synthetic, microscopy or astronomy).  motorcycle_right is left out: it is
# the other half of a stereo pair with motorcycle_left.
SKIMAGE_PHOTOS = ('astronaut.png', 'chelsea.png', 'coffee.png',
                  'motorcycle_left.png', 'rocket.jpg')
HOLDOUT_DEFAULT = 20


def parse_alpha(text):
    """A non-negative number, fractions such as 1/5 allowed."""
    try:
        value = float(fractions.Fraction(text))
    except (ValueError, ZeroDivisionError):
        raise argparse.ArgumentTypeError(f'not a number: {text!r}')
    if value < 0:
        raise argparse.ArgumentTypeError(f'alpha must be >= 0, got {text}')
    return value


def alpha_tag(text):
    """File-name form of an alpha as typed: 0 -> a0, 1/5 -> a1-5, 0.2 -> a0.2."""
    return 'a' + text.replace('/', '-')


def parse_holdout(text):
    if text == 'none':
        return None
    folder, _, count = text.rpartition(':')
    if not folder or not count.isdigit():
        raise argparse.ArgumentTypeError(f'expected FOLDER:N or none, got {text!r}')
    return os.path.abspath(folder), int(count)


def skimage_photo_paths():
    spec = importlib.util.find_spec('skimage')
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = os.path.join(spec.submodule_search_locations[0], 'data')
    return [os.path.join(folder, name) for name in SKIMAGE_PHOTOS
            if os.path.isfile(os.path.join(folder, name))]


def build_parser():
    parser = argparse.ArgumentParser(
        description='Train WDSR-A with the high-frequency weight-map loss '
                    '(Zhou et al.) and export it as an hfsr model.')
    parser.add_argument('--scale', type=int, choices=(2, 3, 4), required=True)
    parser.add_argument('--alpha', default='0',
                        help='selection-map alpha (eq 7), e.g. 0, 1/5, 1/3 (default 0: plain L1)')
    parser.add_argument('--data', nargs='+',
                        default=[os.path.join(SHARED_TRAIN, 'T91'),
                                 os.path.join(SHARED_TRAIN, 'BSD200')],
                        help='folders of training images (default: shared T91 and BSD200)')
    parser.add_argument('--val', nargs='*', default=None,
                        help='validation images or folders (default: the colour photos in '
                             "skimage's data folder: " + ', '.join(SKIMAGE_PHOTOS) + ')')
    parser.add_argument('--holdout', nargs='*', type=parse_holdout, default=None,
                        help='FOLDER:N: the last N images of FOLDER by file name are validation '
                             'images, never trained on; "none" for no hold-out '
                             f'(default: BSD200:{HOLDOUT_DEFAULT})')
    parser.add_argument('--iters', type=int, default=4000, help='training iterations (batches)')
    parser.add_argument('--minutes', type=float, default=None,
                        help='train for about this many minutes instead: after a short timing '
                             'window the iteration count (and so the cosine schedule) is fixed '
                             'and logged; --iters is then only the count used until that point')
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--patch', type=int, default=32,
                        help='LR patch side; the HR patch is scale times larger (default 32)')
    parser.add_argument('--lr', type=float, default=1e-3, help='Adam learning rate at the start')
    parser.add_argument('--lr-end', type=float, default=None,
                        help='learning rate at the end of the cosine decay (default lr/100)')
    parser.add_argument('--init', help='checkpoint to start from (fine-tuning an alpha>0 model '
                                       'from the alpha=0 one of the same scale), or a model file '
                                       '(.safetensors, e.g. a shipped one) to continue in a new '
                                       'step with a fresh optimiser')
    parser.add_argument('--out', help='run folder: checkpoint, log, exported model '
                                      '(default models/training/runs/hfsr-xS-aALPHA)')
    parser.add_argument('--resume', action='store_true',
                        help='continue from the checkpoint in --out if there is one')
    parser.add_argument('--export', help='where to write the model '
                                         '(default OUT/hfsr-xS-aALPHA.safetensors)')
    parser.add_argument('--threads', type=int, default=0,
                        help="CPU threads for PyTorch (default 0: PyTorch's choice)")
    parser.add_argument('--device', choices=('auto', 'cpu', 'cuda'), default='auto')
    parser.add_argument('--val-every', type=int, default=1000,
                        help='validate every K iterations (0: only at the end)')
    parser.add_argument('--log-every', type=int, default=50)
    parser.add_argument('--checkpoint-minutes', type=float, default=5.0)
    parser.add_argument('--seed', type=int, default=1)
    return parser


class Log:
    """Prints and appends to OUT/train.log, flushed at once so a killed run
    leaves its history."""

    def __init__(self, path):
        self.file = open(path, 'a', encoding='utf-8')

    def __call__(self, text):
        print(text, flush=True)
        self.file.write(text + '\n')
        self.file.flush()

    def close(self):
        self.file.close()


def gather_images(args, log):
    """(training paths, validation groups, description of the data).  A
    validation group is (label, paths); validation images are removed from
    the training list by real path, whatever folder names them."""
    groups = []
    if args.val is None:
        photos = skimage_photo_paths()
        if len(photos) < len(SKIMAGE_PHOTOS):
            log(f'note: found {len(photos)} of the {len(SKIMAGE_PHOTOS)} skimage photos')
        if photos:
            groups.append(('skimage photos', photos))
    else:
        loose = []
        for entry in args.val:
            if os.path.isdir(entry):
                groups.append((os.path.basename(os.path.normpath(entry)), hfsr_data.list_images(entry)))
            else:
                loose.append(entry)
        if loose:
            groups.append(('files', loose))
    holdouts = args.holdout
    if holdouts is None:
        bsd200 = os.path.join(SHARED_TRAIN, 'BSD200')
        holdouts = [(bsd200, HOLDOUT_DEFAULT)] if os.path.isdir(bsd200) else []
    held_out_count = {}
    for folder, count in (h for h in holdouts if h is not None):
        paths = hfsr_data.list_images(folder)[-count:] if count > 0 else []
        groups.append((f'{os.path.basename(folder)} held-out (last {count} by name)', paths))
        held_out_count[os.path.realpath(folder)] = len(paths)
    validation = {os.path.realpath(p) for _, paths in groups for p in paths}

    training, parts = [], []
    for folder in args.data:
        if not os.path.isdir(folder):
            raise SystemExit(f'hfsr_sr: training folder {folder} does not exist (give --data DIR ...)')
        paths = [p for p in hfsr_data.list_images(folder) if os.path.realpath(p) not in validation]
        training.extend(paths)
        held = held_out_count.get(os.path.realpath(folder), 0)
        parts.append(f'{os.path.basename(os.path.normpath(folder))} ({len(paths)} images'
                     + (f', {held} held out for validation' if held else '') + ')')
    if not training:
        raise SystemExit('hfsr_sr: no training images in ' + ', '.join(args.data))
    return training, groups, ', '.join(parts)


class Validation:
    """Whole-image Y-PSNR of the model against the HR image (mod-crop and
    shave = scale, outputs clipped and rounded to 8 bits), next to MATLAB
    bicubic, per group and over all images."""

    def __init__(self, groups, scale):
        self.scale = scale
        self.groups = []
        for label, paths in groups:
            images = []
            for path in paths:
                hr = hfsr_data.modcrop(hfsr_data.load_image(path), scale)
                lr = hfsr_data.bicubic_downscale(hr, scale)
                bicubic = hfsr_data.y_psnr(hfsr_data.bicubic_upscale(lr, scale), hr, scale)
                images.append((hr, lr, bicubic))
            if images:
                self.groups.append((label, paths, images))

    def __bool__(self):
        return bool(self.groups)

    def names(self):
        return '; '.join(f'{label}: ' + ', '.join(os.path.basename(p) for p in paths)
                         for label, paths, _ in self.groups)

    @torch.no_grad()
    def run(self, model, device):
        was_training = model.training
        model.eval()
        results, everything = [], []
        for label, _, images in self.groups:
            pairs = []
            for hr, lr, bicubic in images:
                x = torch.from_numpy(np.ascontiguousarray(lr.transpose(2, 0, 1)))[None].to(device)
                sr = model(x)[0].cpu().numpy().transpose(1, 2, 0)
                pairs.append((hfsr_data.y_psnr(hfsr_data.quantize(sr), hr, self.scale), bicubic))
            results.append((label, len(pairs), float(np.mean([p[0] for p in pairs])),
                            float(np.mean([p[1] for p in pairs]))))
            everything.extend(pairs)
        model.train(was_training)
        overall = (float(np.mean([p[0] for p in everything])), float(np.mean([p[1] for p in everything])))
        return overall, results

    @staticmethod
    def describe(overall, results):
        parts = [f'{label} ({n}): {model:.2f} vs {bicubic:.2f}' for label, n, model, bicubic in results]
        return (f'model {overall[0]:.2f} dB, bicubic {overall[1]:.2f} dB, '
                f'gain {overall[0] - overall[1]:+.2f} dB (' + '; '.join(parts) + ')')


def cosine_lr(iteration, total, start, end):
    """Cosine decay from `start` at iteration 0 to `end` at `total`:
    stateless, so a resumed run follows the same curve."""
    progress = min(iteration / max(total, 1), 1.0)
    return end + 0.5 * (start - end) * (1.0 + math.cos(math.pi * progress))


def save_checkpoint(path, state):
    """Written beside and renamed over, so a kill mid-write keeps the last
    good checkpoint."""
    temporary = path + '.tmp'
    torch.save(state, temporary)
    os.replace(temporary, path)


def load_checkpoint(path, device='cpu'):
    """A checkpoint written by save_checkpoint.  PyTorch 1.13's weights-only
    unpickler cannot read floats, so this is a full unpickle, the same on
    every version: load only checkpoints you made."""
    return torch.load(path, map_location=device, weights_only=False)


class Prefetcher:
    """Makes the batches of iterations first, first + 1, ... in a thread
    while the model trains on the previous ones.  Batch i is drawn with its
    own generator seeded by (seed, i), so the sequence does not depend on
    how far ahead the thread runs, and a resumed run sees exactly the
    batches the uninterrupted one would have."""

    def __init__(self, sampler, size, seed, first, depth=6):
        self.queue = queue.Queue(maxsize=depth)
        self.stop = threading.Event()

        def work():
            iteration = first
            while not self.stop.is_set():
                item = sampler.batch(np.random.default_rng([seed, iteration]), size)
                while not self.stop.is_set():
                    try:
                        self.queue.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                iteration += 1

        self.thread = threading.Thread(target=work, daemon=True)
        self.thread.start()

    def next(self):
        return self.queue.get()

    def close(self):
        self.stop.set()
        self.thread.join()


class TimeBudget:
    """--minutes: times iterations 20-220 (the first ones include warm-up),
    then fixes the iteration count that fills the budget, so the cosine
    schedule still runs to its end.  Inactive (None minutes, or a resumed
    run past the window) it leaves the count alone."""

    WINDOW = (20, 220)

    def __init__(self, minutes, start, iteration, device, log):
        self.minutes, self.start, self.device, self.log = minutes, start, device, log
        self.active = minutes is not None and iteration < self.WINDOW[0]
        self.window_start = None

    def iterations(self, iteration, iters):
        """The iteration count to use after `iteration` iterations."""
        if not self.active or iteration not in self.WINDOW:
            return iters
        if self.device.type == 'cuda':
            torch.cuda.synchronize(self.device)
        if iteration == self.WINDOW[0]:
            self.window_start = time.monotonic()
            return iters
        self.active = False
        first, last = self.WINDOW
        per_iteration = (time.monotonic() - self.window_start) / (last - first)
        left = self.minutes * 60.0 - (time.monotonic() - self.start)
        iters = max(iteration + 1, iteration + int(left / per_iteration))
        self.log(f'time budget {self.minutes:g} min: {per_iteration:.4f} s/iter over iterations '
                 f'{first}-{last}, so {iters} iterations in all')
        return iters


def to_unit_float(batch, device):
    """A uint8 numpy batch as float32 in [0, 1] on `device`."""
    return torch.from_numpy(batch).to(device).float().div_(255.0)


def pick_device(name):
    if name == 'auto':
        return torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    if name == 'cuda' and not torch.cuda.is_available():
        raise SystemExit('hfsr_sr: --device cuda but PyTorch sees no CUDA device')
    return torch.device(name)


def describe_device(device):
    if device.type == 'cuda':
        return f'cuda ({torch.cuda.get_device_name(device)}), torch {torch.__version__}'
    return f'cpu ({torch.get_num_threads()} threads), torch {torch.__version__}'


def steps_of(metadata, path):
    """The training steps of a model file's metadata (hfsr.steps: one entry
    a run, each run appending its own); a file made before the steps were
    kept gets one entry made from its hfsr.training and hfsr.quality."""
    if 'hfsr.steps' in metadata:
        return json.loads(metadata['hfsr.steps'])
    training = metadata.get('hfsr.training', '')
    found = {key: re.search(pattern, training) for key, pattern in (
        ('iterations', r'iterations: (\d+)'), ('seconds', r'wall time: (\d+) s'), ('device', r'device: ([^;]+)'))}
    psnr = re.search(r'model ([\d.]+) dB', metadata.get('hfsr.quality', ''))
    return [{'iterations': int(found['iterations'].group(1)) if found['iterations'] else 0,
             'seconds': int(found['seconds'].group(1)) if found['seconds'] else None,
             'device': found['device'].group(1) if found['device'] else None,
             'validation_db': float(psnr.group(1)) if psnr else None,
             'command': '(before steps were recorded: ' + os.path.basename(path) + "'s hfsr.training)"}]


def init_from_file(model, path, architecture):
    """Loads an exported WDSR-A file (a shipped hfsr-xS-*.safetensors) into
    `model`, weight normalisation unfolded (wdsr.load_folded), and returns
    its training steps (steps_of)."""
    try:
        metadata, tensors = load_model_file(path)
    except (OSError, ValueError) as problem:
        raise SystemExit(f'hfsr_sr: --init {path}: {problem}')
    if metadata.get('hfsr.task') != 'super-resolution' or metadata.get('hfsr.scale') != str(architecture['scale']):
        raise SystemExit(f'hfsr_sr: --init {path} is not a x{architecture["scale"]} super-resolution file')
    try:
        wdsr.load_folded(model, tensors)
    except RuntimeError as problem:
        raise SystemExit(f'hfsr_sr: --init {path} is not a network of {architecture} ({problem})')
    return steps_of(metadata, path)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    alpha = parse_alpha(args.alpha)
    tag = f'hfsr-x{args.scale}-{alpha_tag(args.alpha)}'
    out = args.out or os.path.join(HERE, 'runs', tag)
    export_path = args.export or os.path.join(out, tag + '.safetensors')
    lr_end = args.lr / 100.0 if args.lr_end is None else args.lr_end
    os.makedirs(out, exist_ok=True)
    log = Log(os.path.join(out, 'train.log'))
    try:
        return train(args, argv, alpha, out, export_path, lr_end, log)
    finally:
        log.close()


def train(args, argv, alpha, out, export_path, lr_end, log):
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    if device.type == 'cuda':
        torch.backends.cudnn.benchmark = True
    script = os.path.relpath(os.path.abspath(__file__), REPO)
    command = shlex.join(['/usr/bin/python3', script] + argv)
    log(f'# {time.strftime("%Y-%m-%d %H:%M:%S")} {command}')

    training_paths, val_groups, data_description = gather_images(args, log)
    sampler = hfsr_data.PatchSampler(training_paths, args.scale, args.patch)
    if sampler.skipped:
        log(f'note: smaller than one HR patch, not used ({len(sampler.skipped)}): '
            + ', '.join(os.path.basename(p) for p in sampler.skipped))
    validation = Validation(val_groups, args.scale)
    log(f'data: {data_description}; {len(sampler.paths)} training images used; '
        f'validation: {validation.names() or "none"}')

    architecture = {'scale': args.scale, 'features': 32, 'blocks': 8, 'expansion': 4, 'channels': 3}
    steps = []
    torch.manual_seed(args.seed)
    model = wdsr.WDSRA(**architecture).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    iteration, elapsed_before = 0, 0.0
    checkpoint_path = os.path.join(out, 'checkpoint.pt')
    init_description = 'random (seed %d)' % args.seed
    if args.resume and os.path.exists(checkpoint_path):
        state = load_checkpoint(checkpoint_path, device)
        if state['architecture'] != architecture or state['alpha'] != alpha:
            raise SystemExit(f'hfsr_sr: {checkpoint_path} is a run of {state["architecture"]} '
                             f'at alpha {state["alpha"]:g}, not of {architecture} at alpha {alpha:g}')
        model.load_state_dict(state['model'])
        optimizer.load_state_dict(state['optimizer'])
        iteration, elapsed_before = state['iteration'], state['elapsed']
        args.iters = state.get('iterations', args.iters) if args.minutes is not None else args.iters
        init_description = state['init']
        steps = state.get('steps', [])
        log(f'resumed from {checkpoint_path} at iteration {iteration} ({elapsed_before:.0f} s so far)')
    elif args.init and args.init.endswith('.safetensors'):
        steps = init_from_file(model, args.init, architecture)
        init_description = (f'{os.path.basename(args.init)} ({sum(s["iterations"] for s in steps)} '
                            f'iterations in {len(steps)} recorded steps; a fresh optimiser)')
        log(f'initialised from {args.init}')
    elif args.init:
        state = load_checkpoint(args.init, device)
        if state['architecture'] != architecture:
            raise SystemExit(f'hfsr_sr: --init {args.init} holds {state["architecture"]}, '
                             f'not {architecture}')
        model.load_state_dict(state['model'])
        steps = state.get('steps', []) + [{
            'iterations': state['iteration'], 'seconds': round(state['elapsed']), 'device': None,
            'alpha': repr(state['alpha']), 'validation_db': None, 'command': state['command']}]
        init_description = (f'{os.path.basename(os.path.dirname(os.path.abspath(args.init)))}/'
                            f'{os.path.basename(args.init)} (iteration {state["iteration"]})')
        log(f'initialised from {args.init}')
    log(f'WDSR-A x{args.scale}: {wdsr.parameter_count(model)} parameters, '
        f'{wdsr.macs_per_input_pixel(model)} MACs per input pixel; alpha {alpha:g}; '
        f'device {describe_device(device)}')

    def snapshot():
        return {'architecture': architecture, 'model': model.state_dict(),
                'optimizer': optimizer.state_dict(), 'iterations': args.iters,
                'iteration': iteration, 'elapsed': elapsed_before + time.monotonic() - start,
                'init': init_description, 'alpha': alpha, 'command': command, 'steps': steps}

    start = time.monotonic()
    last_checkpoint = start
    # Sums stay on the device and are read at log time only: reading them
    # every step would make the host wait for the GPU each iteration.
    loss_sum = torch.zeros((), device=device)
    kept_sum = torch.zeros((), device=device)
    window = 0
    window_start = start
    budget = TimeBudget(args.minutes, start, iteration, device, log)
    prefetcher = Prefetcher(sampler, args.batch, args.seed, iteration)
    model.train()
    try:
        while iteration < args.iters:
            for group in optimizer.param_groups:
                group['lr'] = cosine_lr(iteration, args.iters, args.lr, lr_end)
            lr_batch, hr_batch = prefetcher.next()
            loss, kept = hf_l1_loss(model(to_unit_float(lr_batch, device)),
                                    to_unit_float(hr_batch, device), alpha)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            iteration += 1
            loss_sum += loss.detach()
            kept_sum += kept
            window += 1
            args.iters = budget.iterations(iteration, args.iters)
            now = time.monotonic()
            if iteration % args.log_every == 0 or iteration == args.iters:
                log(f'iter {iteration}/{args.iters} loss {float(loss_sum) / window:.5f} '
                    f'kept {float(kept_sum) / window:.3f} '
                    f'lr {optimizer.param_groups[0]["lr"]:.2e} elapsed {elapsed_before + now - start:.0f} s '
                    f'({(time.monotonic() - window_start) / window:.3f} s/iter)')
                loss_sum.zero_()
                kept_sum.zero_()
                window, window_start = 0, time.monotonic()
            if args.val_every and iteration % args.val_every == 0 and iteration < args.iters and validation:
                validation_start = time.monotonic()
                log(f'val iter {iteration}: ' + Validation.describe(*validation.run(model, device)))
                # Keep the s/iter figure about training alone.
                window_start += time.monotonic() - validation_start
            if now - last_checkpoint >= args.checkpoint_minutes * 60.0:
                save_checkpoint(checkpoint_path, snapshot())
                last_checkpoint = time.monotonic()
    finally:
        prefetcher.close()
    save_checkpoint(checkpoint_path, snapshot())
    wall_time = elapsed_before + time.monotonic() - start

    quality = 'not measured (no validation images)'
    overall = None
    if validation:
        overall, results = validation.run(model, device)
        summary = Validation.describe(overall, results)
        log(f'val iter {iteration}: {summary}')
        quality = (f'Y-PSNR (BT.601 Y, mod-crop and shave {args.scale}, 8-bit output, MATLAB bicubic '
                   f'downscale) after {iteration} iterations: {summary}')

    metadata = {
        'hfsr.task': 'super-resolution',
        'hfsr.scale': str(args.scale),
        'hfsr.alpha': repr(alpha),
        'hfsr.training': (
            f'WDSR-A (8 blocks, 32 features, expansion x4, weight norm), '
            f'{wdsr.parameter_count(model)} parameters, {wdsr.macs_per_input_pixel(model)} MACs per '
            f'input pixel; data: {data_description}, LR by MATLAB bicubic (antialiased) downscale '
            f'rounded to 8 bits, random {args.patch}x{args.patch} LR patches, 8 flips/rotations; '
            f'loss: Zhou et al. eq 3 with alpha {args.alpha}; Adam, lr {args.lr:g} cosine to '
            f'{lr_end:g}; init: {init_description}; iterations: {iteration} of batch {args.batch}; '
            f'wall time: {wall_time:.0f} s; device: {describe_device(device)}; command: {command}'),
        'hfsr.quality': quality,
        'hfsr.steps': json.dumps(steps + [{
            'iterations': iteration, 'seconds': round(wall_time), 'device': describe_device(device),
            'alpha': repr(alpha), 'validation_db': None if overall is None else round(overall[0], 3),
            'command': command}]),
    }
    os.makedirs(os.path.dirname(os.path.abspath(export_path)), exist_ok=True)
    export_model(copy.deepcopy(model).cpu().eval(), export_path, input_channels=3, metadata=metadata)
    log(f'exported {export_path} ({wall_time:.0f} s of training)')
    return {'iteration': iteration, 'wall_time': wall_time, 'export': export_path,
            'checkpoint': checkpoint_path, 'validation': overall, 'metadata': metadata}


if __name__ == '__main__':
    main()
