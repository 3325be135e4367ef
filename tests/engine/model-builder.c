/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "model-builder.h"

typedef struct
{
  char *name;
  int ndim;
  gint64 shape[4];
  gsize n_elements;
  float *data;
} BuilderTensor;

struct _HfsrModelBuilder
{
  char *input_name;
  int input_channels;
  JsonArray *nodes;
  GPtrArray *outputs; /* char * */
  GPtrArray *tensors; /* BuilderTensor * */
  GTree *metadata;    /* sorted, so the bytes are reproducible */
  char *graph_json;   /* set_graph's text, or NULL */
  gboolean omit_graph;
};

static void
builder_tensor_free (gpointer data)
{
  BuilderTensor *tensor = data;

  g_free (tensor->name);
  g_free (tensor->data);
  g_free (tensor);
}

static int
compare_keys (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return strcmp (a, b);
}

HfsrModelBuilder *
hfsr_model_builder_new (const char *input_name, int input_channels)
{
  HfsrModelBuilder *builder = g_new0 (HfsrModelBuilder, 1);

  builder->input_name = g_strdup (input_name);
  builder->input_channels = input_channels;
  builder->nodes = json_array_new ();
  builder->outputs = g_ptr_array_new_with_free_func (g_free);
  builder->tensors = g_ptr_array_new_with_free_func (builder_tensor_free);
  builder->metadata = g_tree_new_full (compare_keys, NULL, g_free, g_free);
  hfsr_model_builder_set_metadata (builder, "hfsr.format", "1");
  hfsr_model_builder_set_metadata (builder, "hfsr.task", "test");
  return builder;
}

void
hfsr_model_builder_free (HfsrModelBuilder *builder)
{
  if (builder == NULL)
    return;
  g_free (builder->input_name);
  json_array_unref (builder->nodes);
  g_ptr_array_unref (builder->outputs);
  g_ptr_array_unref (builder->tensors);
  g_tree_unref (builder->metadata);
  g_free (builder->graph_json);
  g_free (builder);
}

void
hfsr_model_builder_add_node (HfsrModelBuilder *builder, const char *name,
                             const char *op, const char *inputs,
                             const char *fields)
{
  JsonObject *node = json_object_new ();
  JsonArray *input_names = json_array_new ();
  char **names = g_strsplit (inputs, ",", -1);

  json_object_set_string_member (node, "name", name);
  json_object_set_string_member (node, "op", op);
  for (char **n = names; *n != NULL; n++)
    json_array_add_string_element (input_names, g_strstrip (*n));
  json_object_set_array_member (node, "inputs", input_names);
  g_strfreev (names);

  if (fields != NULL)
    {
      GError *error = NULL;
      JsonNode *parsed = json_from_string (fields, &error);
      GList *members;

      /* The text comes from the test's own source: a mistake there is a
       * bug in the test. */
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (parsed));
      members = json_object_get_members (json_node_get_object (parsed));
      for (GList *l = members; l != NULL; l = l->next)
        json_object_set_member (
          node, l->data,
          json_object_dup_member (json_node_get_object (parsed), l->data));
      g_list_free (members);
      json_node_unref (parsed);
    }
  json_array_add_object_element (builder->nodes, node);
}

void
hfsr_model_builder_add_output (HfsrModelBuilder *builder, const char *name)
{
  g_ptr_array_add (builder->outputs, g_strdup (name));
}

void
hfsr_model_builder_add_tensor (HfsrModelBuilder *builder, const char *name,
                               const float *data, int ndim,
                               const gint64 *shape)
{
  BuilderTensor *tensor = g_new0 (BuilderTensor, 1);

  g_assert_true (ndim >= 0 && ndim <= 4);
  tensor->name = g_strdup (name);
  tensor->ndim = ndim;
  tensor->n_elements = 1;
  for (int d = 0; d < ndim; d++)
    {
      tensor->shape[d] = shape[d];
      tensor->n_elements *= (gsize) shape[d];
    }
  tensor->data = g_memdup2 (data, tensor->n_elements * sizeof (float));
  g_ptr_array_add (builder->tensors, tensor);
}

void
hfsr_model_builder_add_random_tensor (HfsrModelBuilder *builder,
                                      const char *name, guint32 seed,
                                      float amplitude, int ndim,
                                      const gint64 *shape)
{
  GRand *rand = g_rand_new_with_seed (seed);
  gsize n = 1;
  float *data;

  for (int d = 0; d < ndim; d++)
    n *= (gsize) shape[d];
  data = g_new (float, MAX (n, 1));
  for (gsize i = 0; i < n; i++)
    data[i] = (float) g_rand_double_range (rand, -amplitude, amplitude);
  hfsr_model_builder_add_tensor (builder, name, data, ndim, shape);
  g_free (data);
  g_rand_free (rand);
}

/* "<name>.weight" of @shape scaled by 1/sqrt(@fan_in), "<name>.bias" of
 * @n_bias values, and the node referring to both. */
static void
add_weighted_node (HfsrModelBuilder *builder, const char *name, const char *op,
                   const char *input, const gint64 *shape, int fan_in,
                   int n_bias, const char *extra_fields, guint32 seed)
{
  char *weight = g_strconcat (name, ".weight", NULL);
  char *bias = g_strconcat (name, ".bias", NULL);
  char *fields
    = g_strdup_printf ("{\"weight\": \"%s\", \"bias\": \"%s\"%s}", weight,
                       bias, extra_fields ? extra_fields : "");
  gint64 bias_shape[1] = { n_bias };

  hfsr_model_builder_add_random_tensor (
    builder, weight, seed, (float) (1.0 / sqrt (fan_in)), 4, shape);
  hfsr_model_builder_add_random_tensor (builder, bias, seed + 1, 0.1f, 1,
                                        bias_shape);
  hfsr_model_builder_add_node (builder, name, op, input, fields);
  g_free (fields);
  g_free (bias);
  g_free (weight);
}

void
hfsr_model_builder_add_conv2d (HfsrModelBuilder *builder, const char *name,
                               const char *input, int in_channels,
                               int out_channels, int kernel, guint32 seed)
{
  gint64 shape[4] = { out_channels, in_channels, kernel, kernel };

  add_weighted_node (builder, name, "conv2d", input, shape,
                     in_channels * kernel * kernel, out_channels, NULL, seed);
}

void
hfsr_model_builder_add_conv_transpose2d (HfsrModelBuilder *builder,
                                         const char *name, const char *input,
                                         int in_channels, int out_channels,
                                         int kernel, int stride, int padding,
                                         int output_padding, guint32 seed)
{
  gint64 shape[4] = { in_channels, out_channels, kernel, kernel };
  char *extra = g_strdup_printf (", \"stride\": %d, \"padding\": %d, "
                                 "\"output_padding\": %d",
                                 stride, padding, output_padding);

  /* Each output pixel gathers about in * (kernel / stride)^2 taps. */
  add_weighted_node (
    builder, name, "conv_transpose2d", input, shape,
    MAX (in_channels * kernel * kernel / (stride * stride), 1), out_channels,
    extra, seed);
  g_free (extra);
}

void
hfsr_model_builder_add_prelu (HfsrModelBuilder *builder, const char *name,
                              const char *input, int channels, guint32 seed)
{
  char *weight = g_strconcat (name, ".weight", NULL);
  char *fields = g_strdup_printf ("{\"weight\": \"%s\"}", weight);
  gint64 shape[1] = { channels };
  GRand *rand = g_rand_new_with_seed (seed);
  float *slopes = g_new (float, channels);

  for (int c = 0; c < channels; c++)
    slopes[c] = (float) g_rand_double_range (rand, 0.0, 0.5);
  hfsr_model_builder_add_tensor (builder, weight, slopes, 1, shape);
  hfsr_model_builder_add_node (builder, name, "prelu", input, fields);
  g_free (slopes);
  g_rand_free (rand);
  g_free (fields);
  g_free (weight);
}

void
hfsr_model_builder_set_metadata (HfsrModelBuilder *builder, const char *key,
                                 const char *value)
{
  if (strcmp (key, "hfsr.graph") == 0)
    {
      builder->omit_graph = value == NULL;
      hfsr_model_builder_set_graph (builder, value);
    }
  else if (value == NULL)
    g_tree_remove (builder->metadata, key);
  else
    g_tree_replace (builder->metadata, g_strdup (key), g_strdup (value));
}

void
hfsr_model_builder_set_graph (HfsrModelBuilder *builder,
                              const char *graph_json)
{
  g_free (builder->graph_json);
  builder->graph_json = g_strdup (graph_json);
}

char *
hfsr_model_builder_get_graph (HfsrModelBuilder *builder)
{
  JsonObject *graph, *input;
  JsonArray *outputs;
  JsonNode *root;
  guint n_nodes = json_array_get_length (builder->nodes);
  char *text;

  if (builder->graph_json != NULL)
    return g_strdup (builder->graph_json);

  graph = json_object_new ();
  input = json_object_new ();
  json_object_set_string_member (input, "name", builder->input_name);
  json_object_set_int_member (input, "channels", builder->input_channels);
  json_object_set_object_member (graph, "input", input);

  outputs = json_array_new ();
  for (guint i = 0; i < builder->outputs->len; i++)
    json_array_add_string_element (outputs, builder->outputs->pdata[i]);
  if (builder->outputs->len == 0 && n_nodes > 0)
    json_array_add_string_element (
      outputs,
      json_object_get_string_member (
        json_array_get_object_element (builder->nodes, n_nodes - 1), "name"));
  json_object_set_array_member (graph, "outputs", outputs);
  json_object_set_array_member (graph, "nodes",
                                json_array_ref (builder->nodes));

  root = json_node_init_object (json_node_alloc (), graph);
  text = json_to_string (root, FALSE);
  json_node_unref (root);
  json_object_unref (graph);
  return text;
}

static gboolean
add_metadata_member (gpointer key, gpointer value, gpointer data)
{
  json_object_set_string_member (data, key, value);
  return FALSE;
}

GBytes *
hfsr_model_builder_build (HfsrModelBuilder *builder)
{
  JsonObject *header = json_object_new ();
  JsonObject *metadata = json_object_new ();
  GByteArray *buffer = g_byte_array_new ();
  JsonNode *root;
  char *header_text;
  GBytes *bytes;

  for (guint i = 0; i < builder->tensors->len; i++)
    {
      BuilderTensor *tensor = builder->tensors->pdata[i];
      JsonObject *entry = json_object_new ();
      JsonArray *shape = json_array_new ();
      JsonArray *offsets = json_array_new ();

      for (int d = 0; d < tensor->ndim; d++)
        json_array_add_int_element (shape, tensor->shape[d]);
      json_array_add_int_element (offsets, buffer->len);
      for (gsize e = 0; e < tensor->n_elements; e++)
        {
          guint32 bits;

          memcpy (&bits, &tensor->data[e], sizeof bits);
          bits = GUINT32_TO_LE (bits);
          g_byte_array_append (buffer, (const guint8 *) &bits, sizeof bits);
        }
      json_array_add_int_element (offsets, buffer->len);
      json_object_set_string_member (entry, "dtype", "F32");
      json_object_set_array_member (entry, "shape", shape);
      json_object_set_array_member (entry, "data_offsets", offsets);
      json_object_set_object_member (header, tensor->name, entry);
    }

  g_tree_foreach (builder->metadata, add_metadata_member, metadata);
  if (!builder->omit_graph)
    {
      char *graph = hfsr_model_builder_get_graph (builder);

      json_object_set_string_member (metadata, "hfsr.graph", graph);
      g_free (graph);
    }
  json_object_set_object_member (header, "__metadata__", metadata);

  root = json_node_init_object (json_node_alloc (), header);
  header_text = json_to_string (root, FALSE);
  bytes = hfsr_safetensors_pack (header_text, buffer->data, buffer->len);
  g_free (header_text);
  json_node_unref (root);
  json_object_unref (header);
  g_byte_array_unref (buffer);
  return bytes;
}

GBytes *
hfsr_safetensors_pack (const char *header, const void *buffer,
                       gsize buffer_size)
{
  gsize header_length = strlen (header);
  guint64 length_le = GUINT64_TO_LE ((guint64) header_length);
  GByteArray *file = g_byte_array_sized_new (8 + header_length + buffer_size);

  g_byte_array_append (file, (const guint8 *) &length_le, 8);
  g_byte_array_append (file, (const guint8 *) header, header_length);
  if (buffer_size > 0)
    g_byte_array_append (file, buffer, buffer_size);
  return g_byte_array_free_to_bytes (file);
}

char *
hfsr_write_temp_file (GBytes *bytes, GError **error)
{
  char *path = NULL;
  int fd = g_file_open_tmp ("hfsr-test-XXXXXX.safetensors", &path, error);
  gsize size;
  const char *data;

  if (fd < 0)
    return NULL;
  close (fd);
  data = g_bytes_get_data (bytes, &size);
  if (!g_file_set_contents (path, data, (gssize) size, error))
    {
      g_unlink (path);
      g_free (path);
      return NULL;
    }
  return path;
}

HfsrModel *
hfsr_model_builder_load (HfsrModelBuilder *b)
{
  GBytes *bytes = hfsr_model_builder_build (b);
  GError *error = NULL;
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  HfsrModel *model = hfsr_model_load_from_data (data, size, "built", &error);

  g_assert_no_error (error);
  g_bytes_unref (bytes);
  hfsr_model_builder_free (b);
  return model;
}

void
hfsr_model_builder_add_x2_output (HfsrModelBuilder *builder, const char *body,
                                  int channels, guint32 tail_seed,
                                  guint32 skip_seed)
{
  hfsr_model_builder_add_conv2d (builder, "tail", body, channels, 12, 3,
                                 tail_seed);
  hfsr_model_builder_add_node (builder, "tail_up", "pixel_shuffle", "tail",
                               "{\"factor\": 2}");
  hfsr_model_builder_add_conv2d (builder, "skip", "input", 3, 12, 5,
                                 skip_seed);
  hfsr_model_builder_add_node (builder, "skip_up", "pixel_shuffle", "skip",
                               "{\"factor\": 2}");
  hfsr_model_builder_add_node (builder, "output", "add", "tail_up, skip_up",
                               NULL);
}

HfsrModel *
hfsr_model_builder_small_wdsr_x2 (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);

  hfsr_model_builder_add_conv2d (b, "head", "input", 3, 8, 3, 100);
  hfsr_model_builder_add_conv2d (b, "b0.expand", "head", 8, 16, 3, 102);
  hfsr_model_builder_add_node (b, "b0.act", "relu", "b0.expand", NULL);
  hfsr_model_builder_add_conv2d (b, "b0.reduce", "b0.act", 16, 8, 3, 104);
  hfsr_model_builder_add_node (b, "b0", "add", "b0.reduce, head", NULL);
  hfsr_model_builder_add_conv2d (b, "b1.expand", "b0", 8, 16, 3, 106);
  hfsr_model_builder_add_node (b, "b1.act", "relu", "b1.expand", NULL);
  hfsr_model_builder_add_conv2d (b, "b1.reduce", "b1.act", 16, 8, 3, 108);
  hfsr_model_builder_add_node (b, "b1", "add", "b1.reduce, b0", NULL);
  hfsr_model_builder_add_x2_output (b, "b1", 8, 110, 112);
  return hfsr_model_builder_load (b);
}
