/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The named degradations of hfsr-sr2-eval's grid (docs/design.md, "SR² in
 * the wild"): how a 28 x 28 digit becomes the LR input of a network.  They
 * are the fixed points of the distribution models/training/sr2.py draws
 * from with --degradation random; "train" is --degradation train.
 */
#ifndef HFSR_SR2_DEGRADE_H
#define HFSR_SR2_DEGRADE_H

#include <glib.h>

#define SR2_SIDE 28 /* MNIST's HR digits */

/* The grid: the training degradation, weaker and no blur, point sampling,
 * bicubic, a half-pixel shift, the paper's shifts and rotations, and JPEG
 * (docs/design.md, "SR² in the wild"). */
#define SR2_GRID \
  "train,mean:0.25,mean:0,point:0,point:0.25,bicubic,shift:0.5,warp,jpeg:75"

typedef enum
{
  SR2_DEGRADE_MEAN,    /* Gaussian blur sigma = value x scale (0: none),
                          scale x scale block mean */
  SR2_DEGRADE_POINT,   /* the same blur, then the pixel at (scale / 2,
                          scale / 2) of each block */
  SR2_DEGRADE_BICUBIC, /* MATLAB's antialiased bicubic downscale */
  SR2_DEGRADE_SHIFT,   /* the digit moved by value LR pixels right and down
                          (bilinear), then "train" */
  SR2_DEGRADE_WARP,    /* the digit shifted by up to 3 px and rotated by up
                          to 10 degrees (drawn per digit), then "train" */
  SR2_DEGRADE_JPEG     /* "train", 8 bits, then a greyscale JPEG of
                          quality value */
} Sr2DegradeKind;

typedef struct
{
  Sr2DegradeKind kind;
  double value;
  char name[32]; /* as written: "train", "mean:0.25", "jpeg:75", ... */
} Sr2Degradation;

/* The degradations of @text, comma-separated: train (= mean:0.5),
 * mean:F, point:F (0 <= F <= 2: blur sigma F x scale), bicubic, shift:D
 * (-2 <= D <= 2), warp, jpeg:Q (1 <= Q <= 100), and grid for SR2_GRID's.
 * g_free the array. */
gboolean sr2_parse_degradations (const char *text, Sr2Degradation **list,
                                 int *n, GError **error);

/* Degrades the digit @hr (SR2_SIDE² values in [0, 1]) by @d at @scale (2
 * or 4) into @lr ((SR2_SIDE / scale)² values) and writes the digit the
 * upscale is scored against into @target (@hr itself, or @hr moved for
 * shift and warp).  @seed and @index draw warp's motion, so a digit is
 * degraded the same way on every run and for every method. */
gboolean sr2_degrade (const Sr2Degradation *d, const float *hr, int scale,
                      guint32 seed, guint32 index, float *target, float *lr,
                      GError **error);

#endif
