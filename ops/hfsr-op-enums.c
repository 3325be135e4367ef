/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hfsr-config.h"

#include <glib/gi18n-lib.h>

#include "hfsr-op-enums.h"

/* Each table is the values of the widest type; an op that offers fewer
 * registers the first ones, so a value means the same in every op and
 * hfsr:dog-sr passes its choices on as they are. */
static const GEnumValue dog_sr_methods[] = {
  { HFSR_DOG_SR_METHOD_RESIDUAL_DOG, N_ ("Residual DoG (method 1)"),
    "residual-dog" },
  { HFSR_DOG_SR_METHOD_GAUSSIAN_STACK, N_ ("Gaussian stack (method 2)"),
    "gaussian-stack" },
  { HFSR_DOG_SR_METHOD_PIXEL_SR, N_ ("Pixel SR, then the stack"), "pixel-sr" },
};

static const GEnumValue dog_sr_outputs[] = {
  { HFSR_DOG_SR_OUTPUT_DOG, N_ ("Difference of Gaussians"), "dog" },
  { HFSR_DOG_SR_OUTPUT_GAUSSIAN, N_ ("Gaussian"), "gaussian" },
  { HFSR_DOG_SR_OUTPUT_KEYPOINTS, N_ ("SIFT keypoints"), "keypoints" },
};

/* Registers @name with the first @n of @values, their labels in hfsr's
 * catalogue (module.c binds it), as gegl-op.h registers an op's own enums.
 * The copy lives as long as the type, that is for good. */
static GType
register_enum (const gchar *name, const GEnumValue *values, guint n)
{
  GEnumValue *copy = g_new0 (GEnumValue, n + 1); /* ends with zeros */

  for (guint i = 0; i < n; i++)
    {
      copy[i] = values[i];
      copy[i].value_name = dgettext (GETTEXT_PACKAGE, values[i].value_name);
    }
  return g_enum_register_static (name, copy);
}

#define HFSR_DEFINE_ENUM(func, name, values, n)                   \
  GType func (void)                                               \
  {                                                               \
    static gsize type = 0;                                        \
                                                                  \
    if (g_once_init_enter (&type))                                \
      g_once_init_leave (&type, register_enum (name, values, n)); \
    return type;                                                  \
  }

HFSR_DEFINE_ENUM (hfsr_op_dog_sr_method_get_type, "HfsrOpDogSrMethod",
                  dog_sr_methods, 3)
HFSR_DEFINE_ENUM (hfsr_op_dog_sr_trained_method_get_type,
                  "HfsrOpDogSrTrainedMethod", dog_sr_methods, 2)
HFSR_DEFINE_ENUM (hfsr_op_dog_sr_output_get_type, "HfsrOpDogSrOutput",
                  dog_sr_outputs, 3)
HFSR_DEFINE_ENUM (hfsr_op_stack_output_get_type, "HfsrOpStackOutput",
                  dog_sr_outputs, 2)
