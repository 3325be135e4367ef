/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * x [C, H, W] times one scale per channel s [C, 1, 1]: the last step of
 * squeeze-and-excitation.
 */
#include "layer-util.h"

static gboolean
channel_scale_infer_shape (const HfsrNode *node, const HfsrShape *inputs,
                           HfsrShape *output, GError **error)
{
  if (inputs[1].channels != inputs[0].channels || inputs[1].height != 1
      || inputs[1].width != 1)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "scales have shape [%d,%d,%d], expected [%d,1,1]",
                   inputs[1].channels, inputs[1].height, inputs[1].width,
                   inputs[0].channels);
      return FALSE;
    }
  *output = inputs[0];
  return TRUE;
}

static gboolean
channel_scale_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
                       HfsrTensor *output, GError **error)
{
  gsize plane = (gsize) output->height * output->width;

  for (int c = 0; c < output->channels; c++)
    {
      const float *src = hfsr_tensor_plane (inputs[0], c);
      float *dst = hfsr_tensor_plane (output, c);
      float scale = inputs[1]->data[c];

      for (gsize i = 0; i < plane; i++)
        dst[i] = src[i] * scale;
    }
  return TRUE;
}

const HfsrLayerClass hfsr_layer_channel_scale = {
  .op = "channel_scale",
  .min_inputs = 2,
  .max_inputs = 2,
  .load = hfsr_layer_load_nothing,
  .infer_shape = channel_scale_infer_shape,
  .margin = hfsr_layer_margin_same,
  .forward = channel_scale_forward,
};
