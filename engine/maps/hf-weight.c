/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The high-frequency weight map and its α-selection (Zhou et al. eq 4-7).
 */
#include <math.h>

#include "hfsr.h"

void
hfsr_hf_weight_map (const float *plane, int width, int height, float *weight)
{
  for (int y = 0; y < height; y++)
    {
      const float *row = plane + (gsize) y * width;

      for (int x = 0; x < width; x++)
        {
          float centre = row[x];
          float neighbours[4];
          int n_neighbours = 0;
          float best = 0.0f;

          /* Eq 4 orders D as up, down, left, right; the order decides ties. */
          if (y > 0)
            neighbours[n_neighbours++] = row[x - width];
          if (y < height - 1)
            neighbours[n_neighbours++] = row[x + width];
          if (x > 0)
            neighbours[n_neighbours++] = row[x - 1];
          if (x < width - 1)
            neighbours[n_neighbours++] = row[x + 1];

          for (int i = 0; i < n_neighbours; i++)
            {
              float difference = centre - neighbours[i];

              if (i == 0 || fabsf (difference) > fabsf (best))
                best = difference;
            }
          weight[(gsize) y * width + x] = best;
        }
    }
}

void
hfsr_hf_selection_map (const float *weight, int width, int height,
                       double alpha, float *selection)
{
  gsize n = (gsize) MAX (width, 0) * (gsize) MAX (height, 0);
  double lowest, highest, range, mean, variance, low, high;

  if (n == 0)
    return;

  lowest = highest = weight[0];
  for (gsize i = 1; i < n; i++)
    {
      lowest = MIN (lowest, weight[i]);
      highest = MAX (highest, weight[i]);
    }
  range = highest - lowest;
  /* A flat map has no high-frequency pixel, and normalising it would
   * divide by zero. */
  if (!(range > 0.0))
    {
      for (gsize i = 0; i < n; i++)
        selection[i] = 0.0f;
      return;
    }

  /* Two passes in double: a one-pass E[x^2] - E[x]^2 cancels badly when
   * most weights sit near the mean, which is the usual case here. */
  mean = 0.0;
  for (gsize i = 0; i < n; i++)
    mean += (weight[i] - lowest) / range;
  mean /= n;

  variance = 0.0;
  for (gsize i = 0; i < n; i++)
    {
      double deviation = (weight[i] - lowest) / range - mean;

      variance += deviation * deviation;
    }
  variance /= n;

  low = mean - alpha * sqrt (variance);
  high = mean + alpha * sqrt (variance);
  for (gsize i = 0; i < n; i++)
    {
      double normalised = (weight[i] - lowest) / range;

      selection[i] = (normalised >= low && normalised <= high) ? 0.0f : 1.0f;
    }
}
