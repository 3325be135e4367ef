/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The body of the fused Winograd kernel (winograd-fused.c) for vectors of
 * LANES floats, which the including file defines (8 or 16): the image is
 * cut into blocks of LANES tiles (one tile per vector lane); a block's
 * input is transformed into a buffer that stays in L2 (36 points x
 * in_channels vectors), multiplied by the transformed weights with a
 * register-blocked micro-kernel (OUT_BLOCK output channels x LANES tiles
 * of accumulators), and each output channel is transformed back straight
 * into its output plane with the bias and, when asked, the ReLU.
 *
 * Every function is always inlined into the including file's entry
 * points, one per instruction set, so each is compiled for that set's
 * registers.  The arithmetic is written with GCC's vector extensions: the
 * portable entry is plain C.  Each lane computes its own tile in the same
 * order whatever LANES is.
 */
#include <string.h>

#include "winograd-fused.h"

#define ALWAYS_INLINE static inline __attribute__ ((always_inline))

/* GCC notes that passing 64-byte vectors by value differs between the
 * baseline and AVX-512 calling conventions; every function doing so here is
 * always inlined, so no call crosses that boundary. */
#pragma GCC diagnostic ignored "-Wpsabi"

typedef float Vec __attribute__ ((vector_size (LANES * sizeof (float))));
typedef gint32 VecBits __attribute__ ((vector_size (LANES * sizeof (gint32))));

/* Lane i of the result is lane mask[i] of a followed by b.  Clang (the fuzz
 * build) has no __builtin_shuffle with a mask vector, only constant-index
 * __builtin_shufflevector: there the same selection is done lane by lane. */
#if defined(__clang__)
static inline Vec
shuffle_pair (Vec a, Vec b, VecBits mask)
{
  Vec result;

  for (int i = 0; i < LANES; i++)
    {
      int lane = mask[i] & (2 * LANES - 1);

      result[i] = lane < LANES ? a[lane] : b[lane - LANES];
    }
  return result;
}
#define SHUFFLE(a, b, mask) shuffle_pair ((a), (b), (mask))
#else
#define SHUFFLE(a, b, mask) __builtin_shuffle ((a), (b), (mask))
#endif

/* Offset of image row @y in a plane of @width holding @ring rows (0: all
 * of them). */
ALWAYS_INLINE gsize
row_offset (gint64 y, int ring, gint64 width)
{
  return (gsize) (ring > 0 ? y % ring : y) * (gsize) width;
}

/* r = Bᵀ d along one axis, for LANES tiles at once. */
ALWAYS_INLINE void
input_transform_1d (Vec d0, Vec d1, Vec d2, Vec d3, Vec d4, Vec d5, Vec *r,
                    int step)
{
  r[0 * step] = 4 * d0 - 5 * d2 + d4;
  r[1 * step] = -4 * (d1 + d2) + d3 + d4;
  r[2 * step] = 4 * (d1 - d2) - d3 + d4;
  r[3 * step] = 2 * (d3 - d1) - d2 + d4;
  r[4 * step] = 2 * (d1 - d3) - d2 + d4;
  r[5 * step] = 4 * d1 - 5 * d3 + d5;
}

/* r = Aᵀ m along one axis. */
ALWAYS_INLINE void
output_transform_1d (Vec m0, Vec m1, Vec m2, Vec m3, Vec m4, Vec m5, Vec *r,
                     int step)
{
  Vec sum12 = m1 + m2, diff12 = m1 - m2;
  Vec sum34 = m3 + m4, diff34 = m3 - m4;

  r[0 * step] = m0 + sum12 + sum34;
  r[1 * step] = diff12 + 2 * diff34;
  r[2 * step] = sum12 + 4 * sum34;
  r[3 * step] = diff12 + 8 * diff34 + m5;
}

/* A block is up to LANES consecutive tiles of one tile row (the last block
 * of a row may be short; its spare lanes read zeros).  Blocks never wrap
 * to the next row, so a block's pixels are contiguous in every image row
 * and move with whole-vector loads and stores. */
typedef struct
{
  gsize tile_y;
  gsize tile_x;
  int count;
} Segment;

ALWAYS_INLINE Segment
block_segment (const FusedConv *conv, gsize block)
{
  gsize blocks_per_row = (conv->across + LANES - 1) / LANES;
  Segment segment;

  segment.tile_y = block / blocks_per_row;
  segment.tile_x = block % blocks_per_row * LANES;
  segment.count = (int) MIN ((gsize) LANES, conv->across - segment.tile_x);
  return segment;
}

/* Vectors at any float alignment, for image rows. */
typedef float VecUnaligned
  __attribute__ ((vector_size (LANES * sizeof (float)), aligned (4)));

/* Shuffle masks: the even and odd elements of two vectors, element j + 1
 * (with the second vector's first or second element last), the
 * interleaving of the two vectors' low or high halves, and the first
 * vector's last two elements followed by zeros. */
#if LANES == 16
static const VecBits even_mask
  = { 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30 };
static const VecBits odd_mask
  = { 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31 };
static const VecBits next_mask
  = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const VecBits next2_mask
  = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17 };
static const VecBits low_mask
  = { 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23 };
static const VecBits high_mask
  = { 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31 };
static const VecBits last_two_mask
  = { 14, 15, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16 };
#elif LANES == 8
static const VecBits even_mask = { 0, 2, 4, 6, 8, 10, 12, 14 };
static const VecBits odd_mask = { 1, 3, 5, 7, 9, 11, 13, 15 };
static const VecBits next_mask = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const VecBits next2_mask = { 1, 2, 3, 4, 5, 6, 7, 9 };
static const VecBits low_mask = { 0, 8, 1, 9, 2, 10, 3, 11 };
static const VecBits high_mask = { 4, 12, 5, 13, 6, 14, 7, 15 };
static const VecBits last_two_mask = { 6, 7, 8, 8, 8, 8, 8, 8 };
#else
#error "winograd-fused-lanes.h: LANES must be 8 or 16"
#endif

typedef gint32 VecBitsUnaligned
  __attribute__ ((vector_size (LANES * sizeof (gint32)), aligned (4)));

/* Shuffle indices for load_clipped, read at offset LANES + shift: lane l
 * takes element l + shift of the loaded vector, or LANES (the zero vector's
 * first) where that falls outside it.  A table, because comparing integer
 * vectors needs AVX-512DQ to stay in vector registers. */
static const gint32 clip_indices[3 * LANES] = {
#if LANES == 16
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
  0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
#else
  8, 8, 8, 8, 8, 8, 8, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8,
#endif
};

/* row[x, x + LANES) with zeros outside [0, @width), for @width >= LANES:
 * one load inside the row, moved into place by a shuffle that also brings
 * in the zeros.  A copy into a zero-padded buffer would do the same, but
 * reading it back as vectors stalls on the copy's narrower stores. */
ALWAYS_INLINE Vec
load_clipped (const float *row, gint64 x, gint64 width)
{
  gint64 start = CLAMP (x, 0, width - LANES);
  gint64 shift = x - start;

  if (shift <= -LANES || shift >= LANES)
    return (Vec) { 0 };
  return SHUFFLE (*(const VecUnaligned *) (row + start), (Vec) { 0 },
                  *(const VecBitsUnaligned *) (clip_indices + LANES + shift));
}

/* Each lane's 6x6 input window of one channel, as d[y][x] (zeros outside
 * the image and in lanes past the block): a window row's 4 LANES + 2 pixels
 * are split by phase (pixel 4t + x to lane t of d[y][x]) with shuffles instead
 * of 36 scalar moves per tile.  A full block inside the image reads the
 * image rows directly, one at an edge through load_clipped; images
 * narrower than a vector go through a zero-padded copy. */
ALWAYS_INLINE void
gather_windows (const FusedConv *conv, const float *plane,
                const Segment *segment, Vec d[ALPHA][ALPHA])
{
  gint64 height = conv->height, width = conv->width;
  gint64 x_start = (gint64) segment->tile_x * TILE - 1;
  gint64 y_start = (gint64) segment->tile_y * TILE - 1;
  gint64 x_end = MIN (x_start + (gint64) segment->count * TILE + 2, width);
  gint64 x_first = MAX (x_start, 0);
  gboolean inside = segment->count == LANES && x_start >= 0
                    && x_start + LANES * TILE + 2 <= width && y_start >= 0
                    && y_start + ALPHA <= height;

  for (int y = 0; y < ALPHA; y++)
    {
      float row[LANES * TILE + LANES] __attribute__ ((aligned (64)));
      gint64 image_y = y_start + y;
      Vec b[5], e01, e23, o01, o23;

      /* The next tile row reads this window row's pixels 4 rows down:
       * fetched now, they arrive while this row's work goes on instead of
       * stalling the next one (a plane of 128 channels is far larger than
       * L2, and its rows too many for the hardware prefetcher's
       * streams). */
      if (conv->in_ring == 0 && y >= 2 && image_y + TILE < height)
        for (int k = 0; k < 5; k++)
          __builtin_prefetch (plane + (image_y + TILE) * width
                              + CLAMP (x_start + k * LANES, 0, width - 1));
      if (inside)
        {
          const float *source
            = plane + row_offset (image_y, conv->in_ring, width) + x_start;

          for (int k = 0; k < 4; k++)
            b[k] = *(const VecUnaligned *) (source + k * LANES);
          /* The row's last two pixels into lanes 0 and 1, from a vector
           * that ends with them: built from two scalars instead, the
           * vector went through the stack and its load waited on the two
           * narrow stores (a quarter of the AVX2 path's time). */
          b[4] = SHUFFLE (*(const VecUnaligned *) (source + 3 * LANES + 2),
                          (Vec) { 0 }, last_two_mask);
        }
      else if (image_y < 0 || image_y >= height)
        for (int k = 0; k < 5; k++)
          b[k] = (Vec) { 0 };
      else if (width >= LANES)
        for (int k = 0; k < 5; k++)
          b[k]
            = load_clipped (plane + row_offset (image_y, conv->in_ring, width),
                            x_start + k * LANES, width);
      else
        {
          memset (row, 0, sizeof row);
          if (x_end > x_first)
            memcpy (row + (x_first - x_start),
                    plane + row_offset (image_y, conv->in_ring, width)
                      + x_first,
                    (gsize) (x_end - x_first) * sizeof (float));
          for (int k = 0; k < 5; k++)
            b[k] = ((const Vec *) row)[k];
        }
      e01 = SHUFFLE (b[0], b[1], even_mask);
      o01 = SHUFFLE (b[0], b[1], odd_mask);
      e23 = SHUFFLE (b[2], b[3], even_mask);
      o23 = SHUFFLE (b[2], b[3], odd_mask);
      d[y][0] = SHUFFLE (e01, e23, even_mask);
      d[y][2] = SHUFFLE (e01, e23, odd_mask);
      d[y][1] = SHUFFLE (o01, o23, even_mask);
      d[y][3] = SHUFFLE (o01, o23, odd_mask);
      d[y][4] = SHUFFLE (d[y][0], b[4], next_mask);
      d[y][5] = SHUFFLE (d[y][1], b[4], next2_mask);
    }
}

/* Bᵀ d B of input channel @c of the block: point p at out[p * step]. */
ALWAYS_INLINE void
transform_channel (const FusedConv *conv, const Segment *segment, int c,
                   Vec *out, gsize step)
{
  Vec d[ALPHA][ALPHA];
  Vec horizontal[ALPHA][ALPHA];

  gather_windows (conv, conv->input + c * conv->in_channel_stride, segment, d);
  for (int y = 0; y < ALPHA; y++)
    input_transform_1d (d[y][0], d[y][1], d[y][2], d[y][3], d[y][4], d[y][5],
                        &horizontal[y][0], 1);
  for (int x = 0; x < ALPHA; x++)
    input_transform_1d (horizontal[0][x], horizontal[1][x], horizontal[2][x],
                        horizontal[3][x], horizontal[4][x], horizontal[5][x],
                        out + x * step, ALPHA * step);
}

#ifdef FUSED_BF16
/* Lane k: @low's lane k rounded to bfloat16 in the low half, @high's in
 * the high half, as vdpbf16ps pairs them; rounded as the weights are
 * (bf16_round_bits). */
ALWAYS_INLINE Vec
bf16_pair (Vec low, Vec high)
{
  typedef guint32 VecU __attribute__ ((vector_size (LANES * sizeof (float))));
  VecU l = (VecU) low, h = (VecU) high;

  l += 0x7fffu + ((l >> 16) & 1u);
  h += 0x7fffu + ((h >> 16) & 1u);
  return (Vec) ((l >> 16) | (h & 0xffff0000u));
}

/* The BF16 body's transformed block: channel pairs, [POINTS][in] vectors
 * of which the first in / 2 (rounded up) of each point hold pair c2 =
 * channels 2 c2 and 2 c2 + 1 (0 past the last), made from the two
 * channels' float transforms without storing those. */
ALWAYS_INLINE void
transform_block_input (const FusedConv *conv, const Segment *segment,
                       Vec *transformed)
{
  int in_channels = conv->in_channels;

  for (int c2 = 0; c2 < channel_pairs (in_channels); c2++)
    {
      Vec low[POINTS], high[POINTS];

      transform_channel (conv, segment, 2 * c2, low, 1);
      if (2 * c2 + 1 < in_channels)
        transform_channel (conv, segment, 2 * c2 + 1, high, 1);
      else
        for (int p = 0; p < POINTS; p++)
          high[p] = (Vec) { 0 };
      for (int p = 0; p < POINTS; p++)
        transformed[(gsize) p * in_channels + c2]
          = bf16_pair (low[p], high[p]);
    }
}
#else
/* Bᵀ d B of every input channel of the block into @transformed
 * [POINTS][in][LANES]. */
ALWAYS_INLINE void
transform_block_input (const FusedConv *conv, const Segment *segment,
                       Vec *transformed)
{
  for (int c = 0; c < conv->in_channels; c++)
    transform_channel (conv, segment, c, transformed + c, conv->in_channels);
}
#endif

/* Output block @block's weights at point @p in the packed layout
 * [POINTS][out_blocks][in][OUT_BLOCK], where both micro-kernels read them. */
ALWAYS_INLINE const float *
packed_block (const FusedConv *conv, int p, int block)
{
  gsize block_stride = (gsize) conv->in_channels * OUT_BLOCK;

  return conv->packed_weights
         + ((gsize) p * out_blocks (conv->out_channels) + block)
             * block_stride;
}

/* products[i][p][j0 + j] = Σ_c U[p][o0 + j0 + j][c] · V_i[p][c] for the
 * @n_out (4 or 8) output channels from @j0 of output block @block and the
 * @n_blocks blocks of tiles i whose transformed inputs are @n_blocks
 * POINTS x in_channels apart from @transformed (products POINTS x
 * OUT_BLOCK apart from @products).  The n_blocks x n_out accumulators stay
 * in registers over the whole input-channel loop (the arrays are fully
 * unrolled: both counts are constants where it is inlined), and each
 * weight broadcast serves every block.  How many depends on the registers:
 * 2 x 8 with AVX-512's 32 (10 loads per 16 multiply-adds), 3 x 4 with
 * AVX2's 16 (7 per 12: 8 accumulators left its two FMA units waiting on
 * their 4-cycle latency), 1 x 8 in portable code.  Each accumulator sums
 * over the channels in the same order whatever the grouping, so the bits
 * do not change. */
ALWAYS_INLINE void
multiply_group (const FusedConv *conv, int block, int j0, int n_out,
                int n_blocks, const Vec *transformed, Vec *products)
{
  int in_channels = conv->in_channels;
  gsize in_stride = (gsize) POINTS * in_channels;

  for (int p = 0; p < POINTS; p++)
    {
      const float *u = packed_block (conv, p, block) + j0;
      const Vec *v = transformed + (gsize) p * in_channels;
      Vec acc[MAX_GROUP][OUT_BLOCK];

#pragma GCC unroll 3
      for (int i = 0; i < n_blocks; i++)
#pragma GCC unroll 8
        for (int j = 0; j < n_out; j++)
          acc[i][j] = (Vec) { 0 };
      for (int c = 0; c < in_channels; c++, u += OUT_BLOCK)
        {
          Vec x[MAX_GROUP];

#pragma GCC unroll 3
          for (int i = 0; i < n_blocks; i++)
            x[i] = v[i * in_stride + c];
#pragma GCC unroll 8
          for (int j = 0; j < n_out; j++)
#pragma GCC unroll 3
            for (int i = 0; i < n_blocks; i++)
              acc[i][j] += u[j] * x[i];
        }
#pragma GCC unroll 3
      for (int i = 0; i < n_blocks; i++)
#pragma GCC unroll 8
        for (int j = 0; j < n_out; j++)
          products[(gsize) i * POINTS * OUT_BLOCK + p * OUT_BLOCK + j0 + j]
            = acc[i][j];
    }
}

#ifdef FUSED_BF16
/* The BF16 body's multiply_group: the same products over channel pairs,
 * one vdpbf16ps a pair (two products in bfloat16 added to the float sum
 * per lane), so half the instructions of the float body; @transformed
 * holds bfloat16 pairs (transform_block_input). */
ALWAYS_INLINE void
multiply_group_bf16 (const FusedConv *conv, int block, int j0, int n_out,
                     int n_blocks, const Vec *transformed, Vec *products)
{
  int pairs = channel_pairs (conv->in_channels);
  gsize in_stride = (gsize) POINTS * conv->in_channels;
  int n_out_blocks = out_blocks (conv->out_channels);

  for (int p = 0; p < POINTS; p++)
    {
      const guint32 *u
        = conv->packed_bf16
          + ((gsize) p * n_out_blocks + block) * pairs * OUT_BLOCK + j0;
      const Vec *v = transformed + (gsize) p * conv->in_channels;
      __m512 acc[MAX_GROUP][OUT_BLOCK];

#pragma GCC unroll 3
      for (int i = 0; i < n_blocks; i++)
#pragma GCC unroll 8
        for (int j = 0; j < n_out; j++)
          acc[i][j] = _mm512_setzero_ps ();
      for (int c2 = 0; c2 < pairs; c2++, u += OUT_BLOCK)
        {
          __m512bh x[MAX_GROUP];

#pragma GCC unroll 3
          for (int i = 0; i < n_blocks; i++)
            x[i] = (__m512bh) v[i * in_stride + c2];
#pragma GCC unroll 8
          for (int j = 0; j < n_out; j++)
            {
              __m512bh w = (__m512bh) _mm512_set1_epi32 ((int) u[j]);

#pragma GCC unroll 3
              for (int i = 0; i < n_blocks; i++)
                acc[i][j] = _mm512_dpbf16_ps (acc[i][j], w, x[i]);
            }
        }
#pragma GCC unroll 3
      for (int i = 0; i < n_blocks; i++)
#pragma GCC unroll 8
        for (int j = 0; j < n_out; j++)
          products[(gsize) i * POINTS * OUT_BLOCK + p * OUT_BLOCK + j0 + j]
            = (Vec) acc[i][j];
    }
}

#endif

/* multiply_group over the whole output block in passes of @n_out channels,
 * for a group of @n_blocks, a constant in each call below. */
ALWAYS_INLINE void
multiply_block_group (const FusedConv *conv, int block, int n_out,
                      int n_blocks, const Vec *transformed, Vec *products)
{
  for (int j0 = 0; j0 < OUT_BLOCK; j0 += n_out)
#ifdef FUSED_BF16
    multiply_group_bf16 (conv, block, j0, n_out, n_blocks, transformed,
                         products);
#else
    multiply_group (conv, block, j0, n_out, n_blocks, transformed, products);
#endif
}

/* Aᵀ m A of output channel @o (slot @j of @products), plus the bias, the
 * ReLU and the residual, written into the block's pixels of its plane
 * (clipped at the right and bottom edges).  Each output row is interleaved back into pixel order
 * with shuffles and copied out per segment.  Every output pixel lies in
 * exactly one tile, so the plane needs no initial values. */
ALWAYS_INLINE void
store_block_output (const FusedConv *conv, const Vec *products, int j, int o,
                    const Segment *segment)
{
  Vec vertical[TILE][ALPHA];
  const Vec *m = products + j;
  float bias = conv->bias != NULL ? conv->bias[o] : 0.0f;
  gsize height = conv->height, width = conv->width;
  float *plane = conv->output + (gsize) o * conv->out_channel_stride;
  const float *residual = conv->residual != NULL
                            ? conv->residual + (gsize) o * height * width
                            : NULL;
  gsize x0 = segment->tile_x * TILE;
  gsize columns = MIN ((gsize) segment->count * TILE, width - x0);

  for (int x = 0; x < ALPHA; x++)
    output_transform_1d (
      m[(0 * ALPHA + x) * OUT_BLOCK], m[(1 * ALPHA + x) * OUT_BLOCK],
      m[(2 * ALPHA + x) * OUT_BLOCK], m[(3 * ALPHA + x) * OUT_BLOCK],
      m[(4 * ALPHA + x) * OUT_BLOCK], m[(5 * ALPHA + x) * OUT_BLOCK],
      &vertical[0][x], ALPHA);
  for (int y = 0; y < TILE; y++)
    {
      float row[LANES * TILE] __attribute__ ((aligned (64)));
      Vec *b = (Vec *) row;
      Vec pixels[TILE], low02, high02, low13, high13;
      gsize image_y = segment->tile_y * TILE + y;
      float *target;

      output_transform_1d (vertical[y][0], vertical[y][1], vertical[y][2],
                           vertical[y][3], vertical[y][4], vertical[y][5],
                           pixels, 1);
      for (int x = 0; x < TILE; x++)
        {
          pixels[x] += bias;
          /* max (value, 0) as a mask: NaN and -0 become +0, as in
           * hfsr_relu_floats. */
          if (conv->relu)
            pixels[x] = (Vec) ((VecBits) pixels[x] & (pixels[x] > 0));
        }
      low02 = SHUFFLE (pixels[0], pixels[2], low_mask);
      high02 = SHUFFLE (pixels[0], pixels[2], high_mask);
      low13 = SHUFFLE (pixels[1], pixels[3], low_mask);
      high13 = SHUFFLE (pixels[1], pixels[3], high_mask);
      b[0] = SHUFFLE (low02, low13, low_mask);
      b[1] = SHUFFLE (low02, low13, high_mask);
      b[2] = SHUFFLE (high02, high13, low_mask);
      b[3] = SHUFFLE (high02, high13, high_mask);

      if (image_y >= height)
        break;
      target = plane
               + row_offset ((gint64) image_y, conv->out_ring, (gint64) width)
               + x0;
      if (columns == LANES * TILE)
        {
          if (residual != NULL)
            for (int k = 0; k < TILE; k++)
              b[k] += *(const VecUnaligned *) (residual + image_y * width + x0
                                               + k * LANES);
          for (int k = 0; k < TILE; k++)
            *(VecUnaligned *) (target + k * LANES) = b[k];
        }
      else
        {
          for (gsize i = 0; residual != NULL && i < columns; i++)
            row[i] += residual[image_y * width + x0 + i];
          memcpy (target, row, columns * sizeof (float));
        }
    }
}

/* Blocks [first_block, end_block) of LANES tiles, @group at a time (the
 * last group may be smaller), each multiplied in passes of @n_out output
 * channels (see multiply_group).  @transformed_floats and
 * @products_floats hold room for @group blocks. */
ALWAYS_INLINE void
run_blocks (const FusedConv *conv, gsize first_block, gsize end_block,
            float *transformed_floats, float *products_floats, int group,
            int n_out)
{
  Vec *transformed = (Vec *) transformed_floats;
  Vec *products = (Vec *) products_floats;
  gsize in_stride = (gsize) POINTS * conv->in_channels;

  for (gsize b = first_block; b < end_block;)
    {
      int n = (int) MIN ((gsize) group, end_block - b);
      Segment segments[MAX_GROUP];

      for (int i = 0; i < n; i++)
        {
          segments[i] = block_segment (conv, b + i);
          transform_block_input (conv, &segments[i],
                                 transformed + i * in_stride);
        }
      for (int block = 0; block < out_blocks (conv->out_channels); block++)
        {
          int o0 = block * OUT_BLOCK;

          /* Constant group sizes, so that each multiply is unrolled into
           * registers. */
          if (n == 3)
            multiply_block_group (conv, block, n_out, 3, transformed,
                                  products);
          else if (n == 2)
            multiply_block_group (conv, block, n_out, 2, transformed,
                                  products);
          else
            multiply_block_group (conv, block, n_out, 1, transformed,
                                  products);
          for (int j = 0; j < OUT_BLOCK && o0 + j < conv->out_channels; j++)
            for (int i = 0; i < n; i++)
              store_block_output (conv, products + i * POINTS * OUT_BLOCK, j,
                                  o0 + j, &segments[i]);
        }
      b += n;
    }
}
