/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model loader: a safetensors file (read by safetensors.c) whose
 * __metadata__ carries the graph (models/FORMAT.md), built here into nodes,
 * shape-checked, given its scale and margin.  Every byte is untrusted, so
 * everything is checked before it is used and every failure is a GError
 * naming the file.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hfsr-private.h"

#define HFSR_MAX_INPUT_CHANNELS 4096

/* What the graph's layers need while they load: the file's name for errors
 * and its tensors by name. */
typedef struct
{
  const char *file;
  GHashTable *weight_index; /* name -> HfsrWeight * */
} GraphLoader;

/* The graph is validated by shape inference at two input sizes; a value is
 * an image at a whole scale only if both agree on that scale (a square and
 * a non-square size, so height and width cannot be swapped unnoticed). */
static const int reference_sizes[2][2] = { { 8, 8 }, { 9, 7 } };

static gboolean node_fail (const HfsrModel *model, int index, GError **error,
                           const char *format, ...) G_GNUC_PRINTF (4, 5);

static gboolean
node_fail (const HfsrModel *model, int index, GError **error,
           const char *format, ...)
{
  va_list args;
  GError *node_error;

  va_start (args, format);
  node_error
    = g_error_new_valist (HFSR_ERROR, HFSR_ERROR_FORMAT, format, args);
  va_end (args);
  hfsr_graph_node_error (model, index, HFSR_ERROR_FORMAT, node_error, error);
  return FALSE;
}

static const HfsrWeight *
lookup_weight (const char *name, gpointer user_data)
{
  GraphLoader *loader = user_data;

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
  JsonArray *inputs = hfsr_json_get_array (json, "inputs");
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

      node_fail (model, index, error, "takes %s, got %u", expected, n_inputs);
      g_free (expected);
      return FALSE;
    }
  node->n_inputs = (int) n_inputs;
  for (guint i = 0; i < n_inputs; i++)
    {
      const char *name
        = hfsr_json_get_string (json_array_get_element (inputs, i));
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
        name = hfsr_json_get_string (
          json_object_get_member (json_node_get_object (node), "name"));
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
load_nodes (HfsrModel *model, GraphLoader *loader, JsonArray *nodes,
            GHashTable *slots, GError **error)
{
  for (int k = 0; k < model->n_nodes; k++)
    {
      HfsrNode *node = &model->nodes[k];
      JsonObject *json
        = json_node_get_object (json_array_get_element (nodes, (guint) k));
      const char *op
        = hfsr_json_get_string (json_object_get_member (json, "op"));
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
      const char *name
        = hfsr_json_get_string (json_array_get_element (outputs, (guint) i));
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
load_graph (HfsrModel *model, GraphLoader *loader, const char *text,
            GError **error)
{
  JsonNode *root;
  JsonObject *graph, *input;
  JsonArray *nodes, *outputs;
  GHashTable *slots = NULL;
  const char *input_name;
  gint64 channels;
  gboolean ok = FALSE;

  root = hfsr_json_parse_object (text, strlen (text), "the graph (hfsr.graph)",
                                 model->name, error);
  if (root == NULL)
    return FALSE;
  graph = json_node_get_object (root);

  input = hfsr_json_get_object (graph, "input");
  nodes = hfsr_json_get_array (graph, "nodes");
  outputs = hfsr_json_get_array (graph, "outputs");
  input_name
    = input ? hfsr_json_get_string (json_object_get_member (input, "name"))
            : NULL;
  if (input_name == NULL || input_name[0] == '\0'
      || !hfsr_json_get_integer (json_object_get_member (input, "channels"),
                                 &channels))
    {
      hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                 "the graph needs 'input' with a 'name' and 'channels'");
      goto out;
    }
  if (channels < 1 || channels > HFSR_MAX_INPUT_CHANNELS)
    {
      hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                 "the graph input has %" G_GINT64_FORMAT
                 " channels, must be in "
                 "[1, %d]",
                 channels, HFSR_MAX_INPUT_CHANNELS);
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
      else if (factor < 1 || a->height != factor * reference_sizes[0][0]
               || a->width != factor * reference_sizes[0][1]
               || b->height != factor * reference_sizes[1][0]
               || b->width != factor * reference_sizes[1][1])
        ok = node_fail (model, k, error,
                        "its output size is neither a whole multiple of the "
                        "input size nor 1x1");
      else if (factor > HFSR_MAX_SCALE)
        ok = node_fail (model, k, error,
                        "its output is %d times the input size, at most %d "
                        "is supported",
                        factor, HFSR_MAX_SCALE);
      else
        model->slot_scale[k + 1] = factor;
    }

  for (int i = 0; ok && i < model->n_outputs; i++)
    model->output_channels[i] = shapes[0][model->output_slots[i]].channels;
  if (ok)
    {
      model->scale = model->slot_scale[model->output_slots[0]];
      if (model->scale == HFSR_SLOT_GLOBAL)
        ok = hfsr_fail (
          error, model->name, HFSR_ERROR_FORMAT,
          "the first graph output '%s' must be an image, but it is "
          "1x1 whatever the input size",
          model->output_names[0]);
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
  model->margin
    = output_band < 0
        ? -1
        : (int) (((gint64) output_band + model->scale - 1) / model->scale);
  g_free (band);
}

/* Every node's prepare(), on the weights as they are now, then the graph's
 * run plans: after, because whether a residual block can run fused depends
 * on its convolutions' prepared (Winograd) weights; here, so that a blend,
 * which comes this way, has its own. */
gboolean
hfsr_model_prepare_nodes (HfsrModel *model, GError **error)
{
  for (int k = 0; k < model->n_nodes; k++)
    {
      HfsrNode *node = &model->nodes[k];
      GError *local = NULL;

      g_clear_pointer (&node->prepared, hfsr_free_floats);
      if (node->klass->prepare != NULL && !node->klass->prepare (node, &local))
        {
          hfsr_graph_node_error (model, k, HFSR_ERROR_NO_MEMORY, local, error);
          return FALSE;
        }
    }
  hfsr_graph_make_plans (model);
  return TRUE;
}

/* The container first: the length, then the header, checked before any
 * tensor is read, so that a huge or truncated file costs nothing. */
static gboolean
load_model (HfsrModel *model, const HfsrSource *source, GError **error)
{

  GraphLoader loader = { model->name, NULL };
  const char *format, *graph;
  gboolean ok;

  if (!hfsr_safetensors_read (model, source, error))
    return FALSE;
  loader.weight_index = g_hash_table_new (g_str_hash, g_str_equal);
  for (int i = 0; i < model->n_weights; i++)
    g_hash_table_insert (loader.weight_index, model->weights[i].name,
                         &model->weights[i]);
  ok = TRUE;

  if (ok)
    {
      format = g_hash_table_lookup (model->metadata, "hfsr.format");
      graph = g_hash_table_lookup (model->metadata, "hfsr.graph");
      if (format == NULL)
        ok = hfsr_fail (error, model->name, HFSR_ERROR_FORMAT,
                        "missing metadata 'hfsr.format' (not an hfsr model?)");
      else if (strcmp (format, "1") != 0)
        ok = hfsr_fail (
          error, model->name, HFSR_ERROR_FORMAT,
          "hfsr.format '%s' is not supported (this engine reads 1)", format);
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
model_new_from_source (const HfsrSource *source, const char *name,
                       GError **error)
{
  HfsrModel *model = g_new0 (HfsrModel, 1);

  model->name = g_strdup (name != NULL ? name : "model");
  model->metadata
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
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
  HfsrSource source = { data != NULL ? data : (const guint8 *) "", -1, size };

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
  HfsrSource source = { NULL, -1, 0 };

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
  hfsr_graph_free_plans (model);
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
  copy->metadata
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_iter_init (&iter, source->metadata);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy->metadata, g_strdup (key), g_strdup (value));
  copy->input_name = g_strdup (source->input_name);
  copy->input_channels = source->input_channels;
  copy->n_outputs = source->n_outputs;
  copy->output_slots
    = g_memdup2 (source->output_slots, sizeof (int) * source->n_outputs);
  copy->output_names = g_strdupv (source->output_names);
  copy->output_channels
    = g_memdup2 (source->output_channels, sizeof (int) * source->n_outputs);
  copy->slot_scale
    = g_memdup2 (source->slot_scale, sizeof (int) * (source->n_nodes + 1));
  copy->slot_channels
    = g_memdup2 (source->slot_channels, sizeof (int) * (source->n_nodes + 1));
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
                     "tensor '%s': out of memory for %" G_GSIZE_FORMAT
                     " floats",
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
