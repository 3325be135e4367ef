/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model loader: a safetensors file whose __metadata__ carries the graph
 * (models/FORMAT.md).  Every byte is untrusted, so everything is checked
 * before it is used and every failure is a GError naming the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

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

#define HFSR_MAX_INPUT_CHANNELS 4096

/* The graph is validated by shape inference at two input sizes; a value is
 * an image at a whole scale only if both agree on that scale (a square and
 * a non-square size, so height and width cannot be swapped unnoticed). */
static const int reference_sizes[2][2] = { { 8, 8 }, { 9, 7 } };

/* Where the model's bytes come from: memory, or a file read piece by piece
 * so that nothing is read before the part in front of it is checked. */
typedef struct
{
  const guint8 *data;         /* NULL: read from fd */
  int           fd;
  guint64       size;
} Source;

typedef struct
{
  const char   *file;
  const Source *source;
  guint64       buffer_offset; /* where the data buffer after the header starts */
  guint64       buffer_size;
  GHashTable   *weight_index;  /* name -> HfsrWeight * */
} Loader;

/* Where one tensor's bytes lie in the data buffer. */
typedef struct
{
  HfsrWeight *weight;
  guint64     begin;
  guint64     end;
} Extent;

static gboolean node_fail (const HfsrModel *model, int index, GError **error,
                           const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
node_fail (const HfsrModel *model, int index, GError **error,
           const char *format, ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  hfsr_graph_node_error (model, index, HFSR_ERROR_FORMAT,
                         g_error_new_literal (HFSR_ERROR, HFSR_ERROR_FORMAT,
                                              message),
                         error);
  g_free (message);
  return FALSE;
}

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
  return hfsr_fail (error, file, HFSR_ERROR_FORMAT, "%s has an unterminated string",
               what);
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
        return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                     "%s is not strict JSON (byte 0x%02x at offset %"
                     G_GSIZE_FORMAT ")", what, (guchar) c, i);
    }
  return TRUE;
}

/* Parses @length bytes of JSON text that must hold an object. */
static JsonNode *
parse_json_object (const char *text, gsize length, const char *what,
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
      hfsr_fail (error, file, HFSR_ERROR_FORMAT, "%s is not a JSON object", what);
      if (root != NULL)
        json_node_unref (root);
      return NULL;
    }
  return root;
}

static gboolean
get_integer (JsonNode *node, gint64 *value)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

static const char *
get_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonArray *
get_array (JsonObject *object, const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node)
         ? json_node_get_array (node) : NULL;
}

static JsonObject *
get_object (JsonObject *object, const char *key)
{
  JsonNode *node = json_object_get_member (object, key);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node)
         ? json_node_get_object (node) : NULL;
}

/* One header entry: {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}.
 * Fills @weight's name and shape and @extent; the data comes later, once
 * the layout of all tensors is known to be sound. */
static gboolean
parse_tensor_entry (Loader *loader, const char *name, JsonNode *node,
                    HfsrWeight *weight, Extent *extent, GError **error)
{
  const char *file = loader->file;
  JsonObject *entry;
  JsonArray *shape, *offsets;
  const char *dtype;
  gsize n_elements = 1, n_bytes;
  gint64 begin, end;
  GList *members;

  weight->name = g_strdup (name);
  extent->weight = weight;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                 "tensor '%s': the entry is not an object", name);
  entry = json_node_get_object (node);

  members = json_object_get_members (entry);
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

  dtype = get_string (json_object_get_member (entry, "dtype"));
  if (dtype == NULL)
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                 "tensor '%s': missing or non-string dtype", name);
  if (strcmp (dtype, "F32") != 0)
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                 "tensor '%s': dtype %s is not supported (only F32)", name,
                 dtype);

  shape = get_array (entry, "shape");
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

      if (!get_integer (json_array_get_element (shape, d), &size) || size < 0)
        return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                     "tensor '%s': dimension %d is not a non-negative integer",
                     name, d);
      weight->shape[d] = size;
      if (!g_size_checked_mul (&n_elements, n_elements, (gsize) size))
        return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                     "tensor '%s': the element count overflows", name);
    }
  if (!g_size_checked_mul (&n_bytes, n_elements, sizeof (float)))
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                 "tensor '%s': the byte size overflows", name);
  weight->n_elements = n_elements;

  offsets = get_array (entry, "data_offsets");
  if (offsets == NULL || json_array_get_length (offsets) != 2
      || !get_integer (json_array_get_element (offsets, 0), &begin)
      || !get_integer (json_array_get_element (offsets, 1), &end))
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                 "tensor '%s': data_offsets must be two integers", name);
  if (begin < 0 || end < begin)
    return hfsr_fail (error, file, HFSR_ERROR_FORMAT,
                 "tensor '%s': data_offsets [%" G_GINT64_FORMAT ", %"
                 G_GINT64_FORMAT "] are not an ordered pair of offsets",
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
                     "data buffer bytes %" G_GUINT64_FORMAT " to %"
                     G_GUINT64_FORMAT " belong to no tensor",
                     position, extent->begin);
      position = extent->end;
      previous = extent;
    }
  if (position != loader->buffer_size)
    return hfsr_fail (error, loader->file, HFSR_ERROR_FORMAT,
                 "%" G_GUINT64_FORMAT " trailing bytes after the last tensor",
                 (guint64) loader->buffer_size - position);
  return TRUE;
}

/* @length bytes at @offset of @source into @dest; the caller has checked
 * that they lie inside it. */
static gboolean
source_read (const Source *source, const char *file, guint64 offset,
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
                 " floats", weight->name, weight->n_elements);
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
                     " is not a finite number", weight->name, i);
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
      const char *value = get_string (json_object_get_member (object,
                                                              l->data));

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
          ok = parse_tensor_entry (loader, l->data, node,
                                   &model->weights[i], &extents[i], error);
          i++;
        }
    }
  g_list_free (members);

  if (ok)
    ok = check_layout (loader, extents, n_tensors, error);
  for (i = 0; ok && i < n_tensors; i++)
    ok = copy_tensor_data (loader, &extents[i], error);
  g_free (extents);
  if (!ok)
    return FALSE;

  for (i = 0; i < model->n_weights; i++)
    g_hash_table_insert (loader->weight_index, model->weights[i].name,
                         &model->weights[i]);
  return TRUE;
}

static const HfsrWeight *
lookup_weight (const char *name, gpointer user_data)
{
  Loader *loader = user_data;

  return g_hash_table_lookup (loader->weight_index, name);
}

/* "1 input", "2 inputs", "1 to 2 inputs": what a node kind takes. */
static char *
describe_input_count (const HfsrLayerClass *klass)
{
  if (klass->min_inputs == klass->max_inputs)
    return g_strdup_printf ("%d input%s", klass->min_inputs,
                            klass->min_inputs == 1 ? "" : "s");
  return g_strdup_printf ("%d to %d inputs", klass->min_inputs,
                          klass->max_inputs);
}

/* Resolves a node's "inputs" to value slots.  @slots maps every name in the
 * graph to its slot, so a reference to a later node can be told apart from
 * a name that does not exist. */
static gboolean
load_node_inputs (HfsrModel *model, int index, JsonObject *json,
                  GHashTable *slots, GError **error)
{
  HfsrNode *node = &model->nodes[index];
  JsonArray *inputs = get_array (json, "inputs");
  guint n_inputs;

  if (inputs == NULL)
    return node_fail (model, index, error,
                      "'inputs' must be an array of names");
  n_inputs = json_array_get_length (inputs);
  if (n_inputs < (guint) node->klass->min_inputs
      || n_inputs > (guint) node->klass->max_inputs
      || n_inputs > HFSR_NODE_MAX_INPUTS)
    {
      char *expected = describe_input_count (node->klass);

      node_fail (model, index, error, "takes %s, got %u", expected,
                 n_inputs);
      g_free (expected);
      return FALSE;
    }
  node->n_inputs = (int) n_inputs;
  for (guint i = 0; i < n_inputs; i++)
    {
      const char *name = get_string (json_array_get_element (inputs, i));
      gpointer value;
      int slot;

      if (name == NULL)
        return node_fail (model, index, error, "input %u is not a name", i);
      if (!g_hash_table_lookup_extended (slots, name, NULL, &value))
        return node_fail (model, index, error, "unknown input '%s'", name);
      slot = GPOINTER_TO_INT (value);
      if (slot > index)
        return node_fail (model, index, error,
                          "input '%s' is not computed before this node "
                          "(nodes must be listed in execution order)",
                          name);
      node->inputs[i] = slot;
    }
  return TRUE;
}

/* First pass over the nodes: every name present, unique, and not the
 * input's.  Fills @slots with name -> slot. */
static gboolean
collect_node_names (HfsrModel *model, JsonArray *nodes, GHashTable *slots,
                    GError **error)
{
  for (int k = 0; k < model->n_nodes; k++)
    {
      JsonNode *node = json_array_get_element (nodes, (guint) k);
      const char *name = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node))
        name = get_string (json_object_get_member (json_node_get_object (node),
                                                   "name"));
      if (name == NULL || name[0] == '\0')
        return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                     "graph node %d is not an object with a name", k);
      if (g_hash_table_contains (slots, name))
        return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                     "graph name '%s' is used twice", name);
      g_hash_table_insert (slots, (gpointer) name, GINT_TO_POINTER (k + 1));
      model->nodes[k].name = g_strdup (name);
    }
  return TRUE;
}

static gboolean
load_nodes (HfsrModel *model, Loader *loader, JsonArray *nodes,
            GHashTable *slots, GError **error)
{
  for (int k = 0; k < model->n_nodes; k++)
    {
      HfsrNode *node = &model->nodes[k];
      JsonObject *json = json_node_get_object (json_array_get_element (
                                                 nodes, (guint) k));
      const char *op = get_string (json_object_get_member (json, "op"));
      GError *local = NULL;

      if (op == NULL)
        return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                     "node '%s': missing or non-string op", node->name);
      node->klass = hfsr_layer_lookup (op);
      if (node->klass == NULL)
        return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                     "node '%s': unknown op '%s'", node->name, op);
      if (!load_node_inputs (model, k, json, slots, error))
        return FALSE;
      if (!node->klass->load (node, json, lookup_weight, loader, &local))
        {
          hfsr_graph_node_error (model, k, HFSR_ERROR_FORMAT, local, error);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
load_outputs (HfsrModel *model, JsonArray *outputs, GHashTable *slots,
              GError **error)
{
  model->n_outputs = (int) json_array_get_length (outputs);
  model->output_slots = g_new0 (int, model->n_outputs);
  model->output_names = g_new0 (char *, model->n_outputs + 1);
  model->output_channels = g_new0 (int, model->n_outputs);
  for (int i = 0; i < model->n_outputs; i++)
    {
      const char *name = get_string (json_array_get_element (outputs,
                                                             (guint) i));
      gpointer value;

      if (name == NULL)
        return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                     "graph output %d is not a name", i);
      if (!g_hash_table_lookup_extended (slots, name, NULL, &value)
          || GPOINTER_TO_INT (value) == 0)
        return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                     "graph output '%s' is not a node", name);
      for (int j = 0; j < i; j++)
        if (strcmp (model->output_names[j], name) == 0)
          return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                       "graph output '%s' is listed twice", name);
      model->output_slots[i] = GPOINTER_TO_INT (value);
      model->output_names[i] = g_strdup (name);
    }
  return TRUE;
}

static gboolean
load_graph (HfsrModel *model, Loader *loader, const char *text,
            GError **error)
{
  JsonNode *root;
  JsonObject *graph, *input;
  JsonArray *nodes, *outputs;
  GHashTable *slots = NULL;
  const char *input_name;
  gint64 channels;
  gboolean ok = FALSE;

  root = parse_json_object (text, strlen (text), "the graph (hfsr.graph)",
                            model->name, error);
  if (root == NULL)
    return FALSE;
  graph = json_node_get_object (root);

  input = get_object (graph, "input");
  nodes = get_array (graph, "nodes");
  outputs = get_array (graph, "outputs");
  input_name = input ? get_string (json_object_get_member (input, "name"))
                     : NULL;
  if (input_name == NULL || input_name[0] == '\0'
      || !get_integer (json_object_get_member (input, "channels"), &channels))
    {
      hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
            "the graph needs 'input' with a 'name' and 'channels'");
      goto out;
    }
  if (channels < 1 || channels > HFSR_MAX_INPUT_CHANNELS)
    {
      hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
            "the graph input has %" G_GINT64_FORMAT " channels, must be in "
            "[1, %d]", channels, HFSR_MAX_INPUT_CHANNELS);
      goto out;
    }
  if (nodes == NULL || json_array_get_length (nodes) == 0
      || json_array_get_length (nodes) >= G_MAXINT / 2)
    {
      hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
            "the graph needs a non-empty 'nodes' array");
      goto out;
    }
  if (outputs == NULL || json_array_get_length (outputs) == 0)
    {
      hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
            "the graph needs a non-empty 'outputs' array");
      goto out;
    }

  model->input_name = g_strdup (input_name);
  model->input_channels = (int) channels;
  model->n_nodes = (int) json_array_get_length (nodes);
  model->nodes = g_new0 (HfsrNode, model->n_nodes);

  /* Names point into the JSON tree, which outlives the table. */
  slots = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (slots, (gpointer) input_name, GINT_TO_POINTER (0));
  ok = collect_node_names (model, nodes, slots, error)
       && load_nodes (model, loader, nodes, slots, error)
       && load_outputs (model, outputs, slots, error);

out:
  if (slots != NULL)
    g_hash_table_unref (slots);
  json_node_unref (root);
  return ok;
}

/* Shape inference at both reference sizes: every node must accept its
 * inputs, and every value must be either an image at a whole multiple of
 * the input size (at most HFSR_MAX_SCALE, which also bounds what a small
 * input can make the engine allocate) or 1 x 1 whatever the input.
 * Output 0 must be an image: it is what tiled runs compute. */
static gboolean
check_shapes (HfsrModel *model, GError **error)
{
  int n_slots = model->n_nodes + 1;
  HfsrShape *shapes[2];
  gboolean ok = TRUE;

  model->slot_scale = g_new0 (int, n_slots);
  model->slot_scale[0] = 1;
  model->slot_channels = g_new0 (int, n_slots);
  model->slot_channels[0] = model->input_channels;
  for (int r = 0; r < 2; r++)
    {
      shapes[r] = g_new0 (HfsrShape, n_slots);
      shapes[r][0].channels = model->input_channels;
      shapes[r][0].height = reference_sizes[r][0];
      shapes[r][0].width = reference_sizes[r][1];
    }

  for (int k = 0; ok && k < model->n_nodes; k++)
    {
      const HfsrShape *a, *b;
      int factor;

      ok = hfsr_graph_infer_node (model, k, shapes[0], HFSR_ERROR_FORMAT,
                                  &shapes[0][k + 1], error)
           && hfsr_graph_infer_node (model, k, shapes[1], HFSR_ERROR_FORMAT,
                                     &shapes[1][k + 1], error);
      if (!ok)
        break;
      a = &shapes[0][k + 1];
      b = &shapes[1][k + 1];
      model->slot_channels[k + 1] = a->channels;
      factor = a->height / reference_sizes[0][0];
      if (a->channels != b->channels)
        ok = node_fail (model, k, error,
                        "its channel count depends on the input size");
      else if (a->height == 1 && a->width == 1 && b->height == 1
               && b->width == 1)
        model->slot_scale[k + 1] = HFSR_SLOT_GLOBAL;
      else if (factor < 1
               || a->height != factor * reference_sizes[0][0]
               || a->width != factor * reference_sizes[0][1]
               || b->height != factor * reference_sizes[1][0]
               || b->width != factor * reference_sizes[1][1])
        ok = node_fail (model, k, error,
                        "its output size is neither a whole multiple of the "
                        "input size nor 1x1");
      else if (factor > HFSR_MAX_SCALE)
        ok = node_fail (model, k, error,
                        "its output is %d times the input size, at most %d "
                        "is supported", factor, HFSR_MAX_SCALE);
      else
        model->slot_scale[k + 1] = factor;
    }

  for (int i = 0; ok && i < model->n_outputs; i++)
    model->output_channels[i] = shapes[0][model->output_slots[i]].channels;
  if (ok)
    {
      model->scale = model->slot_scale[model->output_slots[0]];
      if (model->scale == HFSR_SLOT_GLOBAL)
        ok = hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                   "the first graph output '%s' must be an image, but it is "
                   "1x1 whatever the input size", model->output_names[0]);
    }
  g_free (shapes[0]);
  g_free (shapes[1]);
  return ok;
}

/* Propagates the contamination band (see HfsrLayerClass.margin) from the
 * graph input, exact (band 0), to output 0, whose band is then converted to
 * input pixels: the tiling rule adds margin * scale output pixels on each
 * side of a tile, which must cover the band. */
static void
compute_margin (HfsrModel *model)
{
  int *band = g_new0 (int, model->n_nodes + 1);
  int output_band;

  for (int k = 0; k < model->n_nodes; k++)
    {
      const HfsrNode *node = &model->nodes[k];
      int input_band = 0;

      for (int i = 0; i < node->n_inputs && input_band >= 0; i++)
        {
          int b = band[node->inputs[i]];

          input_band = b < 0 ? -1 : MAX (input_band, b);
        }
      band[k + 1] = MAX (node->klass->margin (node, input_band), -1);
    }
  output_band = band[model->output_slots[0]];
  model->margin = output_band < 0
                  ? -1
                  : (int) (((gint64) output_band + model->scale - 1)
                           / model->scale);
  g_free (band);
}

/* Every node's prepare(), on the weights as they are now. */
gboolean
hfsr_model_prepare_nodes (HfsrModel *model, GError **error)
{
  for (int k = 0; k < model->n_nodes; k++)
    {
      HfsrNode *node = &model->nodes[k];
      GError *local = NULL;

      g_clear_pointer (&node->prepared, hfsr_free_floats);
      if (node->klass->prepare != NULL
          && !node->klass->prepare (node, &local))
        {
          hfsr_graph_node_error (model, k, HFSR_ERROR_NO_MEMORY, local,
                                 error);
          return FALSE;
        }
    }
  return TRUE;
}

/* The container first: the length, then the header, checked before any
 * tensor is read, so that a huge or truncated file costs nothing. */
static gboolean
load_model (HfsrModel *model, const Source *source, GError **error)
{
  Loader loader = { model->name, source, 0, 0, NULL };
  JsonNode *root;
  guint64 header_length;
  char *header_text;
  const char *format, *graph;
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
                 "limit of %" G_GUINT64_FORMAT " bytes", header_length,
                 HFSR_MAX_HEADER_LENGTH);
  if (header_length > source->size - sizeof header_length)
    return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                 "the header length %" G_GUINT64_FORMAT " runs past the end "
                 "of the %" G_GUINT64_FORMAT "-byte file", header_length,
                 source->size);
  loader.buffer_offset = sizeof header_length + header_length;
  loader.buffer_size = source->size - loader.buffer_offset;
  if (loader.buffer_size > HFSR_MAX_TENSOR_BYTES)
    return hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                 "%" G_GUINT64_FORMAT " bytes of tensors is beyond the "
                 "limit of %" G_GUINT64_FORMAT " (hfsr models hold a few MB)",
                 loader.buffer_size, HFSR_MAX_TENSOR_BYTES);

  header_text = g_try_malloc (MAX (header_length, 1));
  if (header_text == NULL)
    return hfsr_fail (error, model->name, HFSR_ERROR_NO_MEMORY,
                 "out of memory for the %" G_GUINT64_FORMAT "-byte header",
                 header_length);
  root = NULL;
  if (source_read (source, model->name, sizeof header_length, header_text,
                   (gsize) header_length, error))
    root = parse_json_object (header_text, (gsize) header_length,
                              "the header", model->name, error);
  g_free (header_text);
  if (root == NULL)
    return FALSE;

  loader.weight_index = g_hash_table_new (g_str_hash, g_str_equal);
  ok = load_header (model, &loader, json_node_get_object (root), error);
  json_node_unref (root);

  if (ok)
    {
      format = g_hash_table_lookup (model->metadata, "hfsr.format");
      graph = g_hash_table_lookup (model->metadata, "hfsr.graph");
      if (format == NULL)
        ok = hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                   "missing metadata 'hfsr.format' (not an hfsr model?)");
      else if (strcmp (format, "1") != 0)
        ok = hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                   "hfsr.format '%s' is not supported (this engine reads 1)",
                   format);
      else if (graph == NULL)
        ok = hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                   "missing metadata 'hfsr.graph' (the network)");
      else
        ok = load_graph (model, &loader, graph, error)
             && check_shapes (model, error)
             && hfsr_model_prepare_nodes (model, error);
    }
  g_hash_table_unref (loader.weight_index);
  if (ok)
    compute_margin (model);
  return ok;
}

static HfsrModel *
model_new_from_source (const Source *source, const char *name,
                       GError **error)
{
  HfsrModel *model = g_new0 (HfsrModel, 1);

  model->name = g_strdup (name != NULL ? name : "model");
  model->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           g_free);
  model->margin = -1;
  if (!load_model (model, source, error))
    {
      hfsr_model_free (model);
      return NULL;
    }
  return model;
}

HfsrModel *
hfsr_model_load_from_data (const guint8 *data, gsize size, const char *name,
                           GError **error)
{
  Source source = { data != NULL ? data : (const guint8 *) "", -1, size };

  g_return_val_if_fail (data != NULL || size == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return model_new_from_source (&source, name, error);
}

/* Opened without blocking, so that a FIFO (or a device) named like a model
 * is refused instead of waiting forever for a writer; only regular files
 * are models.  The file is then read piece by piece as it is checked. */
HfsrModel *
hfsr_model_load (const char *path, GError **error)
{
  struct stat info;
  HfsrModel *model = NULL;
  Source source = { NULL, -1, 0 };

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  source.fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0);
  if (source.fd < 0)
    {
      hfsr_fail (error, path, HFSR_ERROR_IO, "%s", g_strerror (errno));
      return NULL;
    }
  if (fstat (source.fd, &info) != 0)
    hfsr_fail (error, path, HFSR_ERROR_IO, "%s", g_strerror (errno));
  else if (!S_ISREG (info.st_mode))
    hfsr_fail (error, path, HFSR_ERROR_IO, "%s",
          S_ISDIR (info.st_mode) ? "is a directory"
                                 : "is not a regular file");
  else
    {
      source.size = (guint64) info.st_size;
      model = model_new_from_source (&source, path, error);
    }
  close (source.fd);
  return model;
}

void
hfsr_model_free (HfsrModel *model)
{
  if (model == NULL)
    return;
  for (int i = 0; i < model->n_weights; i++)
    {
      g_free (model->weights[i].name);
      hfsr_free_floats (model->weights[i].data);
    }
  g_free (model->weights);
  for (int k = 0; k < model->n_nodes; k++)
    {
      g_free (model->nodes[k].name);
      hfsr_free_floats (model->nodes[k].prepared);
    }
  g_free (model->nodes);
  g_free (model->slot_scale);
  g_free (model->slot_channels);
  g_free (model->output_slots);
  g_strfreev (model->output_names);
  g_free (model->output_channels);
  g_free (model->input_name);
  g_hash_table_unref (model->metadata);
  g_free (model->name);
  g_free (model);
}

const char *
hfsr_model_get_name (const HfsrModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return model->name;
}

int
hfsr_model_get_scale (const HfsrModel *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->scale;
}

int
hfsr_model_get_input_channels (const HfsrModel *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->input_channels;
}

int
hfsr_model_get_n_outputs (const HfsrModel *model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->n_outputs;
}

const char *
hfsr_model_get_output_name (const HfsrModel *model, int index)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (index >= 0 && index < model->n_outputs, NULL);
  return model->output_names[index];
}

int
hfsr_model_get_output_channels (const HfsrModel *model, int index)
{
  g_return_val_if_fail (model != NULL, 0);
  g_return_val_if_fail (index >= 0 && index < model->n_outputs, 0);
  return model->output_channels[index];
}

int
hfsr_model_get_margin (const HfsrModel *model)
{
  g_return_val_if_fail (model != NULL, -1);
  return model->margin;
}

const char *
hfsr_model_get_metadata (const HfsrModel *model, const char *key)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  return g_hash_table_lookup (model->metadata, key);
}

double
hfsr_model_get_conv_macs (const HfsrModel *model)
{
  double macs = 0.0;

  g_return_val_if_fail (model != NULL, 0.0);

  for (int k = 0; k < model->n_nodes; k++)
    {
      const HfsrNode *node = &model->nodes[k];
      int scale;

      if (node->weight == NULL)
        continue;
      /* A conv2d's weight is applied once per output pixel, a
       * conv_transpose2d's once per input pixel; global (1x1) values have
       * scale HFSR_SLOT_GLOBAL and so drop out. */
      if (node->klass == &hfsr_layer_conv2d)
        scale = model->slot_scale[k + 1];
      else if (node->klass == &hfsr_layer_conv_transpose2d)
        scale = model->slot_scale[node->inputs[0]];
      else
        continue;
      macs += (double) node->weight->n_elements * scale * scale;
    }
  return macs;
}

/* Everything of @source but its weights' values: the graph, with nodes
 * pointing at the copy's own weights (allocated, for the caller to fill),
 * the metadata, scale and margin.  Next to hfsr_model_free, which must
 * release what this makes. */
HfsrModel *
hfsr_model_copy_structure (const HfsrModel *source, const char *name,
                           GError **error)
{
  HfsrModel *copy = g_new0 (HfsrModel, 1);
  GHashTableIter iter;
  gpointer key, value;

  copy->name = g_strdup (name);
  copy->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          g_free);
  g_hash_table_iter_init (&iter, source->metadata);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->metadata, g_strdup (key), g_strdup (value));
  copy->input_name = g_strdup (source->input_name);
  copy->input_channels = source->input_channels;
  copy->n_outputs = source->n_outputs;
  copy->output_slots = g_memdup2 (source->output_slots,
                                  sizeof (int) * source->n_outputs);
  copy->output_names = g_strdupv (source->output_names);
  copy->output_channels = g_memdup2 (source->output_channels,
                                     sizeof (int) * source->n_outputs);
  copy->slot_scale = g_memdup2 (source->slot_scale,
                                sizeof (int) * (source->n_nodes + 1));
  copy->slot_channels = g_memdup2 (source->slot_channels,
                                   sizeof (int) * (source->n_nodes + 1));
  copy->scale = source->scale;
  copy->margin = source->margin;

  /* Weights before nodes: the nodes point into this array. */
  copy->weights = g_new0 (HfsrWeight, MAX (source->n_weights, 1));
  copy->n_weights = source->n_weights;
  for (int i = 0; i < source->n_weights; i++)
    {
      const HfsrWeight *from = &source->weights[i];
      HfsrWeight *to = &copy->weights[i];

      *to = *from;
      to->name = g_strdup (from->name);
      to->data = hfsr_alloc_floats (from->n_elements);
      if (to->data == NULL)
        {
          hfsr_fail (error, name, HFSR_ERROR_NO_MEMORY,
                "tensor '%s': out of memory for %" G_GSIZE_FORMAT " floats",
                from->name, from->n_elements);
          hfsr_model_free (copy);
          return NULL;
        }
    }

  copy->nodes = g_memdup2 (source->nodes, sizeof (HfsrNode) * source->n_nodes);
  copy->n_nodes = source->n_nodes;
  for (int k = 0; k < copy->n_nodes; k++)
    {
      HfsrNode *node = &copy->nodes[k];

      node->name = g_strdup (node->name);
      node->prepared = NULL; /* the source's; the copy prepares its own */
      if (node->weight != NULL)
        node->weight = copy->weights + (node->weight - source->weights);
      if (node->bias != NULL)
        node->bias = copy->weights + (node->bias - source->weights);
    }
  return copy;
}
