/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Blending two trainings of one network, the model search path, and a
 * family of models trained for several values of a parameter: which files
 * belong to it, which folder wins, and which model (or blend) a value gets.
 */
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hfsr-config.h"
#include "hfsr-private.h"
#include "model-builder.h"
#include "test-util.h"

#define KEY "zoo.value"
#define PREFIX "zoo-test-a"

/* A small x2 network: conv 3x3, ReLU, conv 3x3, pixel shuffle.  @seed sets
 * its weights and @features its width; @extra_relu makes another graph. */
static GBytes *
net_bytes (guint32 seed, int features, gboolean extra_relu, const char *value)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);
  GBytes *bytes;

  hfsr_model_builder_add_conv2d (b, "head", "input", 3, features, 3, seed);
  hfsr_model_builder_add_node (b, "act", "relu", "head", NULL);
  hfsr_model_builder_add_conv2d (b, "tail", "act", features, 12, 3, seed + 10);
  if (extra_relu)
    hfsr_model_builder_add_node (b, "tail_act", "relu", "tail", NULL);
  hfsr_model_builder_add_node (b, "output", "pixel_shuffle",
                               extra_relu ? "tail_act" : "tail",
                               "{\"factor\": 2}");
  hfsr_model_builder_set_metadata (b, "custom.key", "from the builder");
  if (value != NULL)
    hfsr_model_builder_set_metadata (b, KEY, value);
  bytes = hfsr_model_builder_build (b);
  hfsr_model_builder_free (b);
  return bytes;
}

static HfsrModel *
net_new (guint32 seed, int features, gboolean extra_relu, const char *name)
{
  GBytes *bytes = net_bytes (seed, features, extra_relu, NULL);
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  GError *error = NULL;
  HfsrModel *model = hfsr_model_load_from_data (data, size, name, &error);

  g_assert_no_error (error);
  g_bytes_unref (bytes);
  return model;
}

/* The model's output for a fixed random 9 x 7 image. */
static HfsrTensor *
run (const HfsrModel *model)
{
  GError *error = NULL;
  HfsrTensor *input = hfsr_tensor_new (3, 7, 9, &error);
  HfsrTensor *output = NULL;

  g_assert_no_error (error);
  hfsr_test_fill_random (input->data, hfsr_tensor_size (input), 77, 0.0f,
                         1.0f);
  g_assert_true (hfsr_model_forward (model, input, &output, NULL, &error));
  g_assert_no_error (error);
  hfsr_tensor_free (input);
  return output;
}

static void
assert_same_output (const HfsrModel *a, const HfsrModel *b)
{
  HfsrTensor *x = run (a), *y = run (b);

  g_assert_cmpmem (x->data, hfsr_tensor_size (x) * sizeof (float), y->data,
                   hfsr_tensor_size (y) * sizeof (float));
  hfsr_tensor_free (x);
  hfsr_tensor_free (y);
}

static double
output_difference (const HfsrModel *a, const HfsrModel *b)
{
  HfsrTensor *x = run (a), *y = run (b);
  double difference
    = hfsr_test_max_abs_diff (x->data, y->data, hfsr_tensor_size (x));

  hfsr_tensor_free (x);
  hfsr_tensor_free (y);
  return difference;
}

static void
test_blend_ends_and_middle (void)
{
  HfsrModel *a = net_new (1, 6, FALSE, "a.safetensors");
  HfsrModel *b = net_new (2, 6, FALSE, "b.safetensors");
  const double ts[] = { 0.0, 0.25, 0.5, 1.0 };

  for (int k = 0; k < (int) G_N_ELEMENTS (ts); k++)
    {
      GError *error = NULL;
      HfsrModel *blend = hfsr_model_blend (a, b, ts[k], &error);

      g_assert_no_error (error);
      g_assert_cmpint (blend->n_weights, ==, a->n_weights);
      for (int i = 0; i < blend->n_weights; i++)
        {
          const HfsrWeight *w = &blend->weights[i];
          const HfsrWeight *wa = &a->weights[i];
          const HfsrWeight *wb = NULL;

          for (int j = 0; j < b->n_weights; j++)
            if (strcmp (b->weights[j].name, w->name) == 0)
              wb = &b->weights[j];
          g_assert_nonnull (wb);
          g_assert_cmpstr (w->name, ==, wa->name);
          g_assert_cmpint (w->n_elements, ==, wa->n_elements);
          for (gsize e = 0; e < w->n_elements; e++)
            {
              double expected
                = wa->data[e] + ts[k] * (wb->data[e] - wa->data[e]);

              g_assert_cmpfloat_with_epsilon (w->data[e], expected, 1e-6);
            }
        }

      /* The ends are the two models to the bit; the middle is neither. */
      if (ts[k] == 0.0)
        assert_same_output (blend, a);
      else if (ts[k] == 1.0)
        assert_same_output (blend, b);
      else
        {
          g_assert_cmpfloat (output_difference (blend, a), >, 1e-3);
          g_assert_cmpfloat (output_difference (blend, b), >, 1e-3);
        }

      /* The structure is a's and its own: nodes use the blend's weights. */
      g_assert_cmpint (hfsr_model_get_scale (blend), ==, 2);
      g_assert_cmpint (hfsr_model_get_margin (blend), ==,
                       hfsr_model_get_margin (a));
      for (int n = 0; n < blend->n_nodes; n++)
        if (blend->nodes[n].weight != NULL)
          g_assert_true (blend->nodes[n].weight >= blend->weights
                         && blend->nodes[n].weight
                              < blend->weights + blend->n_weights);
      g_assert_cmpstr (hfsr_model_get_metadata (blend, "custom.key"), ==,
                       "from the builder");
      g_assert_nonnull (
        strstr (hfsr_model_get_name (blend), "a.safetensors + b.safetensors"));
      hfsr_model_free (blend);
    }
  hfsr_model_free (a);
  hfsr_model_free (b);
}

/* The blend owns everything: freeing the parents first leaves it whole. */
static void
test_blend_outlives_parents (void)
{
  HfsrModel *a = net_new (1, 6, FALSE, "a");
  HfsrModel *b = net_new (2, 6, FALSE, "b");
  HfsrModel *expected = hfsr_model_blend (a, b, 0.5, NULL);
  HfsrModel *blend = hfsr_model_blend (a, b, 0.5, NULL);

  hfsr_model_free (a);
  hfsr_model_free (b);
  assert_same_output (blend, expected);
  hfsr_model_free (blend);
  hfsr_model_free (expected);
}

static void
check_refused (const HfsrModel *a, const HfsrModel *b, double t,
               const char *fragment)
{
  GError *error = NULL;

  g_assert_null (hfsr_model_blend (a, b, t, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, fragment));
  g_assert_nonnull (strstr (error->message, hfsr_model_get_name (a)));
  g_assert_nonnull (strstr (error->message, hfsr_model_get_name (b)));
  g_error_free (error);
}

static void
test_blend_refuses_other_networks (void)
{
  HfsrModel *a = net_new (1, 6, FALSE, "a.safetensors");
  HfsrModel *other_graph = net_new (1, 6, TRUE, "relu.safetensors");
  HfsrModel *wider = net_new (1, 8, FALSE, "wide.safetensors");
  HfsrModelBuilder *builder = hfsr_model_builder_new ("input", 3);
  const gint64 shape[1] = { 5 };
  HfsrModel *extra;
  GBytes *bytes;
  gsize size;
  const guint8 *data;

  check_refused (a, other_graph, 0.5, "graphs (hfsr.graph) differ");
  /* Same graph text (it names tensors, not their shapes), other widths. */
  check_refused (a, wider, 0.5,
                 "tensor 'head.weight' is [6, 3, 3, 3] in one and "
                 "[8, 3, 3, 3] in the other");
  check_refused (a, a, -0.1, "outside [0, 1]");
  check_refused (a, a, 1.5, "outside [0, 1]");
  check_refused (a, a, NAN, "outside [0, 1]");

  /* The same graph with a tensor no node uses. */
  hfsr_model_builder_add_conv2d (builder, "head", "input", 3, 6, 3, 1);
  hfsr_model_builder_add_node (builder, "act", "relu", "head", NULL);
  hfsr_model_builder_add_conv2d (builder, "tail", "act", 6, 12, 3, 11);
  hfsr_model_builder_add_node (builder, "output", "pixel_shuffle", "tail",
                               "{\"factor\": 2}");
  hfsr_model_builder_add_random_tensor (builder, "unused", 3, 1.0f, 1, shape);
  bytes = hfsr_model_builder_build (builder);
  data = g_bytes_get_data (bytes, &size);
  extra = hfsr_model_load_from_data (data, size, "extra.safetensors", NULL);
  g_assert_nonnull (extra);
  check_refused (a, extra, 0.5, "they hold 4 and 5 tensors");
  check_refused (extra, a, 0.5, "they hold 5 and 4 tensors");

  g_bytes_unref (bytes);
  hfsr_model_builder_free (builder);
  hfsr_model_free (extra);
  hfsr_model_free (wider);
  hfsr_model_free (other_graph);
  hfsr_model_free (a);
}

static void
test_search_path (void)
{
  char **path;

  g_setenv ("HFSR_MODEL_PATH", "/first::/second:", TRUE);
  path = hfsr_model_search_path ();
  g_assert_cmpint (g_strv_length (path), ==, 3);
  g_assert_cmpstr (path[0], ==, "/first");
  g_assert_cmpstr (path[1], ==, "/second");
  g_assert_cmpstr (path[2], ==, HFSR_MODEL_DIR);
  g_strfreev (path);

  g_unsetenv ("HFSR_MODEL_PATH");
  path = hfsr_model_search_path ();
  g_assert_cmpint (g_strv_length (path), ==, 1);
  g_assert_cmpstr (path[0], ==, HFSR_MODEL_DIR);
  g_strfreev (path);
}

/* Two folders holding a family each: "first" values 0 (twice, two
 * trainings), 0.2 and 1/3 and files that are not of the family, "second"
 * 0 and 1/7 (another training). */
typedef struct
{
  char *first;
  char *second;
} Folders;

static void
write_file (const char *folder, const char *name, GBytes *bytes)
{
  char *path = g_build_filename (folder, name, NULL);
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  g_assert_true (g_file_set_contents (path, data, (gssize) size, NULL));
  g_free (path);
  g_bytes_unref (bytes);
}

static void
folders_set_up (Folders *f, gconstpointer data)
{
  f->first = g_dir_make_tmp ("hfsr-zoo-XXXXXX", NULL);
  f->second = g_dir_make_tmp ("hfsr-zoo-XXXXXX", NULL);
  g_assert_nonnull (f->first);
  g_assert_nonnull (f->second);

  write_file (f->first, PREFIX "0.safetensors", net_bytes (1, 6, FALSE, "0"));
  /* Sorts after the one above ('.' < '0'), so that one stands. */
  write_file (f->first, PREFIX "00.safetensors",
              net_bytes (3, 6, FALSE, "0.0"));
  write_file (f->first, PREFIX "1-5.safetensors",
              net_bytes (2, 6, FALSE, "0.2"));
  write_file (f->first, PREFIX "1-3.safetensors",
              net_bytes (4, 6, FALSE, "0.3333333333333333"));
  /* Not of the family: another suffix, another prefix. */
  write_file (f->first, PREFIX "0.safetensors.bak",
              g_bytes_new_static ("junk", 4));
  write_file (f->first, "other-a0.safetensors",
              g_bytes_new_static ("junk", 4));
  write_file (f->second, PREFIX "0.safetensors", net_bytes (5, 6, FALSE, "0"));
  write_file (f->second, PREFIX "1-7.safetensors",
              net_bytes (6, 6, FALSE, "0.14285714285714285"));
  g_setenv ("HFSR_MODEL_PATH", f->first, TRUE);
}

static void
folders_tear_down (Folders *f, gconstpointer data)
{
  hfsr_test_remove_folder (f->first);
  hfsr_test_remove_folder (f->second);
  g_free (f->first);
  g_free (f->second);
  g_unsetenv ("HFSR_MODEL_PATH");
}

static void
set_path (const char *a, const char *b)
{
  char *path = g_strjoin (G_SEARCHPATH_SEPARATOR_S, a, b, NULL);

  g_setenv ("HFSR_MODEL_PATH", path, TRUE);
  g_free (path);
}

static HfsrModel *
load_from (const char *folder, const char *name)
{
  char *path = g_build_filename (folder, name, NULL);
  GError *error = NULL;
  HfsrModel *model = hfsr_model_load (path, &error);

  g_assert_no_error (error);
  g_free (path);
  return model;
}

static void
assert_variant (const HfsrModelVariant *variant, const char *folder,
                const char *name, double value)
{
  char *path = g_build_filename (folder, name, NULL);

  g_assert_cmpstr (variant->path, ==, path);
  g_assert_cmpfloat (variant->value, ==, value);
  g_free (path);
}

static void
test_find_variants (Folders *f, gconstpointer data)
{
  HfsrModelVariant *variants;
  int n;
  GError *error = NULL;

  char *empty = g_dir_make_tmp ("hfsr-zoo-XXXXXX", NULL);

  /* The whole family from the first folder that holds one; never a mix. */
  set_path (f->first, f->second);
  g_assert_true (
    hfsr_model_find_variants (PREFIX, KEY, &variants, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 3);
  assert_variant (&variants[0], f->first, PREFIX "0.safetensors", 0.0);
  assert_variant (&variants[1], f->first, PREFIX "1-5.safetensors", 0.2);
  assert_variant (&variants[2], f->first, PREFIX "1-3.safetensors", 1.0 / 3.0);
  hfsr_model_variants_free (variants, n);

  set_path (f->second, f->first);
  g_assert_true (
    hfsr_model_find_variants (PREFIX, KEY, &variants, &n, &error));
  g_assert_cmpint (n, ==, 2);
  assert_variant (&variants[0], f->second, PREFIX "0.safetensors", 0.0);
  assert_variant (&variants[1], f->second, PREFIX "1-7.safetensors",
                  1.0 / 7.0);
  hfsr_model_variants_free (variants, n);

  /* A folder without the family is passed over. */
  set_path (empty, f->second);
  g_assert_true (
    hfsr_model_find_variants (PREFIX, KEY, &variants, &n, &error));
  g_assert_cmpint (n, ==, 2);
  assert_variant (&variants[0], f->second, PREFIX "0.safetensors", 0.0);
  hfsr_model_variants_free (variants, n);
  hfsr_test_remove_folder (empty);
  g_free (empty);

  /* No file of the family is no error. */
  g_assert_true (
    hfsr_model_find_variants ("zoo-none-", KEY, &variants, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);
  hfsr_model_variants_free (variants, n);
}

static void
test_load_for_value (Folders *f, gconstpointer data)
{
  HfsrModel *zero = load_from (f->first, PREFIX "0.safetensors");
  HfsrModel *fifth = load_from (f->first, PREFIX "1-5.safetensors");
  HfsrModel *third = load_from (f->first, PREFIX "1-3.safetensors");
  HfsrModel *model, *expected;
  GError *error = NULL;

  set_path (f->first, f->second);

  /* Trained values, within the metadata's decimal precision. */
  model = hfsr_model_load_for_value (PREFIX, KEY, 0.2, &error);
  g_assert_no_error (error);
  assert_same_output (model, fifth);
  g_assert_cmpstr (hfsr_model_get_metadata (model, KEY), ==, "0.2");
  hfsr_model_free (model);
  model = hfsr_model_load_for_value (PREFIX, KEY, 1.0 / 3.0, &error);
  assert_same_output (model, third);
  hfsr_model_free (model);

  /* Between: the blend of the two nearest, linear in the value. */
  model = hfsr_model_load_for_value (PREFIX, KEY, 0.1, &error);
  g_assert_no_error (error);
  expected = hfsr_model_blend (zero, fifth, 0.5, NULL);
  assert_same_output (model, expected);
  g_assert_cmpfloat (
    g_ascii_strtod (hfsr_model_get_metadata (model, KEY), NULL), ==, 0.1);
  hfsr_model_free (expected);
  hfsr_model_free (model);

  model = hfsr_model_load_for_value (PREFIX, KEY, 0.3, &error);
  expected
    = hfsr_model_blend (fifth, third, (0.3 - 0.2) / (1.0 / 3.0 - 0.2), NULL);
  assert_same_output (model, expected);
  hfsr_model_free (expected);
  hfsr_model_free (model);

  /* Outside: clamped to the nearest end. */
  model = hfsr_model_load_for_value (PREFIX, KEY, -1.0, &error);
  assert_same_output (model, zero);
  hfsr_model_free (model);
  model = hfsr_model_load_for_value (PREFIX, KEY, 5.0, &error);
  assert_same_output (model, third);
  g_assert_cmpstr (hfsr_model_get_metadata (model, KEY), ==,
                   "0.3333333333333333");
  hfsr_model_free (model);

  g_assert_null (hfsr_model_load_for_value (PREFIX, KEY, NAN, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  hfsr_model_free (zero);
  hfsr_model_free (fifth);
  hfsr_model_free (third);
}

/* One value: that model whatever is asked, never a blend with a model of
 * the family in a later folder. */
static void
test_single_variant (Folders *f, gconstpointer data)
{
  HfsrModel *only = load_from (f->second, PREFIX "1-7.safetensors");
  char *path = g_build_filename (f->second, PREFIX "0.safetensors", NULL);

  g_unlink (path);
  set_path (f->second, f->first);
  for (double value = -0.5; value < 1.0; value += 0.25)
    {
      HfsrModel *model = hfsr_model_load_for_value (PREFIX, KEY, value, NULL);

      assert_same_output (model, only);
      hfsr_model_free (model);
    }
  g_free (path);
  hfsr_model_free (only);
}

static void
check_family_error (const char *prefix, int code, const char *fragment)
{
  HfsrModelVariant *variants = NULL;
  GError *error = NULL;
  int n = -1;

  g_assert_null (hfsr_model_load_for_value (prefix, KEY, 0.1, &error));
  g_assert_error (error, HFSR_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, fragment));
  g_clear_error (&error);

  /* Listing loads every member but blends none. */
  if (code != HFSR_ERROR_FORMAT)
    return;
  g_assert_false (
    hfsr_model_find_variants (prefix, KEY, &variants, &n, &error));
  g_assert_error (error, HFSR_ERROR, code);
  g_assert_null (variants);
  g_assert_cmpint (n, ==, 0);
  g_clear_error (&error);
}

/* A damaged member is reported by name, never skipped; so is a member
 * without its value; no member at all names what was looked for where. */
static void
test_family_errors (Folders *f, gconstpointer data)
{
  GBytes *good = net_bytes (5, 6, FALSE, "0.1");
  gsize size;
  const guint8 *bytes = g_bytes_get_data (good, &size);

  write_file (f->first, "zoo-cut-a1.safetensors",
              g_bytes_new (bytes, size / 2));
  check_family_error ("zoo-cut-a", HFSR_ERROR_FORMAT,
                      "zoo-cut-a1.safetensors: ");

  write_file (f->first, "zoo-nokey-a1.safetensors",
              net_bytes (5, 6, FALSE, NULL));
  check_family_error ("zoo-nokey-a", HFSR_ERROR_FORMAT,
                      "zoo-nokey-a1.safetensors: metadata 'zoo.value' is "
                      "missing");

  write_file (f->first, "zoo-text-a1.safetensors",
              net_bytes (5, 6, FALSE, "0.1 or so"));
  check_family_error ("zoo-text-a", HFSR_ERROR_FORMAT,
                      "'0.1 or so', not a decimal number");

  /* Two members that are not one network cannot be blended. */
  write_file (f->first, "zoo-mixed-a0.safetensors",
              net_bytes (5, 6, FALSE, "0"));
  write_file (f->first, "zoo-mixed-a1.safetensors",
              net_bytes (5, 8, FALSE, "1"));
  check_family_error ("zoo-mixed-a", HFSR_ERROR_INVALID_ARGUMENT,
                      "cannot be blended with");

  check_family_error ("zoo-none-", HFSR_ERROR_IO,
                      "no model file zoo-none-*.safetensors in ");
  g_bytes_unref (good);
}

/* A FIFO named like a member is refused by name, at once (opened the usual
 * way it would wait for a writer forever); a model folder that cannot be
 * read is named as such, not reported as holding no model.  A symbolic
 * link to itself stands for an unreadable folder: it cannot be opened even
 * by root, for whom permissions are no obstacle. */
static void
test_hostile_folders (Folders *f, gconstpointer data)
{
  char *fifo = g_build_filename (f->first, "zoo-fifo-a1.safetensors", NULL);
  char *loop = g_build_filename (f->second, "loop", NULL);
  HfsrModelVariant *variants = NULL;
  GError *error = NULL;
  int n = -1;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  alarm (20); /* a hang fails the test instead of stalling the suite */
  check_family_error ("zoo-fifo-a", HFSR_ERROR_IO,
                      "zoo-fifo-a1.safetensors: is not a regular file");
  alarm (0);
  g_unlink (fifo);

  g_assert_cmpint (symlink (loop, loop), ==, 0);
  set_path (loop, f->first);
  check_family_error ("zoo-none-", HFSR_ERROR_IO, "loop");
  g_assert_false (
    hfsr_model_find_variants ("zoo-none-", KEY, &variants, &n, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_IO);
  g_assert_nonnull (strstr (error->message, loop));
  g_clear_error (&error);
  g_unlink (loop);
  g_free (loop);
  g_free (fifo);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/model-zoo/blend-ends-and-middle",
                   test_blend_ends_and_middle);
  g_test_add_func ("/model-zoo/blend-outlives-parents",
                   test_blend_outlives_parents);
  g_test_add_func ("/model-zoo/blend-refuses-other-networks",
                   test_blend_refuses_other_networks);
  g_test_add_func ("/model-zoo/search-path", test_search_path);
  g_test_add ("/model-zoo/find-variants", Folders, NULL, folders_set_up,
              test_find_variants, folders_tear_down);
  g_test_add ("/model-zoo/load-for-value", Folders, NULL, folders_set_up,
              test_load_for_value, folders_tear_down);
  g_test_add ("/model-zoo/single-variant", Folders, NULL, folders_set_up,
              test_single_variant, folders_tear_down);
  g_test_add ("/model-zoo/family-errors", Folders, NULL, folders_set_up,
              test_family_errors, folders_tear_down);
  g_test_add ("/model-zoo/hostile-folders", Folders, NULL, folders_set_up,
              test_hostile_folders, folders_tear_down);
  return g_test_run ();
}
