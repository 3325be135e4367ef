/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:sift-keypoints — SIFT keypoints drawn over an upscaled image: a
 * circle of radius 2 sigma and a line along the orientation for each.  The
 * keypoints come from the upscaled image itself (pixel-sr), or from the
 * stack a DoG-SR network predicts from the small image on aux (Noor et
 * al.'s methods), as hfsr-sift finds them.  Keypoints depend on the whole
 * image, so it is computed in one piece and kept.  hfsr:dog-sr's
 * output=keypoints and the GIMP filter's overlay layer use it.
 */
#include "hfsr-config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "hfsr-op-enums.h"

/* GEGL's property chant and op defines are not C: not formatted. */
/* clang-format off */
#ifdef GEGL_PROPERTIES

property_enum (method, _("Method"), HfsrOpDogSrMethod,
               hfsr_op_dog_sr_method, HFSR_DOG_SR_METHOD_PIXEL_SR)
  description (_("Where SIFT's first octave comes from: a DoG-SR network "
                 "run on the small image (aux), or the input image "
                 "itself."))

property_int (scale, _("Scale factor"), 2)
  description (_("How much larger the input is than aux (trained "
                 "methods)."))
  value_range (2, 4)

#include "hfsr-sigma-properties.h"

property_boolean (overlay, _("Overlay only"), FALSE)
  description (_("Draw the keypoints on a transparent layer instead of "
                 "over the input."))

#else

#define GEGL_OP_COMPOSER
#define GEGL_OP_NAME     hfsr_sift_keypoints
#define GEGL_OP_C_SOURCE hfsr-sift-keypoints.c

#include "gegl-op.h"
/* clang-format on */
#include "hfsr-op-common.h"

/* What the keypoints are drawn in: bright green, which photos rarely
 * hold. */
static const float MARK[4] = { 0.15f, 1.0f, 0.25f, 1.0f };

/* The shipped network of the trained method: the stack must be the one
 * hfsr-sift finds keypoints on. */
static HfsrModel *
load_model (GeglOperation *operation, GError **error)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);

  return hfsr_op_dog_sr_load_shipped (o->scale, o->method, error);
}

static char *
model_key (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);

  return g_strdup_printf ("x%d %s", o->scale,
                          hfsr_op_dog_sr_method_name (o->method));
}

static const HfsrOpNetwork network
  = { model_key, load_model, NULL, "no keypoints: " };

/* One pixel of a mark, clipped to the image. */
static void
plot (float *pixels, int width, int height, double x, double y)
{
  int px = (int) lround (x), py = (int) lround (y);

  if (px >= 0 && py >= 0 && px < width && py < height)
    memcpy (pixels + ((gsize) py * width + px) * 4, MARK, sizeof MARK);
}

/* A circle of radius 2 sigma (at least 2 pixels) and a radius along the
 * orientation, one pixel wide, in image pixels whose centres sit at
 * integer coordinates. */
static void
draw_keypoint (float *pixels, int width, int height, const HfsrKeypoint *k)
{
  double r = MAX (2.0, 2.0 * k->sigma);
  int steps = (int) ceil (2.0 * G_PI * r) * 2;

  for (int i = 0; i < steps; i++)
    {
      double a = 2.0 * G_PI * i / steps;

      plot (pixels, width, height, k->x + r * cos (a), k->y + r * sin (a));
    }
  for (int i = 0; i <= (int) ceil (r) * 2; i++)
    {
      double t = r * i / (ceil (r) * 2);

      plot (pixels, width, height, k->x + t * cos (k->orientation),
            k->y + t * sin (k->orientation));
    }
}

/* The keypoints of the whole image, as the method finds them. */
static gboolean
find_keypoints (GeglOperation *operation, GeglBuffer *input, GeglBuffer *aux,
                const GeglRectangle *box, HfsrKeypoint **keypoints, int *n,
                GError **error)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  const Babl *grey_format = gegl_operation_get_format (operation, "aux");
  const double sigmas[HFSR_DOG_SR_LEVELS]
    = { o->sigma1, o->sigma2, o->sigma3, o->sigma4, o->sigma5 };
  HfsrSiftParams params;
  float *grey = NULL, *levels = NULL;
  gboolean done = FALSE;

  hfsr_sift_params_init (&params);
  hfsr_sift_params_set_stack (&params, sigmas);

  if (o->method == HFSR_DOG_SR_METHOD_PIXEL_SR)
    {
      grey = hfsr_op_pixels_new (box->width, box->height, 1, error);
      if (grey == NULL)
        return FALSE;
      done
        = hfsr_op_get_pixels (operation, input, box, grey_format, grey, error)
          && hfsr_sift_detect_image (grey, box->width, box->height, &params,
                                     keypoints, n, error);
    }
  else
    {
      GeglRectangle lr = hfsr_op_source_extent (operation, "aux");
      HfsrOpModel *shared;
      gsize plane = (gsize) box->width * box->height;

      if (aux == NULL || lr.width * o->scale != box->width
          || lr.height * o->scale != box->height)
        {
          g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                       "the small image (aux, %d x %d) must be the input "
                       "(%d x %d) shrunk %d times",
                       lr.width, lr.height, box->width, box->height, o->scale);
          return FALSE;
        }
      shared = hfsr_op_model_acquire (operation, &network);
      if (shared == NULL)
        {
          g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO,
                       "no DoG-SR network for x%d %s", o->scale,
                       hfsr_op_dog_sr_method_name (o->method));
          return FALSE;
        }
      grey = hfsr_op_pixels_new (lr.width, lr.height, 1, error);
      levels = grey ? hfsr_op_pixels_new (
                 box->width, box->height * HFSR_DOG_SR_LEVELS, 1, error)
                    : NULL;
      if (levels != NULL)
        {
          HfsrRect image = { lr.x, lr.y, lr.width, lr.height };
          HfsrRect target
            = { lr.x * o->scale, lr.y * o->scale, box->width, box->height };
          HfsrImageView view = { grey, 1, (gsize) lr.width, image };
          const float *planes[HFSR_DOG_SR_LEVELS];

          for (int k = 0; k < HFSR_DOG_SR_LEVELS; k++)
            planes[k] = levels + k * plane;
          done = hfsr_op_get_pixels (operation, aux, &lr, grey_format, grey,
                                     error)
                 && hfsr_dog_sr_levels (shared->model, o->scale, sigmas, &view,
                                        &image, &target, levels, error)
                 && hfsr_sift_detect_stack (planes, HFSR_DOG_SR_LEVELS,
                                            box->width, box->height, &params,
                                            keypoints, n, error);
        }
      hfsr_op_model_release (shared);
    }
  g_free (grey);
  g_free (levels);
  return done;
}

static gboolean
process (GeglOperation *operation, GeglBuffer *input, GeglBuffer *aux,
         GeglBuffer *output, const GeglRectangle *result, gint level)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  const Babl *format = gegl_operation_get_format (operation, "output");
  GeglRectangle box = hfsr_op_source_extent (operation, "input");
  HfsrKeypoint *keypoints = NULL;
  int n = 0;
  float *pixels;
  GError *error = NULL;
  gboolean found;

  if (box.width < 1 || box.height < 1)
    return TRUE;
  pixels = hfsr_op_pixels_new (box.width, box.height, 4, &error);
  if (pixels == NULL)
    {
      hfsr_op_warn (operation, &error);
      return FALSE;
    }
  if (o->overlay)
    memset (pixels, 0, sizeof (float) * 4 * box.width * box.height);
  else if (!hfsr_op_get_pixels (operation, input, &box, format, pixels,
                                &error))
    {
      hfsr_op_warn (operation, &error);
      g_free (pixels);
      return FALSE;
    }

  /* Without keypoints the image still comes through, with a warning. */
  found = find_keypoints (operation, input, aux, &box, &keypoints, &n, &error);
  hfsr_op_warn (operation, &error);
  for (int i = 0; i < n; i++)
    draw_keypoint (pixels, box.width, box.height, &keypoints[i]);
  gegl_buffer_set (output, &box, 0, format, pixels, GEGL_AUTO_ROWSTRIDE);
  g_free (keypoints);
  g_free (pixels);
  return found || !o->overlay;
}

/* The keypoints are drawn in colour, found in grey (aux, for the trained
 * methods); they depend on the whole image (HFSR_OP_WHOLE). */
static const HfsrOpInfo info = {
  .input_format = "R'G'B'A float",
  .aux_format = "Y' float",
  .output_format = "R'G'B'A float",
  .shape = HFSR_OP_WHOLE,
};

static void
gegl_op_class_init (GeglOpClass *klass)
{
  GEGL_OPERATION_COMPOSER_CLASS (klass)->process = process;
  hfsr_op_class_init (
    GEGL_OPERATION_CLASS (klass), &info, "name", "hfsr:sift-keypoints",
    "title", _ ("SIFT keypoints"), "categories", "hidden", "description",
    _ ("Draws the SIFT keypoints of an upscaled image over it: found on "
       "the image itself, or on the scale space a DoG Super-Resolution "
       "network predicts from the small image on aux."),
    NULL);
}

#endif
