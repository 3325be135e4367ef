/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:super-resolution in real GEGL, on small WDSR-A-shaped networks
 * written for the test as the shipped families are (sr-test-util.c): sizes
 * and offsets, the engine's result, alpha blending between trained
 * networks, chunks and threads against whole renders, an opaque image with
 * a transparent hole, the regions GEGL asks about, and the model property.
 * Images beyond opaque R'G'B' are test-op-super-resolution-formats.c's,
 * models missing, damaged or wrong test-op-super-resolution-models.c's.
 */
#include <math.h>
#include <string.h>

#include <gegl-plugin.h>

#include "op-test-util.h"
#include "sr-test-util.h"
#include "test-util.h"

/* Every scale: the output covers scale x the input, wherever the input
 * lies and whatever its size, and holds an image (opaque, not black). */
static void
test_output_size (void)
{
  const GeglRectangle images[] = {
    { 0, 0, 13, 7 },
    { -5, 3, 1, 1 },
    { 7, -4, 10, 9 },
  };

  for (int scale = 2; scale <= 4; scale++)
    for (int k = 0; k < (int) G_N_ELEMENTS (images); k++)
      {
        SrTestImage *image = sr_test_image_new (&images[k], 10 + k, TRUE);
        GeglNode *op = op_test_graph_new (image->buffer, NULL, SR_TEST_OP,
                                          "scale", (double) scale, NULL);
        GeglRectangle expected = sr_test_scaled (&images[k], scale);
        GeglRectangle box = gegl_node_get_bounding_box (op);
        float *out = op_test_render (op, &box, sr_test_rgba_float ());

        g_assert_true (gegl_rectangle_equal (&box, &expected));
        for (gsize i = 3; i < sr_test_n_floats (&box, 4); i += 4)
          g_assert_cmpfloat (out[i], ==, 1.0f);
        g_assert_cmpfloat (sr_test_mean_colour (out, &box), >, 0.1);

        g_free (out);
        op_test_graph_free (op);
        sr_test_image_free (image);
      }
}

/* On an opaque image the op gives what the engine gives (clamped), at each
 * scale from the alpha = 0 network; most values lie inside (0, 1), so the
 * clamping hides little. */
static void
test_equals_engine (void)
{
  SrTestImage *image
    = sr_test_image_new (GEGL_RECTANGLE (3, -2, 23, 17), 20, TRUE);

  for (int scale = 2; scale <= 4; scale++)
    {
      GeglRectangle out = sr_test_scaled (&image->rect, scale);
      HfsrModel *model = sr_test_load_network (scale, "0");
      float *expected
        = sr_test_engine_render (model, image->pixels, &image->rect, &out);
      float *raw
        = sr_test_engine_run (model, image->pixels, &image->rect, &out);
      float *actual
        = sr_test_op_render (image->buffer, &out, sr_test_rgba_float (),
                             "scale", (double) scale, "alpha", 0.0, NULL);
      gsize inside = 0;

      op_test_assert_close (actual, expected, sr_test_n_floats (&out, 4), 4,
                            out.width, SR_TEST_TOLERANCE);
      for (gsize i = 0; i < sr_test_n_floats (&out, 4); i++)
        inside += i % 4 != 3 && raw[i] > 0.0f && raw[i] < 1.0f;
      g_assert_cmpfloat ((double) inside / sr_test_n_floats (&out, 3), >, 0.9);

      g_free (actual);
      g_free (raw);
      g_free (expected);
      hfsr_model_free (model);
    }
  sr_test_image_free (image);
}

/* The op at @alpha and scale @scale against the engine running @expected. */
static float *
check_alpha (const SrTestImage *image, int scale, double alpha,
             const HfsrModel *expected)
{
  GeglRectangle out = sr_test_scaled (&image->rect, scale);
  float *want
    = sr_test_engine_render (expected, image->pixels, &image->rect, &out);
  float *actual
    = sr_test_op_render (image->buffer, &out, sr_test_rgba_float (), "scale",
                         (double) scale, "alpha", alpha, NULL);

  op_test_assert_close (actual, want, sr_test_n_floats (&out, 4), 4, out.width,
                        SR_TEST_TOLERANCE);
  g_free (want);
  return actual;
}

/* A trained alpha gives its network; one in between the blend of the two
 * nearest, linear in alpha; one beyond the trained ones the nearest. */
static void
test_alpha_blending (void)
{
  SrTestImage *image
    = sr_test_image_new (GEGL_RECTANGLE (0, 0, 19, 15), 30, TRUE);
  GeglRectangle out = sr_test_scaled (&image->rect, 2);
  HfsrModel *zero = sr_test_load_network (2, "0");
  HfsrModel *fifth = sr_test_load_network (2, "1-5");
  HfsrModel *third = sr_test_load_network (2, "1-3");
  HfsrModel *x3_fifth = sr_test_load_network (3, "1-5");
  HfsrModel *blend;
  float *at_zero, *at_fifth, *midway;

  at_zero = check_alpha (image, 2, 0.0, zero);
  at_fifth = check_alpha (image, 2, 0.2, fifth);
  g_free (check_alpha (image, 2, 1.0 / 3.0, third));

  blend = hfsr_model_blend (zero, fifth, 0.5, NULL);
  midway = check_alpha (image, 2, 0.1, blend);
  /* The three differ, or the comparisons above would prove nothing. */
  g_assert_cmpfloat (
    hfsr_test_max_abs_diff (midway, at_zero, sr_test_n_floats (&out, 4)), >,
    1e-3);
  g_assert_cmpfloat (
    hfsr_test_max_abs_diff (midway, at_fifth, sr_test_n_floats (&out, 4)), >,
    1e-3);
  hfsr_model_free (blend);

  blend
    = hfsr_model_blend (fifth, third, (0.3 - 0.2) / (1.0 / 3.0 - 0.2), NULL);
  g_free (check_alpha (image, 2, 0.3, blend));
  hfsr_model_free (blend);

  /* x3 was trained up to 0.2 only. */
  g_free (check_alpha (image, 3, 0.3, x3_fifth));

  g_free (midway);
  g_free (at_fifth);
  g_free (at_zero);
  hfsr_model_free (x3_fifth);
  hfsr_model_free (third);
  hfsr_model_free (fifth);
  hfsr_model_free (zero);
  sr_test_image_free (image);
}

/* Whole, in pieces that are no multiple of the scale, and through GEGL's
 * processor with one or two threads, small chunks and small tiles: the
 * same image.  Colour is compared premultiplied: un-premultiplying divides
 * float noise by alpha. */
static void
check_chunks_equal_whole (const SrTestImage *image, double scale,
                          const char *model)
{
  const OpTestConfig configs[] = {
    { 1, 4096, 64 },
    { 2, 1000, 16 },
    { 2, 1 << 20, 128 },
  };
  const Babl *premultiplied = babl_format ("R'aG'aB'aA float");
  GeglNode *op = op_test_graph_new (image->buffer, NULL, SR_TEST_OP, "scale",
                                    scale, "model", model, NULL);
  GeglRectangle out = gegl_node_get_bounding_box (op);
  gsize n = sr_test_n_floats (&out, 4);
  float *whole = op_test_render (op, &out, premultiplied);

  op_test_graph_free (op);
  for (int i = -1; i < (int) G_N_ELEMENTS (configs); i++)
    {
      float *pieces;

      op = op_test_graph_new (image->buffer, NULL, SR_TEST_OP, "scale", scale,
                              "model", model, NULL);
      pieces = i < 0 ? op_test_render_chunks (op, &out, 37, 23, premultiplied)
                     : op_test_process (op, &out, premultiplied, &configs[i]);
      op_test_assert_close (pieces, whole, n, 4, out.width, SR_TEST_TOLERANCE);
      g_free (pieces);
      op_test_graph_free (op);
    }
  g_free (whole);
}

/* Also with a network of margin 0, whose input the op widens to see
 * every footprint pixel's neighbours. */
static void
test_chunks_equal_whole (void)
{
  SrTestImage *image
    = sr_test_image_new (GEGL_RECTANGLE (0, 0, 150, 110), 40, FALSE);
  char *pointwise = sr_test_write_mixing_network ("pointwise.safetensors", 1);

  check_chunks_equal_whole (image, 2, NULL);
  check_chunks_equal_whole (image, 2, pointwise);
  g_free (pointwise);
  sr_test_image_free (image);
}

/* An opaque image with a small transparent hole: pieces far from the hole
 * see only opaque pixels and skip the alpha network, pieces near it do
 * not; both must agree with the whole.  Output pixels farther than the
 * margin from the hole are exactly opaque, those over its middle
 * transparent. */
static void
test_transparent_hole (void)
{
  const GeglRectangle hole = { 50, 40, 4, 4 };
  /* Where the bilinear skip sees no opaque neighbour. */
  const GeglRectangle hole_inside = { 51, 41, 2, 2 };
  const int scale = 3;
  SrTestImage *image
    = sr_test_image_new (GEGL_RECTANGLE (0, 0, 120, 90), 50, TRUE);
  GeglRectangle out = sr_test_scaled (&image->rect, scale);
  float *actual;

  for (int y = hole.y; y < hole.y + hole.height; y++)
    for (int x = hole.x; x < hole.x + hole.width; x++)
      image->pixels[(y * image->rect.width + x) * 4 + 3] = 0.0f;
  gegl_buffer_set (image->buffer, &image->rect, 0, sr_test_rgba_float (),
                   image->pixels, GEGL_AUTO_ROWSTRIDE);
  check_chunks_equal_whole (image, scale, NULL);

  actual = sr_test_op_render (image->buffer, &out, sr_test_rgba_float (),
                              "scale", (double) scale, NULL);
  for (int y = 0; y < out.height; y++)
    for (int x = 0; x < out.width; x++)
      {
        GeglRectangle footprint
          = { x / scale - SR_TEST_MARGIN, y / scale - SR_TEST_MARGIN,
              2 * SR_TEST_MARGIN + 1, 2 * SR_TEST_MARGIN + 1 };
        float alpha = actual[(y * out.width + x) * 4 + 3];

        if (!gegl_rectangle_intersect (NULL, &footprint, &hole))
          g_assert_cmpfloat (alpha, ==, 1.0f);
        else if (gegl_rectangle_contains (
                   &hole_inside, GEGL_RECTANGLE (x / scale, y / scale, 1, 1)))
          g_assert_cmpfloat (alpha, <, 0.1f);
      }
  g_free (actual);
  sr_test_image_free (image);
}

/* The regions GEGL asks about follow the tiling rule: footprint (floor and
 * ceiling division) plus the margin, clipped to the image; a changed pixel
 * invalidates its neighbourhood, scaled. */
static void
test_regions (void)
{
  SrTestImage *image
    = sr_test_image_new (GEGL_RECTANGLE (0, 0, 40, 30), 80, TRUE);
  GeglNode *op
    = op_test_graph_new (image->buffer, NULL, SR_TEST_OP, "scale", 2.0, NULL);
  GeglOperation *operation;
  GeglRectangle box = gegl_node_get_bounding_box (op);
  GeglRectangle need, changed;

  g_assert_true (gegl_rectangle_equal (&box, GEGL_RECTANGLE (0, 0, 80, 60)));
  operation = gegl_node_get_gegl_operation (op);
  /* x: [10, 15) -> [5, 8) -> [1, 12); y: [7, 10) -> [3, 5) -> [-1, 9),
   * clipped to [0, 9). */
  need = gegl_operation_get_required_for_output (operation, "input",
                                                 GEGL_RECTANGLE (10, 7, 5, 3));
  g_assert_true (gegl_rectangle_equal (&need, GEGL_RECTANGLE (1, 0, 11, 9)));
  /* [20, 21) x [10, 11) grown by 4, times 2. */
  changed = gegl_operation_get_invalidated_by_change (
    operation, "input", GEGL_RECTANGLE (20, 10, 1, 1));
  g_assert_true (
    gegl_rectangle_equal (&changed, GEGL_RECTANGLE (32, 12, 18, 18)));
  /* At the corner, clipped to the output. */
  changed = gegl_operation_get_invalidated_by_change (
    operation, "input", GEGL_RECTANGLE (0, 0, 1, 1));
  g_assert_true (
    gegl_rectangle_equal (&changed, GEGL_RECTANGLE (0, 0, 10, 10)));

  op_test_graph_free (op);
  sr_test_image_free (image);
}

/* Lanczos-3 (the op's filter), written out for the tests below. */
static double
lanczos3 (double t)
{
  if (fabs (t) < 1e-12)
    return 1.0;
  if (fabs (t) >= 3.0)
    return 0.0;
  return 3.0 * sin (G_PI * t) * sin (G_PI * t / 3.0) / (G_PI * G_PI * t * t);
}

/* Pixel (@x, @y) of @top (@top_rect, 4 channels) resampled as the op's
 * rule says, in one 2-D sum over every pixel of @top: output pixel x's
 * centre (x + 0.5) r - 0.5 in the network result (r = factor / scale), the
 * filter widened by r, taps beyond the edge reading the edge pixel, the
 * weights normalised; premultiplied colour then kept within [0, alpha]. */
static void
naive_resample (const float *top, const GeglRectangle *top_rect, double r,
                int x, int y, float *pixel)
{
  double cx = (x + 0.5) * r - 0.5, cy = (y + 0.5) * r - 0.5;
  double sum[4] = { 0 }, total = 0;

  for (int j = (int) floor (cy - 3 * r) - 1; j <= (int) ceil (cy + 3 * r) + 1;
       j++)
    for (int i = (int) floor (cx - 3 * r) - 1;
         i <= (int) ceil (cx + 3 * r) + 1; i++)
      {
        double w = lanczos3 ((i - cx) / r) * lanczos3 ((j - cy) / r);
        int si = CLAMP (i, top_rect->x, top_rect->x + top_rect->width - 1);
        int sj = CLAMP (j, top_rect->y, top_rect->y + top_rect->height - 1);
        const float *p = top
                         + ((gsize) (sj - top_rect->y) * top_rect->width
                            + (si - top_rect->x))
                             * 4;

        for (int c = 0; c < 4; c++)
          sum[c] += w * p[c];
        total += w;
      }
  pixel[3] = sr_test_clamp_unit ((float) (sum[3] / total));
  for (int c = 0; c < 3; c++)
    pixel[c] = CLAMP ((float) (sum[c] / total), 0.0f, pixel[3]);
}

/* Any scale from 1 to 8: the output is [round (x0 s), round (x1 s)) along
 * each axis wherever the input lies, opaque where the input is, and holds
 * the image (not black). */
static void
test_any_scale_size (void)
{
  const double scales[] = { 1.0, 1.25, 1.5, 2.5, 3.7, 4.5, 6.0, 7.3, 8.0 };
  const GeglRectangle images[] = { { 0, 0, 13, 7 }, { 7, -5, 11, 9 } };

  for (gsize i = 0; i < G_N_ELEMENTS (scales); i++)
    for (gsize k = 0; k < G_N_ELEMENTS (images); k++)
      {
        const GeglRectangle *in = &images[k];
        SrTestImage *image = sr_test_image_new (in, 60 + (guint32) k, TRUE);
        GeglNode *op = op_test_graph_new (image->buffer, NULL, SR_TEST_OP,
                                          "scale", scales[i], NULL);
        GeglRectangle box = gegl_node_get_bounding_box (op);
        int x0 = (int) floor (in->x * scales[i] + 0.5);
        int y0 = (int) floor (in->y * scales[i] + 0.5);
        int x1 = (int) floor ((in->x + in->width) * scales[i] + 0.5);
        int y1 = (int) floor ((in->y + in->height) * scales[i] + 0.5);
        float *out;

        g_assert_true (gegl_rectangle_equal (
          &box, GEGL_RECTANGLE (x0, y0, x1 - x0, y1 - y0)));
        out = op_test_render (op, &box, sr_test_rgba_float ());
        for (gsize p = 3; p < sr_test_n_floats (&box, 4); p += 4)
          g_assert_cmpfloat (out[p], ==, 1.0f);
        g_assert_cmpfloat (sr_test_mean_colour (out, &box), >, 0.1);
        g_free (out);
        op_test_graph_free (op);
        sr_test_image_free (image);
      }
}

/* A scale between the networks' is the next network's result resampled
 * (checked against naive_resample of the op at that network's scale, on
 * a translucent image and away from the origin), and a scale above 4 the
 * x2 network's result upscaled by the x3 or x4 one, as two nodes give it. */
static void
test_any_scale_pixels (void)
{
  const struct
  {
    double scale;
    int network;
  } cases[] = { { 1.5, 2 }, { 2.5, 3 }, { 3.3, 4 }, { 5.0, 6 } };
  SrTestImage *image
    = sr_test_image_new (GEGL_RECTANGLE (3, -2, 21, 16), 70, FALSE);
  const Babl *premultiplied = babl_format ("R'aG'aB'aA float");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GeglNode *top_op, *op;
      GeglRectangle top_rect, out;
      float *top, *actual, *expected;

      if (cases[i].network <= 4)
        top_op = op_test_graph_new (image->buffer, NULL, SR_TEST_OP, "scale",
                                    (double) cases[i].network, NULL);
      else
        {
          GeglNode *first = op_test_graph_new (image->buffer, NULL, SR_TEST_OP,
                                               "scale", 2.0, NULL);

          top_op = gegl_node_new_child (gegl_node_get_parent (first),
                                        "operation", SR_TEST_OP, "scale",
                                        (double) cases[i].network / 2, NULL);
          gegl_node_link (first, top_op);
        }
      top_rect = gegl_node_get_bounding_box (top_op);
      top = op_test_render (top_op, &top_rect, premultiplied);

      op = op_test_graph_new (image->buffer, NULL, SR_TEST_OP, "scale",
                              cases[i].scale, NULL);
      out = gegl_node_get_bounding_box (op);
      actual = op_test_render (op, &out, premultiplied);
      expected = g_new (float, sr_test_n_floats (&out, 4));
      for (int y = 0; y < out.height; y++)
        for (int x = 0; x < out.width; x++)
          naive_resample (top, &top_rect, cases[i].network / cases[i].scale,
                          out.x + x, out.y + y,
                          expected + ((gsize) y * out.width + x) * 4);
      op_test_assert_close (actual, expected, sr_test_n_floats (&out, 4), 4,
                            out.width, SR_TEST_TOLERANCE);

      g_free (expected);
      g_free (actual);
      g_free (top);
      op_test_graph_free (op);
      op_test_graph_free (top_op);
    }
  sr_test_image_free (image);
}

/* Resampled and chained results are the same in chunks and threads as
 * whole, on a translucent image. */
static void
test_any_scale_chunks (void)
{
  SrTestImage *image
    = sr_test_image_new (GEGL_RECTANGLE (0, 0, 70, 50), 75, FALSE);

  check_chunks_equal_whole (image, 2.5, NULL);
  check_chunks_equal_whole (image, 1.3, NULL);
  check_chunks_equal_whole (image, 7.0, NULL);
  sr_test_image_free (image);
}

/* The regions GEGL asks about hold at integer, resampled and chained
 * scales: the output over a region is the same when every input pixel
 * outside what the op says it requires changes, and every output pixel
 * that a changed input pixel alters (beyond the float noise of a different
 * cut into chunks) lies within what the op says it invalidates, which is
 * far from all of the output. */
static void
test_any_scale_regions (void)
{
  const double scales[] = { 3.0, 2.0, 2.5, 5.0 };
  const GeglRectangle roi = { 31, 22, 9, 6 };
  const GeglRectangle rect = { 0, 0, 40, 30 };

  for (gsize i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      SrTestImage *image = sr_test_image_new (&rect, 85, TRUE);
      SrTestImage *other = sr_test_image_new (&rect, 86, TRUE);
      GeglNode *op = op_test_graph_new (image->buffer, NULL, SR_TEST_OP,
                                        "scale", scales[i], NULL);
      GeglOperation *operation = gegl_node_get_gegl_operation (op);
      GeglRectangle box = gegl_node_get_bounding_box (op);
      GeglRectangle need
        = gegl_operation_get_required_for_output (operation, "input", &roi);
      float *before = op_test_render (op, &box, sr_test_rgba_float ());
      float *part = op_test_render (op, &roi, sr_test_rgba_float ());
      float *after, *changed_part;
      GeglRectangle changed, differs = { 0, 0, 0, 0 };

      op_test_graph_free (op);
      /* Outside need: other image's pixels. */
      for (int y = 0; y < rect.height; y++)
        for (int x = 0; x < rect.width; x++)
          if (!gegl_rectangle_contains (&need, GEGL_RECTANGLE (x, y, 1, 1)))
            memcpy (image->pixels + (y * rect.width + x) * 4,
                    other->pixels + (y * rect.width + x) * 4,
                    4 * sizeof (float));
      gegl_buffer_set (image->buffer, &rect, 0, sr_test_rgba_float (),
                       image->pixels, GEGL_AUTO_ROWSTRIDE);
      op = op_test_graph_new (image->buffer, NULL, SR_TEST_OP, "scale",
                              scales[i], NULL);
      changed_part = op_test_render (op, &roi, sr_test_rgba_float ());
      op_test_assert_close (changed_part, part, sr_test_n_floats (&roi, 4), 4,
                            roi.width, SR_TEST_TOLERANCE);
      op_test_graph_free (op);
      sr_test_image_free (image);

      /* One changed pixel. */
      image = sr_test_image_new (&rect, 85, TRUE);
      op = op_test_graph_new (image->buffer, NULL, SR_TEST_OP, "scale",
                              scales[i], NULL);
      operation = gegl_node_get_gegl_operation (op);
      image->pixels[(10 * rect.width + 20) * 4]
        = 1.0f - image->pixels[(10 * rect.width + 20) * 4];
      gegl_buffer_set (image->buffer, &rect, 0, sr_test_rgba_float (),
                       image->pixels, GEGL_AUTO_ROWSTRIDE);
      /* Asked once the networks are loaded (before, all may change). */
      after = op_test_render (op, &box, sr_test_rgba_float ());
      changed = gegl_operation_get_invalidated_by_change (
        operation, "input", GEGL_RECTANGLE (20, 10, 1, 1));
      for (int y = 0; y < box.height; y++)
        for (int x = 0; x < box.width; x++)
          if (fabsf (after[(y * box.width + x) * 4]
                     - before[(y * box.width + x) * 4])
              > SR_TEST_TOLERANCE)
            gegl_rectangle_bounding_box (
              &differs, &differs, GEGL_RECTANGLE (box.x + x, box.y + y, 1, 1));
      g_assert_cmpint (differs.width, >, 0);
      g_assert_true (gegl_rectangle_contains (&changed, &differs));
      g_assert_cmpint (changed.width, <, box.width / 2);

      g_free (after);
      g_free (changed_part);
      g_free (part);
      g_free (before);
      op_test_graph_free (op);
      sr_test_image_free (other);
      sr_test_image_free (image);
    }
}

/* The model property: that file, whatever alpha says, also at a scale it
 * reaches by resampling; none above 4. */
static void
test_model_property (void)
{
  SrTestImage *image
    = sr_test_image_new (GEGL_RECTANGLE (0, 0, 17, 12), 90, TRUE);
  GeglRectangle out = sr_test_scaled (&image->rect, 3);
  char *path = sr_test_network_path (3, "1-5");
  HfsrModel *model = sr_test_load_network (3, "1-5");
  float *expected
    = sr_test_engine_render (model, image->pixels, &image->rect, &out);

  for (int pass = 0; pass < 2; pass++)
    {
      float *actual = sr_test_op_render (
        image->buffer, &out, sr_test_rgba_float (), "scale", 3.0, "model",
        path, "alpha", pass == 0 ? 0.0 : 0.3, NULL);

      op_test_assert_close (actual, expected, sr_test_n_floats (&out, 4), 4,
                            out.width, SR_TEST_TOLERANCE);
      g_free (actual);
    }
  g_free (expected);

  /* At 2.5 the file is the plan's x3 network, resampled as the shipped
   * family's x3 network of the same alpha is; above 4 a plan needs two
   * networks, which one file cannot give: a warning, and the cubic
   * upscale of the right size. */
  {
    GeglRectangle out = { 0, 0, 43, 30 };
    float *from_file
      = sr_test_op_render (image->buffer, &out, sr_test_rgba_float (), "scale",
                           2.5, "model", path, NULL);
    float *from_family
      = sr_test_op_render (image->buffer, &out, sr_test_rgba_float (), "scale",
                           2.5, "alpha", 0.2, NULL);
    GeglNode *op;
    GeglRectangle box;
    float *cubic;

    op_test_assert_close (from_file, from_family, sr_test_n_floats (&out, 4),
                          4, out.width, SR_TEST_TOLERANCE);
    op_test_expect_warnings ("a model file holds one network");
    op = op_test_graph_new (image->buffer, NULL, SR_TEST_OP, "scale", 5.0,
                            "model", path, NULL);
    box = gegl_node_get_bounding_box (op);
    g_assert_true (gegl_rectangle_equal (&box, GEGL_RECTANGLE (0, 0, 85, 60)));
    cubic = op_test_render (op, &box, sr_test_rgba_float ());
    g_assert_cmpint (op_test_warnings_seen (), >=, 1);
    g_assert_cmpfloat (sr_test_mean_colour (cubic, &box), >, 0.1);
    g_free (cubic);
    op_test_graph_free (op);
    g_free (from_family);
    g_free (from_file);
  }
  hfsr_model_free (model);
  g_free (path);
  sr_test_image_free (image);
}

/* variant = perceptual: the scale's hfsr-x<s>-perceptual network, whatever
 * alpha says, unlike the fidelity family's; the variant has x2 and x4
 * networks only, so x3 is x4's result resampled (naive_resample), with no
 * warning. */
static void
test_perceptual_variant (void)
{
  /* HfsrSrVariant's values, as a script passes them. */
  enum
  {
    FIDELITY,
    PERCEPTUAL
  };
  SrTestImage *image
    = sr_test_image_new (GEGL_RECTANGLE (0, 0, 17, 12), 95, TRUE);
  GeglRectangle out = sr_test_scaled (&image->rect, 2);
  char *path = g_build_filename (sr_test_model_dir (),
                                 "hfsr-x2-perceptual.safetensors", NULL);
  HfsrModel *model = hfsr_model_load (path, NULL);
  float *expected
    = sr_test_engine_render (model, image->pixels, &image->rect, &out);
  float *fidelity
    = sr_test_op_render (image->buffer, &out, sr_test_rgba_float (), "scale",
                         2.0, "variant", FIDELITY, "alpha", 0.0, NULL);
  gsize n = sr_test_n_floats (&out, 4);
  float apart = 0.0f;
  GeglRectangle top_rect;
  float *top, *at3, *want3;

  for (int pass = 0; pass < 2; pass++)
    {
      float *actual = sr_test_op_render (
        image->buffer, &out, sr_test_rgba_float (), "scale", 2.0, "variant",
        PERCEPTUAL, "alpha", pass == 0 ? 0.0 : 0.3, NULL);

      op_test_assert_close (actual, expected, n, 4, out.width,
                            SR_TEST_TOLERANCE);
      g_free (actual);
    }
  for (gsize i = 0; i < n; i++)
    apart = MAX (apart, fabsf (fidelity[i] - expected[i]));
  g_assert_cmpfloat (apart, >, 1e-3);

  top_rect = sr_test_scaled (&image->rect, 4);
  top = sr_test_op_render (image->buffer, &top_rect, sr_test_rgba_float (),
                           "scale", 4.0, "variant", PERCEPTUAL, NULL);
  out = sr_test_scaled (&image->rect, 3);
  at3 = sr_test_op_render (image->buffer, &out, sr_test_rgba_float (), "scale",
                           3.0, "variant", PERCEPTUAL, NULL);
  want3 = g_new (float, sr_test_n_floats (&out, 4));
  for (int y = 0; y < out.height; y++)
    for (int x = 0; x < out.width; x++)
      naive_resample (top, &top_rect, 4.0 / 3.0, x, y,
                      want3 + ((gsize) y * out.width + x) * 4);
  op_test_assert_close (at3, want3, sr_test_n_floats (&out, 4), 4, out.width,
                        SR_TEST_TOLERANCE);

  g_free (want3);
  g_free (at3);
  g_free (top);
  g_free (fidelity);
  g_free (expected);
  hfsr_model_free (model);
  g_free (path);
  sr_test_image_free (image);
}

int
main (int argc, char **argv)
{
  int status = sr_test_init (&argc, &argv);

  if (status != 0)
    return status;

  g_test_add_func ("/super-resolution/output-size", test_output_size);
  g_test_add_func ("/super-resolution/any-scale-size", test_any_scale_size);
  g_test_add_func ("/super-resolution/any-scale-pixels",
                   test_any_scale_pixels);
  g_test_add_func ("/super-resolution/any-scale-chunks",
                   test_any_scale_chunks);
  g_test_add_func ("/super-resolution/any-scale-regions",
                   test_any_scale_regions);
  g_test_add_func ("/super-resolution/equals-engine", test_equals_engine);
  g_test_add_func ("/super-resolution/alpha-blending", test_alpha_blending);
  g_test_add_func ("/super-resolution/chunks-equal-whole",
                   test_chunks_equal_whole);
  g_test_add_func ("/super-resolution/transparent-hole",
                   test_transparent_hole);
  g_test_add_func ("/super-resolution/regions", test_regions);
  g_test_add_func ("/super-resolution/model-property", test_model_property);
  g_test_add_func ("/super-resolution/perceptual-variant",
                   test_perceptual_variant);
  return sr_test_run ();
}
