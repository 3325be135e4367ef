/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Running a procedure: a GEGL graph with the op around the drawable's
 * buffer, rendered with progress into a buffer of its own, and only then
 * put into the image.  Whatever fails or is cancelled before that last
 * step leaves the image as it was.
 */
#include "hfsr-config.h"

#include <math.h>

#include <glib/gi18n-lib.h>
#include <gegl.h>

#include "hfsr-plugin.h"
#include "ops/hfsr-gegl-compat.h"

/* The log domain of the hfsr ops (ops/meson.build).  They report a failed
 * region by a warning in it and leave the region empty, so a warning
 * during a render means the result is not to be used. */
#define HFSR_OPS_LOG_DOMAIN "hfsr"

/* The result is rendered in squares of this many output pixels a side, the
 * progress bar moving after each.  Left to itself, GEGL renders 1-megapixel
 * chunks and reports progress about six times in a minute and a half for a
 * 1500 x 1000 photo upscaled x2.  A 512-pixel square, aligned on the
 * output's grid, lies within one of the super-resolution op's pieces (the
 * engine's default tile, over 500 input pixels for the shipped networks);
 * its margins cost up to a third more work at x2 than whole tiles would,
 * the price of a bar that moves every second or so. */
#define PROGRESS_SQUARE 512

gboolean
hfsr_check_image (const HfsrProcedure *procedure, gint32 image_id,
                  gint32 drawable_id, GError **error)
{
  if (!hfsr_gimp_image_is_valid (image_id)
      || !hfsr_gimp_item_is_valid (drawable_id)
      || !hfsr_gimp_item_is_drawable (drawable_id)
      || hfsr_gimp_item_image (drawable_id) != image_id)
    {
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                   _ ("Drawable %d is not a drawable of image %d."),
                   drawable_id, image_id);
      return FALSE;
    }
  if (hfsr_gimp_image_base_type (image_id) == GIMP_INDEXED)
    {
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                   _ ("%s works on RGB and grayscale images, and this image "
                      "is indexed: convert it with Image ▸ Mode ▸ RGB "
                      "first."),
                   hfsr_procedure_title (procedure));
      return FALSE;
    }
  if (hfsr_gimp_item_is_group (drawable_id))
    {
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                   _ ("“%s” is a layer group, which has no pixels of its "
                      "own: choose one of its layers."),
                   hfsr_gimp_item_name (drawable_id));
      return FALSE;
    }
  return TRUE;
}

/* A buffer-source node in @graph reading @drawable_id's pixels. */
static GeglNode *
drawable_source (GeglNode *graph, gint32 drawable_id)
{
  GeglBuffer *buffer = hfsr_gimp_drawable_buffer (drawable_id);
  GeglNode *source = gegl_node_new_child (
    graph, "operation", "gegl:buffer-source", "buffer", buffer, NULL);

  g_object_unref (buffer);
  return source;
}

GeglNode *
hfsr_graph_new (const HfsrProcedure *procedure, const HfsrValues *values,
                gint32 drawable_id, GeglNode **op)
{
  GeglNode *graph = gegl_node_new ();
  gint reference = hfsr_procedure_find_role (procedure, HFSR_ARG_REFERENCE);

  *op = gegl_node_new_child (graph, "operation", procedure->operation, NULL);
  hfsr_values_apply (procedure, values, *op);
  gegl_node_link (drawable_source (graph, drawable_id), *op);
  if (reference >= 0)
    hfsr_node_connect (
      drawable_source (graph, (gint32) values->arg[reference]), "output", *op,
      "aux");
  return graph;
}

struct _HfsrOpWarnings
{
  GMutex lock;
  gchar *first;
  gchar *note;
  guint handler;
};

/* GEGL calls ops from several threads. */
static void
collect_op_warning (const gchar *domain, GLogLevelFlags level,
                    const gchar *message, gpointer data)
{
  HfsrOpWarnings *warnings = data;

  g_mutex_lock (&warnings->lock);
  if (level & G_LOG_LEVEL_MESSAGE)
    {
      if (warnings->note == NULL)
        warnings->note = g_strdup (message);
    }
  else if (warnings->first == NULL)
    warnings->first = g_strdup (message);
  g_mutex_unlock (&warnings->lock);
}

HfsrOpWarnings *
hfsr_op_warnings_watch (void)
{
  HfsrOpWarnings *warnings = g_new0 (HfsrOpWarnings, 1);

  g_mutex_init (&warnings->lock);
  warnings->handler = g_log_set_handler (
    HFSR_OPS_LOG_DOMAIN,
    G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_MESSAGE,
    collect_op_warning, warnings);
  return warnings;
}

gchar *
hfsr_op_warnings_end (HfsrOpWarnings *warnings, gchar **note)
{
  gchar *first = warnings->first;

  if (note != NULL)
    *note = warnings->note;
  else
    g_free (warnings->note);

  g_log_remove_handler (HFSR_OPS_LOG_DOMAIN, warnings->handler);
  g_mutex_clear (&warnings->lock);
  g_free (warnings);
  return first;
}

/* The op's whole output in a new buffer of @format, rendered square by
 * square with the progress bar moving; NULL with @error when the op
 * failed. */
static GeglBuffer *
render (const HfsrProcedure *procedure, GeglNode *op, const Babl *format,
        GError **error)
{
  GeglRectangle extent = gegl_node_get_bounding_box (op);
  GeglBuffer *result;
  HfsrOpWarnings *warnings;
  gchar *failure;
  gchar *note = NULL;
  gdouble done = 0.0;

  if (gegl_rectangle_is_empty (&extent)
      || gegl_rectangle_is_infinite_plane (&extent))
    {
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_EXECUTION,
                   _ ("%s gave no image (extent %d × %d)."),
                   procedure->operation, extent.width, extent.height);
      return NULL;
    }

  result = gegl_buffer_new (&extent, format);
  warnings = hfsr_op_warnings_watch ();
  gimp_progress_init (hfsr_procedure_title (procedure));
  for (gint y = 0; y < extent.height; y += PROGRESS_SQUARE)
    for (gint x = 0; x < extent.width; x += PROGRESS_SQUARE)
      {
        GeglRectangle square = { extent.x + x, extent.y + y,
                                 MIN (PROGRESS_SQUARE, extent.width - x),
                                 MIN (PROGRESS_SQUARE, extent.height - y) };

        gegl_node_blit_buffer (op, result, &square, 0, GEGL_ABYSS_NONE);
        done += (gdouble) square.width * square.height;
        gimp_progress_update (done / ((gdouble) extent.width * extent.height));
      }
  failure = hfsr_op_warnings_end (warnings, &note);

  /* A note (non-finite pixels read by the documented rule) goes to GIMP's
   * messages; the result stands. */
  if (note != NULL && failure == NULL)
    gimp_message (note);
  g_free (note);
  if (failure != NULL)
    {
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_EXECUTION,
                   _ ("%s failed, the image is unchanged: %s"),
                   procedure->operation, failure);
      g_free (failure);
      g_object_unref (result);
      return NULL;
    }
  return result;
}

/* The layer type for a drawable of @image_id: a layer's base type must be
 * the image's, whatever the drawable (a channel is grey in an RGB image). */
static GimpImageType
layer_type (gint32 image_id, gboolean alpha)
{
  if (hfsr_gimp_image_base_type (image_id) == GIMP_GRAY)
    return alpha ? GIMP_GRAYA_IMAGE : GIMP_GRAY_IMAGE;
  return alpha ? GIMP_RGBA_IMAGE : GIMP_RGB_IMAGE;
}

static void
copy_into_drawable (GeglBuffer *pixels, gint32 drawable_id, gboolean shadow)
{
  GeglBuffer *target = shadow ? hfsr_gimp_drawable_shadow_buffer (drawable_id)
                              : hfsr_gimp_drawable_buffer (drawable_id);

  gegl_buffer_copy (pixels, NULL, GEGL_ABYSS_NONE, target, NULL);
  gegl_buffer_flush (target);
  g_object_unref (target);
}

/* @op rendered into @layer, a new layer not yet in an image, in the
 * layer's own format; on failure the layer is deleted, so that nothing
 * is left behind. */
static gboolean
render_into_layer (const HfsrProcedure *procedure, GeglNode *op, gint32 layer,
                   GError **error)
{
  GeglBuffer *map
    = render (procedure, op, hfsr_gimp_drawable_format (layer), error);

  if (map == NULL)
    {
      hfsr_gimp_item_delete (layer);
      return FALSE;
    }
  copy_into_drawable (map, layer, FALSE);
  g_object_unref (map);
  return TRUE;
}

/* One run of a procedure: what its result is made from, and where the
 * image and drawable holding the result are returned.  Each kind of
 * result below takes it whole. */
typedef struct
{
  const HfsrProcedure *procedure;
  const HfsrValues *values;
  GeglNode *graph;
  GeglNode *op;
  gint32 image_id;
  gint32 drawable_id;
  gint32 *result_image_id;
  gint32 *result_drawable_id;
} Job;

/* The map as a new layer right above the drawable, at its position. */
static gboolean
add_map_layer (const Job *job, GError **error)
{
  gint32 image_id = job->image_id;
  gint32 drawable_id = job->drawable_id;
  gchar *name = hfsr_values_describe (job->procedure, job->values);
  gint32 layer;
  gint32 parent = -1;
  gint position = -1;
  gint x, y;

  layer = hfsr_gimp_layer_new (
    image_id, name, hfsr_gimp_drawable_width (drawable_id),
    hfsr_gimp_drawable_height (drawable_id),
    layer_type (image_id, hfsr_gimp_drawable_has_alpha (drawable_id)), 100.0,
    hfsr_gimp_image_new_layer_mode (image_id));
  g_free (name);
  if (!render_into_layer (job->procedure, job->op, layer, error))
    return FALSE;

  if (hfsr_gimp_item_is_layer (drawable_id))
    {
      parent = hfsr_gimp_item_parent (drawable_id);
      position = hfsr_gimp_image_item_position (image_id, drawable_id);
    }
  hfsr_gimp_drawable_offsets (drawable_id, &x, &y);
  hfsr_gimp_image_undo_group_start (image_id);
  hfsr_gimp_layer_set_offsets (layer, x, y);
  hfsr_gimp_image_insert_layer (image_id, layer, parent, position);
  hfsr_gimp_image_undo_group_end (image_id);
  *job->result_drawable_id = layer;
  return TRUE;
}

/* The factor by which @op grows a drawable: its "scale", an integer or
 * (hfsr:super-resolution) any number from 1 to 8. */
static gdouble
upscale_factor (GeglNode *op)
{
  GValue value = G_VALUE_INIT;
  gdouble factor;

  g_value_init (&value, G_TYPE_DOUBLE);
  gegl_node_get_property (op, "scale", &value);
  factor = g_value_get_double (&value);
  g_value_unset (&value);
  return factor;
}

gdouble
hfsr_scaled_side (gdouble side, gdouble scale)
{
  return floor (side * scale + 0.5);
}

/* A side of @size at @offset once GIMP has scaled the image by @factor:
 * GIMP rounds the item's two edges (a layer 10 wide at 5 scaled by 1.5
 * spans [8, 23)). */
static gint
gimp_scaled_side (gint offset, gint size, gdouble factor)
{
  return (gint) (hfsr_scaled_side (offset + size, factor)
                 - hfsr_scaled_side (offset, factor));
}

/* The result as the one layer of a new image like @image_id: base type,
 * precision, colour profile and resolution. */
static void
new_image_with (GeglBuffer *pixels, gint32 image_id, gint32 drawable_id,
                gint32 *result_image_id, gint32 *result_layer_id)
{
  const GeglRectangle *extent = gegl_buffer_get_extent (pixels);
  GimpColorProfile *profile;
  gdouble x_resolution, y_resolution;
  gint32 image;
  gint32 layer;

  image = hfsr_gimp_image_new_with_precision (
    extent->width, extent->height, hfsr_gimp_image_base_type (image_id),
    hfsr_gimp_image_precision (image_id));
  hfsr_gimp_image_undo_disable (image);
  profile = hfsr_gimp_image_get_color_profile (image_id);
  if (profile != NULL)
    {
      hfsr_gimp_image_set_color_profile (image, profile);
      g_object_unref (profile);
    }
  hfsr_gimp_image_get_resolution (image_id, &x_resolution, &y_resolution);
  hfsr_gimp_image_set_resolution (image, x_resolution, y_resolution);

  layer = hfsr_gimp_layer_new (
    image, hfsr_gimp_item_name (drawable_id), extent->width, extent->height,
    layer_type (image, hfsr_gimp_drawable_has_alpha (drawable_id)), 100.0,
    hfsr_gimp_image_new_layer_mode (image));
  copy_into_drawable (pixels, layer, FALSE);
  hfsr_gimp_image_insert_layer (image, layer, -1, 0);
  hfsr_gimp_image_undo_enable (image);
  *result_image_id = image;
  *result_layer_id = layer;
}

/* The image scaled by @factor (every layer, mask, channel and path by
 * GIMP's interpolation, positions included), then the drawable's pixels
 * replaced by the op's: one undo step.  The image's size is rounded as the
 * op rounds its output (hfsr_op_scaled_corner); a layer that GIMP's own
 * rounding leaves a pixel off the op's result is given the result's size,
 * and a mask or channel that would be is refused before anything
 * changes. */
static gboolean
scale_image_with (GeglBuffer *pixels, gdouble factor, gint32 image_id,
                  gint32 drawable_id, GError **error)
{
  const GeglRectangle *extent = gegl_buffer_get_extent (pixels);
  gint image_width = hfsr_gimp_image_width (image_id);
  gint image_height = hfsr_gimp_image_height (image_id);
  gdouble width = hfsr_scaled_side (image_width, factor);
  gdouble height = hfsr_scaled_side (image_height, factor);
  gint x, y;

  if (width > GIMP_MAX_IMAGE_SIZE || height > GIMP_MAX_IMAGE_SIZE)
    {
      /* At most 8 x GIMP_MAX_IMAGE_SIZE: an int holds it. */
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                   _ ("The image would grow to %d × %d pixels, more than "
                      "GIMP's limit of %d: open the result as a new image."),
                   (gint) width, (gint) height, GIMP_MAX_IMAGE_SIZE);
      return FALSE;
    }

  hfsr_gimp_drawable_offsets (drawable_id, &x, &y);
  if (!hfsr_gimp_item_is_layer (drawable_id)
      && (gimp_scaled_side (x, hfsr_gimp_drawable_width (drawable_id),
                            width / image_width)
            != extent->width
          || gimp_scaled_side (y, hfsr_gimp_drawable_height (drawable_id),
                               height / image_height)
               != extent->height))
    {
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                   _ ("At a scale of %g GIMP would make this drawable a "
                      "different size from the result: choose a scale that "
                      "makes its size whole, or open the result as a new "
                      "image."),
                   factor);
      return FALSE;
    }

  hfsr_gimp_image_undo_group_start (image_id);
  hfsr_gimp_image_scale (image_id, (gint) width, (gint) height);
  if (hfsr_gimp_drawable_width (drawable_id) != extent->width
      || hfsr_gimp_drawable_height (drawable_id) != extent->height)
    hfsr_gimp_layer_resize (drawable_id, extent->width, extent->height, 0, 0);
  copy_into_drawable (pixels, drawable_id, TRUE);
  hfsr_gimp_drawable_merge_shadow (drawable_id, TRUE);
  hfsr_gimp_drawable_update (drawable_id, 0, 0, extent->width, extent->height);
  hfsr_gimp_image_undo_group_end (image_id);
  return TRUE;
}

/* Whether @op's output fits in a GIMP image. */
static gboolean
check_result_size (GeglNode *op, GError **error)
{
  GeglRectangle extent = gegl_node_get_bounding_box (op);

  if (extent.width > GIMP_MAX_IMAGE_SIZE
      || extent.height > GIMP_MAX_IMAGE_SIZE)
    {
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                   _ ("The result would be %d × %d pixels, more than GIMP's "
                      "limit of %d."),
                   extent.width, extent.height, GIMP_MAX_IMAGE_SIZE);
      return FALSE;
    }
  return TRUE;
}

/* The class that the op's SR² network sees in the drawable as it is, or
 * NULL with the reason in GIMP's messages: the upscale stands without
 * it. */
static gchar *
drawable_class (const Job *job)
{
  GError *failure = NULL;
  gchar *class_text = hfsr_class_describe (job->procedure, job->values,
                                           job->drawable_id, &failure);

  if (class_text == NULL)
    {
      g_message (_ ("No class: %s"), failure->message);
      g_error_free (failure);
    }
  return class_text;
}

/* The drawable grown by the op: in place (the whole image scaled) or as
 * a new image, as the procedure's new-image argument says. */
static gboolean
upscale (const Job *job, GError **error)
{
  gint new_image
    = hfsr_procedure_find_role (job->procedure, HFSR_ARG_NEW_IMAGE);
  gint32 drawable_id = job->drawable_id;
  GeglBuffer *pixels;
  gboolean success = TRUE;
  gchar *class_text = NULL;

  if (!check_result_size (job->op, error))
    return FALSE;
  pixels = render (job->procedure, job->op,
                   hfsr_gimp_drawable_format (drawable_id), error);
  if (pixels == NULL)
    return FALSE;
  /* Of the drawable as it is, before an in-place upscale. */
  if (job->procedure->result == HFSR_RESULT_CLASSIFIED)
    class_text = drawable_class (job);
  if (new_image >= 0 && job->values->arg[new_image] != 0.0)
    {
      new_image_with (pixels, job->image_id, drawable_id, job->result_image_id,
                      job->result_drawable_id);
    }
  else
    {
      success = scale_image_with (pixels, upscale_factor (job->op),
                                  job->image_id, drawable_id, error);
      *job->result_image_id = job->image_id;
      *job->result_drawable_id = drawable_id;
    }
  if (success && class_text != NULL)
    {
      gint32 result = *job->result_drawable_id;
      gchar *name
        = g_strdup_printf ("%s: %s", hfsr_gimp_item_name (result), class_text);

      hfsr_gimp_item_set_name (result, name);
      g_free (name);
    }
  g_free (class_text);
  g_object_unref (pixels);
  return success;
}

/* The name of level @level of the stack @output (HfsrOpDogSrOutput: the
 * DoG or the Gaussians) shown by @op, with its sigmas. */
static gchar *
level_name (GeglNode *op, gint output, gint level)
{
  gchar property[8];
  gdouble sigma, next;

  g_snprintf (property, sizeof property, "sigma%d", level);
  gegl_node_get (op, property, &sigma, NULL);
  if (output != HFSR_DOG_SR_OUTPUT_DOG)
    return g_strdup_printf (_ ("Gaussian %d (σ %.3g)"), level, sigma);
  g_snprintf (property, sizeof property, "sigma%d", level + 1);
  gegl_node_get (op, property, &next, NULL);
  return g_strdup_printf (_ ("DoG %d (σ %.3g − %.3g)"), level, sigma, next);
}

/* A transparent layer above the upscale in @image holding the SIFT
 * keypoints of the job's op's method (hfsr:sift-keypoints on the rendered
 * upscale @pixels, with the drawable @source as the small image), named
 * with their count. */
static gboolean
keypoint_layer (const Job *job, GeglNode *source, GeglBuffer *pixels,
                gint32 image, GError **error)
{
  GeglNode *marks = gegl_node_new_child (
    job->graph, "operation", "hfsr:sift-keypoints", "overlay", TRUE, NULL);
  gint32 layer;
  gint method, scale;
  gdouble sigmas[5];

  gegl_node_get (job->op, "method", &method, "scale", &scale, "sigma1",
                 &sigmas[0], "sigma2", &sigmas[1], "sigma3", &sigmas[2],
                 "sigma4", &sigmas[3], "sigma5", &sigmas[4], NULL);
  gegl_node_set (marks, "method", method, "scale", scale, "sigma1", sigmas[0],
                 "sigma2", sigmas[1], "sigma3", sigmas[2], "sigma4", sigmas[3],
                 "sigma5", sigmas[4], NULL);
  gegl_node_link (gegl_node_new_child (job->graph, "operation",
                                       "gegl:buffer-source", "buffer", pixels,
                                       NULL),
                  marks);
  hfsr_node_connect (source, "output", marks, "aux");

  layer = hfsr_gimp_layer_new (
    image, _ ("SIFT keypoints"), hfsr_gimp_image_width (image),
    hfsr_gimp_image_height (image), layer_type (image, TRUE), 100.0,
    GIMP_LAYER_MODE_NORMAL);
  if (!render_into_layer (job->procedure, marks, layer, error))
    return FALSE;
  hfsr_gimp_image_insert_layer (image, layer, -1, 0);
  return TRUE;
}

/* The drawable (@source's pixels) upscaled @scale times by HF
 * Super-Resolution at alpha 0, put into a new image like the drawable's
 * that becomes the job's result; returns its pixels.  Rendered in float,
 * so that the levels are those of the network's output, not of its
 * rounding to the image's precision (which a DoG's gain would
 * magnify). */
static GeglBuffer *
upscale_into_new_image (const Job *job, GeglNode *source, gint scale,
                        GError **error)
{
  GeglNode *upscaler
    = gegl_node_new_child (job->graph, "operation", "hfsr:super-resolution",
                           "scale", (double) scale, "alpha", 0.0, NULL);
  GeglBuffer *pixels;

  gegl_node_link (source, upscaler);
  pixels
    = render (job->procedure, upscaler, babl_format ("R'G'B'A float"), error);
  if (pixels != NULL)
    new_image_with (pixels, job->image_id, job->drawable_id,
                    job->result_image_id, job->result_drawable_id);
  return pixels;
}

/* The op that renders each level of the stack: the job's op for the
 * trained methods; for pixel-sr, hfsr:scale-space on the rendered upscale
 * @pixels, which is what hfsr:dog-sr does, so the upscale is not run
 * again for every level. */
static GeglNode *
level_op_for (const Job *job, gint method, GeglBuffer *pixels)
{
  GeglNode *level_op;

  if (method != HFSR_DOG_SR_METHOD_PIXEL_SR)
    return job->op;
  level_op
    = gegl_node_new_child (job->graph, "operation", "hfsr:scale-space", NULL);
  hfsr_values_apply (job->procedure, job->values, level_op);
  gegl_node_link (gegl_node_new_child (job->graph, "operation",
                                       "gegl:buffer-source", "buffer", pixels,
                                       NULL),
                  level_op);
  return level_op;
}

/* A layer group in @image with every level of the stack @output
 * (HfsrOpDogSrOutput) as @level_op renders it, level @visible the one
 * shown. */
static gboolean
add_level_group (const Job *job, gint32 image, GeglNode *level_op, gint output,
                 gint scale, gint visible, GError **error)
{
  gint n_levels = output == HFSR_DOG_SR_OUTPUT_DOG ? 4 : 5;
  gchar *name = g_strdup_printf (output == HFSR_DOG_SR_OUTPUT_DOG
                                   ? _ ("DoG levels (×%d)")
                                   : _ ("Gaussian levels (×%d)"),
                                 scale);
  gint32 group = hfsr_gimp_layer_group_new (image, name);

  g_free (name);
  hfsr_gimp_image_insert_layer (image, group, -1, 0);

  /* Inserted from the last level up, so level 1 ends on top. */
  for (gint level = n_levels; level >= 1; level--)
    {
      gint32 layer;

      name = level_name (job->op, output, level);
      layer = hfsr_gimp_layer_new (image, name, hfsr_gimp_image_width (image),
                                   hfsr_gimp_image_height (image),
                                   layer_type (image, FALSE), 100.0,
                                   GIMP_LAYER_MODE_NORMAL);
      g_free (name);
      gegl_node_set (level_op, "level", level, NULL);
      if (!render_into_layer (job->procedure, level_op, layer, error))
        return FALSE;
      hfsr_gimp_image_insert_layer (image, layer, group, 0);
      hfsr_gimp_item_set_visible (layer, level == visible);
    }
  return TRUE;
}

/* A new image holding the drawable upscaled by HF Super-Resolution and,
 * above it, a layer group with every level of the stack the job's op
 * (hfsr:dog-sr) shows, the chosen level visible, or a layer of its SIFT
 * keypoints.  The upscale is rendered once.  On failure the new image is
 * deleted: nothing is left behind. */
static gboolean
stack_levels (const Job *job, GError **error)
{
  GeglNode *source = gegl_node_get_producer (job->op, "input", NULL);
  GeglNode *level_op;
  GeglBuffer *pixels;
  gint scale, method, output, visible;
  gint32 image;
  gboolean stacked;

  gegl_node_get (job->op, "scale", &scale, "method", &method, "output",
                 &output, "level", &visible, NULL);
  if (!check_result_size (job->op, error))
    return FALSE;
  pixels = upscale_into_new_image (job, source, scale, error);
  if (pixels == NULL)
    return FALSE;
  image = *job->result_image_id;
  hfsr_gimp_image_undo_disable (image);

  if (output == HFSR_DOG_SR_OUTPUT_KEYPOINTS)
    {
      stacked = keypoint_layer (job, source, pixels, image, error);
      g_object_unref (pixels);
      hfsr_gimp_image_undo_enable (image);
    }
  else
    {
      level_op = level_op_for (job, method, pixels);
      g_object_unref (pixels);
      stacked = add_level_group (job, image, level_op, output, scale, visible,
                                 error);
      if (stacked)
        hfsr_gimp_image_undo_enable (image);
    }
  if (!stacked)
    {
      hfsr_gimp_image_delete (image);
      *job->result_image_id = job->image_id;
      *job->result_drawable_id = -1;
    }
  return stacked;
}

gboolean
hfsr_procedure_run (const HfsrProcedure *procedure, const HfsrValues *values,
                    gint32 image_id, gint32 drawable_id,
                    gint32 *result_image_id, gint32 *result_drawable_id,
                    GError **error)
{
  Job job = { procedure,
              values,
              NULL,
              NULL,
              image_id,
              drawable_id,
              result_image_id,
              result_drawable_id };
  gboolean success;

  job.graph = hfsr_graph_new (procedure, values, drawable_id, &job.op);
  *result_image_id = image_id;
  *result_drawable_id = -1;
  switch (procedure->result)
    {
    case HFSR_RESULT_MAP_LAYER:
      success = add_map_layer (&job, error);
      break;
    case HFSR_RESULT_LEVELS:
      success = stack_levels (&job, error);
      break;
    case HFSR_RESULT_UPSCALED:
    default:
      success = upscale (&job, error);
      break;
    }
  g_object_unref (job.graph);
  return success;
}
