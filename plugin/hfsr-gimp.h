/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The libgimp calls of the plug-in's shared core (hfsr-values.c,
 * hfsr-render.c, hfsr-class.c, hfsr-preview.c), on item and image IDs in
 * both front ends.  GIMP 2.10's libgimp is ID-based: these are its own
 * functions under a name of ours.  GIMP 3's works on objects, each of
 * which still has its ID (gimp_item_get_id): hfsr-gimp3.c maps the ID to
 * the object and calls the GIMP 3 function.  The core is compiled once per
 * front end (HFSR_GIMP_API 2 or 3, plugin/meson.build); everything that
 * differs between the two APIs is in this header, hfsr-gimp3.c and the
 * two front ends' own files (hfsr-plugin*.c, hfsr-dialog*.c).
 */
#ifndef HFSR_GIMP_H
#define HFSR_GIMP_H

#include <libgimp/gimp.h>

#if HFSR_GIMP_API == 2

#define hfsr_gimp_image_is_valid gimp_image_is_valid
#define hfsr_gimp_image_base_type gimp_image_base_type
#define hfsr_gimp_image_precision gimp_image_get_precision
#define hfsr_gimp_image_width gimp_image_width
#define hfsr_gimp_image_height gimp_image_height
#define hfsr_gimp_image_undo_group_start gimp_image_undo_group_start
#define hfsr_gimp_image_undo_group_end gimp_image_undo_group_end
#define hfsr_gimp_image_undo_disable gimp_image_undo_disable
#define hfsr_gimp_image_undo_enable gimp_image_undo_enable
#define hfsr_gimp_image_new_layer_mode gimp_image_get_default_new_layer_mode
#define hfsr_gimp_image_new_with_precision gimp_image_new_with_precision
#define hfsr_gimp_image_get_color_profile gimp_image_get_color_profile
#define hfsr_gimp_image_set_color_profile gimp_image_set_color_profile
#define hfsr_gimp_image_get_resolution gimp_image_get_resolution
#define hfsr_gimp_image_set_resolution gimp_image_set_resolution
#define hfsr_gimp_image_scale gimp_image_scale
#define hfsr_gimp_image_item_position gimp_image_get_item_position
#define hfsr_gimp_image_insert_layer gimp_image_insert_layer
#define hfsr_gimp_image_delete gimp_image_delete
#define hfsr_gimp_image_layers gimp_image_get_layers

#define hfsr_gimp_item_is_valid gimp_item_is_valid
#define hfsr_gimp_item_is_drawable gimp_item_is_drawable
#define hfsr_gimp_item_is_group gimp_item_is_group
#define hfsr_gimp_item_is_layer gimp_item_is_layer
#define hfsr_gimp_item_image gimp_item_get_image
#define hfsr_gimp_item_parent gimp_item_get_parent
#define hfsr_gimp_item_delete gimp_item_delete
#define hfsr_gimp_item_set_visible gimp_item_set_visible
#define hfsr_gimp_item_set_name gimp_item_set_name

#define hfsr_gimp_drawable_width gimp_drawable_width
#define hfsr_gimp_drawable_height gimp_drawable_height
#define hfsr_gimp_drawable_buffer gimp_drawable_get_buffer
#define hfsr_gimp_drawable_shadow_buffer gimp_drawable_get_shadow_buffer
#define hfsr_gimp_drawable_format gimp_drawable_get_format
#define hfsr_gimp_drawable_has_alpha gimp_drawable_has_alpha
#define hfsr_gimp_drawable_offsets gimp_drawable_offsets
#define hfsr_gimp_drawable_merge_shadow gimp_drawable_merge_shadow
#define hfsr_gimp_drawable_update gimp_drawable_update

#define hfsr_gimp_layer_new gimp_layer_new
#define hfsr_gimp_layer_set_offsets gimp_layer_set_offsets
#define hfsr_gimp_layer_resize gimp_layer_resize

#define hfsr_gimp_item_name gimp_item_get_name

/* An empty group; GIMP 3 names it when it makes it. */
#define hfsr_gimp_layer_group_new(image, name) \
  hfsr_gimp_layer_group_named (gimp_layer_group_new (image), name)
static inline gint32
hfsr_gimp_layer_group_named (gint32 group, const gchar *name)
{
  gimp_item_set_name (group, name);
  return group;
}

#else /* HFSR_GIMP_API == 3 */

gboolean hfsr_gimp_image_is_valid (gint32 image);
GimpImageBaseType hfsr_gimp_image_base_type (gint32 image);
GimpPrecision hfsr_gimp_image_precision (gint32 image);
gint hfsr_gimp_image_width (gint32 image);
gint hfsr_gimp_image_height (gint32 image);
void hfsr_gimp_image_undo_group_start (gint32 image);
void hfsr_gimp_image_undo_group_end (gint32 image);
void hfsr_gimp_image_undo_disable (gint32 image);
void hfsr_gimp_image_undo_enable (gint32 image);
GimpLayerMode hfsr_gimp_image_new_layer_mode (gint32 image);
gint32 hfsr_gimp_image_new_with_precision (gint width, gint height,
                                           GimpImageBaseType type,
                                           GimpPrecision precision);
GimpColorProfile *hfsr_gimp_image_get_color_profile (gint32 image);
void hfsr_gimp_image_set_color_profile (gint32 image,
                                        GimpColorProfile *profile);
void hfsr_gimp_image_get_resolution (gint32 image, gdouble *x, gdouble *y);
void hfsr_gimp_image_set_resolution (gint32 image, gdouble x, gdouble y);
void hfsr_gimp_image_scale (gint32 image, gint width, gint height);
gint hfsr_gimp_image_item_position (gint32 image, gint32 item);
void hfsr_gimp_image_insert_layer (gint32 image, gint32 layer, gint32 parent,
                                   gint position);
void hfsr_gimp_image_delete (gint32 image);
/* The IDs of the image's top-level layers (g_free). */
gint32 *hfsr_gimp_image_layers (gint32 image, gint *n_layers);

gboolean hfsr_gimp_item_is_valid (gint32 item);
gboolean hfsr_gimp_item_is_drawable (gint32 item);
gboolean hfsr_gimp_item_is_group (gint32 item);
gboolean hfsr_gimp_item_is_layer (gint32 item);
gint32 hfsr_gimp_item_image (gint32 item);
gint32 hfsr_gimp_item_parent (gint32 item);
void hfsr_gimp_item_delete (gint32 item);
void hfsr_gimp_item_set_visible (gint32 item, gboolean visible);
void hfsr_gimp_item_set_name (gint32 item, const gchar *name);
/* A copy of the name (g_free), as in GIMP 2.10. */
gchar *hfsr_gimp_item_name (gint32 item);

gint hfsr_gimp_drawable_width (gint32 drawable);
gint hfsr_gimp_drawable_height (gint32 drawable);
GeglBuffer *hfsr_gimp_drawable_buffer (gint32 drawable);
GeglBuffer *hfsr_gimp_drawable_shadow_buffer (gint32 drawable);
const Babl *hfsr_gimp_drawable_format (gint32 drawable);
gboolean hfsr_gimp_drawable_has_alpha (gint32 drawable);
void hfsr_gimp_drawable_offsets (gint32 drawable, gint *x, gint *y);
void hfsr_gimp_drawable_merge_shadow (gint32 drawable, gboolean undo);
void hfsr_gimp_drawable_update (gint32 drawable, gint x, gint y, gint width,
                                gint height);

gint32 hfsr_gimp_layer_new (gint32 image, const gchar *name, gint width,
                            gint height, GimpImageType type, gdouble opacity,
                            GimpLayerMode mode);
void hfsr_gimp_layer_set_offsets (gint32 layer, gint x, gint y);
void hfsr_gimp_layer_resize (gint32 layer, gint width, gint height,
                             gint offset_x, gint offset_y);
gint32 hfsr_gimp_layer_group_new (gint32 image, const gchar *name);

#endif

#endif
