/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GIMP 2.10's dialog of every procedure, built from its table entry and
 * the op's property specs: a scale entry per number (the op's UI range,
 * its value range beyond), a menu per enum, the op's descriptions as
 * tooltips, and the live preview of hfsr-preview.c.
 */
#include "hfsr-config.h"

#include <math.h>
#include <glib/gi18n-lib.h>
#include <gegl.h>
#include <gegl-paramspecs.h>
#include <libgimp/gimp.h>
#include <libgimp/gimpui.h>

#include "hfsr-preview.h"
#include "hfsr-size.h"

#define SCALE_WIDTH 200
#define SPIN_BUTTON_WIDTH 6

/* Label and controls of one argument, made (in)sensitive together. */
#define WIDGETS_PER_ARG 3

typedef struct
{
  const HfsrProcedure *procedure;
  HfsrValues *values;
  gint32 drawable_id;
  HfsrPreview preview;
  GtkWidget *widgets[HFSR_MAX_ARGS][WIDGETS_PER_ARG];
  gint scale_arg; /* hfsr_size_scale_arg: -1 without a size row */
  HfsrSizeEntry size;
} Dialog;

static void
update_sensitivity (Dialog *dialog)
{
  for (gint i = 0; i < dialog->procedure->n_args; i++)
    {
      gboolean relevant = hfsr_arg_is_relevant (
        dialog->procedure, dialog->values, &dialog->procedure->args[i]);

      for (gint w = 0; w < WIDGETS_PER_ARG; w++)
        if (dialog->widgets[i][w] != NULL)
          gtk_widget_set_sensitive (dialog->widgets[i][w], relevant);
    }
}

/* Every control stores its argument's index on itself. */
static gint
arg_index (gpointer widget)
{
  return GPOINTER_TO_INT (g_object_get_data (G_OBJECT (widget), "hfsr-arg"));
}

static void
values_changed (Dialog *dialog)
{
  update_sensitivity (dialog);
  hfsr_preview_values_changed (&dialog->preview);
}

static void
adjustment_changed (GtkAdjustment *adjustment, Dialog *dialog)
{
  gdouble value = gtk_adjustment_get_value (adjustment);

  if (g_object_get_data (G_OBJECT (adjustment), "hfsr-integer"))
    value = round (value);
  dialog->values->arg[arg_index (adjustment)] = value;
  if (arg_index (adjustment) == dialog->scale_arg)
    hfsr_size_entry_set_scale (&dialog->size, value);
  values_changed (dialog);
}

/* A size typed in the size row: the scale that gives it, kept at full
 * precision (the slider shows it rounded to its decimals). */
static void
size_changed (gdouble scale, gpointer data)
{
  Dialog *dialog = data;
  GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (
    GTK_SPIN_BUTTON (dialog->widgets[dialog->scale_arg][2]));

  gtk_adjustment_set_value (adjustment, scale);
  dialog->values->arg[dialog->scale_arg] = scale;
  values_changed (dialog);
}

static void
toggle_changed (GtkToggleButton *toggle, Dialog *dialog)
{
  dialog->values->arg[arg_index (toggle)]
    = gtk_toggle_button_get_active (toggle);
  values_changed (dialog);
}

static void
combo_changed (GimpIntComboBox *combo, Dialog *dialog)
{
  gint value;

  if (!gimp_int_combo_box_get_active (combo, &value))
    return;
  dialog->values->arg[arg_index (combo)] = value;
  values_changed (dialog);
}

/* The aux source reads another drawable: the graph is made anew.  The
 * preview that combo_changed invalidates is redrawn later, from the idle
 * loop, so it sees the new graph. */
static void
reference_changed (GimpIntComboBox *combo, Dialog *dialog)
{
  combo_changed (combo, dialog);
  hfsr_preview_graph_changed (&dialog->preview);
}

static gboolean
same_size_drawable (gint32 image_id, gint32 item_id, gpointer data)
{
  gint32 drawable_id = GPOINTER_TO_INT (data);

  return !gimp_item_is_group (item_id)
         && gimp_drawable_width (item_id) == gimp_drawable_width (drawable_id)
         && gimp_drawable_height (item_id)
              == gimp_drawable_height (drawable_id);
}

static GtkWidget *
label_new (const gchar *text)
{
  gchar *with_colon = g_strdup_printf (_ ("%s:"), text);
  GtkWidget *label = gtk_label_new_with_mnemonic (with_colon);

  gtk_misc_set_alignment (GTK_MISC (label), 0.0, 0.5);
  g_free (with_colon);
  return label;
}

static void
attach_row (Dialog *dialog, GtkTable *table, gint i, const gchar *label_text,
            GtkWidget *control, const gchar *tooltip)
{
  GtkWidget *label = label_new (label_text);

  gtk_label_set_mnemonic_widget (GTK_LABEL (label), control);
  gtk_table_attach (table, label, 0, 1, i, i + 1, GTK_FILL, GTK_FILL, 0, 0);
  gtk_table_attach (table, control, 1, 3, i, i + 1, GTK_EXPAND | GTK_FILL,
                    GTK_FILL, 0, 0);
  gimp_help_set_help_data (control, tooltip, NULL);
  g_object_set_data (G_OBJECT (control), "hfsr-arg", GINT_TO_POINTER (i));
  dialog->widgets[i][0] = label;
  dialog->widgets[i][1] = control;
}

/* What a scale entry needs of a number property. */
typedef struct
{
  gdouble minimum; /* the value range, reached by typing */
  gdouble maximum;
  gdouble ui_minimum; /* the range the slider spans */
  gdouble ui_maximum;
  gdouble step;
  gdouble page;
  gint digits;
} NumberRange;

/* The range of a double or int property: the slider spans the whole value
 * range unless the op gives GEGL's UI hints, which say what range, steps
 * and decimals make sense. */
static void
number_range (GParamSpec *pspec, NumberRange *range)
{
  if (G_IS_PARAM_SPEC_DOUBLE (pspec))
    {
      range->minimum = G_PARAM_SPEC_DOUBLE (pspec)->minimum;
      range->maximum = G_PARAM_SPEC_DOUBLE (pspec)->maximum;
      range->step = (range->maximum - range->minimum) / 100.0;
      range->page = (range->maximum - range->minimum) / 10.0;
      range->digits = 3;
    }
  else
    {
      range->minimum = G_PARAM_SPEC_INT (pspec)->minimum;
      range->maximum = G_PARAM_SPEC_INT (pspec)->maximum;
      range->step = 1.0;
      range->page = 10.0;
      range->digits = 0;
    }
  range->ui_minimum = range->minimum;
  range->ui_maximum = range->maximum;

  if (GEGL_IS_PARAM_SPEC_DOUBLE (pspec))
    {
      GeglParamSpecDouble *gegl = GEGL_PARAM_SPEC_DOUBLE (pspec);

      range->ui_minimum = gegl->ui_minimum;
      range->ui_maximum = gegl->ui_maximum;
      range->step = gegl->ui_step_small;
      range->page = gegl->ui_step_big;
      range->digits = gegl->ui_digits;
    }
  else if (GEGL_IS_PARAM_SPEC_INT (pspec))
    {
      GeglParamSpecInt *gegl = GEGL_PARAM_SPEC_INT (pspec);

      range->ui_minimum = gegl->ui_minimum;
      range->ui_maximum = gegl->ui_maximum;
      range->step = gegl->ui_step_small;
      range->page = gegl->ui_step_big;
    }
}

/* A scale entry over the op's UI range; typing reaches its value range. */
static void
add_number (Dialog *dialog, GtkTable *table, gint i, GParamSpec *pspec)
{
  NumberRange range;
  GtkObject *adjustment;
  gchar *label;

  number_range (pspec, &range);
  /* A value from an earlier run may lie beyond the UI range. */
  range.ui_minimum = MIN (range.ui_minimum, dialog->values->arg[i]);
  range.ui_maximum = MAX (range.ui_maximum, dialog->values->arg[i]);

  label = g_strdup_printf (_ ("%s:"), g_param_spec_get_nick (pspec));
  adjustment = gimp_scale_entry_new (
    table, 0, i, label, SCALE_WIDTH, SPIN_BUTTON_WIDTH, dialog->values->arg[i],
    range.ui_minimum, range.ui_maximum, range.step, range.page, range.digits,
    FALSE, range.minimum, range.maximum, g_param_spec_get_blurb (pspec), NULL);
  g_free (label);
  g_object_set_data (G_OBJECT (adjustment), "hfsr-arg", GINT_TO_POINTER (i));
  g_object_set_data (G_OBJECT (adjustment), "hfsr-integer",
                     GINT_TO_POINTER (G_IS_PARAM_SPEC_INT (pspec)));
  g_signal_connect (adjustment, "value-changed",
                    G_CALLBACK (adjustment_changed), dialog);
  dialog->widgets[i][0] = GIMP_SCALE_ENTRY_LABEL (adjustment);
  dialog->widgets[i][1] = GIMP_SCALE_ENTRY_SCALE (adjustment);
  dialog->widgets[i][2] = GIMP_SCALE_ENTRY_SPINBUTTON (adjustment);
}

static void
add_enum (Dialog *dialog, GtkTable *table, gint i, GParamSpec *pspec)
{
  GEnumClass *enum_class = G_PARAM_SPEC_ENUM (pspec)->enum_class;
  GtkWidget *combo = g_object_new (GIMP_TYPE_INT_COMBO_BOX, NULL);

  for (guint v = 0; v < enum_class->n_values; v++)
    gimp_int_combo_box_append (
      GIMP_INT_COMBO_BOX (combo), GIMP_INT_STORE_VALUE,
      enum_class->values[v].value, GIMP_INT_STORE_LABEL,
      enum_class->values[v].value_name, -1);
  attach_row (dialog, table, i, g_param_spec_get_nick (pspec), combo,
              g_param_spec_get_blurb (pspec));
  gimp_int_combo_box_connect (GIMP_INT_COMBO_BOX (combo),
                              (gint) dialog->values->arg[i],
                              G_CALLBACK (combo_changed), dialog);
}

static void
add_toggle (Dialog *dialog, GtkTable *table, gint i, const gchar *label,
            const gchar *tooltip)
{
  GtkWidget *toggle = gtk_check_button_new_with_mnemonic (label);

  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (toggle),
                                dialog->values->arg[i] != 0.0);
  gtk_table_attach (table, toggle, 0, 3, i, i + 1, GTK_EXPAND | GTK_FILL,
                    GTK_FILL, 0, 0);
  gimp_help_set_help_data (toggle, tooltip, NULL);
  g_object_set_data (G_OBJECT (toggle), "hfsr-arg", GINT_TO_POINTER (i));
  g_signal_connect (toggle, "toggled", G_CALLBACK (toggle_changed), dialog);
  dialog->widgets[i][0] = toggle;
}

static void
add_reference (Dialog *dialog, GtkTable *table, gint i)
{
  GtkWidget *combo = gimp_drawable_combo_box_new (
    same_size_drawable, GINT_TO_POINTER (dialog->drawable_id));

  if ((gint32) dialog->values->arg[i] == dialog->drawable_id)
    dialog->values->arg[i] = hfsr_suggested_reference (dialog->drawable_id);
  attach_row (dialog, table, i, _ ("_Reference"), combo,
              _ ("The drawable to compare with: any drawable of the same "
                 "size, such as the original that this layer was made "
                 "from."));
  gimp_int_combo_box_connect (GIMP_INT_COMBO_BOX (combo),
                              (gint) dialog->values->arg[i],
                              G_CALLBACK (reference_changed), dialog);
}

static GtkWidget *
controls_new (Dialog *dialog)
{
  const HfsrProcedure *procedure = dialog->procedure;
  GtkWidget *table = gtk_table_new (procedure->n_args, 3, FALSE);

  gtk_table_set_col_spacings (GTK_TABLE (table), 6);
  gtk_table_set_row_spacings (GTK_TABLE (table), 6);
  for (gint i = 0; i < procedure->n_args; i++)
    {
      const HfsrArg *arg = &procedure->args[i];
      GParamSpec *pspec;

      switch (arg->role)
        {
        case HFSR_ARG_REFERENCE:
          add_reference (dialog, GTK_TABLE (table), i);
          break;
        case HFSR_ARG_NEW_IMAGE:
          add_toggle (dialog, GTK_TABLE (table), i,
                      _ ("Open the result as a _new image"),
                      _ ("Leave this image as it is and open the upscaled "
                         "drawable as a new image.  Otherwise the image is "
                         "scaled: this drawable by the network, the other "
                         "layers by GIMP's interpolation."));
          break;
        case HFSR_ARG_PROPERTY:
          pspec
            = gegl_operation_find_property (procedure->operation, arg->name);
          if (G_IS_PARAM_SPEC_ENUM (pspec))
            add_enum (dialog, GTK_TABLE (table), i, pspec);
          else if (G_IS_PARAM_SPEC_BOOLEAN (pspec))
            add_toggle (dialog, GTK_TABLE (table), i,
                        g_param_spec_get_nick (pspec),
                        g_param_spec_get_blurb (pspec));
          else
            add_number (dialog, GTK_TABLE (table), i, pspec);
          break;
        }
    }
  return table;
}

gboolean
hfsr_dialog_run (const HfsrProcedure *procedure, gint32 drawable_id,
                 HfsrValues *values)
{
  Dialog dialog = { procedure, values, drawable_id };
  HfsrValues edited = *values;
  GtkWidget *window;
  GtkWidget *content;
  GtkWidget *box;
  gboolean accepted;

  gimp_ui_init (HFSR_PLUGIN_BINARY, TRUE);
  dialog.values = &edited;

  window = gimp_dialog_new (hfsr_procedure_title (procedure), procedure->name,
                            NULL, 0, gimp_standard_help_func, procedure->name,
                            _ ("_Cancel"), GTK_RESPONSE_CANCEL, _ ("_OK"),
                            GTK_RESPONSE_OK, NULL);
  gtk_dialog_set_alternative_button_order (
    GTK_DIALOG (window), GTK_RESPONSE_OK, GTK_RESPONSE_CANCEL, -1);
  gimp_window_set_transient (GTK_WINDOW (window));

  box = gtk_vbox_new (FALSE, 12);
  gtk_container_set_border_width (GTK_CONTAINER (box), 12);
  content = gtk_dialog_get_content_area (GTK_DIALOG (window));
  gtk_box_pack_start (GTK_BOX (content), box, TRUE, TRUE, 0);

  hfsr_preview_init (&dialog.preview, procedure, &edited, drawable_id,
                     GTK_BOX (box));
  dialog.scale_arg = hfsr_size_scale_arg (procedure);
  gtk_box_pack_start (GTK_BOX (box), controls_new (&dialog), FALSE, FALSE, 0);
  if (dialog.scale_arg >= 0)
    {
      hfsr_size_entry_init (&dialog.size, procedure, dialog.scale_arg,
                            drawable_id, edited.arg[dialog.scale_arg],
                            size_changed, &dialog);
      gtk_box_pack_start (GTK_BOX (box), dialog.size.row, FALSE, FALSE, 0);
    }
  update_sensitivity (&dialog);

  gtk_widget_show_all (window);
  accepted = gimp_dialog_run (GIMP_DIALOG (window)) == GTK_RESPONSE_OK;

  gtk_widget_destroy (window);
  hfsr_preview_clear (&dialog.preview);
  if (accepted)
    *values = edited;
  return accepted;
}
