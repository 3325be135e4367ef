/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The enum types that several hfsr ops share, declared and registered once
 * (as GEGL's gegl-enums.h does for its own): hfsr:dog-sr hands its choices
 * on to its children, and the GIMP plug-in, which passes them as numbers,
 * names the values here.  An enum that only one op has stays in that op's
 * file (enum_start ... enum_end).
 */
#ifndef HFSR_OP_ENUMS_H
#define HFSR_OP_ENUMS_H

#include <glib-object.h>

G_BEGIN_DECLS

/* Where the scale space of the upscaled image comes from: a trained DoG-SR
 * network (Noor et al.'s methods 1 and 2) or the stack of an HF-SR
 * upscale. */
typedef enum
{
  HFSR_DOG_SR_METHOD_RESIDUAL_DOG,
  HFSR_DOG_SR_METHOD_GAUSSIAN_STACK,
  HFSR_DOG_SR_METHOD_PIXEL_SR
} HfsrOpDogSrMethod;

/* What is drawn of it: a level of the DoG or Gaussian stack, or the SIFT
 * keypoints found on it. */
typedef enum
{
  HFSR_DOG_SR_OUTPUT_DOG,
  HFSR_DOG_SR_OUTPUT_GAUSSIAN,
  HFSR_DOG_SR_OUTPUT_KEYPOINTS
} HfsrOpDogSrOutput;

/* Every method (hfsr:dog-sr, hfsr:sift-keypoints). */
GType hfsr_op_dog_sr_method_get_type (void) G_GNUC_CONST;
/* The trained ones, the first two (hfsr:dog-sr-network). */
GType hfsr_op_dog_sr_trained_method_get_type (void) G_GNUC_CONST;
/* Every output (hfsr:dog-sr). */
GType hfsr_op_dog_sr_output_get_type (void) G_GNUC_CONST;
/* The stacks, the first two (hfsr:scale-space, hfsr:dog-sr-network). */
GType hfsr_op_stack_output_get_type (void) G_GNUC_CONST;

G_END_DECLS

#endif
