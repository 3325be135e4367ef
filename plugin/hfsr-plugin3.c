/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GIMP 3 front end: a GimpPlugIn registering the procedures of
 * hfsr-procedures.c as image procedures, with the names and argument names
 * of GIMP 2.10's.  Each argument is declared from the op's property spec:
 * its type (an enum as a choice of the enum's nicks, as GIMP 3 does for
 * GEGL filters), range, default, label and tooltip.  A run reads the
 * values GIMP 3 gives (from a script, the last run or the dialog of
 * hfsr-dialog3.c), checks them against the op as GIMP 2.10's front end does
 * and runs the shared core (hfsr-render.c).
 */
#include "hfsr-config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gegl.h>

#include "hfsr-plugin3.h"

typedef struct
{
  GimpPlugIn parent_instance;
} HfsrPlugIn;

typedef struct
{
  GimpPlugInClass parent_class;
} HfsrPlugInClass;

static GType hfsr_plug_in_get_type (void) G_GNUC_CONST;

G_DEFINE_TYPE (HfsrPlugIn, hfsr_plug_in, GIMP_TYPE_PLUG_IN)

/* The empty main loop of GLib's type macros is GIMP's. */
/* clang-format off */
GIMP_MAIN (hfsr_plug_in_get_type ())
/* clang-format on */

static GList *
query_procedures (GimpPlugIn *plug_in)
{
  GList *names = NULL;

  for (gsize p = 0; p < hfsr_n_procedures; p++)
    names = g_list_append (names, g_strdup (hfsr_procedures[p].name));
  return names;
}

/* The plug-in translates its own texts, menu labels included (GIMP 3
 * keeps them as registered): hfsr_plugin_init binds the catalogue, which
 * is shared with hfsr.so in the locale folder.  libgimp would bind one
 * only inside the plug-in's own folder, so it is told not to. */
static gboolean
set_i18n (GimpPlugIn *plug_in, const gchar *name, gchar **gettext_domain,
          gchar **catalog_dir)
{
  return FALSE;
}

/* The choice of an enum property: its nicks, with their values as ids
 * (gimp_procedure_config_get_choice_id gives them back) and the op's
 * labels. */
static GimpChoice *
enum_choice (GParamSpec *pspec)
{
  GEnumClass *enum_class = G_PARAM_SPEC_ENUM (pspec)->enum_class;
  GimpChoice *choice = gimp_choice_new ();

  for (guint v = 0; v < enum_class->n_values; v++)
    gimp_choice_add (choice, enum_class->values[v].value_nick,
                     enum_class->values[v].value,
                     enum_class->values[v].value_name, NULL);
  return choice;
}

/* @label with a mnemonic: an underscore before its first letter that
 * @used (the lower-case letters taken in this dialog, updated) lacks, or
 * before the first letter when all are taken.  GimpProcedureDialog gives
 * each argument's control its nick as label and asks for one. */
static gchar *
with_mnemonic (const gchar *label, GString *used)
{
  const gchar *at = NULL;

  for (const gchar *c = label; *c != '\0'; c = g_utf8_next_char (c))
    {
      gunichar letter = g_unichar_tolower (g_utf8_get_char (c));
      gchar utf8[8] = { 0 };

      if (!g_unichar_isalnum (letter))
        continue;
      if (at == NULL)
        at = c;
      g_unichar_to_utf8 (letter, utf8);
      if (strstr (used->str, utf8) == NULL)
        {
          at = c;
          g_string_append (used, utf8);
          break;
        }
    }
  if (at == NULL)
    return g_strdup (label);
  return g_strdup_printf ("%.*s_%s", (gint) (at - label), label, at);
}

/* The argument of op property @arg, of the property's type, labelled with
 * a mnemonic that @used lacks. */
static gboolean
add_property_argument (GimpProcedure *gimp_procedure,
                       const HfsrProcedure *procedure, const HfsrArg *arg,
                       GString *used, GError **error)
{
  GParamSpec *pspec = hfsr_arg_pspec (procedure, arg, error);
  const gchar *blurb;
  gchar *nick;
  GValue value = G_VALUE_INIT;

  if (pspec == NULL)
    return FALSE;
  nick = with_mnemonic (g_param_spec_get_nick (pspec), used);
  blurb = g_param_spec_get_blurb (pspec);
  g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspec));
  g_param_value_set_default (pspec, &value);
  if (G_IS_PARAM_SPEC_DOUBLE (pspec))
    gimp_procedure_add_double_argument (gimp_procedure, arg->name, nick, blurb,
                                        G_PARAM_SPEC_DOUBLE (pspec)->minimum,
                                        G_PARAM_SPEC_DOUBLE (pspec)->maximum,
                                        g_value_get_double (&value),
                                        G_PARAM_READWRITE);
  else if (G_IS_PARAM_SPEC_INT (pspec))
    gimp_procedure_add_int_argument (
      gimp_procedure, arg->name, nick, blurb,
      G_PARAM_SPEC_INT (pspec)->minimum, G_PARAM_SPEC_INT (pspec)->maximum,
      g_value_get_int (&value), G_PARAM_READWRITE);
  else if (G_IS_PARAM_SPEC_ENUM (pspec))
    gimp_procedure_add_choice_argument (
      gimp_procedure, arg->name, nick, blurb, enum_choice (pspec),
      g_enum_get_value (G_PARAM_SPEC_ENUM (pspec)->enum_class,
                        g_value_get_enum (&value))
        ->value_nick,
      G_PARAM_READWRITE);
  else
    gimp_procedure_add_boolean_argument (gimp_procedure, arg->name, nick,
                                         blurb, g_value_get_boolean (&value),
                                         G_PARAM_READWRITE);
  g_value_unset (&value);
  g_free (nick);
  return TRUE;
}

static gboolean
add_argument (GimpProcedure *gimp_procedure, const HfsrProcedure *procedure,
              const HfsrArg *arg, GString *used, GError **error)
{
  switch (arg->role)
    {
    case HFSR_ARG_REFERENCE:
      /* none_ok: the dialog starts without one and suggests one; a
       * script must give it. */
      gimp_procedure_add_drawable_argument (
        gimp_procedure, arg->name, _ ("_Reference"),
        _ ("The drawable to compare with: any drawable of the same size, "
           "such as the original that this layer was made from."),
        TRUE, G_PARAM_READWRITE);
      return TRUE;
    case HFSR_ARG_NEW_IMAGE:
      gimp_procedure_add_boolean_argument (
        gimp_procedure, arg->name, _ ("Open the result as a _new image"),
        _ ("Leave this image as it is and open the upscaled drawable as a "
           "new image.  Otherwise the image is scaled: this drawable by the "
           "network, the other layers by GIMP's interpolation."),
        FALSE, G_PARAM_READWRITE);
      return TRUE;
    case HFSR_ARG_PROPERTY:
    default:
      return add_property_argument (gimp_procedure, procedure, arg, used,
                                    error);
    }
}

static void
add_return_values (GimpProcedure *gimp_procedure,
                   const HfsrProcedure *procedure)
{
  if (procedure->result == HFSR_RESULT_MAP_LAYER)
    {
      gimp_procedure_add_layer_return_value (
        gimp_procedure, "map-layer", "Map layer",
        "The new layer holding the map", FALSE, G_PARAM_READWRITE);
      return;
    }
  gimp_procedure_add_image_return_value (
    gimp_procedure, "result-image", "Result image",
    "The image holding the result: the input image or a new one", FALSE,
    G_PARAM_READWRITE);
  gimp_procedure_add_drawable_return_value (
    gimp_procedure, "result-drawable", "Result drawable",
    "The upscaled drawable", FALSE, G_PARAM_READWRITE);
}

static GimpValueArray *run (GimpProcedure *gimp_procedure,
                            GimpRunMode run_mode, GimpImage *image,
                            GimpDrawable **drawables,
                            GimpProcedureConfig *config, gpointer data);

static GimpProcedure *
create_procedure (GimpPlugIn *plug_in, const gchar *name)
{
  const HfsrProcedure *procedure = hfsr_procedure_find (name);
  GimpProcedure *gimp_procedure;
  GString *used;
  GError *error = NULL;

  if (procedure == NULL)
    return NULL;
  gimp_procedure = gimp_image_procedure_new (
    plug_in, name, GIMP_PDB_PROC_TYPE_PLUGIN, run, (gpointer) procedure, NULL);
  gimp_procedure_set_image_types (gimp_procedure, "RGB*, GRAY*");
  gimp_procedure_set_sensitivity_mask (gimp_procedure,
                                       GIMP_PROCEDURE_SENSITIVE_DRAWABLE);
  /* A menu label alone makes an action that GIMP's action search finds:
   * only procedures with a menu item get one. */
  if (hfsr_procedure_has_gimp3_menu (procedure))
    {
      gimp_procedure_set_menu_label (gimp_procedure,
                                     _ (procedure->menu_label));
      gimp_procedure_add_menu_path (gimp_procedure, procedure->menu_path);
    }
  gimp_procedure_set_documentation (gimp_procedure, _ (procedure->blurb),
                                    _ (procedure->help), name);
  gimp_procedure_set_attribution (gimp_procedure, "the hfsr authors",
                                  "the hfsr authors", "2026");
  /* The letters of the dialog's own buttons and of the two arguments
   * that are not op properties (_Reference, _new image) are taken. */
  used = g_string_new ("ochrlsnp");
  for (gint i = 0; i < procedure->n_args; i++)
    if (!add_argument (gimp_procedure, procedure, &procedure->args[i], used,
                       &error))
      {
        g_string_free (used, TRUE);
        /* Without hfsr.so there is nothing to declare the arguments by:
         * GIMP then lists no procedure rather than a broken one. */
        g_printerr ("hfsr: %s\n", error->message);
        g_clear_error (&error);
        g_object_unref (gimp_procedure);
        return NULL;
      }
  g_string_free (used, TRUE);
  add_return_values (gimp_procedure, procedure);
  return gimp_procedure;
}

gboolean
hfsr_procedure_has_gimp3_menu (const HfsrProcedure *procedure)
{
  /* The maps are GIMP 3 filters of their own (the ops' gimp:menu-path),
   * non-destructive and previewed on the canvas: the same entry from the
   * plug-in would be a second item of the same name.  Their procedures
   * stay in the PDB for scripts that want the map as a layer. */
  return procedure->result != HFSR_RESULT_MAP_LAYER;
}

void
hfsr_values_from_config (const HfsrProcedure *procedure,
                         GimpProcedureConfig *config, HfsrValues *values)
{
  for (gint i = 0; i < procedure->n_args; i++)
    {
      const HfsrArg *arg = &procedure->args[i];
      GParamSpec *pspec = g_object_class_find_property (
        G_OBJECT_GET_CLASS (config), arg->name);
      GValue value = G_VALUE_INIT;
      GObject *object;

      g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspec));
      g_object_get_property (G_OBJECT (config), arg->name, &value);
      if (GIMP_IS_PARAM_SPEC_CHOICE (pspec))
        values->arg[i]
          = gimp_procedure_config_get_choice_id (config, arg->name);
      else if (G_VALUE_HOLDS_DOUBLE (&value))
        values->arg[i] = g_value_get_double (&value);
      else if (G_VALUE_HOLDS_INT (&value))
        values->arg[i] = g_value_get_int (&value);
      else if (G_VALUE_HOLDS_BOOLEAN (&value))
        values->arg[i] = g_value_get_boolean (&value);
      else if (G_VALUE_HOLDS_OBJECT (&value))
        {
          object = g_value_get_object (&value);
          values->arg[i]
            = object != NULL ? gimp_item_get_id (GIMP_ITEM (object)) : -1;
        }
      g_value_unset (&value);
    }
}

static GimpValueArray *
failed (GimpProcedure *gimp_procedure, GError *error)
{
  return gimp_procedure_new_return_values (
    gimp_procedure,
    error->code == HFSR_PLUGIN_ERROR_CALLING ? GIMP_PDB_CALLING_ERROR
                                             : GIMP_PDB_EXECUTION_ERROR,
    error);
}

static GimpValueArray *
succeeded (GimpProcedure *gimp_procedure, const HfsrProcedure *procedure,
           gint32 result_image_id, gint32 result_drawable_id)
{
  GimpValueArray *results = gimp_procedure_new_return_values (
    gimp_procedure, GIMP_PDB_SUCCESS, NULL);

  if (procedure->result == HFSR_RESULT_MAP_LAYER)
    {
      GIMP_VALUES_SET_LAYER (results, 1,
                             gimp_layer_get_by_id (result_drawable_id));
      return results;
    }
  GIMP_VALUES_SET_IMAGE (results, 1, gimp_image_get_by_id (result_image_id));
  GIMP_VALUES_SET_DRAWABLE (results, 2,
                            gimp_drawable_get_by_id (result_drawable_id));
  return results;
}

static GimpValueArray *
run (GimpProcedure *gimp_procedure, GimpRunMode run_mode, GimpImage *image,
     GimpDrawable **drawables, GimpProcedureConfig *config, gpointer data)
{
  const HfsrProcedure *procedure = data;
  GError *error = NULL;
  HfsrValues values;
  gint32 image_id = gimp_image_get_id (image);
  gint32 drawable_id, result_image_id = -1, result_drawable_id = -1;

  if (gimp_core_object_array_get_length ((GObject **) drawables) != 1)
    {
      g_set_error (&error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                   _ ("%s works on one drawable at a time: choose one "
                      "layer."),
                   hfsr_procedure_title (procedure));
      return failed (gimp_procedure, error);
    }
  drawable_id = gimp_item_get_id (GIMP_ITEM (drawables[0]));
  if (!hfsr_check_image (procedure, image_id, drawable_id, &error)
      || !hfsr_values_init (procedure, drawable_id, &values, &error))
    return failed (gimp_procedure, error);

  if (run_mode == GIMP_RUN_INTERACTIVE
      && !hfsr_dialog3_run (gimp_procedure, config, procedure, drawable_id))
    return gimp_procedure_new_return_values (gimp_procedure, GIMP_PDB_CANCEL,
                                             NULL);
  hfsr_values_from_config (procedure, config, &values);
  if (!hfsr_values_check (procedure, &values, drawable_id, &error)
      || !hfsr_procedure_run (procedure, &values, image_id, drawable_id,
                              &result_image_id, &result_drawable_id, &error))
    return failed (gimp_procedure, error);

  if (run_mode == GIMP_RUN_INTERACTIVE)
    {
      if (result_image_id != image_id)
        gimp_display_new (gimp_image_get_by_id (result_image_id));
      gimp_displays_flush ();
    }
  return succeeded (gimp_procedure, procedure, result_image_id,
                    result_drawable_id);
}

static void
hfsr_plug_in_class_init (HfsrPlugInClass *klass)
{
  GimpPlugInClass *plug_in_class = GIMP_PLUG_IN_CLASS (klass);

  /* Once per process (query or run), before libgimp translates anything:
   * GLib decides once, at the first g_dgettext() of the process, whether
   * to translate at all, from the default domain that textdomain() set
   * (hfsr_plugin_init).  GEGL is started here for every procedure. */
  hfsr_plugin_init ();
  plug_in_class->query_procedures = query_procedures;
  plug_in_class->create_procedure = create_procedure;
  plug_in_class->set_i18n = set_i18n;
}

static void
hfsr_plug_in_init (HfsrPlugIn *plug_in)
{
}
