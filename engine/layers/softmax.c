/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Softmax over the channels of every pixel.  Works plane by plane (CHW
 * keeps a pixel's channels a plane apart) with one plane of scratch that
 * first holds each pixel's maximum, subtracted so expf cannot overflow, then
 * the sum of the exponentials.
 */
#include <math.h>
#include <string.h>

#include "layer-util.h"

static gboolean
softmax_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
                 HfsrTensor *output, GError **error)
{
  const HfsrTensor *input = inputs[0];
  gsize plane = (gsize) input->height * input->width;
  float *scratch = hfsr_alloc_floats (plane);

  if (scratch == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for softmax scratch");
      return FALSE;
    }

  memcpy (scratch, input->data, plane * sizeof (float));
  for (int c = 1; c < input->channels; c++)
    {
      const float *src = hfsr_tensor_plane (input, c);

      for (gsize i = 0; i < plane; i++)
        scratch[i] = MAX (scratch[i], src[i]);
    }
  for (int c = 0; c < input->channels; c++)
    {
      const float *src = hfsr_tensor_plane (input, c);
      float *dst = hfsr_tensor_plane (output, c);

      for (gsize i = 0; i < plane; i++)
        dst[i] = expf (src[i] - scratch[i]);
    }

  memset (scratch, 0, plane * sizeof (float));
  for (int c = 0; c < input->channels; c++)
    {
      const float *dst = hfsr_tensor_plane (output, c);

      for (gsize i = 0; i < plane; i++)
        scratch[i] += dst[i];
    }
  /* The maximum's term is exactly 1, so every sum is at least 1. */
  for (gsize i = 0; i < plane; i++)
    scratch[i] = 1.0f / scratch[i];
  for (int c = 0; c < input->channels; c++)
    {
      float *dst = hfsr_tensor_plane (output, c);

      for (gsize i = 0; i < plane; i++)
        dst[i] *= scratch[i];
    }
  hfsr_free_floats (scratch);
  return TRUE;
}

const HfsrLayerClass hfsr_layer_softmax = {
  .op = "softmax",
  .min_inputs = 1,
  .max_inputs = 1,
  .load = hfsr_layer_load_nothing,
  .infer_shape = hfsr_layer_infer_same,
  .margin = hfsr_layer_margin_same,
  .forward = softmax_forward,
};
