# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""WDSR-A (Yu et al. 2018) as Zhou et al. use it: 8 wide-activation residual
blocks at 32 features, expansion x4, weight normalisation on every
convolution, a pixel-shuffle tail and a 5x5 pixel-shuffle skip from the
input.

Input and output are gamma-encoded R'G'B' in [0, 1].  The original subtracts
the dataset's mean colour first; the engine has no such op, and the biases
of the head and skip learn the offset anyway, so it is left out.
"""

from torch import nn
from torch.nn.utils import weight_norm


def normalized_conv(in_channels, out_channels, kernel_size):
    """A same-size convolution with weight normalisation (Salimans & Kingma),
    the hook form that PyTorch 1.13 and 2.x both provide; the exporter
    folds it into a plain weight."""
    return weight_norm(nn.Conv2d(in_channels, out_channels, kernel_size,
                                 padding=kernel_size // 2))


class WideActivationBlock(nn.Module):
    """x + conv3x3(relu(conv3x3(x))), widened `expansion` times inside."""

    def __init__(self, features, expansion):
        super().__init__()
        self.expand = normalized_conv(features, features * expansion, 3)
        self.activation = nn.ReLU()
        self.reduce = normalized_conv(features * expansion, features, 3)

    def forward(self, x):
        return x + self.reduce(self.activation(self.expand(x)))


class WDSRA(nn.Module):
    def __init__(self, scale, features=32, blocks=8, expansion=4, channels=3):
        super().__init__()
        if scale not in (2, 3, 4):
            raise ValueError(f'WDSR-A: scale must be 2, 3 or 4, got {scale}')
        self.scale = scale
        self.channels = channels
        self.head = normalized_conv(channels, features, 3)
        self.body = nn.Sequential(*[WideActivationBlock(features, expansion)
                                    for _ in range(blocks)])
        self.tail = normalized_conv(features, channels * scale * scale, 3)
        self.tail_shuffle = nn.PixelShuffle(scale)
        self.skip = normalized_conv(channels, channels * scale * scale, 5)
        self.skip_shuffle = nn.PixelShuffle(scale)

    def forward(self, x):
        residual = self.tail_shuffle(self.tail(self.body(self.head(x))))
        return residual + self.skip_shuffle(self.skip(x))


def parameter_count(module):
    return sum(p.numel() for p in module.parameters())


def macs_per_input_pixel(model):
    """Multiply-accumulates per LR pixel of one forward pass (convolutions
    only: the rest is negligible)."""
    total = 0
    for layer in model.modules():
        if isinstance(layer, nn.Conv2d):
            total += (layer.out_channels * layer.in_channels // layer.groups
                      * layer.kernel_size[0] * layer.kernel_size[1])
    return total


def load_folded(module, tensors, prefix=''):
    """Loads into `module` the weights of an exported file (hfsr_export
    folds weight normalisation into plain weights g v / ||v||): for a
    normalised convolution v = the weight and g = its norm per output
    channel give the same weights back.  `tensors` maps the file's names;
    `prefix` is what the file puts before the module's own names."""
    state = {}
    wanted = module.state_dict()
    for name, value in tensors.items():
        if not name.startswith(prefix):
            continue
        stem, _, leaf = name[len(prefix):].rpartition('.')
        if leaf == 'weight' and stem + '.weight_v' in wanted:
            state[stem + '.weight_v'] = value
            state[stem + '.weight_g'] = value.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
        else:
            state[name[len(prefix):]] = value
    module.load_state_dict(state)


def build_from_checkpoint(checkpoint):
    """A WDSRA with the architecture and weights of a training checkpoint
    (the dict hfsr_sr.py saves)."""
    arch = checkpoint['architecture']
    model = WDSRA(**arch)
    model.load_state_dict(checkpoint['model'])
    return model

