/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gio/gio.h>

#include "hfsr.h"
#include "idx.h"
#include "tool-util.h"

#define IDX_UNSIGNED_BYTE 0x08
#define IDX_MAX_DIMS 4

guint8 *
idx_parse (const guint8 *data, gsize size, int dims, guint32 *shape,
           GError **error)
{
  gsize header = 4 + 4 * (gsize) dims;
  guint64 count = 1;

  g_return_val_if_fail (dims >= 1 && dims <= IDX_MAX_DIMS, NULL);
  if (size < header || data[0] != 0 || data[1] != 0
      || data[2] != IDX_UNSIGNED_BYTE || data[3] != dims)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "not an idx file of %d-dimensional unsigned bytes", dims);
      return NULL;
    }
  for (int d = 0; d < dims; d++)
    {
      const guint8 *b = data + 4 + 4 * d;

      shape[d] = (guint32) b[0] << 24 | (guint32) b[1] << 16
                 | (guint32) b[2] << 8 | b[3];
      /* Four sizes near 2^32 overflow 64 bits: the count saturates,
       * beyond any file (and a later size of 0 still makes it 0). */
      if (shape[d] != 0 && count > G_MAXUINT64 / shape[d])
        count = G_MAXUINT64;
      else
        count *= shape[d];
    }
  if (count != size - header)
    {
      GString *sizes = g_string_new (NULL);

      for (int d = 0; d < dims; d++)
        g_string_append_printf (sizes, "%s%u", d ? " x " : "", shape[d]);
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "its shape, %s, does not match the %" G_GSIZE_FORMAT
                   " bytes after the header",
                   sizes->str, size - header);
      g_string_free (sizes, TRUE);
      return NULL;
    }
  /* g_memdup2 gives NULL for no bytes; an empty set is still a set. */
  return count > 0 ? g_memdup2 (data + header, count) : g_new (guint8, 1);
}

/* At most IDX_MAX_BYTES of @stream, whole. */
static GBytes *
read_bounded (GInputStream *stream, GError **error)
{
  GByteArray *bytes = g_byte_array_new ();
  gsize chunk = 1 << 16;

  for (;;)
    {
      gsize have = bytes->len, got;

      if (have > IDX_MAX_BYTES)
        {
          g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                       "more than %" G_GSIZE_FORMAT " MiB of data, far "
                       "beyond an MNIST set",
                       IDX_MAX_BYTES >> 20);
          break;
        }
      g_byte_array_set_size (bytes, have + chunk);
      if (!g_input_stream_read_all (stream, bytes->data + have, chunk, &got,
                                    NULL, error))
        break;
      g_byte_array_set_size (bytes, have + got);
      if (got < chunk)
        return g_byte_array_free_to_bytes (bytes);
    }
  g_byte_array_unref (bytes);
  return NULL;
}

/* The file's bytes, gunzipped when the name ends in ".gz". */
static GBytes *
read_maybe_gzip (const char *path, GError **error)
{
  GFile *file = g_file_new_for_path (path);
  GInputStream *stream = G_INPUT_STREAM (g_file_read (file, NULL, error));
  GBytes *bytes = NULL;

  if (stream != NULL && g_str_has_suffix (path, ".gz"))
    {
      GZlibDecompressor *gunzip
        = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      GInputStream *plain
        = g_converter_input_stream_new (stream, G_CONVERTER (gunzip));

      g_object_unref (gunzip);
      g_object_unref (stream);
      stream = plain;
    }
  if (stream != NULL)
    {
      bytes = read_bounded (stream, error);
      g_object_unref (stream);
    }
  g_object_unref (file);
  return bytes;
}

guint8 *
idx_load (const char *path, int dims, guint32 *shape, GError **error)
{
  GError *failure = NULL;
  GBytes *bytes;
  guint8 *data = NULL;

  if (!tool_check_regular_file (path, error))
    return NULL;
  bytes = read_maybe_gzip (path, &failure);
  if (bytes != NULL)
    {
      gsize size;
      const guint8 *raw = g_bytes_get_data (bytes, &size);

      data = idx_parse (raw, size, dims, shape, &failure);
      g_bytes_unref (bytes);
    }
  if (data == NULL)
    {
      g_prefix_error (&failure, "%s: ", path);
      g_propagate_error (error, failure);
    }
  return data;
}

gboolean
idx_check_labels (const guint8 *labels, gsize n, int n_classes, GError **error)
{
  for (gsize i = 0; i < n; i++)
    if (labels[i] >= n_classes)
      {
        g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                     "label %" G_GSIZE_FORMAT " is %d, not a class from 0 "
                     "to %d",
                     i, labels[i], n_classes - 1);
        return FALSE;
      }
  return TRUE;
}
