# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Zhou et al.'s high-frequency weight map (eq 4-6), selection map (eq 7) and
loss (eq 3), batched in PyTorch.

The maths is the one declared for hfsr_hf_weight_map and
hfsr_hf_selection_map in engine/hfsr.h, so the pixels a model was trained on
are the pixels `hfsr:hf-map` shows.  Every function works on the last two
axes (height, width) and treats all leading axes (batch, channel) as
independent planes.
"""

import torch


def hf_weight_map(planes):
    """Eq 4-6: for each pixel, the difference to the neighbour (up, down,
    left, right, those that exist) with the largest magnitude, signed; on a
    tie, the first in that order.  A 1x1 plane has no neighbour: weight 0."""
    weight = torch.zeros_like(planes)
    # -1 is below every magnitude, so the first neighbour that exists wins.
    best = torch.full_like(planes, -1.0)

    def consider(target, centre, neighbour):
        difference = centre - neighbour
        magnitude = difference.abs()
        # Strictly greater: on a tie the earlier direction keeps its place.
        better = magnitude > best[target]
        weight[target] = torch.where(better, difference, weight[target])
        best[target] = torch.where(better, magnitude, best[target])

    consider((..., slice(1, None), slice(None)), planes[..., 1:, :], planes[..., :-1, :])  # up
    consider((..., slice(None, -1), slice(None)), planes[..., :-1, :], planes[..., 1:, :])  # down
    consider((..., slice(None), slice(1, None)), planes[..., :, 1:], planes[..., :, :-1])  # left
    consider((..., slice(None), slice(None, -1)), planes[..., :, :-1], planes[..., :, 1:])  # right
    return weight


def hf_selection_map(weight, alpha):
    """Eq 7 per plane: the weights min-max normalised to [0, 1] over the
    whole plane, their population mean mu and standard deviation sigma;
    1 where the normalised weight lies outside [mu - alpha sigma,
    mu + alpha sigma], else 0.  A constant plane selects nothing.  The
    statistics are taken in float64 so that the threshold does not depend
    on the plane's size or the summation order."""
    if alpha < 0:
        raise ValueError(f'alpha must be >= 0, got {alpha}')
    flat = weight.flatten(-2).double()
    low = flat.min(dim=-1, keepdim=True).values
    high = flat.max(dim=-1, keepdim=True).values
    span = high - low
    constant = span == 0
    normalised = (flat - low) / torch.where(constant, torch.ones_like(span), span)
    mu = normalised.mean(dim=-1, keepdim=True)
    sigma = (normalised - mu).pow(2).mean(dim=-1, keepdim=True).sqrt()
    lower = mu - alpha * sigma
    upper = mu + alpha * sigma
    selected = ((normalised < lower) | (normalised > upper)) & ~constant
    return selected.to(weight.dtype).view_as(weight)


def hf_l1_loss(output, target, alpha):
    """Eq 3 averaged over the batch as eq 2: per sample, the L1 error summed
    over the pixels (and channels) the selection map of `target` keeps,
    divided by their number; then the mean over samples.  Samples that keep
    no pixel (a constant patch) have no defined loss and are left out; if
    none is left the loss is a zero that still has a gradient path.
    Returns (loss, kept) with kept the share of selected values as a 0-d
    tensor.  Nothing here waits for the device (no data-dependent branch, no
    copy to the host), so a GPU's queue never drains inside a step."""
    with torch.no_grad():
        selection = hf_selection_map(hf_weight_map(target), alpha)
    per_sample_count = selection.flatten(1).sum(dim=1)
    per_sample_error = ((output - target).abs() * selection).flatten(1).sum(dim=1)
    valid = (per_sample_count > 0).to(output.dtype)
    per_sample = per_sample_error / per_sample_count.clamp(min=1.0) * valid
    loss = per_sample.sum() / valid.sum().clamp(min=1.0)
    return loss, selection.mean()
