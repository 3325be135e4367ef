/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the fused Winograd kernel's parts share, private to them: the call
 * (winograd-fused.c) cuts the work into blocks of tiles and hands them to
 * a body compiled for one vector width (winograd-fused-lanes.h, built as
 * winograd-fused-x16.c and winograd-fused-x8.c).
 */
#ifndef HFSR_WINOGRAD_FUSED_H
#define HFSR_WINOGRAD_FUSED_H

#include "hfsr-private.h"
#include "kernels.h"

#define TILE 4
#define ALPHA 6
#define POINTS (ALPHA * ALPHA)
/* Output channels whose accumulators the micro-kernel keeps in registers
 * at once; the packed weights are laid out in blocks of this many. */
#define OUT_BLOCK 8

static inline int
out_blocks (int out_channels)
{
  return (out_channels + OUT_BLOCK - 1) / OUT_BLOCK;
}

typedef struct
{
  const float *packed_weights; /* [POINTS][out_blocks][in][OUT_BLOCK] */
  /* The same weights as bfloat16 pairs of input channels (2c in the low
   * half, 2c + 1 in the high), [POINTS][out_blocks][in / 2][OUT_BLOCK], or
   * NULL where this CPU has no BF16 path (fused_bf16_weights). */
  const guint32 *packed_bf16;
  const float *bias; /* or NULL */
  gboolean relu;
  int in_channels;
  int out_channels;
  int height;
  int width;
  gsize across; /* tiles per tile row */
  const float *input;
  float *output;
  /* Floats from one channel's plane to the next, and the rows a plane
   * holds: 0 for a whole image plane, or a ring of that many rows in which
   * image row y sits at y mod ring (a residual block's expansion, which
   * only ever needs three tile rows of it at once). */
  gsize in_channel_stride;
  int in_ring;
  gsize out_channel_stride;
  int out_ring;
  /* Added to the output after the bias and the ReLU, or NULL; whole image
   * planes shaped like the output. */
  const float *residual;
} FusedConv;

/* The most blocks of tiles a body multiplies at once (AVX2's three). */
#define MAX_GROUP 3

/* Runs blocks [@first_block, @end_block) of a body's width.  @transformed
 * holds the body's group of POINTS x in_channels vectors, @products its
 * group of POINTS x OUT_BLOCK (FusedPath.group), both aligned to the
 * vector. */
typedef void (*FusedRunFunc) (const FusedConv *conv, gsize first_block,
                              gsize end_block, float *transformed,
                              float *products);

/* The bodies: 16 lanes in portable code and for AVX-512F (two blocks per
 * weight load, with 32 registers), 8 lanes for AVX2 + FMA (the width of
 * its registers: 16-lane vectors there are split into halves and shuffled
 * element by element, which made the AVX2 path as slow as the portable
 * one). */
void hfsr_fused_run_x16_generic (const FusedConv *conv, gsize first_block,
                                 gsize end_block, float *transformed,
                                 float *products);
#ifdef HFSR_X86_PATHS
void hfsr_fused_run_x16_avx512 (const FusedConv *conv, gsize first_block,
                                gsize end_block, float *transformed,
                                float *products);
void hfsr_fused_run_x8_avx2 (const FusedConv *conv, gsize first_block,
                             gsize end_block, float *transformed,
                             float *products);
#endif

#ifdef HFSR_BF16_PATH
void hfsr_fused_run_x16_avx512_bf16 (const FusedConv *conv, gsize first_block,
                                     gsize end_block, float *transformed,
                                     float *products);
#endif

/* Input channel pairs, the last one half zero when @in_channels is odd. */
static inline int
channel_pairs (int in_channels)
{
  return (in_channels + 1) / 2;
}

/* Floats of hfsr_winograd_fused_pack's float weights; its bfloat16 pairs
 * follow them. */
static inline gsize
fused_float_weights (int in_channels, int out_channels)
{
  return (gsize) in_channels * POINTS * out_blocks (out_channels) * OUT_BLOCK;
}

/* Round to nearest, ties to even, of the float with bits @bits to the
 * bfloat16 in the high 16 bits of the result (finite values: the engine
 * makes every value finite first), as vcvtne2ps2bf16 rounds. */
static inline guint32
bf16_round_bits (guint32 bits)
{
  return bits + 0x7fffu + ((bits >> 16) & 1u);
}

#endif /* HFSR_WINOGRAD_FUSED_H */
