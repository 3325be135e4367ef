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
inside_range (int offset, int stride, int size, int grid, int *first, int *end)
{
  gint64 lo = offset >= 0 ? 0 : (-(gint64) offset + stride - 1) / stride;
  gint64 last = (gint64) size - 1 - offset;
  gint64 hi = last < 0 ? 0 : last / stride + 1;

  *first = (int) MIN (lo, grid);
  *end = (int) CLAMP (hi, *first, grid);
}

/* One column-matrix row of im2col: the grid row's samples of @row (NULL
 * where the tap falls in the zero padding) at x * stride + @offset, zero
 * outside [@first, @end). */
static inline void
gather_row (const HfsrConvGeometry *g, const float *row, int offset, int first,
            int end, float *dst)
{
  if (row == NULL || first == end)
    {
      memset (dst, 0, (gsize) g->grid_width * sizeof (float));
      return;
    }
  memset (dst, 0, (gsize) first * sizeof (float));
  if (g->stride == 1)
    memcpy (dst + first, row + first + offset,
            (gsize) (end - first) * sizeof (float));
  else
    for (int x = first; x < end; x++)
      dst[x] = row[(gsize) x * g->stride + offset];
  memset (dst + end, 0, (gsize) (g->grid_width - end) * sizeof (float));
}

/* im2col and col2im are each other's adjoint and walk alike, so the walk
 * is written once: the column matrix one row of grid_width values at a
 * time, each the samples of one kernel tap (channel, ky, kx) along one
 * grid row, against the image row that the tap reads.  @gather: @source is
 * the image and the rows are copied into the columns at @target (im2col);
 * otherwise @source is the columns, added back into the image at @target
 * (col2im), where samples in the padding are dropped. */
static inline void
walk_columns (const HfsrConvGeometry *g, int first_row, int n_rows,
              gboolean gather, const float *source, float *target)
{
  gsize plane = (gsize) g->image_height * g->image_width;
  gsize column = 0;

  for (int c = 0; c < g->channels; c++)
    for (int ky = 0; ky < g->kernel_h; ky++)
      for (int kx = 0; kx < g->kernel_w; kx++)
        {
          int offset = kx - g->pad_w;
          int first, end;

          inside_range (offset, g->stride, g->image_width, g->grid_width,
                        &first, &end);
          for (int r = 0; r < n_rows; r++, column += g->grid_width)
            {
              gint64 y = (gint64) (first_row + r) * g->stride - g->pad_h + ky;
              gboolean inside = y >= 0 && y < g->image_height;
              gsize at = inside ? c * plane + (gsize) y * g->image_width : 0;

              if (gather)
                gather_row (g, inside ? source + at : NULL, offset, first, end,
                            target + column);
              else if (inside)
                for (int x = first; x < end; x++)
                  target[at + (gsize) x * g->stride + offset]
                    += source[column + x];
            }
        }
}

void
hfsr_im2col (const HfsrConvGeometry *g, const float *image, int first_row,
             int n_rows, float *columns)
{
  walk_columns (g, first_row, n_rows, TRUE, image, columns);
}

void
hfsr_col2im (const HfsrConvGeometry *g, const float *columns, int first_row,
             int n_rows, float *image)
{
  walk_columns (g, first_row, n_rows, FALSE, columns, image);
}
