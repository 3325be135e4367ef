/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Small helpers every test shares.
 */
#ifndef HFSR_TEST_UTIL_H
#define HFSR_TEST_UTIL_H

#include <glib.h>

#include "hfsr.h"

G_BEGIN_DECLS

/* Deterministic uniform floats in [lo, hi) from @seed. */
void hfsr_test_fill_random (float *data, gsize n, guint32 seed, float lo,
                            float hi);

/* Largest |a[i] - b[i]|; +inf if either holds a NaN. */
double hfsr_test_max_abs_diff (const float *a, const float *b, gsize n);

/* A file under the source tree (HFSR_SOURCE_ROOT, set by meson test). */
char *hfsr_test_source_path (const char *relative);

/* Removes @folder and the files in it (a test's temporary folder). */
void hfsr_test_remove_folder (const char *folder);

/* Runs the layers and kernels this thread calls outside a model run on
 * @n_threads engine workers (the run options' count; models are given it
 * per call). */
void hfsr_test_set_threads (int n_threads);

G_END_DECLS

#endif
