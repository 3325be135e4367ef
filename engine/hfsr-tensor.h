/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Errors, tensors, image regions and the engine's memory count: what every
 * other part of libhfsr's API is made of (GLib only).
 */
#ifndef HFSR_TENSOR_H
#define HFSR_TENSOR_H

#include <glib.h>

G_BEGIN_DECLS

#define HFSR_ERROR (hfsr_error_quark ())
GQuark hfsr_error_quark (void);

typedef enum
{
  HFSR_ERROR_IO,               /* file could not be read */
  HFSR_ERROR_FORMAT,           /* malformed or unsupported model file */
  HFSR_ERROR_INVALID_ARGUMENT, /* caller passed something out of range */
  HFSR_ERROR_NO_MEMORY,        /* allocation failed or size overflowed */
  HFSR_ERROR_CANCELLED         /* a progress callback asked to stop */
} HfsrError;

/* Float32, planar CHW, batch 1.  Planar because every convolution is lowered
 * to a GEMM whose result is already CHW, and pixel shuffle, per-channel maps
 * and Gaussian stacks all work plane by plane; the interleaved pixels of GEGL
 * are converted once, at the boundary (hfsr_model_run_region). */
typedef struct
{
  int channels;
  int height;
  int width;
  float *data; /* channels * height * width floats, 64-byte aligned */
} HfsrTensor;

/* Largest element count a tensor may have (2^31 - 1 floats = 8 GiB): keeps
 * every index computation inside gsize and int-sized plane offsets sane. */
#define HFSR_TENSOR_MAX_ELEMENTS ((gsize) G_MAXINT32)

/* Zero-filled.  Fails (HFSR_ERROR_INVALID_ARGUMENT / HFSR_ERROR_NO_MEMORY) on
 * non-positive dimensions, overflow or allocation failure. */
HfsrTensor *hfsr_tensor_new (int channels, int height, int width,
                             GError **error);
void hfsr_tensor_free (HfsrTensor *tensor);
gsize hfsr_tensor_size (const HfsrTensor *tensor); /* element count */

static inline float *
hfsr_tensor_plane (const HfsrTensor *t, int c)
{
  return t->data + (gsize) c * t->height * t->width;
}

/* The one rule for non-finite pixel values, applied by every op and tool to
 * what it reads and by every network op to what a network computed
 * (engine/README.md, "Non-finite values"): NaN and -infinity become 0,
 * +infinity becomes 1, the ends of the range the networks and maps are made
 * for; finite values are left as they are.  Returns how many were replaced,
 * for the caller's one warning. */
gsize hfsr_make_finite (float *values, gsize n);

typedef struct
{
  int x, y, width, height;
} HfsrRect;

/* Interleaved float pixels, as GEGL hands them over.  Pixel (x, y) channel c
 * (x, y in image coordinates, inside rect) is at
 * data[(y - rect.y) * rowstride + (x - rect.x) * channels + c]. */
typedef struct
{
  float *data;
  int channels;    /* floats per pixel */
  gsize rowstride; /* floats per row, >= rect.width * channels */
  HfsrRect rect;
} HfsrImageView;

/* Called between tiles with the fraction done; return FALSE to cancel. */
typedef gboolean (*HfsrProgressFunc) (double fraction, gpointer user_data);

/* engine/tensor.c counts the bytes of every float buffer the engine holds:
 * model weights, tensors and the work buffers of layers and maps, in all
 * threads together.  BLAS's own work buffers and small bookkeeping are not
 * counted.  For benchmarks and tests: the peak while a model runs, less the
 * bytes held before it started, is the run's scratch memory. */

/* Bytes held now. */
gsize hfsr_memory_current_bytes (void);
/* The most bytes held at once since the last reset (or the start). */
gsize hfsr_memory_peak_bytes (void);
/* Starts a new peak from the bytes held now. */
void hfsr_memory_reset_peak (void);

G_END_DECLS

#endif /* HFSR_TENSOR_H */
