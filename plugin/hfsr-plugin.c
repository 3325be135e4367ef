/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The plug-in's entry points: the PDB procedures it registers and the run
 * that reads their arguments (from Script-Fu, the last run or a dialog),
 * checks them against the op and runs it.
 */
#include "hfsr-config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <gegl.h>

#include "hfsr-plugin.h"

static const HfsrArg super_resolution_args[] = {
  { HFSR_ARG_PROPERTY, GIMP_PDB_INT32, "scale",
    "Upscaling factor: 2, 3 or 4" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_FLOAT, "alpha",
    "Alpha of the high-frequency loss the model was trained with "
    "(0 = plain L1, up to 1/3: more weight on detail); models are "
    "blended between trained values" },
  { HFSR_ARG_NEW_IMAGE, GIMP_PDB_INT32, "new-image",
    "TRUE: open the result as a new image; FALSE: scale the image in "
    "place (other layers by GIMP's interpolation, positions scaled)" },
};

static const HfsrArg hf_map_args[] = {
  { HFSR_ARG_PROPERTY, GIMP_PDB_INT32, "mode",
    "The map: { SIGNED (0), MAGNITUDE (1), SELECTION (2), "
    "HIGHPASS (3) }" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_FLOAT, "alpha",
    "SELECTION: half-width of the band around the mean weight that is "
    "not selected, in standard deviations (0 to 1)" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_FLOAT, "cutoff",
    "HIGHPASS: radial cut-off as a fraction of the Nyquist frequency "
    "(0 to 1)" },
};

static const HfsrArg gms_map_args[] = {
  { HFSR_ARG_REFERENCE, GIMP_PDB_DRAWABLE, "reference",
    "The drawable to compare with, of the same size" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_INT32, "mode",
    "The map: { GMS (0), HARD (1), SOFT (2) }" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_FLOAT, "threshold",
    "HARD, SOFT: GMS above which a pixel counts as different (0 to 1)" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_INT32, "radius",
    "HARD, SOFT: radius of the opening disk in pixels (0 to 50)" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_FLOAT, "sigma",
    "SOFT: standard deviation of each blur in pixels (0.1 to 20)" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_INT32, "iterations",
    "SOFT: how often the map is blurred and opened (1 to 20)" },
};

static const HfsrArg dog_sr_args[] = {
  { HFSR_ARG_PROPERTY, GIMP_PDB_INT32, "scale",
    "Upscaling factor: 2 or 4 (the trained methods), or 3 (PIXEL_SR)" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_INT32, "method",
    "How the stack is super-resolved: { RESIDUAL_DOG (0): a network "
    "predicts the DoG levels; GAUSSIAN_STACK (1): it predicts the Gaussian "
    "levels (both trained for the default sigmas, x2 and x4); PIXEL_SR (2): "
    "the stack of the HF Super-Resolution upscale, any sigmas }" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_INT32, "output",
    "The stack: { DOG (0): L_i - L_(i+1), 4 levels; GAUSSIAN (1): L_k, "
    "5 levels; KEYPOINTS (2): the SIFT keypoints found on the stack, as "
    "a layer over the upscale (level is then ignored) }" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_INT32, "level",
    "The level left visible (1-4 for DOG, 1-5 for GAUSSIAN); every level "
    "gets a layer" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_FLOAT, "sigma1",
    "Gaussian sigma of level 1 in pixels of the upscaled image (0.1 to 100)" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_FLOAT, "sigma2", "Sigma of level 2" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_FLOAT, "sigma3", "Sigma of level 3" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_FLOAT, "sigma4", "Sigma of level 4" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_FLOAT, "sigma5", "Sigma of level 5" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_FLOAT, "gain",
    "DOG: values are drawn as 0.5 + gain * value (0.1 to 1000)" },
};

static const HfsrArg structure_sr_args[] = {
  { HFSR_ARG_PROPERTY, GIMP_PDB_INT32, "scale", "Upscaling factor: 2 or 4" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_INT32, "arch",
    "The network: { FSRCNN (0): SR²-FSRCNN; WDSR (1): SR²-WDSR; "
    "SEQUENTIAL (2): FSRCNN, then the classifier on its upscale }" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_INT32, "shared-layers",
    "Layers shared by upscaling and classification: 1, or 4 for WDSR" },
  { HFSR_ARG_PROPERTY, GIMP_PDB_FLOAT, "lambda",
    "Weight of the classification loss (0 = plain SR, up to 9); networks "
    "are blended between trained values" },
  { HFSR_ARG_NEW_IMAGE, GIMP_PDB_INT32, "new-image",
    "TRUE: open the result as a new image; FALSE: scale the image in "
    "place (other layers by GIMP's interpolation, positions scaled)" },
};

static const HfsrProcedure procedures[] = {
  { "plug-in-hfsr-super-resolution", "hfsr:super-resolution",
    N_ ("Upscale with a super-resolution network that restores "
        "high-frequency detail"),
    N_ ("Upscales the drawable 2, 3 or 4 times with the WDSR-A network of "
        "Zhou et al., trained with a loss that only counts high-frequency "
        "pixels (alpha).  The image is scaled in place in one undo step, "
        "or the result opens as a new image.  With a selection, only the "
        "selected part gets the network's pixels."),
    N_ ("HF _Super-Resolution..."), "<Image>/Filters/Enhance",
    HFSR_RESULT_UPSCALED, super_resolution_args,
    G_N_ELEMENTS (super_resolution_args) },
  { "plug-in-hfsr-hf-map", "hfsr:hf-map",
    N_ ("Show where the drawable holds high-frequency detail"),
    N_ ("Adds a layer above the drawable holding the weight map or the "
        "alpha-selection map of Zhou et al., or an FFT high-pass, channel "
        "by channel.  Signed maps draw 0 as mid-grey."),
    N_ ("_High-Frequency Map..."), "<Image>/Filters/Edge-Detect",
    HFSR_RESULT_MAP_LAYER, hf_map_args, G_N_ELEMENTS (hf_map_args) },
  { "plug-in-hfsr-gms-map", "hfsr:gms-map",
    N_ ("Show where the drawable differs in structure from a reference"),
    N_ ("Adds a layer above the drawable holding the gradient magnitude "
        "similarity map of the drawable against a reference of the same "
        "size (Roh & Kang), or its hard or soft mask: 0 (black) is alike, "
        "1 (white) is different."),
    N_ ("G_MS Map..."), "<Image>/Filters/Edge-Detect", HFSR_RESULT_MAP_LAYER,
    gms_map_args, G_N_ELEMENTS (gms_map_args) },
  { "plug-in-hfsr-dog-sr", "hfsr:dog-sr",
    N_ ("Upscale and show the scale space that SIFT finds keypoints on"),
    N_ ("Opens a new image holding the drawable upscaled by HF "
        "Super-Resolution and, above it, a layer group with every level of "
        "the super-resolved Difference-of-Gaussian or Gaussian stack at five "
        "sigmas (Noor et al.), predicted by a network trained for it or "
        "taken from the upscale: the detail that keypoint detection sees."),
    N_ ("_DoG Super-Resolution..."), "<Image>/Filters/Enhance",
    HFSR_RESULT_LEVELS, dog_sr_args, G_N_ELEMENTS (dog_sr_args) },
  { "plug-in-hfsr-structure-sr", "hfsr:structure-sr",
    N_ ("Upscale a character crop and say which digit it shows"),
    N_ ("Upscales the drawable 2 or 4 times with an SR² network "
        "(Schirrmacher et al.) trained together with a digit classifier, "
        "which keeps the shape of what it recognises, also under noise.  The "
        "class it sees (for a crop holding one light digit on a dark ground, "
        "up to 256 × 256 pixels) is shown under the preview and added to "
        "the result layer's name."),
    N_ ("_Structure-aware Super-Resolution..."), "<Image>/Filters/Enhance",
    HFSR_RESULT_CLASSIFIED, structure_sr_args,
    G_N_ELEMENTS (structure_sr_args) },
};

/* Where the catalogues are: HFSR_LOCALE_DIR in the environment (the tests
 * use the build's) or the installed one. */
static const gchar *
locale_dir (void)
{
  const gchar *dir = g_getenv ("HFSR_LOCALE_DIR");

  return dir != NULL && *dir != '\0' ? dir : HFSR_LOCALE_DIR;
}

static void
query (void)
{
  static const GimpParamDef leading_args[HFSR_N_LEADING_ARGS] = {
    { GIMP_PDB_INT32, "run-mode",
      "The run mode { RUN-INTERACTIVE (0), "
      "RUN-NONINTERACTIVE (1) }" },
    { GIMP_PDB_IMAGE, "image", "Input image" },
    { GIMP_PDB_DRAWABLE, "drawable", "Input drawable" },
  };
  static const GimpParamDef map_results[] = {
    { GIMP_PDB_LAYER, "map-layer", "The new layer holding the map" },
  };
  static const GimpParamDef upscaled_results[] = {
    { GIMP_PDB_IMAGE, "result-image",
      "The image holding the result: "
      "the input image or a new one" },
    { GIMP_PDB_DRAWABLE, "result-drawable", "The upscaled drawable" },
  };

  gimp_plugin_domain_register (GETTEXT_PACKAGE, locale_dir ());

  for (gsize p = 0; p < G_N_ELEMENTS (procedures); p++)
    {
      const HfsrProcedure *procedure = &procedures[p];
      GimpParamDef args[HFSR_N_LEADING_ARGS + HFSR_MAX_ARGS];
      gboolean map = procedure->result == HFSR_RESULT_MAP_LAYER;

      g_assert (procedure->n_args <= HFSR_MAX_ARGS);
      memcpy (args, leading_args, sizeof leading_args);
      for (gint i = 0; i < procedure->n_args; i++)
        {
          args[HFSR_N_LEADING_ARGS + i].type = procedure->args[i].type;
          args[HFSR_N_LEADING_ARGS + i].name
            = (gchar *) procedure->args[i].name;
          args[HFSR_N_LEADING_ARGS + i].description
            = (gchar *) procedure->args[i].description;
        }

      gimp_install_procedure (
        procedure->name, procedure->blurb, procedure->help, "the hfsr authors",
        "the hfsr authors", "2026", procedure->menu_label, "RGB*, GRAY*",
        GIMP_PLUGIN, HFSR_N_LEADING_ARGS + procedure->n_args,
        map ? G_N_ELEMENTS (map_results) : G_N_ELEMENTS (upscaled_results),
        args, map ? map_results : upscaled_results);
      gimp_plugin_menu_register (procedure->name, procedure->menu_path);
    }
}

/* The values of this run: Script-Fu's, the last run's or the dialog's. */
static GimpPDBStatusType
read_values (const HfsrProcedure *procedure, GimpRunMode run_mode,
             gint n_params, const GimpParam *params, gint32 drawable_id,
             HfsrValues *values, GError **error)
{
  HfsrValues last;
  gint reference = hfsr_procedure_find_role (procedure, HFSR_ARG_REFERENCE);

  if (!hfsr_values_init (procedure, drawable_id, values, error))
    return GIMP_PDB_EXECUTION_ERROR;

  switch (run_mode)
    {
    case GIMP_RUN_NONINTERACTIVE:
      if (n_params != HFSR_N_LEADING_ARGS + procedure->n_args)
        {
          g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                       _ ("%s takes %d arguments, not %d."), procedure->name,
                       HFSR_N_LEADING_ARGS + procedure->n_args, n_params);
          return GIMP_PDB_CALLING_ERROR;
        }
      for (gint i = 0; i < procedure->n_args; i++)
        {
          const GimpParam *param = &params[HFSR_N_LEADING_ARGS + i];

          switch (procedure->args[i].type)
            {
            case GIMP_PDB_FLOAT:
              values->arg[i] = param->data.d_float;
              break;
            case GIMP_PDB_DRAWABLE:
              values->arg[i] = param->data.d_drawable;
              break;
            case GIMP_PDB_INT32:
            default:
              values->arg[i] = param->data.d_int32;
              break;
            }
        }
      return GIMP_PDB_SUCCESS;

    case GIMP_RUN_INTERACTIVE:
    case GIMP_RUN_WITH_LAST_VALS:
      /* The last run's values stand where they are still valid: a
       * reference drawable may be gone by now, an op may have changed. */
      if (gimp_get_data_size (procedure->name) == sizeof last
          && gimp_get_data (procedure->name, &last))
        {
          if (reference >= 0
              && !gimp_item_is_valid ((gint32) last.arg[reference]))
            last.arg[reference] = drawable_id;
          if (hfsr_values_check (procedure, &last, drawable_id, NULL))
            *values = last;
        }
      if (run_mode == GIMP_RUN_INTERACTIVE
          && !hfsr_dialog_run (procedure, drawable_id, values))
        return GIMP_PDB_CANCEL;
      return GIMP_PDB_SUCCESS;
    }
  g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
               _ ("Unknown run mode %d."), run_mode);
  return GIMP_PDB_CALLING_ERROR;
}

static GimpPDBStatusType
run_procedure (const HfsrProcedure *procedure, gint n_params,
               const GimpParam *params, gint32 *result_image_id,
               gint32 *result_drawable_id, GError **error)
{
  GimpRunMode run_mode = params[0].data.d_int32;
  gint32 image_id = params[1].data.d_image;
  gint32 drawable_id = params[2].data.d_drawable;
  HfsrValues values;
  GimpPDBStatusType status;

  if (!hfsr_check_image (procedure, image_id, drawable_id, error))
    return GIMP_PDB_CALLING_ERROR;
  status = read_values (procedure, run_mode, n_params, params, drawable_id,
                        &values, error);
  if (status != GIMP_PDB_SUCCESS)
    return status;
  if (!hfsr_values_check (procedure, &values, drawable_id, error))
    return GIMP_PDB_CALLING_ERROR;

  if (!hfsr_procedure_run (procedure, &values, image_id, drawable_id,
                           result_image_id, result_drawable_id, error))
    return (*error)->code == HFSR_PLUGIN_ERROR_CALLING
             ? GIMP_PDB_CALLING_ERROR
             : GIMP_PDB_EXECUTION_ERROR;

  if (run_mode != GIMP_RUN_NONINTERACTIVE)
    gimp_set_data (procedure->name, &values, sizeof values);
  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      if (*result_image_id != image_id)
        gimp_display_new (*result_image_id);
      gimp_displays_flush ();
    }
  return GIMP_PDB_SUCCESS;
}

static void
run (const gchar *name, gint n_params, const GimpParam *params,
     gint *n_return_vals, GimpParam **return_vals)
{
  /* GIMP reads the results after run() returns, the message included. */
  static GimpParam results[3];
  static GError *error = NULL;
  const HfsrProcedure *procedure = NULL;
  GimpPDBStatusType status;
  gint32 result_image_id = -1;
  gint32 result_drawable_id = -1;

  /* Before anything translates: GLib decides at its first g_dgettext()
   * whether to translate at all, by whether the default domain has a
   * catalogue.  hfsr.so binds the same domain (it shares it) to the same
   * folder when gegl_init() loads it. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  gegl_init (NULL, NULL);

  for (gsize p = 0; p < G_N_ELEMENTS (procedures); p++)
    if (strcmp (name, procedures[p].name) == 0)
      procedure = &procedures[p];

  g_clear_error (&error);
  if (procedure == NULL || n_params < HFSR_N_LEADING_ARGS)
    {
      g_set_error (&error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                   _ ("%s: unknown procedure or too few arguments."), name);
      status = GIMP_PDB_CALLING_ERROR;
    }
  else
    {
      status = run_procedure (procedure, n_params, params, &result_image_id,
                              &result_drawable_id, &error);
    }

  *return_vals = results;
  results[0].type = GIMP_PDB_STATUS;
  results[0].data.d_status = status;
  if (status == GIMP_PDB_SUCCESS && procedure->result == HFSR_RESULT_MAP_LAYER)
    {
      *n_return_vals = 2;
      results[1].type = GIMP_PDB_LAYER;
      results[1].data.d_layer = result_drawable_id;
    }
  else if (status == GIMP_PDB_SUCCESS)
    {
      *n_return_vals = 3;
      results[1].type = GIMP_PDB_IMAGE;
      results[1].data.d_image = result_image_id;
      results[2].type = GIMP_PDB_DRAWABLE;
      results[2].data.d_drawable = result_drawable_id;
    }
  else if (error != NULL)
    {
      *n_return_vals = 2;
      results[1].type = GIMP_PDB_STRING;
      results[1].data.d_string = error->message;
    }
  else
    {
      *n_return_vals = 1;
    }
}

const GimpPlugInInfo PLUG_IN_INFO = {
  NULL,
  NULL,
  query,
  run,
};

MAIN ()
