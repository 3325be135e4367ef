/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * DoG Super-Resolution (Noor et al.): the Gaussian levels a trained network
 * predicts over the bicubic upscale's (engine/dog-sr.c).
 */
#ifndef HFSR_DOG_SR_H
#define HFSR_DOG_SR_H

#include "hfsr-model.h"

G_BEGIN_DECLS

/* A trained DoG Super-Resolution network (Noor et al.; hfsr.task
 * "dog-sr"): 1 grey plane in, at its scale out either the residuals of
 * D_1..D_4 over the bicubic upscale's DoG (residual-dog) or of L_1..L_5
 * over its Gaussian levels (gaussian-stack), at the five sigmas of its
 * hfsr.sigmas, in upscaled pixels. */
#define HFSR_DOG_SR_LEVELS 5

typedef enum
{
  HFSR_DOG_SR_RESIDUAL_DOG,
  HFSR_DOG_SR_GAUSSIAN_STACK
} HfsrDogSrMethod;

/* Whether @model is such a network: its method and sigmas, or
 * HFSR_ERROR_FORMAT saying what is wrong.  @method may be NULL. */
gboolean hfsr_dog_sr_check_model (const HfsrModel *model,
                                  HfsrDogSrMethod *method,
                                  double sigmas[HFSR_DOG_SR_LEVELS],
                                  GError **error);

/* The grey input @target (upscaled coordinates: @scale times @image's) of
 * hfsr_dog_sr_levels reads. */
HfsrRect hfsr_dog_sr_required_input (const HfsrModel *model, int scale,
                                     const double sigmas[HFSR_DOG_SR_LEVELS],
                                     const HfsrRect *target,
                                     const HfsrRect *image);

/* The five Gaussian levels L_1..L_5 at @sigmas over @target of the image
 * upscaled @scale times, as @model predicts them from the grey @image
 * (channel 0 of @grey, which covers hfsr_dog_sr_required_input): the
 * bicubic upscale's levels (hfsr_imresize, then hfsr_gaussian_blur of the
 * whole upscaled image, borders replicated) plus the network's output.
 * For residual-dog the widest level stays the bicubic one and
 * L_k = L_(k+1) + D_k, D_k the predicted DoG, so differences of the
 * levels give the prediction.  A NULL @model gives the bicubic levels
 * alone.  @levels: 5 planes of target->width x target->height.  A region
 * equals the same pixels of a whole-image run.  A model trained for
 * another scale or other sigmas, or sigmas that do not increase within
 * (0, 100), is HFSR_ERROR_INVALID_ARGUMENT. */
gboolean hfsr_dog_sr_levels (const HfsrModel *model, int scale,
                             const double sigmas[HFSR_DOG_SR_LEVELS],
                             const HfsrImageView *grey, const HfsrRect *image,
                             const HfsrRect *target, float *levels,
                             GError **error);

G_END_DECLS

#endif /* HFSR_DOG_SR_H */
