/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "op-test-util.h"
#include "ops/hfsr-gegl-compat.h"
#include "test-util.h"

static const char *expected_fragment;
static gint warnings_seen;
static guint warning_handler;

static gboolean
is_expected (const gchar *log_domain, GLogLevelFlags log_level,
             const gchar *message)
{
  return expected_fragment != NULL && (log_level & G_LOG_LEVEL_WARNING)
         && g_strcmp0 (log_domain, "hfsr") == 0
         && strstr (message, expected_fragment) != NULL;
}

/* Counts the warnings a test provokes on purpose (quietly: the default
 * handler would announce a fatal message) and passes on the others. */
static void
count_warning (const gchar *log_domain, GLogLevelFlags log_level,
               const gchar *message, gpointer user_data)
{
  if (is_expected (log_domain, log_level, message))
    g_atomic_int_inc (&warnings_seen);
  else
    g_log_default_handler (log_domain, log_level, message, user_data);
}

/* g_test_init makes every warning fatal; the expected ones are not. */
static gboolean
warning_is_fatal (const gchar *log_domain, GLogLevelFlags log_level,
                  const gchar *message, gpointer user_data)
{
  return !is_expected (log_domain, log_level, message);
}

int
op_test_init (int *argc, char ***argv, const char *op_name)
{
  g_test_init (argc, argv, NULL);
  gegl_init (argc, argv);

  if (gegl_has_operation (op_name))
    return 0;

  /* Under meson test the op must be there; elsewhere GEGL_PATH may simply
   * not point at a build. */
  g_printerr ("%s not found on GEGL_PATH=%s\n", op_name,
              g_getenv ("GEGL_PATH") ? g_getenv ("GEGL_PATH") : "(unset)");
  return g_getenv ("HFSR_BUILD_ROOT") != NULL ? 1 : 77;
}

GeglBuffer *
op_test_buffer_new (int width, int height, const Babl *format,
                    const void *pixels)
{
  GeglBuffer *buffer
    = gegl_buffer_new (GEGL_RECTANGLE (0, 0, width, height), format);

  gegl_buffer_set (buffer, NULL, 0, format, pixels, GEGL_AUTO_ROWSTRIDE);
  return buffer;
}

GeglBuffer *
op_test_random_buffer (int width, int height, guint32 seed)
{
  gsize n = (gsize) width * height * 4;
  float *pixels = g_new (float, n);
  GeglBuffer *buffer;

  hfsr_test_fill_random (pixels, n, seed, 0.0f, 1.0f);
  buffer = op_test_buffer_new (width, height, babl_format ("R'G'B'A float"),
                               pixels);
  g_free (pixels);
  return buffer;
}

static GeglNode *
add_source (GeglNode *graph, GeglBuffer *buffer)
{
  return gegl_node_new_child (graph, "operation", "gegl:buffer-source",
                              "buffer", buffer, NULL);
}

GeglNode *
op_test_graph_new (GeglBuffer *input, GeglBuffer *aux, const char *op_name,
                   const char *first_property, ...)
{
  GeglNode *graph = gegl_node_new ();
  GeglNode *op = gegl_node_new_child (graph, "operation", op_name, NULL);
  va_list properties;

  va_start (properties, first_property);
  gegl_node_set_valist (op, first_property, properties);
  va_end (properties);

  hfsr_node_connect (add_source (graph, input), "output", op, "input");
  if (aux != NULL)
    hfsr_node_connect (add_source (graph, aux), "output", op, "aux");
  return op;
}

void
op_test_graph_free (GeglNode *op)
{
  g_object_unref (gegl_node_get_parent (op));
}

static float *
pixels_new (const GeglRectangle *rect, const Babl *format)
{
  return g_malloc ((gsize) rect->width * rect->height
                   * babl_format_get_bytes_per_pixel (format));
}

float *
op_test_render (GeglNode *node, const GeglRectangle *rect, const Babl *format)
{
  float *pixels = pixels_new (rect, format);

  gegl_node_blit (node, 1.0, rect, format, pixels, GEGL_AUTO_ROWSTRIDE,
                  GEGL_BLIT_DEFAULT);
  return pixels;
}

float *
op_test_render_chunks (GeglNode *node, const GeglRectangle *rect,
                       int chunk_width, int chunk_height, const Babl *format)
{
  int bpp = babl_format_get_bytes_per_pixel (format);
  float *pixels = pixels_new (rect, format);

  for (int y = rect->y; y < rect->y + rect->height; y += chunk_height)
    for (int x = rect->x; x < rect->x + rect->width; x += chunk_width)
      {
        GeglRectangle chunk
          = { x, y, MIN (chunk_width, rect->x + rect->width - x),
              MIN (chunk_height, rect->y + rect->height - y) };
        guchar *first
          = (guchar *) pixels
            + ((gsize) (y - rect->y) * rect->width + (x - rect->x)) * bpp;

        gegl_node_blit (node, 1.0, &chunk, format, first, rect->width * bpp,
                        GEGL_BLIT_DEFAULT);
      }
  return pixels;
}

float *
op_test_process (GeglNode *node, const GeglRectangle *rect, const Babl *format,
                 const OpTestConfig *config)
{
  GeglConfig *gegl = gegl_config ();
  int threads, chunk_size, tile_width, tile_height;
  GeglBuffer *target;
  GeglNode *sink;
  float *pixels;

  g_object_get (gegl, "threads", &threads, "chunk-size", &chunk_size,
                "tile-width", &tile_width, "tile-height", &tile_height, NULL);
  g_object_set (gegl, "threads", config->threads, "chunk-size",
                config->chunk_size, "tile-width", config->tile_size,
                "tile-height", config->tile_size, NULL);

  target = gegl_buffer_new (rect, format);
  sink = gegl_node_new_child (gegl_node_get_parent (node), "operation",
                              "gegl:write-buffer", "buffer", target, NULL);
  hfsr_node_connect (node, "output", sink, "input");
  gegl_node_process (sink);

  g_object_set (gegl, "threads", threads, "chunk-size", chunk_size,
                "tile-width", tile_width, "tile-height", tile_height, NULL);

  pixels = pixels_new (rect, format);
  gegl_buffer_get (target, rect, 1.0, format, pixels, GEGL_AUTO_ROWSTRIDE,
                   GEGL_ABYSS_NONE);
  g_object_unref (target);
  return pixels;
}

const Babl *
op_test_output_format (GeglNode *node)
{
  GeglBuffer *output = NULL;
  GeglNode *sink;
  const Babl *format;

  sink = gegl_node_new_child (gegl_node_get_parent (node), "operation",
                              "gegl:buffer-sink", "buffer", &output, NULL);
  hfsr_node_connect (node, "output", sink, "input");
  gegl_node_process (sink);
  g_assert_nonnull (output);
  format = gegl_buffer_get_format (output);
  g_object_unref (output);
  return format;
}

static void
fail_at (gsize i, int channels, int width, const float *actual,
         const float *expected, double tolerance)
{
  gsize pixel = i / channels;

  g_test_message ("pixel (%d, %d) channel %d: %.9g, expected %.9g (+-%g)",
                  (int) (pixel % width), (int) (pixel / width),
                  (int) (i % channels), actual[i], expected[i], tolerance);
  g_test_fail ();
}

void
op_test_assert_identical (const float *a, const float *b, gsize n,
                          int channels, int width)
{
  for (gsize i = 0; i < n; i++)
    if (memcmp (&a[i], &b[i], sizeof (float)) != 0)
      {
        fail_at (i, channels, width, a, b, 0.0);
        return;
      }
}

void
op_test_assert_close (const float *actual, const float *expected, gsize n,
                      int channels, int width, double tolerance)
{
  for (gsize i = 0; i < n; i++)
    if (!(fabs ((double) actual[i] - expected[i]) <= tolerance))
      {
        fail_at (i, channels, width, actual, expected, tolerance);
        return;
      }
}

void
op_test_expect_warnings (const char *fragment)
{
  g_atomic_int_set (&warnings_seen, 0);
  expected_fragment = fragment;
  /* g_test_init made warnings fatal: the handler must take fatal ones. */
  warning_handler = g_log_set_handler (
    "hfsr", G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL, count_warning, NULL);
  /* GLib resets the fatal handler at the start of every test case. */
  g_test_log_set_fatal_handler (warning_is_fatal, NULL);
}

int
op_test_warnings_seen (void)
{
  g_log_remove_handler ("hfsr", warning_handler);
  expected_fragment = NULL;
  return g_atomic_int_get (&warnings_seen);
}
