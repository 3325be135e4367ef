/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gegl-plugin.h>

#include "hfsr-op-common.h"

/* Pixels are moved through an interleaved scratch band of about this many
 * floats, so the extra memory of a transfer does not grow with the image. */
#define BAND_FLOATS ((gsize) 1 << 20)

GeglRectangle
hfsr_op_grow_within (const GeglRectangle *roi, int margin,
                     const GeglRectangle *extent)
{
  GeglRectangle grown;
  gint64 x0, y0, x1, y1;

  if (extent == NULL)
    return *roi;

  if (margin == HFSR_OP_WHOLE_IMAGE)
    return gegl_rectangle_is_infinite_plane (extent) ? *roi : *extent;

  /* 64-bit corners: GEGL asks about huge rectangles (infinite planes,
   * invalidation of whole layers) where roi + margin leaves the int range. */
  x0 = MAX ((gint64) roi->x - margin, (gint64) extent->x);
  y0 = MAX ((gint64) roi->y - margin, (gint64) extent->y);
  x1 = MIN ((gint64) roi->x + roi->width + margin,
            (gint64) extent->x + extent->width);
  y1 = MIN ((gint64) roi->y + roi->height + margin,
            (gint64) extent->y + extent->height);

  if (x1 <= x0 || y1 <= y0)
    {
      gegl_rectangle_set (&grown, roi->x, roi->y, 0, 0);
      return grown;
    }

  /* Inside @extent, so every value fits an int again. */
  gegl_rectangle_set (&grown, (gint) x0, (gint) y0, (guint) (x1 - x0),
                      (guint) (y1 - y0));
  return grown;
}

gint64
hfsr_op_floor_div (gint64 a, gint64 b)
{
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* A rectangle from 64-bit corners, clipped to what an int holds. */
static GeglRectangle
rectangle_from_corners (gint64 x0, gint64 y0, gint64 x1, gint64 y1)
{
  GeglRectangle rect;

  x0 = CLAMP (x0, G_MININT / 2, G_MAXINT / 2);
  y0 = CLAMP (y0, G_MININT / 2, G_MAXINT / 2);
  x1 = CLAMP (x1, x0, x0 + G_MAXINT / 2);
  y1 = CLAMP (y1, y0, y0 + G_MAXINT / 2);
  gegl_rectangle_set (&rect, (gint) x0, (gint) y0, (guint) (x1 - x0),
                      (guint) (y1 - y0));
  return rect;
}

GeglRectangle
hfsr_op_scale_down (const GeglRectangle *roi, double scale)
{
  return rectangle_from_corners (
    (gint64) floor (roi->x / scale), (gint64) floor (roi->y / scale),
    (gint64) ceil (((gint64) roi->x + roi->width) / scale),
    (gint64) ceil (((gint64) roi->y + roi->height) / scale));
}

gint64
hfsr_op_scaled_corner (gint64 x, double scale)
{
  return (gint64) floor ((double) x * scale + 0.5);
}

GeglRectangle
hfsr_op_scale_up (const GeglRectangle *rect, int scale)
{
  if (gegl_rectangle_is_infinite_plane (rect))
    return *rect;
  return rectangle_from_corners ((gint64) rect->x * scale,
                                 (gint64) rect->y * scale,
                                 ((gint64) rect->x + rect->width) * scale,
                                 ((gint64) rect->y + rect->height) * scale);
}

float *
hfsr_op_pixels_new (int width, int height, int n_components, GError **error)
{
  gsize n_floats;
  float *pixels = NULL;

  if (g_size_checked_mul (&n_floats, (gsize) MAX (width, 1),
                          (gsize) MAX (height, 1))
      && g_size_checked_mul (&n_floats, n_floats, (gsize) n_components))
    pixels = g_try_malloc_n (n_floats, sizeof (float));

  if (pixels == NULL)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                 "no memory for %dx%d pixels of %d channels", width, height,
                 n_components);
  return pixels;
}

void
hfsr_op_warn (GeglOperation *operation, GError **error)
{
  if (*error == NULL)
    return;
  g_warning ("%s: %s", gegl_operation_get_name (operation), (*error)->message);
  g_clear_error (error);
}

/* A transfer band of @rect's width and as many rows as fit BAND_FLOATS
 * (at least one): @rows. */
static float *
band_new (const GeglRectangle *rect, int n_components, int *rows,
          GError **error)
{
  gsize row_floats = (gsize) MAX (rect->width, 1) * n_components;

  *rows
    = (int) CLAMP (BAND_FLOATS / row_floats, 1, (gsize) MAX (rect->height, 1));
  return hfsr_op_pixels_new (rect->width, *rows, n_components, error);
}

/* One warning per op node and kind of trouble: an image with a NaN region
 * would otherwise warn once for every chunk GEGL computes. */
G_LOCK_DEFINE_STATIC (warned);

/* A warning says the op could not do its job (the GIMP plug-in then
 * leaves the image as it was); a notice (g_message) tells of input it
 * handled by the documented rule, and the result stands. */
static void
warn_once (GeglOperation *operation, const char *key, GLogLevelFlags level,
           const char *format, gsize count)
{
  gboolean first;

  G_LOCK (warned);
  first = g_object_get_data (G_OBJECT (operation), key) == NULL;
  if (first)
    g_object_set_data (G_OBJECT (operation), key, GINT_TO_POINTER (1));
  G_UNLOCK (warned);
  if (first)
    {
      char *message = g_strdup_printf (format, count);

      g_log (G_LOG_DOMAIN, level, "%s: %s",
             gegl_operation_get_name (operation), message);
      g_free (message);
    }
}

/* babl 0.1.98 writes past its buffers building some conversions into the
 * grey and premultiplied float formats the ops work in ("Y'A u8" or "YA
 * float" to "Y'aA float", "YA float" to "Y'A float" or "R'aG'aB'aA float",
 * ...: tests/ops/babl-conversions.txt has the list, measured under
 * valgrind).  Every format GEGL can hand over converts soundly to
 * "R'G'B'A float", and that converts soundly to each format the ops read,
 * so pixels come that way, in two steps, unless they are stored in the
 * format wanted (then no conversion happens, and none can go wrong). */
gboolean
hfsr_op_get_pixels (GeglOperation *operation, GeglBuffer *buffer,
                    const GeglRectangle *rect, const Babl *format,
                    float *pixels, GError **error)
{
  const Babl *staged_format
    = babl_format_with_space ("R'G'B'A float", babl_format_get_space (format));
  gsize n_pixels = (gsize) MAX (rect->width, 0) * MAX (rect->height, 0);
  float *staged = pixels;

  if (gegl_buffer_get_format (buffer) == format)
    staged_format = format;
  if (format != staged_format)
    {
      staged = hfsr_op_pixels_new (rect->width, rect->height, 4, error);
      if (staged == NULL)
        return FALSE;
    }
  gegl_buffer_get (buffer, rect, 1.0, staged_format, staged,
                   GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  hfsr_op_make_input_finite (operation, staged,
                             n_pixels
                               * babl_format_get_n_components (staged_format));
  if (staged != pixels)
    {
      babl_process (babl_fish (staged_format, format), staged, pixels,
                    (long) n_pixels);
      g_free (staged);
    }
  return TRUE;
}

/* The non-finite rule on @n @values, and the op's one word about it. */
static void
make_finite (GeglOperation *operation, float *values, gsize n, const char *key,
             GLogLevelFlags level, const char *format)
{
  gsize replaced = hfsr_make_finite (values, n);

  if (replaced > 0)
    warn_once (operation, key, level, format, replaced);
}

void
hfsr_op_make_input_finite (GeglOperation *operation, float *values, gsize n)
{
  make_finite (
    operation, values, n, "hfsr-non-finite-input", G_LOG_LEVEL_MESSAGE,
    "the input holds values that are not finite numbers (%" G_GSIZE_FORMAT
    " in the first part met): NaN and -infinity "
    "are read as 0, +infinity as 1");
}

void
hfsr_op_check_network_output (GeglOperation *operation, float *values, gsize n)
{
  make_finite (
    operation, values, n, "hfsr-non-finite-output", G_LOG_LEVEL_WARNING,
    "the network computed values that are not finite numbers (%" G_GSIZE_FORMAT
    " in the first part met), written as 0 or 1: "
    "is the model file sound?");
}

HfsrTensor *
hfsr_op_read_planes (GeglOperation *operation, GeglBuffer *buffer,
                     const GeglRectangle *rect, const Babl *format,
                     GError **error)
{
  int n_components = babl_format_get_n_components (format);
  HfsrTensor *planes;
  float *band;
  int rows;

  planes = hfsr_tensor_new (n_components, rect->height, rect->width, error);
  if (planes == NULL)
    return NULL;

  band = band_new (rect, n_components, &rows, error);
  if (band == NULL)
    {
      hfsr_tensor_free (planes);
      return NULL;
    }

  for (int top = 0; top < rect->height; top += rows)
    {
      GeglRectangle part = { rect->x, rect->y + top, rect->width,
                             MIN (rows, rect->height - top) };
      gsize n_pixels = (gsize) part.height * rect->width;

      if (!hfsr_op_get_pixels (operation, buffer, &part, format, band, error))
        {
          g_free (band);
          hfsr_tensor_free (planes);
          return NULL;
        }

      for (int c = 0; c < n_components; c++)
        {
          float *plane
            = hfsr_tensor_plane (planes, c) + (gsize) top * rect->width;

          for (gsize i = 0; i < n_pixels; i++)
            plane[i] = band[i * n_components + c];
        }
    }

  g_free (band);
  return planes;
}

gboolean
hfsr_op_write_planes (GeglBuffer *buffer, const GeglRectangle *rect,
                      const float *const *planes,
                      const GeglRectangle *planes_rect, const Babl *format,
                      GError **error)
{
  int n_components = babl_format_get_n_components (format);
  int dx = rect->x - planes_rect->x;
  int dy = rect->y - planes_rect->y;
  float *band;
  int rows;

  g_return_val_if_fail (gegl_rectangle_contains (planes_rect, rect), FALSE);

  if (rect->width <= 0 || rect->height <= 0)
    return TRUE;

  band = band_new (rect, n_components, &rows, error);
  if (band == NULL)
    return FALSE;

  for (int top = 0; top < rect->height; top += rows)
    {
      GeglRectangle part = { rect->x, rect->y + top, rect->width,
                             MIN (rows, rect->height - top) };
      float *pixel = band;

      for (int y = top; y < top + part.height; y++)
        {
          gsize row = (gsize) (y + dy) * planes_rect->width + dx;

          for (int x = 0; x < rect->width; x++)
            for (int c = 0; c < n_components; c++)
              *pixel++ = planes[c][row + x];
        }

      gegl_buffer_set (buffer, &part, 0, format, band, GEGL_AUTO_ROWSTRIDE);
    }

  g_free (band);
  return TRUE;
}

/* The network of the settings an op instance was last asked for. */
typedef struct
{
  char *key;           /* NULL: nothing tried yet */
  HfsrOpModel *shared; /* NULL: none could be had */
} ModelCache;

/* Where an op instance keeps its ModelCache. */
#define MODEL_CACHE_KEY "hfsr-model-cache"

/* Guards every op instance's cache: loading takes milliseconds and happens
 * once per change of settings, so one lock costs nothing. */
G_LOCK_DEFINE_STATIC (model_caches);

static void
op_model_clear (HfsrOpModel *shared)
{
  hfsr_model_free (shared->next);
  hfsr_model_free (shared->model);
}

void
hfsr_op_model_release (HfsrOpModel *shared)
{
  if (shared != NULL)
    g_atomic_rc_box_release_full (shared, (GDestroyNotify) op_model_clear);
}

static void
model_cache_free (ModelCache *cache)
{
  hfsr_op_model_release (cache->shared);
  g_free (cache->key);
  g_free (cache);
}

const char *
hfsr_op_model_file (const char *model)
{
  return model != NULL && model[0] != '\0' ? model : NULL;
}

char *
hfsr_op_model_file_key (const char *file)
{
  GStatBuf st;

  if (file == NULL)
    return g_strdup ("");
  if (g_stat (file, &st) != 0)
    return g_strdup (file);
  return g_strdup_printf ("%s (inode %llu, %lld bytes, changed %lld)", file,
                          (unsigned long long) st.st_ino,
                          (long long) st.st_size, (long long) st.st_mtime);
}

/* The networks this process loaded last, shared by every op instance:
 * a new node (each image of a batch, each GIMP preview) finds its
 * network here instead of loading it again.  A few, most recent first:
 * the shipped networks are a few MB each. */
#define LOADED_NETWORKS_KEPT 8

typedef struct
{
  char *key; /* the op's type name and its model key */
  HfsrOpModel *shared;
} LoadedNetwork;

static GQueue loaded_networks = G_QUEUE_INIT;

static void
loaded_network_free (LoadedNetwork *loaded)
{
  hfsr_op_model_release (loaded->shared);
  g_free (loaded->key);
  g_free (loaded);
}

/* Under model_caches: the network loaded for @key, with a reference. */
static HfsrOpModel *
loaded_network_find (const char *key)
{
  for (GList *link = loaded_networks.head; link != NULL; link = link->next)
    {
      LoadedNetwork *loaded = link->data;

      if (strcmp (loaded->key, key) == 0)
        {
          g_queue_unlink (&loaded_networks, link);
          g_queue_push_head_link (&loaded_networks, link);
          return g_atomic_rc_box_acquire (loaded->shared);
        }
    }
  return NULL;
}

/* Under model_caches. */
static void
loaded_network_add (const char *key, HfsrOpModel *shared)
{
  LoadedNetwork *loaded = g_new (LoadedNetwork, 1);

  loaded->key = g_strdup (key);
  loaded->shared = g_atomic_rc_box_acquire (shared);
  g_queue_push_head (&loaded_networks, loaded);
  while (g_queue_get_length (&loaded_networks) > LOADED_NETWORKS_KEPT)
    loaded_network_free (g_queue_pop_tail (&loaded_networks));
}

/* Loads the network of the settings @key names into @cache, or warns
 * why there is none. */
static void
model_cache_load (ModelCache *cache, const char *key, GeglOperation *operation,
                  const HfsrOpNetwork *network)
{
  GError *error = NULL;
  char *process_key
    = g_strdup_printf ("%s %s", G_OBJECT_TYPE_NAME (operation), key);
  HfsrModel *model, *next = NULL;

  g_clear_pointer (&cache->shared, hfsr_op_model_release);
  g_free (cache->key);
  cache->key = g_strdup (key);

  /* A failure is not kept: each instance warns of its own. */
  cache->shared = loaded_network_find (process_key);
  model = cache->shared == NULL ? network->load (operation, &error) : NULL;
  if (model != NULL && network->load_next != NULL)
    {
      next = network->load_next (operation, &error);
      if (next == NULL && error != NULL)
        g_clear_pointer (&model, hfsr_model_free);
    }
  if (model != NULL)
    {
      cache->shared = g_atomic_rc_box_new0 (HfsrOpModel);
      cache->shared->model = model;
      cache->shared->next = next;
      loaded_network_add (process_key, cache->shared);
    }
  else if (cache->shared == NULL)
    {
      g_prefix_error (&error, "%s", network->failure);
      hfsr_op_warn (operation, &error);
    }
  g_free (process_key);
}

/* The network of @operation's current settings, with a reference, or
 * NULL; with @load, loaded first where the settings changed. */
static HfsrOpModel *
model_get (GeglOperation *operation, const HfsrOpNetwork *network,
           gboolean load)
{
  char *key = network->key (operation);
  HfsrOpModel *shared = NULL;
  ModelCache *cache;

  G_LOCK (model_caches);
  cache = g_object_get_data (G_OBJECT (operation), MODEL_CACHE_KEY);
  if (load && cache == NULL)
    {
      cache = g_new0 (ModelCache, 1);
      g_object_set_data_full (G_OBJECT (operation), MODEL_CACHE_KEY, cache,
                              (GDestroyNotify) model_cache_free);
    }
  if (load && g_strcmp0 (cache->key, key) != 0)
    model_cache_load (cache, key, operation, network);
  if (cache != NULL && cache->shared != NULL
      && g_strcmp0 (cache->key, key) == 0)
    shared = g_atomic_rc_box_acquire (cache->shared);
  G_UNLOCK (model_caches);
  g_free (key);
  return shared;
}

HfsrOpModel *
hfsr_op_model_acquire (GeglOperation *operation, const HfsrOpNetwork *network)
{
  return model_get (operation, network, TRUE);
}

HfsrOpModel *
hfsr_op_model_peek (GeglOperation *operation, const HfsrOpNetwork *network)
{
  return model_get (operation, network, FALSE);
}

const char *
hfsr_op_dog_sr_method_name (HfsrOpDogSrMethod method)
{
  return method == HFSR_DOG_SR_METHOD_GAUSSIAN_STACK ? "gaussian-stack"
                                                     : "residual-dog";
}

HfsrModel *
hfsr_op_dog_sr_load_shipped (int scale, HfsrOpDogSrMethod method,
                             GError **error)
{
  char *name = g_strdup_printf ("hfsr-dog-x%d-%s", scale,
                                hfsr_op_dog_sr_method_name (method));
  HfsrModel *model
    = hfsr_model_load_for_value (name, "hfsr.scale", scale, error);

  g_free (name);
  return model;
}

HfsrRect
hfsr_op_rect_to_engine (const GeglRectangle *rect)
{
  HfsrRect hfsr = { rect->x, rect->y, rect->width, rect->height };

  return hfsr;
}

GeglRectangle
hfsr_op_rect_from_engine (const HfsrRect *rect)
{
  GeglRectangle gegl = { rect->x, rect->y, rect->width, rect->height };

  return gegl;
}

GeglRectangle
hfsr_op_source_extent (GeglOperation *operation, const gchar *pad)
{
  const GeglRectangle *extent
    = gegl_operation_source_get_bounding_box (operation, pad);
  GeglRectangle none = { 0, 0, 0, 0 };

  return extent != NULL ? *extent : none;
}

GeglRectangle
hfsr_op_upscaled_bounding_box (GeglOperation *operation, double scale)
{
  GeglRectangle extent = hfsr_op_source_extent (operation, "input");

  /* An empty rectangle at the origin stays one. */
  if (gegl_rectangle_is_infinite_plane (&extent))
    return extent;
  return rectangle_from_corners (
    hfsr_op_scaled_corner (extent.x, scale),
    hfsr_op_scaled_corner (extent.y, scale),
    hfsr_op_scaled_corner ((gint64) extent.x + extent.width, scale),
    hfsr_op_scaled_corner ((gint64) extent.y + extent.height, scale));
}

gboolean
hfsr_op_upscaled_part (GeglOperation *operation, const GeglRectangle *roi,
                       double scale, GeglRectangle *part)
{
  GeglRectangle bounds = hfsr_op_upscaled_bounding_box (operation, scale);

  return gegl_rectangle_intersect (part, roi, &bounds);
}

void
hfsr_op_set_formats (GeglOperation *operation, const char *input,
                     const char *aux, const char *output)
{
  const Babl *space = gegl_operation_get_source_space (operation, "input");

  gegl_operation_set_format (operation, "input",
                             babl_format_with_space (input, space));
  if (aux != NULL)
    gegl_operation_set_format (operation, "aux",
                               babl_format_with_space (aux, space));
  gegl_operation_set_format (operation, "output",
                             babl_format_with_space (output, space));
}

GeglRectangle
hfsr_op_required_within (GeglOperation *operation, const GeglRectangle *roi,
                         int margin)
{
  return hfsr_op_grow_within (
    roi, margin, gegl_operation_source_get_bounding_box (operation, "input"));
}

gboolean
hfsr_op_level_exists (GeglOperation *operation, HfsrOpDogSrOutput output,
                      int level)
{
  GError *error = NULL;

  if (level >= 1 && level <= (output == HFSR_DOG_SR_OUTPUT_DOG ? 4 : 5))
    return TRUE;
  if (operation != NULL)
    {
      g_set_error (&error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "level %d does not exist: the DoG stack has levels 1-4, "
                   "the Gaussian stack 1-5",
                   level);
      hfsr_op_warn (operation, &error);
    }
  return FALSE;
}

void
hfsr_op_draw_dog (float *out, const float *lower, const float *upper, gsize n,
                  double gain)
{
  for (gsize i = 0; i < n; i++)
    out[i] = HFSR_OP_SIGNED_ZERO + (float) gain * (lower[i] - upper[i]);
}

gboolean
hfsr_op_stack_level_ready (GeglOperation *operation)
{
  gint output, level;

  g_object_get (operation, "output", &output, "level", &level, NULL);
  return hfsr_op_level_exists (operation, output, level);
}
