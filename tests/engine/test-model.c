/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The loader against good files and every kind of bad one: each bad file
 * must give a GError naming the file and the problem, never a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hfsr-private.h"
#include "model-builder.h"
#include "test-util.h"

#define CASE_NAME "case.safetensors"

/* A WDSR-shaped x2 model: head 3x3, one residual block, tail 3x3 + pixel
 * shuffle, skip 5x5 + pixel shuffle, sum.  Bands (output pixels): the tail
 * branch 1 + 2 + 1 = 4 input pixels -> 8 output pixels; the skip 2 -> 4;
 * so the margin is ceil(8 / 2) = 4 input pixels. */
static HfsrModelBuilder *
wdsr_builder (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);

  hfsr_model_builder_add_conv2d (b, "head", "input", 3, 8, 3, 1);
  hfsr_model_builder_add_conv2d (b, "expand", "head", 8, 16, 3, 3);
  hfsr_model_builder_add_node (b, "act", "relu", "expand", NULL);
  hfsr_model_builder_add_conv2d (b, "reduce", "act", 16, 8, 3, 5);
  hfsr_model_builder_add_node (b, "block", "add", "reduce, head", NULL);
  hfsr_model_builder_add_conv2d (b, "tail", "block", 8, 12, 3, 7);
  hfsr_model_builder_add_node (b, "tail_up", "pixel_shuffle", "tail",
                               "{\"factor\": 2}");
  hfsr_model_builder_add_conv2d (b, "skip", "input", 3, 12, 5, 9);
  hfsr_model_builder_add_node (b, "skip_up", "pixel_shuffle", "skip",
                               "{\"factor\": 2}");
  hfsr_model_builder_add_node (b, "output", "add", "tail_up, skip_up", NULL);
  hfsr_model_builder_set_metadata (b, "hfsr.scale", "2");
  hfsr_model_builder_set_metadata (b, "hfsr.alpha", "0.25");
  hfsr_model_builder_set_metadata (b, "custom.key", "kept as is");
  return b;
}

static GBytes *
wdsr_bytes (void)
{
  HfsrModelBuilder *b = wdsr_builder ();
  GBytes *bytes = hfsr_model_builder_build (b);

  hfsr_model_builder_free (b);
  return bytes;
}

static HfsrModel *
load_bytes (GBytes *bytes, GError **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  return hfsr_model_load_from_data (data, size, CASE_NAME, error);
}

/* The file must be refused with @code, and the message must start with
 * the file's name and contain @fragment. */
static void
expect_error (GBytes *bytes, HfsrError code, const char *fragment)
{
  GError *error = NULL;
  HfsrModel *model = load_bytes (bytes, &error);

  g_assert_null (model);
  g_assert_error (error, HFSR_ERROR, (int) code);
  if (!g_str_has_prefix (error->message, CASE_NAME ": ")
      || strstr (error->message, fragment) == NULL)
    g_error ("message \"%s\" lacks \"" CASE_NAME ": \" or \"%s\"",
             error->message, fragment);
  g_test_message ("refused: %s", error->message);
  g_error_free (error);
  g_bytes_unref (bytes);
}

/* Tests write JSON with single quotes, for legibility; they become double
 * quotes here. */
static char *
double_quotes (const char *json)
{
  return g_strdelimit (g_strdup (json), "'", '"');
}

static void
expect_raw_header_error (const char *header, gsize buffer_size,
                         const char *fragment)
{
  guint8 *buffer = g_malloc0 (MAX (buffer_size, 1));

  expect_error (hfsr_safetensors_pack (header, buffer, buffer_size),
                HFSR_ERROR_FORMAT, fragment);
  g_free (buffer);
}

static void
expect_header_error (const char *header, gsize buffer_size,
                     const char *fragment)
{
  char *json = double_quotes (header);

  expect_raw_header_error (json, buffer_size, fragment);
  g_free (json);
}

static void
expect_builder_error (HfsrModelBuilder *builder, const char *fragment)
{
  expect_error (hfsr_model_builder_build (builder), HFSR_ERROR_FORMAT,
                fragment);
  hfsr_model_builder_free (builder);
}

/* hfsr.graph replaced by @graph (single-quoted), the tensors of the WDSR
 * model kept. */
static void
expect_graph_error (const char *graph, const char *fragment)
{
  HfsrModelBuilder *b = wdsr_builder ();
  char *json = double_quotes (graph);

  hfsr_model_builder_set_graph (b, json);
  expect_builder_error (b, fragment);
  g_free (json);
}

static void
test_good_model (void)
{
  GBytes *bytes = wdsr_bytes ();
  GError *error = NULL;
  HfsrModel *model;
  char *path;

  path = hfsr_write_temp_file (bytes, &error);
  g_assert_no_error (error);
  model = hfsr_model_load (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);

  g_assert_cmpstr (hfsr_model_get_name (model), ==, path);
  g_assert_cmpint (hfsr_model_get_scale (model), ==, 2);
  g_assert_cmpint (hfsr_model_get_margin (model), ==, 4);
  g_assert_cmpint (hfsr_model_get_input_channels (model), ==, 3);
  g_assert_cmpint (hfsr_model_get_n_outputs (model), ==, 1);
  g_assert_cmpstr (hfsr_model_get_output_name (model, 0), ==, "output");
  g_assert_cmpint (hfsr_model_get_output_channels (model, 0), ==, 3);
  g_assert_cmpstr (hfsr_model_get_metadata (model, "hfsr.format"), ==, "1");
  g_assert_cmpstr (hfsr_model_get_metadata (model, "hfsr.task"), ==, "test");
  g_assert_cmpstr (hfsr_model_get_metadata (model, "hfsr.alpha"), ==, "0.25");
  g_assert_cmpstr (hfsr_model_get_metadata (model, "custom.key"), ==,
                   "kept as is");
  g_assert_null (hfsr_model_get_metadata (model, "hfsr.lambda"));
  g_assert_nonnull (hfsr_model_get_metadata (model, "hfsr.graph"));
  hfsr_model_free (model);

  /* The same bytes from memory. */
  model = load_bytes (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hfsr_model_get_name (model), ==, CASE_NAME);
  g_assert_cmpint (hfsr_model_get_margin (model), ==, 4);
  hfsr_model_free (model);

  g_unlink (path);
  g_free (path);
  g_bytes_unref (bytes);
}

/* The loaded weights are the file's floats, bit for bit. */
static void
test_weights_round_trip (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("x", 2);
  float kernel[2 * 2 * 1 * 1] = { 1.5f, -2.25f, 1e-30f, -0.0f };
  float bias[2] = { 3.0f, -9999.5f };
  gint64 kernel_shape[4] = { 2, 2, 1, 1 };
  gint64 bias_shape[1] = { 2 };
  GError *error = NULL;
  HfsrModel *model;
  const HfsrNode *node;

  hfsr_model_builder_add_tensor (b, "w", kernel, 4, kernel_shape);
  hfsr_model_builder_add_tensor (b, "b", bias, 1, bias_shape);
  hfsr_model_builder_add_node (b, "mix", "conv2d", "x",
                               "{\"weight\": \"w\", \"bias\": \"b\"}");
  model = load_bytes (hfsr_model_builder_build (b), &error);
  g_assert_no_error (error);

  node = &model->nodes[0];
  g_assert_cmpint (model->n_weights, ==, 2);
  g_assert_cmpint (node->weight->ndim, ==, 4);
  g_assert_cmpmem (node->weight->data, sizeof kernel, kernel, sizeof kernel);
  g_assert_cmpmem (node->bias->data, sizeof bias, bias, sizeof bias);
  g_assert_cmpint ((guintptr) node->weight->data % 64, ==, 0);
  g_assert_cmpint (hfsr_model_get_scale (model), ==, 1);
  g_assert_cmpint (hfsr_model_get_margin (model), ==, 0);
  hfsr_model_free (model);
  hfsr_model_builder_free (b);
}

/* Margins follow the kernels: (k - 1) / 2 per convolution at the input's
 * resolution, multiplied by the factor through a pixel shuffle, converted
 * back to input pixels rounding up. */
static void
test_margins (void)
{
  struct
  {
    const char *layers; /* c<k>: conv k x k, s: pixel shuffle x2 */
    int         scale;
    int         margin;
  } cases[] = {
    { "c3", 1, 1 },         { "c3 c5", 1, 3 },    { "c1 c1", 1, 0 },
    { "c3 c3 s", 2, 2 },    { "c3 c3 s c3", 2, 3 }, { "c3 s c3", 2, 2 },
    { "s", 2, 0 },          { "c3 s s c3", 4, 2 }, { "c7 s c1 s c1", 4, 3 },
  };

  /* 16 input channels: enough for two x2 shuffles. */
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char **layers = g_strsplit (cases[i].layers, " ", -1);
      HfsrModelBuilder *b = hfsr_model_builder_new ("in", 16);
      char previous[16] = "in";
      int channels = 16;
      GError *error = NULL;
      HfsrModel *model;

      for (int l = 0; layers[l] != NULL; l++)
        {
          char name[16];

          g_snprintf (name, sizeof name, "n%d", l);
          if (layers[l][0] == 'c')
            hfsr_model_builder_add_conv2d (b, name, previous, channels,
                                           channels, atoi (layers[l] + 1),
                                           (guint32) l);
          else
            {
              hfsr_model_builder_add_node (b, name, "pixel_shuffle",
                                           previous, "{\"factor\": 2}");
              channels /= 4;
            }
          g_strlcpy (previous, name, sizeof previous);
        }
      model = load_bytes (hfsr_model_builder_build (b), &error);
      g_assert_no_error (error);
      g_assert_cmpint (hfsr_model_get_scale (model), ==, cases[i].scale);
      g_assert_cmpint (hfsr_model_get_margin (model), ==, cases[i].margin);
      hfsr_model_free (model);
      hfsr_model_builder_free (b);
      g_strfreev (layers);
    }
}

/* SR²'s shape: output 0 the image, output 1 class probabilities from a
 * global pooling branch.  Output 0 does not depend on the branch, so its
 * margin stays finite; forward() returns both. */
static void
test_two_outputs (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("lr", 1);
  gint64 fc_shape[2] = { 10, 6 };
  gint64 fc_bias_shape[1] = { 10 };
  GError *error = NULL;
  HfsrTensor *input, *outputs[2];
  HfsrModel *model;
  double sum = 0.0;

  hfsr_model_builder_add_conv2d (b, "shared", "lr", 1, 6, 3, 11);
  hfsr_model_builder_add_conv2d (b, "sr", "shared", 6, 4, 3, 12);
  hfsr_model_builder_add_node (b, "hr", "pixel_shuffle", "sr",
                               "{\"factor\": 2}");
  hfsr_model_builder_add_node (b, "pool", "global_avg_pool", "shared", NULL);
  hfsr_model_builder_add_random_tensor (b, "fc.weight", 13, 0.5f, 2,
                                        fc_shape);
  hfsr_model_builder_add_random_tensor (b, "fc.bias", 14, 0.5f, 1,
                                        fc_bias_shape);
  hfsr_model_builder_add_node (b, "fc", "linear", "pool",
                               "{\"weight\": \"fc.weight\", "
                               "\"bias\": \"fc.bias\"}");
  hfsr_model_builder_add_node (b, "probs", "softmax", "fc", NULL);
  hfsr_model_builder_add_output (b, "hr");
  hfsr_model_builder_add_output (b, "probs");
  model = load_bytes (hfsr_model_builder_build (b), &error);
  g_assert_no_error (error);
  hfsr_model_builder_free (b);

  g_assert_cmpint (hfsr_model_get_n_outputs (model), ==, 2);
  g_assert_cmpstr (hfsr_model_get_output_name (model, 1), ==, "probs");
  g_assert_cmpint (hfsr_model_get_output_channels (model, 0), ==, 1);
  g_assert_cmpint (hfsr_model_get_output_channels (model, 1), ==, 10);
  g_assert_cmpint (hfsr_model_get_scale (model), ==, 2);
  /* Two 3x3 convolutions before the x2 shuffle: 2 input pixels. */
  g_assert_cmpint (hfsr_model_get_margin (model), ==, 2);

  input = hfsr_tensor_new (1, 5, 7, &error);
  g_assert_no_error (error);
  hfsr_test_fill_random (input->data, hfsr_tensor_size (input), 15, 0, 1);
  g_assert_true (hfsr_model_forward (model, input, outputs, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (outputs[0]->channels, ==, 1);
  g_assert_cmpint (outputs[0]->height, ==, 10);
  g_assert_cmpint (outputs[0]->width, ==, 14);
  g_assert_cmpint (outputs[1]->channels, ==, 10);
  g_assert_cmpint (outputs[1]->height, ==, 1);
  g_assert_cmpint (outputs[1]->width, ==, 1);
  for (int c = 0; c < 10; c++)
    sum += outputs[1]->data[c];
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-5);
  hfsr_tensor_free (outputs[0]);
  hfsr_tensor_free (outputs[1]);

  /* Wrong channel count: an argument error, no outputs. */
  hfsr_tensor_free (input);
  input = hfsr_tensor_new (3, 5, 7, &error);
  outputs[0] = outputs[1] = (HfsrTensor *) input;
  g_assert_false (hfsr_model_forward (model, input, outputs, NULL, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_assert_null (outputs[0]);
  g_assert_null (outputs[1]);
  g_clear_error (&error);
  hfsr_tensor_free (input);
  hfsr_model_free (model);
}

static void
test_missing_file (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("hfsr-test-XXXXXX", &error);
  char *path = g_build_filename (dir, "absent.safetensors", NULL);

  g_assert_null (hfsr_model_load (path, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOENT)));
  g_clear_error (&error);

  /* A directory is not a model either. */
  g_assert_null (hfsr_model_load (dir, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, dir));
  g_clear_error (&error);

  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

static void
test_container_errors (void)
{
  const guint8 five[5] = { 1, 0, 0, 0, 0 };
  guint8 raw[16];
  guint64 length;
  char *deep, *text;

  expect_error (g_bytes_new_static ("", 0), HFSR_ERROR_FORMAT, "too short");
  expect_error (g_bytes_new (five, sizeof five), HFSR_ERROR_FORMAT,
                "too short");

  /* Length fields that do not fit the file. */
  length = GUINT64_TO_LE (100);
  memcpy (raw, &length, 8);
  memcpy (raw + 8, "{}      ", 8);
  expect_error (g_bytes_new (raw, sizeof raw), HFSR_ERROR_FORMAT,
                "runs past the end");
  length = GUINT64_TO_LE ((guint64) 1 << 40);
  memcpy (raw, &length, 8);
  expect_error (g_bytes_new (raw, sizeof raw), HFSR_ERROR_FORMAT,
                "exceeds the limit");
  length = G_MAXUINT64;
  memcpy (raw, &length, 8);
  expect_error (g_bytes_new (raw, sizeof raw), HFSR_ERROR_FORMAT,
                "exceeds the limit");

  expect_raw_header_error ("", 0, "not a JSON object");
  expect_raw_header_error ("{\"a\": ", 0, "not valid JSON");
  expect_raw_header_error ("[1, 2]", 0, "not a JSON object");
  expect_raw_header_error ("\"text\"", 0, "not a JSON object");
  expect_raw_header_error ("{\"a\": \"\xff\xfe\"}", 0, "not valid UTF-8");
  length = GUINT64_TO_LE (4);
  memcpy (raw, &length, 8);
  memcpy (raw + 8, "{}\0 ", 4);
  expect_error (g_bytes_new (raw, 12), HFSR_ERROR_FORMAT, "not valid UTF-8");
  expect_raw_header_error ("{\"w\\u0000x\": {}}", 0, "NUL character");

  /* json-glib would recurse until the stack overflows... */
  deep = g_strnfill (200000, '[');
  expect_raw_header_error (deep, 0, "nests deeper");
  /* ...also behind the extensions it accepts, a comment or a single-quoted
   * string holding a quote that a simpler scan would take as a string's
   * start. */
  text = g_strconcat ("{\"a\": /* \" */ ", deep, NULL);
  expect_raw_header_error (text, 0, "not strict JSON (byte 0x2f at offset");
  g_free (text);
  text = g_strconcat ("{\"a\": '\"', \"b\": ", deep, NULL);
  expect_raw_header_error (text, 0, "not strict JSON (byte 0x27 at offset");
  g_free (text);
  g_free (deep);
  expect_raw_header_error ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], "
                           "\"data_offsets\": [0, 0x10000000000000004]}}", 4,
                           "not strict JSON");
  expect_raw_header_error ("{\"a\nb\": 1}", 0, "control character");
  expect_raw_header_error ("{\"a\\qb\": 1}", 0, "invalid escape");
  expect_raw_header_error ("{\"a\\u12\": 1}", 0, "invalid \\u escape");
  expect_raw_header_error ("{\"a", 0, "unterminated string");
  /* json-glib would wrap the integer silently. */
  expect_raw_header_error ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], "
                           "\"data_offsets\": [0, 18446744073709551620]}}", 4,
                           "too large for 64 bits");
}

static void
test_tensor_errors (void)
{
#define META "'__metadata__': {'hfsr.format': '1'}"
  expect_header_error ("{'w': 1}", 0, "tensor 'w': the entry is not");
  expect_header_error ("{'w': {'dtype': 'F16', 'shape': [2], "
                       "'data_offsets': [0, 4]}}", 4,
                       "dtype F16 is not supported");
  expect_header_error ("{'w': {'dtype': 'I32', 'shape': [1], "
                       "'data_offsets': [0, 4]}}", 4,
                       "dtype I32 is not supported");
  expect_header_error ("{'w': {'dtype': 5, 'shape': [1], "
                       "'data_offsets': [0, 4]}}", 4, "non-string dtype");
  expect_header_error ("{'w': {'shape': [1], "
                       "'data_offsets': [0, 4]}}", 4, "non-string dtype");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [-1], "
                       "'data_offsets': [0, 4]}}", 4,
                       "dimension 0 is not a non-negative integer");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [1, 1.5], "
                       "'data_offsets': [0, 4]}}", 4,
                       "dimension 1 is not a non-negative integer");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': "
                       "[4294967296, 4294967296], "
                       "'data_offsets': [0, 4]}}", 4, "overflows");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': "
                       "[1073741824, 4294967296], "
                       "'data_offsets': [0, 4]}}", 4,
                       "byte size overflows");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': "
                       "[1, 1, 1, 1, 1], 'data_offsets': [0, 4]}}", 4,
                       "at most 4");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': '2', "
                       "'data_offsets': [0, 8]}}", 8, "non-array shape");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [0, 400]}}", 16, "beyond");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [8, 4]}}", 16, "ordered pair");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [-4, 0]}}", 16, "ordered pair");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [0]}}", 4, "two integers");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [3], "
                       "'data_offsets': [0, 8]}}", 8, "needs 12");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [0, 4], 'extra': 1}}", 4,
                       "unknown field 'extra'");
  expect_header_error ("{'a': {'dtype': 'F32', 'shape': [2], "
                       "'data_offsets': [0, 8]}, "
                       "'b': {'dtype': 'F32', 'shape': [2], "
                       "'data_offsets': [4, 12]}}", 12, "overlap");
  expect_header_error ("{'a': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [0, 4]}, "
                       "'b': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [8, 12]}}", 12,
                       "bytes 4 to 8 belong to no tensor");
  expect_header_error ("{'a': {'dtype': 'F32', 'shape': [2], "
                       "'data_offsets': [0, 8]}}", 12,
                       "4 trailing bytes");
  expect_header_error ("{" META "}", 4, "4 trailing bytes");
  /* Two entries with one name: json-glib keeps the last, the first one's
   * bytes are left over. */
  expect_header_error ("{'a': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [0, 4]}, "
                       "'a': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [4, 8]}}", 8, "belong to no tensor");
  expect_header_error ("{'__metadata__': [1]}", 0,
                       "__metadata__ is not an object");
  expect_header_error ("{'__metadata__': {'hfsr.format': 1}}", 0,
                       "metadata 'hfsr.format' is not a string");
#undef META
}

/* A NaN weight never reaches an image. */
static void
test_non_finite_weight (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("x", 1);
  float values[2] = { 1.0f, NAN };
  gint64 shape[4] = { 2, 1, 1, 1 };

  hfsr_model_builder_add_tensor (b, "w", values, 4, shape);
  hfsr_model_builder_add_node (b, "c", "conv2d", "x", "{\"weight\": \"w\"}");
  expect_builder_error (b, "tensor 'w': element 1 is not a finite number");
}

static void
test_huge_weight (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("x", 1);
  float values[2] = { 1.0f, 1e38f };
  gint64 shape[4] = { 2, 1, 1, 1 };

  hfsr_model_builder_add_tensor (b, "w", values, 4, shape);
  hfsr_model_builder_add_node (b, "c", "conv2d", "x", "{\"weight\": \"w\"}");
  expect_builder_error (b, "tensor 'w': element 1 is 1e+38, beyond the magnitude");
}

/* A FIFO named like a model is refused at once: opened for reading the
 * usual way it would wait for a writer forever. */
static void
test_fifo (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("hfsr-test-XXXXXX", &error);
  char *path = g_build_filename (dir, "fifo.safetensors", NULL);

  g_assert_no_error (error);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  alarm (20);   /* a hang fails the test instead of stalling the suite */
  g_assert_null (hfsr_model_load (path, &error));
  alarm (0);
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "is not a regular file"));
  g_clear_error (&error);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

/* Peak resident memory in kB since the last reset_peak_memory(). */
static gint64
peak_memory_kb (void)
{
  char *status = NULL, *line;
  gint64 kb = -1;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL,
                                      NULL));
  line = strstr (status, "VmHWM:");
  if (line != NULL)
    kb = g_ascii_strtoll (line + 6, NULL, 10);
  g_free (status);
  return kb;
}

static gboolean
reset_peak_memory (void)
{
  int fd = g_open ("/proc/self/clear_refs", O_WRONLY, 0);
  gboolean done = fd >= 0 && write (fd, "5", 1) == 1;

  if (fd >= 0)
    close (fd);
  return done;
}

/* @head followed by zeros up to @size bytes, as a sparse file. */
static char *
sparse_file (GBytes *head, guint64 size)
{
  char *path = hfsr_write_temp_file (head, NULL);
  int fd = g_open (path, O_WRONLY, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) size), ==, 0);
  close (fd);
  g_bytes_unref (head);
  return path;
}

/* A file of any size is refused (or accepted) after reading its length,
 * its header and, for an accepted one, its tensors: a 6 GiB file costs
 * neither 6 GiB of memory nor the time to read it. */
static void
test_huge_files (void)
{
  const guint64 huge = (guint64) 6 << 30;
  struct
  {
    GBytes     *head;
    guint64     size;
    const char *fragment;
  } cases[5];
  HfsrModelBuilder *builder = wdsr_builder ();
  GBytes *good = hfsr_model_builder_build (builder);
  gsize good_size = g_bytes_get_size (good);
  GString *dense = g_string_new ("{\"a\": [0");

  /* the densest header JSON within the length limit: one node per 2 bytes */
  while (dense->len < (1 << 20) - 4)
    g_string_append (dense, ",0");
  g_string_append (dense, "]}");

  cases[0].head = hfsr_safetensors_pack ("[]", NULL, 0);
  cases[0].size = huge;
  cases[0].fragment = "beyond the limit";
  cases[1].head = hfsr_safetensors_pack ("[]", NULL, 0);
  cases[1].size = 1 << 20;
  cases[1].fragment = "not a JSON object";
  cases[2].head = g_bytes_ref (good);
  cases[2].size = huge;
  cases[2].fragment = "beyond the limit";
  cases[3].head = g_bytes_ref (good);
  cases[3].size = good_size + (200 << 20);
  cases[3].fragment = "trailing bytes after the last tensor";
  cases[4].head = hfsr_safetensors_pack (dense->str, NULL, 0);
  cases[4].size = (1 << 20) + 8;
  cases[4].fragment = "tensor 'a': the entry is not an object";
  g_bytes_unref (good);
  hfsr_model_builder_free (builder);
  g_string_free (dense, TRUE);

  if (!reset_peak_memory ())
    g_test_incomplete ("/proc/self/clear_refs cannot be written: "
                       "memory is not measured");
  for (int i = 0; i < (int) G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      char *path = sparse_file (cases[i].head, cases[i].size);
      gint64 before = peak_memory_kb (), after;
      gint64 start = g_get_monotonic_time ();

      g_assert_null (hfsr_model_load (path, &error));
      after = peak_memory_kb ();
      g_assert_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT);
      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("case %d: \"%s\" lacks \"%s\"", i, error->message,
                 cases[i].fragment);
      g_test_message ("case %d: %.3f s, +%" G_GINT64_FORMAT " kB: %s", i,
                      (g_get_monotonic_time () - start) / 1e6,
                      after - before, error->message);
      /* AddressSanitizer's allocator adds 100-200 MB to json-glib's tree
       * of the densest header: the bound holds for the real allocator */
#if defined(__SANITIZE_ADDRESS__)
      (void) after;
#else
      g_assert_cmpint (after - before, <, 64 << 10);
#endif
      g_clear_error (&error);
      g_unlink (path);
      g_free (path);
    }
}

static void
test_metadata_errors (void)
{
  HfsrModelBuilder *b;

  b = wdsr_builder ();
  hfsr_model_builder_set_metadata (b, "hfsr.graph", NULL);
  expect_builder_error (b, "missing metadata 'hfsr.graph'");

  b = wdsr_builder ();
  hfsr_model_builder_set_metadata (b, "hfsr.format", NULL);
  expect_builder_error (b, "missing metadata 'hfsr.format'");

  b = wdsr_builder ();
  hfsr_model_builder_set_metadata (b, "hfsr.format", "2");
  expect_builder_error (b, "hfsr.format '2' is not supported");
}

static void
test_graph_errors (void)
{
#define INPUT "'input': {'name': 'input', 'channels': 3}"
#define HEAD "{'name': 'head', 'op': 'conv2d', 'inputs': ['input'], " \
             "'weight': 'head.weight', 'bias': 'head.bias'}"
  HfsrModelBuilder *b;

  expect_graph_error ("{'input': ", "the graph (hfsr.graph) is not valid");
  expect_graph_error ("[]", "the graph (hfsr.graph) is not a JSON object");
  expect_graph_error ("{'outputs': ['head'], 'nodes': [" HEAD "]}",
                      "the graph needs 'input'");
  expect_graph_error ("{'input': {'name': 'input', 'channels': 0}, "
                      "'outputs': ['head'], 'nodes': [" HEAD "]}",
                      "the graph input has 0 channels");
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], 'nodes': []}",
                      "non-empty 'nodes'");
  expect_graph_error ("{" INPUT ", 'outputs': [], 'nodes': [" HEAD "]}",
                      "non-empty 'outputs'");
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], "
                      "'nodes': [" HEAD ", 7]}",
                      "graph node 1 is not an object with a name");
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], "
                      "'nodes': [{'name': 'head', 'op': 'dropout', "
                      "'inputs': ['input']}]}",
                      "node 'head': unknown op 'dropout'");
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], "
                      "'nodes': [{'name': 'head', "
                      "'inputs': ['input']}]}",
                      "node 'head': missing or non-string op");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'relu', 'inputs': ['b']},"
                      "{'name': 'b', 'op': 'relu', "
                      "'inputs': ['input']}]}",
                      "node 'a' (relu): input 'b' is not computed before");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'relu', 'inputs': ['a']}"
                      "]}",
                      "node 'a' (relu): input 'a' is not computed before");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'relu', "
                      "'inputs': ['ghost']}]}",
                      "node 'a' (relu): unknown input 'ghost'");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'relu', 'inputs': ['input']},"
                      "{'name': 'a', 'op': 'relu', 'inputs': ['input']}"
                      "]}", "graph name 'a' is used twice");
  expect_graph_error ("{" INPUT ", 'outputs': ['input'], 'nodes': ["
                      "{'name': 'input', 'op': 'relu', "
                      "'inputs': ['input']}]}",
                      "graph name 'input' is used twice");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'add', 'inputs': ['input']}"
                      "]}", "node 'a' (add): takes 2 inputs, got 1");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'relu', "
                      "'inputs': ['input', 'input']}]}",
                      "node 'a' (relu): takes 1 input, got 2");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'relu', 'inputs': 'input'}"
                      "]}", "node 'a' (relu): 'inputs' must be an array");
  expect_graph_error ("{" INPUT ", 'outputs': ['input'], "
                      "'nodes': [" HEAD "]}",
                      "graph output 'input' is not a node");
  expect_graph_error ("{" INPUT ", 'outputs': ['head', 'head'], "
                      "'nodes': [" HEAD "]}",
                      "graph output 'head' is listed twice");
  expect_graph_error ("{" INPUT ", 'outputs': ['nowhere'], "
                      "'nodes': [" HEAD "]}",
                      "graph output 'nowhere' is not a node");

  /* Weights: missing, mis-shaped, and a channel count that the next layer
   * does not take. */
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], 'nodes': ["
                      "{'name': 'head', 'op': 'conv2d', "
                      "'inputs': ['input'], 'weight': 'nope'}]}",
                      "node 'head' (conv2d): ");
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], 'nodes': ["
                      "{'name': 'head', 'op': 'conv2d', "
                      "'inputs': ['input']}]}",
                      "node 'head' (conv2d): ");
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], 'nodes': ["
                      "{'name': 'head', 'op': 'conv2d', "
                      "'inputs': ['input'], 'weight': 'head.bias'}]}",
                      "node 'head' (conv2d): ");
  expect_graph_error ("{" INPUT ", 'outputs': ['two'], 'nodes': [" HEAD
                      ", {'name': 'two', 'op': 'conv2d', "
                      "'inputs': ['head'], 'weight': 'skip.weight'}]}",
                      "node 'two' (conv2d): ");
  expect_graph_error ("{" INPUT ", 'outputs': ['sum'], 'nodes': [" HEAD
                      ", {'name': 'sum', 'op': 'add', "
                      "'inputs': ['head', 'input']}]}",
                      "node 'sum' (add): ");
  expect_graph_error ("{" INPUT ", 'outputs': ['up'], 'nodes': [" HEAD
                      ", {'name': 'up', 'op': 'pixel_shuffle', "
                      "'inputs': ['head'], 'factor': 3}]}",
                      "node 'up' (pixel_shuffle): ");

  /* Output 0 must be an image. */
  expect_graph_error ("{" INPUT ", 'outputs': ['pool'], 'nodes': [" HEAD
                      ", {'name': 'pool', 'op': 'global_avg_pool', "
                      "'inputs': ['head']}]}",
                      "the first graph output 'pool' must be an image");

  /* Scale beyond HFSR_MAX_SCALE: three x4 shuffles of 3 * 4096 channels. */
  b = hfsr_model_builder_new ("input", 3);
  hfsr_model_builder_add_conv2d (b, "wide", "input", 3, 3 * 4096, 1, 1);
  hfsr_model_builder_add_node (b, "u1", "pixel_shuffle", "wide",
                               "{\"factor\": 4}");
  hfsr_model_builder_add_node (b, "u2", "pixel_shuffle", "u1",
                               "{\"factor\": 4}");
  hfsr_model_builder_add_node (b, "u3", "pixel_shuffle", "u2",
                               "{\"factor\": 4}");
  expect_builder_error (b, "node 'u3' (pixel_shuffle): its output is 64 "
                           "times the input size");
#undef HEAD
#undef INPUT
}

/* Every prefix of a good file is refused cleanly.  Each prefix is copied
 * to its own allocation, so a sanitizer build sees any read past it. */
static void
test_every_truncation (void)
{
  GBytes *bytes = wdsr_bytes ();
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  for (gsize length = 0; length < size; length++)
    {
      guint8 *prefix = g_memdup2 (data, length);
      GError *error = NULL;
      HfsrModel *model = hfsr_model_load_from_data (prefix, length,
                                                    CASE_NAME, &error);

      if (model != NULL)
        g_error ("a %" G_GSIZE_FORMAT "-byte prefix of %" G_GSIZE_FORMAT
                 " loaded", length, size);
      g_assert_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT);
      g_assert_true (g_str_has_prefix (error->message, CASE_NAME ": "));
      g_error_free (error);
      g_free (prefix);
    }
  g_bytes_unref (bytes);
}

/* Random byte flips: a file either loads (and then runs) or is refused
 * with a message; nothing else may happen. */
static void
test_random_flips (void)
{
  GBytes *bytes = wdsr_bytes ();
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  GRand *rand = g_rand_new_with_seed (20260101);
  int n_loaded = 0, n_refused = 0;
  GError *error = NULL;
  HfsrTensor *input = hfsr_tensor_new (3, 4, 5, &error);

  g_assert_no_error (error);
  hfsr_test_fill_random (input->data, hfsr_tensor_size (input), 3, 0, 1);
  for (int round = 0; round < 3000; round++)
    {
      guint8 *copy = g_memdup2 (data, size);
      int n_flips = g_rand_int_range (rand, 1, 5);
      HfsrModel *model;

      for (int f = 0; f < n_flips; f++)
        {
          /* Half the flips aim at the header, where the structure is. */
          gsize limit = g_rand_boolean (rand) ? MIN (size, 2048) : size;
          gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) limit);

          copy[at] ^= (guint8) g_rand_int_range (rand, 1, 256);
        }
      model = hfsr_model_load_from_data (copy, size, CASE_NAME, &error);
      if (model != NULL)
        {
          HfsrTensor **outputs = g_new0 (HfsrTensor *,
                                         hfsr_model_get_n_outputs (model));

          g_assert_no_error (error);
          n_loaded++;
          if (hfsr_model_get_input_channels (model) == 3
              && hfsr_model_forward (model, input, outputs, NULL, NULL))
            for (int i = 0; i < hfsr_model_get_n_outputs (model); i++)
              hfsr_tensor_free (outputs[i]);
          g_free (outputs);
          hfsr_model_free (model);
        }
      else
        {
          g_assert_nonnull (error);
          g_assert_true (g_str_has_prefix (error->message, CASE_NAME ": "));
          g_clear_error (&error);
          n_refused++;
        }
      g_free (copy);
    }
  g_test_message ("%d flipped files loaded, %d refused", n_loaded,
                  n_refused);
  g_assert_cmpint (n_refused, >, 0);
  hfsr_tensor_free (input);
  g_rand_free (rand);
  g_bytes_unref (bytes);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/good", test_good_model);
  g_test_add_func ("/model/weights-round-trip", test_weights_round_trip);
  g_test_add_func ("/model/margins", test_margins);
  g_test_add_func ("/model/two-outputs", test_two_outputs);
  g_test_add_func ("/model/errors/missing-file", test_missing_file);
  g_test_add_func ("/model/errors/container", test_container_errors);
  g_test_add_func ("/model/errors/tensors", test_tensor_errors);
  g_test_add_func ("/model/errors/non-finite", test_non_finite_weight);
  g_test_add_func ("/model/errors/huge-weight", test_huge_weight);
  g_test_add_func ("/model/errors/fifo", test_fifo);
  g_test_add_func ("/model/errors/huge-files", test_huge_files);
  g_test_add_func ("/model/errors/metadata", test_metadata_errors);
  g_test_add_func ("/model/errors/graph", test_graph_errors);
  g_test_add_func ("/model/errors/every-truncation", test_every_truncation);
  g_test_add_func ("/model/errors/random-flips", test_random_flips);
  return g_test_run ();
}
