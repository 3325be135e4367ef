/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-sift detect IMAGE [-o FILE] [--scale S --method M]
 * hfsr-sift match A B --homography H [--ratio R] [--max-error E]
 * hfsr-sift pairs IN OUT_DIR [--count N] [--seed S]
 * hfsr-sift bench PAIRS_DIR --scale S
 * hfsr-sift levels IN --scale S
 *
 * The SIFT half of the evaluation protocol (docs/design.md, 9): keypoints of an
 * image, or of its downscaled copy upscaled again by a method; matches with
 * Lowe's ratio test between two images counted correct under a known
 * homography; synthetic pairs made by warping photos; and the table that
 * sets the methods side by side, as Noor et al. (Tables 6-8) do.  The
 * formats are in tools/README.md.  Exit status 1 on any error, 2 on a
 * usage error.
 */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gegl.h>

#include "hfsr.h"
#include "sift-files.h"
#include "sift-tool.h"
#include "tool-image.h"
#include "tool-util.h"

/* ------------------------------------------------------------- methods */

void
session_clear (Session *session)
{
  g_clear_pointer (&session->model, hfsr_model_free);
  for (int m = 0; m < 2; m++)
    g_clear_pointer (&session->dog_models[m], hfsr_model_free);
}

static HfsrTensor *
upscale_bicubic (Session *session, const HfsrTensor *low, GError **error)
{
  int s = session->scale;
  HfsrTensor *high
    = hfsr_tensor_new (3, low->height * s, low->width * s, error);

  if (high != NULL
      && !hfsr_imresize (low->data, 3, low->width, low->height, high->width,
                         high->height, high->data, error))
    g_clear_pointer (&high, hfsr_tensor_free);
  return high;
}

/* The shipped HF-SR family of the scale at alpha = 0 (plain L1), loaded as
 * hfsr:super-resolution loads it. */
static HfsrModel *
load_hfsr_model (int scale, GError **error)
{
  HfsrModel *model = hfsr_model_load_sr (NULL, scale, 0.0, FALSE, error);

  if (model == NULL)
    g_prefix_error (error,
                    "method 'hfsr' (hfsr-x%d-a*.safetensors, alpha "
                    "0): ",
                    scale);
  return model;
}

static HfsrTensor *
upscale_hfsr (Session *session, const HfsrTensor *low, GError **error)
{
  int s = session->scale;
  HfsrRect image = { 0, 0, low->width, low->height };
  HfsrRect target = { 0, 0, low->width * s, low->height * s };
  HfsrTensor *high;
  float *in, *out;
  gboolean ran;

  if (session->model == NULL)
    {
      session->model = load_hfsr_model (s, error);
      if (session->model == NULL)
        return NULL;
    }
  high = hfsr_tensor_new (3, target.height, target.width, error);
  if (high == NULL)
    return NULL;
  in = g_try_new (float, hfsr_tensor_size (low));
  out = g_try_new (float, hfsr_tensor_size (high));
  if (in == NULL || out == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for a %d x %d image", target.width,
                   target.height);
      g_free (in);
      g_free (out);
      hfsr_tensor_free (high);
      return NULL;
    }
  tool_pixels_from_planes (low, in);
  {
    HfsrImageView input = { in, 3, (gsize) image.width * 3, image };
    HfsrImageView output = { out, 3, (gsize) target.width * 3, target };

    ran = hfsr_model_run_region (session->model, &input, &image, &output, 0,
                                 NULL, NULL, NULL, error);
  }
  if (ran)
    tool_planes_from_pixels (out, high);
  else
    g_clear_pointer (&high, hfsr_tensor_free);
  g_free (in);
  g_free (out);
  return high;
}

/* Every method `detect --method` and `bench` know, in the bench table's
 * order.  A pixel method upscales the LR image and SIFT runs on the
 * result.  The DoG-SR methods of Noor et al. (hfsr:dog-sr's networks)
 * super-resolve the scale space itself: SIFT's first octave is their
 * predicted stack (hfsr_dog_sr_levels, as the op computes it). */
const SiftMethod sift_methods[] = {
  { "hr", "the HR image itself (no downscaling)", NULL, -1 },
  { "bicubic", "MATLAB bicubic (hfsr_imresize)", upscale_bicubic, -1 },
  { "hfsr", "HF-SR pixel SR, the shipped alpha = 0 model (plain L1)",
    upscale_hfsr, -1 },
  { "dog-sr-1",
    "DoG-SR method 1 (residual-dog): the shipped network's DoG "
    "levels, the first octave of SIFT",
    NULL, HFSR_DOG_SR_RESIDUAL_DOG },
  { "dog-sr-2",
    "DoG-SR method 2 (gaussian-stack): the shipped network's "
    "Gaussian levels, the first octave of SIFT",
    NULL, HFSR_DOG_SR_GAUSSIAN_STACK },
};
const int n_sift_methods = G_N_ELEMENTS (sift_methods);

static const SiftMethod *
find_method (const char *name, GError **error)
{
  GString *known = g_string_new (NULL);

  for (guint m = 0; m < G_N_ELEMENTS (sift_methods); m++)
    {
      if (strcmp (name, sift_methods[m].name) == 0)
        {
          g_string_free (known, TRUE);
          return &sift_methods[m];
        }
      g_string_append_printf (known, "%s%s", m ? ", " : "",
                              sift_methods[m].name);
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "unknown method '%s' (known: %s)", name, known->str);
  g_string_free (known, TRUE);
  return NULL;
}

/* --------------------------------------------------------- keypoints */

/* SIFT of a grey image with the detector's defaults. */
static gboolean
detect_grey (const float *grey, int width, int height, KeypointList *list,
             GError **error)
{
  HfsrSiftParams params;

  hfsr_sift_params_init (&params);
  return hfsr_sift_detect_image (grey, width, height, &params, &list->points,
                                 &list->n, error);
}

/* The shipped DoG-SR network of the session's scale and @method. */
static HfsrModel *
dog_model (Session *session, int method, GError **error)
{
  if (session->dog_models[method] == NULL)
    {
      char *name = g_strdup_printf ("hfsr-dog-x%d-%s", session->scale,
                                    method == HFSR_DOG_SR_RESIDUAL_DOG
                                      ? "residual-dog"
                                      : "gaussian-stack");

      session->dog_models[method] = hfsr_model_load_for_value (
        name, "hfsr.scale", session->scale, error);
      g_free (name);
    }
  return session->dog_models[method];
}

/* SIFT whose first octave is the stack @method's network predicts from
 * the grey of @low, at the network's sigmas. */
static gboolean
detect_dog_sr (Session *session, int method, const HfsrTensor *low,
               KeypointList *list, GError **error)
{
  HfsrModel *model = dog_model (session, method, error);
  HfsrRect image = { 0, 0, low->width, low->height };
  HfsrRect target
    = { 0, 0, low->width * session->scale, low->height * session->scale };
  gsize n = (gsize) target.width * target.height;
  HfsrSiftParams params;
  double sigmas[HFSR_DOG_SR_LEVELS];
  const float *planes[HFSR_DOG_SR_LEVELS];
  float *grey = NULL, *levels = NULL;
  gboolean done = FALSE;

  hfsr_sift_params_init (&params);
  if (model == NULL || !hfsr_dog_sr_check_model (model, NULL, sigmas, error)
      || (grey = tool_grey_of (low, error)) == NULL)
    goto out;
  hfsr_sift_params_set_stack (&params, sigmas);
  levels = g_try_new (float, (n * HFSR_DOG_SR_LEVELS));
  if (levels == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for a %d x %d stack", target.width,
                   target.height);
      goto out;
    }
  {
    HfsrImageView view = { grey, 1, (gsize) low->width, image };

    if (!hfsr_dog_sr_levels (model, session->scale, sigmas, &view, &image,
                             &target, levels, error))
      goto out;
  }
  for (int k = 0; k < HFSR_DOG_SR_LEVELS; k++)
    planes[k] = levels + k * n;
  done = hfsr_sift_detect_stack (planes, HFSR_DOG_SR_LEVELS, target.width,
                                 target.height, &params, &list->points,
                                 &list->n, error);

out:
  g_free (grey);
  g_free (levels);
  return done;
}

/* @high shrunk by MATLAB bicubic and rounded to 8 bits as a saved PNG
 * would be: the LR image a user would have. */
static HfsrTensor *
shrink_8bit (Session *session, const HfsrTensor *high, GError **error)
{
  int s = session->scale;
  HfsrTensor *low;

  low = hfsr_tensor_new (3, high->height / s, high->width / s, error);
  if (low == NULL)
    return NULL;
  if (!hfsr_imresize (high->data, 3, high->width, high->height, low->width,
                      low->height, low->data, error))
    {
      hfsr_tensor_free (low);
      return NULL;
    }
  tool_quantize_8bit (low->data, hfsr_tensor_size (low));
  return low;
}

/* Keypoints of @high (already mod-cropped to the scale) as @method sees
 * it: directly for "hr", else after shrinking by MATLAB bicubic and
 * upscaling by the method.  Coordinates are @high's. */
gboolean
keypoints_by_method (Session *session, const SiftMethod *method,
                     const HfsrTensor *high, KeypointList *list,
                     GError **error)
{
  HfsrTensor *low = NULL, *image = NULL;
  float *grey = NULL;
  gboolean detected = FALSE;

  if (method->upscale == NULL && method->dog_method < 0)
    {
      grey = tool_grey_of (high, error);
      detected = grey != NULL
                 && detect_grey (grey, high->width, high->height, list, error);
      goto out;
    }
  low = shrink_8bit (session, high, error);
  if (low == NULL)
    goto out;
  if (method->dog_method >= 0)
    {
      detected = detect_dog_sr (session, method->dog_method, low, list, error);
      goto out;
    }
  /* The upscaled image as the user would save it. */
  image = method->upscale (session, low, error);
  if (image == NULL)
    goto out;
  tool_quantize_8bit (image->data, hfsr_tensor_size (image));
  grey = tool_grey_of (image, error);
  detected = grey != NULL
             && detect_grey (grey, high->width, high->height, list, error);

out:
  if (!detected)
    g_prefix_error (error, "method '%s': ", method->name);
  g_free (grey);
  hfsr_tensor_free (low);
  hfsr_tensor_free (image);
  return detected;
}

/* @image cropped at the bottom and right to multiples of @scale; a new
 * tensor, or NULL with @error when nothing useful would be left. */
static HfsrTensor *
modcrop_image (const HfsrTensor *image, int scale, const char *path,
               GError **error)
{
  int width = hfsr_modcrop (image->width, scale);
  int height = hfsr_modcrop (image->height, scale);

  if (width / scale < 8 || height / scale < 8)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: %d x %d is too small for x%d", path, image->width,
                   image->height, scale);
      return NULL;
    }
  return tool_crop_top_left (image, width, height, error);
}

HfsrTensor *
load_modcropped (const char *path, int scale, GError **error)
{
  HfsrTensor *loaded = tool_load_image (path, error), *image = NULL;

  if (loaded != NULL)
    image = modcrop_image (loaded, scale, path, error);
  hfsr_tensor_free (loaded);
  return image;
}

/* ------------------------------------------------------ keypoint files */

/* A keypoint file as it is, or an image's own SIFT. */
static gboolean
keypoints_of_file (const char *path, KeypointList *list, GError **error)
{
  HfsrTensor *image;
  Session session = { 1, NULL, { NULL, NULL } };
  gboolean detected;

  if (keypoint_file_sniff (path))
    return keypoint_file_load (path, list, error);
  image = tool_load_image (path, error);
  if (image == NULL)
    return FALSE;
  detected
    = keypoints_by_method (&session, &sift_methods[0], image, list, error);
  if (!detected)
    g_prefix_error (error, "%s: ", path);
  hfsr_tensor_free (image);
  return detected;
}

/* -------------------------------------------------------- homographies */

/* Maps (x, y) by @h; FALSE when the point goes to infinity or behind. */
gboolean
apply_homography (const double h[9], double x, double y, double *u, double *v)
{
  double w = h[6] * x + h[7] * y + h[8];

  if (!(w > 0.0))
    return FALSE;
  *u = (h[0] * x + h[1] * y + h[2]) / w;
  *v = (h[3] * x + h[4] * y + h[5]) / w;
  return TRUE;
}

/* ------------------------------------------------------------- scoring */

/* The share of A's keypoints whose image under @h lies inside B
 * (@width x @height) and within @max_error pixels of one of B's keypoints:
 * the position part of Mikolajczyk's repeatability. */
double
repeatability (const KeypointList *a, const KeypointList *b, const double h[9],
               int width, int height, double max_error)
{
  int visible = 0, repeated = 0;

  for (int i = 0; i < a->n; i++)
    {
      double u, v;

      if (!apply_homography (h, a->points[i].x, a->points[i].y, &u, &v)
          || u < 0 || v < 0 || u > width - 1 || v > height - 1)
        continue;
      visible++;
      for (int j = 0; j < b->n; j++)
        {
          double dx = b->points[j].x - u, dy = b->points[j].y - v;

          if (dx * dx + dy * dy < max_error * max_error)
            {
              repeated++;
              break;
            }
        }
    }
  return visible > 0 ? (double) repeated / visible : 0.0;
}

gboolean
score_pair (const KeypointList *a, const KeypointList *b, const double h[9],
            double ratio, double max_error, int width_b, int height_b,
            PairScore *score, GError **error)
{
  HfsrSiftMatch *matches;
  int n_matches;

  if (!hfsr_sift_match (a->points, a->n, b->points, b->n, ratio, &matches,
                        &n_matches, error))
    return FALSE;
  score->keypoints_a = a->n;
  score->keypoints_b = b->n;
  score->matches = n_matches;
  score->correct = hfsr_sift_count_correct (a->points, b->points, matches,
                                            n_matches, h, max_error);
  score->repeatability = repeatability (a, b, h, width_b, height_b, max_error);
  g_free (matches);
  return TRUE;
}

/* ------------------------------------------------------------ commands */

int
finish (GError *error, GOptionContext *context)
{
  int status = 0;

  if (error != NULL)
    status = error->domain == G_OPTION_ERROR ? EXIT_USAGE : EXIT_ERROR;
  tool_report_error (PROGRAM, &error);
  if (context != NULL)
    g_option_context_free (context);
  return status;
}

gboolean
check_scale (int scale, GError **error)
{
  if (scale >= 2 && scale <= 8)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--scale must be 2 to 8 (got %d)", scale);
  return FALSE;
}

/* Parses the command's options; the remaining arguments must number
 * @n_args (-1: any). */
gboolean
parse_command (GOptionContext *context, const GOptionEntry *entries, int *argc,
               char ***argv, int n_args, const char *args, GError **error)
{
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  /* GOption keeps the `--` that ends the options when a later argument
   * starts with '-' (so that a caller could tell that one from an
   * option); here every argument after it is a file.  It is the first
   * `--` left: before it, GOption has taken every word starting with
   * '-'. */
  for (int i = 1; i < *argc; i++)
    if (strcmp ((*argv)[i], "--") == 0)
      {
        memmove (*argv + i, *argv + i + 1, sizeof (char *) * (*argc - i - 1));
        (*argv)[--(*argc)] = NULL;
        break;
      }
  /* argv[0] is the command. */
  if ((n_args >= 0 && *argc - 1 != n_args) || (n_args < 0 && *argc < 2))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "expected %s (see --help)", args);
      return FALSE;
    }
  return TRUE;
}

gboolean
parse_scale_command (GOptionContext *context, int *argc, char ***argv,
                     const char *arg, int *scale, GError **error)
{
  const GOptionEntry entries[]
    = { { "scale", 's', 0, G_OPTION_ARG_INT, scale,
          "Upscaling factor, 2 to 8 (required)", "S" },
        { NULL } };

  return parse_command (context, entries, argc, argv, 1, arg, error)
         && check_scale (*scale, error);
}

static int
command_detect (int argc, char **argv)
{
  char *output = NULL, *method_name = NULL;
  int scale = 0;
  GError *error = NULL;
  GOptionContext *context = g_option_context_new ("IMAGE - SIFT keypoints "
                                                  "of an image");
  const GOptionEntry entries[]
    = { { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
          "Write the keypoints to FILE (default: standard output)", "FILE" },
        { "scale", 's', 0, G_OPTION_ARG_INT, &scale,
          "Shrink by S (MATLAB bicubic) and upscale back first, 2 to 8", "S" },
        { "method", 'm', 0, G_OPTION_ARG_STRING, &method_name,
          "Upscaling method with --scale: bicubic or hfsr (default bicubic)",
          "M" },
        { NULL } };
  const SiftMethod *method = &sift_methods[0];
  HfsrTensor *image = NULL;
  KeypointList list = { 0 };
  Session session = { 1, NULL, { NULL, NULL } };

  g_option_context_set_description (
    context,
    "Without --scale: the image's own SIFT.  Keypoints are in the image's\n"
    "pixel coordinates (mod-cropped to S with --scale); the format is in\n"
    "tools/README.md.\n");
  if (!parse_command (context, entries, &argc, &argv, 1, "one IMAGE", &error))
    goto out;
  if (scale != 0 || method_name != NULL)
    {
      if (!check_scale (scale, &error))
        goto out;
      method = find_method (method_name ? method_name : "bicubic", &error);
      if (method == NULL)
        goto out;
      session.scale = scale;
    }
  image = load_modcropped (argv[1], session.scale, &error);
  if (image == NULL
      || !keypoints_by_method (&session, method, image, &list, &error))
    goto out;
  keypoint_file_save (output, &list, &error);

out:
  keypoint_list_clear (&list);
  hfsr_tensor_free (image);
  session_clear (&session);
  g_free (output);
  g_free (method_name);
  return finish (error, context);
}

static int
command_match (int argc, char **argv)
{
  char *homography_path = NULL;
  double ratio = DEFAULT_RATIO, max_error = DEFAULT_MAX_ERROR;
  GError *error = NULL;
  GOptionContext *context = g_option_context_new ("A B - match two images "
                                                  "or keypoint files");
  const GOptionEntry entries[]
    = { { "homography", 'H', 0, G_OPTION_ARG_FILENAME, &homography_path,
          "The homography from A to B, Oxford's H1to2p format (required)",
          "FILE" },
        { "ratio", 'r', 0, G_OPTION_ARG_DOUBLE, &ratio,
          "Lowe's ratio test: nearest < R x second nearest (default 0.8)",
          "R" },
        { "max-error", 'e', 0, G_OPTION_ARG_DOUBLE, &max_error,
          "A match is correct when H maps A's keypoint within E pixels of B's "
          "(default 3)",
          "E" },
        { NULL } };
  KeypointList a = { 0 }, b = { 0 };
  HfsrSiftMatch *matches = NULL;
  int n_matches = 0, correct;
  double h[9];

  g_option_context_set_description (
    context,
    "A and B are images (their own SIFT is computed) or keypoint files\n"
    "written by `hfsr-sift detect` (recognised by their first line).\n");
  if (!parse_command (context, entries, &argc, &argv, 2, "two files A B",
                      &error))
    goto out;
  if (homography_path == NULL)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "--homography is required");
      goto out;
    }
  if (!(ratio > 0.0 && ratio <= 1.0) || !(max_error > 0.0)
      || !isfinite (max_error))
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--ratio must be in (0, 1] and --max-error > 0");
      goto out;
    }
  if (!homography_load (homography_path, h, &error)
      || !keypoints_of_file (argv[1], &a, &error)
      || !keypoints_of_file (argv[2], &b, &error)
      || !hfsr_sift_match (a.points, a.n, b.points, b.n, ratio, &matches,
                           &n_matches, &error))
    goto out;
  correct = hfsr_sift_count_correct (a.points, b.points, matches, n_matches, h,
                                     max_error);
  printf ("keypoints A: %d\n", a.n);
  printf ("keypoints B: %d\n", b.n);
  printf ("matches: %d\n", n_matches);
  printf ("correct: %d\n", correct);
  printf ("correct / matches: %.4f\n",
          n_matches > 0 ? (double) correct / n_matches : 0.0);

out:
  g_free (matches);
  keypoint_list_clear (&a);
  keypoint_list_clear (&b);
  g_free (homography_path);
  return finish (error, context);
}

/* The pair commands, pairs and bench, are in sift-pairs.c. */

/* --------------------------------------------------------------- levels */

/* The five Gaussian levels of the grey of @rgb at Noor's sigmas. */
static float *
levels_of_image (const HfsrTensor *rgb, const double *sigmas, GError **error)
{
  gsize n = (gsize) rgb->width * rgb->height;
  float *grey = tool_grey_of (rgb, error);
  float *levels = grey ? g_try_new (float, (n * HFSR_DOG_SR_LEVELS)) : NULL;
  gboolean done = levels != NULL;

  if (grey != NULL && levels == NULL)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                 "out of memory for a %d x %d stack", rgb->width, rgb->height);
  for (int k = 0; done && k < HFSR_DOG_SR_LEVELS; k++)
    done = hfsr_gaussian_blur (grey, rgb->width, rgb->height, sigmas[k],
                               levels + k * n, error);
  g_free (grey);
  if (!done)
    g_clear_pointer (&levels, g_free);
  return levels;
}

/* @method's five levels of @high at HR size, from its 8-bit LR copy: the
 * levels of its upscale for a pixel method (bicubic here is the grey's
 * bicubic upscale, the DoG-SR networks' predictor), the network's
 * prediction for a DoG-SR one. */
static float *
levels_by_method (Session *session, const SiftMethod *method,
                  const HfsrTensor *high, const double *sigmas, GError **error)
{
  HfsrTensor *low = shrink_8bit (session, high, error), *image = NULL;
  HfsrRect lr = { 0, 0, 0, 0 }, target = { 0, 0, high->width, high->height };
  HfsrModel *model = NULL;
  float *grey = NULL, *levels = NULL;

  if (low == NULL)
    return NULL;
  if (method->upscale != NULL && method->upscale != upscale_bicubic)
    {
      image = method->upscale (session, low, error);
      if (image != NULL)
        levels = levels_of_image (image, sigmas, error);
      goto out;
    }
  if (method->dog_method >= 0
      && (model = dog_model (session, method->dog_method, error)) == NULL)
    goto out;
  lr.width = low->width;
  lr.height = low->height;
  grey = tool_grey_of (low, error);
  levels = grey ? g_try_new (
             float, ((gsize) high->width * high->height * HFSR_DOG_SR_LEVELS))
                : NULL;
  if (levels != NULL)
    {
      HfsrImageView view = { grey, 1, (gsize) low->width, lr };

      if (!hfsr_dog_sr_levels (model, session->scale, sigmas, &view, &lr,
                               &target, levels, error))
        g_clear_pointer (&levels, g_free);
    }
  else if (grey != NULL)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                 "out of memory for a %d x %d stack", high->width,
                 high->height);

out:
  if (levels == NULL)
    g_prefix_error (error, "method '%s': ", method->name);
  g_free (grey);
  hfsr_tensor_free (low);
  hfsr_tensor_free (image);
  return levels;
}

/* PSNR (peak 1) of each DoG level of @levels against @truth's, over the
 * pixels at least the widest blur's radius from the border. */
static gboolean
dog_psnr (const float *levels, const float *truth, int width, int height,
          int shave, double psnr[HFSR_DOG_SR_LEVELS - 1], GError **error)
{
  gsize n = (gsize) width * height;
  float *a = g_try_new (float, n), *b = g_try_new (float, n);
  gboolean done = a != NULL && b != NULL;

  if (!done)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                 "out of memory for a %d x %d image", width, height);
  for (int k = 0; done && k < HFSR_DOG_SR_LEVELS - 1; k++)
    {
      for (gsize i = 0; i < n; i++)
        {
          a[i] = levels[k * n + i] - levels[(k + 1) * n + i];
          b[i] = truth[k * n + i] - truth[(k + 1) * n + i];
        }
      done = hfsr_psnr (a, b, width, height, shave, 1.0, &psnr[k], error);
    }
  g_free (a);
  g_free (b);
  return done;
}

/* Adds each method's DoG PSNR on the photo @path to @sums (method by
 * level); a failure after loading is prefixed with the photo's path (the
 * loader's own errors already name it). */
static gboolean
score_levels (Session *session, const char *path, const HfsrSiftParams *params,
              int shave, double *sums, GError **error)
{
  GError *failure = NULL;
  HfsrTensor *high = load_modcropped (path, session->scale, &failure);
  float *truth
    = high ? levels_of_image (high, params->sigmas, &failure) : NULL;

  for (int m = 1; truth != NULL && m < n_sift_methods && failure == NULL; m++)
    {
      float *levels = levels_by_method (session, &sift_methods[m], high,
                                        params->sigmas, &failure);
      double psnr[HFSR_DOG_SR_LEVELS - 1];

      if (levels != NULL
          && dog_psnr (levels, truth, high->width, high->height, shave, psnr,
                       &failure))
        for (int k = 0; k < HFSR_DOG_SR_LEVELS - 1; k++)
          sums[m * (HFSR_DOG_SR_LEVELS - 1) + k] += psnr[k];
      g_free (levels);
    }
  g_free (truth);
  if (failure != NULL)
    {
      if (high != NULL)
        g_prefix_error (&failure, "%s: ", path);
      g_propagate_error (error, failure);
    }
  hfsr_tensor_free (high);
  return failure == NULL;
}

/* The table of the mean DoG PSNR in @sums over @n_photos photos. */
static void
print_levels (int scale, guint n_photos, int shave,
              const HfsrSiftParams *params, const double *sums)
{
  printf ("## hfsr-sift levels x%d\n\n", scale);
  printf ("- photos: %u; DoG PSNR in dB (peak 1, grey Y' in [0, 1]), mean "
          "over photos, %d px shaved; sigmas %g %g %g %g %g at HR\n\n",
          n_photos, shave, params->sigmas[0], params->sigmas[1],
          params->sigmas[2], params->sigmas[3], params->sigmas[4]);
  printf ("| method | DoG 1 | DoG 2 | DoG 3 | DoG 4 |\n");
  printf ("|---|---:|---:|---:|---:|\n");
  for (int m = 1; m < n_sift_methods; m++)
    {
      printf ("| %s", sift_methods[m].name);
      for (int k = 0; k < HFSR_DOG_SR_LEVELS - 1; k++)
        printf (" | %.2f", sums[m * (HFSR_DOG_SR_LEVELS - 1) + k] / n_photos);
      printf (" |\n");
    }
}

static int
command_levels (int argc, char **argv)
{
  int scale = 0;
  GError *error = NULL;
  GOptionContext *context = g_option_context_new ("IN - per-level DoG "
                                                  "PSNR per method");
  GPtrArray *photos = g_ptr_array_new_with_free_func (g_free);
  Session session = { 0, NULL, { NULL, NULL } };
  HfsrSiftParams params;
  double *sums = NULL;
  int shave;

  g_option_context_set_description (
    context,
    "IN is a photo or a folder of PNG/JPEG photos.  Each is mod-cropped,\n"
    "shrunk by MATLAB bicubic and rounded to 8 bits; every method's DoG\n"
    "levels at Noor et al.'s sigmas are scored against the photo's own\n"
    "(Noor et al., Table 3).  Prints a Markdown table.\n");
  if (!parse_scale_command (context, &argc, &argv, "IN", &scale, &error)
      || !tool_collect_images (argv[1], photos, &error))
    goto out;
  session.scale = scale;
  hfsr_sift_params_init (&params);
  shave = (int) ceil (3.0 * params.sigmas[HFSR_DOG_SR_LEVELS - 1]);
  sums = g_new0 (double, ((gsize) n_sift_methods * (HFSR_DOG_SR_LEVELS - 1)));
  for (guint p = 0; p < photos->len; p++)
    if (!score_levels (&session, photos->pdata[p], &params, shave, sums,
                       &error))
      goto out;
  print_levels (scale, photos->len, shave, &params, sums);

out:
  g_free (sums);
  session_clear (&session);
  g_ptr_array_free (photos, TRUE);
  return finish (error, context);
}

/* ----------------------------------------------------------------- main */

static const struct
{
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} commands[] = {
  { "detect", command_detect, "SIFT keypoints of an image, written as text" },
  { "match", command_match,
    "matches between two images or keypoint files, counted correct under a "
    "homography" },
  { "pairs", command_pairs,
    "benchmark pairs: photos and their copies warped by random "
    "homographies" },
  { "levels", command_levels,
    "per-level DoG PSNR of every method against the photos' own" },
  { "bench", command_bench,
    "mean keypoints, matches and correct matches per upscaling method" },
};

static void
print_usage (FILE *to)
{
  fprintf (to, "Usage: " PROGRAM " COMMAND [OPTION...] ARGS...\n\n"
               "Commands (" PROGRAM " COMMAND --help for each):\n");
  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    fprintf (to, "  %-7s %s\n", commands[c].name, commands[c].summary);
  fprintf (to, "\nExit status 1 on an error, 2 on a usage error.\n");
}

int
main (int argc, char **argv)
{
  int status;

  tool_check_stdout_at_exit (PROGRAM, EXIT_ERROR);
  if (argc < 2)
    {
      print_usage (stderr);
      return EXIT_USAGE;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      print_usage (stdout);
      return 0;
    }
  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    if (strcmp (argv[1], commands[c].name) == 0)
      {
        tool_image_setup (PROGRAM, EXIT_ERROR);
        gegl_init (NULL, NULL);
        /* Numbers are written with a decimal point whatever the locale
         * (they are read back with g_ascii_strtod). */
        setlocale (LC_NUMERIC, "C");
        status = commands[c].run (argc - 1, argv + 1);
        gegl_exit ();
        return status;
      }
  fprintf (stderr, PROGRAM ": unknown command '%s'\n", argv[1]);
  print_usage (stderr);
  return EXIT_USAGE;
}
