/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "hfsr-private.h"

static const HfsrLayerClass *const layer_classes[] = {
  &hfsr_layer_conv2d,
  &hfsr_layer_conv_transpose2d,
  &hfsr_layer_pixel_shuffle,
  &hfsr_layer_relu,
  &hfsr_layer_prelu,
  &hfsr_layer_sigmoid,
  &hfsr_layer_add,
  &hfsr_layer_channel_scale,
  &hfsr_layer_global_avg_pool,
  &hfsr_layer_linear,
  &hfsr_layer_softmax,
};

const HfsrLayerClass *
hfsr_layer_lookup (const char *op)
{
  if (op == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (layer_classes); i++)
    if (strcmp (layer_classes[i]->op, op) == 0)
      return layer_classes[i];
  return NULL;
}
