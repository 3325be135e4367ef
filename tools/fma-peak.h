/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-bench --peak (fma-peak.c).
 */
#pragma once

#include <glib.h>

/* Prints, for each vector width of the engine's kernel paths that this CPU
 * runs, the multiply-add peak in GFLOP/s of @threads threads at once: a
 * Markdown table, or one JSON object per width with @json. */
void fma_peak_print (int threads, gboolean json);
