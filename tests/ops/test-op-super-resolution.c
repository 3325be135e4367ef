/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:super-resolution in real GEGL, on small WDSR-A-shaped networks
 * written for the test as the shipped families are (hfsr-x<s>-a<alpha>):
 * sizes and offsets, the engine's result, alpha blending between trained
 * networks, chunks and threads against whole renders, fringes around a
 * sprite on transparency, grey, 16-bit and float images, the regions GEGL
 * asks about, and models that are missing, damaged or wrong.
 */
#include <math.h>
#include <string.h>

#include <gegl-plugin.h>
#include <glib/gstdio.h>

#include "hfsr.h"
#include "model-builder.h"
#include "op-test-util.h"
#include "test-util.h"

#define OP        "hfsr:super-resolution"
#define TOLERANCE 1e-5

/* The test networks' residual branch reaches 4 input pixels (four 3 x 3
 * convolutions), the skip 2: the margin is 4. */
#define MARGIN 4

/* Weights of the last residual convolution: its output stays a correction
 * of a few hundredths on the bilinear skip, as in a trained network. */
#define RESIDUAL_AMPLITUDE 0.04f

/* Where the test networks live: HFSR_MODEL_PATH. */
static char *model_dir;

static const Babl *
rgba_float (void)
{
  return babl_format ("R'G'B'A float");
}

/* A 3 x 3 convolution without bias that treats R', G' and B' alike: its
 * channels fall into three groups, one per colour, each seeing only its
 * own, all with one set of random kernels (uniform in [-amplitude,
 * amplitude)).  A trained network comes close to that; here it makes
 * colour and alpha, which run through the network as separate images,
 * meet exactly, so that fringes measure the op and not the noise of random
 * weights mixing channels. */
static void
add_conv (HfsrModelBuilder *b,
          const char       *name,
          const char       *input,
          int               in_channels,
          int               out_channels,
          float             amplitude,
          guint32           seed)
{
  int    in_group = in_channels / 3, out_group = out_channels / 3;
  gsize  taps = 3 * 3;
  float *kernels = g_new (float, out_group * in_group * taps);
  float *weights = g_new0 (float, out_channels * in_channels * taps);
  char  *weight = g_strconcat (name, ".weight", NULL);
  char  *fields = g_strdup_printf ("{\"weight\": \"%s\"}", weight);
  gint64 shape[4] = { out_channels, in_channels, 3, 3 };

  hfsr_test_fill_random (kernels, out_group * in_group * taps, seed,
                         -amplitude, amplitude);
  for (int o = 0; o < out_channels; o++)
    for (int i = 0; i < in_channels; i++)
      if (o / out_group == i / in_group)
        memcpy (weights + (o * in_channels + i) * taps,
                kernels + ((o % out_group) * in_group + i % in_group) * taps,
                taps * sizeof (float));
  hfsr_model_builder_add_tensor (b, weight, weights, 4, shape);
  hfsr_model_builder_add_node (b, name, "conv2d", input, fields);
  g_free (fields);
  g_free (weight);
  g_free (weights);
  g_free (kernels);
}

static double
tent (double t)
{
  return MAX (0.0, 1.0 - fabs (t));
}

/* The 5 x 5 skip as bilinear upsampling: output row s y + i lies at input
 * row y + (i + 0.5) / s - 0.5 and takes the two rows nearest to it; weights
 * [3 s^2, 3, 5, 5], output channel c s^2 + i s + j (PyTorch's pixel-shuffle
 * order). */
static void
add_bilinear_skip (HfsrModelBuilder *b,
                   int               scale)
{
  int     n = 3 * scale * scale * 3 * 5 * 5;
  float  *weights = g_new0 (float, n);
  gint64  shape[4] = { 3 * scale * scale, 3, 5, 5 };

  for (int c = 0; c < 3; c++)
    for (int i = 0; i < scale; i++)
      for (int j = 0; j < scale; j++)
        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++)
            {
              int out = c * scale * scale + i * scale + j;

              weights[((out * 3 + c) * 5 + 2 + dy) * 5 + 2 + dx] =
                (float) (tent (dy - ((i + 0.5) / scale - 0.5)) *
                         tent (dx - ((j + 0.5) / scale - 0.5)));
            }
  hfsr_model_builder_add_tensor (b, "skip.weight", weights, 4, shape);
  hfsr_model_builder_add_node (b, "skip", "conv2d", "input",
                               "{\"weight\": \"skip.weight\"}");
  g_free (weights);
}

/* WDSR-A in small: head, one expanded residual block, tail and pixel
 * shuffle, over the bilinear skip.  Without biases a black image stays
 * black and the network scales with its input, as premultiplied colour
 * needs: a trained network comes close to both.  The alpha variants of a
 * scale differ in the residual branch (@seed). */
/* Writes @b's model as @name in the test's model folder and frees @b.
 * Returns the file's path. */
static char *
save_network (HfsrModelBuilder *b,
              const char       *name)
{
  char   *path = g_build_filename (model_dir, name, NULL);
  GBytes *bytes = hfsr_model_builder_build (b);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes),
                                      NULL));
  g_bytes_unref (bytes);
  hfsr_model_builder_free (b);
  return path;
}

static void
write_network (int         scale,
               const char *file_alpha,
               const char *alpha,
               guint32     seed)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);
  char             *factor = g_strdup_printf ("{\"factor\": %d}", scale);
  char             *scale_text = g_strdup_printf ("%d", scale);
  char             *name = g_strdup_printf ("hfsr-x%d-a%s.safetensors",
                                            scale, file_alpha);

  add_conv (b, "head", "input", 3, 9, 1.0f / 3.0f, seed);
  add_conv (b, "expand", "head", 9, 18, 1.0f / sqrtf (27.0f), seed + 1);
  hfsr_model_builder_add_node (b, "act", "relu", "expand", NULL);
  add_conv (b, "reduce", "act", 18, 9, 1.0f / sqrtf (54.0f), seed + 2);
  hfsr_model_builder_add_node (b, "block", "add", "reduce, head", NULL);
  add_conv (b, "tail", "block", 9, 3 * scale * scale, RESIDUAL_AMPLITUDE,
            seed + 3);
  hfsr_model_builder_add_node (b, "tail_up", "pixel_shuffle", "tail",
                               factor);
  add_bilinear_skip (b, scale);
  hfsr_model_builder_add_node (b, "skip_up", "pixel_shuffle", "skip",
                               factor);
  hfsr_model_builder_add_node (b, "output", "add", "tail_up, skip_up", NULL);
  hfsr_model_builder_set_metadata (b, "hfsr.task", "super-resolution");
  hfsr_model_builder_set_metadata (b, "hfsr.scale", scale_text);
  hfsr_model_builder_set_metadata (b, "hfsr.alpha", alpha);

  g_free (save_network (b, name));
  g_free (name);
  g_free (scale_text);
  g_free (factor);
}

/* A x2 network that mixes channels, unlike a trained one: the builder's
 * random @kernel x @kernel convolution (with bias) and a pixel shuffle.
 * The mean of its three outputs is none of them, and nothing it does keeps
 * colours apart.  A 1 x 1 kernel gives a margin of 0. */
static char *
write_mixing_network (const char *name,
                      int         kernel)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);

  hfsr_model_builder_add_conv2d (b, "conv", "input", 3, 12, kernel, 500);
  hfsr_model_builder_add_node (b, "output", "pixel_shuffle", "conv",
                               "{\"factor\": 2}");
  return save_network (b, name);
}

static char *
network_path (int         scale,
              const char *file_alpha)
{
  char *name = g_strdup_printf ("hfsr-x%d-a%s.safetensors", scale,
                                file_alpha);
  char *path = g_build_filename (model_dir, name, NULL);

  g_free (name);
  return path;
}

static HfsrModel *
load_network (int         scale,
              const char *file_alpha)
{
  char      *path = network_path (scale, file_alpha);
  GError    *error = NULL;
  HfsrModel *model = hfsr_model_load (path, &error);

  g_assert_no_error (error);
  g_free (path);
  return model;
}

static GeglRectangle
scaled (const GeglRectangle *rect,
        int                  scale)
{
  GeglRectangle out = { rect->x * scale, rect->y * scale,
                        rect->width * scale, rect->height * scale };

  return out;
}

static gsize
n_floats (const GeglRectangle *rect,
          int                  channels)
{
  return (gsize) rect->width * rect->height * channels;
}

/* A buffer covering @rect (which may lie anywhere) filled from @pixels. */
static GeglBuffer *
buffer_at (const GeglRectangle *rect,
           const Babl          *format,
           const void          *pixels)
{
  GeglBuffer *buffer = gegl_buffer_new (rect, format);

  gegl_buffer_set (buffer, rect, 0, format, pixels, GEGL_AUTO_ROWSTRIDE);
  return buffer;
}

/* A random R'G'B'A float image over @rect: colour in [0, 1), alpha in
 * [0, 1) or 1, and a buffer holding it. */
typedef struct
{
  GeglRectangle rect;
  float        *pixels;
  GeglBuffer   *buffer;
} TestImage;

static TestImage *
test_image_new (const GeglRectangle *rect,
                guint32              seed,
                gboolean             opaque)
{
  TestImage *image = g_new (TestImage, 1);
  gsize      n = n_floats (rect, 4);

  image->rect = *rect;
  image->pixels = g_new (float, n);
  hfsr_test_fill_random (image->pixels, n, seed, 0.0f, 1.0f);
  for (gsize i = 3; opaque && i < n; i += 4)
    image->pixels[i] = 1.0f;
  image->buffer = buffer_at (rect, rgba_float (), image->pixels);
  return image;
}

static void
test_image_free (TestImage *image)
{
  g_object_unref (image->buffer);
  g_free (image->pixels);
  g_free (image);
}

/* The engine's output of @model over @out for the R'G'B' of @pixels
 * (R'G'B'A float covering @image), unclamped, alpha left 1. */
static float *
engine_run (const HfsrModel     *model,
            const float         *pixels,
            const GeglRectangle *image,
            const GeglRectangle *out)
{
  HfsrImageView input  = { (float *) pixels, 4, (gsize) image->width * 4,
                           { image->x, image->y, image->width,
                             image->height } };
  float        *result = g_new (float, n_floats (out, 4));
  HfsrImageView output = { result, 4, (gsize) out->width * 4,
                           { out->x, out->y, out->width, out->height } };
  GError       *error  = NULL;

  for (gsize i = 3; i < n_floats (out, 4); i += 4)
    result[i] = 1.0f;
  g_assert_true (hfsr_model_run_region (model, &input, &input.rect, &output,
                                        0, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return result;
}

static float
clamp_unit (float value)
{
  return CLAMP (value, 0.0f, 1.0f);
}

/* What the op must give for an opaque image: the engine's output clamped
 * to [0, 1], alpha 1. */
static float *
engine_render (const HfsrModel     *model,
               const float         *pixels,
               const GeglRectangle *image,
               const GeglRectangle *out)
{
  float *result = engine_run (model, pixels, image, out);

  for (gsize i = 0; i < n_floats (out, 4); i++)
    result[i] = clamp_unit (result[i]);
  return result;
}

/* The mean of the colour channels of R'G'B'A @pixels over @rect: black is
 * 0, the random test images about 0.5. */
static double
mean_colour (const float         *pixels,
             const GeglRectangle *rect)
{
  double sum = 0.0;

  for (gsize i = 0; i < n_floats (rect, 4); i += 4)
    sum += pixels[i] + pixels[i + 1] + pixels[i + 2];
  return sum / n_floats (rect, 3);
}

/* The op's output over @out. */
static float *
op_render (GeglBuffer          *input,
           const GeglRectangle *out,
           const Babl          *format,
           const char          *first_property,
           ...) G_GNUC_NULL_TERMINATED;

static float *
op_render (GeglBuffer          *input,
           const GeglRectangle *out,
           const Babl          *format,
           const char          *first_property,
           ...)
{
  GeglNode *op = op_test_graph_new (input, NULL, OP, "scale", 2, NULL);
  float    *pixels;
  va_list   properties;

  va_start (properties, first_property);
  gegl_node_set_valist (op, first_property, properties);
  va_end (properties);
  pixels = op_test_render (op, out, format);
  op_test_graph_free (op);
  return pixels;
}

/* Every scale: the output covers scale x the input, wherever the input
 * lies and whatever its size, and holds an image (opaque, not black). */
static void
test_output_size (void)
{
  const GeglRectangle images[] = {
    { 0, 0, 13, 7 }, { -5, 3, 1, 1 }, { 7, -4, 10, 9 },
  };

  for (int scale = 2; scale <= 4; scale++)
    for (int k = 0; k < (int) G_N_ELEMENTS (images); k++)
      {
        TestImage    *image = test_image_new (&images[k], 10 + k, TRUE);
        GeglNode     *op = op_test_graph_new (image->buffer, NULL, OP,
                                              "scale", scale, NULL);
        GeglRectangle expected = scaled (&images[k], scale);
        GeglRectangle box = gegl_node_get_bounding_box (op);
        float        *out = op_test_render (op, &box, rgba_float ());

        g_assert_true (gegl_rectangle_equal (&box, &expected));
        for (gsize i = 3; i < n_floats (&box, 4); i += 4)
          g_assert_cmpfloat (out[i], ==, 1.0f);
        g_assert_cmpfloat (mean_colour (out, &box), >, 0.1);

        g_free (out);
        op_test_graph_free (op);
        test_image_free (image);
      }
}

/* On an opaque image the op gives what the engine gives (clamped), at each
 * scale from the alpha = 0 network; most values lie inside (0, 1), so the
 * clamping hides little. */
static void
test_equals_engine (void)
{
  TestImage *image = test_image_new (GEGL_RECTANGLE (3, -2, 23, 17), 20,
                                     TRUE);

  for (int scale = 2; scale <= 4; scale++)
    {
      GeglRectangle out = scaled (&image->rect, scale);
      HfsrModel    *model = load_network (scale, "0");
      float        *expected = engine_render (model, image->pixels,
                                              &image->rect, &out);
      float        *raw = engine_run (model, image->pixels, &image->rect,
                                      &out);
      float        *actual = op_render (image->buffer, &out, rgba_float (),
                                        "scale", scale, "alpha", 0.0, NULL);
      gsize         inside = 0;

      op_test_assert_close (actual, expected, n_floats (&out, 4), 4,
                            out.width, TOLERANCE);
      for (gsize i = 0; i < n_floats (&out, 4); i++)
        inside += i % 4 != 3 && raw[i] > 0.0f && raw[i] < 1.0f;
      g_assert_cmpfloat ((double) inside / n_floats (&out, 3), >, 0.9);

      g_free (actual);
      g_free (raw);
      g_free (expected);
      hfsr_model_free (model);
    }
  test_image_free (image);
}

/* The op at @alpha and scale @scale against the engine running @expected. */
static float *
check_alpha (const TestImage *image,
             int              scale,
             double           alpha,
             const HfsrModel *expected)
{
  GeglRectangle out = scaled (&image->rect, scale);
  float        *want = engine_render (expected, image->pixels, &image->rect,
                                      &out);
  float        *actual = op_render (image->buffer, &out, rgba_float (),
                                    "scale", scale, "alpha", alpha, NULL);

  op_test_assert_close (actual, want, n_floats (&out, 4), 4, out.width,
                        TOLERANCE);
  g_free (want);
  return actual;
}

/* A trained alpha gives its network; one in between the blend of the two
 * nearest, linear in alpha; one beyond the trained ones the nearest. */
static void
test_alpha_blending (void)
{
  TestImage          *image = test_image_new (GEGL_RECTANGLE (0, 0, 19, 15),
                                              30, TRUE);
  GeglRectangle       out = scaled (&image->rect, 2);
  HfsrModel          *zero = load_network (2, "0");
  HfsrModel          *fifth = load_network (2, "1-5");
  HfsrModel          *third = load_network (2, "1-3");
  HfsrModel          *x3_fifth = load_network (3, "1-5");
  HfsrModel          *blend;
  float              *at_zero, *at_fifth, *midway;

  at_zero = check_alpha (image, 2, 0.0, zero);
  at_fifth = check_alpha (image, 2, 0.2, fifth);
  g_free (check_alpha (image, 2, 1.0 / 3.0, third));

  blend = hfsr_model_blend (zero, fifth, 0.5, NULL);
  midway = check_alpha (image, 2, 0.1, blend);
  /* The three differ, or the comparisons above would prove nothing. */
  g_assert_cmpfloat (hfsr_test_max_abs_diff (midway, at_zero,
                                             n_floats (&out, 4)), >, 1e-3);
  g_assert_cmpfloat (hfsr_test_max_abs_diff (midway, at_fifth,
                                             n_floats (&out, 4)), >, 1e-3);
  hfsr_model_free (blend);

  blend = hfsr_model_blend (fifth, third, (0.3 - 0.2) / (1.0 / 3.0 - 0.2),
                            NULL);
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
  test_image_free (image);
}

/* Whole, in pieces that are no multiple of the scale, and through GEGL's
 * processor with one or two threads, small chunks and small tiles: the
 * same image.  Colour is compared premultiplied: un-premultiplying divides
 * float noise by alpha. */
static void
check_chunks_equal_whole (const TestImage *image,
                          int              scale,
                          const char      *model)
{
  const OpTestConfig configs[] = {
    { 1, 4096, 64 },
    { 2, 1000, 16 },
    { 2, 1 << 20, 128 },
  };
  GeglRectangle out = scaled (&image->rect, scale);
  gsize         n = n_floats (&out, 4);
  const Babl   *premultiplied = babl_format ("R'aG'aB'aA float");
  GeglNode     *op = op_test_graph_new (image->buffer, NULL, OP,
                                        "scale", scale, "model", model,
                                        NULL);
  float        *whole = op_test_render (op, &out, premultiplied);

  op_test_graph_free (op);
  for (int i = -1; i < (int) G_N_ELEMENTS (configs); i++)
    {
      float *pieces;

      op = op_test_graph_new (image->buffer, NULL, OP, "scale", scale,
                              "model", model, NULL);
      pieces = i < 0
               ? op_test_render_chunks (op, &out, 37, 23, premultiplied)
               : op_test_process (op, &out, premultiplied, &configs[i]);
      op_test_assert_close (pieces, whole, n, 4, out.width, TOLERANCE);
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
  TestImage *image = test_image_new (GEGL_RECTANGLE (0, 0, 150, 110), 40,
                                     FALSE);
  char      *pointwise = write_mixing_network ("pointwise.safetensors", 1);

  check_chunks_equal_whole (image, 2, NULL);
  check_chunks_equal_whole (image, 2, pointwise);
  g_free (pointwise);
  test_image_free (image);
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
  const int           scale = 3;
  TestImage          *image = test_image_new (GEGL_RECTANGLE (0, 0, 120, 90),
                                              50, TRUE);
  GeglRectangle       out = scaled (&image->rect, scale);
  float              *actual;

  for (int y = hole.y; y < hole.y + hole.height; y++)
    for (int x = hole.x; x < hole.x + hole.width; x++)
      image->pixels[(y * image->rect.width + x) * 4 + 3] = 0.0f;
  gegl_buffer_set (image->buffer, &image->rect, 0, rgba_float (),
                   image->pixels, GEGL_AUTO_ROWSTRIDE);
  check_chunks_equal_whole (image, scale, NULL);

  actual = op_render (image->buffer, &out, rgba_float (), "scale", scale,
                      NULL);
  for (int y = 0; y < out.height; y++)
    for (int x = 0; x < out.width; x++)
      {
        GeglRectangle footprint = { x / scale - MARGIN, y / scale - MARGIN,
                                    2 * MARGIN + 1, 2 * MARGIN + 1 };
        float         alpha = actual[(y * out.width + x) * 4 + 3];

        if (! gegl_rectangle_intersect (NULL, &footprint, &hole))
          g_assert_cmpfloat (alpha, ==, 1.0f);
        else if (gegl_rectangle_contains (&hole_inside,
                                          GEGL_RECTANGLE (x / scale,
                                                          y / scale, 1, 1)))
          g_assert_cmpfloat (alpha, <, 0.1f);
      }
  g_free (actual);
  test_image_free (image);
}

/* A sprite: an opaque red disc on fully transparent green. */
static const GeglRectangle sprite_rect = { 0, 0, 48, 40 };

static float *
sprite_pixels (void)
{
  float *pixels = g_new (float, n_floats (&sprite_rect, 4));

  for (int y = 0; y < sprite_rect.height; y++)
    for (int x = 0; x < sprite_rect.width; x++)
      {
        float *p = pixels + (y * sprite_rect.width + x) * 4;
        float  inside = hypot (x - 23.5, y - 19.5) < 12.0 ? 1.0f : 0.0f;

        p[0] = inside;
        p[1] = 1.0f - inside;
        p[2] = 0.0f;
        p[3] = inside;
      }
  return pixels;
}

/* Where the upscaled sprite is at all visible (alpha > 0.05) it is red,
 * without green bleeding from under the transparent pixels and without a
 * dark rim.  Before that, the test shows it can fail: the network run on
 * straight (not premultiplied) colour gives green edges, and premultiplied
 * colour left undivided dark ones. */
static gboolean
is_red (const float *pixel)
{
  return pixel[0] > 0.85f && pixel[1] < 0.15f && pixel[2] < 0.15f;
}

static void
test_alpha_fringe (void)
{
  const GeglRectangle image = sprite_rect;
  float              *pixels = sprite_pixels ();
  float              *premultiplied = g_new (float, n_floats (&image, 4));
  float              *alpha_grey = g_new (float, n_floats (&image, 4));
  GeglBuffer         *input = buffer_at (&image, rgba_float (), pixels);

  /* i | 3 is the alpha of the pixel that float i belongs to. */
  for (gsize i = 0; i < n_floats (&image, 4); i++)
    {
      premultiplied[i] = pixels[i] * pixels[i | 3];
      alpha_grey[i] = pixels[i | 3];
    }

  for (int scale = 2; scale <= 3; scale++)
    {
      GeglRectangle out = scaled (&image, scale);
      HfsrModel    *model = load_network (scale, "1-5");
      float        *straight = engine_run (model, pixels, &image, &out);
      float        *dark = engine_run (model, premultiplied, &image, &out);
      float        *alpha = engine_run (model, alpha_grey, &image, &out);
      float        *actual = op_render (input, &out, rgba_float (),
                                        "scale", scale, NULL);
      gboolean      green_edge = FALSE, dark_edge = FALSE;
      int           edge = 0;

      for (gsize i = 0; i < n_floats (&out, 4); i += 4)
        {
          float a = (alpha[i] + alpha[i + 1] + alpha[i + 2]) / 3.0f;

          if (a > 0.05f)
            {
              green_edge |= straight[i + 1] > 0.15f;
              dark_edge |= dark[i] < 0.85f;
            }
          if (actual[i + 3] > 0.05f)
            {
              if (! is_red (actual + i))
                {
                  g_test_message ("pixel %d: %g %g %g %g",
                                  (int) (i / 4), actual[i], actual[i + 1],
                                  actual[i + 2], actual[i + 3]);
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
  GeglRectangle out = scaled (&sprite_rect, 2);
  float        *pixels = sprite_pixels ();
  GeglBuffer   *input = buffer_at (&sprite_rect, rgba_float (), pixels);
  char         *mixing = write_mixing_network ("mixing.safetensors", 3);
  float        *actual = op_render (input, &out, rgba_float (),
                                    "model", mixing, NULL);
  int           visible_edge = 0;

  for (int y = 0; y < out.height; y++)
    for (int x = 0; x < out.width; x++)
      {
        const float *got = actual + (y * out.width + x) * 4;
        int          around = 0, opaque = 0;

        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++)
            {
              int ix = x / 2 + dx, iy = y / 2 + dy;

              if (ix >= 0 && ix < sprite_rect.width &&
                  iy >= 0 && iy < sprite_rect.height)
                {
                  around++;
                  opaque += pixels[(iy * sprite_rect.width + ix) * 4 + 3]
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

/* Grey stays grey: Y'aA float out (premultiplied: see prepare), Y' the mean of the network's R'G'B' for
 * Y' replicated; with alpha, alpha survives. */
static void
test_grey (void)
{
  const GeglRectangle image = { 0, 0, 23, 17 };
  GeglRectangle       out = scaled (&image, 2);
  gsize               n = (gsize) image.width * image.height;
  guint8             *grey = g_new (guint8, n * 2);
  float              *rgba = g_new (float, n * 4);
  const Babl         *grey_alpha = babl_format ("Y'A float");
  char               *path = write_mixing_network ("mixing.safetensors", 3);
  HfsrModel          *model = hfsr_model_load (path, NULL);
  GRand              *rand = g_rand_new_with_seed (60);
  double              spread = 0.0;
  GeglBuffer         *input;
  GeglNode           *op;
  float              *expected, *actual;

  for (gsize i = 0; i < n * 2; i++)
    grey[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  babl_process (babl_fish (babl_format ("Y' u8"), rgba_float ()), grey, rgba,
                (long) n);

  input = buffer_at (&image, babl_format ("Y' u8"), grey);
  op = op_test_graph_new (input, NULL, OP, "model", path, NULL);
  g_assert_true (op_test_output_format (op) == babl_format ("Y'aA float"));
  op_test_graph_free (op);

  expected = engine_run (model, rgba, &image, &out);
  actual = op_render (input, &out, grey_alpha, "model", path, NULL);
  for (gsize i = 0; i < n_floats (&out, 1); i++)
    {
      const float *rgb = expected + 4 * i;
      float        mean = clamp_unit ((rgb[0] + rgb[1] + rgb[2]) / 3.0f);

      g_assert_cmpfloat_with_epsilon (actual[2 * i], mean, TOLERANCE);
      g_assert_cmpfloat (actual[2 * i + 1], ==, 1.0f);
      spread = MAX (spread, fabsf (clamp_unit (rgb[0]) - mean));
    }
  g_assert_cmpfloat (spread, >, 0.05);
  g_free (actual);
  g_object_unref (input);

  /* Grey with alpha: still grey, alpha not all 1. */
  input = buffer_at (&image, babl_format ("Y'A u8"), grey);
  op = op_test_graph_new (input, NULL, OP, "model", path, NULL);
  g_assert_true (op_test_output_format (op) == babl_format ("Y'aA float"));
  op_test_graph_free (op);
  actual = op_render (input, &out, grey_alpha, "model", path, NULL);
  {
    gsize translucent = 0;

    for (gsize i = 0; i < n_floats (&out, 1); i++)
      {
        g_assert_cmpfloat (actual[2 * i], >=, 0.0f);
        g_assert_cmpfloat (actual[2 * i], <=, 1.0f);
        translucent += actual[2 * i + 1] < 0.99f;
      }
    g_assert_cmpuint (translucent, >, n_floats (&out, 1) / 2);
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
  GeglRectangle       out = scaled (&image, 2);
  gsize               n = (gsize) image.width * image.height;
  guint16            *deep = g_new (guint16, n * 4);
  float              *wide = g_new (float, n * 4);
  float              *rgba = g_new (float, n * 4);
  HfsrModel          *model = load_network (2, "1-5");
  GRand              *rand = g_rand_new_with_seed (70);

  for (gsize i = 0; i < n * 4; i++)
    {
      deep[i] = i % 4 == 3 ? 65535 : (guint16) g_rand_int_range (rand, 0,
                                                                 65536);
      wide[i] = i % 4 == 3 ? 1.0f : (float) g_rand_double_range (rand, -0.5,
                                                                 1.5);
    }
  g_rand_free (rand);

  for (int pass = 0; pass < 2; pass++)
    {
      const Babl *format = babl_format (pass == 0 ? "R'G'B'A u16"
                                                  : "R'G'B'A float");
      const void *source = pass == 0 ? (const void *) deep
                                     : (const void *) wide;
      GeglBuffer *input = buffer_at (&image, format, source);
      GeglNode   *op = op_test_graph_new (input, NULL, OP, "scale", 2, NULL);
      float      *expected, *actual;

      g_assert_true (op_test_output_format (op)
                     == babl_format ("R'aG'aB'aA float"));
      op_test_graph_free (op);

      babl_process (babl_fish (format, rgba_float ()), source, rgba,
                    (long) n);
      for (gsize i = 0; i < n * 4; i++)
        rgba[i] = clamp_unit (rgba[i]);
      expected = engine_render (model, rgba, &image, &out);
      actual = op_render (input, &out, rgba_float (), "scale", 2, NULL);
      op_test_assert_close (actual, expected, n_floats (&out, 4), 4,
                            out.width, TOLERANCE);
      g_free (actual);
      g_free (expected);
      g_object_unref (input);
    }
  hfsr_model_free (model);
  g_free (rgba);
  g_free (wide);
  g_free (deep);
}

/* The regions GEGL asks about follow the tiling rule: footprint (floor and
 * ceiling division) plus the margin, clipped to the image; a changed pixel
 * invalidates its neighbourhood, scaled. */
static void
test_regions (void)
{
  TestImage     *image = test_image_new (GEGL_RECTANGLE (0, 0, 40, 30), 80,
                                         TRUE);
  GeglNode      *op = op_test_graph_new (image->buffer, NULL, OP,
                                         "scale", 2, NULL);
  GeglOperation *operation;
  GeglRectangle  box = gegl_node_get_bounding_box (op);
  GeglRectangle  need, changed;

  g_assert_true (gegl_rectangle_equal (&box,
                                       GEGL_RECTANGLE (0, 0, 80, 60)));
  operation = gegl_node_get_gegl_operation (op);
  /* x: [10, 15) -> [5, 8) -> [1, 12); y: [7, 10) -> [3, 5) -> [-1, 9),
   * clipped to [0, 9). */
  need = gegl_operation_get_required_for_output (operation, "input",
                                                 GEGL_RECTANGLE (10, 7,
                                                                 5, 3));
  g_assert_true (gegl_rectangle_equal (&need,
                                       GEGL_RECTANGLE (1, 0, 11, 9)));
  /* [20, 21) x [10, 11) grown by 4, times 2. */
  changed = gegl_operation_get_invalidated_by_change (
    operation, "input", GEGL_RECTANGLE (20, 10, 1, 1));
  g_assert_true (gegl_rectangle_equal (&changed,
                                       GEGL_RECTANGLE (32, 12, 18, 18)));
  /* At the corner, clipped to the output. */
  changed = gegl_operation_get_invalidated_by_change (
    operation, "input", GEGL_RECTANGLE (0, 0, 1, 1));
  g_assert_true (gegl_rectangle_equal (&changed,
                                       GEGL_RECTANGLE (0, 0, 10, 10)));

  op_test_graph_free (op);
  test_image_free (image);
}

/* The model property: that file, whatever alpha says. */
static void
test_model_property (void)
{
  TestImage    *image = test_image_new (GEGL_RECTANGLE (0, 0, 17, 12), 90,
                                        TRUE);
  GeglRectangle out = scaled (&image->rect, 3);
  char         *path = network_path (3, "1-5");
  HfsrModel    *model = load_network (3, "1-5");
  float        *expected = engine_render (model, image->pixels, &image->rect,
                                          &out);

  for (int pass = 0; pass < 2; pass++)
    {
      float *actual = op_render (image->buffer, &out, rgba_float (),
                                 "scale", 3, "model", path,
                                 "alpha", pass == 0 ? 0.0 : 0.3, NULL);

      op_test_assert_close (actual, expected, n_floats (&out, 4), 4,
                            out.width, TOLERANCE);
      g_free (actual);
    }
  g_free (expected);
  hfsr_model_free (model);
  g_free (path);
  test_image_free (image);
}

/* Without a usable network: one warning that names the problem, however
 * many chunks are rendered, and the image upscaled by the cubic sampler:
 * the right size, opaque, and close to the input, never black. */
static void
check_fallback (const char *fragment,
                int         scale,
                const char *model)
{
  TestImage    *image = test_image_new (GEGL_RECTANGLE (0, 0, 20, 16), 100,
                                        TRUE);
  GeglRectangle out = scaled (&image->rect, scale);
  GeglNode     *op = op_test_graph_new (image->buffer, NULL, OP,
                                        "scale", scale, "model", model,
                                        NULL);
  GeglRectangle box = gegl_node_get_bounding_box (op);
  double        difference = 0.0;
  float        *actual;

  g_assert_true (gegl_rectangle_equal (&box, &out));
  op_test_expect_warnings (fragment);
  g_free (op_test_render (op, &out, rgba_float ()));
  actual = op_test_render_chunks (op, &out, 9, 7, rgba_float ());
  g_assert_cmpint (op_test_warnings_seen (), ==, 1);

  /* Cubic interpolation of random pixels stays near the nearest input
   * pixel on average; black would be 0.5 away. */
  for (int y = 0; y < out.height; y++)
    for (int x = 0; x < out.width; x++)
      {
        const float *got = actual + (y * out.width + x) * 4;
        const float *near = image->pixels +
                            ((y / scale) * image->rect.width + x / scale) * 4;

        g_assert_cmpfloat_with_epsilon (got[3], 1.0f, 1e-5);
        for (int c = 0; c < 3; c++)
          {
            /* clamped, as the README says (the cubic kernel overshoots) */
            g_assert_cmpfloat (got[c], >=, 0.0f);
            g_assert_cmpfloat (got[c], <=, 1.0f);
            difference += fabsf (got[c] - near[c]);
          }
      }
  g_assert_cmpfloat (difference / n_floats (&out, 3), <, 0.2);

  g_free (actual);
  op_test_graph_free (op);
  test_image_free (image);
}

static char *
write_temp (const char *name,
            const void *data,
            gsize       size)
{
  char *path = g_build_filename (model_dir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, (gssize) size, NULL));
  return path;
}

/* A file the loader cannot fault (every weight 1e4, within its bound) whose
 * values overflow through twelve layers: the op warns that the network gave
 * non-finite values, and writes finite ones. */
static void
test_overflowing_network (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);
  float             weights[9];
  gint64            shape[4] = { 3, 3, 1, 1 };
  const char       *from = "input";
  TestImage        *image = test_image_new (GEGL_RECTANGLE (0, 0, 12, 9), 120,
                                            FALSE);
  GeglRectangle     out = scaled (&image->rect, 2);
  GeglNode         *op;
  char             *path;
  float            *actual;

  for (int i = 0; i < 9; i++)
    weights[i] = 1e4f;
  hfsr_model_builder_add_tensor (b, "big", weights, 4, shape);
  for (int layer = 0; layer < 12; layer++)
    {
      char name[16];

      g_snprintf (name, sizeof name, "amplify%d", layer);
      hfsr_model_builder_add_node (b, name, "conv2d", from,
                                   "{\"weight\": \"big\"}");
      from = g_intern_string (name);
    }
  hfsr_model_builder_add_conv2d (b, "conv", from, 3, 12, 1, 501);
  hfsr_model_builder_add_node (b, "output", "pixel_shuffle", "conv",
                               "{\"factor\": 2}");
  path = save_network (b, "overflowing.safetensors");

  op = op_test_graph_new (image->buffer, NULL, OP, "scale", 2, "model", path,
                          NULL);
  op_test_expect_warnings ("the network computed values that are not finite");
  actual = op_test_render (op, &out, rgba_float ());
  g_assert_cmpint (op_test_warnings_seen (), ==, 1);
  for (gsize i = 0; i < n_floats (&out, 4); i++)
    g_assert_true (isfinite (actual[i]));

  g_free (actual);
  op_test_graph_free (op);
  test_image_free (image);
  g_unlink (path);
  g_free (path);
}

static void
test_bad_model_file (void)
{
  char   *good = network_path (2, "0");
  char   *wrong_scale = network_path (3, "0");
  char   *missing = g_build_filename (model_dir, "missing.safetensors",
                                      NULL);
  guint8  garbage_bytes[512];
  char   *garbage, *truncated, *contents;
  gsize   size;

  hfsr_test_fill_random ((float *) garbage_bytes,
                         sizeof garbage_bytes / sizeof (float), 110,
                         -1e30f, 1e30f);
  garbage = write_temp ("garbage.safetensors", garbage_bytes,
                        sizeof garbage_bytes);
  g_assert_true (g_file_get_contents (good, &contents, &size, NULL));
  truncated = write_temp ("truncated.safetensors", contents, size - 100);

  check_fallback ("garbage.safetensors: ", 2, garbage);
  check_fallback ("truncated.safetensors: ", 2, truncated);
  check_fallback ("missing.safetensors: ", 2, missing);
  check_fallback ("R'G'B' (3) into R'G'B' at x2 is needed", 2, wrong_scale);

  g_unlink (truncated);
  g_unlink (garbage);
  g_free (contents);
  g_free (truncated);
  g_free (garbage);
  g_free (missing);
  g_free (wrong_scale);
  g_free (good);
}

/* No network of the scale on the model path (a family member that is
 * damaged counts as an error, not as absent). */
static void
test_missing_or_damaged_family (void)
{
  char             *empty = g_dir_make_tmp ("hfsr-empty-XXXXXX", NULL);
  HfsrModelVariant *installed = NULL;
  int               n_installed = 0;
  char             *good = network_path (2, "0");
  char             *damaged, *copy, *contents;
  gsize             size;

  g_setenv ("HFSR_MODEL_PATH", empty, TRUE);
  if (! hfsr_model_find_variants ("hfsr-x4-a", "hfsr.alpha", &installed,
                                  &n_installed, NULL) || n_installed > 0)
    g_test_message ("x4 networks are installed: no missing scale to test");
  else
    check_fallback ("no model file hfsr-x4-a*.safetensors", 4, NULL);
  hfsr_model_variants_free (installed, n_installed);

  /* One good member and one damaged: the damaged one is named. */
  g_assert_true (g_file_get_contents (good, &contents, &size, NULL));
  copy = g_build_filename (empty, "hfsr-x2-a0.safetensors", NULL);
  damaged = g_build_filename (empty, "hfsr-x2-a1-5.safetensors", NULL);
  g_assert_true (g_file_set_contents (copy, contents, (gssize) size, NULL));
  g_assert_true (g_file_set_contents (damaged, contents, 200, NULL));
  check_fallback ("hfsr-x2-a1-5.safetensors: ", 2, NULL);

  g_setenv ("HFSR_MODEL_PATH", model_dir, TRUE);
  g_free (contents);
  g_free (damaged);
  g_free (copy);
  g_free (good);
  hfsr_test_remove_folder (empty);
  g_free (empty);
}

/* The shipped x2 network, once it is there, loads and runs in the op, and
 * upscales the sprite without fringes. */
static void
test_trained_model (void)
{
  char         *path = hfsr_test_source_path ("models/hfsr-x2-a0.safetensors");
  GeglRectangle out = { 0, 0, 48, 40 };
  TestImage    *image;
  HfsrModel    *model;
  GeglBuffer   *input;
  float        *actual, *sprite;

  if (! g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("models/hfsr-x2-a0.safetensors is not there yet");
      g_free (path);
      return;
    }
  model = hfsr_model_load (path, NULL);
  g_assert_nonnull (model);
  g_assert_cmpint (hfsr_model_get_scale (model), ==, 2);
  g_assert_cmpint (hfsr_model_get_input_channels (model), ==, 3);
  hfsr_model_free (model);

  image = test_image_new (GEGL_RECTANGLE (0, 0, 24, 20), 120, TRUE);
  actual = op_render (image->buffer, &out, rgba_float (), "model", path,
                      NULL);
  g_assert_cmpfloat (mean_colour (actual, &out), >, 0.2);
  g_free (actual);
  test_image_free (image);

  sprite = sprite_pixels ();
  input = buffer_at (&sprite_rect, rgba_float (), sprite);
  out = scaled (&sprite_rect, 2);
  actual = op_render (input, &out, rgba_float (), "model", path, NULL);
  for (gsize i = 0; i < n_floats (&out, 4); i += 4)
    if (actual[i + 3] > 0.05f)
      g_assert_true (is_red (actual + i));
  g_free (actual);
  g_object_unref (input);
  g_free (sprite);
  g_free (path);
}

static void
write_networks (void)
{
  model_dir = g_dir_make_tmp ("hfsr-sr-models-XXXXXX", NULL);
  g_assert_nonnull (model_dir);
  write_network (2, "0", "0", 200);
  write_network (2, "1-5", "0.2", 210);
  write_network (2, "1-3", "0.3333333333333333", 220);
  write_network (3, "0", "0", 300);
  write_network (3, "1-5", "0.2", 310);
  write_network (4, "0", "0", 400);
  write_network (4, "1-5", "0.2", 410);
  /* Read when a node first needs its network, so set before any. */
  g_setenv ("HFSR_MODEL_PATH", model_dir, TRUE);
}

int
main (int argc, char **argv)
{
  int status = op_test_init (&argc, &argv, OP);

  if (status != 0)
    return status;
  write_networks ();

  g_test_add_func ("/super-resolution/output-size", test_output_size);
  g_test_add_func ("/super-resolution/equals-engine", test_equals_engine);
  g_test_add_func ("/super-resolution/alpha-blending", test_alpha_blending);
  g_test_add_func ("/super-resolution/chunks-equal-whole",
                   test_chunks_equal_whole);
  g_test_add_func ("/super-resolution/transparent-hole",
                   test_transparent_hole);
  g_test_add_func ("/super-resolution/alpha-fringe", test_alpha_fringe);
  g_test_add_func ("/super-resolution/alpha-edge-any-network",
                   test_alpha_edge_any_network);
  g_test_add_func ("/super-resolution/grey", test_grey);
  g_test_add_func ("/super-resolution/precision", test_precision);
  g_test_add_func ("/super-resolution/regions", test_regions);
  g_test_add_func ("/super-resolution/model-property", test_model_property);
  g_test_add_func ("/super-resolution/bad-model-file", test_bad_model_file);
  g_test_add_func ("/super-resolution/overflowing-network",
                   test_overflowing_network);
  g_test_add_func ("/super-resolution/missing-or-damaged-family",
                   test_missing_or_damaged_family);
  g_test_add_func ("/super-resolution/trained-model", test_trained_model);

  status = g_test_run ();
  hfsr_test_remove_folder (model_dir);
  g_free (model_dir);
  gegl_exit ();
  return status;
}
