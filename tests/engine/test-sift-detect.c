/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The SIFT detector and descriptor: Gaussian blobs of known place and
 * size are found there at their size; a 90-degree rotation (a pixel
 * permutation) turns every keypoint's orientation by 90 degrees and leaves
 * its descriptor; a smooth scene drawn rotated by 30 degrees is matched
 * under the rotation; the image form equals the stack form; bad input is
 * refused.
 */
#include <math.h>
#include <string.h>

#include "hfsr.h"
#include "test-util.h"

typedef struct
{
  double x, y, sx, sy, angle, amplitude;
} Blob;

/* A scene of anisotropic Gaussian blobs, optionally turned by @turn
 * radians about (@cx, @cy): drawn analytically, so a rotation is exact. */
static float *
draw_scene (const Blob *blobs, int n, int width, int height, double turn,
            double cx, double cy)
{
  float *image = g_new (float, ((gsize) width * height));
  double c = cos (turn), s = sin (turn);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        /* The scene point this pixel shows: the pixel turned back. */
        double px = c * (x - cx) + s * (y - cy) + cx;
        double py = -s * (x - cx) + c * (y - cy) + cy;
        double v = 0.2;

        for (int b = 0; b < n; b++)
          {
            double dx = px - blobs[b].x, dy = py - blobs[b].y;
            double ca = cos (blobs[b].angle), sa = sin (blobs[b].angle);
            double u = ca * dx + sa * dy, w = -sa * dx + ca * dy;

            v += blobs[b].amplitude
                 * exp (-0.5
                        * (u * u / (blobs[b].sx * blobs[b].sx)
                           + w * w / (blobs[b].sy * blobs[b].sy)));
          }
        image[(gsize) y * width + x] = (float) v;
      }
  return image;
}

static Blob *
random_blobs (int n, int width, int height, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  Blob *blobs = g_new (Blob, n);

  for (int b = 0; b < n; b++)
    {
      blobs[b].x = g_rand_double_range (rand, 0.1 * width, 0.9 * width);
      blobs[b].y = g_rand_double_range (rand, 0.1 * height, 0.9 * height);
      blobs[b].sx = g_rand_double_range (rand, 1.5, 6.0);
      blobs[b].sy = blobs[b].sx * g_rand_double_range (rand, 0.4, 1.0);
      blobs[b].angle = g_rand_double_range (rand, 0.0, G_PI);
      blobs[b].amplitude = g_rand_double_range (rand, -0.4, 0.4);
    }
  g_rand_free (rand);
  return blobs;
}

static HfsrKeypoint *
detect (const float *image, int width, int height, int *n)
{
  HfsrSiftParams params;
  HfsrKeypoint *keypoints = NULL;
  GError *error = NULL;

  hfsr_sift_params_init (&params);
  g_assert_true (hfsr_sift_detect_image (image, width, height, &params,
                                         &keypoints, n, &error));
  g_assert_no_error (error);
  return keypoints;
}

/* One isotropic blob of std s at a time: a keypoint within 0.25 px of its
 * centre with sigma within [0.7 s, 1.1 s] (the DoG peaks just below the
 * blob's own scale, and only sampled scales are refined between), and
 * none elsewhere. */
static void
test_blobs (void)
{
  const double sizes[] = { 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0 };
  const int w = 192, h = 176;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      Blob blob = { 97.3, 83.6, sizes[i], sizes[i], 0.0, 0.7 };
      float *image = draw_scene (&blob, 1, w, h, 0.0, 0, 0);
      int n = 0, near = 0;
      HfsrKeypoint *k = detect (image, w, h, &n);

      for (int j = 0; j < n; j++)
        {
          double d = hypot (k[j].x - blob.x, k[j].y - blob.y);

          g_assert_cmpfloat (d, <, 0.25);
          g_assert_cmpfloat (k[j].sigma, >=, 0.7 * sizes[i]);
          g_assert_cmpfloat (k[j].sigma, <=, 1.1 * sizes[i]);
          near++;
        }
      g_assert_cmpint (near, >, 0);
      g_free (k);
      g_free (image);
    }
}

/* A 90-degree turn is a permutation of pixels: each octave-0 keypoint of
 * the turned image sits where the first one's goes, at its sigma, its
 * orientation 90 degrees on, with the same descriptor.  (Higher octaves
 * sample other pixels of a turned image, so they are left out.) */
static void
test_quarter_turn (void)
{
  const int w = 160, h = 128;
  Blob *blobs = random_blobs (40, w, h, 11);
  float *a = draw_scene (blobs, 40, w, h, 0.0, 0, 0);
  float *b = g_new (float, ((gsize) w * h));
  int na, nb, checked = 0, paired = 0;
  HfsrKeypoint *ka, *kb;

  /* b is w wide turned: b (x', y') = a (y', h - 1 - x'), h x w pixels
   * become w x h. */
  for (int y = 0; y < w; y++)
    for (int x = 0; x < h; x++)
      b[(gsize) y * h + x] = a[(gsize) (h - 1 - x) * w + y];
  ka = detect (a, w, h, &na);
  kb = detect (b, h, w, &nb);
  for (int i = 0; i < na; i++)
    {
      /* (x, y) in a is (h - 1 - y, x) in b. */
      double bx = h - 1 - ka[i].y, by = ka[i].x;

      if (ka[i].octave != 0)
        continue;
      checked++;
      for (int j = 0; j < nb; j++)
        {
          double turn = kb[j].orientation - ka[i].orientation - G_PI / 2;
          double distance = 0.0;

          turn = remainder (turn, 2.0 * G_PI);
          if (kb[j].octave != 0 || fabs (kb[j].x - bx) > 1e-3
              || fabs (kb[j].y - by) > 1e-3 || fabs (turn) > 0.02)
            continue;
          g_assert_cmpfloat (fabs (kb[j].sigma - ka[i].sigma), <, 1e-3);
          for (int d = 0; d < HFSR_SIFT_DESCRIPTOR_LENGTH; d++)
            distance += (kb[j].descriptor[d] - ka[i].descriptor[d])
                        * (kb[j].descriptor[d] - ka[i].descriptor[d]);
          g_assert_cmpfloat (sqrt (distance), <, 0.02);
          paired++;
          break;
        }
    }
  g_assert_cmpint (checked, >=, 20);
  /* Float rounding differs between rows and columns of the blur, which
   * may tip a marginal extremum; nearly all must pair. */
  g_assert_cmpint (paired, >=, checked * 9 / 10);
  g_free (ka);
  g_free (kb);
  g_free (a);
  g_free (b);
  g_free (blobs);
}

/* The scene drawn turned by 30 degrees about the centre: matches with
 * Lowe's ratio test are mostly confirmed by that rotation. */
static void
test_rotation_matches (void)
{
  const int w = 200, h = 200;
  const double turn = G_PI / 6, cx = 99.5, cy = 99.5;
  Blob *blobs = random_blobs (60, w, h, 12);
  float *a = draw_scene (blobs, 60, w, h, 0.0, cx, cy);
  float *b = draw_scene (blobs, 60, w, h, turn, cx, cy);
  double c = cos (turn), s = sin (turn);
  const double rotation[9]
    = { c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy, 0, 0, 1 };
  int na, nb, n_matches, correct;
  HfsrKeypoint *ka = detect (a, w, h, &na), *kb = detect (b, w, h, &nb);
  HfsrSiftMatch *matches = NULL;

  g_assert_true (
    hfsr_sift_match (ka, na, kb, nb, 0.8, &matches, &n_matches, NULL));
  correct
    = hfsr_sift_count_correct (ka, kb, matches, n_matches, rotation, 3.0);
  g_test_message ("%d and %d keypoints, %d matches, %d correct", na, nb,
                  n_matches, correct);
  g_assert_cmpint (correct, >=, 30);
  g_assert_cmpint (correct * 10, >=, n_matches * 8);
  g_free (matches);
  g_free (ka);
  g_free (kb);
  g_free (a);
  g_free (b);
  g_free (blobs);
}

/* The image form is the stack form on hfsr_gaussian_blur's levels; given
 * only the first five, the sixth is made by blurring on (not bit-equal to
 * blurring the image, but close: most keypoints are the same). */
static void
test_image_is_stack (void)
{
  const int w = 120, h = 96;
  Blob *blobs = random_blobs (25, w, h, 13);
  float *image = draw_scene (blobs, 25, w, h, 0.0, 0, 0);
  HfsrSiftParams params;
  float *planes[HFSR_SIFT_MAX_LEVELS];
  HfsrKeypoint *from_image, *from_stack, *from_five;
  int n_image, n_stack, n_five, same = 0;

  hfsr_sift_params_init (&params);
  g_assert_cmpint (params.n_levels, ==, 6);
  for (int k = 0; k < params.n_levels; k++)
    {
      planes[k] = g_new (float, ((gsize) w * h));
      g_assert_true (
        hfsr_gaussian_blur (image, w, h, params.sigmas[k], planes[k], NULL));
    }
  from_image = detect (image, w, h, &n_image);
  g_assert_true (hfsr_sift_detect_stack ((const float *const *) planes, 6, w,
                                         h, &params, &from_stack, &n_stack,
                                         NULL));
  g_assert_cmpint (n_image, ==, n_stack);
  g_assert_cmpint (n_image, >, 0);
  g_assert_cmpmem (from_image, sizeof (HfsrKeypoint) * n_image, from_stack,
                   sizeof (HfsrKeypoint) * n_stack);
  g_assert_true (hfsr_sift_detect_stack ((const float *const *) planes, 5, w,
                                         h, &params, &from_five, &n_five,
                                         NULL));
  for (int i = 0; i < n_image; i++)
    for (int j = 0; j < n_five; j++)
      if (fabs (from_image[i].x - from_five[j].x) < 0.05
          && fabs (from_image[i].y - from_five[j].y) < 0.05)
        {
          same++;
          break;
        }
  g_assert_cmpint (same * 10, >=, n_image * 8);

  /* Every descriptor is a unit vector of non-negative entries. */
  for (int i = 0; i < n_image; i++)
    {
      double norm = 0.0;

      for (int d = 0; d < HFSR_SIFT_DESCRIPTOR_LENGTH; d++)
        {
          g_assert_cmpfloat (from_image[i].descriptor[d], >=, 0.0f);
          norm += from_image[i].descriptor[d] * from_image[i].descriptor[d];
        }
      g_assert_cmpfloat_with_epsilon (norm, 1.0, 1e-5);
    }
  for (int k = 0; k < params.n_levels; k++)
    g_free (planes[k]);
  g_free (from_image);
  g_free (from_stack);
  g_free (from_five);
  g_free (image);
  g_free (blobs);
}

static void
assert_refused (const float *const *levels, int n_given, int w, int h,
                const HfsrSiftParams *params)
{
  HfsrKeypoint *k = (HfsrKeypoint *) 1;
  int n = -1;
  GError *error = NULL;

  g_assert_false (
    hfsr_sift_detect_stack (levels, n_given, w, h, params, &k, &n, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_assert_null (k);
  g_assert_cmpint (n, ==, 0);
  g_clear_error (&error);
}

static void
test_refusals_and_flat (void)
{
  float flat[32 * 32];
  const float *levels[6] = { flat, flat, flat, flat, flat, flat };
  HfsrSiftParams params, bad;
  HfsrKeypoint *k = NULL;
  int n = -1;

  for (int i = 0; i < 32 * 32; i++)
    flat[i] = 0.5f;
  hfsr_sift_params_init (&params);
  assert_refused (NULL, 6, 32, 32, &params);
  assert_refused (levels, 6, 0, 32, &params);
  assert_refused (levels, 0, 32, 32, &params);
  assert_refused (levels, 7, 32, 32, &params);
  assert_refused (levels, 6, 32, 32, NULL);
  bad = params;
  bad.n_levels = 3;
  assert_refused (levels, 3, 32, 32, &bad);
  bad.n_levels = 9;
  assert_refused (levels, 6, 32, 32, &bad);
  bad = params;
  bad.sigmas[3] = bad.sigmas[2];
  assert_refused (levels, 6, 32, 32, &bad);
  bad = params;
  bad.contrast_threshold = -1.0;
  assert_refused (levels, 6, 32, 32, &bad);

  g_assert_true (
    hfsr_sift_detect_stack (levels, 6, 32, 32, &params, &k, &n, NULL));
  g_assert_null (k);
  g_assert_cmpint (n, ==, 0);
  /* Smaller than the border: nothing to find, nothing read out of it. */
  g_assert_true (hfsr_sift_detect_image (flat, 3, 2, &params, &k, &n, NULL));
  g_assert_cmpint (n, ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sift/detect/blobs", test_blobs);
  g_test_add_func ("/sift/detect/quarter-turn", test_quarter_turn);
  g_test_add_func ("/sift/detect/rotation-matches", test_rotation_matches);
  g_test_add_func ("/sift/detect/image-is-stack", test_image_is_stack);
  g_test_add_func ("/sift/detect/refusals-and-flat", test_refusals_and_flat);
  return g_test_run ();
}
