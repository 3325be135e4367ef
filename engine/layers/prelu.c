/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PyTorch's PReLU: one slope per channel, or one shared by all.
 */
#include "layer-util.h"

static gboolean
prelu_load (HfsrNode *node, JsonObject *json, HfsrWeightLookup lookup,
            gpointer lookup_data, GError **error)
{
  node->weight
    = hfsr_layer_get_weight (json, "weight", TRUE, lookup, lookup_data, error);
  if (node->weight == NULL || !hfsr_layer_check_rank (node->weight, 1, error))
    return FALSE;
  node->in_channels = (int) node->weight->shape[0];
  return TRUE;
}

static gboolean
prelu_infer_shape (const HfsrNode *node, const HfsrShape *inputs,
                   HfsrShape *output, GError **error)
{
  if (node->in_channels != 1 && node->in_channels != inputs[0].channels)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "input has %d channels, weight '%s' has %d slopes",
                   inputs[0].channels, node->weight->name, node->in_channels);
      return FALSE;
    }
  *output = inputs[0];
  return TRUE;
}

static gboolean
prelu_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
               HfsrTensor *output, GError **error)
{
  gsize plane = (gsize) output->height * output->width;

  for (int c = 0; c < output->channels; c++)
    {
      const float *src = hfsr_tensor_plane (inputs[0], c);
      float *dst = hfsr_tensor_plane (output, c);
      float slope = node->weight->data[node->in_channels == 1 ? 0 : c];

      for (gsize i = 0; i < plane; i++)
        dst[i] = src[i] >= 0.0f ? src[i] : slope * src[i];
    }
  return TRUE;
}

const HfsrLayerClass hfsr_layer_prelu = {
  .op = "prelu",
  .min_inputs = 1,
  .max_inputs = 1,
  .load = prelu_load,
  .infer_shape = prelu_infer_shape,
  .margin = hfsr_layer_margin_same,
  .forward = prelu_forward,
};
