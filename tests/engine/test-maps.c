/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The classic maps (engine/maps/) against values worked out by hand on tiny
 * images and against naive twins written here straight from the definitions.
 */
#include <math.h>
#include <string.h>

#include "test-util.h"

/* Fails with the first differing index, so a wrong border is easy to find. */
static void
assert_planes_close (const float *expected, const float *actual, gsize n,
                     double tolerance)
{
  for (gsize i = 0; i < n; i++)
    if (!(fabs ((double) expected[i] - actual[i]) <= tolerance))
      g_error ("element %" G_GSIZE_FORMAT ": expected %.9g, got %.9g "
               "(tolerance %g)",
               i, expected[i], actual[i], tolerance);
}

/* ------------------------------------------------------------ weight map */

static void
check_weight_map (const float *plane, int width, int height,
                  const float *expected)
{
  gsize n = (gsize) width * height;
  float *weight = g_new (float, n);

  hfsr_hf_weight_map (plane, width, height, weight);
  /* Differences of small integers are exact. */
  assert_planes_close (expected, weight, n, 0.0);
  g_free (weight);
}

static void
test_weight_map_3x3 (void)
{
  const float plane[] = { 1, 3, 2, 4, 9, 0, 5, 5, 7 };
  /* D (up, down, left, right) of each pixel, then its largest |.|:
   * (0,0) 1: down -3, right -2 -> -3   (1,0) 3: -6, 2, 1 -> -6
   * (2,0) 2: down 2, left -1 -> 2      (0,1) 4: 3, -1, -5 -> -5
   * (1,1) 9: 6, 4, 5, 9 -> 9           (2,1) 0: -2, -7, -9 -> -9
   * (0,2) 5: up 1, right 0 -> 1        (1,2) 5: -4, 0, -2 -> -4
   * (2,2) 7: up 7, left 2 -> 7 */
  const float expected[] = { -3, -6, 2, -5, 9, -9, 1, -4, 7 };

  check_weight_map (plane, 3, 3, expected);
}

static void
test_weight_map_4x3 (void)
{
  const float plane[] = { 0, 1, 3, 6, 2, 2, 8, 1, 4, 9, 0, 0 };
  /* (0,0): -2, -1 -> -2          (1,0): -1, 1, -2 -> -2
   * (2,0): -5, 2, -3 -> -5       (3,0): 5, 3 -> 5
   * (0,1): 2, -2, 0 -> 2 (tie, up first)
   * (1,1): 1, -7, 0, -6 -> -7    (2,1): 5, 8, 6, 7 -> 8
   * (3,1): -5, 1, -7 -> -7       (0,2): 2, -5 -> -5
   * (1,2): 7, 5, 9 -> 9          (2,2): -8, -9, 0 -> -9
   * (3,2): -1, 0 -> -1 */
  const float expected[] = { -2, -2, -5, 5, 2, -7, 8, -7, -5, 9, -9, -1 };

  check_weight_map (plane, 4, 3, expected);
}

static void
test_weight_map_2x2 (void)
{
  const float plane[] = { 1, 2, 3, 5 };
  /* (0,0): -2, -1   (1,0): -3, 1   (0,1): 2, -2 (tie: up)   (1,1): 3, 2 */
  const float expected[] = { -2, -3, 2, 3 };

  check_weight_map (plane, 2, 2, expected);
}

static void
test_weight_map_ties (void)
{
  /* Equal magnitudes, opposite signs: the first of up, down, left, right
   * wins.  Only the centre is checked. */
  const struct
  {
    float plane[9];
    float centre;
  } cases[] = {
    { { 0, 3, 0, 7, 5, 5, 0, 5, 0 }, 2 },  /* up +2 before left -2 */
    { { 0, 5, 0, 5, 5, 3, 0, 7, 0 }, -2 }, /* down -2 before right +2 */
    { { 0, 7, 0, 5, 5, 5, 0, 3, 0 }, -2 }, /* up -2 before down +2 */
    { { 0, 5, 0, 3, 5, 7, 0, 5, 0 }, 2 },  /* left +2 before right -2 */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      float weight[9];

      hfsr_hf_weight_map (cases[i].plane, 3, 3, weight);
      g_assert_cmpfloat (weight[4], ==, cases[i].centre);
    }
}

static void
test_weight_map_thin (void)
{
  const float single[] = { 4 };
  const float expected_single[] = { 0 }; /* no neighbour, nothing differs */
  const float rising[] = { 0, 1, 2 };
  const float falling[] = { 2, 1, 0 };
  /* Row: the middle pixel's tie goes to left; column: to up. */
  const float expected_rising[] = { -1, 1, 1 };
  const float expected_falling[] = { 1, -1, -1 };
  const float pair[] = { 3, 7 };
  const float expected_pair[] = { -4, 4 };

  check_weight_map (single, 1, 1, expected_single);
  check_weight_map (rising, 3, 1, expected_rising);
  check_weight_map (rising, 1, 3, expected_rising);
  check_weight_map (falling, 3, 1, expected_falling);
  check_weight_map (falling, 1, 3, expected_falling);
  check_weight_map (pair, 2, 1, expected_pair);
  check_weight_map (pair, 1, 2, expected_pair);
}

/* --------------------------------------------------------- selection map */

/* Twelve weights: -8 and 8 (the extremes), -1 and 1, -0.5 and 0.5, six 0.
 * Normalised n = (w + 8) / 16, so mu = 0.5 exactly and
 * sigma^2 = (64 + 64 + 1 + 1 + 0.25 + 0.25) / 256 / 12 = 0.0424805,
 * sigma = 0.206108: alpha sigma = 0.041222 (1/5) and 0.068703 (1/3).
 * |n - mu| is 0.5, 0.0625, 0.03125 or 0. */
static const float selection_weights[]
  = { 0, -8, 0, 1, 0.5, 0, -1, 0, 0, 8, -0.5, 0 };

static void
check_selection (const float *weights, double alpha, const float *expected)
{
  float selection[12];

  hfsr_hf_selection_map (weights, 4, 3, alpha, selection);
  assert_planes_close (expected, selection, 12, 0.0);
}

static void
test_selection_map_alpha (void)
{
  /* alpha 0: everything but the exact mean. */
  const float alpha_0[] = { 0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0 };
  /* 1/5: 0.03125 < 0.041222 < 0.0625, so the +-0.5 weights drop out. */
  const float alpha_fifth[] = { 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0 };
  /* 1/3: 0.0625 < 0.068703 < 0.5, so only the extremes stay. */
  const float alpha_third[] = { 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 };
  /* 3: 3 sigma = 0.618 > 0.5 covers everything. */
  const float alpha_three[12] = { 0 };
  float scaled[12];

  check_selection (selection_weights, 0.0, alpha_0);
  check_selection (selection_weights, 0.2, alpha_fifth);
  check_selection (selection_weights, 1.0 / 3.0, alpha_third);
  check_selection (selection_weights, 3.0, alpha_three);

  /* Min-max normalisation makes the map blind to gain and offset. */
  for (int i = 0; i < 12; i++)
    scaled[i] = 3.0f * selection_weights[i] + 7.0f;
  check_selection (scaled, 0.2, alpha_fifth);
  check_selection (scaled, 1.0 / 3.0, alpha_third);
}

static void
test_selection_map_population_sigma (void)
{
  /* Normalised 0, 1/3, 2/3, 1: mu = 1/2, |n - mu| = 1/2 or 1/6, and the
   * population sigma^2 = (2 / 4 + 2 / 36) / 4 = 5 / 36, sigma = 0.372678.
   * At alpha 0.42 the band is +-0.156525, so 1/6 is outside; the sample
   * sigma (sqrt(5 / 27) = 0.430331, band +-0.180739) would take it in. */
  const float weights[] = { 0, 1, 2, 3 };
  const float all[] = { 1, 1, 1, 1 };
  const float extremes[] = { 1, 0, 0, 1 };
  float selection[4];

  hfsr_hf_selection_map (weights, 4, 1, 0.42, selection);
  assert_planes_close (all, selection, 4, 0.0);
  /* 0.5 sigma = 0.186339 > 1/6. */
  hfsr_hf_selection_map (weights, 1, 4, 0.5, selection);
  assert_planes_close (extremes, selection, 4, 0.0);
}

static void
test_selection_map_in_place (void)
{
  const float alpha_fifth[] = { 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0 };
  float data[12];

  memcpy (data, selection_weights, sizeof data);
  hfsr_hf_selection_map (data, 4, 3, 0.2, data);
  assert_planes_close (alpha_fifth, data, 12, 0.0);
}

static void
test_selection_map_constant (void)
{
  float constant[12], selection[12];
  const float nothing[12] = { 0 };

  for (int i = 0; i < 12; i++)
    {
      constant[i] = -2.5f;
      selection[i] = 7.0f;
    }
  hfsr_hf_selection_map (constant, 4, 3, 0.0, selection);
  assert_planes_close (nothing, selection, 12, 0.0);
  hfsr_hf_selection_map (constant, 4, 3, 1.0 / 3.0, selection);
  assert_planes_close (nothing, selection, 12, 0.0);
  hfsr_hf_selection_map (constant, 1, 1, 0.0, selection);
  g_assert_cmpfloat (selection[0], ==, 0.0f);
}

/* ------------------------------------------------------ gradient magnitude */

static void
check_gradient (const float *plane, int width, int height,
                const float *expected)
{
  gsize n = (gsize) width * height;
  float *magnitude = g_new (float, n);

  hfsr_gradient_magnitude (plane, width, height, magnitude);
  assert_planes_close (expected, magnitude, n, 1e-6);
  g_free (magnitude);
}

static void
test_gradient_ramp (void)
{
  /* p = 3x.  Inside, the columns either side differ by 6 in each of three
   * rows: 3 * 6 / 3 = 6.  At x = 0 and x = 3 the replicated column makes
   * that 3. */
  const float ramp[] = { 0, 3, 6, 9, 0, 3, 6, 9, 0, 3, 6, 9 };
  const float expected[] = { 3, 6, 6, 3, 3, 6, 6, 3, 3, 6, 6, 3 };
  float transposed[12], expected_transposed[12];

  check_gradient (ramp, 4, 3, expected);
  /* The same along y checks Gy and the top and bottom borders. */
  for (int y = 0; y < 3; y++)
    for (int x = 0; x < 4; x++)
      {
        transposed[x * 3 + y] = ramp[y * 4 + x];
        expected_transposed[x * 3 + y] = expected[y * 4 + x];
      }
  check_gradient (transposed, 3, 4, expected_transposed);
}

static void
test_gradient_step (void)
{
  /* Row 2 is 9.  y = 0: rows 0 (replicated) and 1, both 0.  y = 1: rows 0
   * and 2, (0 - 27) / 3.  y = 2: rows 1 and 2 (replicated), the same. */
  const float step[] = { 0, 0, 0, 0, 0, 0, 9, 9, 9 };
  const float expected_step[] = { 0, 0, 0, 9, 9, 9, 9, 9, 9 };
  /* A dot of 3: at a corner both Gx and Gy see it once, (1, 1) -> sqrt 2;
   * at an edge middle only across the edge -> 1; on it, nothing. */
  const float dot[] = { 0, 0, 0, 0, 3, 0, 0, 0, 0 };
  const float expected_dot[]
    = { G_SQRT2, 1, G_SQRT2, 1, 0, 1, G_SQRT2, 1, G_SQRT2 };
  const float single[] = { 5 };
  const float expected_single[] = { 0 };

  check_gradient (step, 3, 3, expected_step);
  check_gradient (dot, 3, 3, expected_dot);
  check_gradient (single, 1, 1, expected_single);
}

/* ------------------------------------------------------------------- GMS */

static void
test_gms_values (void)
{
  /* g1 g2 c, then 1 - (2 g1 g2 + c) / (g1^2 + g2^2 + c). */
  const float g1[] = { 3, 4, 10, 0, 0, 5 };
  const float g2[] = { 4, 3, 0, 10, 0, 5 };
  const float expected_170[] = {
    1.0f / 195.0f,         /* 1 - 194 / 195 */
    1.0f / 195.0f,         /* symmetric */
    100.0f / 270.0f,       /* 1 - 170 / 270 */
    100.0f / 270.0f, 0, 0, /* alike */
  };
  const float expected_0[] = { 1.0f / 25.0f, 1.0f / 25.0f, 1, 1, 0, 0 };
  float gms[6];

  hfsr_gms_map (g1, g2, 6, 170.0, gms);
  assert_planes_close (expected_170, gms, 6, 1e-7);
  hfsr_gms_map (g1, g2, 6, 0.0, gms);
  assert_planes_close (expected_0, gms, 6, 1e-7);
}

static void
test_gms_same_image (void)
{
  float plane[15 * 11], magnitude[15 * 11], gms[15 * 11];
  const float zero[15 * 11] = { 0 };

  hfsr_test_fill_random (plane, 15 * 11, 11, 0.0f, 255.0f);
  hfsr_gradient_magnitude (plane, 15, 11, magnitude);
  hfsr_gms_map (magnitude, magnitude, 15 * 11, 170.0, gms);
  assert_planes_close (zero, gms, 15 * 11, 1e-7);
}

/* -------------------------------------------------------------- Gaussian */

/* The 2-D definition: the whole (2r + 1)^2 Gaussian, normalised, replicated
 * borders, summed in double. */
static void
naive_gaussian_blur (const float *plane, int width, int height, double sigma,
                     float *out)
{
  int radius = (int) ceil (3.0 * sigma);
  double total = 0.0;

  for (int dy = -radius; dy <= radius; dy++)
    for (int dx = -radius; dx <= radius; dx++)
      total += exp (-(dx * dx + dy * dy) / (2.0 * sigma * sigma));

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        double sum = 0.0;

        for (int dy = -radius; dy <= radius; dy++)
          for (int dx = -radius; dx <= radius; dx++)
            {
              int sy = CLAMP (y + dy, 0, height - 1);
              int sx = CLAMP (x + dx, 0, width - 1);

              sum += exp (-(dx * dx + dy * dy) / (2.0 * sigma * sigma))
                     * plane[sy * width + sx];
            }
        out[y * width + x] = (float) (sum / total);
      }
}

static void
test_gaussian_constant (void)
{
  float plane[7 * 5], out[7 * 5];
  const double sigmas[] = { 0.3, 1.3, 4.0 };

  for (int i = 0; i < 7 * 5; i++)
    plane[i] = 42.0f;
  for (gsize s = 0; s < G_N_ELEMENTS (sigmas); s++)
    {
      g_assert_true (hfsr_gaussian_blur (plane, 7, 5, sigmas[s], out, NULL));
      assert_planes_close (plane, out, 7 * 5, 42.0 * 1e-6);
    }
}

static void
test_gaussian_impulse (void)
{
  enum
  {
    SIZE = 21
  };
  float plane[SIZE * SIZE] = { 0 };
  float out[SIZE * SIZE];
  double sum = 0.0;

  /* Radius ceil(4.5) = 5 stays clear of the borders, so nothing is lost. */
  plane[(SIZE / 2) * SIZE + SIZE / 2] = 1.0f;
  g_assert_true (hfsr_gaussian_blur (plane, SIZE, SIZE, 1.5, out, NULL));
  for (int y = 0; y < SIZE; y++)
    for (int x = 0; x < SIZE; x++)
      {
        float value = out[y * SIZE + x];

        sum += value;
        g_assert_cmpfloat_with_epsilon (value, out[y * SIZE + SIZE - 1 - x],
                                        1e-7);
        g_assert_cmpfloat_with_epsilon (value, out[(SIZE - 1 - y) * SIZE + x],
                                        1e-7);
        g_assert_cmpfloat_with_epsilon (value, out[x * SIZE + y], 1e-7);
      }
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
  /* The peak is the 1-D centre tap squared: sum_{|k| <= 5} exp(-k^2 / 4.5)
   * = 3.759233, (1 / 3.759233)^2 = 0.0707622. */
  g_assert_cmpfloat_with_epsilon (out[(SIZE / 2) * SIZE + SIZE / 2], 0.0707622,
                                  1e-6);
}

static void
test_gaussian_naive_twin (void)
{
  const struct
  {
    int width, height;
    double sigma;
  } cases[] = {
    { 13, 9, 0.7 }, { 13, 9, 2.2 }, { 1, 1, 1.0 },     { 1, 11, 1.5 },
    { 11, 1, 0.5 }, { 3, 4, 5.0 },  { 32, 17, 1.249 },
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      int width = cases[c].width, height = cases[c].height;
      gsize n = (gsize) width * height;
      float *plane = g_new (float, n);
      float *expected = g_new (float, n);
      float *actual = g_new (float, n);

      hfsr_test_fill_random (plane, n, 100 + c, -1.0f, 1.0f);
      naive_gaussian_blur (plane, width, height, cases[c].sigma, expected);
      g_assert_true (hfsr_gaussian_blur (plane, width, height, cases[c].sigma,
                                         actual, NULL));
      assert_planes_close (expected, actual, n, 2e-6);

      /* In place gives the same. */
      g_assert_true (hfsr_gaussian_blur (plane, width, height, cases[c].sigma,
                                         plane, NULL));
      assert_planes_close (actual, plane, n, 0.0);
      g_free (plane);
      g_free (expected);
      g_free (actual);
    }
}

static void
test_gaussian_invalid (void)
{
  float plane[4] = { 1, 2, 3, 4 }, out[4];
  const double bad_sigmas[] = { 0.0, -1.0, NAN, INFINITY, 1e12 };

  for (gsize i = 0; i < G_N_ELEMENTS (bad_sigmas); i++)
    {
      GError *error = NULL;

      g_assert_false (
        hfsr_gaussian_blur (plane, 2, 2, bad_sigmas[i], out, &error));
      g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  {
    GError *error = NULL;

    g_assert_false (hfsr_gaussian_blur (plane, 0, 2, 1.0, out, &error));
    g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
}

/* --------------------------------------------------------------- opening */

/* The definition: min, then max, over the disk's in-image pixels. */
static void
naive_disk_filter (const float *plane, int width, int height, int radius,
                   gboolean take_max, float *out)
{
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        float best = plane[y * width + x];

        for (int dy = -radius; dy <= radius; dy++)
          for (int dx = -radius; dx <= radius; dx++)
            {
              int sx = x + dx, sy = y + dy;

              if (dx * dx + dy * dy > radius * radius || sx < 0 || sx >= width
                  || sy < 0 || sy >= height)
                continue;
              best = take_max ? MAX (best, plane[sy * width + sx])
                              : MIN (best, plane[sy * width + sx]);
            }
        out[y * width + x] = best;
      }
}

static void
naive_open (const float *plane, int width, int height, int radius, float *out)
{
  float *eroded = g_new (float, ((gsize) width * height));

  naive_disk_filter (plane, width, height, radius, FALSE, eroded);
  naive_disk_filter (eroded, width, height, radius, TRUE, out);
  g_free (eroded);
}

static void
test_open_speck (void)
{
  float plane[9 * 9] = { 0 }, out[9 * 9];
  const float zero[9 * 9] = { 0 };

  plane[4 * 9 + 4] = 1.0f;
  plane[0] = 1.0f; /* also in the image's corner */
  g_assert_true (hfsr_morph_open (plane, 9, 9, 1, out, NULL));
  assert_planes_close (zero, out, 9 * 9, 0.0);
}

static void
test_open_square (void)
{
  enum
  {
    SIZE = 9
  };
  float plane[SIZE * SIZE] = { 0 }, out[SIZE * SIZE];
  float expected[SIZE * SIZE] = { 0 };

  /* A 5 x 5 square in the top-left corner, radius 1 (a plus sign).
   * Erosion keeps the pixels whose in-image neighbours are all in the
   * square: x, y <= 3 (the image edge does not erode it).  Dilating that
   * 4 x 4 block with the plus gives the square back except the corner
   * (4, 4), which no plus inside the square reaches. */
  for (int y = 0; y < 5; y++)
    for (int x = 0; x < 5; x++)
      plane[y * SIZE + x] = expected[y * SIZE + x] = 1.0f;
  expected[4 * SIZE + 4] = 0.0f;
  g_assert_true (hfsr_morph_open (plane, SIZE, SIZE, 1, out, NULL));
  assert_planes_close (expected, out, SIZE * SIZE, 0.0);

  /* A 7 x 7 square in the middle and a radius-3 disk, 7 wide: the disk
   * fits only at the centre, so the opening is that one disk.  Its cross
   * through the centre survives; the square's corners go. */
  memset (plane, 0, sizeof plane);
  for (int y = 1; y < 8; y++)
    for (int x = 1; x < 8; x++)
      plane[y * SIZE + x] = 1.0f;
  g_assert_true (hfsr_morph_open (plane, SIZE, SIZE, 3, out, NULL));
  for (int i = 1; i < 8; i++)
    {
      g_assert_cmpfloat (out[4 * SIZE + i], ==, 1.0f);
      g_assert_cmpfloat (out[i * SIZE + 4], ==, 1.0f);
    }
  g_assert_cmpfloat (out[1 * SIZE + 1], ==, 0.0f);
}

static void
test_open_naive_twin (void)
{
  const struct
  {
    int width, height, radius;
  } cases[] = {
    { 1, 1, 0 },   { 1, 1, 3 },   { 17, 1, 2 },   { 1, 17, 2 },
    { 12, 9, 0 },  { 12, 9, 1 },  { 12, 9, 2 },   { 23, 19, 3 },
    { 23, 19, 5 }, { 31, 29, 7 }, { 20, 14, 15 }, { 6, 40, 4 },
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      int width = cases[c].width, height = cases[c].height;
      int radius = cases[c].radius;
      gsize n = (gsize) width * height;
      float *plane = g_new (float, n);
      float *expected = g_new (float, n);
      float *actual = g_new (float, n);
      float *again = g_new (float, n);

      hfsr_test_fill_random (plane, n, 200 + c, 0.0f, 1.0f);
      naive_open (plane, width, height, radius, expected);
      g_assert_true (
        hfsr_morph_open (plane, width, height, radius, actual, NULL));
      /* min and max are exact, so the results are identical. */
      assert_planes_close (expected, actual, n, 0.0);
      if (radius == 0)
        assert_planes_close (plane, actual, n, 0.0);

      /* An opening is idempotent. */
      g_assert_true (
        hfsr_morph_open (actual, width, height, radius, again, NULL));
      assert_planes_close (actual, again, n, 0.0);

      /* In place gives the same. */
      g_assert_true (
        hfsr_morph_open (plane, width, height, radius, plane, NULL));
      assert_planes_close (actual, plane, n, 0.0);
      g_free (plane);
      g_free (expected);
      g_free (actual);
      g_free (again);
    }
}

static void
test_open_invalid (void)
{
  float plane[4] = { 1, 2, 3, 4 }, out[4];
  GError *error = NULL;

  g_assert_false (hfsr_morph_open (plane, 2, 2, -1, out, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hfsr_morph_open (plane, 2, -2, 1, out, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

/* ------------------------------------------------------------- high-pass */

/* Full complex DFT in double, with signed frequencies on both axes. */
static void
naive_highpass (const float *plane, int width, int height, double cutoff,
                float *out)
{
  gsize n = (gsize) width * height;
  double *re = g_new0 (double, n), *im = g_new0 (double, n);

  for (int ky = 0; ky < height; ky++)
    for (int kx = 0; kx < width; kx++)
      {
        int fx = kx <= width / 2 ? kx : kx - width;
        int fy = ky <= height / 2 ? ky : ky - height;
        double rx = fx / (width / 2.0), ry = fy / (height / 2.0);
        double sum_re = 0.0, sum_im = 0.0;

        if ((kx == 0 && ky == 0) || sqrt (rx * rx + ry * ry) < cutoff)
          continue;
        for (int y = 0; y < height; y++)
          for (int x = 0; x < width; x++)
            {
              double angle
                = -2.0 * G_PI
                  * ((double) kx * x / width + (double) ky * y / height);

              sum_re += plane[y * width + x] * cos (angle);
              sum_im += plane[y * width + x] * sin (angle);
            }
        re[ky * width + kx] = sum_re;
        im[ky * width + kx] = sum_im;
      }

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        double sum = 0.0;

        for (int ky = 0; ky < height; ky++)
          for (int kx = 0; kx < width; kx++)
            {
              double angle
                = 2.0 * G_PI
                  * ((double) kx * x / width + (double) ky * y / height);

              sum += re[ky * width + kx] * cos (angle)
                     - im[ky * width + kx] * sin (angle);
            }
        out[y * width + x] = (float) (sum / n);
      }
  g_free (re);
  g_free (im);
}

static void
test_highpass_constant (void)
{
  float plane[9 * 7], out[9 * 7];
  const float zero[9 * 7] = { 0 };

  for (int i = 0; i < 9 * 7; i++)
    plane[i] = 100.0f;
  g_assert_true (hfsr_highpass (plane, 9, 7, 0.0, out, NULL));
  assert_planes_close (zero, out, 9 * 7, 1e-4);
  g_assert_true (hfsr_highpass (plane, 1, 1, 0.5, out, NULL));
  g_assert_cmpfloat_with_epsilon (out[0], 0.0f, 1e-6);
}

static void
test_highpass_checkerboard_and_cosine (void)
{
  enum
  {
    W = 16,
    H = 8
  };
  float board[W * H], mixed[W * H], out[W * H];

  /* The checkerboard is the Nyquist corner, radius sqrt 2; the cosine has
   * one period across the width, radius 1/8, and 50 is the DC. */
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        board[y * W + x] = ((x + y) % 2) ? -1.0f : 1.0f;
        mixed[y * W + x] = board[y * W + x] + 50.0f
                           + 10.0f * (float) cos (2.0 * G_PI * x / W);
      }
  g_assert_true (hfsr_highpass (board, W, H, 0.5, out, NULL));
  assert_planes_close (board, out, W * H, 1e-5);
  g_assert_true (hfsr_highpass (board, W, H, 1.0, out, NULL));
  assert_planes_close (board, out, W * H, 1e-5);
  g_assert_true (hfsr_highpass (mixed, W, H, 0.5, out, NULL));
  assert_planes_close (board, out, W * H, 1e-4);

  /* Below the cosine's radius, only the DC goes. */
  g_assert_true (hfsr_highpass (mixed, W, H, 0.1, out, NULL));
  for (int i = 0; i < W * H; i++)
    mixed[i] -= 50.0f;
  assert_planes_close (mixed, out, W * H, 1e-4);
}

static void
test_highpass_naive_twin (void)
{
  const struct
  {
    int width, height;
    double cutoff;
  } cases[] = {
    { 7, 5, 0.3 }, { 7, 5, 0.6 },    { 7, 5, 0.0 }, { 6, 5, 0.45 },
    { 5, 6, 0.7 }, { 9, 1, 0.4 },    { 1, 9, 0.4 }, { 1, 1, 0.2 },
    { 8, 8, 1.0 }, { 11, 13, 0.25 },
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      int width = cases[c].width, height = cases[c].height;
      gsize n = (gsize) width * height;
      float *plane = g_new (float, n);
      float *expected = g_new (float, n);
      float *actual = g_new (float, n);

      hfsr_test_fill_random (plane, n, 300 + c, -1.0f, 1.0f);
      naive_highpass (plane, width, height, cases[c].cutoff, expected);
      g_assert_true (
        hfsr_highpass (plane, width, height, cases[c].cutoff, actual, NULL));
      assert_planes_close (expected, actual, n, 1e-5);

      g_assert_true (
        hfsr_highpass (plane, width, height, cases[c].cutoff, plane, NULL));
      assert_planes_close (actual, plane, n, 0.0);
      g_free (plane);
      g_free (expected);
      g_free (actual);
    }
}

/* GEGL runs ops from several threads at once, and FFTW's planner is not
 * thread-safe: concurrent calls must still all give the one answer. */
enum
{
  THREAD_WIDTH = 37,
  THREAD_HEIGHT = 23
};

typedef struct
{
  const float *plane;
  const float *expected;
} HighpassJob;

static gpointer
run_highpass_repeatedly (gpointer data)
{
  const HighpassJob *job = data;
  float *out = g_new (float, (THREAD_WIDTH * THREAD_HEIGHT));
  gboolean all_equal = TRUE;

  for (int i = 0; i < 200 && all_equal; i++)
    all_equal
      = hfsr_highpass (job->plane, THREAD_WIDTH, THREAD_HEIGHT, 0.4, out, NULL)
        && memcmp (out, job->expected,
                   sizeof (float) * THREAD_WIDTH * THREAD_HEIGHT)
             == 0;
  g_free (out);
  return GINT_TO_POINTER (all_equal);
}

static void
test_highpass_threads (void)
{
  float plane[THREAD_WIDTH * THREAD_HEIGHT];
  float expected[THREAD_WIDTH * THREAD_HEIGHT];
  HighpassJob job = { plane, expected };
  GThread *threads[8];

  hfsr_test_fill_random (plane, THREAD_WIDTH * THREAD_HEIGHT, 400, 0.0f, 1.0f);
  g_assert_true (
    hfsr_highpass (plane, THREAD_WIDTH, THREAD_HEIGHT, 0.4, expected, NULL));
  for (gsize t = 0; t < G_N_ELEMENTS (threads); t++)
    threads[t] = g_thread_new ("highpass", run_highpass_repeatedly, &job);
  for (gsize t = 0; t < G_N_ELEMENTS (threads); t++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[t])));
}

static void
test_highpass_invalid (void)
{
  float plane[4] = { 1, 2, 3, 4 }, out[4];
  const double bad_cutoffs[] = { -0.1, 1.5, NAN };

  for (gsize i = 0; i < G_N_ELEMENTS (bad_cutoffs); i++)
    {
      GError *error = NULL;

      g_assert_false (
        hfsr_highpass (plane, 2, 2, bad_cutoffs[i], out, &error));
      g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  {
    GError *error = NULL;

    g_assert_false (hfsr_highpass (plane, 2, 0, 0.5, out, &error));
    g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
    g_clear_error (&error);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/maps/weight/3x3", test_weight_map_3x3);
  g_test_add_func ("/maps/weight/4x3", test_weight_map_4x3);
  g_test_add_func ("/maps/weight/2x2", test_weight_map_2x2);
  g_test_add_func ("/maps/weight/ties", test_weight_map_ties);
  g_test_add_func ("/maps/weight/thin", test_weight_map_thin);
  g_test_add_func ("/maps/selection/alpha", test_selection_map_alpha);
  g_test_add_func ("/maps/selection/population-sigma",
                   test_selection_map_population_sigma);
  g_test_add_func ("/maps/selection/in-place", test_selection_map_in_place);
  g_test_add_func ("/maps/selection/constant", test_selection_map_constant);
  g_test_add_func ("/maps/gradient/ramp", test_gradient_ramp);
  g_test_add_func ("/maps/gradient/step", test_gradient_step);
  g_test_add_func ("/maps/gms/values", test_gms_values);
  g_test_add_func ("/maps/gms/same-image", test_gms_same_image);
  g_test_add_func ("/maps/gaussian/constant", test_gaussian_constant);
  g_test_add_func ("/maps/gaussian/impulse", test_gaussian_impulse);
  g_test_add_func ("/maps/gaussian/naive-twin", test_gaussian_naive_twin);
  g_test_add_func ("/maps/gaussian/invalid", test_gaussian_invalid);
  g_test_add_func ("/maps/open/speck", test_open_speck);
  g_test_add_func ("/maps/open/square", test_open_square);
  g_test_add_func ("/maps/open/naive-twin", test_open_naive_twin);
  g_test_add_func ("/maps/open/invalid", test_open_invalid);
  g_test_add_func ("/maps/highpass/constant", test_highpass_constant);
  g_test_add_func ("/maps/highpass/checkerboard-cosine",
                   test_highpass_checkerboard_and_cosine);
  g_test_add_func ("/maps/highpass/naive-twin", test_highpass_naive_twin);
  g_test_add_func ("/maps/highpass/threads", test_highpass_threads);
  g_test_add_func ("/maps/highpass/invalid", test_highpass_invalid);

  return g_test_run ();
}
