/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * MATLAB's bicubic imresize, the degradation every published SR table was
 * made with: a model scored on another downscaler loses much of its
 * measured gain, so training (models/training/hfsr_data.py) and hfsr-eval
 * must both use exactly this one.  Written from MATLAB's documented
 * definition, step for step as the Python twin, which the training tests
 * compare against this code.
 */
#include <math.h>

#include "hfsr-private.h"

/* One axis of a resize: output sample i is the sum over k < taps of
 * weight[i * taps + k] times input sample index[i * taps + k]. */
typedef struct
{
  gsize   taps;
  int    *index;
  double *weight;
} ResizeAxis;

/* Keys' cubic convolution kernel with a = -0.5 (MATLAB's 'bicubic'). */
static double
cubic_kernel (double x)
{
  double ax = fabs (x), ax2 = ax * ax, ax3 = ax2 * ax;

  if (ax <= 1.0)
    return 1.5 * ax3 - 2.5 * ax2 + 1.0;
  if (ax <= 2.0)
    return -0.5 * ax3 + 2.5 * ax2 - 4.0 * ax + 2.0;
  return 0.0;
}

static void
resize_axis_clear (ResizeAxis *axis)
{
  g_free (axis->index);
  g_free (axis->weight);
}

static gboolean
resize_axis_init (ResizeAxis *axis, int in_length, int out_length,
                  GError **error)
{
  double scale = (double) out_length / in_length;
  /* Shrinking stretches the kernel by 1 / scale so that it averages over
   * the input pixels an output pixel covers (MATLAB's antialiasing). */
  double kernel_scale = scale < 1.0 ? scale : 1.0;
  double kernel_width = 4.0 / kernel_scale;
  gint64 period = 2 * (gint64) in_length;
  gsize  n_entries;

  axis->index = NULL;
  axis->weight = NULL;
  /* MATLAB's count: the support plus one sample either side, so that the
   * rounding of the left end never drops a sample. */
  axis->taps = (gsize) ceil (kernel_width) + 2;
  if (!g_size_checked_mul (&n_entries, axis->taps, (gsize) out_length)
      || n_entries > G_MAXSIZE / sizeof (double))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "bicubic resize: %d -> %d samples is too large",
                   in_length, out_length);
      return FALSE;
    }
  axis->index = g_try_new (int, n_entries);
  axis->weight = g_try_new (double, n_entries);
  if (axis->index == NULL || axis->weight == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "bicubic resize: out of memory for %d -> %d samples",
                   in_length, out_length);
      resize_axis_clear (axis);
      return FALSE;
    }

  for (int i = 0; i < out_length; i++)
    {
      /* MATLAB's 1-based output coordinate x mapped to the input coordinate
       * u so that the images' outer edges, not their edge pixels' centres,
       * line up. */
      double  x = i + 1;
      double  u = x / scale + 0.5 * (1.0 - 1.0 / scale);
      double  left = floor (u - kernel_width / 2.0);
      double  sum = 0.0;
      int    *index = axis->index + (gsize) i * axis->taps;
      double *weight = axis->weight + (gsize) i * axis->taps;

      for (gsize k = 0; k < axis->taps; k++)
        {
          double j = left + (double) k; /* 1-based, may lie past an edge */
          gint64 m = ((gint64) j - 1) % period;

          weight[k] = kernel_scale * cubic_kernel (kernel_scale * (u - j));
          sum += weight[k];
          /* Mirror: ..., 2, 1, [1, 2, ..., n], n, n-1, ... (1-based). */
          if (m < 0)
            m += period;
          index[k] = (int) (m < in_length ? m : period - 1 - m);
        }
      for (gsize k = 0; k < axis->taps; k++)
        weight[k] /= sum;
    }
  return TRUE;
}

gboolean
hfsr_imresize (const float *planes, int n_planes, int width, int height,
               int out_width, int out_height, float *out, GError **error)
{
  ResizeAxis rows, columns;
  gsize      in_plane, out_plane, n_between;
  double    *between;

  if (n_planes < 1 || width < 1 || height < 1 || out_width < 1
      || out_height < 1)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "bicubic resize: invalid size %d planes of %d x %d -> "
                   "%d x %d", n_planes, width, height, out_width, out_height);
      return FALSE;
    }
  /* The caller holds n_planes of each size, but the sizes may still come
   * from untrusted image headers. */
  if (!g_size_checked_mul (&in_plane, (gsize) width, (gsize) height)
      || !g_size_checked_mul (&out_plane, (gsize) out_width,
                              (gsize) out_height)
      || !g_size_checked_mul (&n_between, (gsize) out_height, (gsize) width)
      || n_between > G_MAXSIZE / sizeof (double))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "bicubic resize: %d x %d -> %d x %d is too large",
                   width, height, out_width, out_height);
      return FALSE;
    }

  if (!resize_axis_init (&rows, height, out_height, error))
    return FALSE;
  if (!resize_axis_init (&columns, width, out_width, error))
    {
      resize_axis_clear (&rows);
      return FALSE;
    }
  between = g_try_new (double, n_between);
  if (between == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "bicubic resize: out of memory for %d x %d -> %d x %d",
                   width, height, out_width, out_height);
      resize_axis_clear (&rows);
      resize_axis_clear (&columns);
      return FALSE;
    }

  for (int p = 0; p < n_planes; p++)
    {
      const float *in = planes + (gsize) p * in_plane;
      float       *result = out + (gsize) p * out_plane;

      /* Height first, whole rows at a time, as MATLAB orders equal
       * scales. */
      for (int oy = 0; oy < out_height; oy++)
        {
          double *row = between + (gsize) oy * width;

          for (int x = 0; x < width; x++)
            row[x] = 0.0;
          for (gsize k = 0; k < rows.taps; k++)
            {
              double       w = rows.weight[(gsize) oy * rows.taps + k];
              const float *source =
                in + (gsize) rows.index[(gsize) oy * rows.taps + k] * width;

              for (int x = 0; x < width; x++)
                row[x] += w * source[x];
            }
        }

      for (int oy = 0; oy < out_height; oy++)
        {
          const double *row = between + (gsize) oy * width;

          for (int ox = 0; ox < out_width; ox++)
            {
              const int    *index = columns.index + (gsize) ox * columns.taps;
              const double *weight =
                columns.weight + (gsize) ox * columns.taps;
              double        sum = 0.0;

              for (gsize k = 0; k < columns.taps; k++)
                sum += weight[k] * row[index[k]];
              result[(gsize) oy * out_width + ox] = (float) sum;
            }
        }
    }

  g_free (between);
  resize_axis_clear (&rows);
  resize_axis_clear (&columns);
  return TRUE;
}
