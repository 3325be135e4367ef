/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Blending two trainings of one network (hfsr_model_blend): the model zoo
 * gives any alpha (or lambda) between two trained ones this way.  The copy
 * of the structure is model.c's, next to hfsr_model_free, which releases it.
 */
#include <string.h>

#include "hfsr-private.h"

static const HfsrWeight *
find_weight (const HfsrModel *model, const char *name)
{
  for (int i = 0; i < model->n_weights; i++)
    if (strcmp (model->weights[i].name, name) == 0)
      return &model->weights[i];
  return NULL;
}

static char *
format_shape (const HfsrWeight *weight)
{
  GString *text = g_string_new ("[");

  for (int d = 0; d < weight->ndim; d++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, d > 0 ? ", " : "",
                            weight->shape[d]);
  g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

/* Blending is only meaningful between two trainings of one network. */
static gboolean
check_same_network (const HfsrModel *a, const HfsrModel *b, GError **error)
{
  if (g_strcmp0 (g_hash_table_lookup (a->metadata, "hfsr.graph"),
                 g_hash_table_lookup (b->metadata, "hfsr.graph"))
      != 0)
    return hfsr_fail (error, a->name, HFSR_ERROR_INVALID_ARGUMENT,
                      "cannot be blended with %s: their graphs (hfsr.graph) "
                      "differ",
                      b->name);
  if (a->n_weights != b->n_weights)
    return hfsr_fail (error, a->name, HFSR_ERROR_INVALID_ARGUMENT,
                      "cannot be blended with %s: they hold %d and %d tensors",
                      b->name, a->n_weights, b->n_weights);
  for (int i = 0; i < a->n_weights; i++)
    {
      const HfsrWeight *x = &a->weights[i];
      const HfsrWeight *y = find_weight (b, x->name);
      gboolean same;

      if (y == NULL)
        return hfsr_fail (
          error, a->name, HFSR_ERROR_INVALID_ARGUMENT,
          "cannot be blended with %s: tensor '%s' is only in the "
          "first",
          b->name, x->name);
      same = x->ndim == y->ndim;
      for (int d = 0; same && d < x->ndim; d++)
        same = x->shape[d] == y->shape[d];
      if (!same)
        {
          char *shape_x = format_shape (x), *shape_y = format_shape (y);

          hfsr_fail (
            error, a->name, HFSR_ERROR_INVALID_ARGUMENT,
            "cannot be blended with %s: tensor '%s' is %s in one and %s "
            "in the other",
            b->name, x->name, shape_x, shape_y);
          g_free (shape_x);
          g_free (shape_y);
          return FALSE;
        }
    }
  return TRUE;
}

HfsrModel *
hfsr_model_blend (const HfsrModel *a, const HfsrModel *b, double t,
                  GError **error)
{
  HfsrModel *blend;
  char *name;

  g_return_val_if_fail (a != NULL && b != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!(t >= 0.0 && t <= 1.0))
    {
      hfsr_fail (error, a->name, HFSR_ERROR_INVALID_ARGUMENT,
                 "cannot be blended with %s: the blend factor %g lies outside "
                 "[0, 1]",
                 b->name, t);
      return NULL;
    }
  if (!check_same_network (a, b, error))
    return NULL;

  name = g_strdup_printf ("%s + %s at t = %g", a->name, b->name, t);
  blend = hfsr_model_copy_structure (a, name, error);
  g_free (name);
  if (blend == NULL)
    return NULL;
  for (int i = 0; i < blend->n_weights; i++)
    {
      HfsrWeight *weight = &blend->weights[i];
      const float *x = a->weights[i].data;
      const float *y = find_weight (b, weight->name)->data;

      /* In double, so t = 0 and t = 1 reproduce a and b to the bit. */
      for (gsize j = 0; j < weight->n_elements; j++)
        weight->data[j] = (float) ((1.0 - t) * x[j] + t * y[j]);
    }
  if (!hfsr_model_prepare_nodes (blend, error))
    g_clear_pointer (&blend, hfsr_model_free);
  return blend;
}
