/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fast paths.  Each has a naive twin in tests/engine/reference.c that the
 * tests compare it with on random shapes.
 */
#ifndef HFSR_KERNELS_H
#define HFSR_KERNELS_H

#include <glib.h>

G_BEGIN_DECLS

/* kernels section: declarations added by engine/kernels/ */

G_END_DECLS

#endif
