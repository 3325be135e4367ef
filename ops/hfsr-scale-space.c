/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:scale-space — one level of the Gaussian (L_k = G(sigma_k) * I) or
 * Difference-of-Gaussian (D_i = L_i - L_{i+1}) stack that SIFT detects
 * keypoints on, at five sigmas (Noor et al.'s by default), of the image's
 * grey Y'.  hfsr:dog-sr shows the same levels of a super-resolved image.
 */
#include "hfsr-config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "hfsr-op-enums.h"

#ifdef GEGL_PROPERTIES

property_enum (output, _("Output"),
               HfsrOpDogSrOutput, hfsr_op_stack_output,
               HFSR_DOG_SR_OUTPUT_DOG)
  description (_("Difference of Gaussians: level i is L_i - L_(i+1), drawn "
                 "as 0.5 + gain * value so that 0 is mid-grey (levels 1-4).  "
                 "Gaussian: level k is the image blurred with sigma k "
                 "(levels 1-5)."))

property_int (level, _("Level"), 1)
  description (_("Which level of the stack: 1-4 for the DoG, 1-5 for the "
                 "Gaussians."))
  value_range (1, 5)

#include "hfsr-sigma-properties.h"

property_double (gain, _("Gain"), 10.0)
  description (_("How much a signed DoG value is magnified around "
                 "mid-grey: DoG values are small (a few hundredths on "
                 "photos)."))
  value_range (0.1, 1000.0)
  ui_range    (1.0, 50.0)

#else

#define GEGL_OP_FILTER
#define GEGL_OP_NAME     hfsr_scale_space
#define GEGL_OP_C_SOURCE hfsr-scale-space.c

#include "gegl-op.h"
#include "hfsr-op-common.h"

/* Grey level at which a DoG value of 0 is drawn. */
#define SIGNED_ZERO 0.5f

/* The sigmas of the Gaussians a level needs: one for a Gaussian level,
 * two for a DoG level.  Returns how many, 0 when the level does not exist
 * in that stack. */
static int
level_sigmas (const GeglProperties *o,
              double                sigmas[2])
{
  const double all[5] = { o->sigma1, o->sigma2, o->sigma3, o->sigma4,
                          o->sigma5 };

  if (o->output == HFSR_DOG_SR_OUTPUT_GAUSSIAN)
    {
      if (o->level < 1 || o->level > 5)
        return 0;
      sigmas[0] = all[o->level - 1];
      return 1;
    }
  if (o->level < 1 || o->level > 4)
    return 0;
  sigmas[0] = all[o->level - 1];
  sigmas[1] = all[o->level];
  return 2;
}

/* How far an output pixel looks: the widest blur's radius, as
 * hfsr_gaussian_blur cuts its kernel. */
static int
margin (const GeglProperties *o)
{
  double sigmas[2];
  int    n      = level_sigmas (o, sigmas);
  int    radius = 0;

  for (int k = 0; k < n; k++)
    radius = MAX (radius, (int) ceil (3.0 * sigmas[k]));
  return radius;
}

static void
prepare (GeglOperation *operation)
{
  const Babl *space  = gegl_operation_get_source_space (operation, "input");
  const Babl *format = babl_format_with_space ("Y' float", space);

  gegl_operation_set_format (operation, "input", format);
  gegl_operation_set_format (operation, "output", format);
}

static GeglRectangle
get_required_for_output (GeglOperation       *operation,
                         const gchar         *input_pad,
                         const GeglRectangle *roi)
{
  return hfsr_op_grow_within (roi, margin (GEGL_PROPERTIES (operation)),
                              gegl_operation_source_get_bounding_box (operation,
                                                                      "input"));
}

/* The blurs see exactly the pixels that exist around @result
 * (hfsr_op_grow_within), so their replicated border applies at the true
 * image border only and a chunk comes out as it does from a whole-image
 * run. */
static gboolean
process (GeglOperation       *operation,
         GeglBuffer          *input,
         GeglBuffer          *output,
         const GeglRectangle *result,
         gint                 level)
{
  GeglProperties      *o      = GEGL_PROPERTIES (operation);
  const Babl          *format = gegl_operation_get_format (operation, "output");
  const GeglRectangle *extent =
    gegl_operation_source_get_bounding_box (operation, "input");
  GeglRectangle        wanted = *result;
  GeglRectangle        region;
  HfsrTensor          *image  = NULL;
  HfsrTensor          *blurs  = NULL;
  const float         *planes[1];
  double               sigmas[2];
  int                  n_sigmas;
  GError              *error  = NULL;
  gboolean             success = FALSE;

  n_sigmas = level_sigmas (o, sigmas);
  if (n_sigmas == 0)
    {
      g_set_error (&error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "level %d does not exist: the DoG stack has levels 1-4, "
                   "the Gaussian stack 1-5", o->level);
      goto out;
    }
  if (extent != NULL && ! gegl_rectangle_intersect (&wanted, result, extent))
    return TRUE;
  region = hfsr_op_grow_within (&wanted, margin (o), extent);

  image = hfsr_op_read_planes (operation, input, &region, format, &error);
  if (image != NULL)
    blurs = hfsr_tensor_new (n_sigmas, region.height, region.width, &error);
  if (blurs == NULL)
    goto out;
  for (int k = 0; k < n_sigmas; k++)
    if (! hfsr_gaussian_blur (image->data, region.width, region.height,
                              sigmas[k], hfsr_tensor_plane (blurs, k), &error))
      goto out;

  if (n_sigmas == 2)
    {
      const float *upper = hfsr_tensor_plane (blurs, 1);
      float       *dog   = hfsr_tensor_plane (blurs, 0);
      gsize        n     = (gsize) region.width * region.height;

      for (gsize i = 0; i < n; i++)
        dog[i] = SIGNED_ZERO + (float) o->gain * (dog[i] - upper[i]);
    }
  planes[0] = hfsr_tensor_plane (blurs, 0);
  success = hfsr_op_write_planes (output, &wanted, planes, &region, format,
                                  &error);

out:
  hfsr_op_warn (operation, &error);
  hfsr_tensor_free (blurs);
  hfsr_tensor_free (image);
  return success;
}

static void
gegl_op_class_init (GeglOpClass *klass)
{
  GeglOperationClass       *operation_class = GEGL_OPERATION_CLASS (klass);
  GeglOperationFilterClass *filter_class    = GEGL_OPERATION_FILTER_CLASS (klass);

  filter_class->process                      = process;
  operation_class->prepare                   = prepare;
  operation_class->get_required_for_output   = get_required_for_output;
  operation_class->get_invalidated_by_change =
    hfsr_op_get_invalidated_symmetric;

  gegl_operation_class_set_keys (operation_class,
    "name",        "hfsr:scale-space",
    "title",       _("Scale-space level"),
    "categories",  "edge-detect:hfsr",
    "description",
      _("One level of the Gaussian or Difference-of-Gaussian stack that "
        "SIFT finds keypoints on, computed on the image's grey Y' at five "
        "sigmas (Noor et al.'s by default).  DoG values are drawn around "
        "mid-grey."),
    NULL);
}

#endif
