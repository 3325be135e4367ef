/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "tool-image.h"
#include "tool-util.h"

/* Sides beyond this are not images but a failed loader's report. */
#define TOOL_MAX_SIDE (1 << 18)

static GMutex capture_lock;
static gboolean capture_on;
static char *captured_warning;
static const char *program_name = "hfsr";
static int load_failure_exit_status = 2;

static GLogWriterOutput
write_log (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
           gpointer user_data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      gboolean captured;

      g_mutex_lock (&capture_lock);
      captured = capture_on;
      if (capture_on && captured_warning == NULL)
        for (gsize i = 0; i < n_fields; i++)
          if (strcmp (fields[i].key, "MESSAGE") == 0)
            captured_warning
              = fields[i].length < 0
                  ? g_strdup (fields[i].value)
                  : g_strndup (fields[i].value, fields[i].length);
      g_mutex_unlock (&capture_lock);
      /* A captured warning comes back as the caller's error (or gives
       * way to a clearer one): printing it too would say it twice. */
      if (captured)
        return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

void
tool_capture_begin (void)
{
  g_mutex_lock (&capture_lock);
  capture_on = TRUE;
  g_clear_pointer (&captured_warning, g_free);
  g_mutex_unlock (&capture_lock);
}

gboolean
tool_capture_end (const char *what, GError **error)
{
  char *warning;

  g_mutex_lock (&capture_lock);
  capture_on = FALSE;
  warning = g_steal_pointer (&captured_warning);
  g_mutex_unlock (&capture_lock);
  if (warning == NULL)
    return TRUE;
  g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO, "%s: %s", what, warning);
  g_free (warning);
  return FALSE;
}

/* GEGL's JPEG loader keeps libjpeg's default error handler, which ends the
 * process (status 1) on a corrupt file.  While an image loads, that exit
 * is turned into the tool's error status, with a message naming the
 * file. */
static const char *loading_path;

static void
exit_while_loading (void)
{
  if (loading_path != NULL)
    {
      fprintf (stderr, "%s: %s: not an image GEGL can read\n", program_name,
               loading_path);
      _exit (load_failure_exit_status);
    }
}

void
tool_image_setup (const char *program, int load_failure_status)
{
  program_name = program;
  load_failure_exit_status = load_failure_status;
  g_log_set_writer_func (write_log, NULL, NULL);
  atexit (exit_while_loading);
}

void
tool_quantize_8bit (float *data, gsize n)
{
  for (gsize i = 0; i < n; i++)
    {
      double v = data[i];

      v = v > 0.0 ? (v < 1.0 ? v : 1.0) : 0.0; /* NaN -> 0 */
      data[i] = (float) (floor (v * 255.0 + 0.5) / 255.0);
    }
}

void
tool_pixels_from_planes (const HfsrTensor *image, float *pixels)
{
  gsize n_pixels = (gsize) image->width * image->height;

  for (int c = 0; c < image->channels; c++)
    {
      const float *plane = hfsr_tensor_plane (image, c);

      for (gsize i = 0; i < n_pixels; i++)
        pixels[image->channels * i + c] = plane[i];
    }
}

void
tool_planes_from_pixels (const float *pixels, HfsrTensor *image)
{
  gsize n_pixels = (gsize) image->width * image->height;

  for (int c = 0; c < image->channels; c++)
    {
      float *plane = hfsr_tensor_plane (image, c);

      for (gsize i = 0; i < n_pixels; i++)
        plane[i] = pixels[image->channels * i + c];
    }
}

HfsrTensor *
tool_render_planes (GeglNode *node, const GeglRectangle *rect, GError **error)
{
  HfsrTensor *image = hfsr_tensor_new (3, rect->height, rect->width, error);
  gsize n_pixels;
  float *pixels;

  if (image == NULL)
    return NULL;
  n_pixels = hfsr_tensor_size (image) / 3;
  pixels = g_try_new (float, (3 * n_pixels));
  if (pixels == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for a %d x %d image", rect->width,
                   rect->height);
      hfsr_tensor_free (image);
      return NULL;
    }
  gegl_node_blit (node, 1.0, rect, babl_format ("R'G'B' float"), pixels,
                  GEGL_AUTO_ROWSTRIDE, GEGL_BLIT_DEFAULT);
  tool_planes_from_pixels (pixels, image);
  g_free (pixels);
  return image;
}

/* @image when nothing failed; otherwise frees it and hands @failure on. */
static HfsrTensor *
image_unless_failed (HfsrTensor *image, GError *failure, GError **error)
{
  if (failure == NULL)
    return image;
  hfsr_tensor_free (image);
  g_propagate_error (error, failure);
  return NULL;
}

HfsrTensor *
tool_render_planes_checked (GeglNode *node, const GeglRectangle *rect,
                            const char *what, GError **error)
{
  GError *failure = NULL;
  HfsrTensor *image;

  tool_capture_begin ();
  image = tool_render_planes (node, rect, &failure);
  tool_capture_end (what, failure == NULL ? &failure : NULL);
  return image_unless_failed (image, failure, error);
}

GeglBuffer *
tool_buffer_from_planes (const HfsrTensor *image, const char *format)
{
  GeglRectangle rect = { 0, 0, image->width, image->height };
  GeglBuffer *buffer = gegl_buffer_new (&rect, babl_format (format));
  float *pixels = g_new (float, hfsr_tensor_size (image));

  tool_pixels_from_planes (image, pixels);
  gegl_buffer_set (buffer, &rect, 0, babl_format ("R'G'B' float"), pixels,
                   GEGL_AUTO_ROWSTRIDE);
  g_free (pixels);
  return buffer;
}

static gboolean
is_image_name (const char *name)
{
  char *lower = g_ascii_strdown (name, -1);
  gboolean image = g_str_has_suffix (lower, ".png")
                   || g_str_has_suffix (lower, ".jpg")
                   || g_str_has_suffix (lower, ".jpeg");

  g_free (lower);
  return image;
}

static int
compare_paths (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

gboolean
tool_collect_images (const char *path, GPtrArray *images, GError **error)
{
  GDir *dir;
  GPtrArray *names;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO,
                   "%s: no such file or folder", path);
      return FALSE;
    }
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (images, g_strdup (path));
      return TRUE;
    }

  dir = g_dir_open (path, 0, error);
  if (dir == NULL)
    return FALSE;
  names = g_ptr_array_new ();
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      char *file = g_build_filename (path, name, NULL);

      if (is_image_name (name) && g_file_test (file, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, file);
      else
        g_free (file);
    }
  g_dir_close (dir);
  if (names->len == 0)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO,
                   "%s: no PNG or JPEG images in this folder", path);
      g_ptr_array_free (names, TRUE);
      return FALSE;
    }
  g_ptr_array_sort (names, compare_paths);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (images, names->pdata[i]);
  g_ptr_array_free (names, FALSE);
  return TRUE;
}

gboolean
tool_require_operation (const char *operation, GError **error)
{
  const char *search = g_getenv ("GEGL_PATH");

  if (gegl_has_operation (operation))
    return TRUE;
  g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
               "GEGL has no operation %s: GEGL_PATH (%s) must name the "
               "folder of GEGL's own operations as well as the one holding "
               "hfsr's module (hfsr.so), or be unset",
               operation, search != NULL ? search : "not set");
  return FALSE;
}

HfsrTensor *
tool_load_image (const char *path, GError **error)
{
  GeglNode *graph, *load;
  GeglRectangle extent;
  HfsrTensor *image = NULL;
  GError *failure = NULL;

  /* gegl:load turns a missing or unreadable file into a placeholder
   * image (and waits forever on a FIFO): refuse those first. */
  if (!tool_require_operation ("gegl:load", error)
      || !tool_check_regular_file (path, error))
    return NULL;
  if (g_access (path, R_OK) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO, "%s: %s", path,
                   g_strerror (saved_errno));
      return NULL;
    }

  /* Setting the path already makes GEGL read the file's header. */
  loading_path = path;
  tool_capture_begin ();
  graph = gegl_node_new ();
  load = gegl_node_new_child (graph, "operation", "gegl:load", "path", path,
                              NULL);
  extent = gegl_node_get_bounding_box (load);
  /* When its fallback loader fails, GEGL may report any size, huge ones
   * included: no file the tools can hold is that large. */
  if (extent.width <= 0 || extent.height <= 0 || extent.width > TOOL_MAX_SIDE
      || extent.height > TOOL_MAX_SIDE
      || 3 * (guint64) extent.width * extent.height > HFSR_TENSOR_MAX_ELEMENTS)
    g_set_error (&failure, HFSR_ERROR, HFSR_ERROR_IO,
                 "%s: not an image GEGL can read", path);
  else
    image = tool_render_planes (load, &extent, &failure);
  /* The ops' rule for non-finite values (hfsr_make_finite), with one
   * warning; an image without one finite value has nothing to read. */
  if (image != NULL)
    {
      gsize n = hfsr_tensor_size (image);
      gsize replaced = hfsr_make_finite (image->data, n);

      if (replaced == n)
        g_set_error (&failure, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                     "%s: no pixel value is a finite number", path);
      else if (replaced > 0)
        g_printerr ("%s: warning: %" G_GSIZE_FORMAT " values are not finite "
                    "numbers: NaN and -infinity read as 0, +infinity as 1\n",
                    path, replaced);
    }
  if (failure != NULL && !g_str_has_prefix (failure->message, path))
    g_prefix_error (&failure, "%s: ", path);
  tool_capture_end (path, failure == NULL ? &failure : NULL);
  loading_path = NULL;
  g_object_unref (graph);
  return image_unless_failed (image, failure, error);
}

gboolean
tool_save_png (const HfsrTensor *image, const char *path, gint64 *bytes,
               GError **error)
{
  GeglBuffer *buffer;
  GeglNode *graph;
  GeglNode *source, *save;
  GStatBuf status;
  gboolean saved;

  if (!tool_require_operation ("gegl:png-save", error))
    return FALSE;
  buffer = tool_buffer_from_planes (image, "R'G'B' u8");
  graph = gegl_node_new ();

  source = gegl_node_new_child (graph, "operation", "gegl:buffer-source",
                                "buffer", buffer, NULL);
  save = gegl_node_new_child (graph, "operation", "gegl:png-save", "path",
                              path, "compression", 9, "bitdepth", 8, NULL);
  gegl_node_link (source, save);
  g_unlink (path);
  tool_capture_begin ();
  gegl_node_process (save);
  saved = tool_capture_end (path, error);
  g_object_unref (graph);
  g_object_unref (buffer);
  if (saved && g_stat (path, &status) != 0)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO,
                   "%s: the PNG was not written", path);
      saved = FALSE;
    }
  if (saved && bytes != NULL)
    *bytes = status.st_size;
  return saved;
}

HfsrTensor *
tool_crop_top_left (const HfsrTensor *image, int width, int height,
                    GError **error)
{
  HfsrTensor *crop = hfsr_tensor_new (3, height, width, error);

  if (crop == NULL)
    return NULL;
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < height; y++)
      memcpy (hfsr_tensor_plane (crop, c) + (gsize) y * width,
              hfsr_tensor_plane (image, c) + (gsize) y * image->width,
              sizeof (float) * width);
  return crop;
}

/* babl's Y' of R'G'B' (sRGB): the grey hfsr:scale-space and hfsr:dog-sr
 * read, and the DoG-SR networks were trained on. */
float *
tool_grey_of (const HfsrTensor *rgb, GError **error)
{
  gsize n_pixels = (gsize) rgb->width * rgb->height;
  float *pixels = g_try_new (float, hfsr_tensor_size (rgb));
  float *grey = g_try_new (float, n_pixels);

  if (pixels == NULL || grey == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for a %d x %d image", rgb->width,
                   rgb->height);
      g_free (pixels);
      g_free (grey);
      return NULL;
    }
  tool_pixels_from_planes (rgb, pixels);
  babl_process (
    babl_fish (babl_format ("R'G'B' float"), babl_format ("Y' float")), pixels,
    grey, n_pixels);
  g_free (pixels);
  return grey;
}
