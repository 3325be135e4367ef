/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "hfsr-private.h"

/* A cache line, and the widest SIMD load (AVX-512) the BLAS may use. */
#define HFSR_ALIGNMENT 64

/* Every buffer is preceded by one aligned block holding its byte count, so
 * hfsr_free_floats can take it off the count without its callers passing
 * sizes around.  C11 atomics, because GEGL runs the engine from several
 * threads at once; one atomic add per buffer is nothing next to the memset
 * and the work done on a buffer. */
#define HFSR_SIZE_PREFIX HFSR_ALIGNMENT

static atomic_size_t current_bytes;
static atomic_size_t peak_bytes;

static void
count_allocation (gsize bytes)
{
  gsize now = atomic_fetch_add (&current_bytes, bytes) + bytes;
  gsize peak = atomic_load (&peak_bytes);

  /* On failure the exchange reloads @peak; stop once another thread has
   * raised it past @now. */
  while (now > peak && !atomic_compare_exchange_weak (&peak_bytes, &peak, now))
    ;
}

gsize
hfsr_memory_current_bytes (void)
{
  return atomic_load (&current_bytes);
}

gsize
hfsr_memory_peak_bytes (void)
{
  return atomic_load (&peak_bytes);
}

void
hfsr_memory_reset_peak (void)
{
  atomic_store (&peak_bytes, atomic_load (&current_bytes));
}

/* Asks for 2 MiB pages on the whole 2 MiB spans of a large buffer.  The
 * C library maps each large buffer afresh, and the kernel then faults it
 * in a 4 KiB page at a time: on a whole-image run that was 29 % of the
 * time (system time, engine/README.md), and huge pages cut
 * the faults 512-fold and the TLB misses with them.  Only advice: where the
 * system has no transparent huge pages it changes nothing. */
static void
advise_huge_pages (guint8 *block, gsize total)
{
#ifdef MADV_HUGEPAGE
  const guintptr huge = 2 << 20;
  guintptr start = ((guintptr) block + huge - 1) & ~(huge - 1);
  guintptr end = ((guintptr) block + total) & ~(huge - 1);

  if (end > start)
    madvise ((void *) start, end - start, MADV_HUGEPAGE);
#else
  (void) block;
  (void) total;
#endif
}

/* Large buffers freed while a model runs are kept for the next request of
 * about their size: a tiled run asks for the same shapes tile after tile
 * and block after block, and each fresh buffer is mapped anew and faulted
 * in by the kernel (system time).  The pool never makes the engine hold
 * more than the most its live buffers ever needed at once (a buffer that
 * would is given back), and it is emptied when no run is going on
 * (hfsr_memory_run_end), so an idle engine holds nothing.  Pooled bytes
 * count as held. */
#define POOL_MIN_BYTES ((gsize) 1 << 22)
#define POOL_SLOTS 8

typedef struct
{
  guint8 *block;
  gsize bytes;
} PoolEntry;

static GMutex pool_lock;
static PoolEntry pool[POOL_SLOTS];
static gsize pool_bytes;      /* under pool_lock */
static gsize live_high_water; /* under pool_lock: most live bytes */
static atomic_int running;

/* Takes a pooled buffer of @bytes to @bytes + 1/4, the closest fit; NULL
 * when there is none.  Under pool_lock. */
static guint8 *
pool_take (gsize bytes)
{
  int best = -1;

  for (int i = 0; i < POOL_SLOTS; i++)
    if (pool[i].block != NULL && pool[i].bytes >= bytes
        && pool[i].bytes - bytes <= bytes / 4
        && (best < 0 || pool[i].bytes < pool[best].bytes))
      best = i;
  if (best < 0)
    return NULL;
  pool_bytes -= pool[best].bytes;
  return g_steal_pointer (&pool[best].block);
}

/* Gives pooled buffer @i (if any) back to the system.  Under pool_lock. */
static void
pool_drop (int i)
{
  if (pool[i].block == NULL)
    return;
  atomic_fetch_sub (&current_bytes, pool[i].bytes);
  pool_bytes -= pool[i].bytes;
  free (g_steal_pointer (&pool[i].block));
}

/* Frees pooled buffers until @needed more bytes keep held bytes within the
 * high water mark.  Under pool_lock. */
static void
pool_evict (gsize needed)
{
  gsize live = atomic_load (&current_bytes) - pool_bytes;

  live_high_water = MAX (live_high_water, live + needed);
  for (int i = 0;
       i < POOL_SLOTS && live + pool_bytes + needed > live_high_water; i++)
    pool_drop (i);
}

void
hfsr_memory_run_begin (void)
{
  atomic_fetch_add (&running, 1);
}

void
hfsr_memory_run_end (void)
{
  if (atomic_fetch_sub (&running, 1) != 1)
    return;
  g_mutex_lock (&pool_lock);
  if (atomic_load (&running) == 0)
    for (int i = 0; i < POOL_SLOTS; i++)
      pool_drop (i);
  g_mutex_unlock (&pool_lock);
}

float *
hfsr_alloc_floats_uninitialised (gsize n_elements)
{
  gsize bytes, total;
  guint8 *block = NULL;

  if (!g_size_checked_mul (&bytes, MAX (n_elements, 1), sizeof (float))
      || !g_size_checked_add (&total, bytes, HFSR_SIZE_PREFIX))
    return NULL;
  if (bytes >= POOL_MIN_BYTES)
    {
      g_mutex_lock (&pool_lock);
      block = pool_take (bytes);
      if (block == NULL)
        pool_evict (bytes);
      g_mutex_unlock (&pool_lock);
      if (block != NULL)
        return (float *) (block + HFSR_SIZE_PREFIX);
    }
  if (posix_memalign ((void **) &block, HFSR_ALIGNMENT, total) != 0)
    return NULL;
  advise_huge_pages (block, total);
  memcpy (block, &bytes, sizeof bytes);
  count_allocation (bytes);
  return (float *) (block + HFSR_SIZE_PREFIX);
}

/* Zero-filled, so a buffer never leaks stale values into a result even when a
 * kernel only writes part of it. */
float *
hfsr_alloc_floats (gsize n_elements)
{
  float *data = hfsr_alloc_floats_uninitialised (n_elements);

  if (data != NULL)
    memset (data, 0, MAX (n_elements, 1) * sizeof (float));
  return data;
}

void
hfsr_free_floats (float *data)
{
  guint8 *block;
  gsize bytes;

  if (data == NULL)
    return;
  block = (guint8 *) data - HFSR_SIZE_PREFIX;
  memcpy (&bytes, block, sizeof bytes);
  if (bytes >= POOL_MIN_BYTES && atomic_load (&running) > 0)
    {
      g_mutex_lock (&pool_lock);
      for (int i = 0; i < POOL_SLOTS; i++)
        if (pool[i].block == NULL)
          {
            pool[i] = (PoolEntry) { block, bytes };
            pool_bytes += bytes;
            block = NULL;
            break;
          }
      g_mutex_unlock (&pool_lock);
      if (block == NULL)
        return;
    }
  atomic_fetch_sub (&current_bytes, bytes);
  free (block);
}

static HfsrTensor *
tensor_new (int channels, int height, int width, gboolean clear,
            GError **error)
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
                   " elements",
                   channels, height, width, HFSR_TENSOR_MAX_ELEMENTS);
      return NULL;
    }

  tensor = g_new0 (HfsrTensor, 1);
  tensor->data
    = clear ? hfsr_alloc_floats (n) : hfsr_alloc_floats_uninitialised (n);
  if (tensor->data == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for a tensor of shape [%d,%d,%d]", channels,
                   height, width);
      g_free (tensor);
      return NULL;
    }
  tensor->channels = channels;
  tensor->height = height;
  tensor->width = width;
  return tensor;
}

HfsrTensor *
hfsr_tensor_new (int channels, int height, int width, GError **error)
{
  return tensor_new (channels, height, width, TRUE, error);
}

HfsrTensor *
hfsr_tensor_new_uninitialised (int channels, int height, int width,
                               GError **error)
{
  return tensor_new (channels, height, width, FALSE, error);
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

gsize
hfsr_make_finite (float *values, gsize n)
{
  gsize replaced = 0;

  for (gsize i = 0; i < n; i++)
    if (G_UNLIKELY (!isfinite (values[i])))
      {
        values[i] = isinf (values[i]) && values[i] > 0.0f ? 1.0f : 0.0f;
        replaced++;
      }
  return replaced;
}
