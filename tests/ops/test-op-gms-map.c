/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:gms-map in real GEGL: GMS (Roh & Kang eq 2-3) of small images worked
 * out by hand at corners and borders, thresholds and openings, chunked and
 * threaded renders against whole ones and against the engine's maps run on
 * the whole image, input formats, and references that do not fit.
 */
#include <math.h>
#include <string.h>

#include "hfsr.h"
#include "op-test-util.h"
#include "test-util.h"

#define OP "hfsr:gms-map"

/* c = 170 for [0, 255] values, scaled to [0, 1]. */
#define C (170.0 / (255.0 * 255.0))

enum
{
  MODE_GMS,
  MODE_HARD,
  MODE_SOFT
};

static const Babl *
grey_float (void)
{
  return babl_format ("Y' float");
}

static GeglBuffer *
grey_buffer (int width, int height, const float *pixels)
{
  return op_test_buffer_new (width, height, grey_float (), pixels);
}

static GeglBuffer *
flat_buffer (int width, int height, float value)
{
  float *pixels = g_new (float, (width * height));
  GeglBuffer *buffer;

  for (int i = 0; i < width * height; i++)
    pixels[i] = value;
  buffer = grey_buffer (width, height, pixels);
  g_free (pixels);
  return buffer;
}

/* GMS of a gradient magnitude g against a flat reference (g = 0). */
static double
gms_against_flat (double g)
{
  return 1.0 - C / (g * g + C);
}

/* Renders @op over @width x @height in one piece and pixel by pixel, and
 * compares both with @expected. */
static void
check_map (GeglNode *op, int width, int height, const float *expected,
           double tolerance)
{
  GeglRectangle rect = { 0, 0, width, height };
  float *whole = op_test_render (op, &rect, grey_float ());

  op_test_assert_close (whole, expected, width * height, 1, width, tolerance);
  g_free (whole);
}

/* A lit corner pixel against a flat reference.  With borders replicated and
 * Prewitt kernels (1/3)(1 0 -1) summed over three rows (columns), the
 * gradients are, e.g. at (0, 0): Gx = ((0 - 1) + (0 - 1) + (0 - 0)) / 3 =
 * -2/3 (the row above is row 0 again) and Gy = -2/3, so g = sqrt (8) / 3;
 * at (1, 0): Gx = -2/3, Gy = -1/3, g = sqrt (5) / 3; at (1, 1): g =
 * sqrt (2) / 3; and 0 from two pixels away. */
static void
test_gms_corner_by_hand (void)
{
  const float dot[9] = { 1, 0, 0, 0, 0, 0, 0, 0, 0 };
  const double g[9] = {
    sqrt (8) / 3, sqrt (5) / 3, 0, sqrt (5) / 3, sqrt (2) / 3, 0, 0, 0, 0,
  };
  float expected[9], zero[9] = { 0 };
  GeglBuffer *image = grey_buffer (3, 3, dot);
  GeglBuffer *flat = flat_buffer (3, 3, 0.5f);

  for (int i = 0; i < 9; i++)
    expected[i] = (float) gms_against_flat (g[i]);

  for (int swap = 0; swap < 2; swap++)
    {
      /* GMS is symmetric in its two images. */
      GeglNode *op = op_test_graph_new (
        swap ? flat : image, swap ? image : flat, OP, "mode", MODE_GMS, NULL);
      GeglRectangle rect = { 0, 0, 3, 3 };
      float *pieces;

      check_map (op, 3, 3, expected, 1e-6);
      op_test_graph_free (op);

      op = op_test_graph_new (swap ? flat : image, swap ? image : flat, OP,
                              "mode", MODE_GMS, NULL);
      pieces = op_test_render_chunks (op, &rect, 1, 1, grey_float ());
      op_test_assert_close (pieces, expected, 9, 1, 3, 1e-6);
      g_free (pieces);
      op_test_graph_free (op);
    }

  /* An image is alike to itself. */
  {
    GeglNode *op
      = op_test_graph_new (image, image, OP, "mode", MODE_GMS, NULL);

    check_map (op, 3, 3, zero, 1e-6);
    op_test_graph_free (op);
  }
  g_object_unref (flat);
  g_object_unref (image);
}

/* Vertical steps of height 1 (image) and 0.5 (reference) between columns 1
 * and 2: columns 1 and 2 see Gx = 1 and 0.5 (Gy = 0), the border columns
 * see their replicated selves, 0.  GMS there is
 * 1 - (2 * 1 * 0.5 + c) / (1 + 0.25 + c) = 0.1996. */
static const float step_image[12] = { 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1 };
static const float step_reference[12] = {
  0, 0, 0.5f, 0.5f, 0, 0, 0.5f, 0.5f, 0, 0, 0.5f, 0.5f,
};

static double
step_gms (void)
{
  return 1.0 - (2.0 * 1.0 * 0.5 + C) / (1.0 + 0.25 + C);
}

static void
test_gms_steps_by_hand (void)
{
  GeglBuffer *image = grey_buffer (4, 3, step_image);
  GeglBuffer *reference = grey_buffer (4, 3, step_reference);
  GeglNode *op
    = op_test_graph_new (image, reference, OP, "mode", MODE_GMS, NULL);
  float expected[12];

  for (int i = 0; i < 12; i++)
    expected[i] = (i % 4 == 1 || i % 4 == 2) ? (float) step_gms () : 0.0f;
  check_map (op, 4, 3, expected, 1e-6);
  op_test_graph_free (op);
  g_object_unref (reference);
  g_object_unref (image);
}

/* The hard map is GMS > threshold (radius 0: no opening). */
static void
test_hard_threshold (void)
{
  GeglBuffer *image = grey_buffer (4, 3, step_image);
  GeglBuffer *reference = grey_buffer (4, 3, step_reference);

  g_assert_cmpfloat (step_gms (), >, 0.15);
  g_assert_cmpfloat (step_gms (), <, 0.25);
  for (int above = 0; above < 2; above++)
    {
      GeglNode *op
        = op_test_graph_new (image, reference, OP, "mode", MODE_HARD, "radius",
                             0, "threshold", above ? 0.15 : 0.25, NULL);
      float expected[12];

      for (int i = 0; i < 12; i++)
        expected[i] = above && (i % 4 == 1 || i % 4 == 2) ? 1.0f : 0.0f;
      check_map (op, 4, 3, expected, 0.0);
      op_test_graph_free (op);
    }
  g_object_unref (reference);
  g_object_unref (image);
}

/* A single lit pixel against a flat reference leaves a one-pixel ring of
 * high GMS around it (the pixel itself has Gx = Gy = 0).  Binarised it stays
 * a ring; an opening of radius 1 removes it, whichever digital disk is
 * used, since every ring pixel has a 0 among its four neighbours. */
static void
test_hard_opening_removes_specks (void)
{
  const int size = 9;
  float speck[81] = { 0 }, ring[81] = { 0 }, nothing[81] = { 0 };
  GeglBuffer *image, *flat = flat_buffer (size, size, 0.0f);

  speck[4 * size + 4] = 1.0f;
  for (int y = 3; y <= 5; y++)
    for (int x = 3; x <= 5; x++)
      ring[y * size + x] = (x == 4 && y == 4) ? 0.0f : 1.0f;
  image = grey_buffer (size, size, speck);

  for (int radius = 0; radius < 2; radius++)
    {
      GeglNode *op
        = op_test_graph_new (image, flat, OP, "mode", MODE_HARD, "radius",
                             radius, "threshold", 0.5, NULL);

      check_map (op, size, size, radius == 0 ? ring : nothing, 0.0);
      op_test_graph_free (op);
    }
  g_object_unref (flat);
  g_object_unref (image);
}

/* Identical images: every map is 0 everywhere. */
static void
test_identical_images (void)
{
  const int width = 40, height = 30;
  GeglBuffer *image = op_test_random_buffer (width, height, 5);
  float *zero = g_new0 (float, (width * height));

  for (int mode = MODE_GMS; mode <= MODE_SOFT; mode++)
    {
      GeglNode *op = op_test_graph_new (image, image, OP, "mode", mode, NULL);

      check_map (op, width, height, zero, mode == MODE_GMS ? 1e-6 : 0.0);
      op_test_graph_free (op);
    }
  g_free (zero);
  g_object_unref (image);
}

/* The pipeline the op promises, run by the engine on the whole planes. */
static float *
engine_map (const float *image, const float *reference, int width, int height,
            int mode, double threshold, int radius, double sigma,
            int iterations)
{
  gsize n = (gsize) width * height;
  float *g1 = g_new (float, n), *g2 = g_new (float, n);
  float *map = g_new (float, n), *scratch = g_new (float, n);

  hfsr_gradient_magnitude (image, width, height, g1);
  hfsr_gradient_magnitude (reference, width, height, g2);
  hfsr_gms_map (g1, g2, n, C, map);
  if (mode != MODE_GMS)
    {
      for (gsize i = 0; i < n; i++)
        map[i] = map[i] > threshold ? 1.0f : 0.0f;
      g_assert_true (
        hfsr_morph_open (map, width, height, radius, scratch, NULL));
      memcpy (map, scratch, n * sizeof (float));
    }
  for (int i = 0; mode == MODE_SOFT && i < iterations; i++)
    {
      g_assert_true (
        hfsr_gaussian_blur (map, width, height, sigma, scratch, NULL));
      g_assert_true (
        hfsr_morph_open (scratch, width, height, radius, map, NULL));
    }
  g_free (scratch);
  g_free (g2);
  g_free (g1);
  return map;
}

/* Every mode rendered whole, in pieces far smaller than its reach, and by
 * GEGL's processor with one or two threads and small chunks and tiles,
 * equals the engine's whole-image run to the bit.  The images are large
 * enough for GEGL to split the op between two threads. */
static void
check_chunks_equal_whole (const float *image, const float *reference,
                          int width, int height, int mode, double threshold)
{
  const gsize n = (gsize) width * height;
  const GeglRectangle rect = { 0, 0, width, height };
  const OpTestConfig configs[] = {
    { 1, 4096, 64 },
    { 2, 1000, 16 },
    { 2, 1 << 20, 128 },
  };
  GeglBuffer *image_buffer = grey_buffer (width, height, image);
  GeglBuffer *reference_buffer = grey_buffer (width, height, reference);
  float *expected
    = engine_map (image, reference, width, height, mode, threshold, 2, 1.2, 2);

  /* 0: whole, 1: 7 x 5 pieces, 2...: the processor under configs[]. */
  for (int run = 0; run < 2 + (int) G_N_ELEMENTS (configs); run++)
    {
      GeglNode *op = op_test_graph_new (
        image_buffer, reference_buffer, OP, "mode", mode, "threshold",
        threshold, "radius", 2, "sigma", 1.2, "iterations", 2, NULL);
      float *actual;

      if (run == 0)
        actual = op_test_render (op, &rect, grey_float ());
      else if (run == 1)
        actual = op_test_render_chunks (op, &rect, 7, 5, grey_float ());
      else
        actual = op_test_process (op, &rect, grey_float (), &configs[run - 2]);
      op_test_assert_identical (actual, expected, n, 1, width);
      g_free (actual);
      op_test_graph_free (op);
    }
  g_free (expected);
  g_object_unref (reference_buffer);
  g_object_unref (image_buffer);
}

static void
test_chunks_equal_whole (void)
{
  const int width = 211, height = 163;
  const gsize n = (gsize) width * height;
  float *image = g_new (float, n), *reference = g_new (float, n);

  /* The reference is the image with noise on its right half only.  There
   * about 10 % of the pixels have GMS below 0.003 and half below 0.05: the
   * hard maps hold dense and sparse regions, both sensitive to any pixel
   * that a chunk computed without its true neighbourhood. */
  hfsr_test_fill_random (image, n, 21, 0.0f, 1.0f);
  hfsr_test_fill_random (reference, n, 22, -0.3f, 0.3f);
  for (gsize i = 0; i < n; i++)
    reference[i]
      = (int) (i % width) < width / 2 ? image[i] : image[i] + reference[i];

  check_chunks_equal_whole (image, reference, width, height, MODE_GMS, 0.0);
  for (int mode = MODE_HARD; mode <= MODE_SOFT; mode++)
    {
      check_chunks_equal_whole (image, reference, width, height, mode, 0.003);
      check_chunks_equal_whole (image, reference, width, height, mode, 0.05);
    }
  g_free (reference);
  g_free (image);
}

/* The soft map's iterations, blur and opening all matter, and it stays in
 * [0, 1] with values between 0 and 1 along region borders. */
static void
test_soft_is_graded (void)
{
  const int width = 64, height = 56;
  GeglRectangle rect = { 0, 0, width, height };
  float *image = g_new (float, (width * height));
  GeglBuffer *image_buffer, *flat = flat_buffer (width, height, 0.5f);
  GeglNode *op;
  float *map;
  gboolean graded = FALSE;

  /* A textured block in a flat field. */
  hfsr_test_fill_random (image, width * height, 9, 0.0f, 1.0f);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      if (x < 20 || x >= 44 || y < 18 || y >= 38)
        image[y * width + x] = 0.5f;
  image_buffer = grey_buffer (width, height, image);

  op = op_test_graph_new (image_buffer, flat, OP, "mode", MODE_SOFT,
                          "threshold", 0.1, "radius", 1, "sigma", 1.5,
                          "iterations", 2, NULL);
  map = op_test_render (op, &rect, grey_float ());
  for (int i = 0; i < width * height; i++)
    {
      g_assert_cmpfloat (map[i], >=, 0.0f);
      g_assert_cmpfloat (map[i], <=, 1.0f);
      graded |= map[i] > 0.1f && map[i] < 0.9f;
    }
  g_assert_true (graded);
  /* Beyond the reach of two blurs nothing differs; in the block's middle,
   * everything. */
  g_assert_cmpfloat (map[2 * width + 2], ==, 0.0f);
  g_assert_cmpfloat (map[28 * width + 32], >, 0.9f);
  g_free (map);
  op_test_graph_free (op);
  g_object_unref (flat);
  g_object_unref (image_buffer);
  g_free (image);
}

/* Grey 8-bit and RGBA 16-bit inputs are judged on their Y': the same as the
 * op run on that Y' given as Y' float. */
static void
check_format (const Babl *format, const void *image, const void *reference,
              int width, int height)
{
  GeglRectangle rect = { 0, 0, width, height };
  gsize n = (gsize) width * height;
  float *image_y = g_new (float, n), *reference_y = g_new (float, n);
  const Babl *fish = babl_fish (format, grey_float ());
  GeglBuffer *buffers[4];

  babl_process (fish, image, image_y, n);
  babl_process (fish, reference, reference_y, n);
  buffers[0] = op_test_buffer_new (width, height, format, image);
  buffers[1] = op_test_buffer_new (width, height, format, reference);
  buffers[2] = grey_buffer (width, height, image_y);
  buffers[3] = grey_buffer (width, height, reference_y);

  for (int mode = MODE_GMS; mode <= MODE_SOFT; mode++)
    {
      GeglNode *op
        = op_test_graph_new (buffers[0], buffers[1], OP, "mode", mode, NULL);
      GeglNode *twin
        = op_test_graph_new (buffers[2], buffers[3], OP, "mode", mode, NULL);
      float *actual = op_test_render (op, &rect, grey_float ());
      float *expected = op_test_render (twin, &rect, grey_float ());

      op_test_assert_close (actual, expected, n, 1, width, 1e-5);
      g_free (actual);
      g_free (expected);
      op_test_graph_free (op);
      op_test_graph_free (twin);
    }
  for (int i = 0; i < 4; i++)
    g_object_unref (buffers[i]);
  g_free (reference_y);
  g_free (image_y);
}

static void
test_input_formats (void)
{
  enum
  {
    WIDTH = 23,
    HEIGHT = 17,
    N = WIDTH * HEIGHT
  };
  guint8 grey[2][N];
  guint16 rgba[2][N * 4];
  GRand *rand = g_rand_new_with_seed (4);

  for (int k = 0; k < 2; k++)
    {
      for (int i = 0; i < N; i++)
        grey[k][i] = (guint8) g_rand_int_range (rand, 0, 256);
      for (int i = 0; i < N * 4; i++)
        rgba[k][i] = (guint16) g_rand_int_range (rand, 0, 65536);
    }
  g_rand_free (rand);

  check_format (babl_format ("Y' u8"), grey[0], grey[1], WIDTH, HEIGHT);
  check_format (babl_format ("R'G'B'A u16"), rgba[0], rgba[1], WIDTH, HEIGHT);
}

/* The map is Y' float in the input's colour space. */
static void
test_output_format_keeps_space (void)
{
  const Babl *rec2020 = babl_space ("Rec2020");
  const Babl *format = babl_format_with_space ("R'G'B'A u16", rec2020);
  guint16 pixels[4 * 4] = { 0 };
  GeglBuffer *input = op_test_buffer_new (2, 2, format, pixels);
  GeglNode *op = op_test_graph_new (input, input, OP, "mode", MODE_GMS, NULL);

  g_assert_true (op_test_output_format (op)
                 == babl_format_with_space ("Y' float", rec2020));
  op_test_graph_free (op);
  g_object_unref (input);
}

/* A reference of another size, or none, is reported and the map says
 * "different" (1) over the whole input, which keeps its own size. */
static void
check_unusable_reference (GeglBuffer *reference, const char *fragment)
{
  const int width = 12, height = 10;
  GeglRectangle rect = { 0, 0, width, height };
  GeglBuffer *image = op_test_random_buffer (width, height, 8);
  float *ones = g_new (float, (width * height));

  for (int i = 0; i < width * height; i++)
    ones[i] = 1.0f;

  for (int mode = MODE_GMS; mode <= MODE_SOFT; mode++)
    {
      GeglNode *op
        = op_test_graph_new (image, reference, OP, "mode", mode, NULL);
      GeglRectangle box;
      float *map;

      box = gegl_node_get_bounding_box (op);
      g_assert_true (gegl_rectangle_equal (&box, &rect));

      op_test_expect_warnings (fragment);
      map = op_test_render (op, &rect, grey_float ());
      g_assert_cmpint (op_test_warnings_seen (), >=, 1);
      op_test_assert_identical (map, ones, width * height, 1, width);
      g_free (map);
      op_test_graph_free (op);
    }
  g_free (ones);
  g_object_unref (image);
}

static void
test_reference_of_other_size (void)
{
  GeglBuffer *smaller = op_test_random_buffer (10, 10, 9);
  GeglBuffer *larger = op_test_random_buffer (12, 11, 9);

  check_unusable_reference (smaller, "same rectangle");
  check_unusable_reference (larger, "same rectangle");
  g_object_unref (larger);
  g_object_unref (smaller);
}

static void
test_missing_reference (void)
{
  check_unusable_reference (NULL, "no reference");
}

int
main (int argc, char **argv)
{
  int status = op_test_init (&argc, &argv, OP);

  if (status != 0)
    return status;

  g_test_add_func ("/gms-map/gms-corner-by-hand", test_gms_corner_by_hand);
  g_test_add_func ("/gms-map/gms-steps-by-hand", test_gms_steps_by_hand);
  g_test_add_func ("/gms-map/hard-threshold", test_hard_threshold);
  g_test_add_func ("/gms-map/hard-opening-removes-specks",
                   test_hard_opening_removes_specks);
  g_test_add_func ("/gms-map/identical-images", test_identical_images);
  g_test_add_func ("/gms-map/chunks-equal-whole", test_chunks_equal_whole);
  g_test_add_func ("/gms-map/soft-is-graded", test_soft_is_graded);
  g_test_add_func ("/gms-map/input-formats", test_input_formats);
  g_test_add_func ("/gms-map/output-format-keeps-space",
                   test_output_format_keeps_space);
  g_test_add_func ("/gms-map/reference-of-other-size",
                   test_reference_of_other_size);
  g_test_add_func ("/gms-map/missing-reference", test_missing_reference);

  status = g_test_run ();
  gegl_exit ();
  return status;
}
