/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The engine's SR² calls on small built networks: class probabilities
 * against hand-worked values and the forward pass, labels, and what
 * hfsr_model_classify and hfsr_model_load_structure_sr refuse.
 */
#include "hfsr-config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "hfsr.h"
#include "model-builder.h"
#include "test-util.h"

/* input (1) -> conv 3x3 (4) = "shared" -> conv 3x3 (4) -> pixel shuffle 2
 * = "output"; shared -> global average pool -> linear (3) -> softmax =
 * "class".  @fc_weight NULL: random linear weights; else these, with
 * @fc_bias. */
static HfsrModelBuilder *
sr2_builder (const float *fc_weight, const float *fc_bias)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 1);
  const gint64 weight_shape[2] = { 3, 4 }, bias_shape[1] = { 3 };

  hfsr_model_builder_add_conv2d (b, "shared", "input", 1, 4, 3, 1);
  hfsr_model_builder_add_conv2d (b, "tail", "shared", 4, 4, 3, 2);
  hfsr_model_builder_add_node (b, "output", "pixel_shuffle", "tail",
                               "{\"factor\": 2}");
  hfsr_model_builder_add_node (b, "pool", "global_avg_pool", "shared", NULL);
  if (fc_weight == NULL)
    {
      hfsr_model_builder_add_random_tensor (b, "fc.weight", 3, 1.0f, 2,
                                            weight_shape);
      hfsr_model_builder_add_random_tensor (b, "fc.bias", 4, 1.0f, 1,
                                            bias_shape);
    }
  else
    {
      hfsr_model_builder_add_tensor (b, "fc.weight", fc_weight, 2,
                                     weight_shape);
      hfsr_model_builder_add_tensor (b, "fc.bias", fc_bias, 1, bias_shape);
    }
  hfsr_model_builder_add_node (b, "fc", "linear", "pool",
                               "{\"weight\": \"fc.weight\", "
                               "\"bias\": \"fc.bias\"}");
  hfsr_model_builder_add_node (b, "class", "softmax", "fc", NULL);
  hfsr_model_builder_add_output (b, "output");
  hfsr_model_builder_add_output (b, "class");
  hfsr_model_builder_set_metadata (b, "hfsr.scale", "2");
  return b;
}

static float *
random_grey (int n, guint32 seed)
{
  GRand *rand = g_rand_new_with_seed (seed);
  float *grey = g_new (float, n);

  for (int i = 0; i < n; i++)
    grey[i] = (float) g_rand_double (rand);
  g_rand_free (rand);
  return grey;
}

/* Zero weights and biases (0, ln 2, 0): softmax gives 1/4, 1/2, 1/4
 * whatever the image. */
static void
test_hand_worked_probabilities (void)
{
  const float weight[12] = { 0 }, bias[3] = { 0.0f, (float) G_LN2, 0.0f };
  HfsrModel *model = hfsr_model_builder_load (sr2_builder (weight, bias));
  float *grey = random_grey (7 * 5, 1);
  double p[3];

  g_assert_cmpint (hfsr_model_get_n_classes (model), ==, 3);
  g_assert_true (hfsr_model_classify (model, grey, 7, 5, p, NULL));
  g_assert_cmpfloat_with_epsilon (p[0], 0.25, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[1], 0.5, 1e-6);
  g_assert_cmpfloat_with_epsilon (p[2], 0.25, 1e-6);
  g_free (grey);
  hfsr_model_free (model);
}

/* With random weights: the class output of the whole forward pass, summing
 * to 1; labels from the metadata, else numbers. */
static void
test_probabilities_are_the_forward_pass_and_labels (void)
{
  HfsrModelBuilder *b = sr2_builder (NULL, NULL);
  HfsrModel *plain, *labelled;
  const int w = 9, h = 6;
  float *grey = random_grey (w * h, 2);
  HfsrTensor *input = hfsr_tensor_new (1, h, w, NULL);
  HfsrTensor *outputs[2] = { NULL, NULL };
  double p[3], sum = 0.0;
  char *label;

  hfsr_model_builder_set_metadata (b, "hfsr.classes", "cat  dog\tbird");
  labelled = hfsr_model_builder_load (b);
  plain = hfsr_model_builder_load (sr2_builder (NULL, NULL));
  memcpy (input->data, grey, sizeof (float) * w * h);
  g_assert_true (hfsr_model_forward (plain, input, outputs, NULL, NULL));
  g_assert_true (hfsr_model_classify (plain, grey, w, h, p, NULL));
  for (int c = 0; c < 3; c++)
    {
      g_assert_cmpfloat (p[c], ==, outputs[1]->data[c]);
      sum += p[c];
    }
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-6);
  label = hfsr_model_get_class_label (plain, 2);
  g_assert_cmpstr (label, ==, "2");
  g_free (label);
  label = hfsr_model_get_class_label (labelled, 1);
  g_assert_cmpstr (label, ==, "dog");
  g_free (label);
  label = hfsr_model_get_class_label (labelled, 2);
  g_assert_cmpstr (label, ==, "bird");
  g_free (label);
  hfsr_tensor_free (outputs[0]);
  hfsr_tensor_free (outputs[1]);
  hfsr_tensor_free (input);
  g_free (grey);
  hfsr_model_free (plain);
  hfsr_model_free (labelled);
}

/* A crop larger than one character's, an empty one, a network without a
 * class output. */
static void
test_classify_refusals (void)
{
  HfsrModel *model = hfsr_model_builder_load (sr2_builder (NULL, NULL));
  HfsrModel *rgb = hfsr_model_builder_small_wdsr_x2 ();
  float *grey = random_grey (257 * 256, 3);
  double p[3];
  GError *error = NULL;

  g_assert_false (hfsr_model_classify (model, grey, 257, 256, p, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "one grey crop"));
  g_clear_error (&error);
  g_assert_true (hfsr_model_classify (model, grey, 256, 256, p, NULL));
  g_assert_false (hfsr_model_classify (model, grey, 0, 5, p, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpint (hfsr_model_get_n_classes (rgb), ==, 0);
  g_assert_false (hfsr_model_classify (rgb, grey, 4, 4, p, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "no class output"));
  g_clear_error (&error);
  g_free (grey);
  hfsr_model_free (rgb);
  hfsr_model_free (model);
}

/* Files: the right network at its scale; another scale, an RGB SR
 * network, untrained settings refused with what they are. */
static void
test_load_refusals (void)
{
  HfsrModelBuilder *sr2 = sr2_builder (NULL, NULL);
  GBytes *bytes = hfsr_model_builder_build (sr2);
  char *path = hfsr_write_temp_file (bytes, NULL);
  GBytes *rgb_bytes;
  char *rgb_path;
  HfsrModel *model;
  GError *error = NULL;
  HfsrModelBuilder *rgb = hfsr_model_builder_new ("input", 3);

  hfsr_model_builder_add_conv2d (rgb, "conv", "input", 3, 12, 3, 5);
  hfsr_model_builder_add_node (rgb, "output", "pixel_shuffle", "conv",
                               "{\"factor\": 2}");
  rgb_bytes = hfsr_model_builder_build (rgb);
  hfsr_model_builder_free (rgb);
  hfsr_model_builder_free (sr2);
  rgb_path = hfsr_write_temp_file (rgb_bytes, NULL);

  model = hfsr_model_load_structure_sr (path, 2, "fsrcnn", 1, 0.0, &error);
  g_assert_no_error (error);
  hfsr_model_free (model);
  g_assert_null (
    hfsr_model_load_structure_sr (path, 4, "fsrcnn", 1, 0.0, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT);
  g_clear_error (&error);
  g_assert_null (
    hfsr_model_load_structure_sr (rgb_path, 2, "fsrcnn", 1, 0.0, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT);
  g_assert_nonnull (
    strstr (error->message, "not a Structure-aware SR network"));
  g_clear_error (&error);
  for (int c = 0; c < 5; c++)
    {
      const struct
      {
        int scale;
        const char *arch;
        int shared;
      } bad[] = { { 3, "fsrcnn", 1 },
                  { 2, "wdsr", 2 },
                  { 2, "fsrcnn", 4 },
                  { 2, "fsrcnn-noisy", 4 },
                  { 2, "resnet", 1 } };

      g_assert_null (hfsr_model_load_structure_sr (
        NULL, bad[c].scale, bad[c].arch, bad[c].shared, 1.0, &error));
      g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  g_remove (path);
  g_remove (rgb_path);
  g_free (path);
  g_free (rgb_path);
  g_bytes_unref (bytes);
  g_bytes_unref (rgb_bytes);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/structure-sr/hand-worked-probabilities",
                   test_hand_worked_probabilities);
  g_test_add_func ("/structure-sr/forward-pass-and-labels",
                   test_probabilities_are_the_forward_pass_and_labels);
  g_test_add_func ("/structure-sr/classify-refusals", test_classify_refusals);
  g_test_add_func ("/structure-sr/load-refusals", test_load_refusals);
  return g_test_run ();
}
