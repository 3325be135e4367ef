/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "layer-util.h"

static gboolean
add_infer_shape (const HfsrNode *node, const HfsrShape *inputs,
                 HfsrShape *output, GError **error)
{
  if (inputs[0].channels != inputs[1].channels
      || inputs[0].height != inputs[1].height
      || inputs[0].width != inputs[1].width)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "cannot add shapes [%d,%d,%d] and [%d,%d,%d]",
                   inputs[0].channels, inputs[0].height, inputs[0].width,
                   inputs[1].channels, inputs[1].height, inputs[1].width);
      return FALSE;
    }
  *output = inputs[0];
  return TRUE;
}

static gboolean
add_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
             HfsrTensor *output, GError **error)
{
  const float *a = inputs[0]->data;
  const float *b = inputs[1]->data;
  float *dst = output->data;
  gsize n = hfsr_tensor_size (output);

  for (gsize i = 0; i < n; i++)
    dst[i] = a[i] + b[i];
  return TRUE;
}

const HfsrLayerClass hfsr_layer_add = {
  .op = "add",
  .min_inputs = 2,
  .max_inputs = 2,
  .load = hfsr_layer_load_nothing,
  .infer_shape = add_infer_shape,
  .margin = hfsr_layer_margin_same,
  .forward = add_forward,
};
