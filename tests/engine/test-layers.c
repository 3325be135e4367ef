/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every layer kind, loaded from JSON the way a model loads it, against its
 * naive twin (reference.c) on many random shapes; the registry of layer
 * kinds; tensors.  Invalid parameters and shapes, and margins, are
 * test-layers-shapes.c's.
 */
#include <math.h>

#include "kernels/kernels.h"
#include "layer-test-util.h"
#include "reference.h"
#include "test-util.h"

/* Fixed seeds: a failure reproduces on every run. */
#define SEED 20260102u

/* ------------------------------------------------------------ comparing */

/* Checks @output's shape and that it matches @reference to 1e-4 relative to
 * the result's magnitude (float accumulation against double).  Takes
 * ownership of @what, @output and @reference. */
static void
expect_close (char *what, HfsrTensor *output, int channels, int height,
              int width, float *reference)
{
  gsize n = (gsize) channels * height * width;

  if (output->channels != channels || output->height != height
      || output->width != width)
    g_test_fail_printf ("%s: output [%d,%d,%d], expected [%d,%d,%d]", what,
                        output->channels, output->height, output->width,
                        channels, height, width);
  else
    {
      double diff = hfsr_test_max_abs_diff (output->data, reference, n);
      double tolerance = 1e-4 * MAX (1.0, layer_test_max_abs (reference, n));

      if (!(diff <= tolerance))
        g_test_fail_printf ("%s: max abs diff %g > %g", what, diff, tolerance);
    }
  g_free (what);
  hfsr_tensor_free (output);
  g_free (reference);
}

static int
random_odd_kernel (GRand *rand)
{
  return 2 * g_rand_int_range (rand, 0, 5) + 1;
}

/* ------------------------------------------------------------ conv2d */

static void
check_conv2d (int in_channels, int out_channels, int height, int width,
              int kernel_h, int kernel_w, gboolean with_bias, guint32 seed)
{
  GPtrArray *store = layer_test_store_new ();
  HfsrWeight *weight = layer_test_store_add (store, "w", seed, 4, out_channels,
                                             in_channels, kernel_h, kernel_w);
  HfsrWeight *bias
    = with_bias ? layer_test_store_add (store, "b", seed + 1, 1, out_channels)
                : NULL;
  HfsrTensor *input = layer_test_random_tensor (in_channels, height, width,
                                                seed + 2, -1.0f, 1.0f);
  float *reference = g_new (float, ((gsize) out_channels * height * width));
  HfsrNode node;

  layer_test_load_node_or_die (
    "conv2d", store,
    with_bias ? "{\"weight\": \"w\", \"bias\": \"b\"}" : "{\"weight\": \"w\"}",
    &node);
  g_assert_true (node.weight == weight && node.bias == bias);
  hfsr_ref_conv2d (input->data, in_channels, height, width, weight->data,
                   out_channels, kernel_h, kernel_w, bias ? bias->data : NULL,
                   reference);
  expect_close (g_strdup_printf ("conv2d %d->%d %dx%d kernel %dx%d bias %d",
                                 in_channels, out_channels, height, width,
                                 kernel_h, kernel_w, with_bias),
                layer_test_run_node1 (&node, input), out_channels, height,
                width, reference);
  hfsr_tensor_free (input);
  g_ptr_array_unref (store);
}

/* conv2d picks its kernel by the engine's thread count too: one thread
 * sends most 3x3 kernels through Winograd, two keep every kernel on
 * im2col + GEMM.  Both must match the naive twin. */
static void
test_conv2d (gconstpointer data)
{
  int threads_before = hfsr_run_threads ();
  GRand *rand = g_rand_new_with_seed (SEED);

  hfsr_test_set_threads (GPOINTER_TO_INT (data));

  check_conv2d (1, 1, 1, 1, 1, 1, FALSE, 1);
  check_conv2d (3, 5, 1, 1, 9, 9, TRUE, 2);
  check_conv2d (4, 6, 7, 11, 1, 3, TRUE, 3);
  check_conv2d (4, 6, 11, 7, 3, 1, FALSE, 4);
  check_conv2d (37, 37, 23, 23, 3, 3, TRUE, 5);
  check_conv2d (2, 3, 1, 23, 5, 5, TRUE, 6);
  /* 64 x 9 x 9 taps over 23 columns: the columns are built in several row
   * bands, whose seams this checks. */
  check_conv2d (64, 4, 40, 23, 9, 9, TRUE, 7);
  /* 3x3 kernels take Winograd F(4x4, 3x3) (WDSR-A's body and tail, on
   * ragged sizes), except with a few inputs and many outputs (its head). */
  check_conv2d (32, 128, 13, 18, 3, 3, TRUE, 8);
  check_conv2d (128, 32, 17, 6, 3, 3, TRUE, 9);
  check_conv2d (32, 12, 1, 5, 3, 3, FALSE, 10);
  check_conv2d (3, 32, 9, 11, 3, 3, TRUE, 11);

  for (int iteration = 0; iteration < 60; iteration++)
    {
      int kernel_h = random_odd_kernel (rand);
      int kernel_w
        = g_rand_boolean (rand) ? kernel_h : random_odd_kernel (rand);

      check_conv2d (
        g_rand_int_range (rand, 1, 38), g_rand_int_range (rand, 1, 38),
        g_rand_int_range (rand, 1, 24), g_rand_int_range (rand, 1, 24),
        kernel_h, kernel_w, g_rand_boolean (rand), 100 + iteration);
    }
  g_rand_free (rand);
  hfsr_test_set_threads (threads_before);
}

/* ----------------------------------------------------- conv_transpose2d */

static void
check_conv_transpose2d (int in_channels, int out_channels, int height,
                        int width, int kernel, int stride, int padding,
                        int output_padding, gboolean with_bias, guint32 seed)
{
  GPtrArray *store = layer_test_store_new ();
  HfsrWeight *weight = layer_test_store_add (store, "w", seed, 4, in_channels,
                                             out_channels, kernel, kernel);
  HfsrWeight *bias
    = with_bias ? layer_test_store_add (store, "b", seed + 1, 1, out_channels)
                : NULL;
  HfsrTensor *input = layer_test_random_tensor (in_channels, height, width,
                                                seed + 2, -1.0f, 1.0f);
  int out_height = hfsr_ref_conv_transpose2d_size (height, kernel, stride,
                                                   padding, output_padding);
  int out_width = hfsr_ref_conv_transpose2d_size (width, kernel, stride,
                                                  padding, output_padding);
  float *reference
    = g_new (float, ((gsize) out_channels * out_height * out_width));
  char *json = g_strdup_printf ("{\"weight\": \"w\", %s \"stride\": %d, "
                                "\"padding\": %d, \"output_padding\": %d}",
                                with_bias ? "\"bias\": \"b\"," : "", stride,
                                padding, output_padding);
  HfsrNode node;

  /* PyTorch's size formula agrees with the layer's contract. */
  g_assert_cmpint (out_height, ==, stride * height);
  g_assert_cmpint (out_width, ==, stride * width);
  layer_test_load_node_or_die ("conv_transpose2d", store, json, &node);
  hfsr_ref_conv_transpose2d (input->data, in_channels, height, width,
                             weight->data, out_channels, kernel, stride,
                             padding, output_padding, bias ? bias->data : NULL,
                             reference);
  expect_close (g_strdup_printf ("conv_transpose2d %d->%d %dx%d k %d s %d "
                                 "p %d op %d bias %d",
                                 in_channels, out_channels, height, width,
                                 kernel, stride, padding, output_padding,
                                 with_bias),
                layer_test_run_node1 (&node, input), out_channels, out_height,
                out_width, reference);
  g_free (json);
  hfsr_tensor_free (input);
  g_ptr_array_unref (store);
}

static void
test_conv_transpose2d (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 1);

  /* FSRCNN's deconvolution: 9x9, padding 4, output_padding s - 1. */
  for (int stride = 2; stride <= 4; stride++)
    {
      check_conv_transpose2d (56, 1, 17, 13, 9, stride, 4, stride - 1, TRUE,
                              stride);
      check_conv_transpose2d (12, 3, 1, 1, 9, stride, 4, stride - 1, FALSE,
                              10 + stride);
    }
  check_conv_transpose2d (3, 2, 6, 5, 4, 2, 1, 0, TRUE, 20);
  check_conv_transpose2d (3, 2, 6, 5, 2, 2, 0, 0, TRUE, 21);
  check_conv_transpose2d (3, 2, 6, 5, 3, 1, 1, 0, TRUE, 22);
  check_conv_transpose2d (3, 2, 6, 5, 1, 1, 0, 0, FALSE, 23);
  check_conv_transpose2d (5, 4, 7, 3, 6, 4, 1, 0, TRUE, 24);
  /* 64 x 9 x 9 taps over 23 columns: several row bands. */
  check_conv_transpose2d (3, 64, 40, 23, 9, 2, 4, 1, TRUE, 25);

  for (int iteration = 0; iteration < 60; iteration++)
    {
      int stride = g_rand_int_range (rand, 1, 5);
      int output_padding = g_rand_int_range (rand, 0, stride);
      int padding = g_rand_int_range (rand, 0, 5);
      int kernel = stride + 2 * padding - output_padding;

      if (kernel < 1)
        continue;
      check_conv_transpose2d (
        g_rand_int_range (rand, 1, 38), g_rand_int_range (rand, 1, 38),
        g_rand_int_range (rand, 1, 24), g_rand_int_range (rand, 1, 24), kernel,
        stride, padding, output_padding, g_rand_boolean (rand),
        100 + iteration);
    }
  g_rand_free (rand);
}

/* -------------------------------------------------------- pixel_shuffle */

static void
check_pixel_shuffle (int channels, int factor, int height, int width,
                     guint32 seed)
{
  GPtrArray *store = layer_test_store_new ();
  HfsrTensor *input = layer_test_random_tensor (
    channels * factor * factor, height, width, seed, -1.0f, 1.0f);
  float *reference = g_new (float, hfsr_tensor_size (input));
  char *json = g_strdup_printf ("{\"factor\": %d}", factor);
  HfsrNode node;

  layer_test_load_node_or_die ("pixel_shuffle", store, json, &node);
  hfsr_ref_pixel_shuffle (input->data, channels, height, width, factor,
                          reference);
  expect_close (g_strdup_printf ("pixel_shuffle %d r %d %dx%d", channels,
                                 factor, height, width),
                layer_test_run_node1 (&node, input), channels, height * factor,
                width * factor, reference);
  g_free (json);
  hfsr_tensor_free (input);
  g_ptr_array_unref (store);
}

static void
test_pixel_shuffle (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 2);

  check_pixel_shuffle (1, 1, 1, 1, 1);
  check_pixel_shuffle (3, 2, 1, 1, 2);
  check_pixel_shuffle (3, 4, 5, 1, 3);
  /* Large enough to be cut into rows for up to 3 threads
   * (HFSR_PARALLEL_GRAIN), on odd sizes. */
  for (int threads = 1; threads <= 3; threads++)
    {
      int threads_before = hfsr_run_threads ();

      hfsr_test_set_threads (threads);
      check_pixel_shuffle (3, 2, 257, 301, 50 + threads);
      check_pixel_shuffle (1, 3, 131, 263, 60 + threads);
      hfsr_test_set_threads (threads_before);
    }
  for (int iteration = 0; iteration < 40; iteration++)
    check_pixel_shuffle (g_rand_int_range (rand, 1, 10),
                         g_rand_int_range (rand, 1, 5),
                         g_rand_int_range (rand, 1, 24),
                         g_rand_int_range (rand, 1, 24), 100 + iteration);
  g_rand_free (rand);
}

/* ------------------------------------------------------- element-wise */

typedef void (*UnaryReference) (const float *input, gsize n, float *output);

static void
check_unary (const char *op, UnaryReference reference_fn, float lo, float hi)
{
  GRand *rand = g_rand_new_with_seed (SEED + 3);
  GPtrArray *store = layer_test_store_new ();
  HfsrNode node;

  layer_test_load_node_or_die (op, store, "{}", &node);
  for (int iteration = 0; iteration < 30; iteration++)
    {
      int c = g_rand_int_range (rand, 1, 38);
      int h = g_rand_int_range (rand, 1, 24);
      int w = g_rand_int_range (rand, 1, 24);
      HfsrTensor *input
        = layer_test_random_tensor (c, h, w, iteration, lo, hi);
      float *reference = g_new (float, hfsr_tensor_size (input));

      reference_fn (input->data, hfsr_tensor_size (input), reference);
      expect_close (g_strdup_printf ("%s [%d,%d,%d]", op, c, h, w),
                    layer_test_run_node1 (&node, input), c, h, w, reference);
      hfsr_tensor_free (input);
    }
  g_ptr_array_unref (store);
  g_rand_free (rand);
}

static void
test_relu (void)
{
  check_unary ("relu", hfsr_ref_relu, -4.0f, 4.0f);
}

static void
test_sigmoid (void)
{
  /* Far into both tails, where a naive exp overflows. */
  check_unary ("sigmoid", hfsr_ref_sigmoid, -120.0f, 120.0f);
  check_unary ("sigmoid", hfsr_ref_sigmoid, -4.0f, 4.0f);
}

static void
test_prelu (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 4);

  for (int iteration = 0; iteration < 30; iteration++)
    {
      int c = g_rand_int_range (rand, 1, 38);
      int h = g_rand_int_range (rand, 1, 24);
      int w = g_rand_int_range (rand, 1, 24);
      int n_slopes = g_rand_boolean (rand) ? 1 : c;
      GPtrArray *store = layer_test_store_new ();
      HfsrWeight *slopes
        = layer_test_store_add (store, "a", iteration, 1, n_slopes);
      HfsrTensor *input
        = layer_test_random_tensor (c, h, w, iteration + 1, -2.0f, 2.0f);
      float *reference = g_new (float, hfsr_tensor_size (input));
      HfsrNode node;

      layer_test_load_node_or_die ("prelu", store, "{\"weight\": \"a\"}",
                                   &node);
      hfsr_ref_prelu (input->data, c, (gsize) h * w, slopes->data, n_slopes,
                      reference);
      expect_close (
        g_strdup_printf ("prelu [%d,%d,%d] %d slopes", c, h, w, n_slopes),
        layer_test_run_node1 (&node, input), c, h, w, reference);
      hfsr_tensor_free (input);
      g_ptr_array_unref (store);
    }
  g_rand_free (rand);
}

static void
test_add (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 5);
  GPtrArray *store = layer_test_store_new ();
  HfsrNode node;

  layer_test_load_node_or_die ("add", store, "{}", &node);
  /* The first 3 iterations are large enough to be cut for up to 3 threads
   * (HFSR_PARALLEL_GRAIN), at an odd length. */
  for (int iteration = 0; iteration < 30; iteration++)
    {
      int threads_before = hfsr_run_threads ();
      gboolean large = iteration < 3;
      int c = large ? 13 : g_rand_int_range (rand, 1, 38);
      int h = large ? 211 : g_rand_int_range (rand, 1, 24);
      int w = large ? 331 : g_rand_int_range (rand, 1, 24);
      HfsrTensor *inputs[2] = {
        layer_test_random_tensor (c, h, w, iteration, -1.0f, 1.0f),
        layer_test_random_tensor (c, h, w, iteration + 1000, -1.0f, 1.0f),
      };
      float *reference = g_new (float, hfsr_tensor_size (inputs[0]));

      hfsr_ref_add (inputs[0]->data, inputs[1]->data,
                    hfsr_tensor_size (inputs[0]), reference);
      hfsr_test_set_threads (large ? iteration + 1 : threads_before);
      expect_close (
        g_strdup_printf ("add [%d,%d,%d]", c, h, w),
        layer_test_run_node (&node, (const HfsrTensor *const *) inputs, 2), c,
        h, w, reference);
      hfsr_test_set_threads (threads_before);
      hfsr_tensor_free (inputs[0]);
      hfsr_tensor_free (inputs[1]);
    }
  g_ptr_array_unref (store);
  g_rand_free (rand);
}

static void
test_channel_scale (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 6);
  GPtrArray *store = layer_test_store_new ();
  HfsrNode node;

  layer_test_load_node_or_die ("channel_scale", store, "{}", &node);
  for (int iteration = 0; iteration < 30; iteration++)
    {
      int c = g_rand_int_range (rand, 1, 38);
      int h = g_rand_int_range (rand, 1, 24);
      int w = g_rand_int_range (rand, 1, 24);
      HfsrTensor *inputs[2] = {
        layer_test_random_tensor (c, h, w, iteration, -1.0f, 1.0f),
        layer_test_random_tensor (c, 1, 1, iteration + 1000, 0.0f, 1.0f),
      };
      float *reference = g_new (float, hfsr_tensor_size (inputs[0]));

      hfsr_ref_channel_scale (inputs[0]->data, c, (gsize) h * w,
                              inputs[1]->data, reference);
      expect_close (
        g_strdup_printf ("channel_scale [%d,%d,%d]", c, h, w),
        layer_test_run_node (&node, (const HfsrTensor *const *) inputs, 2), c,
        h, w, reference);
      hfsr_tensor_free (inputs[0]);
      hfsr_tensor_free (inputs[1]);
    }
  g_ptr_array_unref (store);
  g_rand_free (rand);
}

static void
test_global_avg_pool (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 7);
  GPtrArray *store = layer_test_store_new ();
  HfsrNode node;

  layer_test_load_node_or_die ("global_avg_pool", store, "{}", &node);
  for (int iteration = 0; iteration < 30; iteration++)
    {
      int c = g_rand_int_range (rand, 1, 38);
      int h = g_rand_int_range (rand, 1, 24);
      int w = g_rand_int_range (rand, 1, 24);
      HfsrTensor *input
        = layer_test_random_tensor (c, h, w, iteration, -1.0f, 3.0f);
      float *reference = g_new (float, c);

      hfsr_ref_global_avg_pool (input->data, c, (gsize) h * w, reference);
      expect_close (g_strdup_printf ("global_avg_pool [%d,%d,%d]", c, h, w),
                    layer_test_run_node1 (&node, input), c, 1, 1, reference);
      hfsr_tensor_free (input);
    }
  g_ptr_array_unref (store);
  g_rand_free (rand);
}

static void
test_linear (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 8);

  for (int iteration = 0; iteration < 40; iteration++)
    {
      int c = g_rand_int_range (rand, 1, 38);
      int h = g_rand_int_range (rand, 1, 8);
      int w = g_rand_int_range (rand, 1, 8);
      int in = c * h * w;
      int out = g_rand_int_range (rand, 1, 38);
      gboolean with_bias = g_rand_boolean (rand);
      GPtrArray *store = layer_test_store_new ();
      HfsrWeight *weight
        = layer_test_store_add (store, "w", iteration, 2, out, in);
      HfsrWeight *bias
        = with_bias ? layer_test_store_add (store, "b", iteration + 1, 1, out)
                    : NULL;
      HfsrTensor *input
        = layer_test_random_tensor (c, h, w, iteration + 2, -1.0f, 1.0f);
      float *reference = g_new (float, out);
      HfsrNode node;

      layer_test_load_node_or_die ("linear", store,
                                   with_bias
                                     ? "{\"weight\": \"w\", \"bias\": \"b\"}"
                                     : "{\"weight\": \"w\"}",
                                   &node);
      hfsr_ref_linear (input->data, in, weight->data, out,
                       bias ? bias->data : NULL, reference);
      expect_close (g_strdup_printf ("linear [%d,%d,%d] -> %d bias %d", c, h,
                                     w, out, with_bias),
                    layer_test_run_node1 (&node, input), out, 1, 1, reference);
      hfsr_tensor_free (input);
      g_ptr_array_unref (store);
    }
  g_rand_free (rand);
}

static void
test_softmax (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 9);
  GPtrArray *store = layer_test_store_new ();
  HfsrNode node;

  layer_test_load_node_or_die ("softmax", store, "{}", &node);
  for (int iteration = 0; iteration < 30; iteration++)
    {
      int c = g_rand_int_range (rand, 1, 38);
      int h = g_rand_int_range (rand, 1, 24);
      int w = g_rand_int_range (rand, 1, 24);
      /* Beyond expf's range (88): only a shifted softmax survives. */
      float range = iteration % 2 ? 100.0f : 3.0f;
      HfsrTensor *input
        = layer_test_random_tensor (c, h, w, iteration, -range, range);
      float *reference = g_new (float, hfsr_tensor_size (input));

      hfsr_ref_softmax (input->data, c, (gsize) h * w, reference);
      expect_close (
        g_strdup_printf ("softmax [%d,%d,%d] range %g", c, h, w, range),
        layer_test_run_node1 (&node, input), c, h, w, reference);
      hfsr_tensor_free (input);
    }
  g_ptr_array_unref (store);
  g_rand_free (rand);
}

/* ----------------------------------------------------- registry, tensors */

static void
test_registry (void)
{
  const struct
  {
    const HfsrLayerClass *klass;
    int inputs;
  } all[] = {
    { &hfsr_layer_conv2d, 1 },
    { &hfsr_layer_conv_transpose2d, 1 },
    { &hfsr_layer_pixel_shuffle, 1 },
    { &hfsr_layer_relu, 1 },
    { &hfsr_layer_prelu, 1 },
    { &hfsr_layer_sigmoid, 1 },
    { &hfsr_layer_add, 2 },
    { &hfsr_layer_channel_scale, 2 },
    { &hfsr_layer_global_avg_pool, 1 },
    { &hfsr_layer_linear, 1 },
    { &hfsr_layer_softmax, 1 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
    {
      const HfsrLayerClass *klass = all[i].klass;

      g_assert_true (hfsr_layer_lookup (klass->op) == klass);
      g_assert_cmpint (klass->min_inputs, ==, all[i].inputs);
      g_assert_cmpint (klass->max_inputs, ==, all[i].inputs);
      g_assert_nonnull (klass->load);
      g_assert_nonnull (klass->infer_shape);
      g_assert_nonnull (klass->margin);
      g_assert_nonnull (klass->forward);
    }
  g_assert_null (hfsr_layer_lookup ("conv3d"));
  g_assert_null (hfsr_layer_lookup (""));
  g_assert_null (hfsr_layer_lookup ("Conv2d"));
  g_assert_null (hfsr_layer_lookup (NULL));
}

static void
test_tensor (void)
{
  GError *error = NULL;
  HfsrTensor *tensor = hfsr_tensor_new (3, 5, 7, &error);
  float *floats;

  g_assert_no_error (error);
  g_assert_cmpint (tensor->channels, ==, 3);
  g_assert_cmpint (tensor->height, ==, 5);
  g_assert_cmpint (tensor->width, ==, 7);
  g_assert_cmpuint (hfsr_tensor_size (tensor), ==, 105);
  g_assert_cmpuint ((guintptr) tensor->data % 64, ==, 0);
  for (gsize i = 0; i < 105; i++)
    g_assert_cmpfloat (tensor->data[i], ==, 0.0f);
  g_assert_true (hfsr_tensor_plane (tensor, 2) == tensor->data + 70);
  hfsr_tensor_free (tensor);
  hfsr_tensor_free (NULL);
  g_assert_cmpuint (hfsr_tensor_size (NULL), ==, 0);

  g_assert_null (hfsr_tensor_new (0, 5, 7, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (hfsr_tensor_new (3, -1, 7, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* 2^33 elements: above HFSR_TENSOR_MAX_ELEMENTS, refused before any
   * allocation. */
  g_assert_null (hfsr_tensor_new (65536, 65536, 2, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY);
  g_clear_error (&error);
  g_assert_null (hfsr_tensor_new (G_MAXINT, G_MAXINT, G_MAXINT, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY);
  g_clear_error (&error);
  g_assert_null (hfsr_tensor_new (G_MAXINT, 1, 2, NULL));

  /* Byte counts that overflow gsize. */
  g_assert_null (hfsr_alloc_floats (G_MAXSIZE));
  g_assert_null (hfsr_alloc_floats (G_MAXSIZE / sizeof (float) + 1));
  floats = hfsr_alloc_floats (1001);
  g_assert_nonnull (floats);
  g_assert_cmpuint ((guintptr) floats % 64, ==, 0);
  for (gsize i = 0; i < 1001; i++)
    g_assert_cmpfloat (floats[i], ==, 0.0f);
  hfsr_free_floats (floats);
  hfsr_free_floats (NULL);

  g_assert_cmpstr (g_quark_to_string (HFSR_ERROR), ==, "hfsr-error-quark");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/layers/conv2d/one-thread", GINT_TO_POINTER (1),
                        test_conv2d);
  g_test_add_data_func ("/layers/conv2d/two-threads", GINT_TO_POINTER (2),
                        test_conv2d);
  g_test_add_func ("/layers/conv_transpose2d", test_conv_transpose2d);
  g_test_add_func ("/layers/pixel_shuffle", test_pixel_shuffle);
  g_test_add_func ("/layers/relu", test_relu);
  g_test_add_func ("/layers/prelu", test_prelu);
  g_test_add_func ("/layers/sigmoid", test_sigmoid);
  g_test_add_func ("/layers/add", test_add);
  g_test_add_func ("/layers/channel_scale", test_channel_scale);
  g_test_add_func ("/layers/global_avg_pool", test_global_avg_pool);
  g_test_add_func ("/layers/linear", test_linear);
  g_test_add_func ("/layers/softmax", test_softmax);
  g_test_add_func ("/layers/registry", test_registry);
  g_test_add_func ("/tensor/basics", test_tensor);
  return g_test_run ();
}
