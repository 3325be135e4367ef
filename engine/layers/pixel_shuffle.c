/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PyTorch's PixelShuffle: input channel c * r^2 + i * r + j becomes the
 * sub-pixel (i, j) of output channel c.
 */
#include "kernels/kernels.h"
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
                               (gint64) inputs[0].width * node->factor, error);
}

static int
pixel_shuffle_margin (const HfsrNode *node, int input_margin)
{
  if (input_margin < 0)
    return -1;
  return hfsr_layer_saturate_margin ((gint64) input_margin * node->factor);
}

typedef struct
{
  const HfsrTensor *input;
  HfsrTensor *output;
  int r;
} ShuffleJob;

/* Input rows [@start, @end) of every input plane. */
static void
shuffle_rows (gpointer data, gsize start, gsize end)
{
  const ShuffleJob *job = data;
  const HfsrTensor *input = job->input;
  HfsrTensor *output = job->output;
  int r = job->r;

  for (int c = 0; c < output->channels; c++)
    for (int i = 0; i < r; i++)
      for (int j = 0; j < r; j++)
        {
          const float *src = hfsr_tensor_plane (input, (c * r + i) * r + j);
          float *dst
            = hfsr_tensor_plane (output, c) + (gsize) i * output->width + j;

          for (gsize y = start; y < end; y++)
            {
              const float *src_row = src + y * input->width;
              float *dst_row = dst + y * r * output->width;

              for (int x = 0; x < input->width; x++)
                dst_row[(gsize) x * r] = src_row[x];
            }
        }
}

static gboolean
pixel_shuffle_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
                       HfsrTensor *output, GError **error)
{
  ShuffleJob job = { inputs[0], output, node->factor };

  gsize row_floats
    = (gsize) inputs[0]->channels * (gsize) MAX (inputs[0]->width, 1);

  hfsr_parallel_range ((gsize) inputs[0]->height,
                       HFSR_PARALLEL_GRAIN / row_floats, shuffle_rows, &job);
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
