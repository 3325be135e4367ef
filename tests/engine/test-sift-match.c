/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SIFT matching (engine/sift/match.c): hand-made descriptors whose nearest
 * neighbours and ratios are known exactly, a naive twin on random ones, and
 * counting correct matches under known homographies.
 */
#include <math.h>
#include <string.h>

#include "test-util.h"

#define D HFSR_SIFT_DESCRIPTOR_LENGTH

/* A keypoint at (x, y) whose descriptor is @value in component @index and 0
 * elsewhere: distances between such descriptors are small integers or their
 * square roots, exact in float and double. */
static HfsrKeypoint
make_keypoint (double x, double y, int index, float value)
{
  HfsrKeypoint k;

  memset (&k, 0, sizeof k);
  k.x = x;
  k.y = y;
  k.sigma = 1.6f;
  k.descriptor[index] = value;
  return k;
}

static void
match_ok (const HfsrKeypoint *a, int n_a, const HfsrKeypoint *b, int n_b,
          double ratio, HfsrSiftMatch **matches, int *n_matches)
{
  GError *error = NULL;

  g_assert_true (
    hfsr_sift_match (a, n_a, b, n_b, ratio, matches, n_matches, &error));
  g_assert_no_error (error);
}

/* d1 = 4, d2 = 5: the ratio 0.8 sits exactly on the boundary and the test
 * is strict; 0.81 passes.  With d2 = 6, 0.8 passes. */
static void
test_ratio_boundary (void)
{
  HfsrKeypoint a[1] = { make_keypoint (0, 0, 0, 0.0f) };
  HfsrKeypoint b[3]
    = { make_keypoint (0, 0, 1, 5.0f), make_keypoint (0, 0, 0, 4.0f),
        make_keypoint (0, 0, 2, 6.0f) };
  HfsrSiftMatch *matches;
  int n;

  match_ok (a, 1, b, 3, 0.8, &matches, &n);
  g_assert_cmpint (n, ==, 0);
  g_assert_null (matches);

  match_ok (a, 1, b, 3, 0.81, &matches, &n);
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpint (matches[0].a, ==, 0);
  g_assert_cmpint (matches[0].b, ==, 1);
  g_assert_cmpfloat (matches[0].distance, ==, 4.0f);
  g_free (matches);

  /* Without the 5: second nearest at 6, 4 < 0.8 * 6. */
  b[0] = make_keypoint (0, 0, 3, 7.0f);
  match_ok (a, 1, b, 3, 0.8, &matches, &n);
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpint (matches[0].b, ==, 1);
  g_free (matches);
}

/* Two equally near candidates: no ratio below 1 can tell them apart, and
 * ratio 1 is strict too.  A tie for second place changes nothing. */
static void
test_ties (void)
{
  HfsrKeypoint a[2]
    = { make_keypoint (0, 0, 0, 1.0f), make_keypoint (0, 0, 5, 1.0f) };
  HfsrKeypoint b[4] = { make_keypoint (0, 0, 1, 1.0f), /* sqrt 2 from a0 */
                        make_keypoint (0, 0, 2, 1.0f), /* sqrt 2 from a0 */
                        make_keypoint (0, 0, 5, 1.0f), /* a1 itself */
                        make_keypoint (0, 0, 6, 1.0f) };
  HfsrSiftMatch *matches;
  int n;

  match_ok (a, 2, b, 4, 1.0, &matches, &n);
  /* a0: tie at sqrt 2 -> rejected; a1: 0 against sqrt 2 -> match b2. */
  g_assert_cmpint (n, ==, 1);
  g_assert_cmpint (matches[0].a, ==, 1);
  g_assert_cmpint (matches[0].b, ==, 2);
  g_assert_cmpfloat (matches[0].distance, ==, 0.0f);
  g_free (matches);
}

static void
test_small_inputs (void)
{
  HfsrKeypoint a[2]
    = { make_keypoint (0, 0, 0, 1.0f), make_keypoint (0, 0, 1, 1.0f) };
  HfsrKeypoint b[1] = { make_keypoint (0, 0, 0, 1.0f) };
  HfsrSiftMatch *matches = (HfsrSiftMatch *) a; /* must be reset */
  int n = -1;
  GError *error = NULL;

  /* One candidate: no second neighbour, nothing passes the ratio test. */
  match_ok (a, 2, b, 1, 0.8, &matches, &n);
  g_assert_cmpint (n, ==, 0);
  g_assert_null (matches);

  match_ok (a, 0, b, 1, 0.8, &matches, &n);
  g_assert_cmpint (n, ==, 0);
  match_ok (NULL, 0, NULL, 0, 0.8, &matches, &n);
  g_assert_cmpint (n, ==, 0);
  g_assert_null (matches);
  match_ok (a, 2, NULL, 0, 0.8, &matches, &n);
  g_assert_cmpint (n, ==, 0);

  /* Invalid arguments are errors, not crashes. */
  g_assert_false (hfsr_sift_match (a, 2, a, 2, 0.0, &matches, &n, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hfsr_sift_match (a, 2, a, 2, NAN, &matches, &n, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hfsr_sift_match (a, 2, a, 2, 1.5, &matches, &n, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hfsr_sift_match (a, -1, a, 2, 0.8, &matches, &n, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hfsr_sift_match (NULL, 3, a, 2, 0.8, &matches, &n, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

/* ------------------------------------------------------- naive twin */

/* Straight from the definition: every distance in double, the two smallest
 * by a full scan each.  Sets *ambiguous when the decision is within
 * rounding of the threshold or of a tie, where float and double sums may
 * legitimately disagree. */
static int
naive_nearest (const HfsrKeypoint *p, const HfsrKeypoint *b, int n_b,
               double ratio, gboolean *ambiguous)
{
  double *dist = g_new (double, n_b);
  int first = 0, second = -1;
  double d1, d2;

  for (int j = 0; j < n_b; j++)
    {
      double s = 0.0;

      for (int k = 0; k < D; k++)
        {
          double d = (double) p->descriptor[k] - b[j].descriptor[k];

          s += d * d;
        }
      dist[j] = sqrt (s);
    }
  for (int j = 1; j < n_b; j++)
    if (dist[j] < dist[first])
      first = j;
  for (int j = 0; j < n_b; j++)
    if (j != first && (second < 0 || dist[j] < dist[second]))
      second = j;
  d1 = dist[first];
  d2 = dist[second];
  *ambiguous
    = fabs (d1 - ratio * d2) <= 1e-5 * d2 || fabs (d1 - d2) <= 1e-5 * d2;
  g_free (dist);
  return d1 < ratio * d2 ? first : -1;
}

static void
check_against_naive (int n_a, int n_b, guint32 seed)
{
  HfsrKeypoint *a = g_new0 (HfsrKeypoint, n_a);
  HfsrKeypoint *b = g_new0 (HfsrKeypoint, MAX (n_b, 1));
  HfsrSiftMatch *matches;
  int n, next = 0, expected_count = 0, checked = 0;
  GRand *rand = g_rand_new_with_seed (seed);

  for (int i = 0; i < n_a; i++)
    hfsr_test_fill_random (a[i].descriptor, D, seed * 1000 + i, 0.0f, 0.2f);
  /* Most of B are noisy copies of A's descriptors, each A's descriptor
   * copied to B at index i, i + n_a, ...: every index of B, block edges
   * included, is some A's nearest, and the noise makes the ratio test pass
   * often and fail often. */
  for (int j = 0; j < n_b; j++)
    {
      hfsr_test_fill_random (b[j].descriptor, D, seed * 7000 + j, 0.0f, 0.2f);
      if (j % 5 != 4 && n_a > 0)
        {
          const HfsrKeypoint *source = &a[j % n_a];
          float noise = (float) g_rand_double_range (rand, 0.05, 0.9);

          for (int k = 0; k < D; k++)
            b[j].descriptor[k]
              = source->descriptor[k] + noise * (b[j].descriptor[k] - 0.1f);
        }
    }

  match_ok (a, n_a, b, n_b, 0.8, &matches, &n);
  for (int i = 0; i < n_a && n_b >= 2; i++)
    {
      gboolean ambiguous;
      int want = naive_nearest (&a[i], b, n_b, 0.8, &ambiguous);
      int got = next < n && matches[next].a == i ? matches[next].b : -1;

      if (got >= 0)
        next++;
      if (want >= 0)
        expected_count++;
      if (ambiguous)
        continue;
      checked++;
      if (want != got)
        g_error ("seed %u, keypoint %d of %d: naive nearest %d, got %d", seed,
                 i, n_a, want, got);
    }
  g_assert_cmpint (next, ==, n); /* matches are in order of a, one each */
  if (n_b >= 2 && n_a >= 20)
    {
      /* The data is meant to exercise both outcomes. */
      g_assert_cmpint (expected_count, >, 0);
      g_assert_cmpint (expected_count, <, n_a);
      g_assert_cmpint (checked, >=, n_a - 2);
    }
  g_free (matches);
  g_rand_free (rand);
  g_free (a);
  g_free (b);
}

static void
test_against_naive (void)
{
  static const int sizes[][2] = {
    { 1, 2 },   { 3, 2 },     { 20, 63 }, { 20, 64 },
    { 97, 65 }, { 150, 200 }, { 64, 1 },  { 0, 5 },
  };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    check_against_naive (sizes[s][0], sizes[s][1], s + 1);
}

/* --------------------------------------------------- correct matches */

/* Keypoints on a grid in A, their images under @h in B, each match i -> i;
 * then B's points moved by @offset pixels along a direction.  Returns the
 * count of correct matches at max_error 3. */
static int
count_with_offset (const double h[9], double offset, int *n_out)
{
  HfsrKeypoint a[25], b[25];
  HfsrSiftMatch m[25];
  int n = 0;

  for (int gy = 0; gy < 5; gy++)
    for (int gx = 0; gx < 5; gx++)
      {
        double x = 10 + 20 * gx, y = 15 + 17 * gy;
        double w = h[6] * x + h[7] * y + h[8];
        double angle = 0.7 * n;

        a[n] = make_keypoint (x, y, 0, 0.0f);
        b[n] = make_keypoint (
          (h[0] * x + h[1] * y + h[2]) / w + offset * cos (angle),
          (h[3] * x + h[4] * y + h[5]) / w + offset * sin (angle), 0, 0.0f);
        m[n].a = n;
        m[n].b = n;
        m[n].distance = 0.0f;
        n++;
      }
  *n_out = n;
  return hfsr_sift_count_correct (a, b, m, n, h, 3.0);
}

static void
test_count_correct (void)
{
  const double translation[9] = { 1, 0, 12.5, 0, 1, -7.25, 0, 0, 1 };
  const double scaling[9] = { 1.5, 0, 0, 0, 0.75, 0, 0, 0, 1 };
  const double projective[9]
    = { 0.95, 0.1, 5, -0.08, 1.05, 3, 4e-4, -3e-4, 1 };
  const double *homographies[] = { translation, scaling, projective };

  for (guint i = 0; i < G_N_ELEMENTS (homographies); i++)
    {
      int n;

      g_assert_cmpint (count_with_offset (homographies[i], 0.0, &n), ==, n);
      g_assert_cmpint (count_with_offset (homographies[i], 2.9, &n), ==, n);
      /* The bound is strict (< 3 px). */
      g_assert_cmpint (count_with_offset (homographies[i], 3.1, &n), ==, 0);
    }
}

/* A projective H whose line at infinity passes through a keypoint: that
 * keypoint's match counts as wrong, even though B's point sits where a
 * naive w = 0 division would put anything; the others still count. */
static void
test_count_correct_at_infinity (void)
{
  /* w = x - 40: the keypoint at x = 40 maps to infinity. */
  const double h[9] = { 1, 0, 0, 0, 1, 0, 1, 0, -40 };
  HfsrKeypoint a[3]
    = { make_keypoint (40, 10, 0, 0.0f), make_keypoint (50, 10, 0, 0.0f),
        make_keypoint (20, 30, 0, 0.0f) };
  HfsrKeypoint b[3]
    = { make_keypoint (0, 0, 0, 0.0f),
        make_keypoint (5, 1, 0, 0.0f),       /* 50/10, 10/10 */
        make_keypoint (-1, -1.5, 0, 0.0f) }; /* 20/-20, 30/-20 */
  HfsrSiftMatch m[3] = { { 0, 0, 0.0f }, { 1, 1, 0.0f }, { 2, 2, 0.0f } };
  const double bad[9] = { NAN, 0, 0, 0, 1, 0, 0, 0, 1 };

  g_assert_cmpint (hfsr_sift_count_correct (a, b, m, 3, h, 3.0), ==, 2);
  g_assert_cmpint (hfsr_sift_count_correct (a, b, m, 1, h, 3.0), ==, 0);
  g_assert_cmpint (hfsr_sift_count_correct (a, b, m, 0, h, 3.0), ==, 0);
  g_assert_cmpint (hfsr_sift_count_correct (a, b, m, 3, bad, 3.0), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sift/match/ratio-boundary", test_ratio_boundary);
  g_test_add_func ("/sift/match/ties", test_ties);
  g_test_add_func ("/sift/match/small-inputs", test_small_inputs);
  g_test_add_func ("/sift/match/naive-twin", test_against_naive);
  g_test_add_func ("/sift/count-correct/homographies", test_count_correct);
  g_test_add_func ("/sift/count-correct/infinity",
                   test_count_correct_at_infinity);
  return g_test_run ();
}
