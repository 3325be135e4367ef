/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What running a model costs, as the benchmarks report it: the
 * convolutions' multiply-accumulates (hfsr_model_get_conv_macs) and the
 * engine's memory accounting (hfsr_memory_*), whose peak must follow the
 * tile size and not the image size.
 */
#include <string.h>

#include "hfsr-private.h"
#include "model-builder.h"
#include "test-util.h"

static void
test_conv_macs_built (void)
{
  HfsrModel *wdsr = hfsr_model_builder_small_wdsr_x2 ();
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);
  HfsrModel *mixed;
  /* Every conv at the input's resolution: out x in x k x k each. */
  double wdsr_macs
    = 3 * 8 * 9 + 2 * (8 * 16 * 9 + 16 * 8 * 9) + 8 * 12 * 9 + 3 * 12 * 25;

  g_assert_cmpfloat (hfsr_model_get_conv_macs (wdsr), ==, wdsr_macs);

  /* A transposed convolution counts per pixel of its (x1) input; a conv
   * after it works on 4 pixels per input pixel; pixel shuffle, relu and
   * add cost nothing. */
  hfsr_model_builder_add_conv2d (b, "head", "input", 3, 4, 3, 1);
  hfsr_model_builder_add_conv_transpose2d (b, "up", "head", 4, 2, 4, 2, 1, 0,
                                           2);
  hfsr_model_builder_add_node (b, "act", "relu", "up", NULL);
  hfsr_model_builder_add_conv2d (b, "out", "act", 2, 8, 3, 3);
  hfsr_model_builder_add_node (b, "shuffled", "pixel_shuffle", "out",
                               "{\"factor\": 2}");
  mixed = hfsr_model_builder_load (b);
  g_assert_cmpint (hfsr_model_get_scale (mixed), ==, 4);
  g_assert_cmpfloat (hfsr_model_get_conv_macs (mixed), ==,
                     3 * 4 * 9 + 4 * 2 * 16 + 2 * 8 * 9 * 4);

  hfsr_model_free (mixed);
  hfsr_model_free (wdsr);
}

/* The shipped model's card states the count that the training code
 * (models/training/wdsr.py, macs_per_input_pixel) computed from the
 * PyTorch module: the engine must count the same from the file. */
static void
test_conv_macs_shipped (void)
{
  char *path = hfsr_test_source_path ("models/hfsr-x2-a0.safetensors");
  GError *error = NULL;
  HfsrModel *model;
  const char *training, *found;
  double stated;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("models/hfsr-x2-a0.safetensors is not there");
      g_free (path);
      return;
    }
  model = hfsr_model_load (path, &error);
  g_assert_no_error (error);
  training = hfsr_model_get_metadata (model, "hfsr.training");
  g_assert_nonnull (training);
  found = strstr (training, " MACs per input pixel");
  g_assert_nonnull (found);
  while (found > training && g_ascii_isdigit (found[-1]))
    found--;
  stated = g_ascii_strtod (found, NULL);
  g_assert_cmpfloat (stated, >, 0.0);
  g_assert_cmpfloat (hfsr_model_get_conv_macs (model), ==, stated);
  hfsr_model_free (model);
  g_free (path);
}

/* Scratch bytes (peak less what was held before) of one run_region over
 * the whole output of a @size x @size input with @tile. */
static gsize
run_scratch (const HfsrModel *model, int size, int tile)
{
  int s = hfsr_model_get_scale (model);
  HfsrRect image = { 0, 0, size, size };
  HfsrImageView input = { NULL, 3, (gsize) size * 3, image };
  HfsrImageView output
    = { NULL, 3, (gsize) size * s * 3, { 0, 0, size * s, size * s } };
  GError *error = NULL;
  gsize before, peak;

  input.data = g_new (float, ((gsize) size * size * 3));
  output.data = g_new (float, ((gsize) size * s * size * s * 3));
  hfsr_test_fill_random (input.data, (gsize) size * size * 3, 5, 0.0f, 1.0f);

  before = hfsr_memory_current_bytes ();
  hfsr_memory_reset_peak ();
  g_assert_cmpuint (hfsr_memory_peak_bytes (), ==, before);
  g_assert_true (hfsr_model_run_region (model, &input, &image, &output, tile,
                                        NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  peak = hfsr_memory_peak_bytes ();
  /* Everything the run allocated is given back. */
  g_assert_cmpuint (hfsr_memory_current_bytes (), ==, before);

  g_free (output.data);
  g_free (input.data);
  g_assert_cmpuint (peak, >, before);
  return peak - before;
}

/* A tile's required input is its footprint plus 6 pixels each side here.
 * Tiles of 16 output pixels (8 input) on a 64 x 64 input include interior
 * ones, whose required input is 20 x 20 as on any larger image; tiles of 64
 * (32 input) need 44 x 44, 4.84 times the area. */
static void
test_peak_follows_tile (void)
{
  HfsrModel *model = hfsr_model_builder_small_wdsr_x2 ();
  gsize small_tile = run_scratch (model, 64, 16);
  gsize large_tile = run_scratch (model, 64, 64);
  gsize larger_image = run_scratch (model, 256, 16);
  gsize held = hfsr_memory_current_bytes ();

  g_test_message ("scratch: 64^2 tile 16 %" G_GSIZE_FORMAT
                  ", tile 64 %" G_GSIZE_FORMAT
                  ", 256^2 tile 16 %" G_GSIZE_FORMAT " bytes",
                  small_tile, large_tile, larger_image);
  /* At least 16 channels over a tile's input: the body's 8 beside the
   * tail's 12 (the residual blocks' 16-channel expansion only ever exists
   * as a few rows, graph.c). */
  g_assert_cmpuint (small_tile, >=, 16 * 20 * 20 * sizeof (float));
  g_assert_cmpuint (large_tile, >=, 16 * 44 * 44 * sizeof (float));
  /* Growing with the tile by at least those 16 channels' extra area; kernel
   * scratch of a fixed size per thread (the fused Winograd kernel's block
   * buffers) comes on top of both. */
  g_assert_cmpuint (large_tile - small_tile, >=,
                    16 * (44 * 44 - 20 * 20) * sizeof (float));
  /* The same tile on 16 times the image: the same peak, within 3%. */
  g_assert_cmpuint (larger_image, <=, small_tile + small_tile * 3 / 100);
  g_assert_cmpuint (larger_image + small_tile * 3 / 100, >=, small_tile);

  hfsr_model_free (model);
  /* The weights were counted while the model lived. */
  g_assert_cmpuint (hfsr_memory_current_bytes (), <, held);
}

#define ALLOCATIONS 2000
#define ALLOCATION_FLOATS 1000

static gpointer
allocate_and_free (gpointer data)
{
  float **buffers = g_new (float *, 8);

  for (int i = 0; i < ALLOCATIONS; i++)
    {
      buffers[i % 8] = hfsr_alloc_floats (ALLOCATION_FLOATS);
      g_assert_nonnull (buffers[i % 8]);
      if (i % 8 == 7)
        for (int k = 0; k < 8; k++)
          hfsr_free_floats (buffers[k]);
    }
  g_free (buffers);
  return NULL;
}

/* GEGL runs the engine from several threads: counts must not lose
 * updates. */
static void
test_accounting_threads (void)
{
  gsize before = hfsr_memory_current_bytes ();
  gsize buffer_bytes = ALLOCATION_FLOATS * sizeof (float);
  GThread *threads[4];
  float *probe;

  hfsr_memory_reset_peak ();
  probe = hfsr_alloc_floats (ALLOCATION_FLOATS);
  g_assert_cmpuint (hfsr_memory_current_bytes (), ==, before + buffer_bytes);
  g_assert_cmpuint (hfsr_memory_peak_bytes (), ==, before + buffer_bytes);
  hfsr_free_floats (probe);
  g_assert_cmpuint (hfsr_memory_current_bytes (), ==, before);
  g_assert_cmpuint (hfsr_memory_peak_bytes (), ==, before + buffer_bytes);
  hfsr_memory_reset_peak ();
  g_assert_cmpuint (hfsr_memory_peak_bytes (), ==, before);

  for (int t = 0; t < 4; t++)
    threads[t] = g_thread_new ("allocate", allocate_and_free, NULL);
  for (int t = 0; t < 4; t++)
    g_thread_join (threads[t]);

  g_assert_cmpuint (hfsr_memory_current_bytes (), ==, before);
  /* Each thread held 8 buffers at a time; four did so together at most. */
  g_assert_cmpuint (hfsr_memory_peak_bytes (), >=, before + 8 * buffer_bytes);
  g_assert_cmpuint (hfsr_memory_peak_bytes (), <=,
                    before + 4 * 8 * buffer_bytes);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  hfsr_test_set_threads (1);
  g_test_add_func ("/cost/conv-macs/built", test_conv_macs_built);
  g_test_add_func ("/cost/conv-macs/shipped", test_conv_macs_shipped);
  g_test_add_func ("/cost/memory/peak-follows-tile", test_peak_follows_tile);
  g_test_add_func ("/cost/memory/threads", test_accounting_threads);
  return g_test_run ();
}
