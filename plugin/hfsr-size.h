/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dialogs' "Result size" row (hfsr-size.c): the result's width and
 * height in pixels, tied to an op's fractional "scale", the same in GIMP
 * 2.10 (GTK 2) and GIMP 3 (GTK 3).
 */
#ifndef HFSR_SIZE_H
#define HFSR_SIZE_H

#include "hfsr-plugin.h"

#include <libgimp/gimpui.h>

/* The user typed a size: the scale that makes it. */
typedef void (*HfsrSizeChanged) (gdouble scale, gpointer data);

typedef struct
{
  gint32 drawable_id;
  gdouble minimum; /* the scale's range */
  gdouble maximum;
  GtkWidget *row; /* label, width, ×, height, "pixels" */
  GtkWidget *width;
  GtkWidget *height;
  HfsrSizeChanged changed;
  gpointer data;
  gboolean updating; /* set_scale is moving the spin buttons */
} HfsrSizeEntry;

/* The argument index of @procedure's "scale" where its op takes any
 * factor (a double property), or -1: integer scales need no size row. */
gint hfsr_size_scale_arg (const HfsrProcedure *procedure);

/* Makes @entry's row for @drawable_id at @scale (argument @scale_arg of
 * @procedure, for its range); @changed is called with the scale of each
 * size the user types. */
void hfsr_size_entry_init (HfsrSizeEntry *entry,
                           const HfsrProcedure *procedure, gint scale_arg,
                           gint32 drawable_id, gdouble scale,
                           HfsrSizeChanged changed, gpointer data);

/* Shows the size that @scale gives, rounded as the op rounds it. */
void hfsr_size_entry_set_scale (HfsrSizeEntry *entry, gdouble scale);

#endif /* HFSR_SIZE_H */
