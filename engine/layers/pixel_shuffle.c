/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PyTorch's PixelShuffle: input channel c * r^2 + i * r + j becomes the
 * sub-pixel (i, j) of output channel c.
 */
#include "layer-util.h"

#define MAX_FACTOR 16

static gboolean
pixel_shuffle_load (HfsrNode *node, JsonObject *json, HfsrWeightLookup lookup,
                    gpointer lookup_data, GError **error)
{
  return hfsr_layer_get_int (json, "factor", 1, MAX_FACTOR, 1, TRUE,
                             &node->factor, error);
}

static gboolean
pixel_shuffle_infer_shape (const HfsrNode *node, const HfsrShape *inputs,
                           HfsrShape *output, GError **error)
{
  int r2 = node->factor * node->factor;

  if (inputs[0].channels % r2 != 0)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "input has %d channels, not a multiple of factor^2 = %d",
                   inputs[0].channels, r2);
      return FALSE;
    }
  return hfsr_layer_set_shape (output, inputs[0].channels / r2,
                               (gint64) inputs[0].height * node->factor,
                               (gint64) inputs[0].width * node->factor,
                               error);
}

static int
pixel_shuffle_margin (const HfsrNode *node, int input_margin)
{
  if (input_margin < 0)
    return -1;
  return hfsr_layer_saturate_margin ((gint64) input_margin * node->factor);
}

static gboolean
pixel_shuffle_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
                       HfsrTensor *output, GError **error)
{
  const HfsrTensor *input = inputs[0];
  int r = node->factor;

  for (int c = 0; c < output->channels; c++)
    for (int i = 0; i < r; i++)
      for (int j = 0; j < r; j++)
        {
          const float *src = hfsr_tensor_plane (input, (c * r + i) * r + j);
          float *dst = hfsr_tensor_plane (output, c) + (gsize) i
                       * output->width + j;

          for (int y = 0; y < input->height; y++)
            {
              const float *src_row = src + (gsize) y * input->width;
              float *dst_row = dst + (gsize) y * r * output->width;

              for (int x = 0; x < input->width; x++)
                dst_row[(gsize) x * r] = src_row[x];
            }
        }
  return TRUE;
}

const HfsrLayerClass hfsr_layer_pixel_shuffle = {
  .op = "pixel_shuffle",
  .min_inputs = 1,
  .max_inputs = 1,
  .load = pixel_shuffle_load,
  .infer_shape = pixel_shuffle_infer_shape,
  .margin = pixel_shuffle_margin,
  .forward = pixel_shuffle_forward,
};
