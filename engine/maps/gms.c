/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prewitt gradient magnitude and gradient magnitude similarity
 * (Roh & Kang eq 2-3, after Xue et al.'s GMSD).
 */
#include <math.h>

#include "hfsr.h"

void
hfsr_gradient_magnitude (const float *plane, int width, int height,
                         float *magnitude)
{
  for (int y = 0; y < height; y++)
    {
      /* Replicated borders: the rows and columns past the edge are the edge. */
      const float *above = plane + (gsize) MAX (y - 1, 0) * width;
      const float *row = plane + (gsize) y * width;
      const float *below = plane + (gsize) MIN (y + 1, height - 1) * width;

      for (int x = 0; x < width; x++)
        {
          int left = MAX (x - 1, 0);
          int right = MIN (x + 1, width - 1);
          float gx = ((above[left] + row[left] + below[left])
                      - (above[right] + row[right] + below[right]))
                     / 3.0f;
          float gy = ((above[left] + above[x] + above[right])
                      - (below[left] + below[x] + below[right]))
                     / 3.0f;

          magnitude[(gsize) y * width + x] = sqrtf (gx * gx + gy * gy);
        }
    }
}

void
hfsr_gms_map (const float *magnitude1, const float *magnitude2, gsize n,
              double c, float *gms)
{
  for (gsize i = 0; i < n; i++)
    {
      double g1 = magnitude1[i];
      double g2 = magnitude2[i];
      double denominator = g1 * g1 + g2 * g2 + c;

      /* Only reachable with c = 0: two flat pixels are alike. */
      gms[i] = denominator > 0.0
                 ? (float) (1.0 - (2.0 * g1 * g2 + c) / denominator)
                 : 0.0f;
    }
}
