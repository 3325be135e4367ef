/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fork/join for the engine's own kernels: threads are started per call.
 * A call is one convolution over a tile (tens of milliseconds), so a thread
 * start (tens of microseconds) costs nothing measurable, and nothing
 * lingers between calls to compete with GEGL's threads or OpenBLAS's.
 */
#include "hfsr.h"
#include "kernels.h"

#define MAX_WORKERS 64

typedef struct
{
  HfsrParallelFunc func;
  gpointer data;
  int worker;
  int n_workers;
} WorkerCall;

static gpointer
worker_main (gpointer data)
{
  WorkerCall *call = data;

  call->func (call->data, call->worker, call->n_workers);
  return NULL;
}

int
hfsr_parallel_workers (void)
{
  return CLAMP (hfsr_run_threads (), 1, MAX_WORKERS);
}

void
hfsr_parallel_run (int n_workers, HfsrParallelFunc func, gpointer data)
{
  WorkerCall calls[MAX_WORKERS];
  GThread *threads[MAX_WORKERS] = { NULL };

  n_workers = CLAMP (n_workers, 1, MAX_WORKERS);
  for (int w = 1; w < n_workers; w++)
    {
      calls[w] = (WorkerCall) { func, data, w, n_workers };
      threads[w]
        = g_thread_try_new ("hfsr-worker", worker_main, &calls[w], NULL);
    }
  func (data, 0, n_workers);
  for (int w = 1; w < n_workers; w++)
    if (threads[w] != NULL)
      g_thread_join (threads[w]);
    else
      func (data, w, n_workers);
}

typedef struct
{
  gsize n;
  HfsrRangeFunc func;
  gpointer data;
} RangeJob;

static void
range_worker (gpointer data, int worker, int n_workers)
{
  const RangeJob *job = data;

  job->func (job->data, job->n * worker / n_workers,
             job->n * (worker + 1) / n_workers);
}

void
hfsr_parallel_range (gsize n, gsize grain, HfsrRangeFunc func, gpointer data)
{
  RangeJob job = { n, func, data };
  gsize pieces = grain > 0 ? n / grain : n;

  if (n == 0)
    return;
  hfsr_parallel_run ((int) CLAMP (pieces, 1, (gsize) hfsr_parallel_workers ()),
                     range_worker, &job);
}
