/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dialogs' live preview (hfsr-preview.h), the same in GIMP 2.10 (GTK 2)
 * and GIMP 3 (GTK 3): GimpPreview's API is the same in both.
 */
#include "hfsr-config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gegl.h>

#include "hfsr-preview.h"

/* The rectangle of the op's output shown for the preview's view of the
 * drawable: the view itself for a map; for an upscaled result as many
 * output pixels, at 100 %, around the middle of the view. */
static GeglRectangle
preview_area (HfsrPreview *preview)
{
  GimpPreview *view = GIMP_PREVIEW (preview->preview);
  GeglRectangle output = gegl_node_get_bounding_box (preview->op);
  GeglRectangle area;
  gdouble factor;

  gimp_preview_get_position (view, &area.x, &area.y);
  gimp_preview_get_size (view, &area.width, &area.height);
  if (!HFSR_RESULT_IS_UPSCALED (preview->procedure->result))
    return area;

  /* Any factor from 1 to 8 (hfsr:super-resolution's scale). */
  factor
    = (gdouble) output.width / hfsr_gimp_drawable_width (preview->drawable_id);
  area.x = (gint) ((area.x + area.width / 2.0) * factor - area.width / 2.0);
  area.y = (gint) ((area.y + area.height / 2.0) * factor - area.height / 2.0);
  area.x = CLAMP (area.x, 0, MAX (0, output.width - area.width));
  area.y = CLAMP (area.y, 0, MAX (0, output.height - area.height));
  return area;
}

static void
show_class (HfsrPreview *preview)
{
  GError *error = NULL;
  gchar *text = hfsr_class_describe (preview->procedure, preview->values,
                                     preview->drawable_id, &error);
  gchar *line = text != NULL
                  ? g_strdup_printf (_ ("Class: %s"), text)
                  : g_strdup_printf (_ ("No class: %s"), error->message);

  gtk_label_set_text (GTK_LABEL (preview->class_label), line);
  g_free (line);
  g_free (text);
  g_clear_error (&error);
}

static void
preview_draw (GimpPreview *view, HfsrPreview *preview)
{
  GeglRectangle area;
  guchar *pixels;
  HfsrOpWarnings *warnings;
  gchar *failure;
  gchar *note;

  hfsr_values_apply (preview->procedure, preview->values, preview->op);
  area = preview_area (preview);
  pixels = g_new0 (guchar, ((gsize) area.width * area.height * 4));

  warnings = hfsr_op_warnings_watch ();
  gegl_node_blit (preview->op, 1.0, &area, babl_format ("R'G'B'A u8"), pixels,
                  GEGL_AUTO_ROWSTRIDE, GEGL_BLIT_DEFAULT);
  failure = hfsr_op_warnings_end (warnings, &note);
  if (failure == NULL)
    failure = note;
  else
    g_free (note);

  gimp_preview_area_draw (GIMP_PREVIEW_AREA (gimp_preview_get_area (view)), 0,
                          0, area.width, area.height, GIMP_RGBA_IMAGE, pixels,
                          area.width * 4);
  /* The op warns once per change of settings, not at every redraw: the
   * message stays until the values change. */
  if (failure != NULL)
    {
      gtk_label_set_text (GTK_LABEL (preview->message), failure);
      gtk_widget_show (preview->message);
      g_free (failure);
    }
  g_free (pixels);
  if (preview->class_label != NULL)
    show_class (preview);
}

static GtkWidget *
label_with (PangoAttrType attribute, gint value)
{
  GtkWidget *label = gtk_label_new (NULL);

  gimp_label_set_attributes (GTK_LABEL (label), attribute, value, -1);
  gtk_label_set_line_wrap (GTK_LABEL (label), TRUE);
  return label;
}

void
hfsr_preview_init (HfsrPreview *preview, const HfsrProcedure *procedure,
                   const HfsrValues *values, gint32 drawable_id, GtkBox *box)
{
  memset (preview, 0, sizeof *preview);
  preview->procedure = procedure;
  preview->values = values;
  preview->drawable_id = drawable_id;
  preview->graph
    = hfsr_graph_new (procedure, values, drawable_id, &preview->op);
#if HFSR_GIMP_API == 2
  preview->preview = gimp_drawable_preview_new_from_drawable_id (drawable_id);
#else
  preview->preview = gimp_drawable_preview_new_from_drawable (
    gimp_drawable_get_by_id (drawable_id));
#endif
  gtk_box_pack_start (box, preview->preview, TRUE, TRUE, 0);
  if (HFSR_RESULT_IS_UPSCALED (procedure->result))
    {
      GtkWidget *note = label_with (PANGO_ATTR_STYLE, PANGO_STYLE_ITALIC);

      gtk_label_set_text (GTK_LABEL (note),
                          _ ("The preview shows the result at 100 %, around "
                             "the middle of the view."));
      gtk_box_pack_start (box, note, FALSE, FALSE, 0);
    }
  if (procedure->result == HFSR_RESULT_CLASSIFIED)
    {
      /* What the network recognises, in the preview area: it follows the
       * settings as the preview does. */
      preview->class_label = label_with (PANGO_ATTR_WEIGHT, PANGO_WEIGHT_BOLD);
      gtk_box_pack_start (box, preview->class_label, FALSE, FALSE, 0);
    }
  preview->message = gtk_label_new (NULL);
  gtk_label_set_line_wrap (GTK_LABEL (preview->message), TRUE);
  gtk_widget_set_no_show_all (preview->message, TRUE);
  gtk_box_pack_start (box, preview->message, FALSE, FALSE, 0);
  g_signal_connect (preview->preview, "invalidated", G_CALLBACK (preview_draw),
                    preview);
}

void
hfsr_preview_values_changed (HfsrPreview *preview)
{
  gtk_widget_hide (preview->message);
  gimp_preview_invalidate (GIMP_PREVIEW (preview->preview));
}

void
hfsr_preview_graph_changed (HfsrPreview *preview)
{
  g_clear_object (&preview->graph);
  preview->graph = hfsr_graph_new (preview->procedure, preview->values,
                                   preview->drawable_id, &preview->op);
  hfsr_preview_values_changed (preview);
}

void
hfsr_preview_clear (HfsrPreview *preview)
{
  g_clear_object (&preview->graph);
}
