/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:super-resolution in real GEGL on images beyond opaque R'G'B', with
 * the small test networks (sr-test-util.c): fringes around a sprite on
 * transparency, with those networks and with one that mixes channels at
 * random; grey with and without alpha; 16-bit and float images.
 */
#include <math.h>

#include "op-test-util.h"
#include "sr-test-util.h"

/* Where the upscaled sprite is at all visible (alpha > 0.05) it is red,
 * without green bleeding from under the transparent pixels and without a
 * dark rim.  Before that, the test shows it can fail: the network run on
 * straight (not premultiplied) colour gives green edges, and premultiplied
 * colour left undivided dark ones. */
static void
test_alpha_fringe (void)
{
  const GeglRectangle image = sr_test_sprite_rect;
  float *pixels = sr_test_sprite_pixels ();
  float *premultiplied = g_new (float, sr_test_n_floats (&image, 4));
  float *alpha_grey = g_new (float, sr_test_n_floats (&image, 4));
  GeglBuffer *input
    = sr_test_buffer_at (&image, sr_test_rgba_float (), pixels);

  /* i | 3 is the alpha of the pixel that float i belongs to. */
  for (gsize i = 0; i < sr_test_n_floats (&image, 4); i++)
    {
      premultiplied[i] = pixels[i] * pixels[i | 3];
      alpha_grey[i] = pixels[i | 3];
    }

  for (int scale = 2; scale <= 3; scale++)
    {
      GeglRectangle out = sr_test_scaled (&image, scale);
      HfsrModel *model = sr_test_load_network (scale, "1-5");
      float *straight = sr_test_engine_run (model, pixels, &image, &out);
      float *dark = sr_test_engine_run (model, premultiplied, &image, &out);
      float *alpha = sr_test_engine_run (model, alpha_grey, &image, &out);
      float *actual = sr_test_op_render (input, &out, sr_test_rgba_float (),
                                         "scale", (double) scale, NULL);
      gboolean green_edge = FALSE, dark_edge = FALSE;
      int edge = 0;

      for (gsize i = 0; i < sr_test_n_floats (&out, 4); i += 4)
        {
          float a = (alpha[i] + alpha[i + 1] + alpha[i + 2]) / 3.0f;

          if (a > 0.05f)
            {
              green_edge |= straight[i + 1] > 0.15f;
              dark_edge |= dark[i] < 0.85f;
            }
          if (actual[i + 3] > 0.05f)
            {
              if (!sr_test_is_red (actual + i))
                {
                  g_test_message ("pixel %d: %g %g %g %g", (int) (i / 4),
                                  actual[i], actual[i + 1], actual[i + 2],
                                  actual[i + 3]);
                  g_test_fail ();
                  break;
                }
              edge += actual[i + 3] < 0.95f;
            }
        }
      g_assert_true (green_edge);
      g_assert_true (dark_edge);
      /* The edge was upscaled smoothly, not cut: partly transparent
       * pixels exist, and all of them passed. */
      g_assert_cmpint (edge, >, 20);

      g_free (actual);
      g_free (alpha);
      g_free (dark);
      g_free (straight);
      hfsr_model_free (model);
    }
  g_object_unref (input);
  g_free (alpha_grey);
  g_free (premultiplied);
  g_free (pixels);
}

/* Whatever the network does (this one mixes channels at random), near the
 * sprite's edge (where the 3 x 3 input pixels around an output pixel's
 * footprint, all that this network sees, are not all opaque) the result is
 * the sprite's red or transparent, and transparent where none of those
 * pixels is visible. */
static void
test_alpha_edge_any_network (void)
{
  GeglRectangle out = sr_test_scaled (&sr_test_sprite_rect, 2);
  float *pixels = sr_test_sprite_pixels ();
  GeglBuffer *input
    = sr_test_buffer_at (&sr_test_sprite_rect, sr_test_rgba_float (), pixels);
  char *mixing = sr_test_write_mixing_network ("mixing.safetensors", 3);
  float *actual = sr_test_op_render (input, &out, sr_test_rgba_float (),
                                     "model", mixing, NULL);
  int visible_edge = 0;

  for (int y = 0; y < out.height; y++)
    for (int x = 0; x < out.width; x++)
      {
        const float *got = actual + (y * out.width + x) * 4;
        int around = 0, opaque = 0;

        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++)
            {
              int ix = x / 2 + dx, iy = y / 2 + dy;

              if (ix >= 0 && ix < sr_test_sprite_rect.width && iy >= 0
                  && iy < sr_test_sprite_rect.height)
                {
                  around++;
                  opaque
                    += pixels[(iy * sr_test_sprite_rect.width + ix) * 4 + 3]
                       == 1.0f;
                }
            }
        /* Alpha is 0 or 1: visible means opaque.  Where all is, the
         * result is the network's own. */
        if (opaque == around)
          continue;
        if (opaque == 0)
          g_assert_cmpfloat (got[3], ==, 0.0f);
        else if (got[3] > 0.0f)
          {
            /* the op's premultiplied output divided by alpha again */
            g_assert_cmpfloat_with_epsilon (got[0], 1.0f, 1e-6f);
            g_assert_cmpfloat (got[1], ==, 0.0f);
            g_assert_cmpfloat (got[2], ==, 0.0f);
            visible_edge += got[3] > 0.05f;
          }
      }
  g_assert_cmpint (visible_edge, >, 20);

  g_free (actual);
  g_free (mixing);
  g_object_unref (input);
  g_free (pixels);
}

/* Grey stays grey: Y'aA float out (premultiplied: see prepare), Y' the
 * mean of the network's R'G'B' for Y' replicated; with alpha, alpha
 * survives. */
static void
test_grey (void)
{
  const GeglRectangle image = { 0, 0, 23, 17 };
  GeglRectangle out = sr_test_scaled (&image, 2);
  gsize n = (gsize) image.width * image.height;
  guint8 *grey = g_new (guint8, (n * 2));
  float *rgba = g_new (float, (n * 4));
  const Babl *grey_alpha = babl_format ("Y'A float");
  char *path = sr_test_write_mixing_network ("mixing.safetensors", 3);
  HfsrModel *model = hfsr_model_load (path, NULL);
  GRand *rand = g_rand_new_with_seed (60);
  double spread = 0.0;
  GeglBuffer *input;
  GeglNode *op;
  float *expected, *actual;

  for (gsize i = 0; i < n * 2; i++)
    grey[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  babl_process (babl_fish (babl_format ("Y' u8"), sr_test_rgba_float ()), grey,
                rgba, (long) n);

  input = sr_test_buffer_at (&image, babl_format ("Y' u8"), grey);
  op = op_test_graph_new (input, NULL, SR_TEST_OP, "model", path, NULL);
  g_assert_true (op_test_output_format (op) == babl_format ("Y'aA float"));
  op_test_graph_free (op);

  expected = sr_test_engine_run (model, rgba, &image, &out);
  actual = sr_test_op_render (input, &out, grey_alpha, "model", path, NULL);
  for (gsize i = 0; i < sr_test_n_floats (&out, 1); i++)
    {
      const float *rgb = expected + 4 * i;
      float mean = sr_test_clamp_unit ((rgb[0] + rgb[1] + rgb[2]) / 3.0f);

      g_assert_cmpfloat_with_epsilon (actual[2 * i], mean, SR_TEST_TOLERANCE);
      g_assert_cmpfloat (actual[2 * i + 1], ==, 1.0f);
      spread = MAX (spread, fabsf (sr_test_clamp_unit (rgb[0]) - mean));
    }
  g_assert_cmpfloat (spread, >, 0.05);
  g_free (actual);
  g_object_unref (input);

  /* Grey with alpha: still grey, alpha not all 1. */
  input = sr_test_buffer_at (&image, babl_format ("Y'A u8"), grey);
  op = op_test_graph_new (input, NULL, SR_TEST_OP, "model", path, NULL);
  g_assert_true (op_test_output_format (op) == babl_format ("Y'aA float"));
  op_test_graph_free (op);
  actual = sr_test_op_render (input, &out, grey_alpha, "model", path, NULL);
  {
    gsize translucent = 0;

    for (gsize i = 0; i < sr_test_n_floats (&out, 1); i++)
      {
        g_assert_cmpfloat (actual[2 * i], >=, 0.0f);
        g_assert_cmpfloat (actual[2 * i], <=, 1.0f);
        translucent += actual[2 * i + 1] < 0.99f;
      }
    g_assert_cmpuint (translucent, >, sr_test_n_floats (&out, 1) / 2);
  }

  g_free (actual);
  g_free (expected);
  g_object_unref (input);
  hfsr_model_free (model);
  g_free (path);
  g_free (rgba);
  g_free (grey);
}

/* 16-bit and float images are processed in float: the result is the
 * engine's on their exact values, handed on as R'aG'aB'aA float.  Float values
 * outside [0, 1] are clamped first (the networks know nothing else). */
static void
test_precision (void)
{
  const GeglRectangle image = { 0, 0, 21, 14 };
  GeglRectangle out = sr_test_scaled (&image, 2);
  gsize n = (gsize) image.width * image.height;
  guint16 *deep = g_new (guint16, (n * 4));
  float *wide = g_new (float, (n * 4));
  float *rgba = g_new (float, (n * 4));
  HfsrModel *model = sr_test_load_network (2, "1-5");
  GRand *rand = g_rand_new_with_seed (70);

  for (gsize i = 0; i < n * 4; i++)
    {
      deep[i]
        = i % 4 == 3 ? 65535 : (guint16) g_rand_int_range (rand, 0, 65536);
      wide[i]
        = i % 4 == 3 ? 1.0f : (float) g_rand_double_range (rand, -0.5, 1.5);
    }
  g_rand_free (rand);

  for (int pass = 0; pass < 2; pass++)
    {
      const Babl *format
        = babl_format (pass == 0 ? "R'G'B'A u16" : "R'G'B'A float");
      const void *source
        = pass == 0 ? (const void *) deep : (const void *) wide;
      GeglBuffer *input = sr_test_buffer_at (&image, format, source);
      GeglNode *op
        = op_test_graph_new (input, NULL, SR_TEST_OP, "scale", 2.0, NULL);
      float *expected, *actual;

      g_assert_true (op_test_output_format (op)
                     == babl_format ("R'aG'aB'aA float"));
      op_test_graph_free (op);

      babl_process (babl_fish (format, sr_test_rgba_float ()), source, rgba,
                    (long) n);
      for (gsize i = 0; i < n * 4; i++)
        rgba[i] = sr_test_clamp_unit (rgba[i]);
      expected = sr_test_engine_render (model, rgba, &image, &out);
      actual = sr_test_op_render (input, &out, sr_test_rgba_float (), "scale",
                                  2.0, NULL);
      op_test_assert_close (actual, expected, sr_test_n_floats (&out, 4), 4,
                            out.width, SR_TEST_TOLERANCE);
      g_free (actual);
      g_free (expected);
      g_object_unref (input);
    }
  hfsr_model_free (model);
  g_free (rgba);
  g_free (wide);
  g_free (deep);
}

int
main (int argc, char **argv)
{
  int status = sr_test_init (&argc, &argv);

  if (status != 0)
    return status;

  g_test_add_func ("/super-resolution/alpha-fringe", test_alpha_fringe);
  g_test_add_func ("/super-resolution/alpha-edge-any-network",
                   test_alpha_edge_any_network);
  g_test_add_func ("/super-resolution/grey", test_grey);
  g_test_add_func ("/super-resolution/precision", test_precision);
  return sr_test_run ();
}
