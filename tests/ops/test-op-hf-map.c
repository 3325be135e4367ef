/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:hf-map in real GEGL: Zhou et al. eq 4-7 on a small image worked out
 * by hand (corners, borders, ties), the high-pass on cosines, alpha, input
 * formats and colour spaces, and chunked or threaded renders against whole
 * ones.
 */
#include <math.h>
#include <string.h>

#include "op-test-util.h"

#define OP "hfsr:hf-map"

/* The hand-worked image: 4 x 3 pixels whose values (and weights) are exact
 * in binary, so a correct map matches to the bit. */
#define W 4
#define H 3
#define N (W * H)

static const float hand_red[N] = {
  0.00f, 0.50f, 0.25f, 1.00f, 0.50f, 0.50f,
  0.75f, 0.00f, 1.00f, 0.00f, 0.50f, 0.25f,
};
/* One lit corner. */
static const float hand_green[N] = {
  1.00f, 0.00f, 0.00f, 0.00f, 0.00f, 0.00f,
  0.00f, 0.00f, 0.00f, 0.00f, 0.00f, 0.00f,
};
/* Pixel (1, 1) differs by +0.5 from its upper and by -0.5 from its lower
 * neighbour: the tie goes to "up", the first in eq 4's order. */
static const float hand_blue[N] = {
  0.50f, 0.00f, 0.50f, 0.50f, 0.50f, 0.50f,
  0.50f, 0.50f, 0.50f, 1.00f, 0.50f, 0.50f,
};
static const float hand_alpha[N] = {
  0.00f, 0.10f, 0.20f, 0.30f, 0.40f, 0.50f,
  0.60f, 0.70f, 0.80f, 0.90f, 1.00f, 0.05f,
};

/* Eq 4-6 by hand: the difference to the up/down/left/right neighbour with
 * the largest magnitude, e.g. red (2, 0) = 0.25: down 0.75 -> -0.5,
 * left 0.5 -> -0.25, right 1 -> -0.75; red (0, 1) = 0.5: up 0 -> +0.5 and
 * down 1 -> -0.5 tie, up wins. */
static const float weight_red[N] = {
  -0.50f, 0.50f,  -0.75f, 1.00f,  0.50f, 0.50f,
  0.75f,  -1.00f, 1.00f,  -1.00f, 0.50f, 0.25f,
};
static const float weight_green[N] = {
  1.00f, -1.00f, 0.00f, 0.00f, -1.00f, 0.00f,
  0.00f, 0.00f,  0.00f, 0.00f, 0.00f,  0.00f,
};
static const float weight_blue[N] = {
  0.50f, -0.50f, 0.50f,  0.00f, 0.00f,  0.50f,
  0.00f, 0.00f,  -0.50f, 0.50f, -0.50f, 0.00f,
};

/* Eq 7 by hand.  Red: normalised weights (w + 1) / 2 have mean 0.5729 and
 * standard deviation 0.3589; alpha 0.2 keeps [0.5011, 0.6447], which only
 * (3, 2) at 0.625 falls into; alpha 1 keeps [0.2140, 0.9318].  Green: mean
 * 0.4583, sd 0.2465, only 1 and 0 lie outside for both alphas.  Blue: mean
 * 0.5417, sd 0.3796: 0 and 1 lie outside, 0.5 inside, for both alphas. */
static const float selection_red_alpha_0_2[N] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
};
static const float selection_red_alpha_1[N] = {
  0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0,
};
static const float selection_green[N] = {
  1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
};
static const float selection_blue[N] = {
  1, 1, 1, 0, 0, 1, 0, 0, 1, 1, 1, 0,
};

static const Babl *
rgba_float (void)
{
  return babl_format ("R'G'B'A float");
}

static GeglBuffer *
hand_buffer (void)
{
  float pixels[N * 4];

  for (int i = 0; i < N; i++)
    {
      pixels[4 * i + 0] = hand_red[i];
      pixels[4 * i + 1] = hand_green[i];
      pixels[4 * i + 2] = hand_blue[i];
      pixels[4 * i + 3] = hand_alpha[i];
    }
  return op_test_buffer_new (W, H, rgba_float (), pixels);
}

/* Interleaves expected planes with the hand image's alpha, each map value
 * v written as offset + scale * v. */
static void
expected_pixels (const float *red, const float *green, const float *blue,
                 float scale, float offset, float *pixels)
{
  for (int i = 0; i < N; i++)
    {
      pixels[4 * i + 0] = offset + scale * red[i];
      pixels[4 * i + 1] = offset + scale * green[i];
      pixels[4 * i + 2] = offset + scale * blue[i];
      pixels[4 * i + 3] = hand_alpha[i];
    }
}

/* Renders the hand image in @mode in one piece and pixel by pixel (each
 * pixel its own request, so every border rule is exercised at chunk borders
 * too) and compares both with @expected to the bit. */
static void
check_hand (const float *expected, int mode, double alpha)
{
  GeglBuffer *input = hand_buffer ();
  GeglRectangle rect = { 0, 0, W, H };

  for (int pass = 0; pass < 2; pass++)
    {
      GeglNode *op = op_test_graph_new (input, NULL, OP, "mode", mode, "alpha",
                                        alpha, NULL);
      float *actual;

      actual = pass == 0
                 ? op_test_render (op, &rect, rgba_float ())
                 : op_test_render_chunks (op, &rect, 1, 1, rgba_float ());
      op_test_assert_identical (actual, expected, N * 4, 4, W);
      g_free (actual);
      op_test_graph_free (op);
    }
  g_object_unref (input);
}

static void
test_signed_by_hand (void)
{
  float expected[N * 4];

  /* Signed weights are drawn around mid-grey. */
  expected_pixels (weight_red, weight_green, weight_blue, 1.0f, 0.5f,
                   expected);
  check_hand (expected, 0 /* signed */, 0.2);
}

static void
test_magnitude_by_hand (void)
{
  float red[N], green[N], blue[N], expected[N * 4];

  for (int i = 0; i < N; i++)
    {
      red[i] = fabsf (weight_red[i]);
      green[i] = fabsf (weight_green[i]);
      blue[i] = fabsf (weight_blue[i]);
    }
  expected_pixels (red, green, blue, 1.0f, 0.0f, expected);
  check_hand (expected, 1 /* magnitude */, 0.2);
}

static void
test_selection_by_hand (void)
{
  float expected[N * 4];

  expected_pixels (selection_red_alpha_0_2, selection_green, selection_blue,
                   1.0f, 0.0f, expected);
  check_hand (expected, 2 /* selection */, 0.2);

  expected_pixels (selection_red_alpha_1, selection_green, selection_blue,
                   1.0f, 0.0f, expected);
  check_hand (expected, 2 /* selection */, 1.0);
}

/* The enum's nicks are the names the CLI and GIMP use. */
static void
test_mode_nicks (void)
{
  const char *nicks[] = { "signed", "magnitude", "selection", "highpass" };
  GeglNode *node = gegl_node_new_child (NULL, "operation", OP, NULL);
  GParamSpec *mode = gegl_node_find_property (node, "mode");
  GEnumClass *modes;

  g_assert_nonnull (mode);
  g_assert_true (G_IS_PARAM_SPEC_ENUM (mode));
  modes = G_PARAM_SPEC_ENUM (mode)->enum_class;
  for (int i = 0; i < (int) G_N_ELEMENTS (nicks); i++)
    g_assert_cmpint (g_enum_get_value_by_nick (modes, nicks[i])->value, ==, i);
  g_assert_cmpint (G_PARAM_SPEC_ENUM (mode)->default_value, ==, 2);
  g_object_unref (node);
}

/* A cosine of k cycles across n pixels has the radial frequency
 * (k / n) / 0.5 of Nyquist. */
static float
cosine (int position, int cycles, int length)
{
  return 0.5f + 0.25f * (float) cos (2.0 * G_PI * cycles * position / length);
}

/* Red: horizontal cosine at half Nyquist.  Green: flat (only DC).  Blue:
 * vertical cosine at half Nyquist.  A cutoff of 0.1 keeps both cosines
 * (minus their mean 0.5, drawn back at 0.5) and flattens green; 0.9 removes
 * everything. */
static void
test_highpass_cosines (void)
{
  const int width = 32, height = 16;
  GeglRectangle rect = { 0, 0, width, height };
  float *pixels = g_new (float, (width * height * 4));
  GeglBuffer *input;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        float *p = pixels + 4 * (y * width + x);

        p[0] = cosine (x, width / 4, width);
        p[1] = 0.3f;
        p[2] = cosine (y, height / 4, height);
        p[3] = 1.0f;
      }
  input = op_test_buffer_new (width, height, rgba_float (), pixels);

  for (int pass = 0; pass < 2; pass++)
    {
      double cutoff = pass == 0 ? 0.1 : 0.9;
      GeglNode *op = op_test_graph_new (input, NULL, OP, "mode", 3, "cutoff",
                                        cutoff, NULL);
      float *actual = op_test_render (op, &rect, rgba_float ());
      float *expected
        = g_memdup2 (pixels, width * height * 4 * sizeof (float));

      for (int i = 0; i < width * height; i++)
        {
          expected[4 * i + 1] = 0.5f;
          if (cutoff > 0.5)
            expected[4 * i + 0] = expected[4 * i + 2] = 0.5f;
        }
      op_test_assert_close (actual, expected, width * height * 4, 4, width,
                            1e-5);
      g_free (expected);
      g_free (actual);
      op_test_graph_free (op);
    }
  g_free (pixels);
  g_object_unref (input);
}

/* Whatever the mode, alpha comes out as it went in. */
static void
test_alpha_passes_through (void)
{
  const int width = 37, height = 23;
  GeglRectangle rect = { 0, 0, width, height };
  GeglBuffer *input = op_test_random_buffer (width, height, 7);
  float *source = g_new (float, (width * height * 4));

  gegl_buffer_get (input, &rect, 1.0, rgba_float (), source,
                   GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);

  for (int mode = 0; mode < 4; mode++)
    {
      GeglNode *op = op_test_graph_new (input, NULL, OP, "mode", mode, NULL);
      float *actual = op_test_render (op, &rect, rgba_float ());

      for (int i = 0; i < width * height; i++)
        g_assert_cmpmem (&actual[4 * i + 3], sizeof (float),
                         &source[4 * i + 3], sizeof (float));
      g_free (actual);
      op_test_graph_free (op);
    }
  g_free (source);
  g_object_unref (input);
}

/* Edge cases of eq 4-6: a pixel with no neighbour, and a column whose
 * pixels only have vertical neighbours. */
static void
test_tiny_images (void)
{
  const float column[5] = { 0.0f, 1.0f, 1.0f, 0.5f, 0.5f };
  /* Down -1; up +1 beats down 0; down +0.5 beats up 0; up -0.5 beats
   * down 0; up 0 alone. */
  const float weights[5] = { -1.0f, 1.0f, 0.5f, -0.5f, 0.0f };
  float pixels[5 * 4], expected[5 * 4];
  GeglRectangle rect = { 0, 0, 1, 5 };
  GeglBuffer *input;
  GeglNode *op;
  float *actual;

  for (int i = 0; i < 5; i++)
    {
      for (int c = 0; c < 3; c++)
        {
          pixels[4 * i + c] = column[i];
          expected[4 * i + c] = 0.5f + weights[i];
        }
      pixels[4 * i + 3] = expected[4 * i + 3] = 1.0f;
    }

  input = op_test_buffer_new (1, 5, rgba_float (), pixels);
  op = op_test_graph_new (input, NULL, OP, "mode", 0, NULL);
  actual = op_test_render_chunks (op, &rect, 1, 2, rgba_float ());
  op_test_assert_identical (actual, expected, 5 * 4, 4, 1);
  g_free (actual);
  op_test_graph_free (op);
  g_object_unref (input);

  /* One pixel: no neighbour, weight 0; a flat image selects nothing; the
   * high-pass of a constant is 0. */
  rect.height = 1;
  input = op_test_buffer_new (1, 1, rgba_float (), pixels + 4);
  for (int mode = 0; mode < 4; mode++)
    {
      const float zero[4] = { 0.5f, 0.0f, 0.0f, 0.5f };

      op = op_test_graph_new (input, NULL, OP, "mode", mode, NULL);
      actual = op_test_render (op, &rect, rgba_float ());
      for (int c = 0; c < 3; c++)
        g_assert_cmpfloat_with_epsilon (actual[c], zero[mode], 1e-6);
      g_assert_cmpfloat (actual[3], ==, 1.0f);
      g_free (actual);
      op_test_graph_free (op);
    }
  g_object_unref (input);
}

/* Every mode, rendered whole, in small pieces, and by GEGL's processor with
 * one or two threads, small chunks and small tiles: the same to the bit.
 * The image is large enough (> 2 x 128 x 128 pixels) for GEGL to split an
 * op between two threads. */
static void
test_chunks_equal_whole (void)
{
  const int width = 211, height = 163;
  const GeglRectangle rect = { 0, 0, width, height };
  const OpTestConfig configs[] = {
    { 1, 4096, 64 },
    { 2, 1000, 16 },
    { 2, 1 << 20, 128 },
  };
  GeglBuffer *input = op_test_random_buffer (width, height, 11);
  gsize n = (gsize) width * height * 4;

  for (int mode = 0; mode < 4; mode++)
    {
      GeglNode *op = op_test_graph_new (input, NULL, OP, "mode", mode, NULL);
      float *whole = op_test_render (op, &rect, rgba_float ());
      float *pieces;

      op_test_graph_free (op);

      op = op_test_graph_new (input, NULL, OP, "mode", mode, NULL);
      pieces = op_test_render_chunks (op, &rect, 16, 11, rgba_float ());
      op_test_assert_identical (pieces, whole, n, 4, width);
      g_free (pieces);
      op_test_graph_free (op);

      for (int i = 0; i < (int) G_N_ELEMENTS (configs); i++)
        {
          op = op_test_graph_new (input, NULL, OP, "mode", mode, NULL);
          pieces = op_test_process (op, &rect, rgba_float (), &configs[i]);
          op_test_assert_identical (pieces, whole, n, 4, width);
          g_free (pieces);
          op_test_graph_free (op);
        }
      g_free (whole);
    }
  g_object_unref (input);
}

/* Grey, 16-bit and linear-light inputs give the map of their R'G'B' values:
 * the same as the op run on those values given as R'G'B'A float. */
static void
check_format (const Babl *format, const void *pixels, int width, int height)
{
  GeglRectangle rect = { 0, 0, width, height };
  gsize n = (gsize) width * height * 4;
  float *converted = g_new (float, n);
  GeglBuffer *input = op_test_buffer_new (width, height, format, pixels);
  GeglBuffer *reference;

  babl_process (babl_fish (format, rgba_float ()), pixels, converted,
                width * height);
  reference = op_test_buffer_new (width, height, rgba_float (), converted);

  for (int mode = 0; mode < 4; mode++)
    {
      GeglNode *op = op_test_graph_new (input, NULL, OP, "mode", mode, NULL);
      GeglNode *twin
        = op_test_graph_new (reference, NULL, OP, "mode", mode, NULL);
      float *actual = op_test_render (op, &rect, rgba_float ());
      float *expected = op_test_render (twin, &rect, rgba_float ());

      op_test_assert_close (actual, expected, n, 4, width, 1e-6);
      g_free (actual);
      g_free (expected);
      op_test_graph_free (op);
      op_test_graph_free (twin);
    }
  g_object_unref (reference);
  g_object_unref (input);
  g_free (converted);
}

static void
test_input_formats (void)
{
  const int width = 19, height = 13, n = 19 * 13;
  guint8 grey[19 * 13];
  guint16 rgba16[19 * 13 * 4];
  float linear[19 * 13 * 4];
  GRand *rand = g_rand_new_with_seed (3);

  for (int i = 0; i < n; i++)
    grey[i] = (guint8) g_rand_int_range (rand, 0, 256);
  for (int i = 0; i < n * 4; i++)
    {
      rgba16[i] = (guint16) g_rand_int_range (rand, 0, 65536);
      linear[i] = (float) g_rand_double (rand);
    }
  g_rand_free (rand);

  check_format (babl_format ("Y' u8"), grey, width, height);
  check_format (babl_format ("R'G'B'A u16"), rgba16, width, height);
  check_format (babl_format ("RGBA float"), linear, width, height);
}

/* A grey image's map is grey: R' = G' = B', alpha 1. */
static void
test_grey_stays_grey (void)
{
  const guint8 grey[6] = { 0, 51, 102, 255, 204, 153 };
  GeglRectangle rect = { 0, 0, 3, 2 };
  GeglBuffer *input = op_test_buffer_new (3, 2, babl_format ("Y' u8"), grey);
  GeglNode *op = op_test_graph_new (input, NULL, OP, "mode", 0, NULL);
  float *actual = op_test_render (op, &rect, rgba_float ());
  /* Pixel (0, 0) = 0: down 255 -> -1.  Pixel (1, 1) = 204: up 51 -> 0.6. */
  const float corner = 0.5f - 1.0f, middle = 0.5f + 153.0f / 255.0f;

  for (int i = 0; i < 6; i++)
    {
      g_assert_cmpfloat (actual[4 * i + 0], ==, actual[4 * i + 1]);
      g_assert_cmpfloat (actual[4 * i + 0], ==, actual[4 * i + 2]);
      g_assert_cmpfloat (actual[4 * i + 3], ==, 1.0f);
    }
  g_assert_cmpfloat_with_epsilon (actual[0], corner, 1e-6);
  g_assert_cmpfloat_with_epsilon (actual[4 * 4], middle, 1e-6);
  g_free (actual);
  op_test_graph_free (op);
  g_object_unref (input);
}

/* The map is R'G'B'A float in the input's own colour space. */
static void
test_output_format_keeps_space (void)
{
  const Babl *rec2020 = babl_space ("Rec2020");
  const Babl *format = babl_format_with_space ("R'G'B'A u16", rec2020);
  guint16 pixels[4 * 4] = { 0 };
  GeglBuffer *input = op_test_buffer_new (2, 2, format, pixels);

  for (int mode = 0; mode < 4; mode++)
    {
      GeglNode *op = op_test_graph_new (input, NULL, OP, "mode", mode, NULL);

      g_assert_true (op_test_output_format (op)
                     == babl_format_with_space ("R'G'B'A float", rec2020));
      op_test_graph_free (op);
    }
  g_object_unref (input);
}

/* Asking for more than the image gives the map where the image is and
 * nothing around it, whether or not the image was rendered before. */
static void
test_request_beyond_image (void)
{
  GeglBuffer *input = hand_buffer ();
  GeglRectangle image = { 0, 0, W, H };
  GeglRectangle wide = { -2, -1, W + 5, H + 3 };
  float expected[N * 4];

  expected_pixels (weight_red, weight_green, weight_blue, 1.0f, 0.5f,
                   expected);
  for (int rendered_before = 0; rendered_before < 2; rendered_before++)
    {
      GeglNode *op = op_test_graph_new (input, NULL, OP, "mode", 0, NULL);
      float *actual;

      if (rendered_before)
        g_free (op_test_render (op, &image, rgba_float ()));
      actual = op_test_render (op, &wide, rgba_float ());

      for (int y = 0; y < wide.height; y++)
        for (int x = 0; x < wide.width; x++)
          {
            const float *pixel = actual + 4 * (y * wide.width + x);
            int ix = x + wide.x, iy = y + wide.y;

            if (ix >= 0 && ix < W && iy >= 0 && iy < H)
              g_assert_cmpmem (pixel, 4 * sizeof (float),
                               expected + 4 * (iy * W + ix),
                               4 * sizeof (float));
            else
              for (int c = 0; c < 4; c++)
                g_assert_cmpfloat (pixel[c], ==, 0.0f);
          }
      g_free (actual);
      op_test_graph_free (op);
    }
  g_object_unref (input);
}

int
main (int argc, char **argv)
{
  int status = op_test_init (&argc, &argv, OP);

  if (status != 0)
    return status;

  g_test_add_func ("/hf-map/signed-by-hand", test_signed_by_hand);
  g_test_add_func ("/hf-map/magnitude-by-hand", test_magnitude_by_hand);
  g_test_add_func ("/hf-map/selection-by-hand", test_selection_by_hand);
  g_test_add_func ("/hf-map/mode-nicks", test_mode_nicks);
  g_test_add_func ("/hf-map/highpass-cosines", test_highpass_cosines);
  g_test_add_func ("/hf-map/alpha-passes-through", test_alpha_passes_through);
  g_test_add_func ("/hf-map/tiny-images", test_tiny_images);
  g_test_add_func ("/hf-map/chunks-equal-whole", test_chunks_equal_whole);
  g_test_add_func ("/hf-map/input-formats", test_input_formats);
  g_test_add_func ("/hf-map/grey-stays-grey", test_grey_stays_grey);
  g_test_add_func ("/hf-map/output-format-keeps-space",
                   test_output_format_keeps_space);
  g_test_add_func ("/hf-map/request-beyond-image", test_request_beyond_image);

  status = g_test_run ();
  gegl_exit ();
  return status;
}
