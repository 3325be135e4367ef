/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kernels/kernels.h"
#include "layer-util.h"

static gboolean
relu_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
              HfsrTensor *output, GError **error)
{
  hfsr_relu_floats (inputs[0]->data, output->data, hfsr_tensor_size (output));
  return TRUE;
}

const HfsrLayerClass hfsr_layer_relu = {
  .op = "relu",
  .min_inputs = 1,
  .max_inputs = 1,
  .load = hfsr_layer_load_nothing,
  .infer_shape = hfsr_layer_infer_same,
  .margin = hfsr_layer_margin_same,
  .forward = relu_forward,
};
