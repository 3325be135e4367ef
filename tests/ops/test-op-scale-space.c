/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:scale-space and hfsr:dog-sr in real GEGL: the levels against the
 * Gaussian blur computed directly on the whole grey image, chunked renders
 * against whole ones, dog-sr's pixel-sr method against its two steps run
 * one after the other, its trained methods against the engine's
 * hfsr_dog_sr_levels with the shipped networks, and what is refused: a
 * level that does not exist, sigmas a network was not trained for.
 */
#include "hfsr-config.h"

#include <math.h>

#include "hfsr.h"
#include "op-test-util.h"
#include "test-util.h"

#define SCALE_SPACE "hfsr:scale-space"
#define DOG_SR "hfsr:dog-sr"

/* hfsr:dog-sr's methods, as its enum orders them. */
enum
{
  RESIDUAL_DOG,
  GAUSSIAN_STACK,
  PIXEL_SR
};

static const double noor_sigmas[5]
  = { 1.249, 1.545, 1.96588, 2.452527, 3.090016 };

static const Babl *
grey_float (void)
{
  return babl_format ("Y' float");
}

/* The input as the op sees it: its grey Y'. */
static float *
grey_pixels (GeglBuffer *buffer)
{
  const GeglRectangle *extent = gegl_buffer_get_extent (buffer);
  float *pixels = g_new (float, ((gsize) extent->width * extent->height));

  gegl_buffer_get (buffer, extent, 1.0, grey_float (), pixels,
                   GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  return pixels;
}

/* Every level of both stacks against hfsr_gaussian_blur of the whole grey
 * image: 0.5 + gain (L_i - L_(i+1)) for the DoG, L_k for the Gaussians. */
static void
test_levels_equal_direct_blurs (void)
{
  const int width = 53, height = 41;
  GeglBuffer *input = op_test_random_buffer (width, height, 11);
  GeglRectangle box = { 0, 0, width, height };
  float *grey = grey_pixels (input);
  gsize n = (gsize) width * height;
  float *blurs[5];

  for (int k = 0; k < 5; k++)
    {
      blurs[k] = g_new (float, n);
      g_assert_true (hfsr_gaussian_blur (grey, width, height, noor_sigmas[k],
                                         blurs[k], NULL));
    }
  for (int output = 0; output < 2; output++)
    for (int level = 1; level <= (output == 0 ? 4 : 5); level++)
      {
        GeglNode *op
          = op_test_graph_new (input, NULL, SCALE_SPACE, "output", output,
                               "level", level, "gain", 7.0, NULL);
        float *actual = op_test_render (op, &box, grey_float ());
        float *expected = g_new (float, n);

        for (gsize i = 0; i < n; i++)
          expected[i]
            = output == 0
                ? 0.5f + 7.0f * (blurs[level - 1][i] - blurs[level][i])
                : blurs[level - 1][i];
        op_test_assert_close (actual, expected, n, 1, width, 1e-5);
        g_free (expected);
        g_free (actual);
        op_test_graph_free (op);
      }
  for (int k = 0; k < 5; k++)
    g_free (blurs[k]);
  g_free (grey);
  g_object_unref (input);
}

/* Pieces rendered on their own, and GEGL's processor with several threads
 * and small chunks, give the whole render's pixels: the margin covers the
 * widest kernel. */
static void
test_chunks_equal_whole (void)
{
  GeglBuffer *input = op_test_random_buffer (70, 45, 12);
  const GeglRectangle box = { 0, 0, 70, 45 };
  const OpTestConfig config = { 3, 200, 16 };
  GeglNode *op = op_test_graph_new (input, NULL, SCALE_SPACE, "output", 0,
                                    "level", 4, "sigma5", 6.5, NULL);
  float *whole = op_test_render (op, &box, grey_float ());
  float *pieces = op_test_render_chunks (op, &box, 13, 9, grey_float ());
  float *threaded;

  op_test_assert_identical (pieces, whole, 70 * 45, 1, 70);
  op_test_graph_free (op);
  op = op_test_graph_new (input, NULL, SCALE_SPACE, "output", 0, "level", 4,
                          "sigma5", 6.5, NULL);
  threaded = op_test_process (op, &box, grey_float (), &config);
  op_test_assert_identical (threaded, whole, 70 * 45, 1, 70);
  op_test_graph_free (op);
  g_free (threaded);
  g_free (pieces);
  g_free (whole);
  g_object_unref (input);
}

/* Level 5 of the DoG does not exist: a warning naming it, no crash, and the
 * Gaussian level 5 still works. */
static void
test_missing_level_warns (void)
{
  GeglBuffer *input = op_test_random_buffer (12, 10, 13);
  GeglRectangle box = { 0, 0, 12, 10 };
  GeglNode *op = op_test_graph_new (input, NULL, SCALE_SPACE, "output", 0,
                                    "level", 5, NULL);

  op_test_expect_warnings ("level 5 does not exist");
  g_free (op_test_render (op, &box, grey_float ()));
  g_assert_cmpint (op_test_warnings_seen (), ==, 1);
  op_test_graph_free (op);
  g_object_unref (input);
}

/* hfsr:dog-sr is hfsr:super-resolution (alpha 0) then hfsr:scale-space:
 * twice the size, and the same pixels as the two steps run separately into
 * a buffer, whole and in chunks. */
static void
test_dog_sr_is_upscale_then_level (void)
{
  const int w = 31, h = 23, s = 2;
  GeglBuffer *input = op_test_random_buffer (w, h, 14);
  GeglRectangle big = { 0, 0, s * w, s * h };
  GeglNode *dog
    = op_test_graph_new (input, NULL, DOG_SR, "method", PIXEL_SR, "scale", s,
                         "level", 2, "gain", 5.0, NULL);
  GeglNode *sr = op_test_graph_new (input, NULL, "hfsr:super-resolution",
                                    "scale", (double) s, "alpha", 0.0, NULL);
  GeglRectangle box = gegl_node_get_bounding_box (dog);
  float *upscaled = op_test_render (sr, &big, babl_format ("R'G'B'A float"));
  GeglBuffer *middle = op_test_buffer_new (
    s * w, s * h, babl_format ("R'G'B'A float"), upscaled);
  GeglNode *level = op_test_graph_new (middle, NULL, SCALE_SPACE, "level", 2,
                                       "gain", 5.0, NULL);
  float *expected = op_test_render (level, &big, grey_float ());
  float *actual = op_test_render (dog, &big, grey_float ());
  float *pieces;

  g_assert_true (gegl_rectangle_equal (&box, &big));
  op_test_assert_close (actual, expected, (gsize) big.width * big.height, 1,
                        big.width, 1e-5);
  op_test_graph_free (dog);
  dog = op_test_graph_new (input, NULL, DOG_SR, "method", PIXEL_SR, "scale", s,
                           "level", 2, "gain", 5.0, NULL);
  pieces = op_test_render_chunks (dog, &big, 17, 11, grey_float ());
  op_test_assert_close (pieces, actual, (gsize) big.width * big.height, 1,
                        big.width, 1e-5);

  g_free (pieces);
  g_free (actual);
  g_free (expected);
  g_free (upscaled);
  op_test_graph_free (level);
  op_test_graph_free (sr);
  op_test_graph_free (dog);
  g_object_unref (middle);
  g_object_unref (input);
}

/* The trained methods give the shipped network's levels as the engine
 * computes them on the whole grey image: every DoG and Gaussian level of
 * both methods at x2 and x4. */
static void
test_dog_sr_trained_equals_engine (void)
{
  const int w = 27, h = 21;
  GeglBuffer *input = op_test_random_buffer (w, h, 15);
  float *grey = grey_pixels (input);
  HfsrRect image = { 0, 0, w, h };
  HfsrImageView view = { grey, 1, (gsize) w, image };

  for (int s = 2; s <= 4; s += 2)
    for (int method = RESIDUAL_DOG; method <= GAUSSIAN_STACK; method++)
      {
        g_autofree char *relative = g_strdup_printf (
          "models/hfsr-dog-x%d-%s.safetensors", s,
          method == RESIDUAL_DOG ? "residual-dog" : "gaussian-stack");
        g_autofree char *path = hfsr_test_source_path (relative);
        HfsrModel *model = hfsr_model_load (path, NULL);
        HfsrRect target = { 0, 0, s * w, s * h };
        GeglRectangle big = { 0, 0, s * w, s * h };
        gsize n = (gsize) big.width * big.height;
        float *levels = g_new (float, (n * HFSR_DOG_SR_LEVELS));

        g_assert_nonnull (model);
        g_assert_true (hfsr_dog_sr_levels (model, s, noor_sigmas, &view,
                                           &image, &target, levels, NULL));
        for (int output = 0; output < 2; output++)
          for (int level = 1; level <= (output == 0 ? 4 : 5); level++)
            {
              GeglNode *op = op_test_graph_new (
                input, NULL, DOG_SR, "method", method, "scale", s, "output",
                output, "level", level, "gain", 3.0, NULL);
              float *actual = op_test_render (op, &big, grey_float ());
              float *expected = g_new (float, n);
              const float *l = levels + (gsize) (level - 1) * n;

              for (gsize i = 0; i < n; i++)
                expected[i]
                  = output == 0 ? 0.5f + 3.0f * (l[i] - l[i + n]) : l[i];
              op_test_assert_close (actual, expected, n, 1, big.width, 3e-5);
              g_free (expected);
              g_free (actual);
              op_test_graph_free (op);
            }
        g_free (levels);
        hfsr_model_free (model);
      }
  g_free (grey);
  g_object_unref (input);
}

/* Pieces and GEGL's processor with threads and small chunks give the
 * whole render's pixels, to the engine's tiling tolerance. */
static void
test_dog_sr_trained_chunks (void)
{
  GeglBuffer *input = op_test_random_buffer (45, 38, 16);
  const GeglRectangle box = { 0, 0, 90, 76 };
  const OpTestConfig config = { 3, 900, 16 };

  for (int method = RESIDUAL_DOG; method <= GAUSSIAN_STACK; method++)
    {
      GeglNode *op = op_test_graph_new (input, NULL, DOG_SR, "method", method,
                                        "level", 3, NULL);
      float *whole = op_test_render (op, &box, grey_float ());
      float *pieces = op_test_render_chunks (op, &box, 23, 17, grey_float ());
      float *threaded;

      op_test_assert_close (pieces, whole, 90 * 76, 1, 90, 1e-4);
      op_test_graph_free (op);
      op = op_test_graph_new (input, NULL, DOG_SR, "method", method, "level",
                              3, NULL);
      threaded = op_test_process (op, &box, grey_float (), &config);
      op_test_assert_close (threaded, whole, 90 * 76, 1, 90, 1e-4);
      op_test_graph_free (op);
      g_free (threaded);
      g_free (pieces);
      g_free (whole);
    }
  g_object_unref (input);
}

/* A trained method at sigmas it was not trained for says so; pixel-sr
 * takes them. */
static void
test_dog_sr_trained_sigmas_refused (void)
{
  GeglBuffer *input = op_test_random_buffer (12, 10, 17);
  GeglRectangle box = { 0, 0, 24, 20 };
  GeglNode *op = op_test_graph_new (input, NULL, DOG_SR, "method",
                                    GAUSSIAN_STACK, "sigma2", 1.7, NULL);

  op_test_expect_warnings ("trained for the sigmas");
  g_free (op_test_render (op, &box, grey_float ()));
  g_assert_cmpint (op_test_warnings_seen (), >=, 1);
  op_test_graph_free (op);

  op = op_test_graph_new (input, NULL, DOG_SR, "method", PIXEL_SR, "sigma2",
                          1.7, NULL);
  op_test_expect_warnings ("");
  g_free (op_test_render (op, &box, grey_float ()));
  g_assert_cmpint (op_test_warnings_seen (), ==, 0);
  op_test_graph_free (op);
  g_object_unref (input);
}

int
main (int argc, char **argv)
{
  int status = op_test_init (&argc, &argv, DOG_SR);

  if (status != 0)
    return status;
  g_test_add_func ("/scale-space/levels-equal-direct-blurs",
                   test_levels_equal_direct_blurs);
  g_test_add_func ("/scale-space/chunks-equal-whole", test_chunks_equal_whole);
  g_test_add_func ("/scale-space/missing-level-warns",
                   test_missing_level_warns);
  g_test_add_func ("/dog-sr/upscale-then-level",
                   test_dog_sr_is_upscale_then_level);
  g_test_add_func ("/dog-sr/trained-equals-engine",
                   test_dog_sr_trained_equals_engine);
  g_test_add_func ("/dog-sr/trained-chunks", test_dog_sr_trained_chunks);
  g_test_add_func ("/dog-sr/trained-sigmas-refused",
                   test_dog_sr_trained_sigmas_refused);
  return g_test_run ();
}
