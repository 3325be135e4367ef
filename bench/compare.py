#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The hfsr engine, ONNX Runtime and PyTorch on the same network, weights and input.

One invocation (docs/design.md, section 9, Speed):

1. builds WDSR-A with the training code's module (models/training/wdsr.py) and loads the
   weights of a shipped model file into it (weight norm removed: the file holds the
   folded weights), or seeded random weights with --random-weights;
2. exports it afresh with models/training/hfsr_export.py (hfsr's format) and
   torch.onnx.export (opset 13, dynamic height and width) into a temporary folder;
3. for each input size and thread count writes one random input (fixed seed) as raw
   float32 planes, starts the engine (hfsr-bench --paced) and ONNX Runtime
   (bench/ort-run.mjs, the same protocol) as workers and runs PyTorch in this process,
   each warmed up first; then the timed runs go round the three engines in turn (a
   different one first in each round, with a pause between engines so that the previous
   one's spinning threads fall asleep), so that a change in machine load hits all three;
4. checks that the three outputs agree (max abs difference <= --tolerance) and prints a
   Markdown table of medians, output megapixels per second and time ratios.

Run with /usr/bin/python3 (PyTorch) from anywhere; needs node and bench/node_modules
(installed on first use with npm) and a build of hfsr-bench (--build, default build/).
Exit status 0 when every output agrees, 1 when one does not or an engine fails, 2 on bad
arguments.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
from torch import nn
from torch.nn.utils import remove_weight_norm

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, os.path.join(ROOT, 'models', 'training'))

from hfsr_export import export_model, load_model_file  # noqa: E402
from wdsr import WDSRA  # noqa: E402

ENGINES = ('hfsr', 'ORT', 'PyTorch')
INPUT_SEED = 1


def parse_size(text):
    parts = text.lower().split('x')
    if len(parts) == 1:
        parts = parts * 2
    try:
        width, height = (int(part) for part in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"size '{text}' is not N or WxH") from None
    if len(parts) != 2 or width < 1 or height < 1:
        raise argparse.ArgumentTypeError(f"size '{text}' is not N or WxH")
    return width, height


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'{text} is not a positive integer')
    return value


def parse_arguments():
    parser = argparse.ArgumentParser(
        description='Time the hfsr engine, ONNX Runtime and PyTorch on WDSR-A, '
                    'interleaved, on the same weights and input.')
    parser.add_argument('--model', default=os.path.join(ROOT, 'models', 'hfsr-x2-a0.safetensors'),
                        help='shipped WDSR-A model file whose weights are used '
                             '(default: models/hfsr-x2-a0.safetensors)')
    parser.add_argument('--random-weights', action='store_true',
                        help='use WDSR-A x2 with seeded random weights instead')
    parser.add_argument('--seed', type=int, default=1,
                        help='seed of the random weights (default 1)')
    parser.add_argument('--sizes', nargs='+', type=parse_size,
                        default=[(n, n) for n in (256, 512, 1024, 2048)],
                        help='input sizes, N or WxH (default 256 512 1024 2048)')
    parser.add_argument('--threads', nargs='+', type=positive, default=[1, 2],
                        help='thread counts (default 1 2)')
    parser.add_argument('--runs', type=positive, default=5,
                        help='timed runs per engine, size and thread count (default 5)')
    parser.add_argument('--warmup', type=positive, default=1,
                        help='warm-up runs per engine before them (default 1)')
    parser.add_argument('--pause', type=float, default=0.3,
                        help='seconds of rest before each timed run (default 0.3)')
    parser.add_argument('--tile', type=int, default=0,
                        help="hfsr-bench's --tile (default 0: the engine's)")
    parser.add_argument('--torch-max', type=parse_size, metavar='SIZE',
                        help='time PyTorch only up to this input size (N or WxH, compared '
                        'by pixel count); above it, its columns read "–" (default: every '
                        'size). Debian\'s PyTorch takes minutes a run on 2048² inputs')
    parser.add_argument('--tolerance', type=float, default=1e-4,
                        help='largest max abs difference between outputs (default 1e-4)')
    parser.add_argument('--kernel', choices=['auto', 'avx512', 'avx2', 'generic', 'blas', 'avx512-bf16'],
                        default='auto',
                        help="the engine's kernel path (HFSR_KERNEL for hfsr-bench); auto: "
                        'the widest this CPU has, or HFSR_KERNEL as set (default auto)')
    parser.add_argument('--build', default=os.path.join(ROOT, 'build'),
                        help='meson build folder holding tools/hfsr-bench (default build/)')
    parser.add_argument('--keep', metavar='DIR',
                        help='keep the exported models, inputs and outputs in DIR')
    return parser.parse_args()


def log(message):
    print(message, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ the network

def build_network(args):
    """WDSR-A with the model file's weights (or seeded random ones) and a note saying
    which.  Weight norm is removed, so the module computes with plain weights: the
    folded ones of the file, or its own initial weights folded."""
    scale = 2
    tensors = None
    if not args.random_weights:
        metadata, tensors = load_model_file(args.model)
        scale = int(metadata.get('hfsr.scale', '2'))
    torch.manual_seed(args.seed)
    network = WDSRA(scale)
    convolutions = {name: module for name, module in network.named_modules()
                    if isinstance(module, nn.Conv2d)}
    for module in convolutions.values():
        remove_weight_norm(module)
    if tensors is None:
        note = f'WDSR-A x{scale} with random weights (torch seed {args.seed})'
    else:
        expected = {f'{name}.{field}': getattr(module, field)
                    for name, module in convolutions.items() for field in ('weight', 'bias')}
        if set(expected) != set(tensors):
            sys.exit(f'{args.model}: not the WDSR-A of models/training/wdsr.py (tensors '
                     f'{sorted(set(tensors) ^ set(expected))[:4]} differ); try --random-weights')
        with torch.no_grad():
            for name, parameter in expected.items():
                if tuple(parameter.shape) != tuple(tensors[name].shape):
                    sys.exit(f'{args.model}: tensor {name} is {tuple(tensors[name].shape)}, '
                             f'WDSR-A has {tuple(parameter.shape)}; try --random-weights')
                parameter.copy_(tensors[name])
        note = f'WDSR-A x{scale} with the weights of {os.path.relpath(args.model, ROOT)}'
    return network.eval(), scale, note


def export_network(network, folder):
    hfsr_path = os.path.join(folder, 'wdsr.safetensors')
    onnx_path = os.path.join(folder, 'wdsr.onnx')
    export_model(network, hfsr_path, input_channels=3,
                 metadata={'hfsr.task': 'super-resolution'})
    with torch.no_grad():
        torch.onnx.export(network, torch.zeros(1, 3, 32, 32), onnx_path, opset_version=13,
                          input_names=['input'], output_names=['output'],
                          dynamic_axes={'input': {2: 'height', 3: 'width'},
                                        'output': {2: 'out_height', 3: 'out_width'}})
    return hfsr_path, onnx_path


# ------------------------------------------------------------------ the engines

def ensure_onnxruntime():
    if os.path.isdir(os.path.join(BENCH, 'node_modules', 'onnxruntime-node')):
        return
    log('installing onnxruntime-node into bench/node_modules (package.json pins it)')
    # The install script fetches GPU parts and fails offline; the CPU library is in the
    # package.  No lock file: the version pin in package.json is the record.
    subprocess.run(['npm', 'install', '--ignore-scripts', '--no-package-lock',
                    '--prefix', BENCH], check=True, stdout=sys.stderr)


def hfsr_environment(args):
    """hfsr-bench's environment: --kernel other than auto forces that path."""
    if args.kernel == 'auto':
        return None
    return dict(os.environ, HFSR_KERNEL=args.kernel)


class PacedWorker:
    """A process speaking hfsr-bench's --paced protocol: {"ready": ...} after its
    warm-up, {"seconds": S} for each line it reads, a summary at the end of input."""

    def __init__(self, name, argv, env=None):
        self.name = name
        self.process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True, env=env)
        self.ready = self._answer()
        if not self.ready.get('ready'):
            self._fail(f'said {self.ready} instead of being ready')

    def _fail(self, problem):
        self.process.kill()
        self.process.wait()
        raise RuntimeError(f'{self.name}: {problem}')

    def _answer(self):
        line = self.process.stdout.readline()
        if not line:
            self._fail(f'exited with status {self.process.wait()}')
        return json.loads(line)

    def run(self):
        self.process.stdin.write('run\n')
        self.process.stdin.flush()
        return self._answer()['seconds']

    def finish(self):
        """Ends the runs: the worker writes its output and a summary line."""
        self.process.stdin.close()
        self._answer()
        status = self.process.wait()
        if status != 0:
            raise RuntimeError(f'{self.name}: exited with status {status}')


class TorchWorker:
    """PyTorch in this process, with the workers' interface."""

    def __init__(self, network, planes, threads, warmup):
        torch.set_num_threads(threads)
        self.network = network
        self.input = torch.from_numpy(planes).unsqueeze(0)
        self.output = None
        for _ in range(warmup):
            self.run()

    def run(self):
        with torch.inference_mode():
            start = time.perf_counter()
            self.output = self.network(self.input)
            return time.perf_counter() - start

    def finish(self):
        """Nothing to end: the output stays in memory."""


# ------------------------------------------------------------------ one setting

def read_planes(path, shape):
    data = np.fromfile(path, dtype='<f4')
    if data.size != np.prod(shape):
        raise RuntimeError(f'{path}: {data.size} floats, expected {shape}')
    return data.reshape(shape)


def measure(args, network, scale, paths, folder, size, threads, engines):
    """Times @engines interleaved on one input; returns their seconds, their
    outputs and ONNX Runtime's version."""
    width, height = size
    tag = f'{width}x{height}-t{threads}'
    planes = np.random.default_rng(INPUT_SEED).random((3, height, width), dtype=np.float32)
    input_path = os.path.join(folder, f'input-{tag}.raw')
    planes.tofile(input_path)
    outputs = {name: os.path.join(folder, f'output-{name}-{tag}.raw') for name in ENGINES[:2]}

    # Warm-ups one after another, so that none disturbs another's timed runs.
    workers = {}
    try:
        workers['hfsr'] = PacedWorker('hfsr-bench', [
            paths['hfsr-bench'], '--paced', '--threads', str(threads),
            '--warmup', str(args.warmup), '--tile', str(args.tile),
            '--input', input_path, '--output', outputs['hfsr'],
            paths['hfsr'], f'{width}x{height}'], env=hfsr_environment(args))
        workers['ORT'] = PacedWorker('ort-run.mjs', [
            'node', os.path.join(BENCH, 'ort-run.mjs'), '--model', paths['onnx'],
            '--input', input_path, '--shape', f'3,{height},{width}',
            '--threads', str(threads), '--warmup', str(args.warmup),
            '--output', outputs['ORT']])
        if 'PyTorch' in engines:
            workers['PyTorch'] = TorchWorker(network, planes, threads, args.warmup)

        seconds = {name: [] for name in engines}
        for round_index in range(args.runs):
            first = round_index % len(engines)
            for name in engines[first:] + engines[:first]:
                time.sleep(args.pause)
                seconds[name].append(workers[name].run())
        for worker in workers.values():
            worker.finish()
    finally:
        for worker in workers.values():
            if isinstance(worker, PacedWorker) and worker.process.poll() is None:
                worker.process.kill()
                worker.process.wait()

    out_shape = (3, height * scale, width * scale)
    results = {name: read_planes(path, out_shape) for name, path in outputs.items()}
    if 'PyTorch' in engines:
        results['PyTorch'] = workers['PyTorch'].output[0].numpy()
    return seconds, results, workers['ORT'].ready.get('version', 'unknown')


# ------------------------------------------------------------------ the report

def cpu_model():
    try:
        with open('/proc/cpuinfo') as stream:
            for line in stream:
                if line.startswith('model name') and ':' in line:
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def node_version():
    return subprocess.run(['node', '--version'], capture_output=True, text=True,
                          check=True).stdout.strip().lstrip('v')


def print_header(note, ort_version, hfsr_bench, args):
    print('# hfsr engine vs ONNX Runtime vs PyTorch\n')
    print(f'- network: {note}; exported afresh to hfsr and to ONNX (opset 13)')
    print(f'- CPU: {cpu_model()}, {os.cpu_count()} logical processors')
    print(f"- OPENBLAS_CORETYPE: {os.environ.get('OPENBLAS_CORETYPE', 'unset')}")
    kernel = args.kernel if args.kernel != 'auto' else os.environ.get('HFSR_KERNEL', 'auto')
    print(f'- engines: hfsr ({os.path.relpath(hfsr_bench, ROOT)}, tile '
          f"{args.tile or 'default'}, kernel {kernel}), ONNX Runtime {ort_version} (onnxruntime-node, "
          f'node {node_version()}), PyTorch {torch.__version__} '
          f'(Python {platform.python_version()})')
    print(f'- each engine: {args.warmup} warm-up run(s), then {args.runs} timed runs taken '
          f'in turn with the others; medians in seconds; MP/s = output megapixels per '
          f'second; ratios = hfsr time / other time (below 1: hfsr is faster)\n')
    print('| input | threads | hfsr s | ORT s | PyTorch s | hfsr MP/s | ORT MP/s '
          '| PyTorch MP/s | hfsr/ORT | hfsr/PyTorch | max abs diff hfsr–ORT, '
          'hfsr–PyTorch, ORT–PyTorch |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|')
    sys.stdout.flush()


def main():
    args = parse_arguments()
    hfsr_bench = os.path.join(args.build, 'tools', 'hfsr-bench')
    if not os.access(hfsr_bench, os.X_OK):
        sys.exit(f'{hfsr_bench} is missing: build it (ninja -C {args.build}) or pass --build')
    if shutil.which('node') is None:
        sys.exit('node is not on PATH')
    ensure_onnxruntime()
    # One level of parallelism in PyTorch too: intra-op threads only.
    torch.set_num_interop_threads(1)

    network, scale, note = build_network(args)
    folder = args.keep or tempfile.mkdtemp(prefix='hfsr-compare-')
    os.makedirs(folder, exist_ok=True)
    log(f'exporting into {folder}')
    hfsr_path, onnx_path = export_network(network, folder)
    paths = {'hfsr-bench': hfsr_bench, 'hfsr': hfsr_path, 'onnx': onnx_path}

    disagreements = 0
    header_printed = False
    try:
        for size in args.sizes:
            for threads in args.threads:
                log(f'{size[0]}x{size[1]}, {threads} thread(s)')
                engines = ENGINES
                if args.torch_max and size[0] * size[1] > args.torch_max[0] * args.torch_max[1]:
                    engines = ENGINES[:2]
                seconds, results, ort_version = measure(args, network, scale, paths, folder,
                                                        size, threads, engines)
                if not header_printed:
                    print_header(note, ort_version, hfsr_bench, args)
                    header_printed = True
                medians = {name: statistics.median(values) for name, values in seconds.items()}
                out_mp = size[0] * size[1] * scale * scale / 1e6
                diffs = []
                for a, b in (('hfsr', 'ORT'), ('hfsr', 'PyTorch'), ('ORT', 'PyTorch')):
                    if b not in results:
                        diffs.append('–')
                        continue
                    diff = float(np.max(np.abs(results[a].astype(np.float64) - results[b])))
                    if not diff <= args.tolerance:
                        disagreements += 1
                    diffs.append(f'{diff:.1e}')

                def cell(name, value):
                    return value() if name in medians else '–'

                print(f'| {size[0]}x{size[1]} | {threads} | '
                      + ' | '.join(cell(name, lambda: f'{medians[name]:.4f}')
                                   for name in ENGINES) + ' | '
                      + ' | '.join(cell(name, lambda: f'{out_mp / medians[name]:.3f}')
                                   for name in ENGINES)
                      + f" | {medians['hfsr'] / medians['ORT']:.2f}"
                      + ' | ' + cell('PyTorch',
                                     lambda: f"{medians['hfsr'] / medians['PyTorch']:.2f}")
                      + f" | {', '.join(diffs)} |", flush=True)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        sys.exit(f'compare.py: {error}')
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    if disagreements:
        print(f'\n{disagreements} output pair(s) differ by more than {args.tolerance}')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
