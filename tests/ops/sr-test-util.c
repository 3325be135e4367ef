/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "op-test-util.h"
#include "sr-test-util.h"
#include "test-util.h"

/* Weights of the last residual convolution: its output stays a correction
 * of a few hundredths on the bilinear skip, as in a trained network. */
#define RESIDUAL_AMPLITUDE 0.04f

/* Where the test networks live: HFSR_MODEL_PATH. */
static char *model_dir;

const Babl *
sr_test_rgba_float (void)
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
add_conv (HfsrModelBuilder *b, const char *name, const char *input,
          int in_channels, int out_channels, float amplitude, guint32 seed)
{
  int in_group = in_channels / 3, out_group = out_channels / 3;
  gsize taps = 3 * 3;
  float *kernels = g_new (float, (out_group * in_group * taps));
  float *weights = g_new0 (float, (out_channels * in_channels * taps));
  char *weight = g_strconcat (name, ".weight", NULL);
  char *fields = g_strdup_printf ("{\"weight\": \"%s\"}", weight);
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
add_bilinear_skip (HfsrModelBuilder *b, int scale)
{
  int n = 3 * scale * scale * 3 * 5 * 5;
  float *weights = g_new0 (float, n);
  gint64 shape[4] = { 3 * scale * scale, 3, 5, 5 };

  for (int c = 0; c < 3; c++)
    for (int i = 0; i < scale; i++)
      for (int j = 0; j < scale; j++)
        for (int dy = -1; dy <= 1; dy++)
          for (int dx = -1; dx <= 1; dx++)
            {
              int out = c * scale * scale + i * scale + j;

              weights[((out * 3 + c) * 5 + 2 + dy) * 5 + 2 + dx]
                = (float) (tent (dy - ((i + 0.5) / scale - 0.5))
                           * tent (dx - ((j + 0.5) / scale - 0.5)));
            }
  hfsr_model_builder_add_tensor (b, "skip.weight", weights, 4, shape);
  hfsr_model_builder_add_node (b, "skip", "conv2d", "input",
                               "{\"weight\": \"skip.weight\"}");
  g_free (weights);
}

char *
sr_test_save_network (HfsrModelBuilder *b, const char *name)
{
  char *path = g_build_filename (model_dir, name, NULL);
  GBytes *bytes = hfsr_model_builder_build (b);

  g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes),
                                      NULL));
  g_bytes_unref (bytes);
  hfsr_model_builder_free (b);
  return path;
}

/* WDSR-A in small: head, one expanded residual block, tail and pixel
 * shuffle, over the bilinear skip.  Without biases a black image stays
 * black and the network scales with its input, as premultiplied colour
 * needs: a trained network comes close to both.  The file is
 * hfsr-x<scale>-<tag>; the variants of a scale differ in the residual
 * branch (@seed). */
static void
write_network (int scale, const char *tag, const char *alpha, guint32 seed)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);
  char *factor = g_strdup_printf ("{\"factor\": %d}", scale);
  char *scale_text = g_strdup_printf ("%d", scale);
  char *name = g_strdup_printf ("hfsr-x%d-%s.safetensors", scale, tag);

  add_conv (b, "head", "input", 3, 9, 1.0f / 3.0f, seed);
  add_conv (b, "expand", "head", 9, 18, 1.0f / sqrtf (27.0f), seed + 1);
  hfsr_model_builder_add_node (b, "act", "relu", "expand", NULL);
  add_conv (b, "reduce", "act", 18, 9, 1.0f / sqrtf (54.0f), seed + 2);
  hfsr_model_builder_add_node (b, "block", "add", "reduce, head", NULL);
  add_conv (b, "tail", "block", 9, 3 * scale * scale, RESIDUAL_AMPLITUDE,
            seed + 3);
  hfsr_model_builder_add_node (b, "tail_up", "pixel_shuffle", "tail", factor);
  add_bilinear_skip (b, scale);
  hfsr_model_builder_add_node (b, "skip_up", "pixel_shuffle", "skip", factor);
  hfsr_model_builder_add_node (b, "output", "add", "tail_up, skip_up", NULL);
  hfsr_model_builder_set_metadata (b, "hfsr.task", "super-resolution");
  hfsr_model_builder_set_metadata (b, "hfsr.scale", scale_text);
  hfsr_model_builder_set_metadata (b, "hfsr.alpha", alpha);

  g_free (sr_test_save_network (b, name));
  g_free (name);
  g_free (scale_text);
  g_free (factor);
}

char *
sr_test_write_mixing_network (const char *name, int kernel)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);

  hfsr_model_builder_add_conv2d (b, "conv", "input", 3, 12, kernel, 500);
  hfsr_model_builder_add_node (b, "output", "pixel_shuffle", "conv",
                               "{\"factor\": 2}");
  return sr_test_save_network (b, name);
}

char *
sr_test_network_path (int scale, const char *file_alpha)
{
  char *name = g_strdup_printf ("hfsr-x%d-a%s.safetensors", scale, file_alpha);
  char *path = g_build_filename (model_dir, name, NULL);

  g_free (name);
  return path;
}

HfsrModel *
sr_test_load_network (int scale, const char *file_alpha)
{
  char *path = sr_test_network_path (scale, file_alpha);
  GError *error = NULL;
  HfsrModel *model = hfsr_model_load (path, &error);

  g_assert_no_error (error);
  g_free (path);
  return model;
}

GeglRectangle
sr_test_scaled (const GeglRectangle *rect, int scale)
{
  GeglRectangle out = { rect->x * scale, rect->y * scale, rect->width * scale,
                        rect->height * scale };

  return out;
}

gsize
sr_test_n_floats (const GeglRectangle *rect, int channels)
{
  return (gsize) rect->width * rect->height * channels;
}

GeglBuffer *
sr_test_buffer_at (const GeglRectangle *rect, const Babl *format,
                   const void *pixels)
{
  GeglBuffer *buffer = gegl_buffer_new (rect, format);

  gegl_buffer_set (buffer, rect, 0, format, pixels, GEGL_AUTO_ROWSTRIDE);
  return buffer;
}

SrTestImage *
sr_test_image_new (const GeglRectangle *rect, guint32 seed, gboolean opaque)
{
  SrTestImage *image = g_new (SrTestImage, 1);
  gsize n = sr_test_n_floats (rect, 4);

  image->rect = *rect;
  image->pixels = g_new (float, n);
  hfsr_test_fill_random (image->pixels, n, seed, 0.0f, 1.0f);
  for (gsize i = 3; opaque && i < n; i += 4)
    image->pixels[i] = 1.0f;
  image->buffer
    = sr_test_buffer_at (rect, sr_test_rgba_float (), image->pixels);
  return image;
}

void
sr_test_image_free (SrTestImage *image)
{
  g_object_unref (image->buffer);
  g_free (image->pixels);
  g_free (image);
}

float *
sr_test_engine_run (const HfsrModel *model, const float *pixels,
                    const GeglRectangle *image, const GeglRectangle *out)
{
  HfsrImageView input
    = { (float *) pixels,
        4,
        (gsize) image->width * 4,
        { image->x, image->y, image->width, image->height } };
  float *result = g_new (float, sr_test_n_floats (out, 4));
  HfsrImageView output = { result,
                           4,
                           (gsize) out->width * 4,
                           { out->x, out->y, out->width, out->height } };
  GError *error = NULL;

  for (gsize i = 3; i < sr_test_n_floats (out, 4); i += 4)
    result[i] = 1.0f;
  g_assert_true (hfsr_model_run_region (model, &input, &input.rect, &output, 0,
                                        NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return result;
}

float
sr_test_clamp_unit (float value)
{
  return CLAMP (value, 0.0f, 1.0f);
}

float *
sr_test_engine_render (const HfsrModel *model, const float *pixels,
                       const GeglRectangle *image, const GeglRectangle *out)
{
  float *result = sr_test_engine_run (model, pixels, image, out);

  for (gsize i = 0; i < sr_test_n_floats (out, 4); i++)
    result[i] = sr_test_clamp_unit (result[i]);
  return result;
}

double
sr_test_mean_colour (const float *pixels, const GeglRectangle *rect)
{
  double sum = 0.0;

  for (gsize i = 0; i < sr_test_n_floats (rect, 4); i += 4)
    sum += pixels[i] + pixels[i + 1] + pixels[i + 2];
  return sum / sr_test_n_floats (rect, 3);
}

float *
sr_test_op_render (GeglBuffer *input, const GeglRectangle *out,
                   const Babl *format, const char *first_property, ...)
{
  GeglNode *op
    = op_test_graph_new (input, NULL, SR_TEST_OP, "scale", 2.0, NULL);
  float *pixels;
  va_list properties;

  va_start (properties, first_property);
  gegl_node_set_valist (op, first_property, properties);
  va_end (properties);
  pixels = op_test_render (op, out, format);
  op_test_graph_free (op);
  return pixels;
}

const GeglRectangle sr_test_sprite_rect = { 0, 0, 48, 40 };

float *
sr_test_sprite_pixels (void)
{
  float *pixels = g_new (float, sr_test_n_floats (&sr_test_sprite_rect, 4));

  for (int y = 0; y < sr_test_sprite_rect.height; y++)
    for (int x = 0; x < sr_test_sprite_rect.width; x++)
      {
        float *p = pixels + (y * sr_test_sprite_rect.width + x) * 4;
        float inside = hypot (x - 23.5, y - 19.5) < 12.0 ? 1.0f : 0.0f;

        p[0] = inside;
        p[1] = 1.0f - inside;
        p[2] = 0.0f;
        p[3] = inside;
      }
  return pixels;
}

gboolean
sr_test_is_red (const float *pixel)
{
  return pixel[0] > 0.85f && pixel[1] < 0.15f && pixel[2] < 0.15f;
}

static void
write_networks (void)
{
  model_dir = g_dir_make_tmp ("hfsr-sr-models-XXXXXX", NULL);
  g_assert_nonnull (model_dir);
  write_network (2, "a0", "0", 200);
  write_network (2, "a1-5", "0.2", 210);
  write_network (2, "a1-3", "0.3333333333333333", 220);
  write_network (3, "a0", "0", 300);
  write_network (3, "a1-5", "0.2", 310);
  write_network (4, "a0", "0", 400);
  write_network (4, "a1-5", "0.2", 410);
  /* The perceptual variant's family, one file a scale; none at x3, where
   * the op must say so. */
  write_network (2, "perceptual", "0", 250);
  write_network (4, "perceptual", "0", 450);
  /* Read when a node first needs its network, so set before any. */
  g_setenv ("HFSR_MODEL_PATH", model_dir, TRUE);
}

int
sr_test_init (int *argc, char ***argv)
{
  int status = op_test_init (argc, argv, SR_TEST_OP);

  if (status == 0)
    write_networks ();
  return status;
}

int
sr_test_run (void)
{
  int status = g_test_run ();

  hfsr_test_remove_folder (model_dir);
  g_free (model_dir);
  gegl_exit ();
  return status;
}

const char *
sr_test_model_dir (void)
{
  return model_dir;
}
