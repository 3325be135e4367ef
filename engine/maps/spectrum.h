/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The 2-D real FFT that the high-pass map and the spectral-energy measure
 * share (engine/maps/spectrum.c): buffers, FFTW plans and their locking in
 * one place.  Internal to engine/maps.
 */
#ifndef HFSR_SPECTRUM_H
#define HFSR_SPECTRUM_H

#include <fftw3.h>

#include "hfsr-private.h"

G_BEGIN_DECLS

typedef struct
{
  int width;
  int height;
  /* A real image's spectrum is Hermitian: FFTW keeps only the columns
   * 0 .. width / 2 of each row. */
  int spectrum_width;
  float *samples;          /* width * height, row-major */
  fftwf_complex *spectrum; /* height * spectrum_width */
  fftwf_plan forward;      /* samples -> spectrum, unnormalised */
  fftwf_plan inverse;      /* spectrum -> samples, unnormalised; or NULL */
} HfsrSpectrum;

/* Buffers and plans for a width x height image; @with_inverse adds the
 * inverse plan.  The buffers' contents are undefined until filled.  Errors
 * start with @what (the caller's name for itself): an empty image is
 * HFSR_ERROR_INVALID_ARGUMENT, allocation or planning failure
 * HFSR_ERROR_NO_MEMORY.  Safe to call from several threads. */
HfsrSpectrum *hfsr_spectrum_new (int width, int height, gboolean with_inverse,
                                 const char *what, GError **error);
void hfsr_spectrum_free (HfsrSpectrum *spectrum);

/* The radius of spectrum entry (kx, ky), 0 <= kx < spectrum_width,
 * 0 <= ky < height, as a fraction of the Nyquist frequency on each axis:
 * sqrt ((fx / (width / 2))^2 + (fy / (height / 2))^2) for the signed
 * frequencies (fx, fy) in cycles per image. */
double hfsr_spectrum_radius (const HfsrSpectrum *spectrum, int kx, int ky);

G_END_DECLS

#endif
