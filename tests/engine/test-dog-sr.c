/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr_dog_sr_levels with the shipped DoG-SR networks: the sum it makes
 * equals the plain whole-image composition (bicubic upscale, blurs,
 * network forward pass), any region equals the whole run, and settings
 * the network was not trained for are refused.
 */
#include <math.h>
#include <string.h>

#include "hfsr.h"
#include "test-util.h"

static const double noor[HFSR_DOG_SR_LEVELS]
  = { 1.249, 1.545, 1.96588, 2.452527, 3.090016 };

static HfsrModel *
load_shipped (const char *method)
{
  g_autofree char *relative
    = g_strdup_printf ("models/hfsr-dog-x2-%s.safetensors", method);
  g_autofree char *path = hfsr_test_source_path (relative);
  GError *error = NULL;
  HfsrModel *model = hfsr_model_load (path, &error);

  g_assert_no_error (error);
  return model;
}

/* The whole image's levels, the plain way, with @model's output added as
 * its method says (NULL: none). */
static float *
naive_levels (const HfsrModel *model, const float *grey, int w, int h, int s)
{
  gsize n = (gsize) w * s * h * s;
  float *up = g_new (float, n);
  float *levels = g_new (float, (n * HFSR_DOG_SR_LEVELS));
  HfsrTensor *input = hfsr_tensor_new (1, h, w, NULL);
  HfsrTensor *out = NULL;

  g_assert_true (hfsr_imresize (grey, 1, w, h, w * s, h * s, up, NULL));
  for (int k = 0; k < HFSR_DOG_SR_LEVELS; k++)
    g_assert_true (
      hfsr_gaussian_blur (up, w * s, h * s, noor[k], levels + k * n, NULL));
  if (model != NULL)
    {
      HfsrDogSrMethod method;
      double sigmas[HFSR_DOG_SR_LEVELS];

      memcpy (input->data, grey, sizeof (float) * w * h);
      g_assert_true (hfsr_model_forward (model, input, &out, NULL, NULL));
      g_assert_true (hfsr_dog_sr_check_model (model, &method, sigmas, NULL));
      if (method == HFSR_DOG_SR_GAUSSIAN_STACK)
        for (gsize i = 0; i < n * HFSR_DOG_SR_LEVELS; i++)
          levels[i] += out->data[i];
      else
        {
          /* D_k = the predictor's D_k + output k, with L_5 kept. */
          float *predictor
            = g_memdup2 (levels, sizeof (float) * n * HFSR_DOG_SR_LEVELS);

          for (int k = HFSR_DOG_SR_LEVELS - 2; k >= 0; k--)
            for (gsize i = 0; i < n; i++)
              levels[k * n + i]
                = levels[(k + 1) * n + i]
                  + (predictor[k * n + i] - predictor[(k + 1) * n + i])
                  + out->data[k * n + i];
          g_free (predictor);
        }
      hfsr_tensor_free (out);
    }
  hfsr_tensor_free (input);
  g_free (up);
  return levels;
}

static float *
engine_levels (const HfsrModel *model, const float *grey, int w, int h, int s,
               const HfsrRect *target)
{
  HfsrRect image = { 0, 0, w, h };
  HfsrImageView view = { (float *) grey, 1, (gsize) w, image };
  float *levels = g_new (
    float, ((gsize) target->width * target->height * HFSR_DOG_SR_LEVELS));
  GError *error = NULL;

  g_assert_true (hfsr_dog_sr_levels (model, s, noor, &view, &image, target,
                                     levels, &error));
  g_assert_no_error (error);
  return levels;
}

/* DoG level k of @levels (n pixels a level). */
static float
dog_at (const float *levels, gsize n, int k, gsize i)
{
  return levels[k * n + i] - levels[(k + 1) * n + i];
}

static void
test_levels_equal_naive (void)
{
  const int w = 29, h = 23, s = 2;
  const char *methods[] = { NULL, "residual-dog", "gaussian-stack" };
  float grey[29 * 23];
  HfsrRect whole = { 0, 0, w * s, h * s };
  gsize n = (gsize) whole.width * whole.height;

  hfsr_test_fill_random (grey, w * h, 3, 0.0f, 1.0f);
  for (guint m = 0; m < G_N_ELEMENTS (methods); m++)
    {
      HfsrModel *model = methods[m] ? load_shipped (methods[m]) : NULL;
      float *expected = naive_levels (model, grey, w, h, s);
      float *actual = engine_levels (model, grey, w, h, s, &whole);

      /* The DoG is what both methods promise; the Gaussian levels too for
       * the Gaussian stack and the bicubic levels. */
      for (int k = 0; k < HFSR_DOG_SR_LEVELS - 1; k++)
        for (gsize i = 0; i < n; i++)
          g_assert_cmpfloat_with_epsilon (dog_at (actual, n, k, i),
                                          dog_at (expected, n, k, i), 2e-5);
      if (m != 1)
        g_assert_cmpfloat (
          hfsr_test_max_abs_diff (actual, expected, n * HFSR_DOG_SR_LEVELS), <,
          2e-5);
      g_free (expected);
      g_free (actual);
      g_clear_pointer (&model, hfsr_model_free);
    }
}

/* Any region is the same pixels of the whole run: the bicubic levels bit
 * for bit, the network's share to the engine's tiling tolerance (its fast
 * convolutions round by a pixel's place in their blocks). */
static void
test_regions_equal_whole (void)
{
  const int w = 41, h = 33, s = 2;
  float grey[41 * 33];
  HfsrRect whole = { 0, 0, w * s, h * s };
  HfsrModel *model = load_shipped ("residual-dog");
  float *all;
  GRand *rand = g_rand_new_with_seed (5);
  gsize n = (gsize) whole.width * whole.height;

  hfsr_test_fill_random (grey, w * h, 4, 0.0f, 1.0f);
  all = engine_levels (model, grey, w, h, s, &whole);
  for (int trial = 0; trial < 12; trial++)
    {
      HfsrRect target;
      float *part;
      gsize m;

      target.x = g_rand_int_range (rand, 0, whole.width);
      target.y = g_rand_int_range (rand, 0, whole.height);
      target.width = g_rand_int_range (rand, 1, whole.width - target.x + 1);
      target.height = g_rand_int_range (rand, 1, whole.height - target.y + 1);
      m = (gsize) target.width * target.height;
      part = engine_levels (model, grey, w, h, s, &target);
      for (int k = 0; k < HFSR_DOG_SR_LEVELS; k++)
        for (int y = 0; y < target.height; y++)
          for (int x = 0; x < target.width; x++)
            g_assert_cmpfloat_with_epsilon (
              part[k * m + y * target.width + x],
              all[k * n + (target.y + y) * whole.width + target.x + x], 1e-5);
      g_free (part);
    }
  g_free (all);
  g_rand_free (rand);
  g_clear_pointer (&model, hfsr_model_free);
}

static void
test_refusals (void)
{
  float grey[16 * 16] = { 0 };
  HfsrRect image = { 0, 0, 16, 16 }, target = { 0, 0, 32, 32 };
  HfsrImageView view = { grey, 1, 16, image };
  float *levels = g_new (float, (32 * 32 * HFSR_DOG_SR_LEVELS));
  double sigmas[HFSR_DOG_SR_LEVELS];
  HfsrModel *model = load_shipped ("gaussian-stack");
  g_autofree char *sr_path
    = hfsr_test_source_path ("models/hfsr-x2-a0.safetensors");
  HfsrModel *sr = hfsr_model_load (sr_path, NULL);
  GError *error = NULL;

  memcpy (sigmas, noor, sizeof sigmas);
  sigmas[2] = 2.0;
  g_assert_false (hfsr_dog_sr_levels (model, 2, sigmas, &view, &image, &target,
                                      levels, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "trained for the sigmas"));
  g_clear_error (&error);
  g_assert_false (hfsr_dog_sr_levels (model, 4, noor, &view, &image, &target,
                                      levels, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  sigmas[2] = 1.0; /* not increasing */
  g_assert_false (hfsr_dog_sr_levels (NULL, 2, sigmas, &view, &image, &target,
                                      levels, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* An input short of what the target needs. */
  view.rect.width = 8;
  g_assert_false (hfsr_dog_sr_levels (model, 2, noor, &view, &image, &target,
                                      levels, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* An SR network is no DoG-SR network. */
  g_assert_nonnull (sr);
  g_assert_false (hfsr_dog_sr_check_model (sr, NULL, sigmas, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT);
  g_clear_error (&error);

  hfsr_model_free (sr);
  hfsr_model_free (model);
  g_free (levels);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dog-sr/levels-equal-naive", test_levels_equal_naive);
  g_test_add_func ("/dog-sr/regions-equal-whole", test_regions_equal_whole);
  g_test_add_func ("/dog-sr/refusals", test_refusals);
  return g_test_run ();
}
