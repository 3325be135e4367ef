/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GEGL side of hfsr-upscale (upscale.h): in each worker process one
 * graph, buffer-source → hfsr:super-resolution → convert-format → saver.
 * The input buffer is the one gegl:load makes and the op sees it
 * unchanged, so the pixels are those of `gegl IN -o OUT --
 * hfsr:super-resolution`; only the saver's format (the input's channels
 * and bit depth instead of 16-bit RGBA) and the metadata differ.
 *
 * The op node is made again for every image: GEGL splits a node's work
 * between threads by how fast that node ran before, and a translucent
 * image's last bits depend (within 1e-5) on that split, so a node that
 * ran before could give a pixel one 16-bit step off the gegl command's.
 * The network stays loaded all the same: the ops keep the networks a
 * process loaded for every new node (ops/hfsr-op-common.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gegl-plugin.h>
#include <gegl.h>
#include <gexiv2/gexiv2.h>
#include <glib/gstdio.h>

#include "hfsr.h"
#include "tool-image.h"
#include "tool-util.h"
#include "upscale.h"

#define SR_OP "hfsr:super-resolution"

/* The graph every image of the run goes through. */
static GeglNode *graph, *source, *upscaler, *convert, *saver;
static const UpscaleSettings *settings;

char *
upscale_partial_path (const char *output)
{
  char *folder = g_path_get_dirname (output);
  char *name = g_path_get_basename (output);
  char *hidden = g_strdup_printf (".%s.hfsr-part", name);
  char *partial = g_build_filename (folder, hidden, NULL);

  g_free (hidden);
  g_free (name);
  g_free (folder);
  return partial;
}

/* @value within the range the op's property @name allows, or an error
 * naming the option and that range. */
static gboolean
check_in_range (const char *name, const char *option, double value,
                GError **error)
{
  GParamSpec *pspec = gegl_operation_find_property (SR_OP, name);
  double min, max;

  if (G_IS_PARAM_SPEC_INT (pspec))
    {
      min = G_PARAM_SPEC_INT (pspec)->minimum;
      max = G_PARAM_SPEC_INT (pspec)->maximum;
    }
  else if (G_IS_PARAM_SPEC_DOUBLE (pspec))
    {
      min = G_PARAM_SPEC_DOUBLE (pspec)->minimum;
      max = G_PARAM_SPEC_DOUBLE (pspec)->maximum;
    }
  else
    return TRUE;
  if (value >= min && value <= max)
    return TRUE;
  g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
               "%s %g is out of range: it goes from %g to %g", option, value,
               min, max);
  return FALSE;
}

/* Upscales a small grey ramp: the network loads (or fails to) now, once
 * per worker, and not as a warning on the first photo. */
static gboolean
warm_up (GError **error)
{
  const GeglRectangle rect = { 0, 0, 8, 8 };
  const Babl *format = babl_format ("R'G'B' float");
  GeglBuffer *buffer = gegl_buffer_new (&rect, format);
  GeglBuffer *result = NULL;
  GeglNode *sink;
  float pixels[8 * 8 * 3];
  gboolean ok;

  for (int i = 0; i < 8 * 8 * 3; i++)
    pixels[i] = (float) (i % 24) / 24.0f;
  gegl_buffer_set (buffer, &rect, 0, format, pixels, GEGL_AUTO_ROWSTRIDE);
  gegl_node_set (source, "buffer", buffer, NULL);
  sink = gegl_node_new_child (graph, "operation", "gegl:buffer-sink", "buffer",
                              &result, NULL);
  gegl_node_link (upscaler, sink);
  tool_capture_begin ();
  gegl_node_process (sink);
  ok = tool_capture_end ("the network could not be used", error);
  gegl_node_disconnect (sink, "input");
  gegl_node_remove_child (graph, sink);
  gegl_node_set (source, "buffer", NULL, NULL);
  g_clear_object (&result);
  g_object_unref (buffer);
  return ok;
}

/* A new op node between source and convert, in place of the last one. */
static void
new_upscaler (void)
{
  if (upscaler != NULL)
    gegl_node_remove_child (graph, upscaler);
  upscaler = gegl_node_new_child (graph, "operation", SR_OP, "scale",
                                  settings->scale, NULL);
  if (settings->alpha_set)
    gegl_node_set (upscaler, "alpha", settings->alpha, NULL);
  if (settings->model != NULL)
    gegl_node_set (upscaler, "model", settings->model, NULL);
  gegl_node_link_many (source, upscaler, convert, NULL);
}

/* The GEGL operation that writes @format. */
static const char *
saver_operation (UpscaleFormat format)
{
  switch (format)
    {
    case UPSCALE_FORMAT_JPEG:
      return "gegl:jpg-save";
    case UPSCALE_FORMAT_WEBP:
      return "gegl:webp-save";
    case UPSCALE_FORMAT_TIFF:
      return "gegl:tiff-save";
    default:
      return "gegl:png-save";
    }
}

gboolean
upscale_worker_init (const UpscaleSettings *run, const GPtrArray *jobs,
                     GError **error)
{
  settings = run;
  gegl_init (NULL, NULL);
  g_object_set (gegl_config (), "threads", MAX (run->threads, 1), NULL);
  gexiv2_initialize ();
  /* Exiv2 prints its warnings on stderr itself (an unknown maker note,
   * say); a failed copy comes back as an error instead. */
  gexiv2_log_set_level (GEXIV2_LOG_LEVEL_MUTE);

  if (!tool_require_operation (SR_OP, error)
      || !tool_require_operation ("gegl:load", error))
    return FALSE;
  /* Before any image: a GEGL built without a saver would otherwise fail
   * each image of that format only once it has been upscaled.  Each
   * format once, however many images use it. */
  for (UpscaleFormat format = UPSCALE_FORMAT_PNG;
       format <= UPSCALE_FORMAT_TIFF; format++)
    for (guint i = 0; i < jobs->len; i++)
      if (((const UpscaleJob *) jobs->pdata[i])->format == format)
        {
          if (!tool_require_operation (saver_operation (format), error))
            return FALSE;
          break;
        }
  if (!check_in_range ("scale", "--scale", run->scale, error)
      || (run->alpha_set
          && !check_in_range ("alpha", "--alpha", run->alpha, error)))
    return FALSE;

  graph = gegl_node_new ();
  source
    = gegl_node_new_child (graph, "operation", "gegl:buffer-source", NULL);
  convert
    = gegl_node_new_child (graph, "operation", "gegl:convert-format", NULL);
  saver = gegl_node_new_child (graph, "operation", "gegl:nop", NULL);
  gegl_node_link (convert, saver);
  new_upscaler ();
  return warm_up (error);
}

void
upscale_worker_exit (void)
{
  g_clear_object (&graph);
  gegl_exit ();
}

/* The whole image @path as gegl:load makes it, or an error naming it. */
static GeglBuffer *
load_image (const char *path, GError **error)
{
  GeglNode *loading = gegl_node_new ();
  GeglBuffer *buffer = NULL;
  GeglNode *load, *sink;
  gboolean ok;

  if (!tool_check_regular_file (path, error))
    {
      g_object_unref (loading);
      return NULL;
    }
  /* gegl:load reads the file's header as soon as it has the path. */
  tool_capture_begin ();
  load = gegl_node_new_child (loading, "operation", "gegl:load", "path", path,
                              NULL);
  sink = gegl_node_new_child (loading, "operation", "gegl:buffer-sink",
                              "buffer", &buffer, NULL);
  gegl_node_link (load, sink);
  gegl_node_process (sink);
  ok = tool_capture_end ("not an image GEGL can read", error);
  g_object_unref (loading);
  if (ok
      && (buffer == NULL || gegl_buffer_get_width (buffer) <= 0
          || gegl_buffer_get_height (buffer) <= 0))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO,
                   "not an image GEGL can read");
      ok = FALSE;
    }
  if (!ok)
    g_clear_object (&buffer);
  return buffer;
}

/* Whether @format's colour model has @flag (grey, CMYK). */
static gboolean
model_has (const Babl *format, BablModelFlag flag)
{
  return (babl_get_model_flags (babl_format_get_model (format)) & flag) != 0;
}

/* The colour profile inside WebP file @path (its ICCP chunk), or NULL
 * when it is no WebP or has none.  GEGL 0.4.42's WebP loader ignores it
 * and takes the pixels as sRGB.  The chunks are walked by their sizes,
 * never reading more than the file holds; a profile beyond 16 MiB is no
 * profile. */
static GBytes *
webp_profile (const char *path)
{
  FILE *file = fopen (path, "rb");
  guint8 header[12];
  GBytes *profile = NULL;

  if (file == NULL)
    return NULL;
  if (fread (header, 1, 12, file) == 12 && memcmp (header, "RIFF", 4) == 0
      && memcmp (header + 8, "WEBP", 4) == 0)
    for (int chunk = 0; chunk < 64; chunk++)
      {
        guint8 head[8];
        guint32 size;

        if (fread (head, 1, 8, file) != 8)
          break;
        size
          = head[4] | head[5] << 8 | head[6] << 16 | (guint32) head[7] << 24;
        if (memcmp (head, "ICCP", 4) == 0)
          {
            guint8 *data = size <= 16 << 20 ? g_try_malloc (size) : NULL;

            if (data != NULL && size > 0
                && fread (data, 1, size, file) == size)
              profile = g_bytes_new_take (data, size);
            else
              g_free (data);
            break;
          }
        if (fseek (file, size + (size & 1), SEEK_CUR) != 0)
          break;
      }
  fclose (file);
  return profile;
}

/* Gives @buffer (loaded from the WebP file @path) the colour space of
 * the file's profile: the pixels stay, their meaning becomes right. */
static void
apply_webp_profile (const char *path, GeglBuffer *buffer, UpscaleNoteFunc note,
                    gpointer data)
{
  GBytes *profile = webp_profile (path);
  const Babl *format = gegl_buffer_get_format (buffer);
  const char *error = NULL;
  const Babl *space;
  gsize length;
  const char *icc;

  if (profile == NULL)
    return;
  icc = g_bytes_get_data (profile, &length);
  space = babl_space_from_icc (icc, (int) length,
                               BABL_ICC_INTENT_RELATIVE_COLORIMETRIC, &error);
  if (space != NULL && !model_has (format, BABL_MODEL_FLAG_CMYK))
    gegl_buffer_set_format (
      buffer,
      babl_format_with_space (babl_format_get_encoding (format), space));
  else
    note ("its colour profile could not be used: its colours are taken as "
          "sRGB",
          data);
  g_bytes_unref (profile);
}

/* The format the saver is given: the input's channels (grey or colour,
 * with or without alpha) at the result's bit depth in the result's colour
 * space.  The op always adds alpha and premultiplies; this takes both off
 * again, in the one conversion the gegl command's saver makes (its pixels
 * are then the same to the last bit; a float step between them changes a
 * 16-bit value by one here and there). */
static const Babl *
output_format (const Babl *input, const Babl *result, int depth)
{
  gboolean grey = model_has (input, BABL_MODEL_FLAG_GRAY);
  gboolean alpha = babl_format_has_alpha (input);
  char *name = g_strdup_printf (
    "%s %s", grey ? (alpha ? "Y'A" : "Y'") : (alpha ? "R'G'B'A" : "R'G'B'"),
    depth == 16 ? "u16" : "u8");
  const Babl *format
    = babl_format_with_space (name, babl_format_get_space (result));

  g_free (name);
  return format;
}

/* 8 for an 8-bit input, else 16, unless the run says which; JPEG and
 * WebP hold 8 bits. */
static int
output_depth (UpscaleFormat format, const Babl *input)
{
  if (format == UPSCALE_FORMAT_JPEG || format == UPSCALE_FORMAT_WEBP)
    return 8;
  if (settings->depth != 0)
    return settings->depth;
  return babl_format_get_type (input, 0) == babl_type ("u8") ? 8 : 16;
}

/* Points the saver at @path with the settings of @format. */
static void
set_saver (UpscaleFormat format, const char *path, int depth, gboolean grey)
{
  gegl_node_set (saver, "operation", saver_operation (format), "path", path,
                 NULL);
  switch (format)
    {
    case UPSCALE_FORMAT_JPEG:
      gegl_node_set (saver, "quality", settings->quality, "grayscale", grey,
                     NULL);
      break;
    case UPSCALE_FORMAT_WEBP:
      gegl_node_set (saver, "quality", settings->quality, NULL);
      break;
    case UPSCALE_FORMAT_TIFF:
      gegl_node_set (saver, "bitdepth", depth, "fp", 0, NULL);
      break;
    default:
      gegl_node_set (saver, "bitdepth", depth, NULL);
      break;
    }
}

/* Exif, XMP and IPTC of @input onto @partial, with the size fields set to
 * the upscaled size and the Exif thumbnail (a picture of the small
 * original) dropped.  The orientation tag is kept: the pixels are stored
 * as the input's were, so viewers turn them the same way.  *@kept: whether
 * there was any to copy. */
static gboolean
copy_metadata (const char *input, const char *partial, int width, int height,
               gboolean *kept, GError **error)
{
  GExiv2Metadata *metadata = gexiv2_metadata_new ();
  gboolean ok = TRUE;

  *kept = FALSE;
  /* An input Exiv2 cannot read has no metadata it could copy. */
  if (gexiv2_metadata_open_path (metadata, input, NULL)
      && (gexiv2_metadata_has_exif (metadata)
          || gexiv2_metadata_has_xmp (metadata)
          || gexiv2_metadata_has_iptc (metadata)))
    {
      GError *local = NULL;

      if (gexiv2_metadata_has_exif (metadata))
        gexiv2_metadata_try_erase_exif_thumbnail (metadata, NULL);
      gexiv2_metadata_try_set_metadata_pixel_width (metadata, width, &local);
      if (local == NULL)
        gexiv2_metadata_try_set_metadata_pixel_height (metadata, height,
                                                       &local);
      if (local == NULL)
        gexiv2_metadata_save_file (metadata, partial, &local);
      if (local != NULL)
        {
          g_propagate_prefixed_error (error, local,
                                      "its metadata could not be copied: ");
          ok = FALSE;
        }
      else
        *kept = TRUE;
    }
  g_object_unref (metadata);
  return ok;
}

/* Flushes @path to the disk: after the rename, the name must never stand
 * for a file whose data a crash could still lose. */
static gboolean
sync_file (const char *path, GError **error)
{
  int fd = open (path, O_RDONLY);
  int saved_errno;

  if (fd >= 0 && fsync (fd) == 0 && close (fd) == 0)
    return TRUE;
  saved_errno = errno;
  if (fd >= 0)
    close (fd);
  g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO, "%s: %s", path,
               g_strerror (saved_errno));
  return FALSE;
}

/* Runs the upscaler over @rect with progress, into its cache (the saver
 * then reads it from there); FALSE when *@stop was set. */
static gboolean
render (const GeglRectangle *rect, UpscaleProgressFunc progress, gpointer data,
        volatile sig_atomic_t *stop)
{
  GeglProcessor *processor;
  if (g_getenv ("XX_NOPROC"))
    return TRUE;
  processor = gegl_node_new_processor (upscaler, rect);
  double fraction = 0.0;
  gboolean more = TRUE;

  while (more && !*stop)
    {
      more = gegl_processor_work (processor, &fraction);
      /* The save after it takes about a tenth of the time. */
      progress (0.9 * fraction, data);
    }
  g_object_unref (processor);
  return !*stop;
}

gboolean
upscale_worker_run (const UpscaleJob *job, UpscaleProgressFunc progress,
                    UpscaleNoteFunc note, gpointer data,
                    volatile sig_atomic_t *stop, UpscaleResult *result,
                    GError **error)
{
  char *partial = upscale_partial_path (job->output);
  char *folder = g_path_get_dirname (job->output);
  GeglBuffer *input = NULL;
  GError *warning = NULL;
  GeglRectangle rect;
  const Babl *input_format;
  gboolean grey, ok = FALSE;
  int depth;

  progress (0.0, data);
  if (!tool_make_folder (folder, error))
    goto out;
  input = load_image (job->input, error);
  if (input == NULL)
    goto out;
  apply_webp_profile (job->input, input, note, data);
  input_format = gegl_buffer_get_format (input);
  grey = model_has (input_format, BABL_MODEL_FLAG_GRAY);

  new_upscaler ();
  gegl_node_set (source, "buffer", input, NULL);
  rect = gegl_node_get_bounding_box (upscaler);
  tool_capture_begin ();
  if (!render (&rect, progress, data, stop))
    {
      tool_capture_end ("", NULL);
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_CANCELLED, "interrupted");
      goto out;
    }
  /* The op warns and still makes the image (non-finite pixels made
   * finite, say): a note, not a failure. */
  if (!tool_capture_end (job->input, &warning))
    {
      note (warning->message, data);
      g_clear_error (&warning);
    }

  depth = output_depth (job->format, input_format);
  gegl_node_set (
    convert, "format",
    output_format (input_format,
                   gegl_operation_get_format (
                     gegl_node_get_gegl_operation (upscaler), "output"),
                   depth),
    NULL);
  set_saver (job->format, partial, depth, grey);
  /* GEGL's JPEG and WebP savers (0.4.42) write no alpha. */
  if (babl_format_has_alpha (input_format)
      && (job->format == UPSCALE_FORMAT_JPEG
          || job->format == UPSCALE_FORMAT_WEBP))
    note ("its transparency is not kept: this format holds none here "
          "(choose -f png or -f tiff to keep it)",
          data);
  tool_capture_begin ();
  gegl_node_process (saver);
  if (!tool_capture_end (job->output, error))
    goto out;
  if (!g_file_test (partial, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO,
                   "%s: the saver wrote nothing", job->output);
      goto out;
    }
  result->width = rect.width;
  result->height = rect.height;
  if (!copy_metadata (job->input, partial, rect.width, rect.height,
                      &result->metadata_kept, &warning))
    {
      note (warning->message, data);
      g_clear_error (&warning);
    }
  if (!sync_file (partial, error))
    goto out;
  if (g_rename (partial, job->output) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO, "%s: %s", job->output,
                   g_strerror (saved_errno));
      goto out;
    }
  progress (1.0, data);
  ok = TRUE;

out:
  gegl_node_set (source, "buffer", NULL, NULL);
  g_clear_object (&input);
  if (!ok)
    g_unlink (partial);
  g_free (folder);
  g_free (partial);
  return ok;
}
