/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run options (threads, kernel path) are given per call and kept, for the
 * length of the call, in the calling thread: two runs in two threads (GEGL
 * processing two chunks of one op, a batch tool running two images) each
 * use their own, and nothing is process-global but the CPU's capabilities
 * and the HFSR_KERNEL default, both resolved once.
 */
#include <cblas.h>

#include "hfsr-private.h"
#include "kernels.h"

/* The options of the run the calling thread is in; outside a run, one
 * thread and the default path, which is what a layer or kernel called on
 * its own (the tests) gets. */
static _Thread_local HfsrRunOptions current = { 1, HFSR_KERNEL_AUTO };

gboolean
hfsr_kernel_path_supported (HfsrKernelPath path)
{
  switch (path)
    {
    case HFSR_KERNEL_GENERIC:
    case HFSR_KERNEL_BLAS:
      return TRUE;
#ifdef HFSR_X86_PATHS
    case HFSR_KERNEL_AVX2:
      __builtin_cpu_init ();
      return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
    case HFSR_KERNEL_AVX512:
      __builtin_cpu_init ();
      return __builtin_cpu_supports ("avx512f");
#ifdef HFSR_BF16_PATH
    case HFSR_KERNEL_AVX512_BF16:
      __builtin_cpu_init ();
      return __builtin_cpu_supports ("avx512f")
             && __builtin_cpu_supports ("avx512bf16");
#endif
#endif
    default:
      return FALSE;
    }
}

HfsrKernelPath
hfsr_kernel_path_for (const char *forced)
{
  static const struct
  {
    const char *name;
    HfsrKernelPath path;
  } names[] = {
    { "avx512", HFSR_KERNEL_AVX512 },           { "avx2", HFSR_KERNEL_AVX2 },
    { "generic", HFSR_KERNEL_GENERIC },         { "blas", HFSR_KERNEL_BLAS },
    { "avx512-bf16", HFSR_KERNEL_AVX512_BF16 },
  };

  /* A forced path the CPU lacks falls back to the automatic choice rather
   * than crashing on an illegal instruction. */
  for (gsize i = 0; forced != NULL && i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (forced, names[i].name)
        && hfsr_kernel_path_supported (names[i].path))
      return names[i].path;
  if (hfsr_kernel_path_supported (HFSR_KERNEL_AVX512))
    return HFSR_KERNEL_AVX512;
  if (hfsr_kernel_path_supported (HFSR_KERNEL_AVX2))
    return HFSR_KERNEL_AVX2;
  return HFSR_KERNEL_GENERIC;
}

/* HFSR_KERNEL is read once, the first time a path is resolved: a process
 * that changes its environment later does not change its kernels. */
static HfsrKernelPath
default_path (void)
{
  static gsize chosen = 0; /* the path, once known (never AUTO, so not 0) */

  if (g_once_init_enter (&chosen))
    {
      /* The engine's threads are its own (parallel.c): OpenBLAS runs on one
       * thread inside them, never nested; left with threads of its own, they
       * would spin after every call and compete with the engine's. */
      openblas_set_num_threads (1);
      g_once_init_leave (
        &chosen, (gsize) hfsr_kernel_path_for (g_getenv ("HFSR_KERNEL")));
    }
  return (HfsrKernelPath) chosen;
}

HfsrKernelPath
hfsr_kernel_path (void)
{
  return current.kernel != HFSR_KERNEL_AUTO ? current.kernel : default_path ();
}

int
hfsr_run_threads (void)
{
  return current.n_threads;
}

void
hfsr_run_scope_enter (const HfsrRunOptions *options, HfsrRunOptions *saved)
{
  HfsrKernelPath fallback = default_path ();

  *saved = current;
  if (options == NULL)
    return; /* a run inside a run keeps the outer run's options */
  current.n_threads = MAX (options->n_threads, 1);
  current.kernel = options->kernel != HFSR_KERNEL_AUTO
                       && hfsr_kernel_path_supported (options->kernel)
                     ? options->kernel
                     : fallback;
}

void
hfsr_run_scope_leave (const HfsrRunOptions *saved)
{
  current = *saved;
}
