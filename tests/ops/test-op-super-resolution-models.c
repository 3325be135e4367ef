/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:super-resolution in real GEGL without a usable network: files that
 * are garbage, truncated, missing or of the wrong scale, a network whose
 * values overflow, a family member missing or damaged; and the shipped x2
 * network, once it is there; a network shared by every node of the process
 * (loaded once) and loaded again when its file changes.  The test networks
 * are sr-test-util.c's.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <utime.h>

#include <glib/gstdio.h>

#include "op-test-util.h"
#include "sr-test-util.h"
#include "test-util.h"

/* Without a usable network: one warning that names the problem, however
 * many chunks are rendered, and the image upscaled by the cubic sampler:
 * the right size, opaque, and close to the input, never black. */
static void
check_fallback (const char *fragment, int scale, const char *model)
{
  SrTestImage *image
    = sr_test_image_new (GEGL_RECTANGLE (0, 0, 20, 16), 100, TRUE);
  GeglRectangle out = sr_test_scaled (&image->rect, scale);
  GeglNode *op = op_test_graph_new (image->buffer, NULL, SR_TEST_OP, "scale",
                                    (double) scale, "model", model, NULL);
  GeglRectangle box = gegl_node_get_bounding_box (op);
  double difference = 0.0;
  float *actual;

  g_assert_true (gegl_rectangle_equal (&box, &out));
  op_test_expect_warnings (fragment);
  g_free (op_test_render (op, &out, sr_test_rgba_float ()));
  actual = op_test_render_chunks (op, &out, 9, 7, sr_test_rgba_float ());
  g_assert_cmpint (op_test_warnings_seen (), ==, 1);

  /* Cubic interpolation of random pixels stays near the nearest input
   * pixel on average; black would be 0.5 away. */
  for (int y = 0; y < out.height; y++)
    for (int x = 0; x < out.width; x++)
      {
        const float *got = actual + (y * out.width + x) * 4;
        const float *near
          = image->pixels + ((y / scale) * image->rect.width + x / scale) * 4;

        g_assert_cmpfloat_with_epsilon (got[3], 1.0f, 1e-5);
        for (int c = 0; c < 3; c++)
          {
            /* clamped, as the README says (the cubic kernel overshoots) */
            g_assert_cmpfloat (got[c], >=, 0.0f);
            g_assert_cmpfloat (got[c], <=, 1.0f);
            difference += fabsf (got[c] - near[c]);
          }
      }
  g_assert_cmpfloat (difference / sr_test_n_floats (&out, 3), <, 0.2);

  g_free (actual);
  op_test_graph_free (op);
  sr_test_image_free (image);
}

static char *
write_temp (const char *name, const void *data, gsize size)
{
  char *path = g_build_filename (sr_test_model_dir (), name, NULL);

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
  float weights[9];
  gint64 shape[4] = { 3, 3, 1, 1 };
  const char *from = "input";
  SrTestImage *image
    = sr_test_image_new (GEGL_RECTANGLE (0, 0, 12, 9), 120, FALSE);
  GeglRectangle out = sr_test_scaled (&image->rect, 2);
  GeglNode *op;
  char *path;
  float *actual;

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
  path = sr_test_save_network (b, "overflowing.safetensors");

  op = op_test_graph_new (image->buffer, NULL, SR_TEST_OP, "scale", 2.0,
                          "model", path, NULL);
  op_test_expect_warnings ("the network computed values that are not finite");
  actual = op_test_render (op, &out, sr_test_rgba_float ());
  g_assert_cmpint (op_test_warnings_seen (), ==, 1);
  for (gsize i = 0; i < sr_test_n_floats (&out, 4); i++)
    g_assert_true (isfinite (actual[i]));

  g_free (actual);
  op_test_graph_free (op);
  sr_test_image_free (image);
  g_unlink (path);
  g_free (path);
}

static void
test_bad_model_file (void)
{
  char *good = sr_test_network_path (2, "0");
  char *wrong_scale = sr_test_network_path (3, "0");
  char *missing
    = g_build_filename (sr_test_model_dir (), "missing.safetensors", NULL);
  guint8 garbage_bytes[512];
  char *garbage, *truncated, *contents;
  gsize size;

  hfsr_test_fill_random ((float *) garbage_bytes,
                         sizeof garbage_bytes / sizeof (float), 110, -1e30f,
                         1e30f);
  garbage
    = write_temp ("garbage.safetensors", garbage_bytes, sizeof garbage_bytes);
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
  char *empty = g_dir_make_tmp ("hfsr-empty-XXXXXX", NULL);
  HfsrModelVariant *installed = NULL;
  int n_installed = 0;
  char *good = sr_test_network_path (2, "0");
  char *damaged, *copy, *contents;
  gsize size;

  g_setenv ("HFSR_MODEL_PATH", empty, TRUE);
  if (!hfsr_model_find_variants ("hfsr-x4-a", "hfsr.alpha", &installed,
                                 &n_installed, NULL)
      || n_installed > 0)
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

  g_setenv ("HFSR_MODEL_PATH", sr_test_model_dir (), TRUE);
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
  char *path = hfsr_test_source_path ("models/hfsr-x2-a0.safetensors");
  GeglRectangle out = { 0, 0, 48, 40 };
  SrTestImage *image;
  HfsrModel *model;
  GeglBuffer *input;
  float *actual, *sprite;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
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

  image = sr_test_image_new (GEGL_RECTANGLE (0, 0, 24, 20), 120, TRUE);
  actual = sr_test_op_render (image->buffer, &out, sr_test_rgba_float (),
                              "model", path, NULL);
  g_assert_cmpfloat (sr_test_mean_colour (actual, &out), >, 0.2);
  g_free (actual);
  sr_test_image_free (image);

  sprite = sr_test_sprite_pixels ();
  input
    = sr_test_buffer_at (&sr_test_sprite_rect, sr_test_rgba_float (), sprite);
  out = sr_test_scaled (&sr_test_sprite_rect, 2);
  actual = sr_test_op_render (input, &out, sr_test_rgba_float (), "model",
                              path, NULL);
  for (gsize i = 0; i < sr_test_n_floats (&out, 4); i += 4)
    if (actual[i + 3] > 0.05f)
      g_assert_true (sr_test_is_red (actual + i));
  g_free (actual);
  g_object_unref (input);
  g_free (sprite);
  g_free (path);
}

/* Writes @size bytes of 'x' over @path in place (the same inode) and
 * gives it the time of change @mtime. */
static void
overwrite_keeping (const char *path, gsize size, time_t mtime)
{
  char *garbage = g_malloc (size);
  struct utimbuf times = { mtime, mtime };
  FILE *file = fopen (path, "r+b");

  memset (garbage, 'x', size);
  g_assert_nonnull (file);
  g_assert_cmpuint (fwrite (garbage, 1, size, file), ==, size);
  g_assert_cmpint (fclose (file), ==, 0);
  g_assert_cmpint (utime (path, &times), ==, 0);
  g_free (garbage);
}

/* Each node of a process finds a network another node loaded (a batch
 * makes a node per image; hfsr-upscale's workers rely on it): with the
 * file made garbage behind the op's back, but its inode, size and time
 * of change kept, a new node still upscales with the network.  A new time
 * of change makes the next node read the file again, and find it garbage. */
static void
test_network_shared_between_nodes (void)
{
  char *path = sr_test_write_mixing_network ("shared.safetensors", 3);
  SrTestImage *image
    = sr_test_image_new (GEGL_RECTANGLE (0, 0, 12, 10), 77, FALSE);
  GeglRectangle out = sr_test_scaled (&image->rect, 2);
  float *first, *again;
  GStatBuf st;

  first = sr_test_op_render (image->buffer, &out, sr_test_rgba_float (),
                             "model", path, NULL);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  overwrite_keeping (path, st.st_size, st.st_mtime);

  again = sr_test_op_render (image->buffer, &out, sr_test_rgba_float (),
                             "model", path, NULL);
  op_test_assert_identical (again, first, sr_test_n_floats (&out, 4), 4,
                            out.width);
  g_free (again);

  overwrite_keeping (path, st.st_size, st.st_mtime + 10);
  op_test_expect_warnings ("no network, upscaling with GEGL's cubic sampler");
  g_free (sr_test_op_render (image->buffer, &out, sr_test_rgba_float (),
                             "model", path, NULL));
  g_assert_cmpint (op_test_warnings_seen (), ==, 1);

  g_free (first);
  sr_test_image_free (image);
  g_unlink (path);
  g_free (path);
}

int
main (int argc, char **argv)
{
  int status = sr_test_init (&argc, &argv);

  if (status != 0)
    return status;

  g_test_add_func ("/super-resolution/bad-model-file", test_bad_model_file);
  g_test_add_func ("/super-resolution/overflowing-network",
                   test_overflowing_network);
  g_test_add_func ("/super-resolution/missing-or-damaged-family",
                   test_missing_or_damaged_family);
  g_test_add_func ("/super-resolution/trained-model", test_trained_model);
  g_test_add_func ("/super-resolution/network-shared-between-nodes",
                   test_network_shared_between_nodes);
  return sr_test_run ();
}
