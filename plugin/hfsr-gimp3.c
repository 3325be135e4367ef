/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-gimp.h's calls for GIMP 3: each maps its IDs to libgimp 3's objects
 * (which libgimp keeps, one per ID, for the plug-in's lifetime: nothing
 * here owns them) and calls the GIMP 3 function.  An ID that names no
 * object of the kind gives NULL, which the calls below treat as "not
 * valid" or pass on to libgimp, which refuses it with a critical, as GIMP
 * 2.10 refused a bad ID.
 */
#include "hfsr-config.h"

#include "hfsr-gimp.h"

static GimpImage *
image_of (gint32 id)
{
  return gimp_image_get_by_id (id);
}

static GimpItem *
item_of (gint32 id)
{
  return gimp_item_get_by_id (id);
}

static GimpDrawable *
drawable_of (gint32 id)
{
  return gimp_drawable_get_by_id (id);
}

static gint32
item_id (gpointer item)
{
  return item != NULL ? gimp_item_get_id (GIMP_ITEM (item)) : -1;
}

gboolean
hfsr_gimp_image_is_valid (gint32 image)
{
  return gimp_image_id_is_valid (image);
}

GimpImageBaseType
hfsr_gimp_image_base_type (gint32 image)
{
  return gimp_image_get_base_type (image_of (image));
}

GimpPrecision
hfsr_gimp_image_precision (gint32 image)
{
  return gimp_image_get_precision (image_of (image));
}

gint
hfsr_gimp_image_width (gint32 image)
{
  return gimp_image_get_width (image_of (image));
}

gint
hfsr_gimp_image_height (gint32 image)
{
  return gimp_image_get_height (image_of (image));
}

void
hfsr_gimp_image_undo_group_start (gint32 image)
{
  gimp_image_undo_group_start (image_of (image));
}

void
hfsr_gimp_image_undo_group_end (gint32 image)
{
  gimp_image_undo_group_end (image_of (image));
}

void
hfsr_gimp_image_undo_disable (gint32 image)
{
  gimp_image_undo_disable (image_of (image));
}

void
hfsr_gimp_image_undo_enable (gint32 image)
{
  gimp_image_undo_enable (image_of (image));
}

GimpLayerMode
hfsr_gimp_image_new_layer_mode (gint32 image)
{
  return gimp_image_get_default_new_layer_mode (image_of (image));
}

gint32
hfsr_gimp_image_new_with_precision (gint width, gint height,
                                    GimpImageBaseType type,
                                    GimpPrecision precision)
{
  GimpImage *image
    = gimp_image_new_with_precision (width, height, type, precision);

  return image != NULL ? gimp_image_get_id (image) : -1;
}

GimpColorProfile *
hfsr_gimp_image_get_color_profile (gint32 image)
{
  return gimp_image_get_color_profile (image_of (image));
}

void
hfsr_gimp_image_set_color_profile (gint32 image, GimpColorProfile *profile)
{
  gimp_image_set_color_profile (image_of (image), profile);
}

void
hfsr_gimp_image_get_resolution (gint32 image, gdouble *x, gdouble *y)
{
  gimp_image_get_resolution (image_of (image), x, y);
}

void
hfsr_gimp_image_set_resolution (gint32 image, gdouble x, gdouble y)
{
  gimp_image_set_resolution (image_of (image), x, y);
}

void
hfsr_gimp_image_scale (gint32 image, gint width, gint height)
{
  gimp_image_scale (image_of (image), width, height);
}

gint
hfsr_gimp_image_item_position (gint32 image, gint32 item)
{
  return gimp_image_get_item_position (image_of (image), item_of (item));
}

void
hfsr_gimp_image_insert_layer (gint32 image, gint32 layer, gint32 parent,
                              gint position)
{
  gimp_image_insert_layer (image_of (image), gimp_layer_get_by_id (layer),
                           parent > 0 ? gimp_layer_get_by_id (parent) : NULL,
                           position);
}

void
hfsr_gimp_image_delete (gint32 image)
{
  gimp_image_delete (image_of (image));
}

gint32 *
hfsr_gimp_image_layers (gint32 image, gint *n_layers)
{
  GimpLayer **layers = gimp_image_get_layers (image_of (image));
  gint n = 0;
  gint32 *ids;

  while (layers != NULL && layers[n] != NULL)
    n++;
  ids = g_new (gint32, MAX (n, 1));
  for (gint i = 0; i < n; i++)
    ids[i] = item_id (layers[i]);
  g_free (layers);
  *n_layers = n;
  return ids;
}

gboolean
hfsr_gimp_item_is_valid (gint32 item)
{
  return gimp_item_id_is_valid (item);
}

gboolean
hfsr_gimp_item_is_drawable (gint32 item)
{
  return gimp_item_id_is_drawable (item);
}

gboolean
hfsr_gimp_item_is_group (gint32 item)
{
  return gimp_item_is_group (item_of (item));
}

gboolean
hfsr_gimp_item_is_layer (gint32 item)
{
  return gimp_item_id_is_layer (item);
}

gint32
hfsr_gimp_item_image (gint32 item)
{
  GimpImage *image = gimp_item_get_image (item_of (item));

  return image != NULL ? gimp_image_get_id (image) : -1;
}

gint32
hfsr_gimp_item_parent (gint32 item)
{
  return item_id (gimp_item_get_parent (item_of (item)));
}

void
hfsr_gimp_item_delete (gint32 item)
{
  gimp_item_delete (item_of (item));
}

void
hfsr_gimp_item_set_visible (gint32 item, gboolean visible)
{
  gimp_item_set_visible (item_of (item), visible);
}

void
hfsr_gimp_item_set_name (gint32 item, const gchar *name)
{
  gimp_item_set_name (item_of (item), name);
}

gchar *
hfsr_gimp_item_name (gint32 item)
{
  return gimp_item_get_name (item_of (item));
}

gint
hfsr_gimp_drawable_width (gint32 drawable)
{
  return gimp_drawable_get_width (drawable_of (drawable));
}

gint
hfsr_gimp_drawable_height (gint32 drawable)
{
  return gimp_drawable_get_height (drawable_of (drawable));
}

GeglBuffer *
hfsr_gimp_drawable_buffer (gint32 drawable)
{
  return gimp_drawable_get_buffer (drawable_of (drawable));
}

GeglBuffer *
hfsr_gimp_drawable_shadow_buffer (gint32 drawable)
{
  return gimp_drawable_get_shadow_buffer (drawable_of (drawable));
}

const Babl *
hfsr_gimp_drawable_format (gint32 drawable)
{
  return gimp_drawable_get_format (drawable_of (drawable));
}

gboolean
hfsr_gimp_drawable_has_alpha (gint32 drawable)
{
  return gimp_drawable_has_alpha (drawable_of (drawable));
}

void
hfsr_gimp_drawable_offsets (gint32 drawable, gint *x, gint *y)
{
  gimp_drawable_get_offsets (drawable_of (drawable), x, y);
}

void
hfsr_gimp_drawable_merge_shadow (gint32 drawable, gboolean undo)
{
  gimp_drawable_merge_shadow (drawable_of (drawable), undo);
}

void
hfsr_gimp_drawable_update (gint32 drawable, gint x, gint y, gint width,
                           gint height)
{
  gimp_drawable_update (drawable_of (drawable), x, y, width, height);
}

gint32
hfsr_gimp_layer_new (gint32 image, const gchar *name, gint width, gint height,
                     GimpImageType type, gdouble opacity, GimpLayerMode mode)
{
  return item_id (gimp_layer_new (image_of (image), name, width, height, type,
                                  opacity, mode));
}

void
hfsr_gimp_layer_set_offsets (gint32 layer, gint x, gint y)
{
  gimp_layer_set_offsets (gimp_layer_get_by_id (layer), x, y);
}

void
hfsr_gimp_layer_resize (gint32 layer, gint width, gint height, gint offset_x,
                        gint offset_y)
{
  gimp_layer_resize (gimp_layer_get_by_id (layer), width, height, offset_x,
                     offset_y);
}

gint32
hfsr_gimp_layer_group_new (gint32 image, const gchar *name)
{
  return item_id (gimp_group_layer_new (image_of (image), name));
}
