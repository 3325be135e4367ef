/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Finding models by name: the search path, the families of models trained
 * for several values of one parameter, and the model for any value in
 * between (a blend of the two nearest).
 */
#include "hfsr-config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hfsr-private.h"

#define MODEL_SUFFIX ".safetensors"

/* Trained values are decimal text in the metadata (1/3 as "0.333333333");
 * a request this close to one means that model, not a blend giving the
 * next one a weight of 1e-12. */
#define SAME_VALUE 1e-9

/* A loaded member of a family; @order is where it was found, so that of
 * two with one value the first by name stands after sorting. */
typedef struct
{
  HfsrModel *model;
  double value;
  int order;
} Variant;

char **
hfsr_model_search_path (void)
{
  GPtrArray *folders = g_ptr_array_new ();
  const char *path = g_getenv ("HFSR_MODEL_PATH");

  if (path != NULL)
    {
      char **parts = g_strsplit (path, G_SEARCHPATH_SEPARATOR_S, -1);

      for (char **part = parts; *part != NULL; part++)
        if (**part != '\0')
          g_ptr_array_add (folders, g_strdup (*part));
      g_strfreev (parts);
    }
  g_ptr_array_add (folders, g_strdup (HFSR_MODEL_DIR));
  g_ptr_array_add (folders, NULL);
  return (char **) g_ptr_array_free (folders, FALSE);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* The family's file names in @folder, sorted; none when the folder does not
 * exist (HFSR_MODEL_PATH may name one that is not there, and a build that
 * is not installed has no model folder).  A folder that exists but cannot
 * be read is added to @unreadable, with the reason, for the message that no
 * model was found. */
static GPtrArray *
list_folder (const char *folder, const char *prefix, GString *unreadable)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;
  GDir *dir = g_dir_open (folder, 0, &error);
  const char *name;

  if (dir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
          && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
        g_string_append_printf (unreadable, "; %s", error->message);
      g_error_free (error);
      return names;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, prefix)
        && g_str_has_suffix (name, MODEL_SUFFIX))
      g_ptr_array_add (names, g_strdup (name));
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);
  return names;
}

static gboolean
read_value (const HfsrModel *model, const char *key, double *value,
            GError **error)
{
  const char *text = hfsr_model_get_metadata (model, key);
  char *end = NULL;

  if (text == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s: metadata '%s' is missing (every model of its family "
                   "needs it)",
                   hfsr_model_get_name (model), key);
      return FALSE;
    }
  *value = g_ascii_strtod (text, &end);
  if (end == text || *end != '\0' || !isfinite (*value))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s: metadata '%s' is '%s', not a decimal number",
                   hfsr_model_get_name (model), key, text);
      return FALSE;
    }
  return TRUE;
}

static void
clear_variant (gpointer data)
{
  Variant *variant = data;

  g_clear_pointer (&variant->model, hfsr_model_free);
}

static int
compare_variants (gconstpointer a, gconstpointer b)
{
  const Variant *x = a, *y = b;

  if (x->value != y->value)
    return x->value < y->value ? -1 : 1;
  return x->order - y->order;
}

/* The family, loaded, in increasing value, one variant per value; NULL
 * with @error set when a member fails to load or has no value.  It all
 * comes from the first folder that holds any member: blending is only
 * meaningful within one training (the members fine-tuned from one start),
 * and a folder of one's own replaces the installed family as a whole. */
static GArray *
load_family (const char *prefix, const char *key, GString *unreadable,
             GError **error)
{
  GArray *family = g_array_new (FALSE, FALSE, sizeof (Variant));
  char **folders = hfsr_model_search_path ();
  GPtrArray *names = NULL;
  char **folder;
  gboolean ok = TRUE;
  guint kept = 0;

  g_array_set_clear_func (family, clear_variant);
  for (folder = folders; *folder != NULL; folder++)
    {
      g_clear_pointer (&names, g_ptr_array_unref);
      names = list_folder (*folder, prefix, unreadable);
      if (names->len > 0)
        break;
    }
  for (guint i = 0; ok && names != NULL && i < names->len; i++)
    {
      char *path = g_build_filename (*folder, names->pdata[i], NULL);
      Variant variant = { hfsr_model_load (path, error), 0.0, (int) i };

      ok = variant.model != NULL
           && read_value (variant.model, key, &variant.value, error);
      if (variant.model != NULL)
        g_array_append_val (family, variant);
      g_free (path);
    }
  if (names != NULL)
    g_ptr_array_unref (names);
  g_strfreev (folders);
  if (!ok)
    {
      g_array_unref (family);
      return NULL;
    }

  g_array_sort (family, compare_variants);
  for (guint i = 0; i < family->len; i++)
    {
      Variant *variant = &g_array_index (family, Variant, i);

      if (kept > 0
          && variant->value - g_array_index (family, Variant, kept - 1).value
               <= SAME_VALUE)
        clear_variant (variant);
      else
        g_array_index (family, Variant, kept++) = *variant;
    }
  /* The moved-from tail must not be freed a second time. */
  for (guint i = kept; i < family->len; i++)
    g_array_index (family, Variant, i).model = NULL;
  g_array_set_size (family, kept);
  return family;
}

gboolean
hfsr_model_find_variants (const char *prefix, const char *key,
                          HfsrModelVariant **variants, int *n_variants,
                          GError **error)
{
  GArray *family;
  GString *unreadable;

  g_return_val_if_fail (prefix != NULL && key != NULL, FALSE);
  g_return_val_if_fail (variants != NULL && n_variants != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *variants = NULL;
  *n_variants = 0;
  unreadable = g_string_new (NULL);
  family = load_family (prefix, key, unreadable, error);
  if (family != NULL && family->len == 0 && unreadable->len > 0)
    {
      /* "none" would be wrong: the family may be in the folder not read */
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO, "%s",
                   unreadable->str + 2);
      g_clear_pointer (&family, g_array_unref);
    }
  g_string_free (unreadable, TRUE);
  if (family == NULL)
    return FALSE;
  *variants = g_new0 (HfsrModelVariant, MAX (family->len, 1));
  *n_variants = (int) family->len;
  for (guint i = 0; i < family->len; i++)
    {
      const Variant *variant = &g_array_index (family, Variant, i);

      (*variants)[i].path = g_strdup (hfsr_model_get_name (variant->model));
      (*variants)[i].value = variant->value;
    }
  g_array_unref (family);
  return TRUE;
}

void
hfsr_model_variants_free (HfsrModelVariant *variants, int n_variants)
{
  for (int i = 0; i < n_variants; i++)
    g_free (variants[i].path);
  g_free (variants);
}

/* Takes the model out of @family's entry @index. */
static HfsrModel *
take_model (GArray *family, guint index)
{
  Variant *variant = &g_array_index (family, Variant, index);

  return g_steal_pointer (&variant->model);
}

HfsrModel *
hfsr_model_load_for_value (const char *prefix, const char *key, double value,
                           GError **error)
{
  GArray *family;
  GString *unreadable;
  HfsrModel *model = NULL;
  const Variant *below, *above;
  guint n, i;

  g_return_val_if_fail (prefix != NULL && key != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (isnan (value))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s*%s: asked for a model at %s = NaN", prefix,
                   MODEL_SUFFIX, key);
      return NULL;
    }
  unreadable = g_string_new (NULL);
  family = load_family (prefix, key, unreadable, error);
  if (family == NULL)
    {
      g_string_free (unreadable, TRUE);
      return NULL;
    }
  n = family->len;
  if (n == 0)
    {
      char **folders = hfsr_model_search_path ();
      char *searched = g_strjoinv (G_SEARCHPATH_SEPARATOR_S, folders);

      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO,
                   "no model file %s*%s in %s%s", prefix, MODEL_SUFFIX,
                   searched, unreadable->str);
      g_string_free (unreadable, TRUE);
      g_free (searched);
      g_strfreev (folders);
      g_array_unref (family);
      return NULL;
    }
  g_string_free (unreadable, TRUE);

  /* The last variant at or below @value (within SAME_VALUE), or the first
   * when @value lies below them all: that one, or the last, is then the
   * clamped answer. */
  for (i = 0; i + 1 < n; i++)
    if (g_array_index (family, Variant, i + 1).value > value + SAME_VALUE)
      break;
  below = &g_array_index (family, Variant, i);
  if (i + 1 == n || value <= below->value + SAME_VALUE)
    model = take_model (family, i);
  else
    {
      above = &g_array_index (family, Variant, i + 1);
      model = hfsr_model_blend (
        below->model, above->model,
        (value - below->value) / (above->value - below->value), error);
      if (model != NULL)
        {
          char text[G_ASCII_DTOSTR_BUF_SIZE];

          g_hash_table_replace (
            model->metadata, g_strdup (key),
            g_strdup (g_ascii_dtostr (text, sizeof text, value)));
        }
    }
  g_array_unref (family);
  return model;
}

HfsrModel *
hfsr_model_load_sr (const char *path, int scale, double alpha,
                    gboolean perceptual, GError **error)
{
  HfsrModel *model;

  if (path != NULL)
    model = hfsr_model_load (path, error);
  else
    {
      char *prefix = g_strdup_printf (
        perceptual ? "hfsr-x%d-perceptual" : "hfsr-x%d-a", scale);

      /* The perceptual family has one file a scale and no alpha: its
       * file is found by the scale, which every SR file states. */
      model = hfsr_model_load_for_value (
        prefix, perceptual ? "hfsr.scale" : "hfsr.alpha",
        perceptual ? scale : alpha, error);
      g_free (prefix);
    }
  if (model != NULL
      && (hfsr_model_get_scale (model) != scale
          || hfsr_model_get_input_channels (model) != 3
          || hfsr_model_get_output_channels (model, 0) != 3))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s: the network turns %d channels into %d at x%d; "
                   "R'G'B' (3) into R'G'B' at x%d is needed",
                   hfsr_model_get_name (model),
                   hfsr_model_get_input_channels (model),
                   hfsr_model_get_output_channels (model, 0),
                   hfsr_model_get_scale (model), scale);
      g_clear_pointer (&model, hfsr_model_free);
    }
  return model;
}
