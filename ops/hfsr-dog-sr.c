/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:dog-sr — the Difference-of-Gaussian (or Gaussian) stack that SIFT
 * detects on, super-resolved, at sigmas given at the upscaled size: Noor
 * et al.'s question of which keypoints survive a low resolution.  A meta
 * op: the trained methods are hfsr:dog-sr-network; pixel-sr upscales with
 * hfsr:super-resolution (alpha 0) and takes the level with
 * hfsr:scale-space.  Each child keeps its own tiling, so the stack is
 * exact at every chunk seam.
 */
#include "hfsr-config.h"

#include <glib/gi18n-lib.h>

#include "hfsr-gegl-compat.h"
#include "hfsr-op-enums.h"

/* GEGL's property chant and op defines are not C: not formatted. */
/* clang-format off */
#ifdef GEGL_PROPERTIES

property_int (scale, _("Scale factor"), 2)
  description (_("Upscaling factor; the sigmas are in pixels of the "
                 "upscaled image."))
  value_range (2, 4)

property_enum (method, _("Method"), HfsrOpDogSrMethod, hfsr_op_dog_sr_method,
               HFSR_DOG_SR_METHOD_GAUSSIAN_STACK)
  description (_("Residual DoG and Gaussian stack: networks trained for "
                 "the default sigmas at x2 and x4 predict the DoG (or "
                 "Gaussian) levels as corrections of the bicubic "
                 "upscale's.  Pixel SR: the stack of the HF Super-"
                 "Resolution upscale, at any sigmas and scale."))

property_enum (output, _("Output"), HfsrOpDogSrOutput, hfsr_op_dog_sr_output,
               HFSR_DOG_SR_OUTPUT_DOG)
  description (_("Difference of Gaussians: level i is L_i - L_(i+1) of the "
                 "upscaled image, drawn as 0.5 + gain * value (levels 1-4).  "
                 "Gaussian: level k is the upscaled image blurred with sigma "
                 "k (levels 1-5).  SIFT keypoints: the keypoints found on "
                 "the super-resolved stack, drawn over the HF "
                 "Super-Resolution upscale (circles of radius 2 sigma)."))

property_int (level, _("Level"), 1)
  description (_("Which level of the stack: 1-4 for the DoG, 1-5 for the "
                 "Gaussians."))
  value_range (1, 5)

#include "hfsr-sigma-properties.h"

property_double (gain, _("DoG contrast (gain)"), 10.0)
  description (_("How strongly the differences of Gaussians, a few "
                 "hundredths on photos, are magnified around mid-grey "
                 "(drawn as 0.5 + gain × value): higher values show fainter "
                 "detail but turn strong edges black or white sooner."))
  value_range (0.1, 1000.0)
  ui_range    (1.0, 50.0)

#else

#define GEGL_OP_META
#define GEGL_OP_NAME     hfsr_dog_sr
#define GEGL_OP_C_SOURCE hfsr-dog-sr.c

#include "gegl-op.h"
/* clang-format on */

typedef struct
{
  GeglNode *upscale;
  GeglNode *level;
  GeglNode *network;
  GeglNode *keypoints;
} Children;

static void update_graph (GeglOperation *operation);

/* Has the property @name of each of the @n_children @children follow
 * @operation's (GEGL's redirect: set now and whenever it changes). */
static void
redirect (GeglOperation *operation, const char *name, GeglNode **children,
          guint n_children)
{
  for (guint i = 0; i < n_children; i++)
    gegl_operation_meta_redirect (operation, name, children[i], name);
}

/* The properties that mean the same in a child follow this op's. */
static void
redirect_properties (GeglOperation *operation, Children *nodes)
{
  static const char *const sigmas[]
    = { "sigma1", "sigma2", "sigma3", "sigma4", "sigma5" };
  GeglNode *scaled[] = { nodes->upscale, nodes->network, nodes->keypoints };
  GeglNode *stacks[] = { nodes->level, nodes->network, nodes->keypoints };
  GeglNode *levels[] = { nodes->level, nodes->network };

  redirect (operation, "scale", scaled, G_N_ELEMENTS (scaled));
  for (guint k = 0; k < G_N_ELEMENTS (sigmas); k++)
    redirect (operation, sigmas[k], stacks, G_N_ELEMENTS (stacks));
  redirect (operation, "level", levels, G_N_ELEMENTS (levels));
  redirect (operation, "gain", levels, G_N_ELEMENTS (levels));
  /* Of the same enum type in both (hfsr-op-enums.h). */
  redirect (operation, "method", &nodes->keypoints, 1);
}

static void
attach (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  GeglNode *gegl = operation->node;
  Children *nodes = g_new0 (Children, 1);

  nodes->upscale = gegl_node_new_child (
    gegl, "operation", "hfsr:super-resolution", "alpha", 0.0, NULL);
  nodes->level
    = gegl_node_new_child (gegl, "operation", "hfsr:scale-space", NULL);
  nodes->network
    = gegl_node_new_child (gegl, "operation", "hfsr:dog-sr-network", NULL);
  nodes->keypoints
    = gegl_node_new_child (gegl, "operation", "hfsr:sift-keypoints", NULL);
  o->user_data = nodes;
  redirect_properties (operation, nodes);
  update_graph (operation);
}

/* Links the children that the method and output need.  hfsr:scale-space
 * draws the stacks alone, and hfsr:dog-sr-network knows the trained
 * methods alone: those two choices are passed on to the child that draws
 * them, where it has their value (the same in every op: hfsr-op-enums.h),
 * not bound. */
static void
update_graph (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  Children *nodes = o->user_data;
  GeglNode *gegl = operation->node;
  GeglNode *input, *output;

  if (nodes == NULL)
    return;
  input = gegl_node_get_input_proxy (gegl, "input");
  output = gegl_node_get_output_proxy (gegl, "output");
  if (o->output == HFSR_DOG_SR_OUTPUT_KEYPOINTS)
    {
      gegl_node_link_many (input, nodes->upscale, nodes->keypoints, output,
                           NULL);
      hfsr_node_connect (input, "output", nodes->keypoints, "aux");
    }
  else if (o->method == HFSR_DOG_SR_METHOD_PIXEL_SR)
    {
      gegl_node_set (nodes->level, "output", (int) o->output, NULL);
      gegl_node_link_many (input, nodes->upscale, nodes->level, output, NULL);
    }
  else
    {
      gegl_node_set (nodes->network, "method", (int) o->method, "output",
                     (int) o->output, NULL);
      gegl_node_link_many (input, nodes->network, output, NULL);
    }
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
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GeglOperationClass *operation_class = GEGL_OPERATION_CLASS (klass);
  GeglOperationMetaClass *meta_class = GEGL_OPERATION_META_CLASS (klass);

  object_class->dispose = dispose;
  operation_class->attach = attach;
  meta_class->update = update_graph;

  /* Hidden from GIMP's filter lists: a layer filter cannot grow the
   * canvas (see hfsr-super-resolution.c); the GIMP plug-ins run it. */
  gegl_operation_class_set_keys (
    operation_class, "name", "hfsr:dog-sr", "title",
    _ ("DoG Super-Resolution"), "categories", "hidden:enhance:hfsr",
    "description",
    _ ("One level of the Difference-of-Gaussian or Gaussian stack of the "
       "upscaled image, the scale space that SIFT finds keypoints on, as "
       "Noor et al. super-resolve it: networks trained for Noor's sigmas "
       "at x2 and x4 predict the levels directly (residual DoG or "
       "Gaussian stack), or the image is upscaled with HF "
       "Super-Resolution first (pixel SR, any sigmas).  DoG values are "
       "drawn around mid-grey."),
    NULL);
}

#endif
