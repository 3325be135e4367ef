# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes PyTorch modules as hfsr model files (models/FORMAT.md) and reads them back.

export_model() traces a module with torch.fx, folds weight norm and batch norm into plain
weights and maps every traced operation onto one of the engine's node kinds; anything the
engine cannot compute exactly is a ValueError naming the node.  load_model_file() and
run_graph() read and execute a written file with plain torch ops, independently of the
module it came from, so tests can check that a file computes what its module computes.

Works with PyTorch 1.13 and 2.x; needs numpy (a PyTorch dependency) and nothing else.
"""

import json
import operator
import struct
from collections import OrderedDict

import numpy as np
import torch
import torch.fx
import torch.nn as nn
import torch.nn.functional as F
# The function torch.nn.utils.weight_norm shadows its module's name; import the hook
# class from the module itself.
from torch.nn.utils.weight_norm import WeightNorm

__all__ = ["export_model", "load_model_file", "run_graph", "write_safetensors"]

FORMAT_VERSION = "1"
# The engine's loader refuses larger headers.
MAX_HEADER_BYTES = 16 * 1024 * 1024

_RELU_FUNCTIONS = {F.relu, torch.relu}
_INPLACE_RELU_FUNCTIONS = {F.relu_, torch.relu_}
_SIGMOID_FUNCTIONS = {torch.sigmoid, F.sigmoid}
_ADD_FUNCTIONS = {operator.add, operator.iadd, torch.add}
_MUL_FUNCTIONS = {operator.mul, operator.imul, torch.mul}
_PIXEL_SHUFFLE_FUNCTIONS = {torch.pixel_shuffle, F.pixel_shuffle}
_SOFTMAX_FUNCTIONS = {F.softmax, torch.softmax}
_DROPOUT_FUNCTIONS = {F.dropout, F.dropout2d}


class _Value:
    """What an fx node computes, as the engine will see it.

    ``name`` is the engine value (graph input or node name).  ``pooled`` values are 1x1
    spatially (global pooling and what follows it); ``flat`` values are held by PyTorch as
    [N, features] (after flatten or linear), which the engine keeps as [C, H, W]: only a
    linear may read a flat value that is not pooled, because only there do the two
    layouts mean the same thing.
    """

    __slots__ = ("name", "channels", "pooled", "flat")

    def __init__(self, name, channels, pooled, flat):
        self.name = name
        self.channels = channels
        self.pooled = pooled
        self.flat = flat


class _ShapeOf:
    """x.size() / x.shape / one entry of them: only allowed as an argument of view()."""

    __slots__ = ("index",)

    def __init__(self, index=None):
        self.index = index


class _Record:
    """One engine node; tensors stay torch tensors until the file is written, so batch
    norm can still be folded into them."""

    __slots__ = ("name", "op", "inputs", "fields", "tensors", "fx_node", "module_name")

    def __init__(self, name, op, inputs, fields, tensors, fx_node, module_name):
        self.name = name
        self.op = op
        self.inputs = inputs
        self.fields = fields
        self.tensors = tensors
        self.fx_node = fx_node
        self.module_name = module_name


def _module_weight(module):
    """The module's effective weight, with weight norm (hook or parametrization) applied."""
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, WeightNorm) and hook.name == "weight":
            return hook.compute_weight(module).detach()
    # A parametrized module computes its parametrizations when .weight is read.
    return module.weight.detach()


def _describe(node):
    if node.op == "call_module":
        return "call_module '%s'" % node.target
    if node.op in ("call_method", "get_attr"):
        return "%s '%s'" % (node.op, node.target)
    return "%s %s" % (node.op, getattr(node.target, "__name__", repr(node.target)))


def _argument(node, index, keyword, default):
    if len(node.args) > index:
        return node.args[index]
    return node.kwargs.get(keyword, default)


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


class _Exporter:
    def __init__(self, module, input_channels, input_name):
        if not isinstance(input_channels, int) or input_channels < 1:
            raise ValueError("input_channels must be a positive integer, not %r"
                             % (input_channels,))
        if not isinstance(input_name, str) or not input_name:
            raise ValueError("input_name must be a non-empty string")
        self.module = module
        self.modules = dict(module.named_modules())
        self.input_channels = input_channels
        self.input_name = input_name
        self.env = {}
        self.records = []
        self.record_of_value = {}
        self.position = {}
        self.graph_outputs = []
        self.input_value = None

    # ---------------------------------------------------------------- helpers

    def _fail(self, node, problem):
        raise ValueError("cannot export node '%s' (%s): %s" % (node.name, _describe(node), problem))

    def _value(self, node, arg, allow_unpooled_flat=False):
        """The engine value behind an argument that must be a tensor."""
        if not isinstance(arg, torch.fx.Node):
            self._fail(node, "operand %r is a constant; the engine only combines tensors" % (arg,))
        value = self.env[arg]
        if not isinstance(value, _Value):
            self._fail(node, "argument '%s' is a shape, not a tensor" % arg.name)
        if value.flat and not value.pooled and not allow_unpooled_flat:
            self._fail(node, "a flattened feature map can only feed a Linear layer")
        return value

    def _image_value(self, node, arg):
        value = self._value(node, arg)
        if value.flat:
            self._fail(node, "needs an [N, C, H, W] tensor, got a flattened one")
        return value

    def _no_extra_arguments(self, node, count):
        if len(node.args) > count or node.kwargs:
            self._fail(node, "extra arguments are not supported")

    def _emit(self, node, op, inputs, channels, pooled, flat, fields=None, tensors=None,
              module_name=None):
        record = _Record(node.name, op, [value.name for value in inputs], fields or {},
                         tensors or {}, node, module_name)
        self.records.append(record)
        self.record_of_value[record.name] = record
        self.env[node] = _Value(record.name, channels, pooled, flat)

    def _alias(self, node, arg):
        self.env[node] = self._value(node, arg, allow_unpooled_flat=True)

    def _check_inplace(self, node, arg):
        """An in-place op changes its input (and whatever aliases it: dropout, identity)
        for every later reader; the engine's graph keeps the old value, so only allow it
        when nothing reads the input afterwards."""
        target = self._value(node, arg).name
        for other, value in self.env.items():
            if not isinstance(value, _Value) or value.name != target:
                continue
            for user in other.users:
                if user is not node and self.position[user] > self.position[node]:
                    self._fail(node, "works in place on '%s', which '%s' reads afterwards; "
                               "use the out-of-place form" % (arg.name, user.name))

    # --------------------------------------------------------------- layers

    def _conv2d(self, node, module):
        self._no_extra_arguments(node, 1)
        x = self._image_value(node, node.args[0])
        kh, kw = module.kernel_size
        if module.groups != 1:
            self._fail(node, "grouped convolution (groups=%d) is not supported" % module.groups)
        if _pair(module.stride) != (1, 1):
            self._fail(node, "stride %s is not supported, only 1" % (module.stride,))
        if _pair(module.dilation) != (1, 1):
            self._fail(node, "dilation %s is not supported, only 1" % (module.dilation,))
        if kh % 2 == 0 or kw % 2 == 0:
            self._fail(node, "kernel %dx%d: only odd kernels keep the size" % (kh, kw))
        same = ((kh - 1) // 2, (kw - 1) // 2)
        padding = module.padding
        if isinstance(padding, str):
            if padding != "same" and not (padding == "valid" and same == (0, 0)):
                self._fail(node, "padding '%s' does not keep the size" % padding)
        elif _pair(padding) != same:
            self._fail(node, "padding %s: the engine pads (k-1)/2 = %s" % (padding, same))
        if module.padding_mode != "zeros":
            self._fail(node, "padding_mode '%s' is not supported, only 'zeros'"
                       % module.padding_mode)
        if x.channels != module.in_channels:
            self._fail(node, "expects %d input channels, gets %d"
                       % (module.in_channels, x.channels))
        self._emit_weighted(node, "conv2d", x, module, module.out_channels, x.pooled, {})

    def _conv_transpose2d(self, node, module):
        self._no_extra_arguments(node, 1)
        x = self._image_value(node, node.args[0])
        if x.pooled:
            self._fail(node, "transposed convolution of a globally pooled value")
        kh, kw = module.kernel_size
        sh, sw = _pair(module.stride)
        ph, pw = _pair(module.padding)
        oh, ow = _pair(module.output_padding)
        if kh != kw or sh != sw or ph != pw or oh != ow:
            self._fail(node, "kernel, stride, padding and output_padding must be square")
        if module.groups != 1 or _pair(module.dilation) != (1, 1):
            self._fail(node, "groups and dilation must be 1")
        if module.padding_mode != "zeros":
            self._fail(node, "padding_mode '%s' is not supported" % module.padding_mode)
        if kh + oh - 2 * ph != sh:
            self._fail(node, "kernel %d + output_padding %d - 2 x padding %d must equal the "
                       "stride %d so the output is exactly stride x the input" % (kh, oh, ph, sh))
        if x.channels != module.in_channels:
            self._fail(node, "expects %d input channels, gets %d"
                       % (module.in_channels, x.channels))
        fields = {"stride": sh, "padding": ph, "output_padding": oh}
        self._emit_weighted(node, "conv_transpose2d", x, module, module.out_channels, False,
                            fields)

    def _emit_weighted(self, node, op, x, module, channels, pooled, fields):
        tensors = OrderedDict(weight=_module_weight(module).to(torch.float64))
        if module.bias is not None:
            tensors["bias"] = module.bias.detach().to(torch.float64)
        self._emit(node, op, [x], channels, pooled, False, fields, tensors,
                   module_name=node.target)

    def _batch_norm(self, node, module):
        """Folds eval-mode batch norm into the convolution right before it."""
        self._no_extra_arguments(node, 1)
        source = node.args[0]
        x = self._image_value(node, source)
        record = self.record_of_value.get(x.name)
        if (record is None or record.fx_node is not source
                or record.op not in ("conv2d", "conv_transpose2d")):
            self._fail(node, "batch norm must directly follow a convolution to be folded")
        if len(source.users) != 1:
            self._fail(node, "the convolution '%s' before it has other readers, so batch norm "
                       "cannot be folded into it" % source.name)
        if module.running_mean is None or module.running_var is None:
            self._fail(node, "batch norm without running statistics cannot be folded")
        if module.num_features != x.channels:
            self._fail(node, "has %d features, its input %d channels"
                       % (module.num_features, x.channels))
        mean = module.running_mean.detach().to(torch.float64)
        var = module.running_var.detach().to(torch.float64)
        gain = torch.ones_like(mean) if module.weight is None \
            else module.weight.detach().to(torch.float64)
        shift = torch.zeros_like(mean) if module.bias is None \
            else module.bias.detach().to(torch.float64)
        scale = gain / torch.sqrt(var + module.eps)
        weight = record.tensors["weight"]
        if record.op == "conv2d":  # [out, in, kh, kw]
            weight = weight * scale[:, None, None, None]
        else:  # conv_transpose2d: [in, out, kh, kw]
            weight = weight * scale[None, :, None, None]
        bias = record.tensors.get("bias", torch.zeros_like(mean))
        record.tensors["weight"] = weight
        record.tensors["bias"] = bias * scale + shift - mean * scale
        self.env[node] = x

    def _prelu(self, node, module):
        self._no_extra_arguments(node, 1)
        x = self._value(node, node.args[0])
        if module.num_parameters not in (1, x.channels):
            self._fail(node, "has %d slopes for %d channels" % (module.num_parameters, x.channels))
        tensors = OrderedDict(weight=module.weight.detach().to(torch.float64))
        self._emit(node, "prelu", [x], x.channels, x.pooled, x.flat, {}, tensors,
                   module_name=node.target)

    def _linear(self, node, module):
        self._no_extra_arguments(node, 1)
        x = self._value(node, node.args[0], allow_unpooled_flat=True)
        if not x.flat:
            self._fail(node, "Linear needs a flattened input (torch.flatten(x, 1) or "
                       "x.view(x.size(0), -1))")
        if (x.pooled and module.in_features != x.channels) or \
                module.in_features % x.channels != 0:
            self._fail(node, "has %d input features, its input %d channels%s"
                       % (module.in_features, x.channels, "" if x.pooled else " x H x W"))
        tensors = OrderedDict(weight=_module_weight(module).to(torch.float64))
        if module.bias is not None:
            tensors["bias"] = module.bias.detach().to(torch.float64)
        self._emit(node, "linear", [x], module.out_features, True, True, {}, tensors,
                   module_name=node.target)

    # ----------------------------------------------------------- activations

    def _unary(self, node, op, arg, inplace=False):
        if inplace:
            self._check_inplace(node, arg)
        x = self._value(node, arg)
        self._emit(node, op, [x], x.channels, x.pooled, x.flat)

    def _pixel_shuffle(self, node, factor):
        x = self._image_value(node, node.args[0])
        if not isinstance(factor, int) or factor < 1:
            self._fail(node, "factor %r is not a positive integer" % (factor,))
        if x.pooled:
            self._fail(node, "pixel shuffle of a globally pooled value")
        if x.channels % (factor * factor) != 0:
            self._fail(node, "%d channels do not split into %d x %d" % (x.channels, factor, factor))
        self._emit(node, "pixel_shuffle", [x], x.channels // (factor * factor), False, False,
                   {"factor": factor})

    def _global_avg_pool(self, node, arg, keepdim=True):
        x = self._image_value(node, arg)
        self._emit(node, "global_avg_pool", [x], x.channels, True, not keepdim)

    def _softmax(self, node, dim):
        x = self._value(node, node.args[0])
        channel_dims = (1, -1) if x.flat else (1, -3)
        if dim not in channel_dims:
            self._fail(node, "softmax over dim %r; the engine only does it over channels "
                       "(dim=1)" % (dim,))
        self._emit(node, "softmax", [x], x.channels, x.pooled, x.flat)

    def _add(self, node):
        if node.kwargs.get("alpha", 1) != 1:
            self._fail(node, "add with alpha is not supported")
        a = self._value(node, node.args[0])
        b = self._value(node, node.args[1])
        if (a.channels, a.pooled, a.flat) != (b.channels, b.pooled, b.flat):
            self._fail(node, "adds tensors of different shapes; the engine adds equal shapes only")
        self._emit(node, "add", [a, b], a.channels, a.pooled, a.flat)

    def _mul(self, node):
        a = self._value(node, node.args[0])
        b = self._value(node, node.args[1])
        # Squeeze-and-excitation: a feature map times a per-channel [N, C, 1, 1] scale.
        if not b.pooled and a.pooled:
            a, b = b, a
        if not b.pooled or a.flat or b.flat:
            self._fail(node, "only multiplication by a per-channel [N, C, 1, 1] scale "
                       "(channel_scale) is supported")
        if a.channels != b.channels:
            self._fail(node, "scales %d channels by %d factors" % (a.channels, b.channels))
        self._emit(node, "channel_scale", [a, b], a.channels, a.pooled, False)

    def _mean(self, node):
        dims = _argument(node, 1, "dim", None)
        keepdim = _argument(node, 2, "keepdim", False)
        if node.kwargs.get("dtype") is not None:
            self._fail(node, "mean with a dtype is not supported")
        if not isinstance(dims, (tuple, list)) or len(dims) != 2 \
                or {d % 4 for d in dims} != {2, 3}:
            self._fail(node, "only the mean over (2, 3), a global average pool, is supported")
        self._global_avg_pool(node, node.args[0], keepdim=bool(keepdim))

    def _flatten(self, node, start_dim, end_dim):
        x = self._value(node, node.args[0], allow_unpooled_flat=True)
        if x.flat:
            self.env[node] = x
            return
        if start_dim != 1 or end_dim not in (-1, 3):
            self._fail(node, "only flatten(x, 1), keeping the batch, is supported")
        self.env[node] = _Value(x.name, x.channels, x.pooled, True)

    def _view(self, node):
        sizes = list(node.args[1:])
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = list(sizes[0])
        batch_first = len(sizes) == 2 and sizes[1] == -1 and (
            isinstance(sizes[0], int) or (isinstance(sizes[0], torch.fx.Node)
                                          and isinstance(self.env.get(sizes[0]), _ShapeOf)
                                          and self.env[sizes[0]].index == 0))
        features_last = len(sizes) == 2 and sizes[0] == -1 and isinstance(sizes[1], int)
        if node.kwargs or not (batch_first or features_last):
            self._fail(node, "only reshaping to (batch, -1), a flatten, is supported")
        self._flatten(node, 1, -1)

    def _shape(self, node, index):
        source = node.args[0]
        if not isinstance(source, torch.fx.Node) or source not in self.env:
            self._fail(node, "shape of something that is not a tensor")
        self.env[node] = _ShapeOf(index)

    # ------------------------------------------------------------- dispatch

    def _call_module(self, node):
        module = self.modules[node.target]
        if isinstance(module, nn.Conv2d):
            self._conv2d(node, module)
        elif isinstance(module, nn.ConvTranspose2d):
            self._conv_transpose2d(node, module)
        elif isinstance(module, nn.BatchNorm2d):
            self._batch_norm(node, module)
        elif isinstance(module, nn.PReLU):
            self._prelu(node, module)
        elif isinstance(module, nn.Linear):
            self._linear(node, module)
        elif isinstance(module, nn.ReLU):
            self._no_extra_arguments(node, 1)
            self._unary(node, "relu", node.args[0], module.inplace)
        elif isinstance(module, nn.Sigmoid):
            self._no_extra_arguments(node, 1)
            self._unary(node, "sigmoid", node.args[0])
        elif isinstance(module, nn.PixelShuffle):
            self._no_extra_arguments(node, 1)
            self._pixel_shuffle(node, module.upscale_factor)
        elif isinstance(module, nn.AdaptiveAvgPool2d):
            self._no_extra_arguments(node, 1)
            if _pair(module.output_size) != (1, 1):
                self._fail(node, "only output_size 1 (global average pool) is supported")
            self._global_avg_pool(node, node.args[0])
        elif isinstance(module, nn.Flatten):
            self._no_extra_arguments(node, 1)
            self._flatten(node, module.start_dim, module.end_dim)
        elif isinstance(module, nn.Softmax):
            self._no_extra_arguments(node, 1)
            self._softmax(node, module.dim)
        elif isinstance(module, (nn.Identity, nn.modules.dropout._DropoutNd)):
            self._alias(node, node.args[0])
        else:
            self._fail(node, "unsupported module %s" % type(module).__name__)

    def _call_function(self, node):
        target = node.target
        if target in _RELU_FUNCTIONS or target in _INPLACE_RELU_FUNCTIONS:
            inplace = target in _INPLACE_RELU_FUNCTIONS or bool(_argument(node, 1, "inplace",
                                                                          False))
            self._unary(node, "relu", node.args[0], inplace)
        elif target in _SIGMOID_FUNCTIONS:
            self._no_extra_arguments(node, 1)
            self._unary(node, "sigmoid", node.args[0])
        elif target in _ADD_FUNCTIONS:
            self._add(node)
        elif target in _MUL_FUNCTIONS:
            self._no_extra_arguments(node, 2)
            self._mul(node)
        elif target in _PIXEL_SHUFFLE_FUNCTIONS:
            self._pixel_shuffle(node, _argument(node, 1, "upscale_factor", None))
        elif target is F.adaptive_avg_pool2d:
            if _pair(_argument(node, 1, "output_size", None)) != (1, 1):
                self._fail(node, "only output_size 1 (global average pool) is supported")
            self._global_avg_pool(node, node.args[0])
        elif target is torch.mean:
            self._mean(node)
        elif target is torch.flatten:
            self._flatten(node, _argument(node, 1, "start_dim", 0),
                          _argument(node, 2, "end_dim", -1))
        elif target in _SOFTMAX_FUNCTIONS:
            if node.kwargs.get("dtype") is not None:
                self._fail(node, "softmax with a dtype is not supported")
            self._softmax(node, _argument(node, 1, "dim", None))
        elif target in _DROPOUT_FUNCTIONS:
            self._alias(node, node.args[0])
        elif target is getattr and node.args[1] == "shape":
            self._shape(node, None)
        elif target is operator.getitem and isinstance(node.args[0], torch.fx.Node) \
                and isinstance(self.env.get(node.args[0]), _ShapeOf):
            self.env[node] = _ShapeOf(node.args[1])
        else:
            self._fail(node, "unsupported function")

    def _call_method(self, node):
        method = node.target
        if method in ("relu", "relu_"):
            self._no_extra_arguments(node, 1)
            self._unary(node, "relu", node.args[0], method == "relu_")
        elif method == "sigmoid":
            self._no_extra_arguments(node, 1)
            self._unary(node, "sigmoid", node.args[0])
        elif method == "add":
            self._add(node)
        elif method == "mul":
            self._no_extra_arguments(node, 2)
            self._mul(node)
        elif method == "mean":
            self._mean(node)
        elif method == "flatten":
            self._flatten(node, _argument(node, 1, "start_dim", 0),
                          _argument(node, 2, "end_dim", -1))
        elif method in ("view", "reshape"):
            self._view(node)
        elif method == "softmax":
            self._softmax(node, _argument(node, 1, "dim", None))
        elif method == "size":
            self._shape(node, _argument(node, 1, "dim", None))
        elif method == "contiguous":
            self._alias(node, node.args[0])
        else:
            self._fail(node, "unsupported tensor method")

    def _output(self, node):
        results = node.args[0]
        if isinstance(results, torch.fx.Node):
            results = [results]
        elif not isinstance(results, (tuple, list)):
            self._fail(node, "forward() must return a tensor or a tuple of tensors")
        for result in results:
            if not isinstance(result, torch.fx.Node):
                self._fail(node, "returns the constant %r" % (result,))
            value = self._value(node, result, allow_unpooled_flat=False)
            if value.name not in self.record_of_value:
                self._fail(node, "returns the input unchanged")
            if value.name in self.graph_outputs:
                self._fail(node, "returns '%s' twice" % result.name)
            self.graph_outputs.append(value.name)

    def trace(self):
        try:
            graph_module = torch.fx.symbolic_trace(self.module)
        except torch.fx.proxy.TraceError as error:
            raise ValueError("torch.fx cannot trace forward() (data-dependent control flow?): "
                             "%s" % error) from error
        graph = graph_module.graph
        graph.eliminate_dead_code()
        placeholders = [node for node in graph.nodes if node.op == "placeholder"]
        if len(placeholders) != 1:
            raise ValueError("forward() must take exactly one tensor, takes %d arguments"
                             % len(placeholders))
        self.position = {node: index for index, node in enumerate(graph.nodes)}
        for node in graph.nodes:
            if node.op == "placeholder":
                # The fx name, unique among the node names, until the file is written.
                self.input_value = node.name
                self.env[node] = _Value(node.name, self.input_channels, False, False)
            elif node.op == "call_module":
                self._call_module(node)
            elif node.op == "call_function":
                self._call_function(node)
            elif node.op == "call_method":
                self._call_method(node)
            elif node.op == "output":
                self._output(node)
            else:
                self._fail(node, "reads a module attribute directly; only parameters of "
                           "supported layers can be exported")

    # --------------------------------------------------------------- output

    def graph_and_tensors(self, output_names):
        if output_names is None:
            output_names = ["output"] if len(self.graph_outputs) == 1 else \
                ["output%d" % i for i in range(len(self.graph_outputs))]
        output_names = list(output_names)
        if len(output_names) != len(self.graph_outputs):
            raise ValueError("output_names has %d names, forward() returns %d tensors"
                             % (len(output_names), len(self.graph_outputs)))
        if len(set(output_names)) != len(output_names) or self.input_name in output_names \
                or not all(isinstance(name, str) and name for name in output_names):
            raise ValueError("output_names must be distinct non-empty strings other than the "
                             "input name: %r" % (output_names,))

        renamed = {self.input_value: self.input_name}
        renamed.update(zip(self.graph_outputs, output_names))
        taken = set(renamed.values())
        for record in self.records:
            if record.name in renamed:
                continue
            name, suffix = record.name, 1
            while name in taken:
                name = "%s_%d" % (record.name, suffix)
                suffix += 1
            renamed[record.name] = name
            taken.add(name)

        tensors = OrderedDict()
        nodes = []
        for record in self.records:
            node = OrderedDict(name=renamed[record.name], op=record.op,
                               inputs=[renamed[name] for name in record.inputs])
            for field, tensor in record.tensors.items():
                node[field] = self._tensor_name(tensors, "%s.%s" % (record.module_name, field),
                                                tensor.to(torch.float32))
            node.update(record.fields)
            nodes.append(node)
        graph = OrderedDict(input=OrderedDict(name=self.input_name, channels=self.input_channels),
                            outputs=[renamed[name] for name in self.graph_outputs],
                            nodes=nodes)
        return graph, tensors

    @staticmethod
    def _tensor_name(tensors, wanted, tensor):
        """A module called twice shares its tensors; distinct values (batch norm folded
        into one call only) get distinct names."""
        name, suffix = wanted, 1
        while name in tensors and not torch.equal(tensors[name], tensor):
            name = "%s_%d" % (wanted, suffix)
            suffix += 1
        tensors[name] = tensor
        return name


def write_safetensors(path, tensors, metadata):
    """Writes float32 @tensors (name -> tensor, in file order) and string @metadata."""
    header = OrderedDict()
    header["__metadata__"] = metadata
    offset = 0
    blobs = []
    for name, tensor in tensors.items():
        blob = np.ascontiguousarray(tensor.detach().cpu().numpy(), dtype="<f4").tobytes()
        header[name] = OrderedDict(dtype="F32", shape=list(tensor.shape),
                                   data_offsets=[offset, offset + len(blob)])
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data buffer starts 8-byte aligned
    if len(text) > MAX_HEADER_BYTES:
        raise ValueError("the header is %d bytes; the engine reads at most %d"
                         % (len(text), MAX_HEADER_BYTES))
    with open(path, "wb") as stream:
        stream.write(struct.pack("<Q", len(text)))
        stream.write(text)
        for blob in blobs:
            stream.write(blob)


def export_model(module, path, *, input_channels, input_name="input", output_names=None,
                 metadata=None):
    """Writes @module as an hfsr model file at @path.

    The module is traced with torch.fx and left untouched: weight norm is evaluated
    (g * v / ||v||) and batch norm folded (running statistics) into the exported weights.
    forward() takes one [N, input_channels, H, W] tensor and returns a tensor or a tuple
    of tensors; the first is the image output the engine tiles.  @output_names names the
    outputs ("output", or "output0", "output1", ... by default); @metadata adds string
    entries to the file's __metadata__ (e.g. {"hfsr.task": "super-resolution"}).
    Raises ValueError, naming the fx node, for anything the engine cannot compute exactly.
    Returns the graph (a dict) that was written.
    """
    exporter = _Exporter(module, input_channels, input_name)
    with torch.no_grad():
        exporter.trace()
        graph, tensors = exporter.graph_and_tensors(output_names)
    file_metadata = OrderedDict()
    file_metadata["hfsr.format"] = FORMAT_VERSION
    file_metadata["hfsr.graph"] = json.dumps(graph, separators=(",", ":"))
    for key, value in (metadata or {}).items():
        if not isinstance(key, str) or key in file_metadata:
            raise ValueError("metadata key %r is not a string or is reserved" % (key,))
        file_metadata[key] = str(value)
    write_safetensors(path, tensors, file_metadata)
    return graph


def load_model_file(path):
    """Reads a safetensors file: returns (metadata dict, OrderedDict name -> float32 tensor).

    Checks the container as the engine's loader does (F32 only, sizes, offsets inside the
    buffer, no overlap, no trailing bytes) so tests notice a malformed file here too.
    """
    with open(path, "rb") as stream:
        data = stream.read()
    if len(data) < 8:
        raise ValueError("%s: too short for a safetensors file" % path)
    (header_length,) = struct.unpack("<Q", data[:8])
    if header_length > min(MAX_HEADER_BYTES, len(data) - 8):
        raise ValueError("%s: header length %d does not fit" % (path, header_length))
    header = json.loads(data[8:8 + header_length].decode("utf-8"), object_pairs_hook=OrderedDict)
    buffer = data[8 + header_length:]
    metadata = header.pop("__metadata__", {})
    if not all(isinstance(value, str) for value in metadata.values()):
        raise ValueError("%s: metadata values must be strings" % path)
    tensors = OrderedDict()
    spans = []
    for name, entry in header.items():
        shape = entry["shape"]
        begin, end = entry["data_offsets"]
        if entry["dtype"] != "F32" or len(shape) > 4 or not 0 <= begin <= end <= len(buffer):
            raise ValueError("%s: tensor '%s' is malformed" % (path, name))
        count = int(np.prod(shape, dtype=np.int64)) if shape else 1
        if end - begin != 4 * count:
            raise ValueError("%s: tensor '%s' has %d bytes for shape %s"
                             % (path, name, end - begin, shape))
        array = np.frombuffer(buffer, dtype="<f4", count=count, offset=begin)
        tensors[name] = torch.from_numpy(array.astype(np.float32)).reshape(shape)
        spans.append((begin, end, name))
    spans.sort()
    for (_, end, name), (begin, _, other) in zip(spans, spans[1:]):
        if begin < end:
            raise ValueError("%s: tensors '%s' and '%s' overlap" % (path, name, other))
    if (spans[-1][1] if spans else 0) != len(buffer):
        raise ValueError("%s: bytes after the last tensor" % path)
    return metadata, tensors


def run_graph(path, x):
    """Runs the model file at @path on @x ([N, C, H, W] or [C, H, W]) with torch ops.

    Reads nothing but the file, computes in x's dtype, and returns an OrderedDict
    output name -> tensor in the engine's layout ([N, C, H, W]; linear outputs are
    [N, C, 1, 1]; without a batch dimension when x has none).
    """
    metadata, tensors = load_model_file(path)
    if metadata.get("hfsr.format") != FORMAT_VERSION:
        raise ValueError("%s: not an hfsr format %s file" % (path, FORMAT_VERSION))
    graph = json.loads(metadata["hfsr.graph"])
    batched = x.dim() == 4
    if not batched:
        x = x.unsqueeze(0)
    if x.shape[1] != graph["input"]["channels"]:
        raise ValueError("%s: wants %d input channels, got %d"
                         % (path, graph["input"]["channels"], x.shape[1]))

    def tensor(node, field):
        return tensors[node[field]].to(x.dtype) if field in node else None

    values = {graph["input"]["name"]: x}
    for node in graph["nodes"]:
        inputs = [values[name] for name in node["inputs"]]
        a = inputs[0]
        op = node["op"]
        weight, bias = tensor(node, "weight"), tensor(node, "bias")
        if op == "conv2d":
            kh, kw = weight.shape[2:]
            y = F.conv2d(a, weight, bias, padding=((kh - 1) // 2, (kw - 1) // 2))
        elif op == "conv_transpose2d":
            y = F.conv_transpose2d(a, weight, bias, stride=node["stride"],
                                   padding=node["padding"],
                                   output_padding=node["output_padding"])
        elif op == "pixel_shuffle":
            y = F.pixel_shuffle(a, node["factor"])
        elif op == "relu":
            y = F.relu(a)
        elif op == "prelu":
            y = F.prelu(a, weight)
        elif op == "sigmoid":
            y = torch.sigmoid(a)
        elif op == "add":
            if inputs[1].shape != a.shape:
                raise ValueError("%s: node '%s' adds different shapes" % (path, node["name"]))
            y = a + inputs[1]
        elif op == "channel_scale":
            if inputs[1].shape != (a.shape[0], a.shape[1], 1, 1):
                raise ValueError("%s: node '%s' has a bad scale shape" % (path, node["name"]))
            y = a * inputs[1]
        elif op == "global_avg_pool":
            y = a.mean((2, 3), keepdim=True)
        elif op == "linear":
            y = F.linear(a.flatten(1), weight, bias)[:, :, None, None]
        elif op == "softmax":
            y = torch.softmax(a, dim=1)
        else:
            raise ValueError("%s: node '%s' has unknown op '%s'" % (path, node["name"], op))
        values[node["name"]] = y
    return OrderedDict((name, values[name] if batched else values[name][0])
                       for name in graph["outputs"])
