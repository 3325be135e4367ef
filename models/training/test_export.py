# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Tests of hfsr_export.py: an exported file, executed straight from the file by
run_graph(), computes what the module computes; unsupported modules are refused.

    /usr/bin/python3 models/training/test_export.py      (meson test test-export)
"""

import json
import os
import struct
import sys
import tempfile
import unittest

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import parametrize

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_parity_fixture  # noqa: E402
from hfsr_export import export_model, load_model_file, run_graph  # noqa: E402

TOLERANCE = 1e-5
ALL_OPS = {"conv2d", "conv_transpose2d", "pixel_shuffle", "relu", "prelu", "sigmoid", "add",
           "channel_scale", "global_avg_pool", "linear", "softmax"}


def random_input(channels=3, height=9, width=7, seed=1):
    generator = torch.Generator().manual_seed(seed)
    return torch.rand((2, channels, height, width), generator=generator)


def read_bytes(path):
    with open(path, "rb") as stream:
        return stream.read()


def randomize_batch_norm(norm, seed):
    generator = torch.Generator().manual_seed(seed)
    count = norm.num_features
    with torch.no_grad():
        norm.running_mean.copy_(torch.rand(count, generator=generator) - 0.5)
        norm.running_var.copy_(torch.rand(count, generator=generator) + 0.5)
        if norm.affine:
            norm.weight.copy_(torch.rand(count, generator=generator) + 0.5)
            norm.bias.copy_(torch.rand(count, generator=generator) - 0.5)
    return norm


class UnitNormScale(nn.Module):
    """A weight-norm-like parametrization for PyTorch versions without
    torch.nn.utils.parametrizations.weight_norm."""

    def __init__(self, out_channels):
        super().__init__()
        self.gain = nn.Parameter(torch.linspace(0.5, 1.5, out_channels).view(-1, 1, 1, 1))

    def forward(self, weight):
        return self.gain * weight / weight.pow(2).sum(dim=(1, 2, 3), keepdim=True).sqrt()


class EveryForm(nn.Module):
    """Each op in every spelling the exporter accepts."""

    def __init__(self):
        super().__init__()
        self.head = nn.Conv2d(3, 8, 3, padding=1)
        self.wide = nn.Conv2d(8, 8, (1, 3), padding=(0, 1))
        self.same = nn.Conv2d(8, 8, 5, padding="same")
        self.inplace_relu = nn.ReLU(inplace=True)
        self.sigmoid = nn.Sigmoid()
        self.prelu = nn.PReLU()
        self.pool = nn.AdaptiveAvgPool2d((1, 1))
        self.squeeze = nn.Conv2d(8, 8, 1)
        self.identity = nn.Identity()
        self.dropout = nn.Dropout(0.5)
        self.shuffle = nn.PixelShuffle(2)
        self.up = nn.ConvTranspose2d(8, 2, 3, stride=1, padding=1)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(8, 4)
        self.fc2 = nn.Linear(8, 4)
        self.fc3 = nn.Linear(8, 4)
        self.fc4 = nn.Linear(8, 4)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        y = self.inplace_relu(self.head(x))
        y = F.relu(self.wide(y)) + torch.relu(self.same(y))
        y = torch.add(y.relu(), self.prelu(F.relu(y, True)))
        y = y * torch.sigmoid(self.squeeze(F.adaptive_avg_pool2d(y, 1)))
        y = torch.mul(self.sigmoid(self.pool(y)), y)
        y = y.mul(y.mean((2, 3), keepdim=True).sigmoid())
        y = y.add(self.identity(self.dropout(F.dropout(y, 0.1, training=self.training))))
        y = y * torch.mean(y, dim=(-1, -2), keepdim=True)
        image = torch.pixel_shuffle(y, 2) + self.shuffle(y.contiguous())
        channels = torch.softmax(self.up(y), dim=1)
        pooled = F.adaptive_avg_pool2d(y, 1)
        a = self.softmax(self.fc1(pooled.view(pooled.size(0), -1)))
        b = F.softmax(self.fc2(torch.flatten(pooled, 1)), dim=-1)
        c = self.fc3(self.flatten(pooled)).softmax(1)
        d = F.relu(self.fc4(y.mean((2, 3))))
        e = self.fc1(pooled.reshape(pooled.shape[0], -1))
        return image, channels, a, b, c, d, e


class ExportTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.count = 0

    def tearDown(self):
        self.tmp.cleanup()

    def export(self, module, input_channels=3, **kwargs):
        self.count += 1
        path = os.path.join(self.tmp.name, "model%d.safetensors" % self.count)
        graph = export_model(module, path, input_channels=input_channels, **kwargs)
        return path, graph

    def assert_file_computes_module(self, module, x, **kwargs):
        """Exports @module and checks run_graph(file, x) against module(x)."""
        path, graph = self.export(module, input_channels=x.shape[1], **kwargs)
        with torch.no_grad():
            expected = module.eval()(x)
        if not isinstance(expected, tuple):
            expected = (expected,)
        outputs = run_graph(path, x)
        self.assertEqual(list(outputs), graph["outputs"])
        self.assertEqual(len(outputs), len(expected))
        for (name, value), want in zip(outputs.items(), expected):
            if want.dim() == 2:  # linear results: the engine keeps [C, 1, 1]
                want = want[:, :, None, None]
            self.assertEqual(value.shape, want.shape, name)
            error = (value - want).abs().max().item()
            self.assertLessEqual(error, TOLERANCE, "output %s differs by %g" % (name, error))
        return path, graph

    @staticmethod
    def ops(graph):
        return [node["op"] for node in graph["nodes"]]

    def test_plain_convolutions(self):
        net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, 4, 1),
                            nn.Conv2d(4, 6, (3, 5), padding=(1, 2), bias=False),
                            nn.Conv2d(6, 3, 5, padding=2))
        path, graph = self.assert_file_computes_module(net, random_input())
        self.assertEqual(self.ops(graph), ["conv2d", "relu", "conv2d", "conv2d", "conv2d"])
        self.assertNotIn("bias", graph["nodes"][3])
        _, tensors = load_model_file(path)
        self.assertTrue(torch.equal(tensors["0.weight"], net[0].weight))
        self.assertTrue(torch.equal(tensors["4.bias"], net[4].bias))

    def test_weight_norm_hook_is_folded(self):
        conv = nn.utils.weight_norm(nn.Conv2d(3, 5, 3, padding=1))
        with torch.no_grad():
            conv.weight_g.mul_(torch.linspace(0.2, 2.0, 5).view(-1, 1, 1, 1))
        net = nn.Sequential(conv, nn.ReLU(), nn.utils.weight_norm(nn.Conv2d(5, 3, 1)))
        path, _ = self.assert_file_computes_module(net, random_input())
        _, tensors = load_model_file(path)
        self.assertEqual(set(tensors), {"0.weight", "0.bias", "2.weight", "2.bias"})
        v, g = conv.weight_v.detach(), conv.weight_g.detach()
        folded = g * v / v.pow(2).sum(dim=(1, 2, 3), keepdim=True).sqrt()
        self.assertLessEqual((tensors["0.weight"] - folded).abs().max().item(), 1e-6)
        # The module itself still carries its weight norm.
        self.assertTrue(hasattr(net[0], "weight_g"))

    def test_parametrized_weight_is_folded(self):
        conv = nn.Conv2d(3, 4, 3, padding=1)
        parametrize.register_parametrization(conv, "weight", UnitNormScale(4))
        self.assert_file_computes_module(nn.Sequential(conv, nn.Sigmoid()), random_input())

    @unittest.skipUnless(hasattr(torch.nn.utils.parametrizations, "weight_norm"),
                         "PyTorch without parametrizations.weight_norm (< 2.1)")
    def test_parametrizations_weight_norm_is_folded(self):
        conv = torch.nn.utils.parametrizations.weight_norm(nn.Conv2d(3, 4, 3, padding=1))
        self.assert_file_computes_module(nn.Sequential(conv, nn.ReLU()), random_input())

    def test_batch_norm_is_folded(self):
        net = nn.Sequential(
            nn.Conv2d(3, 6, 3, padding=1, bias=False), randomize_batch_norm(nn.BatchNorm2d(6), 1),
            nn.ReLU(),
            nn.Conv2d(6, 6, 1), randomize_batch_norm(nn.BatchNorm2d(6, affine=False), 2),
            nn.ConvTranspose2d(6, 4, 4, stride=2, padding=1),
            randomize_batch_norm(nn.BatchNorm2d(4), 3))
        before = {name: value.clone() for name, value in net.state_dict().items()}
        path, graph = self.assert_file_computes_module(net, random_input())
        self.assertEqual(self.ops(graph), ["conv2d", "relu", "conv2d", "conv_transpose2d"])
        self.assertIn("bias", graph["nodes"][0])
        for name, value in net.state_dict().items():
            self.assertTrue(torch.equal(value, before[name]), name + " was changed")

        # Folding uses the running statistics, whatever mode the module is in.
        train_path, _ = self.export(net.train())
        self.assertEqual(read_bytes(path), read_bytes(train_path))

    def test_every_form_of_every_op(self):
        torch.manual_seed(3)
        net = EveryForm()
        _, graph = self.assert_file_computes_module(
            net, random_input(height=6, width=5),
            output_names=["image", "channels", "a", "b", "c", "d", "e"])
        self.assertEqual(set(self.ops(graph)), ALL_OPS)

    def test_parity_network(self):
        net = make_parity_fixture.build(True, 7).double()
        x = random_input(height=13, width=11, seed=4).double()
        _, graph = self.assert_file_computes_module(net, x, output_names=["output", "classes"])
        self.assertEqual(set(self.ops(graph)), ALL_OPS)

    def test_committed_fixtures_are_current(self):
        """tests/engine/fixtures must be what make_parity_fixture.py makes now (to float
        rounding, which may differ between PyTorch versions)."""
        committed = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                 "tests", "engine", "fixtures")
        make_parity_fixture.write_fixtures(self.tmp.name)
        for name in sorted(os.listdir(self.tmp.name)):
            with self.subTest(fixture=name):
                metadata, tensors = load_model_file(os.path.join(self.tmp.name, name))
                old_metadata, old_tensors = load_model_file(os.path.join(committed, name))
                self.assertEqual(metadata, old_metadata)
                self.assertEqual(list(tensors), list(old_tensors))
                for key, tensor in tensors.items():
                    self.assertEqual(tensor.shape, old_tensors[key].shape)
                    self.assertLessEqual((tensor - old_tensors[key]).abs().max().item(), 1e-6)

    def test_shared_module(self):
        class Twice(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(4, 4, 3, padding=1)
                self.norm = randomize_batch_norm(nn.BatchNorm2d(4), 5)

            def forward(self, x):
                return self.conv(torch.relu(self.conv(x))) + self.norm(self.conv(x))

        path, graph = self.assert_file_computes_module(Twice(), random_input(channels=4))
        _, tensors = load_model_file(path)
        # Two plain calls share one tensor; the one with batch norm folded in has its own.
        self.assertEqual(sorted(tensors), ["conv.bias", "conv.bias_1", "conv.weight",
                                           "conv.weight_1"])

    def test_names_metadata_and_layout(self):
        class Named(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 2, 3, padding=1)
                self.fc = nn.Linear(2, 3)

            def forward(self, x):
                y = torch.relu(self.conv(x))
                return y, self.fc(torch.flatten(F.adaptive_avg_pool2d(y, 1), 1))

        metadata = {"hfsr.task": "test", "hfsr.alpha": 0.25}
        # Names that clash with the fx names: the nodes are renamed, the file still works.
        path, graph = self.assert_file_computes_module(
            Named(), random_input(channels=1), input_name="relu", output_names=["conv", "fc"],
            metadata=metadata)
        names = [node["name"] for node in graph["nodes"]]
        self.assertEqual(names, ["conv_1", "conv", "adaptive_avg_pool2d", "fc"])
        self.assertEqual(graph["input"], {"name": "relu", "channels": 1})
        self.assertEqual(graph["outputs"], ["conv", "fc"])

        file_metadata, _ = load_model_file(path)
        self.assertEqual(file_metadata["hfsr.format"], "1")
        self.assertEqual(file_metadata["hfsr.task"], "test")
        self.assertEqual(file_metadata["hfsr.alpha"], "0.25")
        self.assertEqual(json.loads(file_metadata["hfsr.graph"]), graph)

        data = read_bytes(path)
        (length,) = struct.unpack("<Q", data[:8])
        self.assertEqual(length % 8, 0)
        header = json.loads(data[8:8 + length])
        spans = sorted(entry["data_offsets"] for name, entry in header.items()
                       if name != "__metadata__")
        self.assertEqual(spans[0][0], 0)
        for (_, end), (begin, _) in zip(spans, spans[1:]):
            self.assertEqual(end, begin)
        self.assertEqual(8 + length + spans[-1][1], len(data))

        module = Named()
        repeat_a, _ = self.export(module, input_channels=1)
        repeat_b, _ = self.export(module, input_channels=1)
        self.assertEqual(read_bytes(repeat_a), read_bytes(repeat_b))

    def assert_refused(self, module, node_name, input_channels=3, **kwargs):
        with self.assertRaises(ValueError) as caught:
            self.export(module, input_channels=input_channels, **kwargs)
        if node_name is not None:
            self.assertIn("'%s'" % node_name, str(caught.exception))

    def test_unsupported_layers_are_refused(self):
        refused = {
            "stride": nn.Conv2d(3, 3, 3, stride=2, padding=1),
            "dilation": nn.Conv2d(3, 3, 3, padding=2, dilation=2),
            "groups": nn.Conv2d(3, 3, 3, padding=1, groups=3),
            "even": nn.Conv2d(3, 3, 2, padding=1),
            "valid": nn.Conv2d(3, 3, 3),
            "reflect": nn.Conv2d(3, 3, 3, padding=1, padding_mode="reflect"),
            "deconv": nn.ConvTranspose2d(3, 3, 4, stride=2),
            "deconv_rect": nn.ConvTranspose2d(3, 3, (3, 1), padding=(1, 0)),
            "maxpool": nn.MaxPool2d(2),
            "upsample": nn.Upsample(scale_factor=2),
            "pool2": nn.AdaptiveAvgPool2d(2),
            "tanh": nn.Tanh(),
            "linear": nn.Linear(3, 3),
            "prelu": nn.PReLU(4),
        }
        for name, layer in refused.items():
            with self.subTest(layer=name):
                self.assert_refused(nn.Sequential(nn.Conv2d(3, 3, 1), layer), "_1")
        self.assert_refused(nn.Sequential(nn.Conv2d(3, 3, 1), nn.ReLU(), nn.BatchNorm2d(3)), "_2")
        self.assert_refused(nn.Sequential(nn.Conv2d(3, 3, 1)), "_0", input_channels=4)

    def test_unsupported_functions_are_refused(self):
        class Lambda(nn.Module):
            def __init__(self, function):
                super().__init__()
                self.conv = nn.Conv2d(3, 3, 1)
                self.other = nn.Conv2d(3, 3, 1)
                self.norm = randomize_batch_norm(nn.BatchNorm2d(3), 6)
                self.batch_stats = nn.BatchNorm2d(3, track_running_stats=False)
                self.scale = nn.Parameter(torch.ones(1))
                self.function = function

            def forward(self, x):
                return self.function(self, x)

        cases = [  # (what, forward, the node named in the error)
            ("interpolate", lambda m, x: F.interpolate(m.conv(x), scale_factor=2), "interpolate"),
            ("cat", lambda m, x: torch.cat([m.conv(x), x], 1), "cat"),
            ("sub", lambda m, x: m.conv(x) - x, "sub"),
            ("constant mul", lambda m, x: m.conv(x) * 2, "mul"),
            ("constant add", lambda m, x: m.conv(x) + 1, "add"),
            ("full mul", lambda m, x: m.conv(x) * m.other(x), "mul"),
            ("softmax dim 2", lambda m, x: F.softmax(m.conv(x), dim=2), "softmax"),
            ("log_softmax", lambda m, x: F.log_softmax(m.conv(x), dim=1), "log_softmax"),
            ("batch statistics", lambda m, x: m.batch_stats(m.conv(x)), "batch_stats"),
            ("bn after read conv", lambda m, x: (lambda y: y + m.norm(y))(m.conv(x)), "norm"),
            ("mean over H", lambda m, x: m.conv(x).mean(2, keepdim=True), "mean"),
            ("flatten batch", lambda m, x: torch.flatten(m.conv(x)), "flatten"),
            ("view", lambda m, x: m.conv(x).view(-1), "view"),
            ("parameter", lambda m, x: m.conv(x) * m.scale, "scale"),
            ("conv of flat", lambda m, x: m.other(m.conv(x).view(x.size(0), -1)), "other"),
            ("input as output", lambda m, x: (m.conv(x), x), "output"),
            ("clamp", lambda m, x: m.conv(x).clamp(0, 1), "clamp"),
        ]
        for what, function, node_name in cases:
            with self.subTest(case=what):
                self.assert_refused(Lambda(function), node_name)

        class InplaceAfterRead(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(3, 3, 1)
                self.act = nn.ReLU(inplace=True)

            def forward(self, x):
                y = self.conv(x)
                z = self.act(y)
                return z + y  # y was changed in place

        self.assert_refused(InplaceAfterRead(), "act")

        class InplaceThroughAlias(InplaceAfterRead):
            def forward(self, x):
                y = self.conv(x)
                return F.dropout(y, 0.1, self.training).relu_() + y

        self.assert_refused(InplaceThroughAlias(), "relu_")

        class TwoInputs(nn.Module):
            def forward(self, x, y):
                return x + y

        self.assert_refused(TwoInputs(), None)

        class DataDependent(nn.Module):
            def forward(self, x):
                return x.relu() if x.sum() > 0 else x.sigmoid()

        self.assert_refused(DataDependent(), None)
        with self.assertRaises(ValueError):
            self.export(nn.Sequential(nn.Conv2d(3, 3, 1)), output_names=["a", "b"])
        with self.assertRaises(ValueError):
            self.export(nn.Sequential(nn.Conv2d(3, 3, 1)), output_names=["input"])


if __name__ == "__main__":
    torch.set_num_threads(1)
    unittest.main()
