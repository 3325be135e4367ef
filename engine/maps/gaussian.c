/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Separable Gaussian blur with replicated borders: the soft GMS map's
 * smoothing and the DoG stacks' scale space.
 */
#include <math.h>
#include <string.h>

#include "hfsr-private.h"

/* Keeps width + 2 * radius and the kernel length far inside int and gsize;
 * a blur this wide is a flat image anyway. */
#define GAUSSIAN_MAX_RADIUS (G_MAXINT / 8)

/* The 2 @radius + 1 taps of a Gaussian of @sigma, normalised to sum 1 so
 * that a flat image stays flat; summed in double, then rounded once. */
static void
make_kernel (float *kernel, int radius, double sigma)
{
  double sum = 0.0;

  for (int k = -radius; k <= radius; k++)
    {
      double tap = exp (-(double) k * k / (2.0 * sigma * sigma));

      kernel[k + radius] = (float) tap;
      sum += tap;
    }
  for (int k = 0; k <= 2 * radius; k++)
    kernel[k] = (float) (kernel[k] / sum);
}

/* The horizontal pass from @plane into @rows: each row is copied into
 * @line with @radius replicated pixels at either end, so the taps need no
 * border test.  Both passes run the tap loop outside the pixel loop so
 * that the pixel loop is a plain multiply-add over contiguous floats. */
static void
blur_rows (const float *plane, int width, int height, const float *kernel,
           int radius, float *line, float *rows)
{
  for (int y = 0; y < height; y++)
    {
      const float *source = plane + (gsize) y * width;
      float *target = rows + (gsize) y * width;

      for (int i = 0; i < radius; i++)
        {
          line[i] = source[0];
          line[(gsize) radius + width + i] = source[width - 1];
        }
      memcpy (line + radius, source, (gsize) width * sizeof (float));

      for (int x = 0; x < width; x++)
        target[x] = 0.0f;
      for (int k = 0; k <= 2 * radius; k++)
        for (int x = 0; x < width; x++)
          target[x] += kernel[k] * line[x + k];
    }
}

/* The vertical pass from @rows into @out: rows beyond the image are its
 * first or last row (clamped), so no padded copy is needed. */
static void
blur_columns (const float *rows, int width, int height, const float *kernel,
              int radius, float *out)
{
  for (int y = 0; y < height; y++)
    {
      float *target = out + (gsize) y * width;

      for (int x = 0; x < width; x++)
        target[x] = 0.0f;
      for (int k = -radius; k <= radius; k++)
        {
          const float *source
            = rows + (gsize) CLAMP (y + k, 0, height - 1) * width;
          float tap = kernel[k + radius];

          for (int x = 0; x < width; x++)
            target[x] += tap * source[x];
        }
    }
}

gboolean
hfsr_gaussian_blur (const float *plane, int width, int height, double sigma,
                    float *out, GError **error)
{
  gsize n_pixels;
  int radius;
  float *kernel, *line, *rows;
  gboolean ok;

  if (width <= 0 || height <= 0
      || !g_size_checked_mul (&n_pixels, (gsize) width, (gsize) height))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "Gaussian blur: invalid image size %d x %d", width, height);
      return FALSE;
    }
  if (!(sigma > 0.0 && 3.0 * sigma <= GAUSSIAN_MAX_RADIUS))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "Gaussian blur: sigma %g is outside (0, %d]", sigma,
                   GAUSSIAN_MAX_RADIUS / 3);
      return FALSE;
    }
  radius = (int) ceil (3.0 * sigma);

  kernel = hfsr_alloc_floats (2 * (gsize) radius + 1);
  line = hfsr_alloc_floats ((gsize) width + 2 * (gsize) radius);
  /* The horizontal pass goes to scratch so that @out may be @plane. */
  rows = hfsr_alloc_floats (n_pixels);
  ok = kernel != NULL && line != NULL && rows != NULL;
  if (!ok)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                 "Gaussian blur: out of memory for a %d x %d image with "
                 "sigma %g",
                 width, height, sigma);
  else
    {
      make_kernel (kernel, radius, sigma);
      blur_rows (plane, width, height, kernel, radius, line, rows);
      blur_columns (rows, width, height, kernel, radius, out);
    }
  hfsr_free_floats (kernel);
  hfsr_free_floats (line);
  hfsr_free_floats (rows);
  return ok;
}
