/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the model loader's tests (test-model.c, test-model-good.c) share: a
 * small WDSR-shaped model file and loading bytes under a fixed name.
 */
#ifndef HFSR_MODEL_TEST_UTIL_H
#define HFSR_MODEL_TEST_UTIL_H

#include <glib.h>

#include "hfsr.h"
#include "model-builder.h"

G_BEGIN_DECLS

/* The name models loaded from memory go by; messages start with it. */
#define MODEL_TEST_CASE_NAME "case.safetensors"

/* A WDSR-shaped x2 model: head 3x3, one residual block, tail 3x3 + pixel
 * shuffle, skip 5x5 + pixel shuffle, sum.  Bands (output pixels): the tail
 * branch 1 + 2 + 1 = 4 input pixels -> 8 output pixels; the skip 2 -> 4;
 * so the margin is ceil(8 / 2) = 4 input pixels.  Metadata: hfsr.scale 2,
 * hfsr.alpha 0.25 and custom.key "kept as is". */
HfsrModelBuilder *model_test_wdsr_builder (void);

/* That model's file. */
GBytes *model_test_wdsr_bytes (void);

/* hfsr_model_load_from_data on @bytes, named MODEL_TEST_CASE_NAME. */
HfsrModel *model_test_load_bytes (GBytes *bytes, GError **error);

G_END_DECLS

#endif
