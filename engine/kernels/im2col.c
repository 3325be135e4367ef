/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "kernels.h"

/* 8 MiB of columns: big enough that a band's GEMM is still wide (thousands of
 * columns even for 128 channels of 3x3), small enough that scratch stays
 * modest however large the tile. */
#define HFSR_COLUMN_BUDGET ((gsize) 1 << 21)

int
hfsr_conv_band_rows (const HfsrConvGeometry *geometry)
{
  gsize row_floats = (gsize) geometry->channels * geometry->kernel_h
                     * geometry->kernel_w * geometry->grid_width;
  gsize rows = HFSR_COLUMN_BUDGET / MAX (row_floats, 1);

  return (int) CLAMP (rows, 1, (gsize) MAX (geometry->grid_height, 1));
}

/* The grid positions [*first, *end) along one axis whose pixel
 * g * stride + offset falls inside [0, size); the rest are padding. */
static void
inside_range (int offset, int stride, int size, int grid, int *first,
              int *end)
{
  gint64 lo = offset >= 0 ? 0 : (-(gint64) offset + stride - 1) / stride;
  gint64 last = (gint64) size - 1 - offset;
  gint64 hi = last < 0 ? 0 : last / stride + 1;

  *first = (int) MIN (lo, grid);
  *end = (int) CLAMP (hi, *first, grid);
}

void
hfsr_im2col (const HfsrConvGeometry *g, const float *image, int first_row,
             int n_rows, float *columns)
{
  gsize plane = (gsize) g->image_height * g->image_width;
  float *dst = columns;

  for (int c = 0; c < g->channels; c++)
    for (int ky = 0; ky < g->kernel_h; ky++)
      for (int kx = 0; kx < g->kernel_w; kx++)
        {
          int offset = kx - g->pad_w;
          int first, end;

          inside_range (offset, g->stride, g->image_width, g->grid_width,
                        &first, &end);
          for (int r = 0; r < n_rows; r++, dst += g->grid_width)
            {
              gint64 y = (gint64) (first_row + r) * g->stride - g->pad_h + ky;
              const float *row;

              if (y < 0 || y >= g->image_height || first == end)
                {
                  memset (dst, 0, (gsize) g->grid_width * sizeof (float));
                  continue;
                }
              row = image + c * plane + (gsize) y * g->image_width;
              memset (dst, 0, (gsize) first * sizeof (float));
              if (g->stride == 1)
                memcpy (dst + first, row + first + offset,
                        (gsize) (end - first) * sizeof (float));
              else
                for (int x = first; x < end; x++)
                  dst[x] = row[(gsize) x * g->stride + offset];
              memset (dst + end, 0, (gsize) (g->grid_width - end)
                                    * sizeof (float));
            }
        }
}

void
hfsr_col2im (const HfsrConvGeometry *g, const float *columns, int first_row,
             int n_rows, float *image)
{
  gsize plane = (gsize) g->image_height * g->image_width;
  const float *src = columns;

  for (int c = 0; c < g->channels; c++)
    for (int ky = 0; ky < g->kernel_h; ky++)
      for (int kx = 0; kx < g->kernel_w; kx++)
        {
          int offset = kx - g->pad_w;
          int first, end;

          inside_range (offset, g->stride, g->image_width, g->grid_width,
                        &first, &end);
          for (int r = 0; r < n_rows; r++, src += g->grid_width)
            {
              gint64 y = (gint64) (first_row + r) * g->stride - g->pad_h + ky;
              float *row;

              if (y < 0 || y >= g->image_height)
                continue;
              row = image + c * plane + (gsize) y * g->image_width;
              for (int x = first; x < end; x++)
                row[(gsize) x * g->stride + offset] += src[x];
            }
        }
}
