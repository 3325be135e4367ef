/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Descriptor matching with Lowe's ratio test, and counting the matches a
 * known homography confirms: the SIFT half of the evaluation protocol
 * (docs/design.md, section 9).  Brute force, exact: benchmark pairs have a few thousand
 * keypoints, where an approximate tree would only add doubt to the counts.
 */
#include <math.h>

#include "hfsr.h"

/* Keypoints of @b per block: a block's descriptors (BLOCK * 512 bytes) stay
 * in the L1/L2 cache while every descriptor of @a runs past them. */
#define MATCH_BLOCK 64

G_STATIC_ASSERT (HFSR_SIFT_DESCRIPTOR_LENGTH % 8 == 0);

/* Squared Euclidean distance.  Eight independent partial sums let the
 * compiler use vector registers without reordering a single sum, so the
 * result does not depend on the compiler's flags. */
static double
squared_distance (const float *p, const float *q)
{
  float lanes[8] = { 0 };
  double sum = 0.0;

  for (int k = 0; k < HFSR_SIFT_DESCRIPTOR_LENGTH; k += 8)
    for (int l = 0; l < 8; l++)
      {
        float d = p[k + l] - q[k + l];

        lanes[l] += d * d;
      }
  for (int l = 0; l < 8; l++)
    sum += lanes[l];
  return sum;
}

/* For each keypoint of @a, the squared distances of its @best and @second
 * nearest descriptors in @b and the index of the @nearest, brute force in
 * blocks of MATCH_BLOCK of @b (they stay in cache while all of @a passes). */
static void
two_nearest (const HfsrKeypoint *a, int n_a, const HfsrKeypoint *b, int n_b,
             double *best, double *second, int *nearest)
{
  for (int i = 0; i < n_a; i++)
    {
      best[i] = second[i] = INFINITY;
      nearest[i] = -1;
    }

  for (int start = 0; start < n_b; start += MATCH_BLOCK)
    {
      int end = MIN (start + MATCH_BLOCK, n_b);

      for (int i = 0; i < n_a; i++)
        for (int j = start; j < end; j++)
          {
            double d = squared_distance (a[i].descriptor, b[j].descriptor);

            /* Strict: on a tie the lower index stays nearest and the
             * other becomes second, at the same distance. */
            if (d < best[i])
              {
                second[i] = best[i];
                best[i] = d;
                nearest[i] = j;
              }
            else if (d < second[i])
              second[i] = d;
          }
    }
}

gboolean
hfsr_sift_match (const HfsrKeypoint *a, int n_a, const HfsrKeypoint *b,
                 int n_b, double ratio, HfsrSiftMatch **matches,
                 int *n_matches, GError **error)
{
  double *best, *second;
  int *nearest;
  HfsrSiftMatch *found;
  int count = 0;

  *matches = NULL;
  *n_matches = 0;
  if (n_a < 0 || n_b < 0 || (n_a > 0 && a == NULL) || (n_b > 0 && b == NULL))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "SIFT matching: invalid keypoint lists (%d and %d)", n_a,
                   n_b);
      return FALSE;
    }
  if (!(ratio > 0.0 && ratio <= 1.0))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "SIFT matching: the ratio %g is outside (0, 1]", ratio);
      return FALSE;
    }
  /* Without a second neighbour the ratio test has nothing to compare. */
  if (n_a == 0 || n_b < 2)
    return TRUE;

  best = g_try_new (double, n_a);
  second = g_try_new (double, n_a);
  nearest = g_try_new (int, n_a);
  found = g_try_new (HfsrSiftMatch, n_a);
  if (best == NULL || second == NULL || nearest == NULL || found == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "SIFT matching: out of memory for %d keypoints", n_a);
      g_free (best);
      g_free (second);
      g_free (nearest);
      g_free (found);
      return FALSE;
    }
  two_nearest (a, n_a, b, n_b, best, second, nearest);

  /* On the distances, as the test is stated (Lowe 2004; OpenCV's
   * d1 < 0.8 d2): comparing squares against ratio^2 rounds differently,
   * and a pair exactly at the ratio (d1 = 4, d2 = 5 at 0.8) would pass. */
  for (int i = 0; i < n_a; i++)
    {
      double d1 = sqrt (best[i]);

      if (nearest[i] >= 0 && d1 < ratio * sqrt (second[i]))
        {
          found[count].a = i;
          found[count].b = nearest[i];
          found[count].distance = (float) d1;
          count++;
        }
    }

  g_free (best);
  g_free (second);
  g_free (nearest);
  if (count == 0)
    g_clear_pointer (&found, g_free);
  *matches = found;
  *n_matches = count;
  return TRUE;
}

int
hfsr_sift_count_correct (const HfsrKeypoint *a, const HfsrKeypoint *b,
                         const HfsrSiftMatch *matches, int n_matches,
                         const double homography[9], double max_error)
{
  const double *h = homography;
  int correct = 0;

  for (int m = 0; m < n_matches; m++)
    {
      const HfsrKeypoint *p = &a[matches[m].a];
      const HfsrKeypoint *q = &b[matches[m].b];
      double u = h[0] * p->x + h[1] * p->y + h[2];
      double v = h[3] * p->x + h[4] * p->y + h[5];
      double w = h[6] * p->x + h[7] * p->y + h[8];
      double dx, dy;

      /* A point mapped to infinity (w = 0) lies nowhere in B. */
      if (w == 0.0)
        continue;
      dx = u / w - q->x;
      dy = v / w - q->y;
      /* NaN (from a non-finite H) compares false: wrong. */
      if (dx * dx + dy * dy < max_error * max_error)
        correct++;
    }
  return correct;
}
