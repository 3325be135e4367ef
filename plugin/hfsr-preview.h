/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The live preview of both front ends' dialogs: a GimpDrawablePreview of
 * the drawable showing the procedure's op on the part in view, with the
 * op's warnings and, for SR², the class its network sees, under it.
 */
#ifndef HFSR_PREVIEW_H
#define HFSR_PREVIEW_H

#include "hfsr-plugin.h"

/* After libgimp/gimp.h, which GIMP 2.10's gimpui.h needs first. */
#include <libgimp/gimpui.h>

G_BEGIN_DECLS

typedef struct
{
  const HfsrProcedure *procedure;
  const HfsrValues *values; /* the dialog's, read at each redraw */
  gint32 drawable_id;
  GtkWidget *preview;
  GtkWidget *message;     /* the op's warning; hidden when there is none */
  GtkWidget *class_label; /* HFSR_RESULT_CLASSIFIED only */
  GeglNode *graph;
  GeglNode *op;
} HfsrPreview;

/* Packs the preview and its labels into @box. */
void hfsr_preview_init (HfsrPreview *preview, const HfsrProcedure *procedure,
                        const HfsrValues *values, gint32 drawable_id,
                        GtkBox *box);

/* After a change of the values: redrawn from the idle loop. */
void hfsr_preview_values_changed (HfsrPreview *preview);

/* After a change of the reference drawable: the graph is made anew. */
void hfsr_preview_graph_changed (HfsrPreview *preview);

void hfsr_preview_clear (HfsrPreview *preview);

G_END_DECLS

#endif
