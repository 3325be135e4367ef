/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "layer-util.h"

static gboolean
global_avg_pool_infer_shape (const HfsrNode *node, const HfsrShape *inputs,
                             HfsrShape *output, GError **error)
{
  return hfsr_layer_set_shape (output, inputs[0].channels, 1, 1, error);
}

static gboolean
global_avg_pool_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
                         HfsrTensor *output, GError **error)
{
  gsize plane = (gsize) inputs[0]->height * inputs[0]->width;

  /* A double sum keeps a mean over millions of pixels accurate. */
  for (int c = 0; c < output->channels; c++)
    {
      const float *src = hfsr_tensor_plane (inputs[0], c);
      double sum = 0.0;

      for (gsize i = 0; i < plane; i++)
        sum += src[i];
      output->data[c] = (float) (sum / (double) plane);
    }
  return TRUE;
}

const HfsrLayerClass hfsr_layer_global_avg_pool = {
  .op = "global_avg_pool",
  .min_inputs = 1,
  .max_inputs = 1,
  .load = hfsr_layer_load_nothing,
  .infer_shape = global_avg_pool_infer_shape,
  .margin = hfsr_layer_margin_global,
  .forward = global_avg_pool_forward,
};
