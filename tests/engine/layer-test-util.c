/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "layer-test-util.h"
#include "test-util.h"

/* ----------------------------------------------------------- test weights */

static void
weight_free (gpointer data)
{
  HfsrWeight *weight = data;

  g_free (weight->name);
  g_free (weight->data);
  g_free (weight);
}

GPtrArray *
layer_test_store_new (void)
{
  return g_ptr_array_new_with_free_func (weight_free);
}

HfsrWeight *
layer_test_store_add (GPtrArray *store, const char *name, guint32 seed,
                      int ndim, ...)
{
  HfsrWeight *weight = g_new0 (HfsrWeight, 1);
  va_list args;

  weight->name = g_strdup (name);
  weight->ndim = ndim;
  weight->n_elements = 1;
  va_start (args, ndim);
  for (int d = 0; d < ndim; d++)
    {
      weight->shape[d] = va_arg (args, int);
      weight->n_elements *= (gsize) weight->shape[d];
    }
  va_end (args);
  weight->data = g_new (float, MAX (weight->n_elements, 1));
  hfsr_test_fill_random (weight->data, weight->n_elements, seed, -1.0f, 1.0f);
  g_ptr_array_add (store, weight);
  return weight;
}

static const HfsrWeight *
store_lookup (const char *name, gpointer user_data)
{
  GPtrArray *store = user_data;

  for (guint i = 0; i < store->len; i++)
    {
      const HfsrWeight *weight = g_ptr_array_index (store, i);

      if (strcmp (weight->name, name) == 0)
        return weight;
    }
  return NULL;
}

/* ------------------------------------------------------------ node helpers */

gboolean
layer_test_load_node (const char *op, GPtrArray *store, const char *json_text,
                      HfsrNode *node, GError **error)
{
  const HfsrLayerClass *klass = hfsr_layer_lookup (op);
  JsonNode *root = json_from_string (json_text, NULL);
  gboolean ok;

  g_assert_nonnull (klass);
  g_assert_nonnull (root);
  memset (node, 0, sizeof *node);
  node->klass = klass;
  ok = klass->load (node, json_node_get_object (root), store_lookup, store,
                    error);
  json_node_unref (root);
  return ok;
}

void
layer_test_load_node_or_die (const char *op, GPtrArray *store,
                             const char *json_text, HfsrNode *node)
{
  GError *error = NULL;

  layer_test_load_node (op, store, json_text, node, &error);
  g_assert_no_error (error);
}

HfsrTensor *
layer_test_random_tensor (int channels, int height, int width, guint32 seed,
                          float lo, float hi)
{
  HfsrTensor *tensor = hfsr_tensor_new (channels, height, width, NULL);

  g_assert_nonnull (tensor);
  hfsr_test_fill_random (tensor->data, hfsr_tensor_size (tensor), seed, lo,
                         hi);
  return tensor;
}

HfsrTensor *
layer_test_run_node (const HfsrNode *node, const HfsrTensor *const *inputs,
                     int n_inputs)
{
  HfsrShape shapes[HFSR_NODE_MAX_INPUTS];
  HfsrShape shape;
  HfsrTensor *output;
  GError *error = NULL;

  for (int i = 0; i < n_inputs; i++)
    {
      shapes[i].channels = inputs[i]->channels;
      shapes[i].height = inputs[i]->height;
      shapes[i].width = inputs[i]->width;
    }
  node->klass->infer_shape (node, shapes, &shape, &error);
  g_assert_no_error (error);
  output = hfsr_tensor_new (shape.channels, shape.height, shape.width, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < hfsr_tensor_size (output); i++)
    output->data[i] = NAN;
  node->klass->forward (node, inputs, output, &error);
  g_assert_no_error (error);
  return output;
}

HfsrTensor *
layer_test_run_node1 (const HfsrNode *node, const HfsrTensor *input)
{
  return layer_test_run_node (node, &input, 1);
}

double
layer_test_max_abs (const float *data, gsize n)
{
  double worst = 0.0;

  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs (data[i]));
  return worst;
}
