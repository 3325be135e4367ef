# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the fixtures of tests/engine/test-parity.c: small random-weight networks that use
every node kind of models/FORMAT.md, and what PyTorch computes with them.

Made with (from the repository root; the output is byte-for-byte reproducible):

    /usr/bin/python3 models/training/make_parity_fixture.py tests/engine/fixtures

It writes
  parity.safetensors          every op: weight-normed conv 3x3, conv + batch norm, conv 1x1,
                              conv 5x5 skip, PReLU, ReLU, residual add, squeeze-and-excitation,
                              9x9 stride-2 transposed conv, pixel shuffle x2, sigmoid, and a
                              second output global_avg_pool -> flatten -> linear -> softmax
  parity-local.safetensors    the same without the global parts (SE block, classifier), so
                              its margin is finite and tiles really are computed from parts
  parity-io.safetensors       "input" [3, 13, 11] and PyTorch's float64 "output" and "classes"
  parity-local-io.safetensors "input" and "output" of the local network
The io files are plain safetensors in the engine's layout ([C, H, W]; classes [5, 1, 1]).
"""

import argparse
import math
import os
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hfsr_export import export_model, run_graph, write_safetensors  # noqa: E402

SEED = 20260101
INPUT_SHAPE = (3, 13, 11)
TOLERANCE = 1e-5


class ParityNet(nn.Module):
    """Tiny SR network (x2) touching every engine op; `global_parts` adds the SE block and
    the classifier output, which make output 0 depend on the whole image."""

    def __init__(self, global_parts=True):
        super().__init__()
        self.global_parts = global_parts
        self.head = nn.utils.weight_norm(nn.Conv2d(3, 8, 3, padding=1))
        self.head_act = nn.PReLU(8)
        self.body_conv = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.body_norm = nn.BatchNorm2d(8)
        self.body_act = nn.ReLU(inplace=True)
        self.body_mix = nn.Conv2d(8, 8, 1)
        if global_parts:
            self.se_reduce = nn.Conv2d(8, 2, 1)
            self.se_expand = nn.Conv2d(2, 8, 1)
            self.classifier = nn.Linear(8, 5)
        self.tail = nn.Conv2d(8, 12, 3, padding=1)
        self.skip = nn.Conv2d(3, 12, 5, padding=2)
        self.shuffle = nn.PixelShuffle(2)
        self.upsample = nn.ConvTranspose2d(8, 3, 9, stride=2, padding=4, output_padding=1)

    def forward(self, x):
        features = self.head_act(self.head(x))
        body = self.body_mix(self.body_act(self.body_norm(self.body_conv(features))))
        if self.global_parts:
            squeeze = F.adaptive_avg_pool2d(body, 1)
            body = body * torch.sigmoid(self.se_expand(F.relu(self.se_reduce(squeeze))))
        features = features + body
        image = self.shuffle(self.tail(features)) + self.shuffle(self.skip(x))
        image = torch.sigmoid(image + self.upsample(features))
        if not self.global_parts:
            return image
        pooled = torch.flatten(nn.functional.adaptive_avg_pool2d(features, 1), 1)
        return image, F.softmax(self.classifier(pooled), dim=1)


def _uniform(generator, shape, low, high):
    return low + (high - low) * torch.rand(shape, generator=generator, dtype=torch.float64)


def randomize(net, seed):
    """Fills every parameter and batch-norm statistic from @seed, with scales that keep
    activations near 1 so float32 rounding stays far below the test tolerance."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in sorted(list(net.named_parameters()) + list(net.named_buffers())):
            leaf = name.rsplit(".", 1)[-1]
            module = net.get_submodule(name.rsplit(".", 1)[0])
            if leaf == "num_batches_tracked":
                continue
            if isinstance(module, nn.BatchNorm2d):
                low, high = {"weight": (0.5, 1.5), "bias": (-0.2, 0.2),
                             "running_mean": (-0.3, 0.3), "running_var": (0.5, 2.0)}[leaf]
            elif isinstance(module, nn.PReLU):
                low, high = 0.05, 0.3
            elif leaf == "bias":
                low, high = -0.1, 0.1
            elif leaf == "weight_g":
                low, high = 0.5, 1.5
            else:
                fan_in = tensor[0].numel()
                if isinstance(module, nn.ConvTranspose2d):
                    # Each output pixel sees about (k / stride)^2 taps per input channel.
                    fan_in = tensor.shape[0] * tensor[0, 0].numel() / module.stride[0] ** 2
                bound = math.sqrt(3.0 / fan_in)
                low, high = -bound, bound
            tensor.copy_(_uniform(generator, tensor.shape, low, high))
    return generator


def build(global_parts, seed):
    net = ParityNet(global_parts)
    randomize(net, seed)
    return net.eval()


def write_fixture(out_dir, stem, global_parts, x32):
    net = build(global_parts, SEED)
    output_names = ["output", "classes"] if global_parts else ["output"]
    model_path = os.path.join(out_dir, stem + ".safetensors")
    export_model(net, model_path, input_channels=3, output_names=output_names,
                 metadata=OrderedDict([
                     ("hfsr.task", "test"),
                     ("hfsr.scale", "2"),
                     ("hfsr.training", "random weights (seed %d) from "
                      "models/training/make_parity_fixture.py" % SEED)]))

    x64 = x32.to(torch.float64)
    with torch.no_grad():
        expected = net.double()(x64.unsqueeze(0))
        from_file = run_graph(model_path, x64)
    if not isinstance(expected, tuple):
        expected = (expected,)
    io = OrderedDict(input=x32)
    for name, value in zip(output_names, expected):
        value = value[0].reshape(value.shape[1], *(value.shape[2:] or (1, 1)))
        error = (from_file[name] - value).abs().max().item()
        if error > TOLERANCE:
            raise SystemExit("%s: exported %s differs from PyTorch by %g" % (stem, name, error))
        io[name] = value.to(torch.float32)
    write_safetensors(os.path.join(out_dir, stem + "-io.safetensors"), io,
                      OrderedDict(description="input and PyTorch float64 outputs of %s"
                                  ".safetensors" % stem))


def write_fixtures(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    generator = torch.Generator().manual_seed(SEED + 1)
    x32 = _uniform(generator, INPUT_SHAPE, 0.0, 1.0).to(torch.float32)
    write_fixture(out_dir, "parity", True, x32)
    write_fixture(out_dir, "parity-local", False, x32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?",
                        default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                             "..", "..", "tests", "engine", "fixtures"))
    args = parser.parse_args()
    torch.set_num_threads(1)
    write_fixtures(args.out_dir)


if __name__ == "__main__":
    main()
