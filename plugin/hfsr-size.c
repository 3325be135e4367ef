/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The "Result size" row of the dialogs (hfsr-size.h).  People think of an
 * upscale as "3000 pixels wide" as often as "x2.5": typing a width or a
 * height sets the scale that gives it, and moving the scale shows the
 * size, both rounded as hfsr:super-resolution rounds its output (x s,
 * halves up), so the typed size is the result's.
 */
#include "hfsr-config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gegl.h>

#include "hfsr-size.h"

gint
hfsr_size_scale_arg (const HfsrProcedure *procedure)
{
  for (gint i = 0; i < procedure->n_args; i++)
    {
      const HfsrArg *arg = &procedure->args[i];

      if (arg->role == HFSR_ARG_PROPERTY && strcmp (arg->name, "scale") == 0
          && G_IS_PARAM_SPEC_DOUBLE (
            gegl_operation_find_property (procedure->operation, arg->name)))
        return i;
    }
  return -1;
}

/* The user typed a width (@spin is entry->width) or a height. */
static void
side_changed (GtkSpinButton *spin, HfsrSizeEntry *entry)
{
  gint side = spin == GTK_SPIN_BUTTON (entry->width)
                ? hfsr_gimp_drawable_width (entry->drawable_id)
                : hfsr_gimp_drawable_height (entry->drawable_id);
  gdouble scale;

  if (entry->updating)
    return;
  scale = CLAMP (gtk_spin_button_get_value (spin) / side, entry->minimum,
                 entry->maximum);
  hfsr_size_entry_set_scale (entry, scale);
  entry->changed (scale, entry->data);
}

static GtkWidget *
side_spin (HfsrSizeEntry *entry, gint side)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (
    MAX (1.0, hfsr_scaled_side (side, entry->minimum)),
    hfsr_scaled_side (side, entry->maximum), 1.0);

  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), 0);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  g_signal_connect (spin, "value-changed", G_CALLBACK (side_changed), entry);
  return spin;
}

void
hfsr_size_entry_init (HfsrSizeEntry *entry, const HfsrProcedure *procedure,
                      gint scale_arg, gint32 drawable_id, gdouble scale,
                      HfsrSizeChanged changed, gpointer data)
{
  GParamSpecDouble *pspec = G_PARAM_SPEC_DOUBLE (gegl_operation_find_property (
    procedure->operation, procedure->args[scale_arg].name));
  GtkWidget *label;

  memset (entry, 0, sizeof *entry);
  entry->drawable_id = drawable_id;
  entry->minimum = pspec->minimum;
  entry->maximum = pspec->maximum;
  entry->changed = changed;
  entry->data = data;
  entry->width = side_spin (entry, hfsr_gimp_drawable_width (drawable_id));
  entry->height = side_spin (entry, hfsr_gimp_drawable_height (drawable_id));
#if HFSR_GIMP_API == 2
  entry->row = gtk_hbox_new (FALSE, 6);
#else
  entry->row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
#endif
  label = gtk_label_new_with_mnemonic (_ ("Result si_ze:"));
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), entry->width);
  gimp_help_set_help_data (
    entry->width,
    _ ("Type the width you want: the scale factor follows (the height "
       "keeps the proportions)."),
    NULL);
  gimp_help_set_help_data (
    entry->height,
    _ ("Type the height you want: the scale factor follows (the width "
       "keeps the proportions)."),
    NULL);
  gtk_box_pack_start (GTK_BOX (entry->row), label, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (entry->row), entry->width, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (entry->row), gtk_label_new ("×"), FALSE, FALSE,
                      0);
  gtk_box_pack_start (GTK_BOX (entry->row), entry->height, FALSE, FALSE, 0);
  gtk_box_pack_start (GTK_BOX (entry->row), gtk_label_new (_ ("pixels")),
                      FALSE, FALSE, 0);
  hfsr_size_entry_set_scale (entry, scale);
}

void
hfsr_size_entry_set_scale (HfsrSizeEntry *entry, gdouble scale)
{
  entry->updating = TRUE;
  gtk_spin_button_set_value (
    GTK_SPIN_BUTTON (entry->width),
    hfsr_scaled_side (hfsr_gimp_drawable_width (entry->drawable_id), scale));
  gtk_spin_button_set_value (
    GTK_SPIN_BUTTON (entry->height),
    hfsr_scaled_side (hfsr_gimp_drawable_height (entry->drawable_id), scale));
  entry->updating = FALSE;
}
