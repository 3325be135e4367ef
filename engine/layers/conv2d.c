/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * 2-D convolution, stride 1, zero padding that keeps the size (odd kernels).
 * Lowered to GEMM: [out, in*kh*kw] weights times the im2col columns, in row
 * bands shared out over the engine's threads; a 1x1 kernel multiplies the
 * input planes directly; most 3x3 kernels go through Winograd F(4x4, 3x3)
 * (kernels/winograd-fused.c).  When the graph fuses a following ReLU
 * (HfsrNode.fused_relu) the output is rectified here.
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
conv2d_prepare (HfsrNode *node, GError **error)
{
  if (node->kernel_h != 3 || node->kernel_w != 3)
    return TRUE;
  node->prepared = hfsr_winograd_fused_pack (
    node->weight->data, node->in_channels, node->out_channels);
  if (node->prepared == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for the Winograd form of a %d->%d "
                   "convolution",
                   node->in_channels, node->out_channels);
      return FALSE;
    }
  return TRUE;
}

static gboolean
conv2d_infer_shape (const HfsrNode *node, const HfsrShape *inputs,
                    HfsrShape *output, GError **error)
{
  return hfsr_layer_infer_conv (node, &inputs[0], 1, output, error);
}

static int
conv2d_margin (const HfsrNode *node, int input_margin)
{
  if (input_margin < 0)
    return -1;
  return hfsr_layer_saturate_margin (
    (gint64) input_margin + (MAX (node->kernel_h, node->kernel_w) - 1) / 2);
}

/* Which 3x3 convolutions take Winograd, and which of its two forms.
 *
 * The fused kernel (kernels/winograd-fused.c) takes every 3x3 convolution:
 * it was faster than the GEMM-based Winograd and im2col + GEMM on every
 * WDSR-A shape measured, from the 3->32 head to 128->32 (engine/README.md
 * has the figures), and it runs on the engine's threads.
 *
 * HFSR_KERNEL=blas selects the older form instead, kept for comparison:
 * 36 OpenBLAS GEMMs per band with the transforms on one thread, so only
 * with one engine thread, and not for a handful of input channels with
 * many more outputs, where its GEMMs (k = in_channels) save too little for
 * a transform per output channel. */
static gboolean
use_winograd (const HfsrNode *node, HfsrKernelPath path)
{
  if (node->kernel_h != 3 || node->kernel_w != 3)
    return FALSE;
  if (path != HFSR_KERNEL_BLAS)
    return TRUE;
  return (node->in_channels >= 6
          || node->out_channels <= 2 * node->in_channels)
         && hfsr_run_threads () == 1;
}

static float *
alloc_scratch (gsize n_floats, GError **error)
{
  /* Every element is written (by im2col or the transforms) before it is
   * read. */
  float *scratch
    = n_floats > 0 ? hfsr_alloc_floats_uninitialised (n_floats) : NULL;

  if (scratch == NULL)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                 "out of memory for convolution scratch");
  return scratch;
}

/* Image rows per piece of work of the im2col + GEMM path.  Pieces depend
 * on the shapes alone, so each output element comes out of the same GEMM
 * call whatever the thread count; 16 rows keep a piece's GEMM thousands of
 * columns wide while WDSR-A's 3->32 head still splits over the threads. */
#define PIECE_ROWS 16

typedef struct
{
  const HfsrNode *node;
  const HfsrConvGeometry *geometry;
  const float *input;
  float *output;
  int band_rows; /* rows per piece */
  int n_pieces;
  float *scratch; /* per worker, for im2col */
  gsize worker_floats;
} Im2colJob;

/* Pieces [n w / W, n (w + 1) / W) of the image: im2col into this worker's
 * scratch and one GEMM into the piece's rows of the output (a 1x1 kernel
 * multiplies the input rows directly). */
static void
im2col_worker (gpointer data, int worker, int n_workers)
{
  const Im2colJob *job = data;
  const HfsrConvGeometry *g = job->geometry;
  const HfsrNode *node = job->node;
  int plane = g->image_height * g->image_width;
  int taps = node->in_channels * node->kernel_h * node->kernel_w;
  float *columns = job->scratch + worker * job->worker_floats;
  gint64 first = (gint64) job->n_pieces * worker / n_workers;
  gint64 end = (gint64) job->n_pieces * (worker + 1) / n_workers;

  for (gint64 piece = first; piece < end; piece++)
    {
      int y = (int) piece * job->band_rows;
      int rows = MIN (job->band_rows, g->image_height - y);
      int n = rows * g->image_width;
      gsize offset = (gsize) y * g->image_width;

      if (node->kernel_h == 1 && node->kernel_w == 1)
        hfsr_gemm (FALSE, node->out_channels, n, node->in_channels,
                   node->weight->data, job->input + offset, plane,
                   job->output + offset, plane, TRUE);
      else
        {
          hfsr_im2col (g, job->input, y, rows, columns);
          hfsr_gemm (FALSE, node->out_channels, n, taps, node->weight->data,
                     columns, n, job->output + offset, plane, TRUE);
        }
    }
}

/* The fused Winograd path: the transformed weights come from the node's
 * prepare; a node outside a model (a layer test) was never prepared, and
 * its Winograd weights are made for this call alone.  The kernel adds the
 * bias and applies a fused ReLU itself. */
static gboolean
forward_fused_winograd (const HfsrNode *node, HfsrKernelPath path,
                        const HfsrTensor *input, HfsrTensor *output,
                        GError **error)
{
  float *own = NULL;
  gboolean ok;

  if (node->prepared == NULL)
    {
      HfsrNode prepared = *node;

      if (!conv2d_prepare (&prepared, error))
        return FALSE;
      own = prepared.prepared;
    }
  ok = hfsr_winograd_fused_conv3x3 (
    path, own ? own : node->prepared, node->bias ? node->bias->data : NULL,
    node->fused_relu, node->in_channels, node->out_channels, input->data,
    input->height, input->width, output->data, error);
  hfsr_free_floats (own);
  return ok;
}

/* HFSR_KERNEL=blas's Winograd (kernels/winograd.c), adding onto @output,
 * which holds the bias. */
static gboolean
forward_blas_winograd (const HfsrNode *node, const HfsrTensor *input,
                       HfsrTensor *output, GError **error)
{
  float *scratch;

  scratch = alloc_scratch (
    hfsr_winograd_scratch_size (node->in_channels, node->out_channels,
                                input->height, input->width),
    error);
  if (scratch == NULL)
    return FALSE;
  hfsr_winograd_conv3x3 (node->weight->data, node->in_channels,
                         node->out_channels, input->data, input->height,
                         input->width, scratch, output->data);
  hfsr_free_floats (scratch);
  return TRUE;
}

/* Every other kernel size: im2col + GEMM in pieces of rows shared out over
 * the engine's threads, each with its own column scratch (none for a 1x1
 * kernel), adding onto @output, which holds the bias. */
static gboolean
forward_im2col (const HfsrNode *node, const HfsrTensor *input,
                HfsrTensor *output, GError **error)
{
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
  Im2colJob job = {
    .node = node,
    .geometry = &geometry,
    .input = input->data,
    .output = output->data,
    .band_rows = MIN (hfsr_conv_band_rows (&geometry), PIECE_ROWS),
  };
  int n_workers;

  job.n_pieces = (input->height + job.band_rows - 1) / job.band_rows;
  n_workers = MIN (hfsr_parallel_workers (), job.n_pieces);
  job.worker_floats = node->kernel_h == 1 && node->kernel_w == 1
                        ? 0
                        : (gsize) taps * job.band_rows * input->width;
  job.scratch = alloc_scratch (MAX (job.worker_floats * n_workers, 1), error);
  if (job.scratch == NULL)
    return FALSE;
  hfsr_parallel_run (n_workers, im2col_worker, &job);
  hfsr_free_floats (job.scratch);
  return TRUE;
}

static gboolean
conv2d_forward (const HfsrNode *node, const HfsrTensor *const *inputs,
                HfsrTensor *output, GError **error)
{
  const HfsrTensor *input = inputs[0];
  int plane = input->height * input->width;
  HfsrKernelPath path = hfsr_kernel_path ();
  gboolean ok;

  if (use_winograd (node, path) && path != HFSR_KERNEL_BLAS)
    return forward_fused_winograd (node, path, input, output, error);

  /* The other paths accumulate onto the bias and rectify afterwards. */
  hfsr_fill_rows (output->data, node->out_channels, plane, plane,
                  node->bias ? node->bias->data : NULL);
  if (use_winograd (node, path))
    ok = forward_blas_winograd (node, input, output, error);
  else
    ok = forward_im2col (node, input, output, error);
  if (ok && node->fused_relu)
    hfsr_relu_floats (output->data, output->data, hfsr_tensor_size (output));
  return ok;
}

gboolean
hfsr_conv2d_fuses_residual (const HfsrNode *expand, const HfsrNode *reduce)
{
  HfsrKernelPath path = hfsr_kernel_path ();

  return expand->klass == &hfsr_layer_conv2d
         && reduce->klass == &hfsr_layer_conv2d && path != HFSR_KERNEL_BLAS
         && use_winograd (expand, path) && use_winograd (reduce, path)
         && expand->prepared != NULL && reduce->prepared != NULL
         && expand->out_channels == reduce->in_channels
         && reduce->out_channels == expand->in_channels;
}

gsize
hfsr_conv2d_residual_column_floats (const HfsrNode *expand)
{
  return (gsize) HFSR_RESIDUAL_ROWS * expand->out_channels;
}

gboolean
hfsr_conv2d_residual_forward (const HfsrNode *expand, const HfsrNode *reduce,
                              const HfsrTensor *input, HfsrTensor *output,
                              GError **error)
{
  return hfsr_winograd_fused_residual (
    hfsr_kernel_path (), expand->prepared,
    expand->bias ? expand->bias->data : NULL, expand->out_channels,
    reduce->prepared, reduce->bias ? reduce->bias->data : NULL,
    reduce->out_channels, input->data, input->height, input->width,
    output->data, error);
}

const HfsrLayerClass hfsr_layer_conv2d = {
  .op = "conv2d",
  .min_inputs = 1,
  .max_inputs = 1,
  .load = conv2d_load,
  .prepare = conv2d_prepare,
  .infer_shape = conv2d_infer_shape,
  .margin = conv2d_margin,
  .forward = conv2d_forward,
};
