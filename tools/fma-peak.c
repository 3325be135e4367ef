/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-bench --peak: the most multiply-adds per second each of the engine's
 * vector widths can do on this CPU, so that a kernel path's speed can be
 * read against what its instructions allow.  The ratio of two paths' times
 * means "the code" only where their peaks are equal: on a CPU whose
 * 512-bit units are as wide as its 256-bit ones doubled (AMD Zen 5, Intel
 * server cores with two FMA ports) the AVX2 path cannot come within 2x of
 * the AVX-512 one in the multiply, however it is written.
 *
 * Each width runs 12 independent chains of fused multiply-adds (more than
 * latency x units on every CPU we know; the portable one 48 narrower
 * ones), on every thread at once; flops
 * are 2 per lane per instruction (4 per 32-bit lane for vdpbf16ps, two
 * products and two adds).
 */
#include <stdio.h>

#include "fma-peak.h"

#define CHAINS 12
#define ITERATIONS 20000000L

typedef struct
{
  const char *name;
  double (*run) (long iterations); /* flops done, in its own thread */
  gboolean (*available) (void);
} Width;

/* The portable path's width: whatever the compiler's baseline makes of a
 * 16-float vector multiply-add. */
typedef float Vec16 __attribute__ ((vector_size (64)));

/* The 12 chains are made opaque to the compiler after every round, so
 * they are neither folded nor moved out of registers (one statement for
 * all: an asm per element kept the array in memory). */
#define KEEP(a)                                                      \
  __asm__ volatile(""                                                \
                   : "+v"(a[0]), "+v"(a[1]), "+v"(a[2]), "+v"(a[3]), \
                     "+v"(a[4]), "+v"(a[5]), "+v"(a[6]), "+v"(a[7]), \
                     "+v"(a[8]), "+v"(a[9]), "+v"(a[10]), "+v"(a[11]))

/* Where each run leaves its sums, so that none is optimised away. */
static volatile float sink;
static volatile float multiplier = 0.999f, addend = 0.001f;

/* 3 chains of 16 floats: 12 registers where the baseline has 4-float
 * vectors (x86-64's SSE2), 12 chains would spill. */
static double
run_generic (long iterations)
{
  Vec16 acc[3], x, y;

  for (int i = 0; i < 16; i++)
    x[i] = multiplier, y[i] = addend;
  for (int i = 0; i < 3; i++)
    acc[i] = x * (float) i;
  for (long k = 0; k < 4 * iterations; k++)
    for (int i = 0; i < 3; i++)
      acc[i] = acc[i] * x + y;
  for (int i = 0; i < 3; i++)
    sink += acc[i][0];
  return 2.0 * 16 * 3 * 4 * (double) iterations;
}

static gboolean
always (void)
{
  return TRUE;
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

/* run_NAME: CHAINS chains of FMA (@fma (acc, x, y): acc + x y, @flops a
 * lane) on vectors of type @Vec with @lanes floats, built for @TARGET. */
#define DEFINE_PEAK(NAME, TARGET, Vec, lanes, set1, fma, flops)           \
  __attribute__ ((target (TARGET))) static double run_##NAME (            \
    long iterations)                                                      \
  {                                                                       \
    Vec acc[CHAINS];                                                      \
    Vec x = set1 (multiplier), y = set1 (addend);                         \
                                                                          \
    for (int i = 0; i < CHAINS; i++)                                      \
      acc[i] = set1 ((float) i);                                          \
    for (long k = 0; k < iterations; k++)                                 \
      {                                                                   \
        _Pragma ("GCC unroll 12") for (int i = 0; i < CHAINS; i++) acc[i] \
          = fma (acc[i], x, y);                                           \
        KEEP (acc);                                                       \
      }                                                                   \
    return (double) (flops) * (lanes) *CHAINS * (double) iterations;      \
  }

DEFINE_PEAK (avx2, "avx2,fma", __m256, 8, _mm256_set1_ps, _mm256_fmadd_ps, 2)
DEFINE_PEAK (avx512, "avx512f", __m512, 16, _mm512_set1_ps, _mm512_fmadd_ps, 2)

#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 10
#define HAVE_BF16_PEAK 1
/* Two bfloat16 products a lane, added to the float sum. */
__attribute__ ((target ("avx512f,avx512bf16"))) static inline __m512
dot_bf16 (__m512 acc, __m512 x, __m512 y)
{
  return _mm512_dpbf16_ps (acc, (__m512bh) x, (__m512bh) y);
}

DEFINE_PEAK (avx512_bf16, "avx512f,avx512bf16", __m512, 16, _mm512_set1_ps,
             dot_bf16, 4)

static gboolean
has_avx512_bf16 (void)
{
  return __builtin_cpu_supports ("avx512bf16");
}
#endif

static gboolean
has_avx2 (void)
{
  return __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma");
}

static gboolean
has_avx512 (void)
{
  return __builtin_cpu_supports ("avx512f");
}
#endif

static const Width widths[] = {
  { "generic", run_generic, always },
#if defined(__x86_64__) || defined(__i386__)
  { "avx2", run_avx2, has_avx2 },
  { "avx512", run_avx512, has_avx512 },
#ifdef HAVE_BF16_PEAK
  { "avx512-bf16", run_avx512_bf16, has_avx512_bf16 },
#endif
#endif
};

typedef struct
{
  const Width *width;
  long iterations;
  double flops;
} Job;

static gpointer
run_job (gpointer data)
{
  Job *job = data;

  job->flops = job->width->run (job->iterations);
  return NULL;
}

/* GFLOP/s of @width on @threads threads at once, the best of @rounds. */
static double
measure (const Width *width, int threads, int rounds)
{
  double best = 0;

  for (int r = 0; r < rounds; r++)
    {
      Job *jobs = g_new0 (Job, threads);
      GThread **workers = g_new0 (GThread *, threads);
      gint64 start = g_get_monotonic_time ();
      double flops = 0, seconds;

      for (int t = 0; t < threads; t++)
        {
          jobs[t] = (Job) { width, ITERATIONS / 4, 0 };
          workers[t] = g_thread_new ("hfsr-peak", run_job, &jobs[t]);
        }
      for (int t = 0; t < threads; t++)
        {
          g_thread_join (workers[t]);
          flops += jobs[t].flops;
        }
      seconds = (g_get_monotonic_time () - start) / 1e6;
      best = MAX (best, flops / seconds / 1e9);
      g_free (workers);
      g_free (jobs);
    }
  return best;
}

void
fma_peak_print (int threads, gboolean json)
{
  if (!json)
    {
      printf ("- threads: %d\n\n", threads);
      printf ("| path | peak GFLOP/s | per thread |\n|---|---:|---:|\n");
    }
  for (gsize i = 0; i < G_N_ELEMENTS (widths); i++)
    {
      double gflops;

      if (!widths[i].available ())
        continue;
      gflops = measure (&widths[i], threads, 3);
      if (json)
        printf ("{\"path\": \"%s\", \"threads\": %d, \"peak_gflop_per_s\": "
                "%.6g}\n",
                widths[i].name, threads, gflops);
      else
        printf ("| %s | %.1f | %.1f |\n", widths[i].name, gflops,
                gflops / threads);
      fflush (stdout);
    }
}
