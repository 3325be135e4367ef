/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The container: a safetensors file (8-byte header length, JSON header,
 * F32 tensors; models/FORMAT.md) read into a model's weights and metadata,
 * and the strict JSON reading that the graph text (model.c) shares.  Every
 * byte is untrusted: each part is checked before the next is read.
 */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "hfsr-private.h"

/* FORMAT.md's limit: real headers are under 20 kB; the cap keeps a hostile
 * length from making us read and parse a large file as JSON (json-glib's
 * tree of 1 MiB of the densest text stays near 40 MB). */
#define HFSR_MAX_HEADER_LENGTH ((guint64) 1 << 20)

/* Trained weights stay within ±10 (the shipped ones within ±7.8).  A value
 * far beyond that cannot come from training; it would overflow the
 * activations and give a flat black or white image without a word. */
#define HFSR_MAX_WEIGHT_MAGNITUDE 1e4f

/* All the tensors of one model; the largest shipped model holds 1.2 MB.
 * The bound keeps a hostile header from asking for gigabytes of weights
 * that a sparse file can back without using any disk. */
#define HFSR_MAX_TENSOR_BYTES ((guint64) 1 << 30)

/* The format nests 3 levels in the header and 4 in the graph.  json-glib's
 * parser recurses once per level and overflows the stack near 100 000, so
 * deeper text is refused before it reaches the parser. */
#define HFSR_MAX_JSON_DEPTH 32

/* json-glib silently wraps integers beyond 64 bits; refusing more than 18
 * digits keeps every integer it hands back exact. */
#define HFSR_MAX_INTEGER_DIGITS 18

typedef struct
{
  const char *file;
  const HfsrSource *source;
  guint64 buffer_offset; /* where the data buffer after the header starts */
  guint64 buffer_size;
} Loader;

/* Where one tensor's bytes lie in the data buffer. */
typedef struct
{
  HfsrWeight *weight;
  guint64 begin;
  guint64 end;
} Extent;

/* Skips the string starting at text[*i] (its opening quote) and leaves *i
 * on the closing one.  Only what RFC 8259 allows: no raw control
 * characters, the standard escapes, and no "\u0000", which would silently
 * cut a name short and could make two different names equal. */
static gboolean
skip_json_string (const char *text, gsize length, gsize *i, const char *what,
                  const char *file, GError **error)
{
  for ((*i)++; *i < length; (*i)++)
    {
      char c = text[*i];

      if (c == '"')
        return TRUE;
      if ((guchar) c < 0x20)
        return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                          "%s has a control character in a string", what);
      if (c != '\\')
        continue;
      if (++(*i) >= length || text[*i] == '\0'
          || strchr ("\"\\/bfnrtu", text[*i]) == NULL)
        return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                          "%s has an invalid escape in a string", what);
      if (text[*i] != 'u')
        continue;
      for (int h = 1; h <= 4; h++)
        if (*i + h >= length || !g_ascii_isxdigit (text[*i + h]))
          return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                            "%s has an invalid \\u escape in a string", what);
      if (memcmp (text + *i + 1, "0000", 4) == 0)
        return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                          "%s holds a NUL character (\\u0000)", what);
      *i += 4;
    }
  return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                    "%s has an unterminated string", what);
}

/* What json-glib does not check.  Its parser recurses once per nesting
 * level, wraps integers beyond 64 bits silently, and also accepts comments,
 * single-quoted strings and hexadecimal numbers, any of which could hide
 * brackets or digits from a simpler scan.  So the text must be strict JSON
 * made of nothing else: outside strings only structure, whitespace, number
 * characters and the letters of true, false and null. */
static gboolean
check_json_text (const char *text, gsize length, const char *what,
                 const char *file, GError **error)
{
  int depth = 0;

  if (length > G_MAXSSIZE || !g_utf8_validate (text, (gssize) length, NULL))
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                      "%s is not valid UTF-8 text", what);

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == '"')
        {
          if (!skip_json_string (text, length, &i, what, file, error))
            return FALSE;
        }
      else if (c == '[' || c == '{')
        {
          if (++depth > HFSR_MAX_JSON_DEPTH)
            return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                              "%s nests deeper than %d levels", what,
                              HFSR_MAX_JSON_DEPTH);
        }
      else if (c == ']' || c == '}')
        depth--;
      else if (c == '-' || g_ascii_isdigit (c))
        {
          gboolean integer = TRUE;
          int digits = 0;
          gsize j = i;

          for (; j < length; j++)
            {
              char d = text[j];

              if (g_ascii_isdigit (d))
                digits++;
              else if (d == '.' || d == 'e' || d == 'E')
                integer = FALSE;
              else if (d != '-' && d != '+')
                break;
            }
          if (integer && digits > HFSR_MAX_INTEGER_DIGITS)
            return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                              "%s holds an integer too large for 64 bits",
                              what);
          i = j - 1;
        }
      else if (c == '\0' || strchr (":, \t\r\ntruefalsn", c) == NULL)
        return hfsr_fail (
          error, file, HFSR_ERROR_FORMAT,
          "%s is not strict JSON (byte 0x%02x at offset %" G_GSIZE_FORMAT ")",
          what, (guchar) c, i);
    }
  return TRUE;
}

/* Parses @length bytes of JSON text that must hold an object. */
JsonNode *
hfsr_json_parse_object (const char *text, gsize length, const char *what,
                        const char *file, GError **error)
{
  JsonParser *parser;
  GError *local = NULL;
  JsonNode *root;

  if (!check_json_text (text, length, what, file, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, text, (gssize) length, &local))
    {
      hfsr_fail (error, file, HFSR_ERROR_FORMAT, "%s is not valid JSON: %s",
                 what, local->message);
      g_error_free (local);
      g_object_unref (parser);
      return NULL;
    }
  root = json_parser_steal_root (parser);
  g_object_unref (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      hfsr_fail (error, file, HFSR_ERROR_FORMAT, "%s is not a JSON object",
                 what);
      if (root != NULL)
        json_node_unref (root);
      return NULL;
    }
  return root;
}

gboolean
hfsr_json_get_integer (JsonNode *node, gint64 *value)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

const char *
hfsr_json_get_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonArray *
hfsr_json_get_array (JsonObject *object, const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node)
           ? json_node_get_array (node)
           : NULL;
}

JsonObject *
hfsr_json_get_object (JsonObject *object, const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node)
           ? json_node_get_object (node)
           : NULL;
}

/* An entry holds exactly dtype, shape and data_offsets (anything else would
 * be a field we silently ignore), and the dtype is F32, the only one the
 * engine computes in. */
static gboolean
check_entry_fields (const char *file, const char *name, JsonObject *entry,
                    GError **error)
{
  GList *members = json_object_get_members (entry);
  const char *dtype;

  for (GList *l = members; l != NULL; l = l->next)
    if (strcmp (l->data, "dtype") != 0 && strcmp (l->data, "shape") != 0
        && strcmp (l->data, "data_offsets") != 0)
      {
        hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                   "tensor '%s': unknown field '%s'", name, (char *) l->data);
        g_list_free (members);
        return FALSE;
      }
  g_list_free (members);

  dtype = hfsr_json_get_string (json_object_get_member (entry, "dtype"));
  if (dtype == NULL)
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                      "tensor '%s': missing or non-string dtype", name);
  if (strcmp (dtype, "F32") != 0)
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                      "tensor '%s': dtype %s is not supported (only F32)",
                      name, dtype);
  return TRUE;
}

/* The entry's shape into @weight, and its size in bytes into @n_bytes:
 * every count is overflow-checked, since the header is untrusted and the
 * byte size is what the data offsets are held to. */
static gboolean
parse_shape (const char *file, const char *name, JsonObject *entry,
             HfsrWeight *weight, gsize *n_bytes, GError **error)
{
  JsonArray *shape = hfsr_json_get_array (entry, "shape");
  gsize n_elements = 1;

  if (shape == NULL)
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                      "tensor '%s': missing or non-array shape", name);
  if (json_array_get_length (shape) > G_N_ELEMENTS (weight->shape))
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                      "tensor '%s': %u dimensions, at most %d are supported",
                      name, json_array_get_length (shape),
                      (int) G_N_ELEMENTS (weight->shape));
  weight->ndim = (int) json_array_get_length (shape);
  for (int d = 0; d < weight->ndim; d++)
    {
      gint64 size;

      if (!hfsr_json_get_integer (json_array_get_element (shape, d), &size)
          || size < 0)
        return hfsr_fail (
          error, file, HFSR_ERROR_FORMAT,
          "tensor '%s': dimension %d is not a non-negative integer", name, d);
      weight->shape[d] = size;
      if (!g_size_checked_mul (&n_elements, n_elements, (gsize) size))
        return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                          "tensor '%s': the element count overflows", name);
    }
  if (!g_size_checked_mul (n_bytes, n_elements, sizeof (float)))
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                      "tensor '%s': the byte size overflows", name);
  weight->n_elements = n_elements;
  return TRUE;
}

/* The entry's data_offsets into @extent: an ordered pair inside the data
 * buffer spanning exactly @n_bytes, so that the data read later can
 * neither run past the file nor disagree with the shape. */
static gboolean
parse_data_offsets (Loader *loader, const char *name, JsonObject *entry,
                    gsize n_bytes, Extent *extent, GError **error)
{
  const char *file = loader->file;
  JsonArray *offsets = hfsr_json_get_array (entry, "data_offsets");
  gint64 begin, end;

  if (offsets == NULL || json_array_get_length (offsets) != 2
      || !hfsr_json_get_integer (json_array_get_element (offsets, 0), &begin)
      || !hfsr_json_get_integer (json_array_get_element (offsets, 1), &end))
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                      "tensor '%s': data_offsets must be two integers", name);
  if (begin < 0 || end < begin)
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                      "tensor '%s': data_offsets [%" G_GINT64_FORMAT
                      ", %" G_GINT64_FORMAT
                      "] are not an ordered pair of offsets",
                      name, begin, end);
  if ((guint64) end > loader->buffer_size)
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                      "tensor '%s': data_offsets end %" G_GINT64_FORMAT
                      " lies beyond the %" G_GSIZE_FORMAT "-byte data buffer",
                      name, end, loader->buffer_size);
  if ((guint64) (end - begin) != n_bytes)
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                      "tensor '%s': data_offsets hold %" G_GINT64_FORMAT
                      " bytes but the F32 shape needs %" G_GSIZE_FORMAT,
                      name, end - begin, n_bytes);
  extent->begin = (guint64) begin;
  extent->end = (guint64) end;
  return TRUE;
}

/* One header entry: {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}.
 * Fills @weight's name and shape and @extent; the data comes later, once
 * the layout of all tensors is known to be sound.  The parts are checked
 * in this order, each before the next is read. */
static gboolean
parse_tensor_entry (Loader *loader, const char *name, JsonNode *node,
                    HfsrWeight *weight, Extent *extent, GError **error)
{
  JsonObject *entry;
  gsize n_bytes = 0;

  weight->name = g_strdup (name);
  extent->weight = weight;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return hfsr_fail (error, loader->file, HFSR_ERROR_FORMAT,
                      "tensor '%s': the entry is not an object", name);
  entry = json_node_get_object (node);
  return check_entry_fields (loader->file, name, entry, error)
         && parse_shape (loader->file, name, entry, weight, &n_bytes, error)
         && parse_data_offsets (loader, name, entry, n_bytes, extent, error);
}

static int
compare_extents (gconstpointer a, gconstpointer b)
{
  const Extent *x = a, *y = b;

  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  return x->end < y->end ? -1 : x->end > y->end;
}

/* safetensors requires the tensors to tile the data buffer exactly: no
 * overlap (one byte, two meanings), no hole and nothing after the last
 * tensor (bytes nobody accounts for; json-glib also keeps only the last of
 * two entries with the same name, and the hole left by the first shows).
 * Sorts @extents. */
static gboolean
check_layout (Loader *loader, Extent *extents, int n_extents, GError **error)
{
  const Extent *previous = NULL;
  guint64 position = 0;

  qsort (extents, (size_t) n_extents, sizeof (Extent), compare_extents);
  for (int i = 0; i < n_extents; i++)
    {
      const Extent *extent = &extents[i];

      if (extent->begin == extent->end)
        continue;
      if (extent->begin < position)
        return hfsr_fail (error, loader->file, HFSR_ERROR_FORMAT,
                          "tensors '%s' and '%s' overlap in the data buffer",
                          previous->weight->name, extent->weight->name);
      if (extent->begin > position)
        return hfsr_fail (error, loader->file, HFSR_ERROR_FORMAT,
                          "data buffer bytes %" G_GUINT64_FORMAT
                          " to %" G_GUINT64_FORMAT " belong to no tensor",
                          position, extent->begin);
      position = extent->end;
      previous = extent;
    }
  if (position != loader->buffer_size)
    return hfsr_fail (error, loader->file, HFSR_ERROR_FORMAT,
                      "%" G_GUINT64_FORMAT
                      " trailing bytes after the last tensor",
                      (guint64) loader->buffer_size - position);
  return TRUE;
}

/* @length bytes at @offset of @source into @dest; the caller has checked
 * that they lie inside it. */
static gboolean
source_read (const HfsrSource *source, const char *file, guint64 offset,
             void *dest, gsize length, GError **error)
{
  gsize done = 0;

  if (source->data != NULL)
    {
      memcpy (dest, source->data + offset, length);
      return TRUE;
    }
  while (done < length)
    {
      ssize_t n = pread (source->fd, (guint8 *) dest + done, length - done,
                         (off_t) (offset + done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return hfsr_fail (error, file, HFSR_ERROR_IO, "%s",
                          n < 0 ? g_strerror (errno)
                                : "the file shrank while it was read");
      done += (gsize) n;
    }
  return TRUE;
}

/* Little-endian F32 into aligned native floats, read straight into the
 * weight's own buffer.  Non-finite weights and magnitudes no training gives
 * are refused: they would only spread NaN, or a flat colour, over the
 * user's image. */
static gboolean
copy_tensor_data (Loader *loader, const Extent *extent, GError **error)
{
  HfsrWeight *weight = extent->weight;

  weight->data = hfsr_alloc_floats (weight->n_elements);
  if (weight->data == NULL)
    return hfsr_fail (error, loader->file, HFSR_ERROR_NO_MEMORY,
                      "tensor '%s': out of memory for %" G_GSIZE_FORMAT
                      " floats",
                      weight->name, weight->n_elements);
  if (!source_read (loader->source, loader->file,
                    loader->buffer_offset + extent->begin, weight->data,
                    weight->n_elements * sizeof (float), error))
    return FALSE;
  for (gsize i = 0; i < weight->n_elements; i++)
    {
      guint32 bits;
      float value;

      memcpy (&bits, weight->data + i, sizeof bits);
      bits = GUINT32_FROM_LE (bits);
      memcpy (&value, &bits, sizeof value);
      if (!isfinite (value))
        return hfsr_fail (error, loader->file, HFSR_ERROR_FORMAT,
                          "tensor '%s': element %" G_GSIZE_FORMAT
                          " is not a finite number",
                          weight->name, i);
      if (fabsf (value) > HFSR_MAX_WEIGHT_MAGNITUDE)
        return hfsr_fail (error, loader->file, HFSR_ERROR_FORMAT,
                          "tensor '%s': element %" G_GSIZE_FORMAT " is %g, "
                          "beyond the magnitude %g that no trained network "
                          "reaches",
                          weight->name, i, value,
                          (double) HFSR_MAX_WEIGHT_MAGNITUDE);
      weight->data[i] = value;
    }
  return TRUE;
}

static gboolean
parse_metadata (HfsrModel *model, const char *file, JsonNode *node,
                GError **error)
{
  JsonObject *object;
  GList *members;
  gboolean ok = TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                      "__metadata__ is not an object");
  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL && ok; l = l->next)
    {
      const char *value
        = hfsr_json_get_string (json_object_get_member (object, l->data));

      if (value == NULL)
        ok = hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                        "metadata '%s' is not a string", (char *) l->data);
      else
        g_hash_table_insert (model->metadata, g_strdup (l->data),
                             g_strdup (value));
    }
  g_list_free (members);
  return ok;
}

/* The header: tensor entries and __metadata__, then the tensors' layout,
 * then their data. */
static gboolean
load_header (HfsrModel *model, Loader *loader, JsonObject *header,
             GError **error)
{
  GList *members = json_object_get_members (header);
  Extent *extents;
  int n_tensors = 0, i = 0;
  gboolean ok = TRUE;

  for (GList *l = members; l != NULL; l = l->next)
    if (strcmp (l->data, "__metadata__") != 0)
      n_tensors++;
  model->weights = g_new0 (HfsrWeight, MAX (n_tensors, 1));
  extents = g_new0 (Extent, MAX (n_tensors, 1));

  for (GList *l = members; l != NULL && ok; l = l->next)
    {
      JsonNode *node = json_object_get_member (header, l->data);

      if (strcmp (l->data, "__metadata__") == 0)
        ok = parse_metadata (model, loader->file, node, error);
      else
        {
          model->n_weights = i + 1;
          ok = parse_tensor_entry (loader, l->data, node, &model->weights[i],
                                   &extents[i], error);
          i++;
        }
    }
  g_list_free (members);

  if (ok)
    ok = check_layout (loader, extents, n_tensors, error);
  for (i = 0; ok && i < n_tensors; i++)
    ok = copy_tensor_data (loader, &extents[i], error);
  g_free (extents);
  return ok;
}

gboolean
hfsr_safetensors_read (HfsrModel *model, const HfsrSource *source,
                       GError **error)
{
  Loader loader = { model->name, source, 0, 0 };
  JsonNode *root;
  guint64 header_length;
  char *header_text;
  gboolean ok;

  if (source->size < sizeof header_length)
    return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                      "%" G_GUINT64_FORMAT " bytes is too short for a "
                      "safetensors file (8-byte header length first)",
                      source->size);
  if (!source_read (source, model->name, 0, &header_length,
                    sizeof header_length, error))
    return FALSE;
  header_length = GUINT64_FROM_LE (header_length);
  if (header_length > HFSR_MAX_HEADER_LENGTH)
    return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                      "the header length %" G_GUINT64_FORMAT " exceeds the "
                      "limit of %" G_GUINT64_FORMAT " bytes",
                      header_length, HFSR_MAX_HEADER_LENGTH);
  if (header_length > source->size - sizeof header_length)
    return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                      "the header length %" G_GUINT64_FORMAT
                      " runs past the end "
                      "of the %" G_GUINT64_FORMAT "-byte file",
                      header_length, source->size);
  loader.buffer_offset = sizeof header_length + header_length;
  loader.buffer_size = source->size - loader.buffer_offset;
  if (loader.buffer_size > HFSR_MAX_TENSOR_BYTES)
    return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                      "%" G_GUINT64_FORMAT " bytes of tensors is beyond the "
                      "limit of %" G_GUINT64_FORMAT
                      " (hfsr models hold a few MB)",
                      loader.buffer_size, HFSR_MAX_TENSOR_BYTES);

  header_text = g_try_malloc (MAX (header_length, 1));
  if (header_text == NULL)
    return hfsr_fail (error, model->name, HFSR_ERROR_NO_MEMORY,
                      "out of memory for the %" G_GUINT64_FORMAT
                      "-byte header",
                      header_length);
  root = NULL;
  if (source_read (source, model->name, sizeof header_length, header_text,
                   (gsize) header_length, error))
    root = hfsr_json_parse_object (header_text, (gsize) header_length,
                                   "the header", model->name, error);
  g_free (header_text);
  if (root == NULL)
    return FALSE;

  ok = load_header (model, &loader, json_node_get_object (root), error);
  json_node_unref (root);
  return ok;
}
