/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "hfsr-private.h"

/* A cache line, and the widest SIMD load (AVX-512) the BLAS may use. */
#define HFSR_ALIGNMENT 64

/* Zero-filled, so a buffer never leaks stale values into a result even when a
 * kernel only writes part of it. */
float *
hfsr_alloc_floats (gsize n_elements)
{
  gsize bytes;
  void *data = NULL;

  if (!g_size_checked_mul (&bytes, MAX (n_elements, 1), sizeof (float)))
    return NULL;
  if (posix_memalign (&data, HFSR_ALIGNMENT, bytes) != 0)
    return NULL;
  memset (data, 0, bytes);
  return data;
}

void
hfsr_free_floats (float *data)
{
  free (data);
}

HfsrTensor *
hfsr_tensor_new (int channels, int height, int width, GError **error)
{
  HfsrTensor *tensor;
  gsize n;

  if (channels <= 0 || height <= 0 || width <= 0)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "tensor shape [%d,%d,%d] has a non-positive dimension",
                   channels, height, width);
      return NULL;
    }
  if (!g_size_checked_mul (&n, (gsize) channels, (gsize) height)
      || !g_size_checked_mul (&n, n, (gsize) width)
      || n > HFSR_TENSOR_MAX_ELEMENTS)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "tensor shape [%d,%d,%d] exceeds %" G_GSIZE_FORMAT
                   " elements", channels, height, width,
                   HFSR_TENSOR_MAX_ELEMENTS);
      return NULL;
    }

  tensor = g_new0 (HfsrTensor, 1);
  tensor->data = hfsr_alloc_floats (n);
  if (tensor->data == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for a tensor of shape [%d,%d,%d]",
                   channels, height, width);
      g_free (tensor);
      return NULL;
    }
  tensor->channels = channels;
  tensor->height = height;
  tensor->width = width;
  return tensor;
}

void
hfsr_tensor_free (HfsrTensor *tensor)
{
  if (tensor == NULL)
    return;
  hfsr_free_floats (tensor->data);
  g_free (tensor);
}

gsize
hfsr_tensor_size (const HfsrTensor *tensor)
{
  if (tensor == NULL)
    return 0;
  return (gsize) tensor->channels * tensor->height * tensor->width;
}
