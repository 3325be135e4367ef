/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include <glib/gstdio.h>

#include "test-util.h"
#include "kernels/kernels.h"

void
hfsr_test_fill_random (float *data, gsize n, guint32 seed, float lo, float hi)
{
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < n; i++)
    data[i] = (float) g_rand_double_range (rand, lo, hi);
  g_rand_free (rand);
}

double
hfsr_test_max_abs_diff (const float *a, const float *b, gsize n)
{
  double worst = 0.0;

  for (gsize i = 0; i < n; i++)
    {
      double d = fabs ((double) a[i] - (double) b[i]);

      if (isnan (d))
        return INFINITY;
      if (d > worst)
        worst = d;
    }
  return worst;
}

char *
hfsr_test_source_path (const char *relative)
{
  const char *root = g_getenv ("HFSR_SOURCE_ROOT");

  return g_build_filename (root ? root : ".", relative, NULL);
}

void
hfsr_test_remove_folder (const char *folder)
{
  GDir *dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      char *path = g_build_filename (folder, name, NULL);

      g_unlink (path);
      g_free (path);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (folder);
}

void
hfsr_test_set_threads (int n_threads)
{
  /* A scope never left: the thread keeps these options until the next
   * call, as a test running one kernel after another wants. */
  HfsrRunOptions options = { n_threads, HFSR_KERNEL_AUTO };
  HfsrRunOptions unused;

  hfsr_run_scope_enter (&options, &unused);
}
