/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "kernels/kernels.h"
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

typedef struct
{
  const float *a, *b;
  float *dst;
} AddJob;

static void
add_range (gpointer data, gsize start, gsize end)
{
  const AddJob *job = data;

  for (gsize i = start; i < end; i++)
    job->dst[i] = job->a[i] + job->b[i];
}

static gboolean
add_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
             HfsrTensor *output, GError **error)
{
  AddJob job = { inputs[0]->data, inputs[1]->data, output->data };

  hfsr_parallel_range (hfsr_tensor_size (output), HFSR_PARALLEL_GRAIN,
                       add_range, &job);
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
