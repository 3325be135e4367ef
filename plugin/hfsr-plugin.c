/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GIMP 2.10 front end's entry points: the PDB procedures
 * (hfsr-procedures.c) it registers and the run that reads their arguments
 * (from Script-Fu, the last run or a dialog), checks them against the op
 * and runs it.
 */
#include "hfsr-config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gegl.h>

#include "hfsr-plugin.h"

static GimpPDBArgType
pdb_type (HfsrArgType type)
{
  switch (type)
    {
    case HFSR_TYPE_FLOAT:
      return GIMP_PDB_FLOAT;
    case HFSR_TYPE_DRAWABLE:
      return GIMP_PDB_DRAWABLE;
    case HFSR_TYPE_INT:
    default:
      return GIMP_PDB_INT32;
    }
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

  gimp_plugin_domain_register (GETTEXT_PACKAGE, hfsr_locale_dir ());

  for (gsize p = 0; p < hfsr_n_procedures; p++)
    {
      const HfsrProcedure *procedure = &hfsr_procedures[p];
      GimpParamDef args[HFSR_N_LEADING_ARGS + HFSR_MAX_ARGS];
      gboolean map = procedure->result == HFSR_RESULT_MAP_LAYER;

      g_assert (procedure->n_args <= HFSR_MAX_ARGS);
      memcpy (args, leading_args, sizeof leading_args);
      for (gint i = 0; i < procedure->n_args; i++)
        {
          args[HFSR_N_LEADING_ARGS + i].type
            = pdb_type (procedure->args[i].type);
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
            case HFSR_TYPE_FLOAT:
              values->arg[i] = param->data.d_float;
              break;
            case HFSR_TYPE_DRAWABLE:
              values->arg[i] = param->data.d_drawable;
              break;
            case HFSR_TYPE_INT:
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

  hfsr_plugin_init ();

  procedure = hfsr_procedure_find (name);

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
