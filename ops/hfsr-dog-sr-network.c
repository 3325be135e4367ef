/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:dog-sr-network — one level of the scale space that a trained DoG
 * Super-Resolution network (Noor et al.'s method 1 or 2) predicts for the
 * upscaled image, from the grey Y' of the small one.  hfsr:dog-sr routes
 * its trained methods here; the maths is the engine's hfsr_dog_sr_levels,
 * which hfsr-sift runs too.
 */
#include "hfsr-config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "hfsr-op-enums.h"

/* GEGL's property chant and op defines are not C: not formatted. */
/* clang-format off */
#ifdef GEGL_PROPERTIES

property_int (scale, _("Scale factor"), 2)
  description (_("Upscaling factor (networks are trained for 2 and 4)."))
  value_range (2, 4)

property_enum (method, _("Method"), HfsrOpDogSrMethod,
               hfsr_op_dog_sr_trained_method,
               HFSR_DOG_SR_METHOD_RESIDUAL_DOG)
  description (_("Residual DoG: the network predicts the four DoG levels "
                 "as corrections of the bicubic upscale's.  Gaussian "
                 "stack: it predicts the five Gaussian levels the same "
                 "way; the DoG is their difference."))

property_enum (output, _("Output"), HfsrOpDogSrOutput,
               hfsr_op_stack_output, HFSR_DOG_SR_OUTPUT_DOG)
  description (_("Difference of Gaussians (levels 1-4, drawn as 0.5 + gain "
                 "* value) or Gaussian (levels 1-5)."))

property_int (level, _("Level"), 1)
  description (_("Which level: 1-4 for the DoG, 1-5 for the Gaussians."))
  value_range (1, 5)

#include "hfsr-sigma-properties.h"

property_double (gain, _("DoG contrast (gain)"), 10.0)
  description (_("How strongly the differences of Gaussians, a few "
                 "hundredths on photos, are magnified around mid-grey "
                 "(drawn as 0.5 + gain × value): higher values show fainter "
                 "detail but turn strong edges black or white sooner."))
  value_range (0.1, 1000.0)

property_file_path (model, _("Model file"), "")
  description (_("A DoG-SR network to use instead of the shipped one of "
                 "this scale and method."))

#else

#define GEGL_OP_FILTER
#define GEGL_OP_NAME     hfsr_dog_sr_network
#define GEGL_OP_C_SOURCE hfsr-dog-sr-network.c

#include "gegl-op.h"
/* clang-format on */
#include "hfsr-op-common.h"

/* The model file, or the shipped network of the scale and method; either
 * must be a DoG-SR network of that method and scale (its sigmas are
 * checked where the levels are made). */
static HfsrModel *
load_model (GeglOperation *operation, GError **error)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  HfsrModel *model;
  const char *file = hfsr_op_model_file (o->model);
  HfsrDogSrMethod method;
  double sigmas[HFSR_DOG_SR_LEVELS];

  model = file != NULL
            ? hfsr_model_load (file, error)
            : hfsr_op_dog_sr_load_shipped (o->scale, o->method, error);
  if (model == NULL)
    return NULL;
  if (!hfsr_dog_sr_check_model (model, &method, sigmas, error))
    g_clear_pointer (&model, hfsr_model_free);
  else if ((method == HFSR_DOG_SR_GAUSSIAN_STACK)
             != (o->method == HFSR_DOG_SR_METHOD_GAUSSIAN_STACK)
           || hfsr_model_get_scale (model) != o->scale)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s is a x%d %s network; x%d %s was asked for",
                   hfsr_model_get_name (model), hfsr_model_get_scale (model),
                   hfsr_model_get_metadata (model, "hfsr.method"), o->scale,
                   hfsr_op_dog_sr_method_name (o->method));
      g_clear_pointer (&model, hfsr_model_free);
    }
  return model;
}

static char *
model_key (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  char *file = hfsr_op_model_file_key (hfsr_op_model_file (o->model));
  char *key = g_strdup_printf ("x%d %s %s", o->scale,
                               hfsr_op_dog_sr_method_name (o->method), file);

  g_free (file);
  return key;
}

static const HfsrOpNetwork network
  = { model_key, load_model, NULL,
      "no network: the levels are the bicubic upscale's alone: " };

static void
get_sigmas (const GeglProperties *o, double sigmas[HFSR_DOG_SR_LEVELS])
{
  sigmas[0] = o->sigma1;
  sigmas[1] = o->sigma2;
  sigmas[2] = o->sigma3;
  sigmas[3] = o->sigma4;
  sigmas[4] = o->sigma5;
}

/* What hfsr_dog_sr_levels reads for @roi, within the image. */
static GeglRectangle
model_input (GeglOperation *operation, const HfsrModel *model,
             const GeglRectangle *roi, const GeglRectangle *extent)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  GeglRectangle wanted;
  HfsrRect target, image = hfsr_op_rect_to_engine (extent), rect;
  double sigmas[HFSR_DOG_SR_LEVELS];

  if (!hfsr_op_upscaled_part (operation, roi, o->scale, &wanted))
    return wanted;
  get_sigmas (o, sigmas);
  target = hfsr_op_rect_to_engine (&wanted);
  rect = hfsr_dog_sr_required_input (model, o->scale, sigmas, &target, &image);
  return hfsr_op_rect_from_engine (&rect);
}

/* HfsrOpInfo.required: model_input with the network of the settings. */
static GeglRectangle
required_input (GeglOperation *operation, const HfsrOpModel *shared,
                const GeglRectangle *roi, const GeglRectangle *extent)
{
  return model_input (operation, shared != NULL ? shared->model : NULL, roi,
                      extent);
}

/* Besides the network's margin, a changed input pixel reaches as far as
 * the bicubic kernel plus the widest blur look. */
static int
margin (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  int blur = (int) ceil (3.0 * o->sigma5);

  return (blur + o->scale - 1) / o->scale + 2;
}

/* The chosen level over @piece into @out (piece-sized); without a network
 * (job->model NULL) the bicubic upscale's levels. */
static gboolean
level_of_piece (const GeglRectangle *piece, float *out, gpointer data,
                GError **error)
{
  const HfsrOpNetworkJob *job = data;
  GeglOperation *operation = job->operation;
  GeglProperties *o = GEGL_PROPERTIES (operation);
  const Babl *format = gegl_operation_get_format (operation, "input");
  GeglRectangle need = model_input (operation, job->model, piece, job->extent);
  HfsrRect image = hfsr_op_rect_to_engine (job->extent);
  HfsrRect target = hfsr_op_rect_to_engine (piece);
  double sigmas[HFSR_DOG_SR_LEVELS];
  gsize n = (gsize) piece->width * piece->height;
  float *grey, *levels;
  gboolean done = FALSE;

  get_sigmas (o, sigmas);
  grey = hfsr_op_pixels_new (need.width, need.height, 1, error);
  levels = grey ? hfsr_op_pixels_new (
             piece->width, piece->height * HFSR_DOG_SR_LEVELS, 1, error)
                : NULL;
  if (levels != NULL)
    {
      HfsrImageView view
        = { grey, 1, (gsize) need.width, hfsr_op_rect_to_engine (&need) };

      done = hfsr_op_get_pixels (operation, job->input, &need, format, grey,
                                 error)
             && hfsr_dog_sr_levels (job->model, o->scale, sigmas, &view,
                                    &image, &target, levels, error);
      if (done)
        hfsr_op_check_network_output (operation, levels,
                                      n * HFSR_DOG_SR_LEVELS);
    }
  if (done && o->output == HFSR_DOG_SR_OUTPUT_GAUSSIAN)
    memcpy (out, levels + (gsize) (o->level - 1) * n, sizeof (float) * n);
  else if (done)
    hfsr_op_draw_dog (out, levels + (gsize) (o->level - 1) * n,
                      levels + (gsize) o->level * n, n, o->gain);
  g_free (grey);
  g_free (levels);
  return done;
}

static const HfsrOpInfo info = {
  .input_format = "Y' float",
  .output_format = "Y' float",
  .shape = HFSR_OP_UPSCALED,
  .margin = margin,
  .network = &network,
  .required = required_input,
  .ready = hfsr_op_stack_level_ready,
  .piece = level_of_piece,
};

static void
gegl_op_class_init (GeglOpClass *klass)
{
  hfsr_op_class_init (
    GEGL_OPERATION_CLASS (klass), &info, "name", "hfsr:dog-sr-network",
    "title", _ ("DoG Super-Resolution network"), "categories", "hidden",
    "description",
    _ ("One level of the Difference-of-Gaussian or Gaussian stack of the "
       "upscaled image, as a DoG Super-Resolution network trained for its "
       "sigmas predicts it from the grey image.  Used by hfsr:dog-sr."),
    NULL);
}

#endif
