/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GIMP 3's dialog of every procedure: GIMP's own GimpProcedureDialog,
 * which makes a control per argument from what hfsr-plugin3.c declared
 * (the op's ranges, labels and tooltips) and remembers the values, with
 * the live preview of hfsr-preview.c above the controls.  The op's GEGL UI
 * ranges set what the sliders span; controls that do not matter for the
 * other values (the op's "visible" keys) are made insensitive, as in GIMP
 * 2.10's dialog (hfsr-dialog.c).
 */
#include "hfsr-config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gegl.h>
#include <gegl-paramspecs.h>
#include <libgimp/gimpui.h>

#include "hfsr-plugin3.h"
#include "hfsr-preview.h"
#include "hfsr-size.h"

typedef struct
{
  const HfsrProcedure *procedure;
  GimpProcedureDialog *dialog;
  GimpProcedureConfig *config;
  HfsrValues values;
  HfsrPreview preview;
  gint scale_arg; /* hfsr_size_scale_arg: -1 without a size row */
  HfsrSizeEntry size;
} Dialog;

static void
update_sensitivity (Dialog *dialog)
{
  for (gint i = 0; i < dialog->procedure->n_args; i++)
    {
      const HfsrArg *arg = &dialog->procedure->args[i];
      GtkWidget *widget = gimp_procedure_dialog_get_widget (
        dialog->dialog, arg->name, G_TYPE_NONE);

      if (widget != NULL)
        gtk_widget_set_sensitive (
          widget,
          hfsr_arg_is_relevant (dialog->procedure, &dialog->values, arg));
    }
}

static void
config_changed (GObject *config, GParamSpec *pspec, Dialog *dialog)
{
  gint reference
    = hfsr_procedure_find_role (dialog->procedure, HFSR_ARG_REFERENCE);

  hfsr_values_from_config (dialog->procedure, dialog->config, &dialog->values);
  if (dialog->scale_arg >= 0)
    hfsr_size_entry_set_scale (&dialog->size,
                               dialog->values.arg[dialog->scale_arg]);
  update_sensitivity (dialog);
  /* The aux source reads another drawable: the graph is made anew. */
  if (reference >= 0
      && strcmp (pspec->name, dialog->procedure->args[reference].name) == 0)
    hfsr_preview_graph_changed (&dialog->preview);
  else
    hfsr_preview_values_changed (&dialog->preview);
}

/* A reference of the right size that is not the drawable itself, unless
 * the last run left a usable one. */
static void
suggest_reference (Dialog *dialog, gint32 drawable_id)
{
  gint reference
    = hfsr_procedure_find_role (dialog->procedure, HFSR_ARG_REFERENCE);
  const gchar *name;
  GError *error = NULL;

  if (reference < 0)
    return;
  name = dialog->procedure->args[reference].name;
  hfsr_values_from_config (dialog->procedure, dialog->config, &dialog->values);
  if (dialog->values.arg[reference] != drawable_id
      && hfsr_values_check (dialog->procedure, &dialog->values, drawable_id,
                            &error))
    return;
  g_clear_error (&error);
  g_object_set (
    dialog->config, name,
    gimp_drawable_get_by_id (hfsr_suggested_reference (drawable_id)), NULL);
}

/* A size typed in the size row: the scale that gives it, into the
 * config (config_changed follows). */
static void
size_changed (gdouble scale, gpointer data)
{
  Dialog *dialog = data;

  g_object_set (dialog->config,
                dialog->procedure->args[dialog->scale_arg].name, scale, NULL);
}

/* The sliders, made before gimp_procedure_dialog_fill would make them with
 * its fixed steps (which exceed a short range such as scale 2-4, and GTK
 * complains): GIMP's own steps for the range, over the op's UI range
 * (GEGL's ui-minimum, ui-maximum) as GIMP 3 does for GEGL filters, typing
 * reaching the whole value range, and the op's decimals, as GIMP 2.10's
 * dialog shows them (the sigmas' 1.249 needs three; GIMP's guess from the
 * range gives one). */
static void
add_sliders (Dialog *dialog)
{
  for (gint i = 0; i < dialog->procedure->n_args; i++)
    {
      const HfsrArg *arg = &dialog->procedure->args[i];
      GParamSpec *pspec;
      GtkWidget *widget;
      gdouble lower, upper;

      if (arg->role != HFSR_ARG_PROPERTY)
        continue;
      pspec = gegl_operation_find_property (dialog->procedure->operation,
                                            arg->name);
      if (GEGL_IS_PARAM_SPEC_DOUBLE (pspec))
        {
          lower = GEGL_PARAM_SPEC_DOUBLE (pspec)->ui_minimum;
          upper = GEGL_PARAM_SPEC_DOUBLE (pspec)->ui_maximum;
        }
      else if (GEGL_IS_PARAM_SPEC_INT (pspec))
        {
          lower = GEGL_PARAM_SPEC_INT (pspec)->ui_minimum;
          upper = GEGL_PARAM_SPEC_INT (pspec)->ui_maximum;
        }
      else
        continue;
      widget = gimp_procedure_dialog_get_spin_scale (dialog->dialog, arg->name,
                                                     1.0);
      if (!GIMP_IS_SPIN_SCALE (widget))
        continue;
      if (lower < upper)
        gimp_spin_scale_set_scale_limits (GIMP_SPIN_SCALE (widget),
                                          MIN (lower, dialog->values.arg[i]),
                                          MAX (upper, dialog->values.arg[i]));
      if (GEGL_IS_PARAM_SPEC_DOUBLE (pspec))
        gtk_spin_button_set_digits (GTK_SPIN_BUTTON (widget),
                                    GEGL_PARAM_SPEC_DOUBLE (pspec)->ui_digits);
    }
}

gboolean
hfsr_dialog3_run (GimpProcedure *gimp_procedure, GimpProcedureConfig *config,
                  const HfsrProcedure *procedure, gint32 drawable_id)
{
  Dialog dialog = { procedure, NULL, config };
  GtkWidget *window;
  GtkWidget *box;
  gboolean accepted;

  gimp_ui_init (HFSR_PLUGIN_BINARY);
  window = gimp_procedure_dialog_new (gimp_procedure, config,
                                      hfsr_procedure_title (procedure));
  dialog.dialog = GIMP_PROCEDURE_DIALOG (window);
  suggest_reference (&dialog, drawable_id);
  hfsr_values_from_config (procedure, config, &dialog.values);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_container_set_border_width (GTK_CONTAINER (box), 12);
  gtk_box_pack_start (
    GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (window))), box, TRUE,
    TRUE, 0);
  hfsr_preview_init (&dialog.preview, procedure, &dialog.values, drawable_id,
                     GTK_BOX (box));
  gtk_widget_show_all (box);

  add_sliders (&dialog);
  gimp_procedure_dialog_fill (dialog.dialog, NULL);
  dialog.scale_arg = hfsr_size_scale_arg (procedure);
  if (dialog.scale_arg >= 0)
    {
      hfsr_size_entry_init (&dialog.size, procedure, dialog.scale_arg,
                            drawable_id, dialog.values.arg[dialog.scale_arg],
                            size_changed, &dialog);
      gtk_container_set_border_width (GTK_CONTAINER (dialog.size.row), 12);
      gtk_box_pack_start (
        GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (window))),
        dialog.size.row, FALSE, FALSE, 0);
      gtk_widget_show_all (dialog.size.row);
    }
  update_sensitivity (&dialog);
  g_signal_connect (config, "notify", G_CALLBACK (config_changed), &dialog);

  accepted = gimp_procedure_dialog_run (dialog.dialog);

  g_signal_handlers_disconnect_by_func (config, config_changed, &dialog);
  gtk_widget_destroy (window);
  hfsr_preview_clear (&dialog.preview);
  return accepted;
}
