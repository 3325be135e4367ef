/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Winograd F(4x4, 3x3) with the transforms fused into the multiply, as
 * whole convolutions and as residual blocks: this file packs the weights,
 * cuts an image into blocks of tiles shared out over the engine's workers
 * and picks the body that runs them (winograd-fused-lanes.h, per vector
 * width and instruction set).  No image-sized intermediate exists, so
 * memory traffic is the input read once, the weights once per block from
 * L2, and the output written once.
 */
#include <string.h>

#include "winograd-fused.h"

/* ------------------------------------------------------------- the call */

typedef struct
{
  const float *weight;
  int in_channels;
  int out_channels;
  float *packed;
} PackJob;

/* U = G g Gᵀ laid out [POINTS][out block][in][OUT_BLOCK], so that the
 * micro-kernel reads OUT_BLOCK consecutive floats per input channel;
 * output channels past the last are zero.  Split by output blocks over the
 * workers. */
static void
pack_worker (gpointer data, int worker, int n_workers)
{
  const PackJob *job = data;
  int in_channels = job->in_channels;
  int n_blocks = out_blocks (job->out_channels);
  gsize point_step = (gsize) n_blocks * in_channels * OUT_BLOCK;

  for (int block = n_blocks * worker / n_workers;
       block < n_blocks * (worker + 1) / n_workers; block++)
    for (int c = 0; c < in_channels; c++)
      for (int j = 0; j < OUT_BLOCK; j++)
        {
          int o = block * OUT_BLOCK + j;
          float *u
            = job->packed + ((gsize) block * in_channels + c) * OUT_BLOCK + j;

          if (o < job->out_channels)
            hfsr_winograd_transform_weight (
              job->weight + ((gsize) o * in_channels + c) * 9, u, point_step);
          else
            for (int p = 0; p < POINTS; p++)
              u[p * point_step] = 0.0f;
        }
}

/* What a kernel path runs: its body, that body's vector width and how many
 * blocks it multiplies at once (scratch is kept for that many). */
typedef struct
{
  FusedRunFunc run;
  int lanes;
  int group;
  const char *instructions;
} FusedPath;

static FusedPath
fused_path_for (HfsrKernelPath path)
{
#ifdef HFSR_BF16_PATH
  if (path == HFSR_KERNEL_AVX512_BF16)
    return (FusedPath) { hfsr_fused_run_x16_avx512_bf16, 16, 2,
                         "avx512-bf16" };
#endif
#ifdef HFSR_X86_PATHS
  if (path == HFSR_KERNEL_AVX512)
    return (FusedPath) { hfsr_fused_run_x16_avx512, 16, 2, "avx512" };
  if (path == HFSR_KERNEL_AVX2)
    return (FusedPath) { hfsr_fused_run_x8_avx2, 8, 3, "avx2" };
#endif
  return (FusedPath) { hfsr_fused_run_x16_generic, 16, 1, "generic" };
}

const char *
hfsr_winograd_fused_instructions (HfsrKernelPath path)
{
  return fused_path_for (path).instructions;
}

typedef struct
{
  const FusedConv *conv;
  FusedPath path;
  gsize n_blocks;
  float *scratch; /* per worker: transformed, products */
  gsize worker_floats;
} FusedJob;

static void
run_worker (gpointer data, int worker, int n_workers)
{
  const FusedJob *job = data;
  /* A fixed split by worker index: which thread computes a block never
   * changes its arithmetic, so results do not depend on the thread
   * count. */
  gsize first = job->n_blocks * worker / n_workers;
  gsize end = job->n_blocks * (worker + 1) / n_workers;
  float *mine = job->scratch + worker * job->worker_floats;
  float *products = mine
                    + (gsize) job->path.group * POINTS * job->conv->in_channels
                        * job->path.lanes;

  job->path.run (job->conv, first, end, mine, products);
}

/* Whether packed weights carry bfloat16 pairs after their floats: where
 * this CPU has the BF16 path. */
static gboolean
packs_bf16 (void)
{
  return hfsr_kernel_path_supported (HFSR_KERNEL_AVX512_BF16);
}

/* The bfloat16 pairs of weights packed by hfsr_winograd_fused_pack, or
 * NULL. */
static const guint32 *
fused_bf16_weights (const float *packed, int in_channels, int out_channels)
{
  return packs_bf16 () ? (
           const guint32 *) (packed
                             + fused_float_weights (in_channels, out_channels))
                       : NULL;
}

/* The float weights [POINTS][block][c][j] as pairs [POINTS][block][c/2][j]
 * of bfloat16 (FusedConv.packed_bf16), written after them. */
static void
pack_bf16 (float *packed, int in_channels, int out_channels)
{
  int pairs = channel_pairs (in_channels);
  int n_blocks = out_blocks (out_channels);
  guint32 *target
    = (guint32 *) (packed + fused_float_weights (in_channels, out_channels));

  for (int p = 0; p < POINTS; p++)
    for (int block = 0; block < n_blocks; block++)
      for (int c2 = 0; c2 < pairs; c2++)
        for (int j = 0; j < OUT_BLOCK; j++)
          {
            const float *u
              = packed
                + (((gsize) p * n_blocks + block) * in_channels + 2 * c2)
                    * OUT_BLOCK
                + j;
            guint32 low, high = 0;

            memcpy (&low, u, sizeof low);
            if (2 * c2 + 1 < in_channels)
              memcpy (&high, u + OUT_BLOCK, sizeof high);
            *target++ = bf16_round_bits (low) >> 16
                        | (bf16_round_bits (high) & 0xffff0000u);
          }
}

float *
hfsr_winograd_fused_pack (const float *weight, int in_channels,
                          int out_channels)
{
  gsize packed_floats;
  PackJob pack = { weight, in_channels, out_channels, NULL };

  /* The bfloat16 pairs take at most as many 32-bit words as the floats. */
  if (!g_size_checked_mul (&packed_floats, (gsize) in_channels * POINTS,
                           (gsize) out_blocks (out_channels) * OUT_BLOCK)
      || !g_size_checked_mul (&packed_floats, packed_floats,
                              packs_bf16 () ? 2 : 1)
      || (pack.packed = hfsr_alloc_floats_uninitialised (packed_floats))
           == NULL)
    return NULL;
  hfsr_parallel_run (MIN (hfsr_parallel_workers (), out_blocks (out_channels)),
                     pack_worker, &pack);
  if (packs_bf16 ())
    pack_bf16 (pack.packed, in_channels, out_channels);
  return pack.packed;
}

gboolean
hfsr_winograd_fused_conv3x3 (HfsrKernelPath path, const float *packed,
                             const float *bias, gboolean relu, int in_channels,
                             int out_channels, const float *input, int height,
                             int width, float *output, GError **error)
{
  FusedConv conv = {
    .bias = bias,
    .relu = relu,
    .in_channels = in_channels,
    .out_channels = out_channels,
    .height = height,
    .width = width,
    .across = ((gsize) width + TILE - 1) / TILE,
    .input = input,
    .output = output,
    .packed_weights = packed,
    .packed_bf16 = fused_bf16_weights (packed, in_channels, out_channels),
    .in_channel_stride = (gsize) height * width,
    .out_channel_stride = (gsize) height * width,
  };
  int n_workers = hfsr_parallel_workers ();
  gsize worker_floats, scratch_floats;
  float *scratch = NULL;
  FusedJob job;

  job.path = fused_path_for (path);
  job.n_blocks = (((gsize) height + TILE - 1) / TILE)
                 * ((conv.across + job.path.lanes - 1) / job.path.lanes);
  n_workers = (int) MIN ((gsize) n_workers, job.n_blocks);
  if (!g_size_checked_mul (&worker_floats,
                           (gsize) job.path.group * POINTS * job.path.lanes,
                           (gsize) in_channels + OUT_BLOCK)
      || !g_size_checked_mul (&scratch_floats, worker_floats,
                              (gsize) n_workers)
      || (scratch = hfsr_alloc_floats_uninitialised (scratch_floats)) == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for a %d->%d Winograd convolution",
                   in_channels, out_channels);
      return FALSE;
    }

  job.conv = &conv;
  job.scratch = scratch;
  job.worker_floats = worker_floats;
  hfsr_parallel_run (n_workers, run_worker, &job);

  hfsr_free_floats (scratch);
  return TRUE;
}

/* ------------------------------------------------------ residual blocks */

/* A residual block's expansion is kept for three tile rows: the reducing
 * convolution's tile row t reads expansion rows 4t - 1 ... 4t + 4, which
 * lie in tile rows t - 1, t and t + 1. */
#define RING_ROWS (3 * TILE)
/* The expansion of a band's last two tile rows, made before any worker
 * writes (see residual_edges). */
#define SPARE_ROWS (2 * TILE)
G_STATIC_ASSERT (RING_ROWS + SPARE_ROWS == HFSR_RESIDUAL_ROWS);

typedef struct
{
  FusedConv expand;
  FusedConv reduce;
  FusedPath path;
  gsize tile_rows;
  gsize blocks_per_row;
  float *scratch; /* per worker: transformed, products,
                                   * ring, spare */
  gsize worker_floats;
  gsize transform_floats;
  gsize ring_floats;
  int n_workers;
} ResidualJob;

typedef struct
{
  float *transformed;
  float *products;
  FusedConv expand; /* into the ring */
  FusedConv spare;  /* the same, into the spare rows */
  FusedConv reduce;
  gsize first;
  gsize end;
} ResidualWorker;

/* Worker @worker's share of tile rows, [T w / W, T (w + 1) / W), and its
 * buffers. */
static ResidualWorker
residual_worker_of (const ResidualJob *job, int worker)
{
  float *mine = job->scratch + worker * job->worker_floats;
  float *ring
    = mine + job->transform_floats
      + (gsize) job->path.group * POINTS * OUT_BLOCK * job->path.lanes;
  ResidualWorker w = {
    .transformed = mine,
    .products = mine + job->transform_floats,
    .expand = job->expand,
    .spare = job->expand,
    .reduce = job->reduce,
    .first = job->tile_rows * worker / job->n_workers,
    .end = job->tile_rows * (worker + 1) / job->n_workers,
  };

  w.expand.output = ring;
  w.reduce.input = ring;
  w.spare.output = ring + job->ring_floats;
  w.spare.out_ring = SPARE_ROWS;
  w.spare.out_channel_stride = (gsize) SPARE_ROWS * job->expand.width;
  return w;
}

static void
run_tile_row (const ResidualJob *job, ResidualWorker *w, FusedConv *conv,
              gsize t)
{
  job->path.run (conv, t * job->blocks_per_row, (t + 1) * job->blocks_per_row,
                 w->transformed, w->products);
}

/* First pass: every expansion that reads image rows of a neighbouring
 * band — tile rows first - 1 and first into the ring, end - 1 and end into
 * the spare rows — so that the block can write its output over its input:
 * the second pass starts only when every worker has read them. */
static void
residual_edges (gpointer data, int worker, int n_workers)
{
  const ResidualJob *job = data;
  ResidualWorker w = residual_worker_of (job, worker);

  (void) n_workers;
  if (w.first >= w.end)
    return;
  for (gsize t = w.first > 0 ? w.first - 1 : 0; t <= w.first; t++)
    run_tile_row (job, &w, &w.expand, t);
  for (gsize t = w.end - 1; t <= w.end && t < job->tile_rows; t++)
    run_tile_row (job, &w, &w.spare, t);
}

/* Second pass: for each tile row t of the band, the expansion of t + 1
 * (from the spare rows for the band's last two) and the reduction of t,
 * whose output rows 4t ... 4t + 3 no later expansion of this band reads. */
static void
residual_body (gpointer data, int worker, int n_workers)
{
  const ResidualJob *job = data;
  ResidualWorker w = residual_worker_of (job, worker);
  gsize width = (gsize) job->expand.width;

  (void) n_workers;
  for (gsize t = w.first; t < w.end; t++)
    {
      gsize next = t + 1;

      if (next + 1 < w.end)
        run_tile_row (job, &w, &w.expand, next);
      else if (next < job->tile_rows)
        for (int c = 0; c < job->expand.out_channels; c++)
          for (gsize y = next * TILE;
               y < MIN ((next + 1) * TILE, (gsize) job->expand.height); y++)
            memcpy (w.expand.output + c * w.expand.out_channel_stride
                      + y % RING_ROWS * width,
                    w.spare.output + c * w.spare.out_channel_stride
                      + y % SPARE_ROWS * width,
                    width * sizeof (float));
      run_tile_row (job, &w, &w.reduce, t);
    }
}

gboolean
hfsr_winograd_fused_residual (HfsrKernelPath path, const float *expand_packed,
                              const float *expand_bias, int mid_channels,
                              const float *reduce_packed,
                              const float *reduce_bias, int channels,
                              const float *input, int height, int width,
                              float *output, GError **error)
{
  gsize plane = (gsize) height * width;
  gsize across = ((gsize) width + TILE - 1) / TILE;
  ResidualJob job = {
    .expand = {
      .packed_weights = expand_packed,
      .packed_bf16 = fused_bf16_weights (expand_packed, channels,
                                         mid_channels),
      .bias = expand_bias, .relu = TRUE,
      .in_channels = channels, .out_channels = mid_channels,
      .height = height, .width = width, .across = across, .input = input,
      .in_channel_stride = plane,
      .out_channel_stride = (gsize) RING_ROWS * width,
      .out_ring = RING_ROWS,
    },
    .reduce = {
      .packed_weights = reduce_packed,
      .packed_bf16 = fused_bf16_weights (reduce_packed, mid_channels,
                                         channels),
      .bias = reduce_bias, .relu = FALSE,
      .in_channels = mid_channels, .out_channels = channels,
      .height = height, .width = width, .across = across, .output = output,
      .in_channel_stride = (gsize) RING_ROWS * width,
      .in_ring = RING_ROWS, .out_channel_stride = plane,
      .residual = input,
    },
    .path = fused_path_for (path),
    .tile_rows = ((gsize) height + TILE - 1) / TILE,
  };
  int lanes = job.path.lanes;
  gsize spare_floats, worker_floats, scratch_floats;

  job.n_workers = (int) MIN ((gsize) hfsr_parallel_workers (), job.tile_rows);
  job.blocks_per_row = (across + lanes - 1) / lanes;
  job.transform_floats
    = (gsize) job.path.group * POINTS * lanes * MAX (channels, mid_channels);
  if (!g_size_checked_mul (&job.ring_floats, (gsize) RING_ROWS * mid_channels,
                           (gsize) width)
      || !g_size_checked_mul (&spare_floats, (gsize) SPARE_ROWS * mid_channels,
                              (gsize) width)
      || !g_size_checked_add (&worker_floats,
                              job.transform_floats
                                + (gsize) job.path.group * POINTS * OUT_BLOCK
                                    * lanes,
                              job.ring_floats)
      || !g_size_checked_add (&worker_floats, worker_floats,
                              spare_floats + lanes)
      || !g_size_checked_mul (&scratch_floats, worker_floats / lanes * lanes,
                              (gsize) job.n_workers)
      || (job.scratch = hfsr_alloc_floats_uninitialised (scratch_floats))
           == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for a %d->%d->%d residual block of width "
                   "%d",
                   channels, mid_channels, channels, width);
      return FALSE;
    }
  /* Each worker's share starts on a vector boundary. */
  job.worker_floats = worker_floats / lanes * lanes;
  hfsr_parallel_run (job.n_workers, residual_edges, &job);
  hfsr_parallel_run (job.n_workers, residual_body, &job);
  hfsr_free_floats (job.scratch);
  return TRUE;
}
