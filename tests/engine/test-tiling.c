/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tiling rule: hfsr_model_run_region over any tiling, any sub-rectangle
 * and any image origin must give what hfsr_model_forward gives on the whole
 * image, for every kind of network the engine runs.
 */
#include <math.h>
#include <string.h>

#include "hfsr-private.h"
#include "kernels/kernels.h"
#include "model-builder.h"
#include "test-util.h"

#define TOLERANCE 1e-5
#define SENTINEL -7.25f

/* A convolution after the shuffle too, so part of the band is at the
 * output's resolution. */
static HfsrModel *
make_x3 (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);

  hfsr_model_builder_add_conv2d (b, "head", "input", 3, 6, 3, 200);
  hfsr_model_builder_add_node (b, "act", "relu", "head", NULL);
  hfsr_model_builder_add_conv2d (b, "tail", "act", 6, 18, 3, 202);
  hfsr_model_builder_add_node (b, "up", "pixel_shuffle", "tail",
                               "{\"factor\": 3}");
  hfsr_model_builder_add_conv2d (b, "out", "up", 2, 3, 3, 204);
  return hfsr_model_builder_load (b);
}

/* FSRCNN: feature extraction, shrinking, mapping, expanding (PReLU after
 * each), a 9x9 transposed convolution with stride 2.  One channel (Y'). */
static HfsrModel *
make_fsrcnn_x2 (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("y", 1);

  hfsr_model_builder_add_conv2d (b, "feature", "y", 1, 8, 5, 300);
  hfsr_model_builder_add_prelu (b, "feature.act", "feature", 8, 301);
  hfsr_model_builder_add_conv2d (b, "shrink", "feature.act", 8, 4, 1, 302);
  hfsr_model_builder_add_prelu (b, "shrink.act", "shrink", 4, 303);
  hfsr_model_builder_add_conv2d (b, "map", "shrink.act", 4, 4, 3, 304);
  hfsr_model_builder_add_prelu (b, "map.act", "map", 4, 305);
  hfsr_model_builder_add_conv2d (b, "expand", "map.act", 4, 8, 1, 306);
  hfsr_model_builder_add_prelu (b, "expand.act", "expand", 8, 307);
  hfsr_model_builder_add_conv_transpose2d (b, "deconv", "expand.act", 8, 1, 9,
                                           2, 4, 1, 308);
  return hfsr_model_builder_load (b);
}

/* x4 as two x2 shuffles. */
static HfsrModel *
make_x4 (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);

  hfsr_model_builder_add_conv2d (b, "head", "input", 3, 16, 3, 400);
  hfsr_model_builder_add_node (b, "up1", "pixel_shuffle", "head",
                               "{\"factor\": 2}");
  hfsr_model_builder_add_conv2d (b, "mid", "up1", 4, 12, 3, 402);
  hfsr_model_builder_add_node (b, "up2", "pixel_shuffle", "mid",
                               "{\"factor\": 2}");
  return hfsr_model_builder_load (b);
}

/* A map-style network: same size out, residual over the input. */
static HfsrModel *
make_same_size (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);

  hfsr_model_builder_add_conv2d (b, "c1", "input", 3, 8, 3, 500);
  hfsr_model_builder_add_node (b, "act", "relu", "c1", NULL);
  hfsr_model_builder_add_conv2d (b, "c2", "act", 8, 3, 3, 502);
  hfsr_model_builder_add_node (b, "out", "add", "c2, input", NULL);
  return hfsr_model_builder_load (b);
}

/* Squeeze-and-excitation: output depends on the whole image. */
static HfsrModel *
make_se (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);

  hfsr_model_builder_add_conv2d (b, "head", "input", 3, 8, 3, 600);
  hfsr_model_builder_add_node (b, "pool", "global_avg_pool", "head", NULL);
  hfsr_model_builder_add_conv2d (b, "squeeze", "pool", 8, 2, 1, 602);
  hfsr_model_builder_add_node (b, "squeeze.act", "relu", "squeeze", NULL);
  hfsr_model_builder_add_conv2d (b, "excite", "squeeze.act", 2, 8, 1, 604);
  hfsr_model_builder_add_node (b, "gate", "sigmoid", "excite", NULL);
  hfsr_model_builder_add_node (b, "scaled", "channel_scale", "head, gate",
                               NULL);
  hfsr_model_builder_add_conv2d (b, "tail", "scaled", 8, 12, 3, 606);
  hfsr_model_builder_add_node (b, "up", "pixel_shuffle", "tail",
                               "{\"factor\": 2}");
  return hfsr_model_builder_load (b);
}

/* The exporter's fixtures (models/training/make_parity_fixture.py): real
 * exported graphs, one tileable and one with squeeze-and-excitation. */
static HfsrModel *
load_fixture (const char *name)
{
  char *relative
    = g_build_filename ("tests", "engine", "fixtures", name, NULL);
  char *path = hfsr_test_source_path (relative);
  GError *error = NULL;
  HfsrModel *model = hfsr_model_load (path, &error);

  g_assert_no_error (error);
  g_free (path);
  g_free (relative);
  return model;
}

/* The shipped WDSR-A networks run their eight residual blocks fused (one
 * pass each), whether loaded from a file or blended between two: a plan
 * made before the Winograd weights gives the same pixels at half the
 * speed, which no comparison of results can see. */
static void
test_shipped_blocks_fused (void)
{
  const char *files[]
    = { "models/hfsr-x2-a0.safetensors", "models/hfsr-x4-a1-5.safetensors" };
  GError *error = NULL;
  HfsrModel *blend;
  char *folder = hfsr_test_source_path ("models");

  for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
    {
      char *path = hfsr_test_source_path (files[i]);
      HfsrModel *model = hfsr_model_load (path, &error);

      g_assert_no_error (error);
      g_assert_cmpint (hfsr_graph_n_fused_blocks (model), ==, 8);
      hfsr_model_free (model);
      g_free (path);
    }
  g_setenv ("HFSR_MODEL_PATH", folder, TRUE);
  blend = hfsr_model_load_sr (NULL, 2, 0.1, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpint (hfsr_graph_n_fused_blocks (blend), ==, 8);
  hfsr_model_free (blend);
  g_free (folder);
}

static HfsrModel *
make_fixture_local (void)
{
  return load_fixture ("parity-local.safetensors");
}

static HfsrModel *
make_fixture_global (void)
{
  return load_fixture ("parity.safetensors");
}

/* The margin each network needs, from the kernels: exact where the layers'
 * bands are exact, a range where a layer may bound its band generously (a
 * larger margin costs time, never correctness; the tiling checks below
 * catch one that is too small). */
typedef struct
{
  const char *name;
  HfsrModel *(*make) (void);
  int scale;
  int margin_min;
  int margin_max;
} ModelCase;

static const ModelCase model_cases[] = {
  /* head 1 + 2 blocks x 2 + tail 1 = 6 input pixels -> 12 output -> 6 */
  { "wdsr-x2", hfsr_model_builder_small_wdsr_x2, 2, 6, 6 },
  /* (1 + 1) x 3 + 1 = 7 output pixels -> ceil (7 / 3) = 3 */
  { "x3", make_x3, 3, 3, 3 },
  /* 2 + 1 = 3 input pixels reach the 9x9 stride-2 transposed convolution,
   * whose outputs within 2 x 3 + 4 = 10 pixels of an edge then differ:
   * at least ceil (10 / 2) = 5 */
  { "fsrcnn-x2", make_fsrcnn_x2, 2, 5, 8 },
  /* (1 x 2 + 1) x 2 = 6 output pixels -> ceil (6 / 4) = 2 */
  { "x4", make_x4, 4, 2, 2 },
  { "same-size", make_same_size, 1, 2, 2 },
  { "se-global", make_se, 2, -1, -1 },
  /* head 1 + body 1 = 2 input pixels reach the 9x9 stride-2 transposed
   * convolution: at least ceil ((2 x 2 + 4) / 2) = 4 */
  { "fixture-parity-local", make_fixture_local, 2, 4, G_MAXINT },
  { "fixture-parity", make_fixture_global, 2, -1, -1 },
};

/* Interleaved random pixels over @rect, @channels per pixel, rows padded so
 * that the rowstride is not simply width x channels. */
static HfsrImageView
view_new (const HfsrRect *rect, int channels, guint32 seed)
{
  HfsrImageView view = { NULL, channels, 0, *rect };
  gsize n;

  view.rowstride = (gsize) rect->width * channels + 5;
  n = view.rowstride * (gsize) rect->height;
  view.data = g_new (float, MAX (n, 1));
  hfsr_test_fill_random (view.data, n, seed, 0.0f, 1.0f);
  return view;
}

static float *
view_at (const HfsrImageView *view, int x, int y, int c)
{
  return view->data + (gsize) (y - view->rect.y) * view->rowstride
         + (gsize) (x - view->rect.x) * view->channels + c;
}

/* A copy of @source restricted to @rect, so reading outside @rect reads
 * outside the allocation. */
static HfsrImageView
view_crop (const HfsrImageView *source, const HfsrRect *rect)
{
  HfsrImageView view = { NULL, source->channels, 0, *rect };

  view.rowstride = (gsize) rect->width * source->channels;
  view.data = g_new (float, (MAX (view.rowstride * rect->height, 1)));
  for (int y = rect->y; y < rect->y + rect->height; y++)
    memcpy (view_at (&view, rect->x, y, 0), view_at (source, rect->x, y, 0),
            view.rowstride * sizeof (float));
  return view;
}

/* Output 0 of a whole-image forward run (the reference). */
static HfsrTensor *
forward_whole (const HfsrModel *model, const HfsrImageView *image)
{
  int n_outputs = hfsr_model_get_n_outputs (model);
  HfsrTensor **outputs = g_new0 (HfsrTensor *, n_outputs);
  GError *error = NULL;
  HfsrTensor *input, *result;

  input = hfsr_tensor_new (hfsr_model_get_input_channels (model),
                           image->rect.height, image->rect.width, &error);
  g_assert_no_error (error);
  for (int c = 0; c < input->channels; c++)
    for (int y = 0; y < input->height; y++)
      for (int x = 0; x < input->width; x++)
        hfsr_tensor_plane (input, c)[y * input->width + x]
          = *view_at (image, image->rect.x + x, image->rect.y + y, c);
  g_assert_true (hfsr_model_forward (model, input, outputs, NULL, &error));
  g_assert_no_error (error);
  result = outputs[0];
  for (int i = 1; i < n_outputs; i++)
    hfsr_tensor_free (outputs[i]);
  g_free (outputs);
  hfsr_tensor_free (input);
  return result;
}

/* Runs @out_rect through run_region with @tile and compares with
 * @reference (whose pixel 0 is the image origin times the scale).  The
 * output view has one channel more than the model writes: it must keep
 * its sentinel. */
static void
check_region_with (const HfsrModel *model, const HfsrImageView *input,
                   const HfsrRect *image, const HfsrTensor *reference,
                   const HfsrRect *out_rect, int tile,
                   const HfsrRunOptions *options)
{
  int s = hfsr_model_get_scale (model);
  int channels = hfsr_model_get_output_channels (model, 0);
  HfsrImageView output = { NULL, channels + 1, 0, *out_rect };
  GError *error = NULL;
  gsize n;
  double worst = 0.0;

  output.rowstride = (gsize) out_rect->width * output.channels + 2;
  n = output.rowstride * (gsize) out_rect->height;
  output.data = g_new (float, n);
  for (gsize i = 0; i < n; i++)
    output.data[i] = SENTINEL;

  if (!hfsr_model_run_region (model, input, image, &output, tile, options,
                              NULL, NULL, &error))
    g_error ("run_region: %s", error->message);

  for (int y = out_rect->y; y < out_rect->y + out_rect->height; y++)
    for (int x = out_rect->x; x < out_rect->x + out_rect->width; x++)
      {
        int ry = y - image->y * s, rx = x - image->x * s;

        for (int c = 0; c < channels; c++)
          {
            double expected = hfsr_tensor_plane (
              reference, c)[(gsize) ry * reference->width + rx];
            double d = fabs (*view_at (&output, x, y, c) - expected);

            worst = isnan (d) ? INFINITY : MAX (worst, d);
          }
        g_assert_cmpfloat (*view_at (&output, x, y, channels), ==, SENTINEL);
      }
  if (worst > TOLERANCE)
    g_error ("%s: %dx%d at (%d,%d), tile %d: differs by %g",
             hfsr_model_get_name (model), out_rect->width, out_rect->height,
             out_rect->x, out_rect->y, tile, worst);
  g_free (output.data);
}

static void
check_region (const HfsrModel *model, const HfsrImageView *input,
              const HfsrRect *image, const HfsrTensor *reference,
              const HfsrRect *out_rect, int tile)
{
  check_region_with (model, input, image, reference, out_rect, tile, NULL);
}

static void
test_model_case (gconstpointer data)
{
  const ModelCase *mc = data;
  HfsrModel *model = mc->make ();
  const int tiles[] = { 1, 2, 7, 16, 33, 64, 0 };
  /* Odd sizes, a non-zero (and negative) origin and tiny ones; an image
   * wider than a default tile follows below. */
  const HfsrRect images[] = {
    { 5, -3, 13, 11 },
    { 0, 0, 135, 7 },
    { -2, 1, 2, 3 },
    { 0, 0, 1, 1 },
  };
  int s = hfsr_model_get_scale (model);
  GRand *rand = g_rand_new_with_seed (77);

  g_assert_cmpint (s, ==, mc->scale);
  g_assert_cmpint (hfsr_model_get_margin (model), >=, mc->margin_min);
  g_assert_cmpint (hfsr_model_get_margin (model), <=, mc->margin_max);

  for (gsize i = 0; i < G_N_ELEMENTS (images); i++)
    {
      const HfsrRect *image = &images[i];
      HfsrImageView input = view_new (image, 4, 1000 + (guint32) i);
      HfsrTensor *reference = forward_whole (model, &input);
      HfsrRect whole
        = { image->x * s, image->y * s, image->width * s, image->height * s };

      g_assert_cmpint (reference->height, ==, whole.height);
      g_assert_cmpint (reference->width, ==, whole.width);

      for (gsize t = 0; t < G_N_ELEMENTS (tiles); t++)
        check_region (model, &input, image, reference, &whole, tiles[t]);

      /* Sub-rectangles at any offset, from an input view that holds only
       * the required input. */
      for (int round = 0; round < 6; round++)
        {
          HfsrRect sub, need;
          HfsrImageView tight;

          sub.x = whole.x + g_rand_int_range (rand, 0, whole.width);
          sub.y = whole.y + g_rand_int_range (rand, 0, whole.height);
          sub.width
            = g_rand_int_range (rand, 1, whole.x + whole.width - sub.x + 1);
          sub.height
            = g_rand_int_range (rand, 1, whole.y + whole.height - sub.y + 1);
          need = hfsr_model_required_input (model, &sub, image);
          tight = view_crop (&input, &need);
          check_region (model, &tight, image, reference, &sub,
                        round % 2 ? 5 : 0);
          g_free (tight.data);
        }
      hfsr_tensor_free (reference);
      g_free (input.data);
    }

  /* Wider than the default tile (sized from the model's widest cut), so
   * the default splits it, into even tiles. */
  {
    HfsrRect wide = { 3, -1, hfsr_model_get_tile_input (model) + 37, 3 };
    HfsrImageView input = view_new (&wide, 4, 2000);
    HfsrTensor *reference = forward_whole (model, &input);
    HfsrRect whole
      = { wide.x * s, wide.y * s, wide.width * s, wide.height * s };

    g_test_message ("%s: default tile %d input pixels",
                    hfsr_model_get_name (model),
                    hfsr_model_get_tile_input (model));
    g_assert_cmpint (hfsr_model_get_tile_input (model), >=, 64);
    check_region (model, &input, &wide, reference, &whole, 0);
    hfsr_tensor_free (reference);
    g_free (input.data);
  }
  g_rand_free (rand);
  hfsr_model_free (model);
}

/* The margin is what makes tiles exact: an interior tile computed from its
 * footprint alone (margin 0), or tiles with the margin one pixel short,
 * differ from the whole-image run.  Without this the comparisons above
 * could pass for the wrong reason. */
static void
test_margin_matters (void)
{
  HfsrModel *model = hfsr_model_builder_small_wdsr_x2 ();
  HfsrRect image = { 0, 0, 24, 24 };
  HfsrImageView input = view_new (&image, 3, 9);
  HfsrTensor *reference = forward_whole (model, &input);
  HfsrRect footprint = { 8, 8, 8, 8 };
  HfsrImageView crop = view_crop (&input, &footprint);
  HfsrTensor *alone = forward_whole (model, &crop);
  double worst = 0.0;

  for (int c = 0; c < 3; c++)
    for (int y = 0; y < 16; y++)
      for (int x = 0; x < 16; x++)
        {
          float a = hfsr_tensor_plane (alone, c)[y * 16 + x];
          float r = hfsr_tensor_plane (reference, c)[(y + 16) * 48 + x + 16];

          worst = MAX (worst, fabs (a - r));
        }
  g_test_message ("footprint-only tile differs by %g", worst);
  g_assert_cmpfloat (worst, >, 10 * TOLERANCE);

  /* The same through run_region with the margin one pixel short. */
  {
    HfsrRect whole = { 0, 0, 48, 48 };
    HfsrImageView output = view_new (&whole, 3, 10);
    GError *error = NULL;

    model->margin--;
    g_assert_true (hfsr_model_run_region (model, &input, &image, &output, 7,
                                          NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    model->margin++;
    worst = 0.0;
    for (int c = 0; c < 3; c++)
      for (int y = 0; y < 48; y++)
        for (int x = 0; x < 48; x++)
          worst = MAX (worst,
                       fabs (*view_at (&output, x, y, c)
                             - hfsr_tensor_plane (reference, c)[y * 48 + x]));
    g_test_message ("a margin one short differs by %g", worst);
    g_assert_cmpfloat (worst, >, 10 * TOLERANCE);
    g_free (output.data);
  }

  hfsr_tensor_free (alone);
  hfsr_tensor_free (reference);
  g_free (crop.data);
  g_free (input.data);
  hfsr_model_free (model);
}

static void
assert_rect (HfsrRect r, int x, int y, int width, int height)
{
  g_assert_cmpint (r.x, ==, x);
  g_assert_cmpint (r.y, ==, y);
  g_assert_cmpint (r.width, ==, width);
  g_assert_cmpint (r.height, ==, height);
}

static void
test_required_input (void)
{
  HfsrModel *model = make_x4 (); /* scale 4, margin 2 */
  HfsrModel *global = make_se ();
  HfsrRect image = { 0, 0, 10, 8 };
  HfsrRect negative = { -10, -6, 10, 8 };
  HfsrRect out;

  /* x: floor (5/4) = 1 .. ceil (13/4) = 4, +-2 -> [-1, 6) -> [0, 6);
   * y: floor (3/4) = 0 .. ceil (9/4) = 3 -> [-2, 5) -> [0, 5). */
  out = (HfsrRect) { 5, 3, 8, 6 };
  assert_rect (hfsr_model_required_input (model, &out, &image), 0, 0, 6, 5);
  /* Aligned and inside: footprint [4, 6) x [4, 5) grown by 2. */
  out = (HfsrRect) { 16, 16, 8, 4 };
  assert_rect (hfsr_model_required_input (model, &out, &image), 2, 2, 6, 5);
  /* Clipped at the far edges. */
  out = (HfsrRect) { 39, 31, 1, 1 };
  assert_rect (hfsr_model_required_input (model, &out, &image), 7, 5, 3, 3);
  /* Negative coordinates round towards -inf: x floor (-27/4) = -7 ..
   * ceil (-21/4) = -5 -> [-9, -3); y floor (-23/4) = -6 .. ceil (-18/4) =
   * -4 -> [-8, -2) -> [-6, -2). */
  out = (HfsrRect) { -27, -23, 6, 5 };
  assert_rect (hfsr_model_required_input (model, &out, &negative), -9, -6, 6,
               4);
  /* A global model needs the whole image for any pixel. */
  out = (HfsrRect) { 3, 3, 1, 1 };
  assert_rect (hfsr_model_required_input (global, &out, &image), 0, 0, 10, 8);

  hfsr_model_free (global);
  hfsr_model_free (model);
}

static void
expect_invalid (const HfsrModel *model, const HfsrImageView *input,
                const HfsrRect *image, const HfsrImageView *output, int tile)
{
  GError *error = NULL;

  g_assert_false (hfsr_model_run_region (model, input, image, output, tile,
                                         NULL, NULL, NULL, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_test_message ("refused: %s", error->message);
  g_error_free (error);
}

static void
test_invalid_views (void)
{
  HfsrModel *model = make_same_size (); /* margin 2 */
  HfsrRect image = { 0, 0, 12, 10 };
  HfsrImageView input = view_new (&image, 3, 4);
  HfsrRect small = { 1, 1, 10, 8 };
  HfsrImageView too_small = view_crop (&input, &small);
  HfsrRect out_rect = { 4, 4, 4, 4 };
  HfsrImageView output = view_new (&out_rect, 3, 5);
  HfsrImageView bad;

  /* The input view lacks part of the margin. */
  output.rect = (HfsrRect) { 0, 0, 4, 4 };
  expect_invalid (model, &too_small, &image, &output, 0);
  output.rect = out_rect;
  /* Too few channels, in and out. */
  bad = input;
  bad.channels = 2;
  bad.rowstride = (gsize) image.width * 2;
  expect_invalid (model, &bad, &image, &output, 0);
  bad = output;
  bad.channels = 2;
  expect_invalid (model, &input, &image, &bad, 0);
  /* A rowstride shorter than a row. */
  bad = input;
  bad.rowstride = (gsize) image.width * 3 - 1;
  expect_invalid (model, &bad, &image, &output, 0);
  /* Output outside the image, empty image, negative tile, no data. */
  bad = output;
  bad.rect = (HfsrRect) { 10, 4, 4, 4 };
  expect_invalid (model, &input, &image, &bad, 0);
  expect_invalid (model, &input, &(HfsrRect) { 0, 0, 0, 10 }, &output, 0);
  expect_invalid (model, &input, &image, &output, -1);
  bad = input;
  bad.data = NULL;
  expect_invalid (model, &bad, &image, &output, 0);

  g_free (output.data);
  g_free (too_small.data);
  g_free (input.data);
  hfsr_model_free (model);
}

typedef struct
{
  int calls;
  int cancel_at;
  double last;
} Progress;

static gboolean
record_progress (double fraction, gpointer user_data)
{
  Progress *p = user_data;

  g_assert_cmpfloat (fraction, >, p->last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  p->last = fraction;
  return ++p->calls != p->cancel_at;
}

static void
test_progress_and_cancel (void)
{
  HfsrModel *model = make_same_size ();
  HfsrRect image = { 0, 0, 20, 20 };
  HfsrImageView input = view_new (&image, 3, 6);
  HfsrImageView output = view_new (&image, 3, 7);
  Progress progress = { 0, 0, 0.0 };
  GError *error = NULL;

  /* Tiles of 8: 3 x 3 tiles, fractions rising to 1. */
  g_assert_true (hfsr_model_run_region (model, &input, &image, &output, 8,
                                        NULL, record_progress, &progress,
                                        &error));
  g_assert_no_error (error);
  g_assert_cmpint (progress.calls, ==, 9);
  g_assert_cmpfloat (progress.last, ==, 1.0);

  progress = (Progress) { 0, 2, 0.0 };
  g_assert_false (hfsr_model_run_region (model, &input, &image, &output, 8,
                                         NULL, record_progress, &progress,
                                         &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_CANCELLED);
  g_assert_cmpint (progress.calls, ==, 2);
  g_clear_error (&error);

  g_free (output.data);
  g_free (input.data);
  hfsr_model_free (model);
}

typedef struct
{
  const HfsrModel *model;
  const HfsrImageView *input;
  const HfsrRect *image;
  const HfsrTensor *reference;
  HfsrRect rect;
} RegionJob;

static gpointer
run_region_job (gpointer data)
{
  RegionJob *job = data;

  for (int repeat = 0; repeat < 3; repeat++)
    check_region (job->model, job->input, job->image, job->reference,
                  &job->rect, 9);
  return NULL;
}

/* GEGL calls process() from several threads at once on one op, so one
 * model runs concurrently on different regions. */
static void
test_concurrent_regions (void)
{
  HfsrModel *model = hfsr_model_builder_small_wdsr_x2 ();
  HfsrRect image = { 0, 0, 40, 30 };
  HfsrImageView input = view_new (&image, 3, 11);
  HfsrTensor *reference = forward_whole (model, &input);
  RegionJob jobs[4];
  GThread *threads[4];

  for (int t = 0; t < 4; t++)
    {
      jobs[t] = (RegionJob) { model,
                              &input,
                              &image,
                              reference,
                              { (t % 2) * 40, (t / 2) * 30, 40, 30 } };
      threads[t] = g_thread_new ("region", run_region_job, &jobs[t]);
    }
  for (int t = 0; t < 4; t++)
    g_thread_join (threads[t]);

  hfsr_tensor_free (reference);
  g_free (input.data);
  hfsr_model_free (model);
}

/* The engine's own threads: whole regions (their gather and scatter cut
 * into rows, the layers split) and chunks of them at 1 to 3 threads, given
 * in each call's options, give the whole-image pixels. */
static void
test_region_threads (void)
{
  HfsrModel *model = hfsr_model_builder_small_wdsr_x2 ();
  HfsrRect image = { 3, -2, 613, 451 };
  HfsrImageView input = view_new (&image, 3, 21);
  HfsrTensor *reference = forward_whole (model, &input);
  HfsrRect whole = { 6, -4, 1226, 902 };
  HfsrRect chunk = { 11, 7, 1031, 717 };

  for (int threads = 1; threads <= 3; threads++)
    {
      HfsrRunOptions options = { threads, HFSR_KERNEL_AUTO };

      check_region_with (model, &input, &image, reference, &whole, 0,
                         &options);
      check_region_with (model, &input, &image, reference, &chunk, 0,
                         &options);
      check_region_with (model, &input, &image, reference, &chunk, 200,
                         &options);
    }
  hfsr_tensor_free (reference);
  g_free (input.data);
  hfsr_model_free (model);
}

/* What a run sees of its options, read between its tiles. */
typedef struct
{
  const HfsrModel *model;
  HfsrRunOptions options;
  int seen_threads;
  HfsrKernelPath seen_kernel;
  int threads_after;
} OptionsJob;

static gboolean
record_options (double fraction, gpointer data)
{
  OptionsJob *job = data;

  job->seen_threads = hfsr_run_threads ();
  job->seen_kernel = hfsr_kernel_path ();
  return TRUE;
}

static gpointer
run_with_options (gpointer data)
{
  OptionsJob *job = data;
  HfsrRect image = { 0, 0, 24, 20 };
  HfsrImageView input = view_new (&image, 3, 5);
  HfsrRect out_rect = { 0, 0, 48, 40 };
  HfsrImageView output = view_new (&out_rect, 3, 6);
  GError *error = NULL;

  /* Several runs in a row, so that two threads' runs overlap. */
  for (int repeat = 0; repeat < 20; repeat++)
    {
      g_assert_true (hfsr_model_run_region (job->model, &input, &image,
                                            &output, 16, &job->options,
                                            record_options, job, &error));
      g_assert_no_error (error);
    }
  job->threads_after = hfsr_run_threads ();
  g_free (input.data);
  g_free (output.data);
  return NULL;
}

/* Options belong to the call: two threads running the same model at the
 * same time each see their own, a count below 1 means 1, a path the CPU
 * lacks falls back to the default, and nothing outlives the call. */
static void
test_threads (void)
{
  HfsrModel *model = hfsr_model_builder_small_wdsr_x2 ();
  HfsrKernelPath fallback = hfsr_kernel_path_for (g_getenv ("HFSR_KERNEL"));
  HfsrKernelPath other
    = fallback == HFSR_KERNEL_GENERIC ? HFSR_KERNEL_BLAS : HFSR_KERNEL_GENERIC;
  OptionsJob jobs[] = {
    { model, { 3, other } },
    { model, { 0, HFSR_KERNEL_AUTO } },
    { model, { 2, (HfsrKernelPath) 99 } },
  };
  GThread *threads[G_N_ELEMENTS (jobs)];

  for (gsize t = 0; t < G_N_ELEMENTS (jobs); t++)
    threads[t] = g_thread_new ("options", run_with_options, &jobs[t]);
  for (gsize t = 0; t < G_N_ELEMENTS (jobs); t++)
    g_thread_join (threads[t]);
  g_assert_cmpint (jobs[0].seen_threads, ==, 3);
  g_assert_cmpint (jobs[0].seen_kernel, ==, other);
  g_assert_cmpint (jobs[1].seen_threads, ==, 1);
  g_assert_cmpint (jobs[1].seen_kernel, ==, fallback);
  g_assert_cmpint (jobs[2].seen_threads, ==, 2);
  g_assert_cmpint (jobs[2].seen_kernel, ==, fallback);
  for (gsize t = 0; t < G_N_ELEMENTS (jobs); t++)
    g_assert_cmpint (jobs[t].threads_after, ==, 1);
  hfsr_model_free (model);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (model_cases); i++)
    {
      char *path = g_strdup_printf ("/tiling/exact/%s", model_cases[i].name);

      g_test_add_data_func (path, &model_cases[i], test_model_case);
      g_free (path);
    }
  g_test_add_func ("/tiling/margin-matters", test_margin_matters);
  g_test_add_func ("/tiling/shipped-blocks-fused", test_shipped_blocks_fused);
  g_test_add_func ("/tiling/required-input", test_required_input);
  g_test_add_func ("/tiling/invalid-views", test_invalid_views);
  g_test_add_func ("/tiling/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/tiling/concurrent-regions", test_concurrent_regions);
  g_test_add_func ("/tiling/threads", test_threads);
  g_test_add_func ("/tiling/region-threads", test_region_threads);
  return g_test_run ();
}
