/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The FFT high-pass filter that Roh & Kang's high-pass network learns to
 * imitate.
 */
#include "spectrum.h"

gboolean
hfsr_highpass (const float *plane, int width, int height, double cutoff,
               float *out, GError **error)
{
  HfsrSpectrum *spectrum;
  gsize n_pixels;
  float scale;

  if (!(cutoff >= 0.0 && cutoff <= 1.0))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "high-pass: cutoff %g is outside [0, 1]", cutoff);
      return FALSE;
    }

  spectrum = hfsr_spectrum_new (width, height, TRUE, "high-pass", error);
  if (spectrum == NULL)
    return FALSE;
  /* The size was checked by hfsr_spectrum_new. */
  n_pixels = (gsize) width * height;

  for (gsize i = 0; i < n_pixels; i++)
    spectrum->samples[i] = plane[i];
  fftwf_execute (spectrum->forward);

  for (int ky = 0; ky < height; ky++)
    for (int kx = 0; kx < spectrum->spectrum_width; kx++)
      {
        fftwf_complex *coefficient
          = spectrum->spectrum + (gsize) ky * spectrum->spectrum_width + kx;

        if ((kx == 0 && ky == 0)
            || hfsr_spectrum_radius (spectrum, kx, ky) < cutoff)
          (*coefficient)[0] = (*coefficient)[1] = 0.0f;
      }

  /* FFTW's transforms are unnormalised: forward then inverse multiplies by
   * the number of pixels. */
  fftwf_execute (spectrum->inverse);
  scale = (float) (1.0 / (double) n_pixels);
  for (gsize i = 0; i < n_pixels; i++)
    out[i] = spectrum->samples[i] * scale;

  hfsr_spectrum_free (spectrum);
  return TRUE;
}
