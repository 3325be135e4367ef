/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 2-D convolution, stride 1, zero padding that keeps the size (odd kernels).
 * Lowered to GEMM: [out, in*kh*kw] weights times the im2col columns, in row
 * bands; a 1x1 kernel multiplies the input planes directly.
 */
#include "kernels/kernels.h"
#include "layer-util.h"

static gboolean
conv2d_load (HfsrNode *node, JsonObject *json, HfsrWeightLookup lookup,
             gpointer lookup_data, GError **error)
{
  const HfsrWeight *weight;

  if (!hfsr_layer_load_weight (node, json, 4, 0, lookup, lookup_data, error))
    return FALSE;
  weight = node->weight;
  if (weight->shape[2] % 2 == 0 || weight->shape[3] % 2 == 0)
    {
      hfsr_layer_weight_error (weight, error, "kernel must be odd");
      return FALSE;
    }
  node->out_channels = (int) weight->shape[0];
  node->in_channels = (int) weight->shape[1];
  node->kernel_h = (int) weight->shape[2];
  node->kernel_w = (int) weight->shape[3];
  return TRUE;
}

static gboolean
conv2d_infer_shape (const HfsrNode *node, const HfsrShape *inputs,
                    HfsrShape *output, GError **error)
{
  if (!hfsr_layer_check_in_channels (node, &inputs[0], error))
    return FALSE;
  return hfsr_layer_set_shape (output, node->out_channels, inputs[0].height,
                               inputs[0].width, error);
}

static int
conv2d_margin (const HfsrNode *node, int input_margin)
{
  if (input_margin < 0)
    return -1;
  return hfsr_layer_saturate_margin ((gint64) input_margin
                                     + (MAX (node->kernel_h, node->kernel_w)
                                        - 1) / 2);
}

static gboolean
conv2d_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
                HfsrTensor *output, GError **error)
{
  const HfsrTensor *input = inputs[0];
  int plane = input->height * input->width;
  HfsrConvGeometry geometry = {
    .channels = node->in_channels,
    .image_height = input->height,
    .image_width = input->width,
    .kernel_h = node->kernel_h,
    .kernel_w = node->kernel_w,
    .stride = 1,
    .pad_h = (node->kernel_h - 1) / 2,
    .pad_w = (node->kernel_w - 1) / 2,
    .grid_height = input->height,
    .grid_width = input->width,
  };
  int taps = node->in_channels * node->kernel_h * node->kernel_w;
  int band_rows;
  float *columns;

  hfsr_fill_rows (output->data, node->out_channels, plane, plane,
                  node->bias ? node->bias->data : NULL);
  if (node->kernel_h == 1 && node->kernel_w == 1)
    {
      hfsr_gemm (FALSE, node->out_channels, plane, node->in_channels,
                 node->weight->data, input->data, plane, output->data, plane,
                 TRUE);
      return TRUE;
    }

  band_rows = hfsr_conv_band_rows (&geometry);
  columns = hfsr_alloc_floats ((gsize) taps * band_rows * input->width);
  if (columns == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for convolution scratch");
      return FALSE;
    }
  for (int y = 0; y < input->height; y += band_rows)
    {
      int rows = MIN (band_rows, input->height - y);
      int n = rows * input->width;

      hfsr_im2col (&geometry, input->data, y, rows, columns);
      hfsr_gemm (FALSE, node->out_channels, n, taps, node->weight->data,
                 columns, n, output->data + (gsize) y * input->width, plane,
                 TRUE);
    }
  hfsr_free_floats (columns);
  return TRUE;
}

const HfsrLayerClass hfsr_layer_conv2d = {
  .op = "conv2d",
  .min_inputs = 1,
  .max_inputs = 1,
  .load = conv2d_load,
  .infer_shape = conv2d_infer_shape,
  .margin = conv2d_margin,
  .forward = conv2d_forward,
};
