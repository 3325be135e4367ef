/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdarg.h>

#include "layer-util.h"

/* An absent member and a JSON null both mean "not given": exporters write
 * either for an unused bias. */
static JsonNode *
get_member (JsonObject *json, const char *key)
{
  JsonNode *member = json_object_get_member (json, key);

  return member != NULL && !JSON_NODE_HOLDS_NULL (member) ? member : NULL;
}

/* FALSE, with the error every getter gives, when a @required field is not
 * given (@member NULL, from get_member). */
static gboolean
check_given (JsonNode *member, const char *key, gboolean required,
             GError **error)
{
  if (member != NULL || !required)
    return TRUE;
  g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT, "missing field '%s'",
               key);
  return FALSE;
}

gboolean
hfsr_layer_get_int (JsonObject *json, const char *key, int min, int max,
                    int default_value, gboolean required, int *value,
                    GError **error)
{
  JsonNode *member = get_member (json, key);
  gint64 number;

  if (!check_given (member, key, required, error))
    return FALSE;
  if (member == NULL)
    {
      *value = default_value;
      return TRUE;
    }
  if (!hfsr_json_get_integer (member, &number))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "field '%s' must be an integer", key);
      return FALSE;
    }
  if (number < min || number > max)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "field '%s' is %" G_GINT64_FORMAT ", must be in [%d, %d]",
                   key, number, min, max);
      return FALSE;
    }
  *value = (int) number;
  return TRUE;
}

const HfsrWeight *
hfsr_layer_get_weight (JsonObject *json, const char *key, gboolean required,
                       HfsrWeightLookup lookup, gpointer lookup_data,
                       GError **error)
{
  JsonNode *member = get_member (json, key);
  const HfsrWeight *weight;
  const char *name;

  if (!check_given (member, key, required, error) || member == NULL)
    return NULL;
  name = hfsr_json_get_string (member);
  if (name == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "field '%s' must be a tensor name (a string)", key);
      return NULL;
    }
  weight = lookup (name, lookup_data);
  if (weight == NULL)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                 "field '%s' names tensor '%s', which the file lacks", key,
                 name);
  return weight;
}

void
hfsr_layer_weight_error (const HfsrWeight *weight, GError **error,
                         const char *format, ...)
{
  GString *message = g_string_new (NULL);
  va_list args;

  g_string_append_printf (message, "weight '%s' has shape [", weight->name);
  for (int d = 0; d < weight->ndim; d++)
    g_string_append_printf (message, "%s%" G_GINT64_FORMAT, d ? "," : "",
                            weight->shape[d]);
  g_string_append (message, "]: ");
  va_start (args, format);
  g_string_append_vprintf (message, format, args);
  va_end (args);
  g_set_error_literal (error, HFSR_ERROR, HFSR_ERROR_FORMAT, message->str);
  g_string_free (message, TRUE);
}

gboolean
hfsr_layer_check_rank (const HfsrWeight *weight, int ndim, GError **error)
{
  gsize n = 1;

  if (weight->ndim != ndim)
    {
      hfsr_layer_weight_error (weight, error, "must have %d dimension%s", ndim,
                               ndim == 1 ? "" : "s");
      return FALSE;
    }
  for (int d = 0; d < ndim; d++)
    if (weight->shape[d] < 1 || weight->shape[d] > G_MAXINT
        || !g_size_checked_mul (&n, n, (gsize) weight->shape[d]))
      {
        hfsr_layer_weight_error (
          weight, error, "dimension %d must be in [1, %d]", d, G_MAXINT);
        return FALSE;
      }
  if (n != weight->n_elements || weight->data == NULL)
    {
      hfsr_layer_weight_error (weight, error,
                               "holds %" G_GSIZE_FORMAT " elements, not the "
                               "shape's %" G_GSIZE_FORMAT,
                               weight->n_elements, n);
      return FALSE;
    }
  if (n > HFSR_TENSOR_MAX_ELEMENTS)
    {
      hfsr_layer_weight_error (weight, error,
                               "more than %" G_GSIZE_FORMAT " elements",
                               HFSR_TENSOR_MAX_ELEMENTS);
      return FALSE;
    }
  return TRUE;
}

gboolean
hfsr_layer_load_weight (HfsrNode *node, JsonObject *json, int weight_ndim,
                        int bias_dim, HfsrWeightLookup lookup,
                        gpointer lookup_data, GError **error)
{
  GError *bias_error = NULL;

  node->weight
    = hfsr_layer_get_weight (json, "weight", TRUE, lookup, lookup_data, error);
  if (node->weight == NULL
      || !hfsr_layer_check_rank (node->weight, weight_ndim, error))
    return FALSE;

  node->bias = hfsr_layer_get_weight (json, "bias", FALSE, lookup, lookup_data,
                                      &bias_error);
  if (bias_error != NULL)
    {
      g_propagate_error (error, bias_error);
      return FALSE;
    }
  if (node->bias == NULL)
    return TRUE;
  if (!hfsr_layer_check_rank (node->bias, 1, error))
    return FALSE;
  if (node->bias->shape[0] != node->weight->shape[bias_dim])
    {
      hfsr_layer_weight_error (node->bias, error,
                               "expected [%" G_GINT64_FORMAT "] to match "
                               "weight '%s'",
                               node->weight->shape[bias_dim],
                               node->weight->name);
      return FALSE;
    }
  return TRUE;
}

gboolean
hfsr_layer_infer_conv (const HfsrNode *node, const HfsrShape *input, int scale,
                       HfsrShape *output, GError **error)
{
  if (input->channels != node->in_channels)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "input has %d channels, weight '%s' expects %d",
                   input->channels, node->weight->name, node->in_channels);
      return FALSE;
    }
  return hfsr_layer_set_shape (output, node->out_channels,
                               (gint64) input->height * scale,
                               (gint64) input->width * scale, error);
}

gboolean
hfsr_layer_set_shape (HfsrShape *output, gint64 channels, gint64 height,
                      gint64 width, GError **error)
{
  gsize n;

  if (channels < 1 || height < 1 || width < 1 || channels > G_MAXINT
      || height > G_MAXINT || width > G_MAXINT
      || !g_size_checked_mul (&n, (gsize) channels, (gsize) height)
      || !g_size_checked_mul (&n, n, (gsize) width)
      || n > HFSR_TENSOR_MAX_ELEMENTS)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "output shape [%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                   ",%" G_GINT64_FORMAT "] is empty or too large",
                   channels, height, width);
      return FALSE;
    }
  output->channels = (int) channels;
  output->height = (int) height;
  output->width = (int) width;
  return TRUE;
}

int
hfsr_layer_saturate_margin (gint64 margin)
{
  return (int) MIN (margin, (gint64) G_MAXINT);
}

gboolean
hfsr_layer_load_nothing (HfsrNode *node, JsonObject *json,
                         HfsrWeightLookup lookup, gpointer lookup_data,
                         GError **error)
{
  return TRUE;
}

gboolean
hfsr_layer_infer_same (const HfsrNode *node, const HfsrShape *inputs,
                       HfsrShape *output, GError **error)
{
  *output = inputs[0];
  return TRUE;
}

int
hfsr_layer_margin_same (const HfsrNode *node, int input_margin)
{
  return input_margin;
}

int
hfsr_layer_margin_global (const HfsrNode *node, int input_margin)
{
  return -1;
}
