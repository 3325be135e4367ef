/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Layers' parameters and shapes, loaded from JSON the way a model loads
 * them: invalid ones, which must fail with a GError, the messages, and the
 * valid variants next to them; margins, both their values and their meaning
 * (a crop with a contaminated border band).  Every layer's values against
 * its naive twin are test-layers.c's.
 */
#include <math.h>
#include <string.h>

#include "layer-test-util.h"

/* Fixed seeds: a failure reproduces on every run. */
#define SEED 20260102u

/* ------------------------------------------------------ invalid input */

typedef struct
{
  const char *op;
  const char *json;
  /* 0: load() must fail.  Otherwise load() succeeds and infer_shape() must
   * fail on these input shapes. */
  int n_inputs;
  HfsrShape inputs[2];
} InvalidCase;

static const InvalidCase invalid_cases[] = {
  /* conv2d: kernels, weight references and shapes, bias */
  { "conv2d", "{\"weight\": \"w_even\"}" },
  { "conv2d", "{\"weight\": \"w_even_w\"}" },
  { "conv2d", "{}" },
  { "conv2d", "{\"weight\": null}" },
  { "conv2d", "{\"weight\": \"nope\"}" },
  { "conv2d", "{\"weight\": 3}" },
  { "conv2d", "{\"weight\": [\"w_ok\"]}" },
  { "conv2d", "{\"weight\": {\"name\": \"w_ok\"}}" },
  { "conv2d", "{\"weight\": \"w3d\"}" },
  { "conv2d", "{\"weight\": \"b4\"}" },
  { "conv2d", "{\"weight\": \"w_zero\"}" },
  { "conv2d", "{\"weight\": \"w_lying\"}" },
  { "conv2d", "{\"weight\": \"w_huge\"}" },
  { "conv2d", "{\"weight\": \"w_ok\", \"bias\": \"b5\"}" },
  { "conv2d", "{\"weight\": \"w_ok\", \"bias\": \"b2d\"}" },
  { "conv2d", "{\"weight\": \"w_ok\", \"bias\": \"nope\"}" },
  { "conv2d", "{\"weight\": \"w_ok\", \"bias\": 7}" },
  { "conv2d", "{\"weight\": \"w_ok\"}", 1, { { 5, 8, 8 } } },
  /* conv_transpose2d: the stride/padding constraint, JSON types, ranges */
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": 2, "
                        "\"padding\": 4}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": 3, "
                        "\"padding\": 4, \"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": 2, "
                        "\"padding\": 3, \"output_padding\": 3}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"padding\": 4, "
                        "\"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": \"2\", "
                        "\"padding\": 4, \"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": 2.0, "
                        "\"padding\": 4, \"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": 2.5, "
                        "\"padding\": 4, \"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": true, "
                        "\"padding\": 4, \"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": [2], "
                        "\"padding\": 4, \"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": 0, "
                        "\"padding\": 4, \"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": -2, "
                        "\"padding\": 4, \"output_padding\": 1}" },
  /* 2^32 + 2: wraps to a valid 2 if truncated to int before checking. */
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": 4294967298, "
                        "\"padding\": 4, \"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": 2, "
                        "\"padding\": -4, \"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": 2, "
                        "\"padding\": \"4\", \"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"stride\": 2, "
                        "\"padding\": 4, \"output_padding\": -1}" },
  { "conv_transpose2d", "{\"weight\": \"wt_rect\", \"stride\": 2, "
                        "\"padding\": 4, \"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"w3d\", \"stride\": 2, "
                        "\"padding\": 4, \"output_padding\": 1}" },
  { "conv_transpose2d", "{\"stride\": 2, \"padding\": 4, "
                        "\"output_padding\": 1}" },
  { "conv_transpose2d", "{\"weight\": \"wt9\", \"bias\": \"b4\", "
                        "\"stride\": 2, \"padding\": 4, "
                        "\"output_padding\": 1}" },
  { "conv_transpose2d",
    "{\"weight\": \"wt9\", \"stride\": 2, "
    "\"padding\": 4, \"output_padding\": 1}",
    1,
    { { 4, 5, 5 } } },
  { "conv_transpose2d",
    "{\"weight\": \"wt9\", \"stride\": 2, "
    "\"padding\": 4, \"output_padding\": 1}",
    1,
    { { 3, 1 << 30, 1 << 30 } } },
  /* pixel_shuffle */
  { "pixel_shuffle", "{}" },
  { "pixel_shuffle", "{\"factor\": 0}" },
  { "pixel_shuffle", "{\"factor\": -2}" },
  { "pixel_shuffle", "{\"factor\": \"2\"}" },
  { "pixel_shuffle", "{\"factor\": [2]}" },
  { "pixel_shuffle", "{\"factor\": {}}" },
  { "pixel_shuffle", "{\"factor\": 2.5}" },
  { "pixel_shuffle", "{\"factor\": 1000}" },
  { "pixel_shuffle", "{\"factor\": 4294967298}" },
  { "pixel_shuffle", "{\"factor\": 2}", 1, { { 6, 4, 4 } } },
  { "pixel_shuffle", "{\"factor\": 3}", 1, { { 4, 4, 4 } } },
  { "pixel_shuffle", "{\"factor\": 16}", 1, { { 256, 1 << 28, 1 } } },
  /* prelu */
  { "prelu", "{}" },
  { "prelu", "{\"weight\": \"slopes2d\"}" },
  { "prelu", "{\"weight\": \"w_ok\"}" },
  { "prelu", "{\"weight\": \"nope\"}" },
  { "prelu", "{\"weight\": \"slopes3\"}", 1, { { 4, 2, 2 } } },
  { "prelu", "{\"weight\": \"slopes3\"}", 1, { { 1, 2, 2 } } },
  /* add, channel_scale */
  { "add", "{}", 2, { { 3, 4, 4 }, { 3, 4, 5 } } },
  { "add", "{}", 2, { { 3, 4, 4 }, { 3, 5, 4 } } },
  { "add", "{}", 2, { { 3, 4, 4 }, { 2, 4, 4 } } },
  { "channel_scale", "{}", 2, { { 3, 4, 4 }, { 2, 1, 1 } } },
  { "channel_scale", "{}", 2, { { 3, 4, 4 }, { 3, 2, 1 } } },
  { "channel_scale", "{}", 2, { { 3, 4, 4 }, { 3, 1, 2 } } },
  { "channel_scale", "{}", 2, { { 3, 4, 4 }, { 3, 4, 4 } } },
  /* linear */
  { "linear", "{}" },
  { "linear", "{\"weight\": \"lin1d\"}" },
  { "linear", "{\"weight\": \"w_ok\"}" },
  { "linear", "{\"weight\": \"lin\", \"bias\": \"b4\"}" },
  { "linear", "{\"weight\": \"lin\", \"bias\": \"lin\"}" },
  { "linear", "{\"weight\": \"lin\"}", 1, { { 3, 2, 3 } } },
  { "linear", "{\"weight\": \"lin\"}", 1, { { 12, 1, 2 } } },
};

static GPtrArray *
invalid_store_new (void)
{
  GPtrArray *store = layer_test_store_new ();
  HfsrWeight *weight;

  layer_test_store_add (store, "w_ok", 1, 4, 4, 3, 3, 3);
  layer_test_store_add (store, "w_even", 2, 4, 4, 3, 4, 4);
  layer_test_store_add (store, "w_even_w", 3, 4, 4, 3, 3, 2);
  layer_test_store_add (store, "w3d", 4, 3, 4, 3, 3);
  layer_test_store_add (store, "w_zero", 5, 4, 4, 0, 3, 3);
  /* Claims fewer elements than its shape holds (a loader bug's symptom). */
  weight = layer_test_store_add (store, "w_lying", 6, 4, 4, 3, 3, 3);
  weight->n_elements = 10;
  /* A dimension beyond int: only the shape is stored, not the data. */
  weight = layer_test_store_add (store, "w_huge", 7, 4, 4, 3, 1, 1);
  weight->shape[1] = G_GINT64_CONSTANT (3000000000);
  layer_test_store_add (store, "b4", 8, 1, 4);
  layer_test_store_add (store, "b5", 9, 1, 5);
  layer_test_store_add (store, "b2d", 10, 2, 4, 1);
  layer_test_store_add (store, "wt9", 11, 4, 3, 1, 9, 9);
  layer_test_store_add (store, "wt_rect", 12, 4, 3, 1, 9, 7);
  layer_test_store_add (store, "lin", 13, 2, 10, 12);
  layer_test_store_add (store, "lin1d", 14, 1, 12);
  layer_test_store_add (store, "slopes3", 15, 1, 3);
  layer_test_store_add (store, "slopes2d", 16, 2, 3, 1);
  return store;
}

static void
test_invalid (void)
{
  GPtrArray *store = invalid_store_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      const InvalidCase *bad = &invalid_cases[i];
      GError *error = NULL;
      HfsrNode node;
      HfsrShape output;
      gboolean ok
        = layer_test_load_node (bad->op, store, bad->json, &node, &error);

      if (bad->n_inputs > 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpint (bad->n_inputs, >=, node.klass->min_inputs);
          g_assert_cmpint (bad->n_inputs, <=, node.klass->max_inputs);
          ok = node.klass->infer_shape (&node, bad->inputs, &output, &error);
        }
      if (ok || error == NULL)
        g_test_fail_printf ("%s %s (%d inputs) was accepted", bad->op,
                            bad->json, bad->n_inputs);
      else
        {
          g_assert_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT);
          g_assert_cmpuint (strlen (error->message), >, 10);
          g_test_message ("%s %s: %s", bad->op, bad->json, error->message);
          g_clear_error (&error);
        }
    }
  g_ptr_array_unref (store);
}

static void
test_error_messages (void)
{
  GPtrArray *store = invalid_store_new ();
  GError *error = NULL;
  HfsrNode node;

  g_assert_false (layer_test_load_node (
    "conv2d", store, "{\"weight\": \"w_even\"}", &node, &error));
  g_assert_cmpstr (error->message, ==,
                   "weight 'w_even' has shape [4,3,4,4]: kernel must be odd");
  g_clear_error (&error);

  g_assert_false (layer_test_load_node (
    "conv2d", store, "{\"weight\": \"nope\"}", &node, &error));
  g_assert_nonnull (strstr (error->message, "'nope'"));
  g_clear_error (&error);

  g_assert_false (layer_test_load_node ("pixel_shuffle", store,
                                        "{\"factor\": 1000}", &node, &error));
  g_assert_nonnull (strstr (error->message, "'factor'"));
  g_assert_nonnull (strstr (error->message, "1000"));
  g_clear_error (&error);
  g_ptr_array_unref (store);
}

/* Valid variants the invalid cases sit next to. */
static void
test_valid_variants (void)
{
  GPtrArray *store = invalid_store_new ();
  HfsrNode node;

  /* A JSON null bias means no bias. */
  layer_test_load_node_or_die (
    "conv2d", store, "{\"weight\": \"w_ok\", \"bias\": null}", &node);
  g_assert_null (node.bias);
  g_assert_cmpint (node.in_channels, ==, 3);
  g_assert_cmpint (node.out_channels, ==, 4);
  g_assert_cmpint (node.kernel_h, ==, 3);
  g_assert_cmpint (node.kernel_w, ==, 3);

  /* padding and output_padding default to 0; 9 - 0 - 0 = 9 = stride. */
  layer_test_load_node_or_die ("conv_transpose2d", store,
                               "{\"weight\": \"wt9\", \"stride\": 9}", &node);
  g_assert_cmpint (node.stride, ==, 9);
  g_assert_cmpint (node.padding, ==, 0);
  g_assert_cmpint (node.output_padding, ==, 0);
  g_assert_cmpint (node.in_channels, ==, 3);
  g_assert_cmpint (node.out_channels, ==, 1);

  layer_test_load_node_or_die ("linear", store, "{\"weight\": \"lin\"}",
                               &node);
  g_assert_cmpint (node.in_channels, ==, 12);
  g_assert_cmpint (node.out_channels, ==, 10);
  g_ptr_array_unref (store);
}

/* -------------------------------------------------------------- margins */

static void
test_margin_values (void)
{
  GPtrArray *store = layer_test_store_new ();
  const char *same_ops[]
    = { "relu", "sigmoid", "add", "channel_scale", "softmax" };
  HfsrNode node;

  layer_test_store_add (store, "k3", 1, 4, 2, 2, 3, 3);
  layer_test_store_add (store, "k9", 1, 4, 2, 2, 9, 9);
  layer_test_store_add (store, "k1", 1, 4, 2, 2, 1, 1);
  layer_test_store_add (store, "k5x3", 1, 4, 2, 2, 5, 3);
  layer_test_store_add (store, "k1x3", 1, 4, 2, 2, 1, 3);
  layer_test_store_add (store, "t4", 1, 4, 2, 2, 4, 4);
  layer_test_store_add (store, "a", 1, 1, 2);
  layer_test_store_add (store, "lin", 1, 2, 2, 8);

  layer_test_load_node_or_die ("conv2d", store, "{\"weight\": \"k3\"}", &node);
  g_assert_cmpint (node.klass->margin (&node, 0), ==, 1);
  g_assert_cmpint (node.klass->margin (&node, 5), ==, 6);
  g_assert_cmpint (node.klass->margin (&node, -1), ==, -1);
  g_assert_cmpint (node.klass->margin (&node, G_MAXINT), ==, G_MAXINT);
  layer_test_load_node_or_die ("conv2d", store, "{\"weight\": \"k9\"}", &node);
  g_assert_cmpint (node.klass->margin (&node, 2), ==, 6);
  layer_test_load_node_or_die ("conv2d", store, "{\"weight\": \"k1\"}", &node);
  g_assert_cmpint (node.klass->margin (&node, 0), ==, 0);
  g_assert_cmpint (node.klass->margin (&node, 3), ==, 3);
  layer_test_load_node_or_die ("conv2d", store, "{\"weight\": \"k5x3\"}",
                               &node);
  g_assert_cmpint (node.klass->margin (&node, 1), ==, 3);
  layer_test_load_node_or_die ("conv2d", store, "{\"weight\": \"k1x3\"}",
                               &node);
  g_assert_cmpint (node.klass->margin (&node, 1), ==, 2);

  layer_test_load_node_or_die ("pixel_shuffle", store, "{\"factor\": 3}",
                               &node);
  g_assert_cmpint (node.klass->margin (&node, 4), ==, 12);
  g_assert_cmpint (node.klass->margin (&node, -1), ==, -1);
  g_assert_cmpint (node.klass->margin (&node, G_MAXINT), ==, G_MAXINT);

  /* (in + ceil(k / s)) * s */
  layer_test_load_node_or_die ("conv_transpose2d", store,
                               "{\"weight\": \"k9\", \"stride\": 2, "
                               "\"padding\": 4, \"output_padding\": 1}",
                               &node);
  g_assert_cmpint (node.klass->margin (&node, 0), ==, 10);
  g_assert_cmpint (node.klass->margin (&node, 3), ==, 16);
  g_assert_cmpint (node.klass->margin (&node, -1), ==, -1);
  layer_test_load_node_or_die ("conv_transpose2d", store,
                               "{\"weight\": \"t4\", \"stride\": 2, "
                               "\"padding\": 1}",
                               &node);
  g_assert_cmpint (node.klass->margin (&node, 1), ==, 6);

  for (gsize i = 0; i < G_N_ELEMENTS (same_ops); i++)
    {
      layer_test_load_node_or_die (same_ops[i], store, "{}", &node);
      g_assert_cmpint (node.klass->margin (&node, 0), ==, 0);
      g_assert_cmpint (node.klass->margin (&node, 7), ==, 7);
      g_assert_cmpint (node.klass->margin (&node, -1), ==, -1);
    }
  layer_test_load_node_or_die ("prelu", store, "{\"weight\": \"a\"}", &node);
  g_assert_cmpint (node.klass->margin (&node, 7), ==, 7);

  layer_test_load_node_or_die ("global_avg_pool", store, "{}", &node);
  g_assert_cmpint (node.klass->margin (&node, 0), ==, -1);
  g_assert_cmpint (node.klass->margin (&node, 5), ==, -1);
  layer_test_load_node_or_die ("linear", store, "{\"weight\": \"lin\"}",
                               &node);
  g_assert_cmpint (node.klass->margin (&node, 0), ==, -1);
  g_ptr_array_unref (store);
}

/* What margin() promises: run @node on a crop of @input whose outer @band
 * pixels are replaced by noise (a region computed from a clipped, possibly
 * wrong border); the output must still equal the whole-input run at every
 * pixel at least margin(band) away from the crop's edges. */
static void
check_crop (const HfsrNode *node, const HfsrTensor *input,
            const HfsrTensor *whole, int scale, int y0, int x0, int height,
            int width, int band, guint32 seed)
{
  HfsrTensor *crop = layer_test_random_tensor (input->channels, height, width,
                                               seed, -5.0f, 5.0f);
  HfsrTensor *output;
  int margin = node->klass->margin (node, band);
  double diff = 0.0;

  for (int c = 0; c < input->channels; c++)
    for (int y = band; y < height - band; y++)
      for (int x = band; x < width - band; x++)
        hfsr_tensor_plane (crop, c)[y * width + x]
          = hfsr_tensor_plane (input, c)[(y0 + y) * input->width + x0 + x];

  output = layer_test_run_node1 (node, crop);
  g_assert_cmpint (output->height, ==, height * scale);
  g_assert_cmpint (output->width, ==, width * scale);
  for (int c = 0; c < output->channels; c++)
    for (int y = margin; y < output->height - margin; y++)
      for (int x = margin; x < output->width - margin; x++)
        {
          float got = hfsr_tensor_plane (output, c)[y * output->width + x];
          float want = hfsr_tensor_plane (
            whole, c)[(y0 * scale + y) * whole->width + x0 * scale + x];

          diff = MAX (diff, fabs ((double) got - want));
        }
  if (!(diff <= 1e-4
                  * MAX (1.0, layer_test_max_abs (whole->data,
                                                  hfsr_tensor_size (whole)))))
    g_test_fail_printf ("%s: crop %dx%d at %d,%d band %d margin %d: "
                        "diff %g",
                        node->klass->op, width, height, x0, y0, band, margin,
                        diff);
  hfsr_tensor_free (output);
  hfsr_tensor_free (crop);
}

static void
check_margin_by_cropping (const char *op, const char *json, GPtrArray *store,
                          int in_channels, int scale, GRand *rand)
{
  HfsrNode node;
  HfsrTensor *input
    = layer_test_random_tensor (in_channels, 23, 21, 1, -1.0f, 1.0f);
  HfsrTensor *whole;

  layer_test_load_node_or_die (op, store, json, &node);
  whole = layer_test_run_node1 (&node, input);
  for (int iteration = 0; iteration < 12; iteration++)
    {
      int height = g_rand_int_range (rand, 1, 24);
      int width = g_rand_int_range (rand, 1, 22);

      check_crop (&node, input, whole, scale,
                  g_rand_int_range (rand, 0, 23 - height + 1),
                  g_rand_int_range (rand, 0, 21 - width + 1), height, width,
                  g_rand_int_range (rand, 0, 4), iteration);
    }
  hfsr_tensor_free (whole);
  hfsr_tensor_free (input);
}

static void
test_margin_meaning (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 10);
  GPtrArray *store = layer_test_store_new ();

  layer_test_store_add (store, "k3", 1, 4, 2, 3, 3, 3);
  layer_test_store_add (store, "k7x3", 2, 4, 2, 3, 7, 3);
  layer_test_store_add (store, "t9", 3, 4, 3, 2, 9, 9);
  layer_test_store_add (store, "t4", 4, 4, 3, 2, 4, 4);
  layer_test_store_add (store, "t5", 5, 4, 3, 2, 5, 5);
  layer_test_store_add (store, "a", 6, 1, 3);

  check_margin_by_cropping ("conv2d", "{\"weight\": \"k3\"}", store, 3, 1,
                            rand);
  check_margin_by_cropping ("conv2d", "{\"weight\": \"k7x3\"}", store, 3, 1,
                            rand);
  for (int stride = 2; stride <= 4; stride++)
    {
      char *json = g_strdup_printf ("{\"weight\": \"t9\", \"stride\": %d, "
                                    "\"padding\": 4, \"output_padding\": "
                                    "%d}",
                                    stride, stride - 1);

      check_margin_by_cropping ("conv_transpose2d", json, store, 3, stride,
                                rand);
      g_free (json);
    }
  check_margin_by_cropping ("conv_transpose2d",
                            "{\"weight\": \"t4\", \"stride\": 2, "
                            "\"padding\": 1}",
                            store, 3, 2, rand);
  check_margin_by_cropping ("conv_transpose2d",
                            "{\"weight\": \"t5\", \"stride\": 3, "
                            "\"padding\": 1}",
                            store, 3, 3, rand);
  check_margin_by_cropping ("pixel_shuffle", "{\"factor\": 2}", store, 8, 2,
                            rand);
  check_margin_by_cropping ("prelu", "{\"weight\": \"a\"}", store, 3, 1, rand);
  check_margin_by_cropping ("softmax", "{}", store, 3, 1, rand);
  g_ptr_array_unref (store);
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/layers/invalid", test_invalid);
  g_test_add_func ("/layers/error-messages", test_error_messages);
  g_test_add_func ("/layers/valid-variants", test_valid_variants);
  g_test_add_func ("/layers/margin-values", test_margin_values);
  g_test_add_func ("/layers/margin-meaning", test_margin_meaning);
  return g_test_run ();
}
