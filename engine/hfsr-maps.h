/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Classic image maps (engine/maps/): HF weight and selection maps, GMS,
 * Gaussian blur, opening, FFT high-pass.
 */
#ifndef HFSR_MAPS_H
#define HFSR_MAPS_H

#include "hfsr-tensor.h"

G_BEGIN_DECLS

/* Classic image maps (engine/maps/).  They work on planar float images:
 * `plane` is width * height floats, row-major. */

/* Zhou et al. eq 4-6.  For each pixel, D holds the differences between the
 * pixel and each neighbour that exists (up, down, left, right: 2 at corners,
 * 3 along borders, 4 inside, fewer in a one-pixel-wide image); the weight is
 * the element of D with the largest magnitude, keeping its sign (on a tie,
 * the first in that order), and 0 for a 1 x 1 image.  @plane and @weight are
 * width * height floats and may not alias. */
void hfsr_hf_weight_map (const float *plane, int width, int height,
                         float *weight);

/* Zhou et al. eq 7, over the whole plane: the weights min-max normalised to
 * [0, 1], their mean mu and standard deviation sigma; the result is 0 where
 * the normalised weight lies in [mu - alpha sigma, mu + alpha sigma], else 1.
 * A constant plane selects nothing.  alpha >= 0.  May run in place. */
void hfsr_hf_selection_map (const float *weight, int width, int height,
                            double alpha, float *selection);

/* Gradient magnitude with Prewitt kernels (Roh & Kang eq 2), image borders
 * replicated.  The kernels are (1/3)(1 0 -1) over three rows/columns, the
 * normalisation of the GMSD paper that Roh & Kang take c = 170 from. */
void hfsr_gradient_magnitude (const float *plane, int width, int height,
                              float *magnitude);

/* Gradient magnitude similarity (Roh & Kang eq 3): per element
 * 1 - (2 g1 g2 + c) / (g1^2 + g2^2 + c); 0 = alike, 1 = different.
 * @c is 170 for values in [0, 255]: scale it by (range / 255)^2.  c >= 0;
 * with c = 0 two zero magnitudes give 0. */
void hfsr_gms_map (const float *magnitude1, const float *magnitude2, gsize n,
                   double c, float *gms);

/* Separable Gaussian blur, kernel radius ceil(3 sigma), borders replicated.
 * May run in place.  Fails with HFSR_ERROR_INVALID_ARGUMENT on an empty
 * image or a sigma not > 0 (or absurd: 3 sigma > G_MAXINT / 8), and with
 * HFSR_ERROR_NO_MEMORY on allocation failure. */
gboolean hfsr_gaussian_blur (const float *plane, int width, int height,
                             double sigma, float *out, GError **error);

/* Grey-level opening (erosion then dilation, min then max) with a disk of
 * @radius pixels, dx^2 + dy^2 <= radius^2 (radius 0 copies); pixels outside
 * the image are ignored.  May run in place.  A negative radius or an empty
 * image fails with HFSR_ERROR_INVALID_ARGUMENT. */
gboolean hfsr_morph_open (const float *plane, int width, int height,
                          int radius, float *out, GError **error);

/* FFT high-pass: removes every spatial frequency whose radius is below
 * @cutoff (a fraction of the Nyquist frequency, 0..1) and transforms back.
 * The radius of (fx, fy) cycles per image is
 * sqrt ((fx / (width / 2))^2 + (fy / (height / 2))^2).  The mean (DC) always
 * goes, so the result is signed around 0.  May run in place.  A cutoff
 * outside [0, 1] or an empty image fails with HFSR_ERROR_INVALID_ARGUMENT. */
gboolean hfsr_highpass (const float *plane, int width, int height,
                        double cutoff, float *out, GError **error);

G_END_DECLS

#endif /* HFSR_MAPS_H */
