/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PyTorch's ConvTranspose2d, restricted to geometries whose output is exactly
 * stride x the input (k + output_padding - 2 padding = stride), so tiles map
 * onto tiles.  Computed as the adjoint of a convolution: the transposed
 * [in, out*k*k] weights times the input gives every output contribution as
 * columns, which col2im adds into place.
 */
#include "kernels/kernels.h"
#include "layer-util.h"

/* Generous bounds: real models use strides 2..4 and paddings below 8. */
#define MAX_STRIDE 64
#define MAX_PADDING 1024

static gboolean
conv_transpose2d_load (HfsrNode *node, JsonObject *json,
                       HfsrWeightLookup lookup, gpointer lookup_data,
                       GError **error)
{
  const HfsrWeight *weight;
  int kernel;

  if (!hfsr_layer_get_int (json, "stride", 1, MAX_STRIDE, 1, TRUE,
                           &node->stride, error)
      || !hfsr_layer_get_int (json, "padding", 0, MAX_PADDING, 0, FALSE,
                              &node->padding, error)
      || !hfsr_layer_get_int (json, "output_padding", 0, MAX_STRIDE - 1, 0,
                              FALSE, &node->output_padding, error))
    return FALSE;
  if (node->output_padding >= node->stride)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "output_padding %d must be smaller than stride %d",
                   node->output_padding, node->stride);
      return FALSE;
    }

  if (!hfsr_layer_load_weight (node, json, 4, 1, lookup, lookup_data, error))
    return FALSE;
  weight = node->weight;
  if (weight->shape[2] != weight->shape[3])
    {
      hfsr_layer_weight_error (weight, error, "kernel must be square");
      return FALSE;
    }
  kernel = (int) weight->shape[2];
  if ((gint64) kernel + node->output_padding - 2 * node->padding
      != node->stride)
    {
      hfsr_layer_weight_error (weight, error,
                               "kernel %d + output_padding %d - 2 * padding "
                               "%d must equal stride %d",
                               kernel, node->output_padding, node->padding,
                               node->stride);
      return FALSE;
    }
  node->in_channels = (int) weight->shape[0];
  node->out_channels = (int) weight->shape[1];
  node->kernel_h = kernel;
  node->kernel_w = kernel;
  return TRUE;
}

static gboolean
conv_transpose2d_infer_shape (const HfsrNode *node, const HfsrShape *inputs,
                              HfsrShape *output, GError **error)
{
  return hfsr_layer_infer_conv (node, &inputs[0], node->stride, output, error);
}

/* An input pixel reaches at most ceil(k / s) input pixels' worth of output on
 * each side, so the band grows by that many input pixels before scaling. */
static int
conv_transpose2d_margin (const HfsrNode *node, int input_margin)
{
  gint64 reach = (node->kernel_h + node->stride - 1) / node->stride;

  if (input_margin < 0)
    return -1;
  return hfsr_layer_saturate_margin ((input_margin + reach) * node->stride);
}

static gboolean
conv_transpose2d_forward (const HfsrNode *node,
                          const HfsrTensor *const *inputs, HfsrTensor *output,
                          GError **error)
{
  const HfsrTensor *input = inputs[0];
  int input_plane = input->height * input->width;
  HfsrConvGeometry geometry = {
    .channels = node->out_channels,
    .image_height = output->height,
    .image_width = output->width,
    .kernel_h = node->kernel_h,
    .kernel_w = node->kernel_w,
    .stride = node->stride,
    .pad_h = node->padding,
    .pad_w = node->padding,
    .grid_height = input->height,
    .grid_width = input->width,
  };
  int taps = node->out_channels * node->kernel_h * node->kernel_w;
  int band_rows = hfsr_conv_band_rows (&geometry);
  float *columns;

  columns = hfsr_alloc_floats ((gsize) taps * band_rows * input->width);
  if (columns == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for transposed convolution scratch");
      return FALSE;
    }
  hfsr_fill_rows (
    output->data, node->out_channels, output->height * output->width,
    output->height * output->width, node->bias ? node->bias->data : NULL);
  for (int y = 0; y < input->height; y += band_rows)
    {
      int rows = MIN (band_rows, input->height - y);
      int n = rows * input->width;

      hfsr_gemm (TRUE, taps, n, node->in_channels, node->weight->data,
                 input->data + (gsize) y * input->width, input_plane, columns,
                 n, FALSE);
      hfsr_col2im (&geometry, columns, y, rows, output->data);
    }
  hfsr_free_floats (columns);
  return TRUE;
}

const HfsrLayerClass hfsr_layer_conv_transpose2d = {
  .op = "conv_transpose2d",
  .min_inputs = 1,
  .max_inputs = 1,
  .load = conv_transpose2d_load,
  .infer_shape = conv_transpose2d_infer_shape,
  .margin = conv_transpose2d_margin,
  .forward = conv_transpose2d_forward,
};
