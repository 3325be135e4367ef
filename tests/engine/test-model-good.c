/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The loader on good files: what a model reports (name, scale, margin,
 * outputs, metadata), its weights bit for bit, margins through convolutions
 * and pixel shuffles, and a model of two outputs run forward.  Bad files
 * are test-model.c's.
 */
#include <stdlib.h>

#include <glib/gstdio.h>

#include "hfsr-private.h"
#include "model-test-util.h"
#include "test-util.h"

static void
test_good_model (void)
{
  GBytes *bytes = model_test_wdsr_bytes ();
  GError *error = NULL;
  HfsrModel *model;
  char *path;

  path = hfsr_write_temp_file (bytes, &error);
  g_assert_no_error (error);
  model = hfsr_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);

  g_assert_cmpstr (hfsr_model_get_name (model), ==, path);
  g_assert_cmpint (hfsr_model_get_scale (model), ==, 2);
  g_assert_cmpint (hfsr_model_get_margin (model), ==, 4);
  g_assert_cmpint (hfsr_model_get_input_channels (model), ==, 3);
  g_assert_cmpint (hfsr_model_get_n_outputs (model), ==, 1);
  g_assert_cmpstr (hfsr_model_get_output_name (model, 0), ==, "output");
  g_assert_cmpint (hfsr_model_get_output_channels (model, 0), ==, 3);
  g_assert_cmpstr (hfsr_model_get_metadata (model, "hfsr.format"), ==, "1");
  g_assert_cmpstr (hfsr_model_get_metadata (model, "hfsr.task"), ==, "test");
  g_assert_cmpstr (hfsr_model_get_metadata (model, "hfsr.alpha"), ==, "0.25");
  g_assert_cmpstr (hfsr_model_get_metadata (model, "custom.key"), ==,
                   "kept as is");
  g_assert_null (hfsr_model_get_metadata (model, "hfsr.lambda"));
  g_assert_nonnull (hfsr_model_get_metadata (model, "hfsr.graph"));
  hfsr_model_free (model);

  /* The same bytes from memory. */
  model = model_test_load_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hfsr_model_get_name (model), ==, MODEL_TEST_CASE_NAME);
  g_assert_cmpint (hfsr_model_get_margin (model), ==, 4);
  hfsr_model_free (model);

  g_unlink (path);
  g_free (path);
  g_bytes_unref (bytes);
}

/* The loaded weights are the file's floats, bit for bit. */
static void
test_weights_round_trip (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("x", 2);
  float kernel[2 * 2 * 1 * 1] = { 1.5f, -2.25f, 1e-30f, -0.0f };
  float bias[2] = { 3.0f, -9999.5f };
  gint64 kernel_shape[4] = { 2, 2, 1, 1 };
  gint64 bias_shape[1] = { 2 };
  GError *error = NULL;
  HfsrModel *model;
  const HfsrNode *node;

  hfsr_model_builder_add_tensor (b, "w", kernel, 4, kernel_shape);
  hfsr_model_builder_add_tensor (b, "b", bias, 1, bias_shape);
  hfsr_model_builder_add_node (b, "mix", "conv2d", "x",
                               "{\"weight\": \"w\", \"bias\": \"b\"}");
  model = model_test_load_bytes (hfsr_model_builder_build (b), &error);
  g_assert_no_error (error);

  node = &model->nodes[0];
  g_assert_cmpint (model->n_weights, ==, 2);
  g_assert_cmpint (node->weight->ndim, ==, 4);
  g_assert_cmpmem (node->weight->data, sizeof kernel, kernel, sizeof kernel);
  g_assert_cmpmem (node->bias->data, sizeof bias, bias, sizeof bias);
  g_assert_cmpint ((guintptr) node->weight->data % 64, ==, 0);
  g_assert_cmpint (hfsr_model_get_scale (model), ==, 1);
  g_assert_cmpint (hfsr_model_get_margin (model), ==, 0);
  hfsr_model_free (model);
  hfsr_model_builder_free (b);
}

/* Margins follow the kernels: (k - 1) / 2 per convolution at the input's
 * resolution, multiplied by the factor through a pixel shuffle, converted
 * back to input pixels rounding up. */
static void
test_margins (void)
{
  struct
  {
    const char *layers; /* c<k>: conv k x k, s: pixel shuffle x2 */
    int scale;
    int margin;
  } cases[] = {
    { "c3", 1, 1 },      { "c3 c5", 1, 3 },      { "c1 c1", 1, 0 },
    { "c3 c3 s", 2, 2 }, { "c3 c3 s c3", 2, 3 }, { "c3 s c3", 2, 2 },
    { "s", 2, 0 },       { "c3 s s c3", 4, 2 },  { "c7 s c1 s c1", 4, 3 },
  };

  /* 16 input channels: enough for two x2 shuffles. */
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char **layers = g_strsplit (cases[i].layers, " ", -1);
      HfsrModelBuilder *b = hfsr_model_builder_new ("in", 16);
      char previous[16] = "in";
      int channels = 16;
      GError *error = NULL;
      HfsrModel *model;

      for (int l = 0; layers[l] != NULL; l++)
        {
          char name[16];

          g_snprintf (name, sizeof name, "n%d", l);
          if (layers[l][0] == 'c')
            hfsr_model_builder_add_conv2d (b, name, previous, channels,
                                           channels, atoi (layers[l] + 1),
                                           (guint32) l);
          else
            {
              hfsr_model_builder_add_node (b, name, "pixel_shuffle", previous,
                                           "{\"factor\": 2}");
              channels /= 4;
            }
          g_strlcpy (previous, name, sizeof previous);
        }
      model = model_test_load_bytes (hfsr_model_builder_build (b), &error);
      g_assert_no_error (error);
      g_assert_cmpint (hfsr_model_get_scale (model), ==, cases[i].scale);
      g_assert_cmpint (hfsr_model_get_margin (model), ==, cases[i].margin);
      hfsr_model_free (model);
      hfsr_model_builder_free (b);
      g_strfreev (layers);
    }
}

/* SR²'s shape: output 0 the image, output 1 class probabilities from a
 * global pooling branch.  Output 0 does not depend on the branch, so its
 * margin stays finite; forward() returns both. */
static void
test_two_outputs (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("lr", 1);
  gint64 fc_shape[2] = { 10, 6 };
  gint64 fc_bias_shape[1] = { 10 };
  GError *error = NULL;
  HfsrTensor *input, *outputs[2];
  HfsrModel *model;
  double sum = 0.0;

  hfsr_model_builder_add_conv2d (b, "shared", "lr", 1, 6, 3, 11);
  hfsr_model_builder_add_conv2d (b, "sr", "shared", 6, 4, 3, 12);
  hfsr_model_builder_add_node (b, "hr", "pixel_shuffle", "sr",
                               "{\"factor\": 2}");
  hfsr_model_builder_add_node (b, "pool", "global_avg_pool", "shared", NULL);
  hfsr_model_builder_add_random_tensor (b, "fc.weight", 13, 0.5f, 2, fc_shape);
  hfsr_model_builder_add_random_tensor (b, "fc.bias", 14, 0.5f, 1,
                                        fc_bias_shape);
  hfsr_model_builder_add_node (b, "fc", "linear", "pool",
                               "{\"weight\": \"fc.weight\", "
                               "\"bias\": \"fc.bias\"}");
  hfsr_model_builder_add_node (b, "probs", "softmax", "fc", NULL);
  hfsr_model_builder_add_output (b, "hr");
  hfsr_model_builder_add_output (b, "probs");
  model = model_test_load_bytes (hfsr_model_builder_build (b), &error);
  g_assert_no_error (error);
  hfsr_model_builder_free (b);

  g_assert_cmpint (hfsr_model_get_n_outputs (model), ==, 2);
  g_assert_cmpstr (hfsr_model_get_output_name (model, 1), ==, "probs");
  g_assert_cmpint (hfsr_model_get_output_channels (model, 0), ==, 1);
  g_assert_cmpint (hfsr_model_get_output_channels (model, 1), ==, 10);
  g_assert_cmpint (hfsr_model_get_scale (model), ==, 2);
  /* Two 3x3 convolutions before the x2 shuffle: 2 input pixels. */
  g_assert_cmpint (hfsr_model_get_margin (model), ==, 2);

  input = hfsr_tensor_new (1, 5, 7, &error);
  g_assert_no_error (error);
  hfsr_test_fill_random (input->data, hfsr_tensor_size (input), 15, 0, 1);
  g_assert_true (hfsr_model_forward (model, input, outputs, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outputs[0]->channels, ==, 1);
  g_assert_cmpint (outputs[0]->height, ==, 10);
  g_assert_cmpint (outputs[0]->width, ==, 14);
  g_assert_cmpint (outputs[1]->channels, ==, 10);
  g_assert_cmpint (outputs[1]->height, ==, 1);
  g_assert_cmpint (outputs[1]->width, ==, 1);
  for (int c = 0; c < 10; c++)
    sum += outputs[1]->data[c];
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
  hfsr_tensor_free (outputs[0]);
  hfsr_tensor_free (outputs[1]);

  /* Wrong channel count: an argument error, no outputs. */
  hfsr_tensor_free (input);
  input = hfsr_tensor_new (3, 5, 7, &error);
  outputs[0] = outputs[1] = (HfsrTensor *) input;
  g_assert_false (hfsr_model_forward (model, input, outputs, NULL, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_assert_null (outputs[0]);
  g_assert_null (outputs[1]);
  g_clear_error (&error);
  hfsr_tensor_free (input);
  hfsr_model_free (model);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/good", test_good_model);
  g_test_add_func ("/model/weights-round-trip", test_weights_round_trip);
  g_test_add_func ("/model/margins", test_margins);
  g_test_add_func ("/model/two-outputs", test_two_outputs);
  return g_test_run ();
}
