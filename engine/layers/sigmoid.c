/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "layer-util.h"

static gboolean
sigmoid_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
                 HfsrTensor *output, GError **error)
{
  const float *src = inputs[0]->data;
  float *dst = output->data;
  gsize n = hfsr_tensor_size (output);

  /* expf overflows to +inf for very negative inputs, giving exactly 0. */
  for (gsize i = 0; i < n; i++)
    dst[i] = 1.0f / (1.0f + expf (-src[i]));
  return TRUE;
}

const HfsrLayerClass hfsr_layer_sigmoid = {
  .op = "sigmoid",
  .min_inputs = 1,
  .max_inputs = 1,
  .load = hfsr_layer_load_nothing,
  .infer_shape = hfsr_layer_infer_same,
  .margin = hfsr_layer_margin_same,
  .forward = sigmoid_forward,
};
