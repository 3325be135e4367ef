/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Winograd F(4x4, 3x3) convolution (Lavin & Gray, "Fast Algorithms for
 * Convolutional Neural Networks", CVPR 2016), with their interpolation
 * points 0, ±1, ±2 and infinity (±1/2 join them only in F(6x6, 3x3)): Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A per 6x6 input tile d and
 * 4x4 output tile Y.  Summed over input channels, the element-wise products
 * become 36 independent GEMMs [out x in] x [in x tiles], so the heavy part
 * stays in OpenBLAS while doing 36 / 16 = 2.25 multiplies per output pixel
 * and channel pair instead of im2col's 9.
 *
 * The transforms work on CHUNK tiles at once, one tile per SIMD lane (the
 * tile index is the innermost, contiguous dimension of every array), so the
 * compiler vectorises them without intrinsics.
 */
#include <string.h>

#include "kernels.h"

/* Output pixels per tile side, input pixels per tile side (4 + 3 - 1), and
 * transformed points per tile: one GEMM each. */
#define TILE 4
#define ALPHA 6
#define POINTS (ALPHA * ALPHA)

/* Tiles per transform pass: wide enough for full vectors, small enough that
 * a pass's intermediate arrays (6 x 6 x CHUNK floats) sit in L1. */
#define CHUNK 16

/* Floats of one band's transformed input and GEMM products (4 MiB): 182
 * tiles at 32 in and 128 out channels, wide enough for efficient GEMMs
 * (1 MiB bands measured no faster), and a fixed bound on scratch however
 * large the image. */
#define BAND_BUDGET ((gsize) 1 << 20)

/* Tiles per band for these channel counts: at least 1, at most @n_tiles. */
static gsize
band_tiles (int in_channels, int out_channels, gsize n_tiles)
{
  gsize per_tile = (gsize) POINTS * ((gsize) in_channels + out_channels);

  return CLAMP (BAND_BUDGET / per_tile, 1, MAX (n_tiles, 1));
}

static gsize
tile_count (int size)
{
  return ((gsize) size + TILE - 1) / TILE;
}

gsize
hfsr_winograd_scratch_size (int in_channels, int out_channels, int height,
                            int width)
{
  gsize n_tiles, band, weights, band_floats, total;

  if (!g_size_checked_mul (&n_tiles, tile_count (height), tile_count (width))
      || !g_size_checked_mul (&weights, (gsize) in_channels * POINTS,
                              (gsize) out_channels))
    return 0;
  band = band_tiles (in_channels, out_channels, n_tiles);
  if (!g_size_checked_mul (&band_floats, band * POINTS,
                           (gsize) in_channels + out_channels)
      || !g_size_checked_add (&total, weights, band_floats))
    return 0;
  return total;
}

/* In double, so that the 1/6, 1/12 and 1/24 of G round only once. */
void
hfsr_winograd_transform_weight (const float *g, float *transformed,
                                gsize point_step)
{
  double half[ALPHA][3];

  /* G along the kernel's rows, then along its columns. */
  for (int kx = 0; kx < 3; kx++)
    {
      double g0 = g[kx], g1 = g[3 + kx], g2 = g[6 + kx];

      half[0][kx] = g0 / 4;
      half[1][kx] = -(g0 + g1 + g2) / 6;
      half[2][kx] = -(g0 - g1 + g2) / 6;
      half[3][kx] = g0 / 24 + g1 / 12 + g2 / 6;
      half[4][kx] = g0 / 24 - g1 / 12 + g2 / 6;
      half[5][kx] = g2;
    }
  for (int r = 0; r < ALPHA; r++)
    {
      double g0 = half[r][0], g1 = half[r][1], g2 = half[r][2];
      float *u = transformed + (gsize) r * ALPHA * point_step;

      u[0 * point_step] = (float) (g0 / 4);
      u[1 * point_step] = (float) (-(g0 + g1 + g2) / 6);
      u[2 * point_step] = (float) (-(g0 - g1 + g2) / 6);
      u[3 * point_step] = (float) (g0 / 24 + g1 / 12 + g2 / 6);
      u[4 * point_step] = (float) (g0 / 24 - g1 / 12 + g2 / 6);
      u[5 * point_step] = (float) g2;
    }
}

/* U = G g Gᵀ for every [out, in] pair, stored as 36 matrices [out x in]. */
static void
transform_weights (const float *weight, int in_channels, int out_channels,
                   float *transformed)
{
  gsize matrix = (gsize) out_channels * in_channels;

  for (gsize pair = 0; pair < matrix; pair++)
    hfsr_winograd_transform_weight (weight + pair * 9, transformed + pair,
                                    matrix);
}

/* r = Bᵀ d for CHUNK tiles: element k of tile t is d[k * d_step + t],
 * result k goes to r[k * r_step + t].  A constant trip count, so that the
 * loop vectorises at -O2 too. */
static inline void
input_transform_1d (const float *restrict d, gsize d_step, float *restrict r,
                    gsize r_step)
{
  for (int t = 0; t < CHUNK; t++)
    {
      float d0 = d[t], d1 = d[d_step + t], d2 = d[2 * d_step + t];
      float d3 = d[3 * d_step + t], d4 = d[4 * d_step + t];
      float d5 = d[5 * d_step + t];

      r[0 * r_step + t] = 4 * d0 - 5 * d2 + d4;
      r[1 * r_step + t] = -4 * (d1 + d2) + d3 + d4;
      r[2 * r_step + t] = 4 * (d1 - d2) - d3 + d4;
      r[3 * r_step + t] = 2 * (d3 - d1) - d2 + d4;
      r[4 * r_step + t] = 2 * (d1 - d3) - d2 + d4;
      r[5 * r_step + t] = 4 * d1 - 5 * d3 + d5;
    }
}

/* r = Aᵀ m for CHUNK tiles, laid out as in input_transform_1d. */
static inline void
output_transform_1d (const float *restrict m, gsize m_step, float *restrict r,
                     gsize r_step)
{
  for (int t = 0; t < CHUNK; t++)
    {
      float m0 = m[t], m1 = m[m_step + t], m2 = m[2 * m_step + t];
      float m3 = m[3 * m_step + t], m4 = m[4 * m_step + t];
      float m5 = m[5 * m_step + t];
      float sum12 = m1 + m2, diff12 = m1 - m2;
      float sum34 = m3 + m4, diff34 = m3 - m4;

      r[0 * r_step + t] = m0 + sum12 + sum34;
      r[1 * r_step + t] = diff12 + 2 * diff34;
      r[2 * r_step + t] = sum12 + 4 * sum34;
      r[3 * r_step + t] = diff12 + 8 * diff34 + m5;
    }
}

/* Up to CHUNK consecutive tiles of a band, in raster order (a run may wrap
 * to the next tile row): tiles [first, first + n), at column @column of the
 * band's matrices. */
typedef struct
{
  gsize first;
  int n;
  gsize column;
} TileRun;

/* The image's tiles: 4x4 output pixels each, @across per tile row. */
typedef struct
{
  int height;
  int width;
  gsize across;
} TileGrid;

/* Copies each tile's 6x6 input window (one pixel of overlap on every side,
 * zeros outside the image) into lane t of @window; lanes past the run are
 * zeroed.  The grid's fields are read into locals once: with
 * -fno-strict-aliasing every float store could otherwise change them. */
static void
gather_windows (const TileGrid *grid, const float *plane, const TileRun *run,
                float window[ALPHA][ALPHA][CHUNK])
{
  gint64 height = grid->height, width = grid->width;
  gsize across = grid->across;
  gsize tile_y = run->first / across, tile_x = run->first % across;

  for (int t = 0; t < CHUNK; t++)
    {
      gint64 y0 = (gint64) tile_y * TILE - 1, x0 = (gint64) tile_x * TILE - 1;

      if (t >= run->n)
        for (int y = 0; y < ALPHA; y++)
          for (int x = 0; x < ALPHA; x++)
            window[y][x][t] = 0.0f;
      else if (y0 >= 0 && x0 >= 0 && y0 + ALPHA <= height
               && x0 + ALPHA <= width)
        {
          const float *source = plane + y0 * width + x0;

          /* Written out: -O2 does not unroll it, and this copy is a third
           * of the input transform's instructions. */
          for (int y = 0; y < ALPHA; y++, source += width)
            {
              window[y][0][t] = source[0];
              window[y][1][t] = source[1];
              window[y][2][t] = source[2];
              window[y][3][t] = source[3];
              window[y][4][t] = source[4];
              window[y][5][t] = source[5];
            }
        }
      else
        for (int y = 0; y < ALPHA; y++)
          for (int x = 0; x < ALPHA; x++)
            {
              gint64 image_y = y0 + y, image_x = x0 + x;
              gboolean inside = image_y >= 0 && image_y < height
                                && image_x >= 0 && image_x < width;

              window[y][x][t]
                = inside ? plane[image_y * width + image_x] : 0.0f;
            }
      if (++tile_x == across)
        {
          tile_x = 0;
          tile_y++;
        }
    }
}

/* Adds lane t of @pixels (a 4x4 output tile) into the image pixels its tile
 * covers, clipped at the right and bottom edges. */
static void
scatter_tiles (const TileGrid *grid, const float pixels[TILE][TILE][CHUNK],
               const TileRun *run, float *plane)
{
  gsize height = grid->height, width = grid->width, across = grid->across;
  gsize tile_y = run->first / across, tile_x = run->first % across;

  for (int t = 0; t < run->n; t++)
    {
      gsize y0 = tile_y * TILE, x0 = tile_x * TILE;
      int rows = (int) MIN (TILE, height - y0);
      int columns = (int) MIN (TILE, width - x0);
      float *target = plane + y0 * width + x0;

      if (rows == TILE && columns == TILE)
        for (int y = 0; y < TILE; y++, target += width)
          {
            target[0] += pixels[y][0][t];
            target[1] += pixels[y][1][t];
            target[2] += pixels[y][2][t];
            target[3] += pixels[y][3][t];
          }
      else
        for (int y = 0; y < rows; y++, target += width)
          for (int x = 0; x < columns; x++)
            target[x] += pixels[y][x][t];
      if (++tile_x == across)
        {
          tile_x = 0;
          tile_y++;
        }
    }
}

/* Bᵀ d B of one channel's tiles in @run into column run->column of the 36
 * matrices at @transformed (one every @matrix_step floats).  The transform
 * writes a local array and a plain copy moves it out: stores through a
 * run-time stride would stop the compiler from vectorising the transform,
 * and a short run must not write past its n columns. */
static void
transform_input_run (const TileGrid *grid, const float *plane,
                     const TileRun *run, float *transformed, gsize matrix_step)
{
  float window[ALPHA][ALPHA][CHUNK];
  float horizontal[ALPHA][ALPHA][CHUNK];
  float points[POINTS][CHUNK];

  gather_windows (grid, plane, run, window);
  for (int y = 0; y < ALPHA; y++)
    input_transform_1d (window[y][0], CHUNK, horizontal[y][0], CHUNK);
  for (int x = 0; x < ALPHA; x++)
    input_transform_1d (horizontal[0][x], ALPHA * CHUNK, points[x],
                        ALPHA * CHUNK);
  for (int p = 0; p < POINTS; p++)
    {
      float *target = transformed + p * matrix_step + run->column;

      if (run->n == CHUNK)
        for (int t = 0; t < CHUNK; t++)
          target[t] = points[p][t];
      else
        memcpy (target, points[p], (gsize) run->n * sizeof (float));
    }
}

/* Aᵀ m A of one output channel's tiles in @run, read from column
 * run->column of the 36 product matrices at @products (one every
 * @matrix_step floats), added into the pixels of @plane. */
static void
transform_output_run (const TileGrid *grid, const float *products,
                      gsize matrix_step, const TileRun *run, float *plane)
{
  float short_run[POINTS][CHUNK];
  float vertical[TILE][ALPHA][CHUNK];
  float pixels[TILE][TILE][CHUNK];
  const float *source = products + run->column;
  gsize step = matrix_step;

  /* A short run (the end of a band) goes through a copy whose spare lanes
   * hold zeros, not whatever follows the run in scratch. */
  if (run->n < CHUNK)
    {
      memset (short_run, 0, sizeof short_run);
      for (int p = 0; p < POINTS; p++)
        memcpy (short_run[p], source + p * matrix_step,
                (gsize) run->n * sizeof (float));
      source = short_run[0];
      step = CHUNK;
    }
  for (int x = 0; x < ALPHA; x++)
    output_transform_1d (source + x * step, ALPHA * step, vertical[0][x],
                         ALPHA * CHUNK);
  for (int y = 0; y < TILE; y++)
    output_transform_1d (vertical[y][0], CHUNK, pixels[y][0], CHUNK);
  scatter_tiles (grid, pixels, run, plane);
}

/* The next run of band [*next, band_end); FALSE when the band is done. */
static gboolean
next_run (gsize *next, gsize band_start, gsize band_end, TileRun *run)
{
  if (*next >= band_end)
    return FALSE;
  run->first = *next;
  run->n = (int) MIN (band_end - *next, CHUNK);
  run->column = *next - band_start;
  *next += run->n;
  return TRUE;
}

void
hfsr_winograd_conv3x3 (const float *weight, int in_channels, int out_channels,
                       const float *input, int height, int width,
                       float *scratch, float *output)
{
  TileGrid grid = { height, width, tile_count (width) };
  gsize plane = (gsize) height * width;
  gsize n_tiles = tile_count (height) * grid.across;
  gsize band = band_tiles (in_channels, out_channels, n_tiles);
  gsize weight_matrix = (gsize) out_channels * in_channels;
  float *transformed_weights = scratch;
  float *transformed_input = transformed_weights + POINTS * weight_matrix;
  float *products = transformed_input + POINTS * (gsize) in_channels * band;

  /* Band by band: every input channel's tiles transformed, the 36 GEMMs,
   * then every output channel's tiles transformed back. */
  transform_weights (weight, in_channels, out_channels, transformed_weights);
  for (gsize start = 0; start < n_tiles; start += band)
    {
      gsize end = MIN (start + band, n_tiles);
      int n = (int) (end - start);
      gsize input_step = (gsize) in_channels * n;
      gsize product_step = (gsize) out_channels * n;
      TileRun run;

      for (int c = 0; c < in_channels; c++)
        for (gsize next = start; next_run (&next, start, end, &run);)
          transform_input_run (&grid, input + c * plane, &run,
                               transformed_input + (gsize) c * n, input_step);

      for (int p = 0; p < POINTS; p++)
        hfsr_gemm (FALSE, out_channels, n, in_channels,
                   transformed_weights + p * weight_matrix,
                   transformed_input + p * input_step, n,
                   products + p * product_step, n, FALSE);

      for (int o = 0; o < out_channels; o++)
        for (gsize next = start; next_run (&next, start, end, &run);)
          transform_output_run (&grid, products + (gsize) o * n, product_step,
                                &run, output + o * plane);
    }
}
