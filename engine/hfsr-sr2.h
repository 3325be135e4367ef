/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Structure-aware SR (SR², Schirrmacher et al.): its networks and their
 * digit classifier (engine/structure-sr.c).
 */
#ifndef HFSR_SR2_H
#define HFSR_SR2_H

#include "hfsr-model.h"

G_BEGIN_DECLS

/* engine/structure-sr.c: networks that upscale a grey crop and classify what
 * it shows in parallel (Schirrmacher et al.).  Output 0 is the upscale; a
 * global output named "class" holds the class probabilities. */

/* The family prefix of the shipped networks: "hfsr-sr2-x<scale>-<arch>-l"
 * (arch "fsrcnn", "fsrcnn-noisy" — FSRCNN trained with noise too — or
 * "sequential") or "hfsr-sr2-x<scale>-wdsr<shared>-l";
 * members carry their lambda in "hfsr.lambda".  Free with g_free. */
char *hfsr_structure_sr_family (int scale, const char *arch, int shared);

/* The model file @path, or (@path NULL) the shipped family at @lambda
 * (weights blended between the two nearest trained lambdas, as
 * hfsr_model_load_for_value).  Trained: scale 2 and 4; arch "fsrcnn",
 * "fsrcnn-noisy" and "sequential" with 1 shared layer, "wdsr" with 1 or 4;
 * anything else is HFSR_ERROR_INVALID_ARGUMENT.  The network must take one
 * grey channel, give one at @scale and have a "class" output of at least
 * two classes, else HFSR_ERROR_FORMAT says what it has. */
HfsrModel *hfsr_model_load_structure_sr (const char *path, int scale,
                                         const char *arch, int shared,
                                         double lambda, GError **error);

/* Classes of the global "class" output; 0 when the model has none. */
int hfsr_model_get_n_classes (const HfsrModel *model);
/* The label of class @index: the @index-th word of the "hfsr.classes"
 * metadata, else the number.  Free with g_free. */
char *hfsr_model_get_class_label (const HfsrModel *model, int index);

/* The largest input hfsr_model_classify takes: the class is meant for a
 * crop holding one character, and the classifier keeps its full-size
 * feature maps for the whole input at once. */
#define HFSR_CLASSIFY_MAX_PIXELS (256 * 256)

/* The class probabilities (hfsr_model_get_n_classes of them, in
 * @probabilities) of the grey crop @grey (Y' in [0, 1], row-major).  Fails
 * with HFSR_ERROR_INVALID_ARGUMENT for a model without a class output or a
 * crop that is empty or larger than HFSR_CLASSIFY_MAX_PIXELS. */
gboolean hfsr_model_classify (const HfsrModel *model, const float *grey,
                              int width, int height, double *probabilities,
                              GError **error);

/* Whether the crop @grey (Y' in [0, 1], @width x @height, row-major) is
 * dark characters on a light ground, which the networks, trained on light
 * digits on black, must see inverted: the mean of its outermost pixels,
 * which for a crop of a character are ground, is above 1/2. */
gboolean hfsr_sr2_dark_on_light (const float *grey, int width, int height);

/* 1 - @grey[i] for each of the @n values: the inversion that shows a dark
 * character on light to the networks as they were trained, and its
 * result back the right way round. */
void hfsr_sr2_invert (float *grey, gsize n);

G_END_DECLS

#endif /* HFSR_SR2_H */
