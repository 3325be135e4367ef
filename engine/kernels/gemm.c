/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <cblas.h>

#include "kernels.h"

void
hfsr_gemm (gboolean transpose_a, int m, int n, int k, const float *a,
           const float *b, int ldb, float *c, int ldc, gboolean accumulate)
{
  cblas_sgemm (CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans,
               CblasNoTrans, m, n, k, 1.0f, a, transpose_a ? m : k, b, ldb,
               accumulate ? 1.0f : 0.0f, c, ldc);
}

void
hfsr_fill_rows (float *c, int m, int n, int ldc, const float *values)
{
  for (int r = 0; r < m; r++)
    {
      float *row = c + (gsize) r * ldc;
      float value = values != NULL ? values[r] : 0.0f;

      for (int x = 0; x < n; x++)
        row[x] = value;
    }
}

void
hfsr_relu_floats (const float *source, float *target, gsize n)
{
  for (gsize i = 0; i < n; i++)
    target[i] = source[i] > 0.0f ? source[i] : 0.0f;
}
