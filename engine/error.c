/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hfsr.h"

G_DEFINE_QUARK (hfsr-error-quark, hfsr_error)
