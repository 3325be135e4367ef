/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parity with PyTorch: the fixtures (made by models/training/make_parity_fixture.py)
 * are small networks using every node kind, exported by hfsr_export.py, with the
 * outputs PyTorch computed in float64 on a fixed input.  The engine must match them
 * whole and tiled.  No PyTorch is needed here.
 */
#include <math.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "hfsr.h"
#include "test-util.h"

/* float32 inference of a few layers against float64 PyTorch */
#define PARITY_TOLERANCE 1e-5

/* Never written by the engine: marks floats it must leave alone. */
#define UNTOUCHED (-7.0f)

typedef struct
{
  const char *model;
  const char *io;
  int n_outputs;
  const char *output_names[2];
  gboolean global; /* output 0 depends on the whole image */
} ParityCase;

static const ParityCase parity_cases[] = {
  { "tests/engine/fixtures/parity.safetensors",
    "tests/engine/fixtures/parity-io.safetensors",
    2,
    { "output", "classes" },
    TRUE },
  { "tests/engine/fixtures/parity-local.safetensors",
    "tests/engine/fixtures/parity-local-io.safetensors",
    1,
    { "output", NULL },
    FALSE },
};

/* One [C, H, W] float32 tensor from a plain safetensors file (the committed io
 * fixtures; the engine's own loader wants a graph, these files have none). */
static HfsrTensor *
read_io_tensor (const char *relative, const char *name)
{
  g_autofree char *path = hfsr_test_source_path (relative);
  g_autofree char *contents = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  GError *error = NULL;
  gsize length = 0;
  guint64 header_length;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (length, >=, 8);
  memcpy (&header_length, contents, 8);
  header_length = GUINT64_FROM_LE (header_length);
  g_assert_cmpuint (header_length, <=, length - 8);
  json_parser_load_from_data (parser, contents + 8, (gssize) header_length,
                              &error);
  g_assert_no_error (error);

  JsonObject *header = json_node_get_object (json_parser_get_root (parser));
  g_assert_true (json_object_has_member (header, name));
  JsonObject *entry = json_object_get_object_member (header, name);
  JsonArray *shape = json_object_get_array_member (entry, "shape");
  JsonArray *offsets = json_object_get_array_member (entry, "data_offsets");
  g_assert_cmpstr (json_object_get_string_member (entry, "dtype"), ==, "F32");
  g_assert_cmpuint (json_array_get_length (shape), ==, 3);

  HfsrTensor *tensor
    = hfsr_tensor_new (json_array_get_int_element (shape, 0),
                       json_array_get_int_element (shape, 1),
                       json_array_get_int_element (shape, 2), &error);
  g_assert_no_error (error);
  gint64 begin = json_array_get_int_element (offsets, 0);
  gint64 end = json_array_get_int_element (offsets, 1);
  g_assert_cmpint (end - begin, ==, (gint64) (hfsr_tensor_size (tensor) * 4));
  g_assert_cmpint (begin, >=, 0);
  g_assert_cmpuint ((guint64) end, <=, length - 8 - header_length);

  const guint8 *bytes = (const guint8 *) contents + 8 + header_length + begin;
  for (gsize i = 0; i < hfsr_tensor_size (tensor); i++)
    {
      guint32 bits;

      memcpy (&bits, bytes + 4 * i, 4);
      bits = GUINT32_FROM_LE (bits);
      memcpy (&tensor->data[i], &bits, 4);
    }
  return tensor;
}

static HfsrModel *
load_parity_model (const ParityCase *pc)
{
  g_autofree char *path = hfsr_test_source_path (pc->model);
  GError *error = NULL;
  HfsrModel *model = hfsr_model_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (model);
  return model;
}

static void
assert_close (const char *what, const HfsrTensor *actual,
              const HfsrTensor *expected, double tolerance)
{
  g_assert_cmpint (actual->channels, ==, expected->channels);
  g_assert_cmpint (actual->height, ==, expected->height);
  g_assert_cmpint (actual->width, ==, expected->width);

  double error = hfsr_test_max_abs_diff (actual->data, expected->data,
                                         hfsr_tensor_size (expected));
  g_test_message ("%s: max abs error %.3g", what, error);
  if (error > tolerance)
    {
      /* Say where: a border-only error points at padding, a channel at a
       * layer's channel order. */
      gsize n = hfsr_tensor_size (expected);
      for (gsize i = 0; i < n; i++)
        if (!(fabs ((double) actual->data[i] - expected->data[i])
              <= tolerance))
          {
            gsize plane = (gsize) expected->height * expected->width;
            g_test_message (
              "%s: first mismatch at c=%d y=%d x=%d: %.8g, "
              "PyTorch %.8g",
              what, (int) (i / plane), (int) (i % plane / expected->width),
              (int) (i % expected->width), actual->data[i], expected->data[i]);
            break;
          }
    }
  g_assert_cmpfloat (error, <=, tolerance);
}

static void
test_model_facts (gconstpointer data)
{
  const ParityCase *pc = data;
  HfsrModel *model = load_parity_model (pc);

  g_assert_cmpint (hfsr_model_get_input_channels (model), ==, 3);
  g_assert_cmpint (hfsr_model_get_scale (model), ==, 2);
  g_assert_cmpstr (hfsr_model_get_metadata (model, "hfsr.format"), ==, "1");
  g_assert_cmpstr (hfsr_model_get_metadata (model, "hfsr.task"), ==, "test");
  g_assert_null (hfsr_model_get_metadata (model, "no.such.key"));
  g_assert_cmpint (hfsr_model_get_n_outputs (model), ==, pc->n_outputs);
  for (int i = 0; i < pc->n_outputs; i++)
    {
      HfsrTensor *expected = read_io_tensor (pc->io, pc->output_names[i]);

      g_assert_cmpstr (hfsr_model_get_output_name (model, i), ==,
                       pc->output_names[i]);
      g_assert_cmpint (hfsr_model_get_output_channels (model, i), ==,
                       expected->channels);
      hfsr_tensor_free (expected);
    }
  if (pc->global)
    g_assert_cmpint (hfsr_model_get_margin (model), ==, -1);
  else
    /* The 9x9 stride-2 transposed conv reaches 2 pixels around an output
     * pixel's footprint, the two 3x3 convs before it 2 more. */
    g_assert_cmpint (hfsr_model_get_margin (model), >=, 4);
  hfsr_model_free (model);
}

static void
test_forward (gconstpointer data)
{
  const ParityCase *pc = data;
  HfsrModel *model = load_parity_model (pc);
  HfsrTensor *input = read_io_tensor (pc->io, "input");
  HfsrTensor *outputs[2] = { NULL, NULL };
  GError *error = NULL;

  g_assert_true (hfsr_model_forward (model, input, outputs, NULL, &error));
  g_assert_no_error (error);
  for (int i = 0; i < pc->n_outputs; i++)
    {
      HfsrTensor *expected = read_io_tensor (pc->io, pc->output_names[i]);

      assert_close (pc->output_names[i], outputs[i], expected,
                    PARITY_TOLERANCE);
      hfsr_tensor_free (expected);
      hfsr_tensor_free (outputs[i]);
    }
  hfsr_tensor_free (input);
  hfsr_model_free (model);
}

typedef struct
{
  int calls;
  double last;
} ProgressLog;

static gboolean
log_progress (double fraction, gpointer user_data)
{
  ProgressLog *log = user_data;

  g_assert_cmpfloat (fraction, >=, log->last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  log->last = fraction;
  log->calls++;
  return TRUE;
}

/* An interleaved view of @input's pixels over @need (inside @image, the
 * whole input), one extra channel set to 0.25 and 5 padding floats at each
 * row's end: the input check_region hands the model.  Returns the data for
 * the caller to free. */
static float *
fill_input_view (const HfsrTensor *input, const HfsrRect *image,
                 const HfsrRect *need, HfsrImageView *view)
{
  const int in_channels = input->channels + 1;
  float *in_data;

  *view = (HfsrImageView) { NULL, in_channels,
                            (gsize) need->width * in_channels + 5, *need };
  in_data = g_new (float, (view->rowstride * need->height));
  for (int y = 0; y < need->height; y++)
    for (int x = 0; x < need->width; x++)
      {
        float *pixel = in_data + y * view->rowstride + x * in_channels;
        int iy = need->y - image->y + y, ix = need->x - image->x + x;

        for (int c = 0; c < input->channels; c++)
          pixel[c] = hfsr_tensor_plane (input, c)[iy * input->width + ix];
        pixel[input->channels] = 0.25f;
      }
  view->data = in_data;
  return in_data;
}

/* Runs output 0 over @out_rect by tiles and checks it against @expected (the
 * whole output, image origin at @image's origin times the scale): the colour
 * channels must match, the extra channel of input and output views must be
 * ignored and left alone. */
static void
check_region (const HfsrModel *model, const HfsrRect *image,
              const HfsrTensor *input, const HfsrTensor *expected,
              const HfsrRect *out_rect, int tile_size, gboolean global)
{
  const int scale = hfsr_model_get_scale (model);
  const int out_channels = expected->channels + 1;
  HfsrRect need = hfsr_model_required_input (model, out_rect, image);
  GError *error = NULL;

  g_assert_cmpint (need.x, >=, image->x);
  g_assert_cmpint (need.y, >=, image->y);
  g_assert_cmpint (need.x + need.width, <=, image->x + image->width);
  g_assert_cmpint (need.y + need.height, <=, image->y + image->height);
  if (global)
    g_assert_true (memcmp (&need, image, sizeof need) == 0);

  /* The input view holds exactly the required rectangle, so reading outside
   * it would use the wrong pixels; in_data owns its pixels. */
  HfsrImageView in_view;
  g_autofree float *in_data = fill_input_view (input, image, &need, &in_view);
  g_assert_true (in_view.data == in_data);

  HfsrImageView out_view
    = { NULL, out_channels, (gsize) out_rect->width * out_channels + 3,
        *out_rect };
  gsize out_floats = out_view.rowstride * out_rect->height;
  g_autofree float *out_data = g_new (float, out_floats);
  for (gsize i = 0; i < out_floats; i++)
    out_data[i] = UNTOUCHED;
  out_view.data = out_data;

  ProgressLog log = { 0, 0.0 };
  g_assert_true (hfsr_model_run_region (model, &in_view, image, &out_view,
                                        tile_size, NULL, log_progress, &log,
                                        &error));
  g_assert_no_error (error);
  if (tile_size > 0
      && (out_rect->width > tile_size || out_rect->height > tile_size))
    g_assert_cmpint (log.calls, >, 0);

  double worst = 0.0;
  for (int y = 0; y < out_rect->height; y++)
    for (int x = 0; x < out_rect->width; x++)
      {
        const float *pixel
          = out_data + y * out_view.rowstride + x * out_channels;
        int ey = out_rect->y - image->y * scale + y;
        int ex = out_rect->x - image->x * scale + x;

        for (int c = 0; c < expected->channels; c++)
          {
            double want
              = hfsr_tensor_plane (expected, c)[ey * expected->width + ex];
            double d = fabs (pixel[c] - want);

            if (!(d <= worst))
              worst = isnan (d) ? INFINITY : d;
          }
        g_assert_cmpfloat (pixel[expected->channels], ==, UNTOUCHED);
      }
  for (int y = 0; y < out_rect->height; y++)
    for (gsize i = (gsize) out_rect->width * out_channels;
         i < out_view.rowstride; i++)
      g_assert_cmpfloat (out_data[y * out_view.rowstride + i], ==, UNTOUCHED);

  g_test_message ("output (%d,%d %dx%d) of image (%d,%d %dx%d), tile %d: "
                  "max abs error %.3g",
                  out_rect->x, out_rect->y, out_rect->width, out_rect->height,
                  image->x, image->y, image->width, image->height, tile_size,
                  worst);
  g_assert_cmpfloat (worst, <=, PARITY_TOLERANCE);
}

static void
test_tiled (gconstpointer data)
{
  const ParityCase *pc = data;
  HfsrModel *model = load_parity_model (pc);
  HfsrTensor *input = read_io_tensor (pc->io, "input");
  HfsrTensor *expected = read_io_tensor (pc->io, pc->output_names[0]);
  const int scale = hfsr_model_get_scale (model);
  /* At the origin, and away from it (negative coordinates test the floor
   * division of output footprints). */
  const HfsrRect images[] = {
    { 0, 0, input->width, input->height },
    { -5, 3, input->width, input->height },
  };
  const int tile_sizes[] = { 1, 3, 8, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (images); i++)
    {
      const HfsrRect *image = &images[i];
      const int ox = image->x * scale, oy = image->y * scale;
      /* The whole output, an inner part at odd offsets, a corner pixel. */
      const HfsrRect out_rects[] = {
        { ox, oy, expected->width, expected->height },
        { ox + 3, oy + 5, 13, 15 },
        { ox + expected->width - 1, oy + expected->height - 1, 1, 1 },
      };

      for (guint r = 0; r < G_N_ELEMENTS (out_rects); r++)
        for (guint t = 0; t < G_N_ELEMENTS (tile_sizes); t++)
          check_region (model, image, input, expected, &out_rects[r],
                        tile_sizes[t], pc->global);
    }
  hfsr_tensor_free (expected);
  hfsr_tensor_free (input);
  hfsr_model_free (model);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (parity_cases); i++)
    {
      const ParityCase *pc = &parity_cases[i];
      g_autofree char *stem = g_path_get_basename (pc->model);
      char *dot = strchr (stem, '.');
      g_autofree char *facts = NULL, *forward = NULL, *tiled = NULL;

      *dot = '\0';
      facts = g_strdup_printf ("/parity/%s/facts", stem);
      forward = g_strdup_printf ("/parity/%s/forward", stem);
      tiled = g_strdup_printf ("/parity/%s/tiled", stem);
      g_test_add_data_func (facts, pc, test_model_facts);
      g_test_add_data_func (forward, pc, test_forward);
      g_test_add_data_func (tiled, pc, test_tiled);
    }
  return g_test_run ();
}
