/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fully connected layer on the input flattened in CHW order (PyTorch's
 * flatten of an NCHW tensor), giving [out, 1, 1].
 */
#include "kernels/kernels.h"
#include "layer-util.h"

static gboolean
linear_load (HfsrNode *node, JsonObject *json, HfsrWeightLookup lookup,
             gpointer lookup_data, GError **error)
{
  if (!hfsr_layer_load_weight (node, json, 2, 0, lookup, lookup_data, error))
    return FALSE;
  node->out_channels = (int) node->weight->shape[0];
  node->in_channels = (int) node->weight->shape[1];
  return TRUE;
}

static gboolean
linear_infer_shape (const HfsrNode *node, const HfsrShape *inputs,
                    HfsrShape *output, GError **error)
{
  gint64 n = (gint64) inputs[0].channels * inputs[0].height * inputs[0].width;

  if (n != node->in_channels)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "input [%d,%d,%d] has %" G_GINT64_FORMAT " values, "
                   "weight '%s' expects %d",
                   inputs[0].channels, inputs[0].height, inputs[0].width, n,
                   node->weight->name, node->in_channels);
      return FALSE;
    }
  return hfsr_layer_set_shape (output, node->out_channels, 1, 1, error);
}

static gboolean
linear_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
                HfsrTensor *output, GError **error)
{
  hfsr_fill_rows (output->data, node->out_channels, 1, 1,
                  node->bias ? node->bias->data : NULL);
  hfsr_gemm (FALSE, node->out_channels, 1, node->in_channels,
             node->weight->data, inputs[0]->data, 1, output->data, 1, TRUE);
  return TRUE;
}

const HfsrLayerClass hfsr_layer_linear = {
  .op = "linear",
  .min_inputs = 1,
  .max_inputs = 1,
  .load = linear_load,
  .infer_shape = linear_infer_shape,
  .margin = hfsr_layer_margin_global,
  .forward = linear_forward,
};
