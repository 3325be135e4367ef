/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:dog-sr — the Difference-of-Gaussian (or Gaussian) stack that SIFT
 * detects on, of a super-resolved image, at sigmas given at the upscaled
 * size: Noor et al.'s question of which keypoints survive a low
 * resolution.  The image is upscaled by hfsr:super-resolution (alpha 0)
 * and the level is computed by hfsr:scale-space: a meta op, so both keep
 * their own tiling and the stack is exact at every chunk seam.
 */
#include "hfsr-config.h"

#include <glib/gi18n-lib.h>

#ifdef GEGL_PROPERTIES

enum_start (hfsr_dog_sr_output)
  enum_value (HFSR_DOG_SR_DOG,      "dog",      N_("Difference of Gaussians"))
  enum_value (HFSR_DOG_SR_GAUSSIAN, "gaussian", N_("Gaussian"))
enum_end (HfsrDogSrOutput)

property_int (scale, _("Scale"), 2)
  description (_("Upscaling factor; the sigmas are in pixels of the "
                 "upscaled image."))
  value_range (2, 4)

property_enum (output, _("Output"), HfsrDogSrOutput, hfsr_dog_sr_output,
               HFSR_DOG_SR_DOG)
  description (_("Difference of Gaussians: level i is L_i - L_(i+1) of the "
                 "upscaled image, drawn as 0.5 + gain * value (levels 1-4).  "
                 "Gaussian: level k is the upscaled image blurred with sigma "
                 "k (levels 1-5)."))

property_int (level, _("Level"), 1)
  description (_("Which level of the stack: 1-4 for the DoG, 1-5 for the "
                 "Gaussians."))
  value_range (1, 5)

property_double (sigma1, _("Sigma 1"), 1.249)
  description (_("Gaussian sigma of level 1, in pixels of the upscaled "
                 "image (SIFT's first octave by default)."))
  value_range (0.1, 100.0)
  ui_range    (0.1, 10.0)
property_double (sigma2, _("Sigma 2"), 1.545)
  description (_("Gaussian sigma of level 2."))
  value_range (0.1, 100.0)
  ui_range    (0.1, 10.0)
property_double (sigma3, _("Sigma 3"), 1.96588)
  description (_("Gaussian sigma of level 3."))
  value_range (0.1, 100.0)
  ui_range    (0.1, 10.0)
property_double (sigma4, _("Sigma 4"), 2.452527)
  description (_("Gaussian sigma of level 4."))
  value_range (0.1, 100.0)
  ui_range    (0.1, 10.0)
property_double (sigma5, _("Sigma 5"), 3.090016)
  description (_("Gaussian sigma of level 5."))
  value_range (0.1, 100.0)
  ui_range    (0.1, 10.0)

property_double (gain, _("Gain"), 10.0)
  description (_("How much a signed DoG value is magnified around "
                 "mid-grey."))
  value_range (0.1, 1000.0)
  ui_range    (1.0, 50.0)

#else

#define GEGL_OP_META
#define GEGL_OP_NAME     hfsr_dog_sr
#define GEGL_OP_C_SOURCE hfsr-dog-sr.c

#include "gegl-op.h"

typedef struct
{
  GeglNode *upscale;
  GeglNode *level;
} Children;

static void
attach (GeglOperation *operation)
{
  GeglProperties *o     = GEGL_PROPERTIES (operation);
  GeglNode       *gegl  = operation->node;
  Children       *nodes = g_new0 (Children, 1);

  nodes->upscale = gegl_node_new_child (gegl,
                                        "operation", "hfsr:super-resolution",
                                        "alpha", 0.0, NULL);
  nodes->level   = gegl_node_new_child (gegl,
                                        "operation", "hfsr:scale-space",
                                        NULL);
  gegl_node_link_many (gegl_node_get_input_proxy (gegl, "input"),
                       nodes->upscale, nodes->level,
                       gegl_node_get_output_proxy (gegl, "output"), NULL);
  o->user_data = nodes;
}

/* The two enums are separate GTypes with the same values in the same
 * order, so the output choice is passed on by its value. */
static void
update_graph (GeglOperation *operation)
{
  GeglProperties *o     = GEGL_PROPERTIES (operation);
  Children       *nodes = o->user_data;

  if (nodes == NULL)
    return;
  gegl_node_set (nodes->upscale, "scale", o->scale, NULL);
  gegl_node_set (nodes->level,
                 "output", (int) o->output,
                 "level",  o->level,
                 "sigma1", o->sigma1, "sigma2", o->sigma2,
                 "sigma3", o->sigma3, "sigma4", o->sigma4,
                 "sigma5", o->sigma5,
                 "gain",   o->gain,
                 NULL);
}

static void
dispose (GObject *object)
{
  GeglProperties *o = GEGL_PROPERTIES (object);

  g_clear_pointer (&o->user_data, g_free);
  G_OBJECT_CLASS (gegl_op_parent_class)->dispose (object);
}

static void
gegl_op_class_init (GeglOpClass *klass)
{
  GObjectClass           *object_class    = G_OBJECT_CLASS (klass);
  GeglOperationClass     *operation_class = GEGL_OPERATION_CLASS (klass);
  GeglOperationMetaClass *meta_class      = GEGL_OPERATION_META_CLASS (klass);

  object_class->dispose   = dispose;
  operation_class->attach = attach;
  meta_class->update      = update_graph;

  gegl_operation_class_set_keys (operation_class,
    "name",        "hfsr:dog-sr",
    "title",       _("DoG Super-Resolution"),
    "categories",  "enhance:hfsr",
    "description",
      _("Upscales an image with HF Super-Resolution and shows one level of "
        "its Difference-of-Gaussian or Gaussian stack, the scale space that "
        "SIFT finds keypoints on, at sigmas given at the upscaled size.  "
        "DoG values are drawn around mid-grey."),
    NULL);
}

#endif
