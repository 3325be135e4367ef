/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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
hfsr_op_scale_down (const GeglRectangle *roi, int scale)
{
  return rectangle_from_corners (
    hfsr_op_floor_div (roi->x, scale), hfsr_op_floor_div (roi->y, scale),
    -hfsr_op_floor_div (-((gint64) roi->x + roi->width), scale),
    -hfsr_op_floor_div (-((gint64) roi->y + roi->height), scale));
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

/* Loads the network of the settings @key names into @cache, or warns
 * why there is none. */
static void
model_cache_load (ModelCache *cache, const char *key, GeglOperation *operation,
                  const HfsrOpNetwork *network)
{
  GError *error = NULL;
  HfsrModel *model;

  g_clear_pointer (&cache->shared, hfsr_op_model_release);
  g_free (cache->key);
  cache->key = g_strdup (key);

  model = network->load (operation, &error);
  if (model != NULL)
    {
      cache->shared = g_atomic_rc_box_new0 (HfsrOpModel);
      cache->shared->model = model;
    }
  else
    {
      g_prefix_error (&error, "%s", network->failure);
      hfsr_op_warn (operation, &error);
    }
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

/* The margin of the network hfsr_op_model_peek finds
 * (hfsr_model_get_margin), or HFSR_OP_WHOLE_IMAGE where none is: without
 * the network at hand all of the output may have changed. */
static int
model_peek_margin (GeglOperation *operation, const HfsrOpNetwork *network)
{
  HfsrOpModel *shared = hfsr_op_model_peek (operation, network);
  int margin = HFSR_OP_WHOLE_IMAGE;

  if (shared != NULL)
    margin = hfsr_model_get_margin (shared->model);
  hfsr_op_model_release (shared);
  return margin;
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
hfsr_op_upscaled_bounding_box (GeglOperation *operation, int scale)
{
  GeglRectangle extent = hfsr_op_source_extent (operation, "input");

  /* An empty rectangle at the origin stays one. */
  return hfsr_op_scale_up (&extent, scale);
}

gboolean
hfsr_op_upscaled_part (GeglOperation *operation, const GeglRectangle *roi,
                       int scale, GeglRectangle *part)
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

/* What process computes of @result with @margin: @wanted, the part within
 * the input image, from @region, the input around it that exists
 * (hfsr_op_grow_within), so that every engine border rule applies at the
 * true image border only and a chunk comes out as in a whole-image run.
 * FALSE where @result lies outside the image: nothing to compute. */
static gboolean
chunk_regions (GeglOperation *operation, const GeglRectangle *result,
               int margin, GeglRectangle *wanted, GeglRectangle *region)
{
  const GeglRectangle *extent
    = gegl_operation_source_get_bounding_box (operation, "input");

  /* A blit may ask for more than the image; only the image has pixels. */
  *wanted = *result;
  if (extent != NULL && !gegl_rectangle_intersect (wanted, result, extent))
    return FALSE;
  *region = hfsr_op_grow_within (wanted, margin, extent);
  return TRUE;
}

/* process of an op whose output pixel depends on the input pixels within
 * @margin of it (chunk_regions), computed by @func at once over the region
 * of @result; a failure is warned of. */
static gboolean
process_planes (GeglOperation *operation, GeglBuffer *input, GeglBuffer *aux,
                GeglBuffer *output, const GeglRectangle *result, int margin,
                HfsrOpPlanesFunc func)
{
  HfsrOpChunk chunk = { { 0, 0, 0, 0 }, NULL, NULL, { NULL }, NULL };
  GeglRectangle wanted;
  GError *error = NULL;
  gboolean success = FALSE;

  if (!chunk_regions (operation, result, margin, &wanted, &chunk.region))
    return TRUE;

  chunk.input = hfsr_op_read_planes (
    operation, input, &chunk.region,
    gegl_operation_get_format (operation, "input"), &error);
  if (chunk.input != NULL && aux != NULL)
    chunk.aux = hfsr_op_read_planes (
      operation, aux, &chunk.region,
      gegl_operation_get_format (operation, "aux"), &error);
  if (chunk.input != NULL && (aux == NULL || chunk.aux != NULL)
      && func (operation, &chunk, &error))
    success = hfsr_op_write_planes (
      output, &wanted, chunk.planes, &chunk.region,
      gegl_operation_get_format (operation, "output"), &error);

  hfsr_op_warn (operation, &error);
  hfsr_tensor_free (chunk.scratch);
  hfsr_tensor_free (chunk.aux);
  hfsr_tensor_free (chunk.input);
  return success;
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

/* Fills @wanted of @output (a one-component float @format) piece by piece,
 * pieces of at most @side x @side pixels in raster order, so that scratch
 * memory is bounded whatever chunk GEGL asks for.  Stops at the first
 * failure. */
static gboolean
render_pieces (GeglBuffer *output, const GeglRectangle *wanted, int side,
               const Babl *format, HfsrOpPieceFunc func, gpointer data,
               GError **error)
{
  float *out = hfsr_op_pixels_new (MIN (wanted->width, side),
                                   MIN (wanted->height, side), 1, error);
  gboolean success = out != NULL;

  for (gint64 y = wanted->y; success && y < wanted->y + wanted->height;
       y += side)
    for (gint64 x = wanted->x; success && x < wanted->x + wanted->width;
         x += side)
      {
        GeglRectangle piece
          = { (gint) x, (gint) y,
              (gint) MIN (side, wanted->x + wanted->width - x),
              (gint) MIN (side, wanted->y + wanted->height - y) };
        const float *planes[1] = { out };

        success = func (&piece, out, data, error)
                  && hfsr_op_write_planes (output, &piece, planes, &piece,
                                           format, error);
      }
  g_free (out);
  return success;
}

/* Where a class keeps its HfsrOpInfo: on its type, where an instance finds
 * it (the ops are not subclassed). */
static GQuark
info_quark (void)
{
  return g_quark_from_static_string ("hfsr-op-info");
}

static const HfsrOpInfo *
op_info (GeglOperation *operation)
{
  return g_type_get_qdata (G_TYPE_FROM_INSTANCE (operation), info_quark ());
}

static void
prepare_formats (GeglOperation *operation)
{
  const HfsrOpInfo *info = op_info (operation);

  hfsr_op_set_formats (operation, info->input_format, info->aux_format,
                       info->output_format);
}

/* The input image's: a filter's own, and a composer's whose aux only has
 * to match the input (GEGL's composer takes in aux's too). */
static GeglRectangle
input_bounding_box (GeglOperation *operation)
{
  return hfsr_op_source_extent (operation, "input");
}

static GeglRectangle
local_required_for_output (GeglOperation *operation, const gchar *input_pad,
                           const GeglRectangle *roi)
{
  return hfsr_op_required_within (operation, roi,
                                  op_info (operation)->margin (operation));
}

/* The dependence of a local op is symmetric: a changed input pixel reaches
 * as far as an output pixel looks, so this is its get_required_for_output. */
static GeglRectangle
local_invalidated_by_change (GeglOperation *operation, const gchar *input_pad,
                             const GeglRectangle *input_region)
{
  return local_required_for_output (operation, input_pad, input_region);
}

/* The "scale" property of an HFSR_OP_UPSCALED op. */
static int
op_scale (GeglOperation *operation)
{
  int scale;

  g_object_get (operation, "scale", &scale, NULL);
  return scale;
}

static GeglRectangle
upscaled_bounding_box (GeglOperation *operation)
{
  return hfsr_op_upscaled_bounding_box (operation, op_scale (operation));
}

/* What HfsrOpInfo.required names with the network of the settings, or
 * @roi as it is with no input connected. */
static GeglRectangle
upscaled_required_for_output (GeglOperation *operation, const gchar *input_pad,
                              const GeglRectangle *roi)
{
  const HfsrOpInfo *info = op_info (operation);
  const GeglRectangle *extent
    = gegl_operation_source_get_bounding_box (operation, "input");
  HfsrOpModel *shared;
  GeglRectangle need;

  if (extent == NULL)
    return *roi;
  shared = hfsr_op_model_acquire (operation, info->network);
  need = info->required (operation, shared != NULL ? shared->model : NULL, roi,
                         extent);
  hfsr_op_model_release (shared);
  return need;
}

/* A changed input pixel reaches every output pixel whose footprint lies
 * within the margin of it: the network's, and at least the op's own.
 * GEGL asks this while properties are being set one by one (the `gegl`
 * command line connects the node before its model= is set), so it loads
 * nothing: without the network at hand all of the output may have
 * changed. */
static GeglRectangle
upscaled_invalidated_by_change (GeglOperation *operation,
                                const gchar *input_pad,
                                const GeglRectangle *input_region)
{
  const HfsrOpInfo *info = op_info (operation);
  int margin = model_peek_margin (operation, info->network);
  GeglRectangle reach;

  if (margin != HFSR_OP_WHOLE_IMAGE && info->margin != NULL)
    margin = MAX (margin, info->margin (operation));
  reach = hfsr_op_grow_within (
    input_region, margin,
    gegl_operation_source_get_bounding_box (operation, "input"));
  return hfsr_op_scale_up (&reach, op_scale (operation));
}

static GeglRectangle
whole_required_for_output (GeglOperation *operation, const gchar *input_pad,
                           const GeglRectangle *roi)
{
  return hfsr_op_source_extent (operation, input_pad);
}

static GeglRectangle
whole_invalidated_by_change (GeglOperation *operation, const gchar *input_pad,
                             const GeglRectangle *input_region)
{
  return hfsr_op_source_extent (operation, "input");
}

static GeglRectangle
whole_cached_region (GeglOperation *operation, const GeglRectangle *roi)
{
  return hfsr_op_source_extent (operation, "input");
}

/* Output pixels a side that an upscaling op computes at once. */
#define PIECE_SIDE 256

/* process of an HFSR_OP_UPSCALED op: the part of @result within the
 * upscaled image, in pieces (render_pieces), each computed by the op's
 * piece function, which gets an HfsrOpNetworkJob with the network of the
 * settings.  A failure is warned of. */
static gboolean
process_network_pieces (GeglOperation *operation, GeglBuffer *input,
                        GeglBuffer *output, const GeglRectangle *result)
{
  const HfsrOpInfo *info = op_info (operation);
  GeglRectangle wanted;
  HfsrOpModel *shared;
  HfsrOpNetworkJob job;
  GError *error = NULL;
  gboolean success;

  job.extent = gegl_operation_source_get_bounding_box (operation, "input");
  if (job.extent == NULL
      || !hfsr_op_upscaled_part (operation, result, op_scale (operation),
                                 &wanted))
    return TRUE;

  shared = hfsr_op_model_acquire (operation, info->network);
  job.operation = operation;
  job.model = shared != NULL ? shared->model : NULL;
  job.input = input;
  success = render_pieces (output, &wanted, PIECE_SIDE,
                           gegl_operation_get_format (operation, "output"),
                           info->piece, &job, &error);
  hfsr_op_warn (operation, &error);
  hfsr_op_model_release (shared);
  return success;
}

/* process of an op that has none of its own: @aux is NULL for a filter. */
static gboolean
process_info (GeglOperation *operation, GeglBuffer *input, GeglBuffer *aux,
              GeglBuffer *output, const GeglRectangle *result)
{
  const HfsrOpInfo *info = op_info (operation);

  if (info->ready != NULL && !info->ready (operation))
    return FALSE;
  if (info->shape == HFSR_OP_UPSCALED)
    return process_network_pieces (operation, input, output, result);
  return process_planes (operation, input, aux, output, result,
                         info->margin (operation), info->planes);
}

static gboolean
filter_process (GeglOperation *operation, GeglBuffer *input,
                GeglBuffer *output, const GeglRectangle *result, gint level)
{
  return process_info (operation, input, NULL, output, result);
}

/* A composer made from an HfsrOpInfo reads its aux as it reads its input
 * (an op without a reference there draws what it does instead before
 * GEGL's composer comes here). */
static gboolean
composer_process (GeglOperation *operation, GeglBuffer *input, GeglBuffer *aux,
                  GeglBuffer *output, const GeglRectangle *result, gint level)
{
  g_return_val_if_fail (aux != NULL, FALSE);

  return process_info (operation, input, aux, output, result);
}

/* The region functions and cache policy of each HfsrOpShape.  No bounding
 * box: GEGL's (a composer's takes in aux's extent); no cached region: the
 * op's own, or none. */
typedef struct
{
  GeglRectangle (*bounding_box) (GeglOperation *operation);
  GeglRectangle (*required_for_output) (GeglOperation *operation,
                                        const gchar *input_pad,
                                        const GeglRectangle *roi);
  GeglRectangle (*invalidated_by_change) (GeglOperation *operation,
                                          const gchar *input_pad,
                                          const GeglRectangle *region);
  GeglRectangle (*cached_region) (GeglOperation *operation,
                                  const GeglRectangle *roi);
  GeglCachePolicy cache_policy;
} Shape;

static const Shape shapes[] = {
  [HFSR_OP_LOCAL]
  = { input_bounding_box, local_required_for_output,
      local_invalidated_by_change, NULL, GEGL_CACHE_POLICY_AUTO },
  /* The network is costly: what was computed once is kept. */
  [HFSR_OP_UPSCALED]
  = { upscaled_bounding_box, upscaled_required_for_output,
      upscaled_invalidated_by_change, NULL, GEGL_CACHE_POLICY_ALWAYS },
  [HFSR_OP_WHOLE]
  = { NULL, whole_required_for_output, whole_invalidated_by_change,
      whole_cached_region, GEGL_CACHE_POLICY_ALWAYS },
};

void
hfsr_op_class_init (GeglOperationClass *klass, const HfsrOpInfo *info,
                    const gchar *first_key, ...)
{
  const Shape *shape = &shapes[info->shape];
  GType type = G_TYPE_FROM_CLASS (klass);
  gboolean computes = info->planes != NULL || info->piece != NULL;
  va_list keys;

  g_type_set_qdata (type, info_quark (), (gpointer) info);
  if (info->input_format != NULL)
    klass->prepare = prepare_formats;

  klass->get_required_for_output = shape->required_for_output;
  klass->get_invalidated_by_change = shape->invalidated_by_change;
  klass->cache_policy = shape->cache_policy;
  if (shape->bounding_box != NULL)
    klass->get_bounding_box = shape->bounding_box;
  if (shape->cached_region != NULL)
    klass->get_cached_region = shape->cached_region;

  if (computes && g_type_is_a (type, GEGL_TYPE_OPERATION_COMPOSER))
    GEGL_OPERATION_COMPOSER_CLASS (klass)->process = composer_process;
  else if (computes)
    GEGL_OPERATION_FILTER_CLASS (klass)->process = filter_process;

  va_start (keys, first_key);
  for (const gchar *key = first_key; key != NULL;
       key = va_arg (keys, const gchar *))
    gegl_operation_class_set_key (klass, key, va_arg (keys, const gchar *));
  va_end (keys);
}

gboolean
hfsr_op_stack_level_ready (GeglOperation *operation)
{
  gint output, level;

  g_object_get (operation, "output", &output, "level", &level, NULL);
  return hfsr_op_level_exists (operation, output, level);
}
