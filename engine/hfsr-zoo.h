/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Finding models by name and value, and blending two trainings of one
 * network (engine/model-zoo.c, engine/blend.c).
 */
#ifndef HFSR_ZOO_H
#define HFSR_ZOO_H

#include "hfsr-model.h"

G_BEGIN_DECLS

/* engine/model-zoo.c and model.c.  Shipped models are found by file name in
 * the model search path.  A family of models trained for several values of
 * one parameter (Zhou et al.'s alpha, SR²'s lambda), each fine-tuned from
 * the same start, is used as a continuum: between two trained values their
 * weights are blended. */

/* A new model whose every weight is (1 - t) a + t b, 0 <= t <= 1 (t = 0
 * gives a's weights and t = 1 b's, exactly).  The two must be one network:
 * the same hfsr.graph text and the same tensors (names and shapes), else
 * HFSR_ERROR_INVALID_ARGUMENT naming both and the first difference.  The
 * result carries a's metadata unchanged (so a's training parameters: the
 * caller records what it blended for) and is named "<a> + <b> at t = <t>".
 * A t outside [0, 1] is HFSR_ERROR_INVALID_ARGUMENT; allocation failure
 * HFSR_ERROR_NO_MEMORY. */
HfsrModel *hfsr_model_blend (const HfsrModel *a, const HfsrModel *b, double t,
                             GError **error);

/* The folders searched for model files, in order: each non-empty folder of
 * the environment variable HFSR_MODEL_PATH (colon-separated; `meson devenv`
 * and the tests point it at the source tree's models/), then the installed
 * model folder (HFSR_MODEL_DIR).  Read anew at every call.  NULL-terminated;
 * free with g_strfreev. */
char **hfsr_model_search_path (void);

/* One trained model of a family. */
typedef struct
{
  char *path;
  double value; /* the number in its metadata key */
} HfsrModelVariant;

/* The family (@prefix, @key): every file <prefix>*.safetensors in the
 * first search path folder that holds any (e.g. "hfsr-x2-a" finds
 * hfsr-x2-a0.safetensors and hfsr-x2-a1-5.safetensors), with the decimal
 * number in its metadata @key (e.g. "hfsr.alpha"), in increasing value.
 * One folder only: its members are blended, which only makes sense within
 * one training, so a family on HFSR_MODEL_PATH replaces the installed one
 * as a whole.  Where files share a value (within 1e-9) the first by name
 * (byte order) stands.  Every matching file is loaded, and one that fails
 * to load or lacks a number in @key fails the call with an error naming
 * it: a damaged model is reported, never skipped.  No matching file is no
 * error (*n_variants 0).  Free *variants with hfsr_model_variants_free. */
gboolean hfsr_model_find_variants (const char *prefix, const char *key,
                                   HfsrModelVariant **variants,
                                   int *n_variants, GError **error);
void hfsr_model_variants_free (HfsrModelVariant *variants, int n_variants);

/* The family's model for @value: the variant trained for @value (within
 * 1e-9); between two trained values, hfsr_model_blend of the two nearest
 * with t = (value - below) / (above - below), its @key metadata then set to
 * @value; outside the trained range, the nearest end's variant as it is
 * (weights are never extrapolated).  Fails with HFSR_ERROR_IO when the
 * family has no file in the search path, HFSR_ERROR_INVALID_ARGUMENT on a
 * NaN @value, and with the errors of hfsr_model_find_variants and
 * hfsr_model_blend. */
HfsrModel *hfsr_model_load_for_value (const char *prefix, const char *key,
                                      double value, GError **error);

/* An HF Super-Resolution network: the model file @path, or (@path NULL)
 * the shipped family "hfsr-x<scale>-a" at @alpha (hfsr_model_load_for_value
 * on the key "hfsr.alpha"), or with @perceptual the family
 * "hfsr-x<scale>-perceptual" (the sharp variant, fine-tuned after Roh &
 * Kang; one file a scale, found by its "hfsr.scale", whatever @alpha).
 * Each must turn R'G'B' into
 * R'G'B' at @scale, else HFSR_ERROR_FORMAT says what it does instead. */
HfsrModel *hfsr_model_load_sr (const char *path, int scale, double alpha,
                               gboolean perceptual, GError **error);

G_END_DECLS

#endif /* HFSR_ZOO_H */
