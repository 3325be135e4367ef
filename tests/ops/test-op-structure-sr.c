/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:structure-sr in real GEGL with the shipped SR² networks: the op
 * against the engine's whole-image forward pass, lambda between trained
 * values against the engine's weight blend, chunks and threads against a
 * whole render, transparency read as black, and the bicubic fallback (with
 * a warning) for a bad model file or an untrained scale.
 */
#include "hfsr-config.h"

#include <math.h>

#include "hfsr.h"
#include "op-test-util.h"
#include "test-util.h"

#define STRUCTURE_SR "hfsr:structure-sr"

/* The op's arch enum, in its order. */
enum
{
  FSRCNN,
  WDSR,
  SEQUENTIAL,
  FSRCNN_NOISY
};

static const Babl *
grey_float (void)
{
  return babl_format ("Y' float");
}

/* The grey the op reads: Y' premultiplied by alpha (over black).  Not read
 * as babl's "Y'aA float", which babl 0.1.98 overruns its buffer making. */
static float *
premultiplied_grey (GeglBuffer *buffer)
{
  const GeglRectangle *extent = gegl_buffer_get_extent (buffer);
  gsize n = (gsize) extent->width * extent->height;
  float *pixels = g_new (float, (2 * n)), *grey = g_new (float, n);

  gegl_buffer_get (buffer, extent, 1.0, babl_format ("Y'A float"), pixels,
                   GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  for (gsize i = 0; i < n; i++)
    grey[i] = pixels[2 * i] * pixels[2 * i + 1];
  g_free (pixels);
  return grey;
}

static HfsrModel *
shipped (int scale, const char *family, const char *lambda)
{
  g_autofree char *relative = g_strdup_printf (
    "models/hfsr-sr2-x%d-%s-l%s.safetensors", scale, family, lambda);
  g_autofree char *path = hfsr_test_source_path (relative);
  GError *error = NULL;
  HfsrModel *model = hfsr_model_load (path, &error);

  g_assert_no_error (error);
  return model;
}

/* Output 0 of @model over the whole @grey image, clamped as the op does. */
static float *
engine_upscale (const HfsrModel *model, const float *grey, int w, int h)
{
  HfsrTensor *input = hfsr_tensor_new (1, h, w, NULL);
  HfsrTensor **outputs
    = g_new0 (HfsrTensor *, hfsr_model_get_n_outputs (model));
  int s = hfsr_model_get_scale (model);
  float *out = g_new (float, ((gsize) s * w * s * h));

  memcpy (input->data, grey, sizeof (float) * w * h);
  g_assert_true (hfsr_model_forward (model, input, outputs, NULL, NULL));
  for (gsize i = 0; i < (gsize) s * w * s * h; i++)
    out[i] = CLAMP (outputs[0]->data[i], 0.0f, 1.0f);
  for (int i = 0; i < hfsr_model_get_n_outputs (model); i++)
    hfsr_tensor_free (outputs[i]);
  g_free (outputs);
  hfsr_tensor_free (input);
  return out;
}

static void
assert_op_equals (GeglBuffer *input, const float *expected, int scale,
                  const char *first_property, ...)
{
  const GeglRectangle *extent = gegl_buffer_get_extent (input);
  GeglRectangle big = { 0, 0, scale * extent->width, scale * extent->height };
  GeglNode *op
    = op_test_graph_new (input, NULL, STRUCTURE_SR, "scale", scale, NULL);
  va_list args;
  float *actual;

  va_start (args, first_property);
  gegl_node_set_valist (op, first_property, args);
  va_end (args);
  actual = op_test_render (op, &big, grey_float ());
  op_test_assert_close (actual, expected, (gsize) big.width * big.height, 1,
                        big.width, 1e-5);
  g_free (actual);
  op_test_graph_free (op);
}

/* Every shipped family at its trained lambdas: the op's pixels are the
 * network's output 0 on the premultiplied grey. */
static void
test_equals_engine (void)
{
  const int w = 13, h = 11;
  GeglBuffer *input = op_test_random_buffer (w, h, 21);
  float *grey = premultiplied_grey (input);
  const struct
  {
    int arch, shared;
    const char *family, *lambda;
  } cases[] = {
    { FSRCNN, 1, "fsrcnn", "0" },
    { FSRCNN, 1, "fsrcnn", "9" },
    { WDSR, 1, "wdsr1", "9" },
    { WDSR, 4, "wdsr4", "0" },
    { SEQUENTIAL, 1, "sequential", "0.11" },
    { FSRCNN_NOISY, 1, "fsrcnn-noisy", "1" },
  };

  for (int s = 2; s <= 4; s += 2)
    for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
      {
        HfsrModel *model = shipped (s, cases[c].family, cases[c].lambda);
        float *expected = engine_upscale (model, grey, w, h);

        assert_op_equals (input, expected, s, "arch", cases[c].arch,
                          "shared-layers", cases[c].shared, "lambda",
                          g_ascii_strtod (cases[c].lambda, NULL), NULL);
        g_free (expected);
        hfsr_model_free (model);
      }
  g_free (grey);
  g_object_unref (input);
}

/* Between trained lambdas the op runs the engine's blend of the two
 * nearest networks. */
static void
test_lambda_blends (void)
{
  const int w = 10, h = 9;
  GeglBuffer *input = op_test_random_buffer (w, h, 22);
  float *grey = premultiplied_grey (input);
  HfsrModel *l0 = shipped (4, "fsrcnn", "0"), *l1 = shipped (4, "fsrcnn", "1");
  HfsrModel *l9 = shipped (4, "fsrcnn", "9");
  const struct
  {
    double lambda;
    HfsrModel *a, *b;
    double t;
  } cases[] = {
    { 0.25, l0, l1, 0.25 },
    { 5.0, l1, l9, 0.5 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      HfsrModel *blend
        = hfsr_model_blend (cases[c].a, cases[c].b, cases[c].t, NULL);
      float *expected = engine_upscale (blend, grey, w, h);

      g_assert_nonnull (blend);
      assert_op_equals (input, expected, 4, "lambda", cases[c].lambda, NULL);
      g_free (expected);
      hfsr_model_free (blend);
    }
  hfsr_model_free (l0);
  hfsr_model_free (l1);
  hfsr_model_free (l9);
  g_free (grey);
  g_object_unref (input);
}

/* Pieces and GEGL's processor with threads and small chunks give the
 * whole render's pixels. */
static void
test_chunks_equal_whole (void)
{
  GeglBuffer *input = op_test_random_buffer (47, 39, 23);
  const GeglRectangle box = { 0, 0, 94, 78 };
  const OpTestConfig config = { 3, 700, 16 };

  for (int arch = FSRCNN; arch <= WDSR; arch++)
    {
      GeglNode *op = op_test_graph_new (input, NULL, STRUCTURE_SR, "scale", 2,
                                        "arch", arch, "lambda", 9.0, NULL);
      float *whole = op_test_render (op, &box, grey_float ());
      float *pieces = op_test_render_chunks (op, &box, 23, 17, grey_float ());
      float *threaded = op_test_process (op, &box, grey_float (), &config);

      op_test_assert_close (pieces, whole, (gsize) 94 * 78, 1, 94, 1e-5);
      op_test_assert_close (threaded, whole, (gsize) 94 * 78, 1, 94, 1e-5);
      g_free (whole);
      g_free (pieces);
      g_free (threaded);
      op_test_graph_free (op);
    }
  g_object_unref (input);
}

/* Fully transparent pixels, whatever their colour, read as black; an RGB
 * image reads as its grey. */
static void
test_transparent_is_black_and_rgb_is_grey (void)
{
  const int w = 9, h = 8;
  float *rgba = g_new (float, (4 * w * h)), *ya = g_new (float, (2 * w * h));
  GeglBuffer *a, *b;
  GRand *rand = g_rand_new_with_seed (24);
  HfsrModel *model = shipped (2, "fsrcnn", "9");
  float *grey, *expected;

  for (int i = 0; i < w * h; i++)
    {
      gboolean clear = i % 3 == 0;

      for (int c = 0; c < 3; c++)
        rgba[4 * i + c] = (float) g_rand_double (rand);
      rgba[4 * i + 3] = clear ? 0.0f : 1.0f;
      ya[2 * i] = clear ? 0.0f : 0.25f + 0.5f * (float) g_rand_double (rand);
      ya[2 * i + 1] = 1.0f;
    }
  a = op_test_buffer_new (w, h, babl_format ("R'G'B'A float"), rgba);
  grey = premultiplied_grey (a);
  /* a transparent pixel reads as black */
  for (int i = 0; i < w * h; i += 3)
    g_assert_cmpfloat (grey[i], ==, 0.0f);
  expected = engine_upscale (model, grey, w, h);
  assert_op_equals (a, expected, 2, "lambda", 9.0, NULL);
  g_free (expected);
  g_free (grey);

  b = op_test_buffer_new (w, h, babl_format ("Y'A float"), ya);
  grey = premultiplied_grey (b);
  expected = engine_upscale (model, grey, w, h);
  assert_op_equals (b, expected, 2, "lambda", 9.0, NULL);
  g_free (expected);
  g_free (grey);

  g_object_unref (a);
  g_object_unref (b);
  hfsr_model_free (model);
  g_rand_free (rand);
  g_free (rgba);
  g_free (ya);
}

/* A bad model file or a scale without networks: a warning saying so, and
 * the MATLAB bicubic upscale of the grey, not a black image. */
static void
test_fallback_is_bicubic_with_a_warning (void)
{
  const int w = 12, h = 10;
  GeglBuffer *input = op_test_random_buffer (w, h, 25);
  float *grey = premultiplied_grey (input);
  g_autofree char *bad = hfsr_test_source_path ("meson.build");

  for (int s = 3; s <= 4; s++)
    {
      float *expected = g_new (float, ((gsize) s * w * s * h));

      g_assert_true (
        hfsr_imresize (grey, 1, w, h, s * w, s * h, expected, NULL));
      for (gsize i = 0; i < (gsize) s * w * s * h; i++)
        expected[i] = CLAMP (expected[i], 0.0f, 1.0f);
      op_test_expect_warnings ("bicubic upscale instead");
      if (s == 3)
        assert_op_equals (input, expected, 3, "lambda", 1.0, NULL);
      else
        assert_op_equals (input, expected, 4, "model", bad, NULL);
      g_assert_cmpint (op_test_warnings_seen (), ==, 1);
      g_free (expected);
    }
  g_free (grey);
  g_object_unref (input);
}

/* The op's polarity enum, in its order. */
enum
{
  AUTO,
  LIGHT_ON_DARK,
  DARK_ON_LIGHT
};

/* @polarity's x2 upscale of the opaque grey @pixels (20 x 20). */
static float *
upscale_with (const float *pixels, int polarity)
{
  GeglBuffer *input = op_test_buffer_new (20, 20, grey_float (), pixels);
  GeglRectangle big = { 0, 0, 40, 40 };
  GeglNode *op = op_test_graph_new (input, NULL, STRUCTURE_SR, "scale", 2,
                                    "polarity", polarity, NULL);
  float *out = op_test_render (op, &big, grey_float ());

  op_test_graph_free (op);
  g_object_unref (input);
  return out;
}

/* A "1" drawn light on dark and the same dark on light: dark on light is
 * upscaled inverted and inverted back, so its result is the light one's
 * inverse; detection picks each one's polarity from the border; and the
 * dark one upscaled as if it were light comes out otherwise. */
static void
test_polarity (void)
{
  float light[400], dark[400];
  float *light_out, *dark_out, *detected, *wrong;
  float apart = 0.0f;

  for (int y = 0; y < 20; y++)
    for (int x = 0; x < 20; x++)
      {
        gboolean stroke = (x >= 9 && x <= 11 && y >= 3 && y <= 16)
                          || (y == 4 + (10 - x) && x >= 6 && x < 9);

        light[y * 20 + x] = stroke ? 0.95f : 0.05f;
        dark[y * 20 + x] = 1.0f - light[y * 20 + x];
      }
  light_out = upscale_with (light, LIGHT_ON_DARK);
  dark_out = upscale_with (dark, DARK_ON_LIGHT);
  for (int i = 0; i < 1600; i++)
    g_assert_cmpfloat_with_epsilon (dark_out[i], 1.0f - light_out[i], 1e-5);

  detected = upscale_with (light, AUTO);
  op_test_assert_close (detected, light_out, 1600, 1, 40, 0.0);
  g_free (detected);
  detected = upscale_with (dark, AUTO);
  op_test_assert_close (detected, dark_out, 1600, 1, 40, 0.0);
  g_free (detected);

  wrong = upscale_with (dark, LIGHT_ON_DARK);
  for (int i = 0; i < 1600; i++)
    apart = MAX (apart, fabsf (wrong[i] - dark_out[i]));
  g_assert_cmpfloat (apart, >, 0.05f);

  g_free (wrong);
  g_free (dark_out);
  g_free (light_out);
}

int
main (int argc, char **argv)
{
  int status = op_test_init (&argc, &argv, STRUCTURE_SR);

  if (status != 0)
    return status;
  g_test_add_func ("/structure-sr/equals-engine", test_equals_engine);
  g_test_add_func ("/structure-sr/lambda-blends", test_lambda_blends);
  g_test_add_func ("/structure-sr/chunks-equal-whole",
                   test_chunks_equal_whole);
  g_test_add_func ("/structure-sr/transparent-is-black-and-rgb-is-grey",
                   test_transparent_is_black_and_rgb_is_grey);
  g_test_add_func ("/structure-sr/fallback-is-bicubic-with-a-warning",
                   test_fallback_is_bicubic_with_a_warning);
  g_test_add_func ("/structure-sr/polarity", test_polarity);
  return g_test_run ();
}
