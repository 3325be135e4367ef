/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-classify: what a low-resolution crop of one character shows,
 * according to a Structure-aware SR (SR²) network (tools/README.md).
 */
#include "hfsr-config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "tool-image.h"
#include "tool-util.h"

#define PROGRAM "hfsr-classify"

/* --polarity, as hfsr:structure-sr's property names its values. */
static const char *const polarities[]
  = { "auto", "light-on-dark", "dark-on-light", NULL };

/* One image: its class probabilities, printed as
 *   FILE: LABEL (P)
 *     LABEL P  LABEL P ...  (with --all)
 * Dark characters on light (@polarity 2, or 0 and detected as the op
 * detects them) are inverted first, as the op shows them to the
 * network. */
static gboolean
classify_file (const HfsrModel *model, const char *path, gboolean all,
               int polarity, GError **error)
{
  HfsrTensor *rgb;
  float *grey = NULL;
  int n = hfsr_model_get_n_classes (model), best = 0;
  double *p = g_new (double, n);
  gboolean ok = FALSE;

  /* The loader's errors name the file already. */
  rgb = tool_load_image (path, error);
  if (rgb == NULL)
    {
      g_free (p);
      return FALSE;
    }
  if ((grey = tool_grey_of (rgb, error)) != NULL
      && (polarity == 2
          || (polarity == 0
              && hfsr_sr2_dark_on_light (grey, rgb->width, rgb->height))))
    hfsr_sr2_invert (grey, (gsize) rgb->width * rgb->height);
  if (grey != NULL
      && hfsr_model_classify (model, grey, rgb->width, rgb->height, p, error))
    {
      char *label;

      for (int c = 1; c < n; c++)
        if (p[c] > p[best])
          best = c;
      label = hfsr_model_get_class_label (model, best);
      printf ("%s: %s (%.4f)\n", path, label, p[best]);
      g_free (label);
      if (all)
        {
          printf ("   ");
          for (int c = 0; c < n; c++)
            {
              label = hfsr_model_get_class_label (model, c);
              printf (" %s %.4f", label, p[c]);
              g_free (label);
            }
          printf ("\n");
        }
      ok = TRUE;
    }
  else if (error != NULL && *error != NULL)
    g_prefix_error (error, "%s: ", path);
  g_free (grey);
  hfsr_tensor_free (rgb);
  g_free (p);
  return ok;
}

/* The options that need no model: images to classify, a lambda of 0 to
 * 1000 (the family is blended between its trained lambdas) and a
 * polarity, whose index goes to @polarity. */
static gboolean
check_options (char **inputs, double lambda, const char *polarity_name,
               int *polarity, GError **error)
{
  for (*polarity = 0; polarities[*polarity] != NULL
                      && strcmp (polarities[*polarity], polarity_name) != 0;
       (*polarity)++)
    ;
  if (polarities[*polarity] == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "--polarity must be auto, light-on-dark or dark-on-light "
                   "(got '%s')",
                   polarity_name);
      return FALSE;
    }
  if (inputs == NULL || inputs[0] == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "no images given");
      return FALSE;
    }
  if (!(lambda >= 0.0 && lambda <= 1000.0))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "--lambda must be 0 to 1000 (got %g)", lambda);
      return FALSE;
    }
  return TRUE;
}

/* Every image in turn, on past a failed one so that one bad file does
 * not hide the others' classes: 0, or 2 when any failed. */
static int
classify_files (const HfsrModel *model, char **inputs, gboolean all,
                int polarity)
{
  GError *error = NULL;
  int status = 0;

  for (int i = 0; inputs[i] != NULL; i++)
    if (!classify_file (model, inputs[i], all, polarity, &error))
      {
        tool_report_error (PROGRAM, &error);
        status = 2;
      }
  return status;
}

int
main (int argc, char **argv)
{
  int scale = 4, shared = 1;
  double lambda = 9.0;
  char *arch = NULL, *model_path = NULL, *polarity_name = NULL;
  int polarity = 0;
  char **inputs = NULL;
  gboolean all = FALSE;
  GError *error = NULL;
  GOptionContext *context;
  HfsrModel *model = NULL;
  int status = 2;
  const GOptionEntry entries[]
    = { { "scale", 's', 0, G_OPTION_ARG_INT, &scale,
          "The network's upscaling, 2 or 4 (default 4)", "S" },
        { "arch", 'a', 0, G_OPTION_ARG_STRING, &arch,
          "fsrcnn (default), wdsr, sequential or fsrcnn-noisy", "ARCH" },
        { "shared", 0, 0, G_OPTION_ARG_INT, &shared,
          "Shared layers: 1 (default), or 4 for wdsr", "N" },
        { "lambda", 'l', 0, G_OPTION_ARG_DOUBLE, &lambda,
          "Weight of the classification loss, blended between the trained "
          "values (default 9; 0 = plain SR)",
          "L" },
        { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_path,
          "A model file instead of the shipped family", "FILE" },
        { "polarity", 'p', 0, G_OPTION_ARG_STRING, &polarity_name,
          "auto (default: dark on light where the crop's border is light "
          "on average), light-on-dark or dark-on-light (inverted first)",
          "P" },
        { "all", 0, 0, G_OPTION_ARG_NONE, &all,
          "Also print every class's probability", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL,
          "IMAGE..." },
        { NULL } };

  tool_check_stdout_at_exit (PROGRAM, 2);
  tool_image_setup (PROGRAM, 2);
  context = tool_option_context_new (
    "- classify low-resolution character "
    "crops with an SR² network",
    entries,
    "Each IMAGE (anything GEGL loads; RGB is read as its luminance Y') is one "
    "low-resolution\ncrop holding one character, light on dark as in MNIST "
    "or dark on light\n(--polarity): 14 x 14 for the x2 networks, 7 x 7 for "
    "x4 (other sizes "
    "run, outside what they learnt).\nPrints \"IMAGE: LABEL (PROBABILITY)\" "
    "per image.  Exit status 2 on any error.\n");
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || !check_options (inputs, lambda,
                         polarity_name ? polarity_name : "auto", &polarity,
                         &error))
    goto out;
  model = hfsr_model_load_structure_sr (
    model_path, scale, arch ? arch : "fsrcnn", shared, lambda, &error);
  if (model == NULL)
    goto out;

  gegl_init (NULL, NULL);
  setlocale (LC_NUMERIC, "C");
  status = classify_files (model, inputs, all, polarity);
  gegl_exit ();

out:
  tool_report_error (PROGRAM, &error);
  g_clear_pointer (&model, hfsr_model_free);
  g_option_context_free (context);
  g_free (arch);
  g_free (model_path);
  g_free (polarity_name);
  g_strfreev (inputs);
  return status;
}
