/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Gaussian levels a trained DoG Super-Resolution network predicts
 * (Noor et al.): the network adds its output to a predictor, the levels of
 * the MATLAB-bicubic upscale of the grey input, so this file holds the one
 * definition of that sum that hfsr:dog-sr, hfsr-sift and the tests share.
 * The training twin is models/training/dog_sr.py (Targets).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hfsr-private.h"

gboolean
hfsr_dog_sr_check_model (const HfsrModel *model, HfsrDogSrMethod *method,
                         double sigmas[HFSR_DOG_SR_LEVELS], GError **error)
{
  const char *name = hfsr_model_get_name (model);
  const char *task = hfsr_model_get_metadata (model, "hfsr.task");
  const char *kind = hfsr_model_get_metadata (model, "hfsr.method");
  const char *list = hfsr_model_get_metadata (model, "hfsr.sigmas");
  HfsrDogSrMethod found;
  int planes;
  char *end;

  if (task == NULL || strcmp (task, "dog-sr") != 0 || kind == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s is not a DoG Super-Resolution network (its metadata "
                   "has no hfsr.task \"dog-sr\" with an hfsr.method)",
                   name);
      return FALSE;
    }
  if (strcmp (kind, "residual-dog") == 0)
    found = HFSR_DOG_SR_RESIDUAL_DOG, planes = HFSR_DOG_SR_LEVELS - 1;
  else if (strcmp (kind, "gaussian-stack") == 0)
    found = HFSR_DOG_SR_GAUSSIAN_STACK, planes = HFSR_DOG_SR_LEVELS;
  else
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s: unknown DoG-SR method \"%s\"", name, kind);
      return FALSE;
    }
  if (hfsr_model_get_input_channels (model) != 1
      || hfsr_model_get_output_channels (model, 0) != planes
      || hfsr_model_get_scale (model) < 2)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s: a %s network turns 1 grey plane into %d upscaled "
                   "planes; this one turns %d into %d at x%d",
                   name, kind, planes, hfsr_model_get_input_channels (model),
                   hfsr_model_get_output_channels (model, 0),
                   hfsr_model_get_scale (model));
      return FALSE;
    }
  end = (char *) list;
  for (int k = 0; k < HFSR_DOG_SR_LEVELS && end != NULL; k++)
    {
      const char *start = end;

      sigmas[k] = g_ascii_strtod (start, &end);
      if (end == start || !(sigmas[k] > 0.0 && sigmas[k] < 100.0)
          || (k > 0 && !(sigmas[k] > sigmas[k - 1])))
        end = NULL;
    }
  if (end == NULL || end[strspn (end, " ")] != '\0')
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s: hfsr.sigmas must list %d increasing sigmas, not "
                   "\"%s\"",
                   name, HFSR_DOG_SR_LEVELS, list ? list : "");
      return FALSE;
    }
  if (method != NULL)
    *method = found;
  return TRUE;
}

/* The widest Gaussian's radius, as hfsr_gaussian_blur cuts its kernel. */
static int
blur_radius (const double sigmas[HFSR_DOG_SR_LEVELS])
{
  return (int) ceil (3.0 * sigmas[HFSR_DOG_SR_LEVELS - 1]);
}

/* @target grown by the blur radius and clipped to the upscaled image: the
 * predictor's pixels the blurs read.  Beyond the image they replicate its
 * border, which is what they do on this region's clipped sides; on the
 * others the radius of real pixels keeps the target from seeing the
 * region's own border. */
static HfsrRect
predictor_region (const HfsrRect *target, int radius, int out_width,
                  int out_height)
{
  int x0 = MAX (target->x - radius, 0);
  int y0 = MAX (target->y - radius, 0);
  int x1 = MIN (target->x + target->width + radius, out_width);
  int y1 = MIN (target->y + target->height + radius, out_height);
  HfsrRect region = { x0, y0, x1 - x0, y1 - y0 };

  return region;
}

static HfsrRect
rect_union (const HfsrRect *a, const HfsrRect *b)
{
  int x0 = MIN (a->x, b->x), y0 = MIN (a->y, b->y);
  int x1 = MAX (a->x + a->width, b->x + b->width);
  int y1 = MAX (a->y + a->height, b->y + b->height);
  HfsrRect u = { x0, y0, x1 - x0, y1 - y0 };

  return u;
}

HfsrRect
hfsr_dog_sr_required_input (const HfsrModel *model, int scale,
                            const double sigmas[HFSR_DOG_SR_LEVELS],
                            const HfsrRect *target, const HfsrRect *image)
{
  HfsrRect local = *target, predictor, bicubic, empty = { 0, 0, 0, 0 };

  if (scale < 1 || image->width < 1 || image->height < 1)
    return empty;
  /* In the image's own 0-based coordinates, as hfsr_imresize counts. */
  local.x -= image->x * scale;
  local.y -= image->y * scale;
  predictor = predictor_region (&local, blur_radius (sigmas),
                                image->width * scale, image->height * scale);
  bicubic = hfsr_imresize_required_input (image->width, image->height,
                                          image->width * scale,
                                          image->height * scale, &predictor);
  bicubic.x += image->x;
  bicubic.y += image->y;
  if (model != NULL)
    {
      HfsrRect network = hfsr_model_required_input (model, target, image);

      bicubic = rect_union (&network, &bicubic);
    }
  return bicubic;
}

/* Whether @model was trained for @scale and @sigmas (to 1e-4: the
 * metadata keeps a few decimals). */
static gboolean
check_settings (const HfsrModel *model, int scale,
                const double sigmas[HFSR_DOG_SR_LEVELS],
                HfsrDogSrMethod *method, GError **error)
{
  double trained[HFSR_DOG_SR_LEVELS];

  if (!hfsr_dog_sr_check_model (model, method, trained, error))
    return FALSE;
  if (hfsr_model_get_scale (model) != scale)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s upscales x%d, not x%d", hfsr_model_get_name (model),
                   hfsr_model_get_scale (model), scale);
      return FALSE;
    }
  for (int k = 0; k < HFSR_DOG_SR_LEVELS; k++)
    if (fabs (trained[k] - sigmas[k]) > 1e-4)
      {
        g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                     "%s was trained for the sigmas %g %g %g %g %g; it "
                     "cannot give levels at %g %g %g %g %g (the pixel-sr "
                     "method can)",
                     hfsr_model_get_name (model), trained[0], trained[1],
                     trained[2], trained[3], trained[4], sigmas[0], sigmas[1],
                     sigmas[2], sigmas[3], sigmas[4]);
        return FALSE;
      }
  return TRUE;
}

/* The network's corrections (@residual, @n_out interleaved channels per
 * target pixel) added to the bicubic upscale's @levels (planes of
 * @n_target pixels). */
static void
add_corrections (HfsrDogSrMethod method, float *levels, const float *residual,
                 gsize n_target, int n_out)
{
  if (method == HFSR_DOG_SR_GAUSSIAN_STACK)
    {
      for (int k = 0; k < HFSR_DOG_SR_LEVELS; k++)
        for (gsize i = 0; i < n_target; i++)
          levels[k * n_target + i] += residual[i * n_out + k];
      return;
    }

  /* The network predicts D_1..D_4; the widest level, where bicubic
   * already comes closest (Noor et al.'s Table 3), anchors the stack and
   * each finer level is rebuilt as L_k = L_(k+1) + D_k, so the levels'
   * differences are the predicted DoG. */
  for (gsize i = 0; i < n_target; i++)
    {
      float rebuilt = levels[(HFSR_DOG_SR_LEVELS - 1) * n_target + i];
      float below = rebuilt;

      for (int k = HFSR_DOG_SR_LEVELS - 2; k >= 0; k--)
        {
          float *level = levels + (gsize) k * n_target + i;
          float predictor_dog = *level - below;

          below = *level;
          rebuilt += predictor_dog + residual[i * n_out + k];
          *level = rebuilt;
        }
    }
}

/* The levels are a scale space: increasing sigmas, within (0, 100). */
static gboolean
check_sigmas (const double sigmas[HFSR_DOG_SR_LEVELS], GError **error)
{
  for (int k = 0; k < HFSR_DOG_SR_LEVELS; k++)
    if (!(sigmas[k] > 0.0 && sigmas[k] < 100.0)
        || (k > 0 && !(sigmas[k] > sigmas[k - 1])))
      {
        g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                     "DoG-SR: the sigmas must increase within (0, 100)");
        return FALSE;
      }
  return TRUE;
}

/* Whether the @grey view covers @needed, the input that a non-empty
 * @target at @scale reads (hfsr_dog_sr_required_input). */
static gboolean
check_cover (int scale, const HfsrImageView *grey, const HfsrRect *target,
             const HfsrRect *needed, GError **error)
{
  if (scale < 1 || grey->channels < 1 || target->width < 1
      || target->height < 1 || needed->width < 1 || grey->rect.x > needed->x
      || grey->rect.y > needed->y
      || grey->rect.x + grey->rect.width < needed->x + needed->width
      || grey->rect.y + grey->rect.height < needed->y + needed->height)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "DoG-SR: the input %d x %d at %d, %d does not cover the "
                   "%d x %d at %d, %d that the target needs",
                   grey->rect.width, grey->rect.height, grey->rect.x,
                   grey->rect.y, needed->width, needed->height, needed->x,
                   needed->y);
      return FALSE;
    }
  return TRUE;
}

/* @predictor (0-based, upscaled @scale times) of the MATLAB-bicubic upscale
 * of channel 0 of @grey, whose image is @image, into @out. */
static gboolean
bicubic_predictor (const HfsrImageView *grey, const HfsrRect *image, int scale,
                   const HfsrRect *predictor, float *out, GError **error)
{
  HfsrRect in_rect = hfsr_imresize_required_input (
    image->width, image->height, image->width * scale, image->height * scale,
    predictor);
  float *plane = g_try_new (float, ((gsize) in_rect.width * in_rect.height));
  gboolean done;

  if (plane == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "DoG-SR: out of memory for a %d x %d region", in_rect.width,
                   in_rect.height);
      return FALSE;
    }
  for (int y = 0; y < in_rect.height; y++)
    for (int x = 0; x < in_rect.width; x++)
      plane[(gsize) y * in_rect.width + x]
        = grey->data[(gsize) (in_rect.y + y + image->y - grey->rect.y)
                       * grey->rowstride
                     + (gsize) (in_rect.x + x + image->x - grey->rect.x)
                         * grey->channels];
  done = hfsr_imresize_region (plane, &in_rect, image->width, image->height,
                               image->width * scale, image->height * scale,
                               predictor, out, error);
  g_free (plane);
  return done;
}

/* The five Gaussian levels of @bicubic, the predictor over @predictor
 * (predictor_region), each blurred whole into @blurred and cut to @target
 * (both in the upscaled image's 0-based coordinates) into @levels. */
static gboolean
blur_levels (const HfsrTensor *bicubic, const HfsrRect *predictor,
             const HfsrRect *target, const double sigmas[HFSR_DOG_SR_LEVELS],
             HfsrTensor *blurred, float *levels, GError **error)
{
  gsize n_target = (gsize) target->width * target->height;

  for (int k = 0; k < HFSR_DOG_SR_LEVELS; k++)
    {
      float *level = levels + (gsize) k * n_target;

      if (!hfsr_gaussian_blur (bicubic->data, predictor->width,
                               predictor->height, sigmas[k], blurred->data,
                               error))
        return FALSE;
      for (int y = 0; y < target->height; y++)
        memcpy (level + (gsize) y * target->width,
                blurred->data
                  + (gsize) (target->y - predictor->y + y) * predictor->width
                  + (target->x - predictor->x),
                sizeof (float) * target->width);
    }
  return TRUE;
}

gboolean
hfsr_dog_sr_levels (const HfsrModel *model, int scale,
                    const double sigmas[HFSR_DOG_SR_LEVELS],
                    const HfsrImageView *grey, const HfsrRect *image,
                    const HfsrRect *target, float *levels, GError **error)
{
  HfsrDogSrMethod method = HFSR_DOG_SR_GAUSSIAN_STACK;
  int s = scale, n_out = 0, radius;
  HfsrRect needed, predictor, local_target;
  HfsrTensor *bicubic = NULL, *blurred = NULL;
  float *residual = NULL;
  gsize n_target;
  gboolean done = FALSE;

  if (!check_sigmas (sigmas, error)
      || (model != NULL
          && !check_settings (model, scale, sigmas, &method, error)))
    return FALSE;
  if (model != NULL)
    n_out = hfsr_model_get_output_channels (model, 0);
  needed = hfsr_dog_sr_required_input (model, scale, sigmas, target, image);
  if (!check_cover (scale, grey, target, &needed, error))
    return FALSE;
  n_target = (gsize) target->width * target->height;

  /* The predictor in the image's own coordinates (0-based), its levels,
   * then the target's part of them. */
  radius = blur_radius (sigmas);
  local_target = *target;
  local_target.x -= image->x * s;
  local_target.y -= image->y * s;
  predictor = predictor_region (&local_target, radius, image->width * s,
                                image->height * s);
  residual = g_try_new (float, (n_target * MAX (n_out, 1)));
  bicubic = hfsr_tensor_new (1, predictor.height, predictor.width, error);
  if (bicubic != NULL)
    blurred = hfsr_tensor_new (1, predictor.height, predictor.width, error);
  if (blurred == NULL)
    goto out;
  if (residual == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "DoG-SR: out of memory for a %d x %d region", target->width,
                   target->height);
      goto out;
    }
  if (!bicubic_predictor (grey, image, s, &predictor, bicubic->data, error))
    goto out;

  if (model != NULL)
    {
      HfsrImageView output
        = { residual, n_out, (gsize) target->width * n_out, *target };

      if (!hfsr_model_run_region (model, grey, image, &output, 0, NULL, NULL,
                                  NULL, error))
        goto out;
    }

  if (!blur_levels (bicubic, &predictor, &local_target, sigmas, blurred,
                    levels, error))
    goto out;
  if (model != NULL)
    add_corrections (method, levels, residual, n_target, n_out);
  done = TRUE;

out:
  g_free (residual);
  hfsr_tensor_free (bicubic);
  hfsr_tensor_free (blurred);
  return done;
}
