/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * FFTW buffers and plans for one image size, shared by the high-pass map
 * and the spectral-energy measure.
 */
#include <math.h>

#include "spectrum.h"

/* FFTW's planner keeps global state and is not thread-safe, while GEGL runs
 * ops from several threads; executing a finished plan is safe. */
static GMutex planner_lock;

void
hfsr_spectrum_free (HfsrSpectrum *spectrum)
{
  if (spectrum == NULL)
    return;
  g_mutex_lock (&planner_lock);
  if (spectrum->forward != NULL)
    fftwf_destroy_plan (spectrum->forward);
  if (spectrum->inverse != NULL)
    fftwf_destroy_plan (spectrum->inverse);
  g_mutex_unlock (&planner_lock);
  hfsr_free_floats (spectrum->samples);
  hfsr_free_floats ((float *) spectrum->spectrum);
  g_free (spectrum);
}

HfsrSpectrum *
hfsr_spectrum_new (int width, int height, gboolean with_inverse,
                   const char *what, GError **error)
{
  HfsrSpectrum *spectrum;
  gsize n_pixels, n_half_spectrum;
  gboolean planned;

  if (width <= 0 || height <= 0
      || !g_size_checked_mul (&n_pixels, (gsize) width, (gsize) height))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: invalid image size %d x %d", what, width, height);
      return NULL;
    }

  spectrum = g_new0 (HfsrSpectrum, 1);
  spectrum->width = width;
  spectrum->height = height;
  spectrum->spectrum_width = width / 2 + 1;
  spectrum->samples = hfsr_alloc_floats (n_pixels);
  if (g_size_checked_mul (&n_half_spectrum, (gsize) height,
                          (gsize) spectrum->spectrum_width)
      && n_half_spectrum <= G_MAXSIZE / 2)
    spectrum->spectrum
      = (fftwf_complex *) hfsr_alloc_floats (2 * n_half_spectrum);
  if (spectrum->samples == NULL || spectrum->spectrum == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "%s: out of memory for a %d x %d image", what, width,
                   height);
      hfsr_spectrum_free (spectrum);
      return NULL;
    }

  /* FFTW_ESTIMATE plans without touching the arrays, so they can be filled
   * afterwards. */
  g_mutex_lock (&planner_lock);
  spectrum->forward = fftwf_plan_dft_r2c_2d (
    height, width, spectrum->samples, spectrum->spectrum, FFTW_ESTIMATE);
  if (with_inverse)
    spectrum->inverse = fftwf_plan_dft_c2r_2d (
      height, width, spectrum->spectrum, spectrum->samples, FFTW_ESTIMATE);
  g_mutex_unlock (&planner_lock);
  planned = spectrum->forward != NULL
            && (!with_inverse || spectrum->inverse != NULL);
  if (!planned)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "%s: FFTW could not plan a %d x %d transform", what, width,
                   height);
      hfsr_spectrum_free (spectrum);
      return NULL;
    }
  return spectrum;
}

double
hfsr_spectrum_radius (const HfsrSpectrum *spectrum, int kx, int ky)
{
  /* Rows wrap around: the upper half holds the negative frequencies.  The
   * kept columns are the non-negative ones. */
  int fy = ky <= spectrum->height / 2 ? ky : ky - spectrum->height;
  double rx = kx / (spectrum->width / 2.0);
  double ry = fy / (spectrum->height / 2.0);

  return sqrt (rx * rx + ry * ry);
}
