/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SIFT keypoints and matching (engine/sift/).
 */
#ifndef HFSR_SIFT_H
#define HFSR_SIFT_H

#include "hfsr-tensor.h"

G_BEGIN_DECLS

/* engine/dog-sr.c, engine/maps/gaussian.c and engine/sift/: SIFT keypoints
 * (Lowe 2004) on a Gaussian/DoG stack, and the matching of the evaluation
 * protocol (docs/design.md, section 9): Lowe's ratio test, correct matches
 * under a homography. */

#define HFSR_SIFT_DESCRIPTOR_LENGTH 128

typedef struct
{
  float x, y;        /* image pixels; (0, 0) is the centre of the top-left
                      * pixel */
  float sigma;       /* the keypoint's scale, in image pixels */
  float orientation; /* radians */
  float response;    /* |DoG| at the refined extremum */
  int octave;
  float descriptor[HFSR_SIFT_DESCRIPTOR_LENGTH];
} HfsrKeypoint;

/* How keypoints are found.  Octave 0 is the image at its own size,
 * blurred by each of @sigmas (absolute: L_k = G(sigma_k) * I, as
 * hfsr_gaussian_blur does, borders replicated); D_k = L_k - L_(k+1).
 * Extrema are sought in D_2 .. D_(n-2), the levels with a DoG above and
 * below.  Octave o + 1 starts from the level of octave o whose sigma is
 * nearest 2 sigma_1, every second pixel (so at sigma_j / 2 in its own
 * pixels), blurred on to each sigma_k (sqrt (sigma_k^2 - (sigma_j / 2)^2),
 * or copied where that is not positive). */
#define HFSR_SIFT_MAX_LEVELS 8

typedef struct
{
  int n_levels;                        /* Gaussian levels per octave, 4 .. 8 */
  double sigmas[HFSR_SIFT_MAX_LEVELS]; /* increasing, > 0 */
  int max_octaves;           /* 0: until the next octave's smaller side
                               * would be < 16 pixels */
  double contrast_threshold; /* |D| at the refined extremum must reach
                               * this (grey values in [0, 1]) */
  double edge_threshold;     /* r: principal-curvature ratio (Lowe's 10) */
} HfsrSiftParams;

/* Six levels: Noor et al.'s five sigmas (1.249, 1.545, 1.96588, 2.452527,
 * 3.090016, the first five, which hfsr:dog-sr's networks predict) and
 * 3.893189 one step above, so that extrema are sought at three scales an
 * octave and the octaves leave none out; all octaves; contrast 0.04 / 3
 * (OpenCV's 0.04 over its 3 intervals); edge ratio 10. */
void hfsr_sift_params_init (HfsrSiftParams *params);

/* @params' levels set to a DoG-SR stack's five @sigmas and a sixth one step
 * (sigma_5^2 / sigma_4) above, as hfsr_sift_params_init does for Noor's. */
void hfsr_sift_params_set_stack (HfsrSiftParams *params,
                                 const double sigmas[HFSR_DOG_SR_LEVELS]);

/* SIFT keypoints (Lowe 2004) with orientations and 128-d descriptors.
 * @levels: the first @n_given (1 .. n_levels) levels of octave 0, planes of
 * @width x @height: blurs of the image by @params->sigmas, or a
 * super-resolved prediction of them, as hfsr:dog-sr's networks make; the
 * levels not given are blurred on from the last given one; higher octaves
 * are made as above.  3 x 3 x 3 extrema of the DoG (at least as large, or
 * as small, as all 26 neighbours; |D| above half the threshold), 5 pixels
 * from the border, refined by a quadratic fit in x, y and level (up to 5
 * moves), dropped below the contrast threshold or beyond the edge ratio;
 * one keypoint per peak of the smoothed 36-bin orientation histogram
 * within 80 % of the highest (Gaussian window 1.5 sigma); descriptors
 * 4 x 4 cells of 3 sigma x 8 orientations from the nearest level's
 * gradients, trilinear, normalised, clipped at 0.2, renormalised.
 * Coordinates and sigma are in octave-0 pixels ((0, 0) the centre of the
 * top-left pixel); sigma interpolates the level sigmas geometrically at a
 * fractional level.  *@keypoints (g_free; NULL when there are none) in
 * order of octave, level, row, column.  Bad parameters or sizes are
 * HFSR_ERROR_INVALID_ARGUMENT, allocation failure HFSR_ERROR_NO_MEMORY. */
gboolean hfsr_sift_detect_stack (const float *const *levels, int n_given,
                                 int width, int height,
                                 const HfsrSiftParams *params,
                                 HfsrKeypoint **keypoints, int *n_keypoints,
                                 GError **error);

/* The same on a grey image (values in [0, 1]): blurs it by each sigma and
 * calls hfsr_sift_detect_stack. */
gboolean hfsr_sift_detect_image (const float *grey, int width, int height,
                                 const HfsrSiftParams *params,
                                 HfsrKeypoint **keypoints, int *n_keypoints,
                                 GError **error);

/* Keypoint @a of the first list matched to keypoint @b of the second, at
 * descriptor distance @distance (Euclidean). */
typedef struct
{
  int a, b;
  float distance;
} HfsrSiftMatch;

/* Exact nearest neighbours: for each keypoint of @a, the keypoint of @b at
 * the smallest squared Euclidean descriptor distance (on a tie the lower
 * index) and the second smallest (a tie counts: equal distances give
 * d1 = d2); a match when d1 < @ratio d2 (Lowe's test, strict, on the
 * distances, not their squares).  Without two keypoints in @b nothing
 * passes.  *@matches (g_free; NULL when there are none) lists them in
 * order of @a, at most one per keypoint of @a.  A @ratio outside (0, 1],
 * a negative count or a NULL list with a positive count is
 * HFSR_ERROR_INVALID_ARGUMENT, allocation failure HFSR_ERROR_NO_MEMORY. */
gboolean hfsr_sift_match (const HfsrKeypoint *a, int n_a,
                          const HfsrKeypoint *b, int n_b, double ratio,
                          HfsrSiftMatch **matches, int *n_matches,
                          GError **error);

/* How many of @matches (indices into @a and @b) @homography confirms:
 * (u, v, w) = H (x_a, y_a, 1), H row-major (Oxford's H1to2p, mapping the
 * first image to the second); correct when the distance from (u / w,
 * v / w) to (x_b, y_b) is below @max_error pixels.  A point that H sends
 * to infinity (w = 0), or any NaN, is wrong. */
int hfsr_sift_count_correct (const HfsrKeypoint *a, const HfsrKeypoint *b,
                             const HfsrSiftMatch *matches, int n_matches,
                             const double homography[9], double max_error);

G_END_DECLS

#endif /* HFSR_SIFT_H */
