/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Winograd F(4x4, 3x3) with the transforms fused into the multiply: the
 * image is cut into blocks of LANES tiles (one tile per vector lane); a
 * block's input is transformed into a buffer that stays in L2 (36 points x
 * in_channels vectors), multiplied by the transformed weights with a
 * register-blocked micro-kernel (OUT_BLOCK output channels x LANES tiles of
 * accumulators), and each output channel is transformed back straight into
 * its output plane with the bias and, when asked, the ReLU.  No image-sized
 * intermediate exists, so memory traffic is the input read once, the
 * weights once per block from L2, and the output written once.
 *
 * One source, compiled three times: the block body is always inlined into a
 * wrapper per instruction set (AVX-512F, AVX2 + FMA, and the compiler's
 * baseline), chosen at run time.  The arithmetic is written with GCC's
 * vector extensions, so the baseline is portable C and each x86 wrapper
 * gets the widest registers its instructions have.
 */
#include <string.h>

#include "hfsr-private.h"
#include "kernels.h"

#define TILE      4
#define ALPHA     6
#define POINTS    (ALPHA * ALPHA)
#define LANES     16
/* Eight accumulators of LANES floats: half the AVX-512 register file, so
 * the broadcast weights and the input vector fit beside them. */
#define OUT_BLOCK 8

#define ALWAYS_INLINE static inline __attribute__ ((always_inline))

/* GCC notes that passing 64-byte vectors by value differs between the
 * baseline and AVX-512 calling conventions; every function doing so here is
 * always inlined, so no call crosses that boundary. */
#pragma GCC diagnostic ignored "-Wpsabi"

typedef float  Vec     __attribute__ ((vector_size (LANES * sizeof (float))));
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

/* ------------------------------------------------------------- the body */

static int
out_blocks (int out_channels)
{
  return (out_channels + OUT_BLOCK - 1) / OUT_BLOCK;
}

typedef struct
{
  const float *packed_weights; /* [POINTS][out_blocks][in][OUT_BLOCK] */
  const float *bias;           /* or NULL */
  gboolean     relu;
  int          in_channels;
  int          out_channels;
  int          height;
  int          width;
  gsize        across;         /* tiles per tile row */
  const float *input;
  float       *output;
  /* Floats from one channel's plane to the next, and the rows a plane
   * holds: 0 for a whole image plane, or a ring of that many rows in which
   * image row y sits at y mod ring (a residual block's expansion, which
   * only ever needs three tile rows of it at once). */
  gsize        in_channel_stride;
  int          in_ring;
  gsize        out_channel_stride;
  int          out_ring;
  /* Added to the output after the bias and the ReLU, or NULL; whole image
   * planes shaped like the output. */
  const float *residual;
} FusedConv;

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
  int   count;
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
 * (with the second vector's first or second element last), and the
 * interleaving of the two vectors' low or high halves. */
static const VecBits even_mask = { 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20,
                                   22, 24, 26, 28, 30 };
static const VecBits odd_mask = { 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23,
                                  25, 27, 29, 31 };
static const VecBits next_mask = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                                   14, 15, 16 };
static const VecBits next2_mask = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
                                    13, 14, 15, 17 };
static const VecBits low_mask = { 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21,
                                  6, 22, 7, 23 };
static const VecBits high_mask = { 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13,
                                   29, 14, 30, 15, 31 };

typedef gint32 VecBitsUnaligned
  __attribute__ ((vector_size (LANES * sizeof (gint32)), aligned (4)));

/* Shuffle indices for load_clipped, read at offset LANES + shift: lane l
 * takes element l + shift of the loaded vector, or LANES (the zero vector's
 * first) where that falls outside it.  A table, because comparing integer
 * vectors needs AVX-512DQ to stay in vector registers. */
static const gint32 clip_indices[3 * LANES] = {
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16,
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
  return SHUFFLE (*(const VecUnaligned *) (row + start),
                            (Vec) { 0 },
                            *(const VecBitsUnaligned *) (clip_indices
                                                         + LANES + shift));
}

/* Each lane's 6x6 input window of one channel, as d[y][x] (zeros outside
 * the image and in lanes past the block): a window row's 66 pixels are
 * split by phase (pixel 4t + x to lane t of d[y][x]) with shuffles instead
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
          const float *source = plane
                                + row_offset (image_y, conv->in_ring, width)
                                + x_start;

          for (int k = 0; k < 4; k++)
            b[k] = *(const VecUnaligned *) (source + k * LANES);
          b[4] = (Vec) { source[4 * LANES], source[4 * LANES + 1] };
        }
      else if (image_y < 0 || image_y >= height)
        for (int k = 0; k < 5; k++)
          b[k] = (Vec) { 0 };
      else if (width >= LANES)
        for (int k = 0; k < 5; k++)
          b[k] = load_clipped (plane
                               + row_offset (image_y, conv->in_ring, width),
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

/* Bᵀ d B of every input channel of the block into @transformed
 * [POINTS][in][LANES]. */
ALWAYS_INLINE void
transform_block_input (const FusedConv *conv, const Segment *segment,
                       Vec *transformed)
{
  int in_channels = conv->in_channels;

  for (int c = 0; c < in_channels; c++)
    {
      Vec d[ALPHA][ALPHA];
      Vec horizontal[ALPHA][ALPHA];

      gather_windows (conv, conv->input + c * conv->in_channel_stride,
                      segment, d);
      for (int y = 0; y < ALPHA; y++)
        input_transform_1d (d[y][0], d[y][1], d[y][2], d[y][3], d[y][4],
                            d[y][5], &horizontal[y][0], 1);
      for (int x = 0; x < ALPHA; x++)
        input_transform_1d (horizontal[0][x], horizontal[1][x],
                            horizontal[2][x], horizontal[3][x],
                            horizontal[4][x], horizontal[5][x],
                            transformed + (gsize) x * in_channels + c,
                            ALPHA * in_channels);
    }
}

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

/* products[p][j] = Σ_c U[p][o0 + j][c] · V[p][c] for the OUT_BLOCK output
 * channels of block @block: the accumulators stay in registers over the
 * whole input-channel loop. */
ALWAYS_INLINE void
multiply_block (const FusedConv *conv, int block, const Vec *transformed,
                Vec *products)
{
  int in_channels = conv->in_channels;

  for (int p = 0; p < POINTS; p++)
    {
      const float *u = packed_block (conv, p, block);
      const Vec *v = transformed + (gsize) p * in_channels;
      Vec a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
      Vec a4 = { 0 }, a5 = { 0 }, a6 = { 0 }, a7 = { 0 };

      for (int c = 0; c < in_channels; c++, u += OUT_BLOCK)
        {
          Vec x = v[c];

          a0 += u[0] * x;
          a1 += u[1] * x;
          a2 += u[2] * x;
          a3 += u[3] * x;
          a4 += u[4] * x;
          a5 += u[5] * x;
          a6 += u[6] * x;
          a7 += u[7] * x;
        }
      products[p * OUT_BLOCK + 0] = a0;
      products[p * OUT_BLOCK + 1] = a1;
      products[p * OUT_BLOCK + 2] = a2;
      products[p * OUT_BLOCK + 3] = a3;
      products[p * OUT_BLOCK + 4] = a4;
      products[p * OUT_BLOCK + 5] = a5;
      products[p * OUT_BLOCK + 6] = a6;
      products[p * OUT_BLOCK + 7] = a7;
    }
}

/* multiply_block for two blocks at once, each weight broadcast serving
 * both: 16 accumulators, 10 loads per 16 multiply-adds instead of 9 per 8,
 * which lets AVX-512's two FMA units run rather than wait on loads (only
 * AVX-512 has the 32 registers for it).  Each accumulator sums in the same
 * order as in multiply_block, so pairing does not change the bits. */
ALWAYS_INLINE void
multiply_two_blocks (const FusedConv *conv, int block, const Vec *first,
                     const Vec *second, Vec *first_products,
                     Vec *second_products)
{
  int in_channels = conv->in_channels;

  for (int p = 0; p < POINTS; p++)
    {
      const float *u = packed_block (conv, p, block);
      const Vec *v = first + (gsize) p * in_channels;
      const Vec *w = second + (gsize) p * in_channels;
      Vec a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
      Vec a4 = { 0 }, a5 = { 0 }, a6 = { 0 }, a7 = { 0 };
      Vec b0 = { 0 }, b1 = { 0 }, b2 = { 0 }, b3 = { 0 };
      Vec b4 = { 0 }, b5 = { 0 }, b6 = { 0 }, b7 = { 0 };
      Vec *out_a = first_products + p * OUT_BLOCK;
      Vec *out_b = second_products + p * OUT_BLOCK;

      for (int c = 0; c < in_channels; c++, u += OUT_BLOCK)
        {
          Vec x = v[c], y = w[c];

          a0 += u[0] * x;
          b0 += u[0] * y;
          a1 += u[1] * x;
          b1 += u[1] * y;
          a2 += u[2] * x;
          b2 += u[2] * y;
          a3 += u[3] * x;
          b3 += u[3] * y;
          a4 += u[4] * x;
          b4 += u[4] * y;
          a5 += u[5] * x;
          b5 += u[5] * y;
          a6 += u[6] * x;
          b6 += u[6] * y;
          a7 += u[7] * x;
          b7 += u[7] * y;
        }
      out_a[0] = a0;
      out_a[1] = a1;
      out_a[2] = a2;
      out_a[3] = a3;
      out_a[4] = a4;
      out_a[5] = a5;
      out_a[6] = a6;
      out_a[7] = a7;
      out_b[0] = b0;
      out_b[1] = b1;
      out_b[2] = b2;
      out_b[3] = b3;
      out_b[4] = b4;
      out_b[5] = b5;
      out_b[6] = b6;
      out_b[7] = b7;
    }
}

/* Aᵀ m A of output channel @o (slot @j of @products), plus the bias, the
 * ReLU and the residual, written into the block's pixels of its plane
 * (clipped at the right and bottom edges).  Each output row is interleaved back into pixel order
 * with shuffles and copied out per segment.  Every output pixel lies in
 * exactly one tile, so the plane needs no initial values. */
ALWAYS_INLINE void
store_block_output (const FusedConv *conv, const Vec *products, int j,
                    int o, const Segment *segment)
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
    output_transform_1d (m[(0 * ALPHA + x) * OUT_BLOCK],
                         m[(1 * ALPHA + x) * OUT_BLOCK],
                         m[(2 * ALPHA + x) * OUT_BLOCK],
                         m[(3 * ALPHA + x) * OUT_BLOCK],
                         m[(4 * ALPHA + x) * OUT_BLOCK],
                         m[(5 * ALPHA + x) * OUT_BLOCK], &vertical[0][x],
                         ALPHA);
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
      target = plane + row_offset ((gint64) image_y, conv->out_ring,
                                   (gint64) width) + x0;
      if (columns == LANES * TILE)
        {
          if (residual != NULL)
            for (int k = 0; k < TILE; k++)
              b[k] += *(const VecUnaligned *) (residual + image_y * width
                                               + x0 + k * LANES);
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

/* Blocks [first_block, end_block) of LANES tiles, two at a time when
 * @pairs.  @transformed and @products hold room for two blocks. */
ALWAYS_INLINE void
run_blocks (const FusedConv *conv, gsize first_block, gsize end_block,
            Vec *transformed, Vec *products, gboolean pairs)
{
  Vec *second_transformed = transformed + (gsize) POINTS * conv->in_channels;
  Vec *second_products = products + POINTS * OUT_BLOCK;

  for (gsize b = first_block; b < end_block;)
    {
      gboolean two = pairs && b + 1 < end_block;
      Segment segment = block_segment (conv, b);
      Segment second = block_segment (conv, two ? b + 1 : b);

      transform_block_input (conv, &segment, transformed);
      if (two)
        transform_block_input (conv, &second, second_transformed);
      for (int block = 0; block < out_blocks (conv->out_channels); block++)
        {
          int o0 = block * OUT_BLOCK;

          if (two)
            multiply_two_blocks (conv, block, transformed,
                                 second_transformed, products,
                                 second_products);
          else
            multiply_block (conv, block, transformed, products);
          for (int j = 0; j < OUT_BLOCK && o0 + j < conv->out_channels; j++)
            {
              store_block_output (conv, products, j, o0 + j, &segment);
              if (two)
                store_block_output (conv, second_products, j, o0 + j,
                                    &second);
            }
        }
      b += two ? 2 : 1;
    }
}

typedef void (*RunBlocksFunc) (const FusedConv *conv, gsize first_block,
                               gsize end_block, Vec *transformed,
                               Vec *products);

static void
run_blocks_generic (const FusedConv *conv, gsize first_block,
                    gsize end_block, Vec *transformed, Vec *products)
{
  run_blocks (conv, first_block, end_block, transformed, products, FALSE);
}

#ifdef HFSR_X86_PATHS
__attribute__ ((target ("avx2,fma"))) static void
run_blocks_avx2 (const FusedConv *conv, gsize first_block, gsize end_block,
                 Vec *transformed, Vec *products)
{
  run_blocks (conv, first_block, end_block, transformed, products, FALSE);
}

__attribute__ ((target ("avx512f"))) static void
run_blocks_avx512 (const FusedConv *conv, gsize first_block,
                   gsize end_block, Vec *transformed, Vec *products)
{
  run_blocks (conv, first_block, end_block, transformed, products, TRUE);
}
#endif

static RunBlocksFunc
run_blocks_for (HfsrKernelPath path)
{
#ifdef HFSR_X86_PATHS
  if (path == HFSR_KERNEL_AVX512)
    return run_blocks_avx512;
  if (path == HFSR_KERNEL_AVX2)
    return run_blocks_avx2;
#endif
  return run_blocks_generic;
}

const char *
hfsr_winograd_fused_instructions (HfsrKernelPath path)
{
  RunBlocksFunc run = run_blocks_for (path);

  return run == run_blocks_generic ? "generic"
         : run == run_blocks_for (HFSR_KERNEL_AVX512) ? "avx512" : "avx2";
}

/* ------------------------------------------------------------- the call */

typedef struct
{
  const float *weight;
  int          in_channels;
  int          out_channels;
  float       *packed;
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
          float *u = job->packed + ((gsize) block * in_channels + c)
                                   * OUT_BLOCK + j;

          if (o < job->out_channels)
            hfsr_winograd_transform_weight (job->weight
                                            + ((gsize) o * in_channels + c)
                                              * 9, u, point_step);
          else
            for (int p = 0; p < POINTS; p++)
              u[p * point_step] = 0.0f;
        }
}

typedef struct
{
  const FusedConv *conv;
  RunBlocksFunc    run;
  gsize            n_blocks;
  float           *scratch;       /* per worker: transformed, products */
  gsize            worker_floats;
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
  Vec *transformed = (Vec *) mine;
  Vec *products = (Vec *) (mine + (gsize) 2 * POINTS
                                  * job->conv->in_channels * LANES);

  job->run (job->conv, first, end, transformed, products);
}

float *
hfsr_winograd_fused_pack (const float *weight, int in_channels,
                          int out_channels)
{
  gsize packed_floats;
  PackJob pack = { weight, in_channels, out_channels, NULL };

  if (!g_size_checked_mul (&packed_floats, (gsize) in_channels * POINTS,
                           (gsize) out_blocks (out_channels) * OUT_BLOCK)
      || (pack.packed = hfsr_alloc_floats_uninitialised (packed_floats))
         == NULL)
    return NULL;
  hfsr_parallel_run (MIN (hfsr_parallel_workers (), out_blocks (out_channels)),
                     pack_worker, &pack);
  return pack.packed;
}

gboolean
hfsr_winograd_fused_conv3x3 (HfsrKernelPath path, const float *packed,
                             const float *bias, gboolean relu,
                             int in_channels, int out_channels,
                             const float *input, int height, int width,
                             float *output, GError **error)
{
  FusedConv conv = {
    .bias = bias, .relu = relu, .in_channels = in_channels,
    .out_channels = out_channels, .height = height, .width = width,
    .across = ((gsize) width + TILE - 1) / TILE, .input = input,
    .output = output, .packed_weights = packed,
    .in_channel_stride = (gsize) height * width,
    .out_channel_stride = (gsize) height * width,
  };
  int n_workers = hfsr_parallel_workers ();
  gsize worker_floats, scratch_floats;
  float *scratch = NULL;
  FusedJob job;

  job.n_blocks = (((gsize) height + TILE - 1) / TILE)
                 * ((conv.across + LANES - 1) / LANES);
  n_workers = (int) MIN ((gsize) n_workers, job.n_blocks);
  if (!g_size_checked_mul (&worker_floats, (gsize) 2 * POINTS * LANES,
                           (gsize) in_channels + OUT_BLOCK)
      || !g_size_checked_mul (&scratch_floats, worker_floats,
                              (gsize) n_workers)
      || (scratch = hfsr_alloc_floats_uninitialised (scratch_floats))
         == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for a %d->%d Winograd convolution",
                   in_channels, out_channels);
      return FALSE;
    }

  job.conv = &conv;
  job.run = run_blocks_for (path);
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
#define RING_ROWS  (3 * TILE)
/* The expansion of a band's last two tile rows, made before any worker
 * writes (see residual_edges). */
#define SPARE_ROWS (2 * TILE)
G_STATIC_ASSERT (RING_ROWS + SPARE_ROWS == HFSR_RESIDUAL_ROWS);

typedef struct
{
  FusedConv     expand;
  FusedConv     reduce;
  RunBlocksFunc run;
  gsize         tile_rows;
  gsize         blocks_per_row;
  float        *scratch;          /* per worker: transformed, products,
                                   * ring, spare */
  gsize         worker_floats;
  gsize         transform_floats;
  gsize         ring_floats;
  int           n_workers;
} ResidualJob;

typedef struct
{
  Vec      *transformed;
  Vec      *products;
  FusedConv expand;               /* into the ring */
  FusedConv spare;                /* the same, into the spare rows */
  FusedConv reduce;
  gsize     first;
  gsize     end;
} ResidualWorker;

/* Worker @worker's share of tile rows, [T w / W, T (w + 1) / W), and its
 * buffers. */
static ResidualWorker
residual_worker_of (const ResidualJob *job, int worker)
{
  float *mine = job->scratch + worker * job->worker_floats;
  float *ring = mine + job->transform_floats
                + (gsize) 2 * POINTS * OUT_BLOCK * LANES;
  ResidualWorker w = {
    .transformed = (Vec *) mine,
    .products = (Vec *) (mine + job->transform_floats),
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
  job->run (conv, t * job->blocks_per_row, (t + 1) * job->blocks_per_row,
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
hfsr_winograd_fused_residual (HfsrKernelPath path,
                              const float *expand_packed,
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
      .packed_weights = expand_packed, .bias = expand_bias, .relu = TRUE,
      .in_channels = channels, .out_channels = mid_channels,
      .height = height, .width = width, .across = across, .input = input,
      .in_channel_stride = plane,
      .out_channel_stride = (gsize) RING_ROWS * width,
      .out_ring = RING_ROWS,
    },
    .reduce = {
      .packed_weights = reduce_packed, .bias = reduce_bias, .relu = FALSE,
      .in_channels = mid_channels, .out_channels = channels,
      .height = height, .width = width, .across = across, .output = output,
      .in_channel_stride = (gsize) RING_ROWS * width,
      .in_ring = RING_ROWS, .out_channel_stride = plane,
      .residual = input,
    },
    .run = run_blocks_for (path),
    .tile_rows = ((gsize) height + TILE - 1) / TILE,
    .blocks_per_row = (across + LANES - 1) / LANES,
  };
  gsize spare_floats, worker_floats, scratch_floats;

  job.n_workers = (int) MIN ((gsize) hfsr_parallel_workers (),
                             job.tile_rows);
  job.transform_floats = (gsize) 2 * POINTS * LANES
                         * MAX (channels, mid_channels);
  if (!g_size_checked_mul (&job.ring_floats,
                           (gsize) RING_ROWS * mid_channels, (gsize) width)
      || !g_size_checked_mul (&spare_floats,
                              (gsize) SPARE_ROWS * mid_channels,
                              (gsize) width)
      || !g_size_checked_add (&worker_floats,
                              job.transform_floats
                              + (gsize) 2 * POINTS * OUT_BLOCK * LANES,
                              job.ring_floats)
      || !g_size_checked_add (&worker_floats, worker_floats,
                              spare_floats + LANES)
      || !g_size_checked_mul (&scratch_floats, worker_floats / LANES * LANES,
                              (gsize) job.n_workers)
      || (job.scratch = hfsr_alloc_floats_uninitialised (scratch_floats))
         == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for a %d->%d->%d residual block of width "
                   "%d", channels, mid_channels, channels, width);
      return FALSE;
    }
  /* Each worker's share starts on a vector boundary. */
  job.worker_floats = worker_floats / LANES * LANES;
  hfsr_parallel_run (job.n_workers, residual_edges, &job);
  hfsr_parallel_run (job.n_workers, residual_body, &job);
  hfsr_free_floats (job.scratch);
  return TRUE;
}
