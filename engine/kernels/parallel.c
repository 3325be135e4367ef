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
  gpointer         data;
  int              worker;
  int              n_workers;
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
  return CLAMP (hfsr_get_threads (), 1, MAX_WORKERS);
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
      threads[w] = g_thread_try_new ("hfsr-worker", worker_main, &calls[w],
                                     NULL);
    }
  func (data, 0, n_workers);
  for (int w = 1; w < n_workers; w++)
    if (threads[w] != NULL)
      g_thread_join (threads[w]);
    else
      func (data, w, n_workers);
}
