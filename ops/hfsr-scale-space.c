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

/* GEGL's property chant and op defines are not C: not formatted. */
/* clang-format off */
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

property_double (gain, _("DoG contrast (gain)"), 10.0)
  description (_("How strongly the differences of Gaussians, a few "
                 "hundredths on photos, are magnified around mid-grey "
                 "(drawn as 0.5 + gain × value): higher values show fainter "
                 "detail but turn strong edges black or white sooner."))
  value_range (0.1, 1000.0)
  ui_range    (1.0, 50.0)

#else

#define GEGL_OP_FILTER
#define GEGL_OP_NAME     hfsr_scale_space
#define GEGL_OP_C_SOURCE hfsr-scale-space.c

#include "gegl-op.h"
/* clang-format on */
#include "hfsr-op-common.h"

/* The sigmas of the Gaussians a level needs: one for a Gaussian level,
 * two for a DoG level.  Returns how many, 0 when the level does not exist
 * in that stack. */
static int
level_sigmas (const GeglProperties *o, double sigmas[2])
{
  const double all[5]
    = { o->sigma1, o->sigma2, o->sigma3, o->sigma4, o->sigma5 };

  if (!hfsr_op_level_exists (NULL, o->output, o->level))
    return 0;
  sigmas[0] = all[o->level - 1];
  if (o->output == HFSR_DOG_SR_OUTPUT_GAUSSIAN)
    return 1;
  sigmas[1] = all[o->level];
  return 2;
}

/* How far an output pixel looks: the widest blur's radius, as
 * hfsr_gaussian_blur cuts its kernel. */
static int
margin (GeglOperation *operation)
{
  double sigmas[2];
  int n = level_sigmas (GEGL_PROPERTIES (operation), sigmas);
  int radius = 0;

  for (int k = 0; k < n; k++)
    radius = MAX (radius, (int) ceil (3.0 * sigmas[k]));
  return radius;
}

/* The level over @chunk (HfsrOpInfo.planes), which exists (process checks
 * it).  The blurs see exactly the pixels that exist around the chunk, so
 * their replicated border applies at the true image border only. */
static gboolean
blur_level (GeglOperation *operation, HfsrOpChunk *chunk, GError **error)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  int width = chunk->region.width, height = chunk->region.height;
  double sigmas[2];
  int n_sigmas = level_sigmas (o, sigmas);
  HfsrTensor *blurs;

  blurs = chunk->scratch = hfsr_tensor_new (n_sigmas, height, width, error);
  if (blurs == NULL)
    return FALSE;
  for (int k = 0; k < n_sigmas; k++)
    if (!hfsr_gaussian_blur (chunk->input->data, width, height, sigmas[k],
                             hfsr_tensor_plane (blurs, k), error))
      return FALSE;

  if (n_sigmas == 2)
    hfsr_op_draw_dog (
      hfsr_tensor_plane (blurs, 0), hfsr_tensor_plane (blurs, 0),
      hfsr_tensor_plane (blurs, 1), (gsize) width * height, o->gain);
  chunk->planes[0] = hfsr_tensor_plane (blurs, 0);
  return TRUE;
}

static const HfsrOpInfo info = {
  .input_format = "Y' float",
  .output_format = "Y' float",
  .shape = HFSR_OP_LOCAL,
  .margin = margin,
  .ready = hfsr_op_stack_level_ready,
  .planes = blur_level,
};

static void
gegl_op_class_init (GeglOpClass *klass)
{
  hfsr_op_class_init (
    GEGL_OPERATION_CLASS (klass), &info, "name", "hfsr:scale-space", "title",
    _ ("Scale-space level"), "categories", "edge-detect:hfsr", "description",
    _ ("One level of the Gaussian or Difference-of-Gaussian stack that "
       "SIFT finds keypoints on, computed on the image's grey Y' at five "
       "sigmas (Noor et al.'s by default).  DoG values are drawn around "
       "mid-grey."),
    NULL);
}

#endif
