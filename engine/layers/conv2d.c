/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 2-D convolution, stride 1, zero padding that keeps the size (odd kernels).
 * Lowered to GEMM: [out, in*kh*kw] weights times the im2col columns, in row
 * bands; a 1x1 kernel multiplies the input planes directly; most 3x3
 * kernels go through Winograd F(4x4, 3x3) (kernels/winograd.c).
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

/* Measured on 164x164 tiles, one thread, OPENBLAS_CORETYPE=Haswell:
 * Winograd takes 31 to 33 ms where im2col + GEMM takes 45 to 53 for
 * 32->128 channels, 38 to 40 instead of 68 to 76 for 128->32, 8 instead of
 * 11 to 17 for 32->12 and 2 instead of 8 for 8->8.  With a handful of input
 * channels and many more outputs (the 3->32 head: 3 to 4 ms against 2 to 4)
 * the GEMMs have almost nothing to save (k = in_channels) while the output
 * transform still costs its share per output channel, so im2col keeps
 * those.  Only single-threaded (the GEGL op's case): the transforms, about
 * two thirds of Winograd's time in a profile, run on one thread, while
 * im2col's time is nearly all GEMM, which OpenBLAS spreads over the
 * threads; by that split im2col catches up from two threads on (estimated,
 * not timed: the cores here were busy). */
static gboolean
use_winograd (const HfsrNode *node)
{
  return node->kernel_h == 3 && node->kernel_w == 3
         && (node->in_channels >= 6
             || node->out_channels <= 2 * node->in_channels)
         && hfsr_get_threads () == 1;
}

static float *
alloc_scratch (gsize n_floats, GError **error)
{
  float *scratch = n_floats > 0 ? hfsr_alloc_floats (n_floats) : NULL;

  if (scratch == NULL)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                 "out of memory for convolution scratch");
  return scratch;
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
  float *scratch;

  hfsr_fill_rows (output->data, node->out_channels, plane, plane,
                  node->bias ? node->bias->data : NULL);
  if (node->kernel_h == 1 && node->kernel_w == 1)
    {
      hfsr_gemm (FALSE, node->out_channels, plane, node->in_channels,
                 node->weight->data, input->data, plane, output->data, plane,
                 TRUE);
      return TRUE;
    }

  if (use_winograd (node))
    {
      scratch = alloc_scratch (hfsr_winograd_scratch_size (node->in_channels,
                                                           node->out_channels,
                                                           input->height,
                                                           input->width),
                               error);
      if (scratch == NULL)
        return FALSE;
      hfsr_winograd_conv3x3 (node->weight->data, node->in_channels,
                             node->out_channels, input->data, input->height,
                             input->width, scratch, output->data);
      hfsr_free_floats (scratch);
      return TRUE;
    }

  band_rows = hfsr_conv_band_rows (&geometry);
  scratch = alloc_scratch ((gsize) taps * band_rows * input->width, error);
  if (scratch == NULL)
    return FALSE;
  for (int y = 0; y < input->height; y += band_rows)
    {
      int rows = MIN (band_rows, input->height - y);
      int n = rows * input->width;

      hfsr_im2col (&geometry, input->data, y, rows, scratch);
      hfsr_gemm (FALSE, node->out_channels, n, taps, node->weight->data,
                 scratch, n, output->data + (gsize) y * input->width, plane,
                 TRUE);
    }
  hfsr_free_floats (scratch);
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
