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
  gsize taps;
  int *index;
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
  gsize n_entries;

  axis->index = NULL;
  axis->weight = NULL;
  /* MATLAB's count: the support plus one sample either side, so that the
   * rounding of the left end never drops a sample. */
  axis->taps = (gsize) ceil (kernel_width) + 2;
  if (!g_size_checked_mul (&n_entries, axis->taps, (gsize) out_length)
      || n_entries > G_MAXSIZE / sizeof (double))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "bicubic resize: %d -> %d samples is too large", in_length,
                   out_length);
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
      double x = i + 1;
      double u = x / scale + 0.5 * (1.0 - 1.0 / scale);
      double left = floor (u - kernel_width / 2.0);
      double sum = 0.0;
      int *index = axis->index + (gsize) i * axis->taps;
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

/* The span [*first, *last] of input samples that outputs [begin, end) of
 * @axis read, zero weights included: the region form must hold every
 * sample the whole-image form touches. */
static void
resize_axis_span (const ResizeAxis *axis, int begin, int end, int *first,
                  int *last)
{
  *first = G_MAXINT;
  *last = G_MININT;
  for (gsize e = (gsize) begin * axis->taps; e < (gsize) end * axis->taps; e++)
    {
      *first = MIN (*first, axis->index[e]);
      *last = MAX (*last, axis->index[e]);
    }
}

static gboolean
resize_check (int width, int height, int out_width, int out_height,
              const HfsrRect *out_rect, GError **error)
{
  gsize n_in, n_out;

  if (width < 1 || height < 1 || out_width < 1 || out_height < 1
      || out_rect->width < 1 || out_rect->height < 1 || out_rect->x < 0
      || out_rect->y < 0 || out_rect->x > out_width - out_rect->width
      || out_rect->y > out_height - out_rect->height)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "bicubic resize: invalid size %d x %d -> %d x %d "
                   "(region %d x %d at %d, %d)",
                   width, height, out_width, out_height, out_rect->width,
                   out_rect->height, out_rect->x, out_rect->y);
      return FALSE;
    }
  /* The sizes may come from untrusted image headers. */
  if (!g_size_checked_mul (&n_in, (gsize) width, (gsize) height)
      || !g_size_checked_mul (&n_out, (gsize) out_width, (gsize) out_height)
      || n_in > G_MAXSIZE / sizeof (double)
      || n_out > G_MAXSIZE / sizeof (double))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "bicubic resize: %d x %d -> %d x %d is too large", width,
                   height, out_width, out_height);
      return FALSE;
    }
  return TRUE;
}

static gboolean
resize_axes_init (ResizeAxis *rows, ResizeAxis *columns, int width, int height,
                  int out_width, int out_height, GError **error)
{
  if (!resize_axis_init (rows, height, out_height, error))
    return FALSE;
  if (!resize_axis_init (columns, width, out_width, error))
    {
      resize_axis_clear (rows);
      return FALSE;
    }
  return TRUE;
}

HfsrRect
hfsr_imresize_required_input (int width, int height, int out_width,
                              int out_height, const HfsrRect *out_rect)
{
  HfsrRect needed = { 0, 0, 0, 0 };
  ResizeAxis rows, columns;
  int x0, x1, y0, y1;

  if (!resize_check (width, height, out_width, out_height, out_rect, NULL)
      || !resize_axes_init (&rows, &columns, width, height, out_width,
                            out_height, NULL))
    return needed;
  resize_axis_span (&rows, out_rect->y, out_rect->y + out_rect->height, &y0,
                    &y1);
  resize_axis_span (&columns, out_rect->x, out_rect->x + out_rect->width, &x0,
                    &x1);
  resize_axis_clear (&rows);
  resize_axis_clear (&columns);
  needed.x = x0;
  needed.y = y0;
  needed.width = x1 - x0 + 1;
  needed.height = y1 - y0 + 1;
  return needed;
}

/* One plane; @in covers @in_rect, which holds every sample @out_rect
 * reads.  The sums run in the same order whatever the region, so a region
 * equals the same pixels of the whole result bit for bit. */
static gboolean
resize_plane (const ResizeAxis *rows, const ResizeAxis *columns,
              const float *in, const HfsrRect *in_rect,
              const HfsrRect *out_rect, float *out, GError **error)
{
  int x0, x1, y0, y1, span;
  double *between;

  resize_axis_span (rows, out_rect->y, out_rect->y + out_rect->height, &y0,
                    &y1);
  resize_axis_span (columns, out_rect->x, out_rect->x + out_rect->width, &x0,
                    &x1);
  if (x0 < in_rect->x || y0 < in_rect->y || x1 >= in_rect->x + in_rect->width
      || y1 >= in_rect->y + in_rect->height)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "bicubic resize: the input region %d x %d at %d, %d "
                   "does not hold columns %d-%d and rows %d-%d",
                   in_rect->width, in_rect->height, in_rect->x, in_rect->y, x0,
                   x1, y0, y1);
      return FALSE;
    }
  span = x1 - x0 + 1;
  between = g_try_new (double, ((gsize) out_rect->height * span));
  if (between == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "bicubic resize: out of memory for a %d x %d region",
                   out_rect->width, out_rect->height);
      return FALSE;
    }

  /* Height first, whole rows at a time, as MATLAB orders equal scales. */
  for (int r = 0; r < out_rect->height; r++)
    {
      gsize oy = (gsize) (out_rect->y + r);
      double *row = between + (gsize) r * span;

      for (int x = 0; x < span; x++)
        row[x] = 0.0;
      for (gsize k = 0; k < rows->taps; k++)
        {
          double w = rows->weight[oy * rows->taps + k];
          const float *source
            = in
              + (gsize) (rows->index[oy * rows->taps + k] - in_rect->y)
                  * in_rect->width
              + (x0 - in_rect->x);

          for (int x = 0; x < span; x++)
            row[x] += w * source[x];
        }
    }

  for (int r = 0; r < out_rect->height; r++)
    {
      const double *row = between + (gsize) r * span;

      for (int c = 0; c < out_rect->width; c++)
        {
          gsize ox = (gsize) (out_rect->x + c);
          const int *index = columns->index + ox * columns->taps;
          const double *weight = columns->weight + ox * columns->taps;
          double sum = 0.0;

          for (gsize k = 0; k < columns->taps; k++)
            sum += weight[k] * row[index[k] - x0];
          out[(gsize) r * out_rect->width + c] = (float) sum;
        }
    }
  g_free (between);
  return TRUE;
}

gboolean
hfsr_imresize_region (const float *plane, const HfsrRect *in_rect, int width,
                      int height, int out_width, int out_height,
                      const HfsrRect *out_rect, float *out, GError **error)
{
  ResizeAxis rows, columns;
  gboolean done;

  if (!resize_check (width, height, out_width, out_height, out_rect, error)
      || !resize_axes_init (&rows, &columns, width, height, out_width,
                            out_height, error))
    return FALSE;
  done = resize_plane (&rows, &columns, plane, in_rect, out_rect, out, error);
  resize_axis_clear (&rows);
  resize_axis_clear (&columns);
  return done;
}

gboolean
hfsr_imresize (const float *planes, int n_planes, int width, int height,
               int out_width, int out_height, float *out, GError **error)
{
  HfsrRect in_rect = { 0, 0, width, height };
  HfsrRect out_rect = { 0, 0, out_width, out_height };
  ResizeAxis rows, columns;
  gboolean done = TRUE;

  if (n_planes < 1)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "bicubic resize: invalid plane count %d", n_planes);
      return FALSE;
    }
  if (!resize_check (width, height, out_width, out_height, &out_rect, error)
      || !resize_axes_init (&rows, &columns, width, height, out_width,
                            out_height, error))
    return FALSE;
  for (int p = 0; p < n_planes && done; p++)
    done = resize_plane (&rows, &columns, planes + (gsize) p * width * height,
                         &in_rect, &out_rect,
                         out + (gsize) p * out_width * out_height, error);
  resize_axis_clear (&rows);
  resize_axis_clear (&columns);
  return done;
}
