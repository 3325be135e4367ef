/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The measures of the evaluation protocol: Y-PSNR and SSIM as SR papers
 * compute them (so that hfsr-eval's numbers can be set beside published
 * tables), and the share of high-frequency spectral energy.
 */
#include <math.h>

#include "spectrum.h"

/* Wang et al.'s constants and window. */
#define SSIM_WINDOW 11
#define SSIM_SIGMA 1.5
#define SSIM_K1 0.01
#define SSIM_K2 0.03

int
hfsr_modcrop (int length, int scale)
{
  g_return_val_if_fail (scale >= 1, length);
  return length - length % scale;
}

void
hfsr_rgb_to_y (const float *rgb, gsize n_pixels, float *y)
{
  const float *r = rgb, *g = rgb + n_pixels, *b = rgb + 2 * n_pixels;

  for (gsize i = 0; i < n_pixels; i++)
    y[i] = (float) (16.0 + 65.481 * r[i] + 128.553 * g[i] + 24.966 * b[i]);
}

/* The region left after dropping @shave pixels at every border must hold
 * at least @min_size x @min_size pixels. */
static gboolean
check_shaved_size (const char *what, int width, int height, int shave,
                   int min_size, double peak, GError **error)
{
  if (width < 1 || height < 1 || shave < 0
      || width - 2 * (gint64) shave < min_size
      || height - 2 * (gint64) shave < min_size)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: a %d x %d image shaved by %d leaves less than "
                   "%d x %d pixels",
                   what, width, height, shave, min_size, min_size);
      return FALSE;
    }
  if (!(peak > 0.0 && isfinite (peak)))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: peak %g is not a positive number", what, peak);
      return FALSE;
    }
  return TRUE;
}

gboolean
hfsr_psnr (const float *a, const float *b, int width, int height, int shave,
           double peak, double *psnr, GError **error)
{
  double sum = 0.0, mse;

  if (!check_shaved_size ("PSNR", width, height, shave, 1, peak, error))
    return FALSE;

  for (int y = shave; y < height - shave; y++)
    for (int x = shave; x < width - shave; x++)
      {
        double d
          = (double) a[(gsize) y * width + x] - b[(gsize) y * width + x];

        sum += d * d;
      }
  mse = sum / ((double) (width - 2 * shave) * (height - 2 * shave));
  *psnr = mse == 0.0 ? INFINITY : 10.0 * log10 (peak * peak / mse);
  return TRUE;
}

/* Window-weighted sums of the five quantities SSIM's local statistics need
 * (x, y, x^2, y^2, xy), one row of window positions at a time. */
enum
{
  SUM_X,
  SUM_Y,
  SUM_XX,
  SUM_YY,
  SUM_XY,
  N_SUMS
};

/* The horizontal pass of one image row of each image: the window's
 * weighted sums (N_SUMS planes of @positions_x) into @sums. */
static void
horizontal_sums (const float *row_a, const float *row_b,
                 const double window[SSIM_WINDOW], int positions_x,
                 double *sums)
{
  for (int x = 0; x < positions_x; x++)
    {
      double s[N_SUMS] = { 0 };

      for (int k = 0; k < SSIM_WINDOW; k++)
        {
          double va = row_a[x + k], vb = row_b[x + k], w = window[k];

          s[SUM_X] += w * va;
          s[SUM_Y] += w * vb;
          s[SUM_XX] += w * va * va;
          s[SUM_YY] += w * vb * vb;
          s[SUM_XY] += w * va * vb;
        }
      for (int q = 0; q < N_SUMS; q++)
        sums[(gsize) q * positions_x + x] = s[q];
    }
}

/* The vertical pass over the ring @filtered (rows @row - 10 .. @row) and
 * the SSIM of each window position whose top row is @row - 10, added to
 * @total one by one (the order of a single sum over the image). */
static void
ssim_of_row (const double *filtered, int row, gsize row_size, int positions_x,
             const double window[SSIM_WINDOW], double c1, double c2,
             double *total)
{
  for (int x = 0; x < positions_x; x++)
    {
      double s[N_SUMS] = { 0 };
      double mu_a, mu_b, var_a, var_b, covariance;

      for (int k = 0; k < SSIM_WINDOW; k++)
        {
          const double *ring_row
            = filtered
              + (gsize) ((row - (SSIM_WINDOW - 1) + k) % SSIM_WINDOW)
                  * row_size;

          for (int q = 0; q < N_SUMS; q++)
            s[q] += window[k] * ring_row[(gsize) q * positions_x + x];
        }
      mu_a = s[SUM_X];
      mu_b = s[SUM_Y];
      var_a = s[SUM_XX] - mu_a * mu_a;
      var_b = s[SUM_YY] - mu_b * mu_b;
      covariance = s[SUM_XY] - mu_a * mu_b;
      *total += ((2.0 * mu_a * mu_b + c1) * (2.0 * covariance + c2))
                / ((mu_a * mu_a + mu_b * mu_b + c1) * (var_a + var_b + c2));
    }
}

gboolean
hfsr_ssim (const float *a, const float *b, int width, int height, int shave,
           double peak, double *ssim, GError **error)
{
  double window[SSIM_WINDOW], window_sum = 0.0;
  double c1 = (SSIM_K1 * peak) * (SSIM_K1 * peak);
  double c2 = (SSIM_K2 * peak) * (SSIM_K2 * peak);
  double total = 0.0;
  double *filtered; /* SSIM_WINDOW rows of N_SUMS x positions_x, a ring */
  int inner_width, inner_height, positions_x, positions_y;
  gsize row_size, n_filtered;

  if (!check_shaved_size ("SSIM", width, height, shave, SSIM_WINDOW, peak,
                          error))
    return FALSE;
  inner_width = width - 2 * shave;
  inner_height = height - 2 * shave;
  positions_x = inner_width - SSIM_WINDOW + 1;
  positions_y = inner_height - SSIM_WINDOW + 1;
  row_size = (gsize) N_SUMS * positions_x;
  n_filtered = row_size * SSIM_WINDOW;
  filtered = g_try_new (double, n_filtered);
  if (filtered == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "SSIM: out of memory for a %d x %d image", width, height);
      return FALSE;
    }

  /* fspecial ('gaussian', 11, 1.5) is the outer product of this 1-D
   * window with itself once both are normalised, so the filter separates. */
  for (int k = 0; k < SSIM_WINDOW; k++)
    {
      double d = k - SSIM_WINDOW / 2;

      window[k] = exp (-d * d / (2.0 * SSIM_SIGMA * SSIM_SIGMA));
      window_sum += window[k];
    }
  for (int k = 0; k < SSIM_WINDOW; k++)
    window[k] /= window_sum;

  for (int row = 0; row < inner_height; row++)
    {
      const float *row_a = a + (gsize) (row + shave) * width + shave;
      const float *row_b = b + (gsize) (row + shave) * width + shave;
      double *sums = filtered + (gsize) (row % SSIM_WINDOW) * row_size;

      horizontal_sums (row_a, row_b, window, positions_x, sums);
      if (row < SSIM_WINDOW - 1)
        continue;
      /* The ring now holds image rows row - 10 .. row: the vertical pass
       * gives the window positions whose top row is row - 10. */
      ssim_of_row (filtered, row, row_size, positions_x, window, c1, c2,
                   &total);
    }

  g_free (filtered);
  *ssim = total / ((double) positions_x * positions_y);
  return TRUE;
}

gboolean
hfsr_spectral_energy_share (const float *plane, int width, int height,
                            double cutoff, double *share, GError **error)
{
  HfsrSpectrum *spectrum;
  gsize n_pixels;
  double sum = 0.0, mean, high = 0.0, all = 0.0;

  if (!(cutoff >= 0.0 && cutoff <= 1.0))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "spectral energy share: cutoff %g is outside [0, 1]",
                   cutoff);
      return FALSE;
    }
  spectrum
    = hfsr_spectrum_new (width, height, FALSE, "spectral energy share", error);
  if (spectrum == NULL)
    return FALSE;
  /* The size was checked by hfsr_spectrum_new. */
  n_pixels = (gsize) width * height;

  /* The mean (DC) is no frequency content.  Removing it first, in double,
   * leaves exact zeros for a constant plane (a sum of equal floats is exact
   * in double, and so is its quotient), where a float FFT of the plane
   * itself could leave rounding noise in the other coefficients, and that
   * noise could make any share. */
  for (gsize i = 0; i < n_pixels; i++)
    sum += plane[i];
  mean = sum / (double) n_pixels;
  for (gsize i = 0; i < n_pixels; i++)
    spectrum->samples[i] = (float) (plane[i] - mean);
  fftwf_execute (spectrum->forward);

  for (int ky = 0; ky < height; ky++)
    for (int kx = 0; kx < spectrum->spectrum_width; kx++)
      {
        const fftwf_complex *coefficient
          = spectrum->spectrum + (gsize) ky * spectrum->spectrum_width + kx;
        double re = (*coefficient)[0], im = (*coefficient)[1];
        /* Each kept column but the first (and the Nyquist column of an
         * even width) stands for its mirror image too. */
        double multiplicity = (kx == 0 || 2 * kx == width) ? 1.0 : 2.0;
        double energy = multiplicity * (re * re + im * im);

        if (kx == 0 && ky == 0)
          continue;
        all += energy;
        if (hfsr_spectrum_radius (spectrum, kx, ky) >= cutoff)
          high += energy;
      }

  hfsr_spectrum_free (spectrum);
  *share = all > 0.0 ? high / all : 0.0;
  return TRUE;
}
