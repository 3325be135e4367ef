/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Resampling and quality measures of the evaluation protocol
 * (docs/design.md, section 9).
 */
#ifndef HFSR_QUALITY_H
#define HFSR_QUALITY_H

#include "hfsr-tensor.h"

G_BEGIN_DECLS

/* The degradation that training and evaluation share, and the measures of
 * the evaluation protocol (docs/design.md, section 9): engine/maps/resize.c
 * and quality.c.
 * An R'G'B' image is three planes one after another (CHW). */

/* MATLAB's imresize (image, [out_height out_width], 'bicubic') with its
 * default antialiasing, on @n_planes planes of width x height floats into
 * @n_planes planes of out_width x out_height.  Keys' cubic kernel (a = -0.5);
 * the scale of an axis is out / in, and when it shrinks the kernel is
 * stretched by 1 / scale (the antialiasing); weights are normalised per
 * output sample; samples past an edge are mirrored with the edge sample
 * repeated; the height is resized first, then the width (MATLAB's order for
 * equal scales).  Works in double; the result is neither clipped nor
 * rounded.  With out = in * s it is imresize (image, s, 'bicubic') and the
 * training code's imresize (models/training/hfsr_data.py).  @out may not
 * alias @planes.  Fails with HFSR_ERROR_INVALID_ARGUMENT on a size or plane
 * count < 1 and HFSR_ERROR_NO_MEMORY on overflow or allocation failure. */
gboolean hfsr_imresize (const float *planes, int n_planes, int width,
                        int height, int out_width, int out_height, float *out,
                        GError **error);

/* hfsr_imresize of one plane, restricted to @out_rect of the @out_width x
 * @out_height result, and equal to those pixels of it bit for bit.
 * @plane holds @in_rect (row stride in_rect->width) of the width x height
 * input, which must contain hfsr_imresize_required_input (@out_rect); @out
 * holds out_rect->width x out_rect->height.  Errors as hfsr_imresize, and
 * HFSR_ERROR_INVALID_ARGUMENT for a region outside the result or an input
 * that misses samples. */
gboolean hfsr_imresize_region (const float *plane, const HfsrRect *in_rect,
                               int width, int height, int out_width,
                               int out_height, const HfsrRect *out_rect,
                               float *out, GError **error);

/* The input samples @out_rect of a width x height -> out_width x out_height
 * hfsr_imresize reads (mirrored samples included); an empty rect for
 * invalid sizes. */
HfsrRect hfsr_imresize_required_input (int width, int height, int out_width,
                                       int out_height,
                                       const HfsrRect *out_rect);

/* @length cropped down to a multiple of @scale (>= 1): the mod-crop that
 * makes an HR image exactly @scale times its downscaled copy. */
int hfsr_modcrop (int length, int scale);

/* ITU-R BT.601 luma as MATLAB's rgb2ycbcr computes it, on the 0..255 scale:
 * y = 16 + 65.481 r + 128.553 g + 24.966 b for R'G'B' planes @rgb (three
 * planes of @n_pixels) in [0, 1].  That is 255 times rgb2ycbcr of double
 * data in [0, 1], and rgb2ycbcr of uint8 data before MATLAB rounds Y to an
 * integer (it stays unrounded here: at most 0.5 apart).  @y holds
 * @n_pixels. */
void hfsr_rgb_to_y (const float *rgb, gsize n_pixels, float *y);

/* PSNR in dB of @a against @b (width x height each) over the pixels at
 * least @shave from every border: 10 log10 (peak^2 / MSE), +inf when they
 * are equal there.  @peak is 255 for Y from hfsr_rgb_to_y.  Fails with
 * HFSR_ERROR_INVALID_ARGUMENT when nothing is left after shaving or the
 * peak is not > 0. */
gboolean hfsr_psnr (const float *a, const float *b, int width, int height,
                    int shave, double peak, double *psnr, GError **error);

/* Mean SSIM of @a and @b as Wang et al. 2004 and their ssim_index.m: an
 * 11 x 11 Gaussian window (sigma 1.5, normalised), K1 = 0.01, K2 = 0.03,
 * C1 = (K1 L)^2, C2 = (K2 L)^2 with L = @peak (255 for Y from
 * hfsr_rgb_to_y), local means, variances and covariance (window-weighted,
 * not bias-corrected) at every window position that lies wholly inside the
 * image after @shave pixels are dropped at each border ('valid'), and the
 * mean of the SSIM map.  Fails with HFSR_ERROR_INVALID_ARGUMENT when less
 * than 11 x 11 pixels are left or the peak is not > 0, and
 * HFSR_ERROR_NO_MEMORY on allocation failure. */
gboolean hfsr_ssim (const float *a, const float *b, int width, int height,
                    int shave, double peak, double *ssim, GError **error);

/* The share of @plane's spectral energy (squared DFT magnitudes, mean
 * removed) at radii >= @cutoff, the radius measured as hfsr_highpass does:
 * a measure of high-frequency content in [0, 1].  A constant plane gives 0,
 * a checkerboard 1.  A cutoff outside [0, 1] or an empty image fails with
 * HFSR_ERROR_INVALID_ARGUMENT, allocation failure with
 * HFSR_ERROR_NO_MEMORY. */
gboolean hfsr_spectral_energy_share (const float *plane, int width, int height,
                                     double cutoff, double *share,
                                     GError **error);

G_END_DECLS

#endif /* HFSR_QUALITY_H */
