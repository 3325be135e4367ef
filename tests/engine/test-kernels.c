/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fast kernels (engine/kernels) against their naive twins
 * (reference.c) on random shapes, odd sizes and sub-matrix strides included.
 */
#include <math.h>
#include <string.h>

#include "hfsr-private.h"
#include "kernels/kernels.h"
#include "reference.h"
#include "test-util.h"

/* Fixed seeds: a failure reproduces on every run. */
#define SEED 20260101u

static double
max_abs (const float *data, gsize n)
{
  double worst = 0.0;

  for (gsize i = 0; i < n; i++)
    worst = MAX (worst, fabs (data[i]));
  return worst;
}

static gboolean
close_enough (const float *fast, const float *reference, gsize n,
              double relative)
{
  double tolerance = relative * MAX (1.0, max_abs (reference, n));

  return hfsr_test_max_abs_diff (fast, reference, n) <= tolerance;
}

/* A random geometry, not necessarily a convolution's own: any grid over any
 * image, so taps fall off every edge. */
static HfsrConvGeometry
random_geometry (GRand *rand)
{
  HfsrConvGeometry g;

  g.channels = g_rand_int_range (rand, 1, 6);
  g.image_height = g_rand_int_range (rand, 1, 24);
  g.image_width = g_rand_int_range (rand, 1, 24);
  g.kernel_h = g_rand_int_range (rand, 1, 10);
  g.kernel_w = g_rand_int_range (rand, 1, 10);
  g.stride = g_rand_int_range (rand, 1, 5);
  g.pad_h = g_rand_int_range (rand, 0, g.kernel_h + 1);
  g.pad_w = g_rand_int_range (rand, 0, g.kernel_w + 1);
  g.grid_height = g_rand_int_range (rand, 1, g.image_height / g.stride + 4);
  g.grid_width = g_rand_int_range (rand, 1, g.image_width / g.stride + 4);
  return g;
}

static void
test_im2col (void)
{
  GRand *rand = g_rand_new_with_seed (SEED);

  for (int iteration = 0; iteration < 300; iteration++)
    {
      HfsrConvGeometry g = random_geometry (rand);
      int first_row = g_rand_int_range (rand, 0, g.grid_height);
      int n_rows = g_rand_int_range (rand, 1, g.grid_height - first_row + 1);
      gsize image_size = (gsize) g.channels * g.image_height * g.image_width;
      gsize columns_size
        = (gsize) g.channels * g.kernel_h * g.kernel_w * n_rows * g.grid_width;
      float *image = g_new (float, image_size);
      float *fast = g_new (float, columns_size);
      float *naive = g_new (float, columns_size);

      hfsr_test_fill_random (image, image_size, iteration, -1.0f, 1.0f);
      /* NaN everywhere first: an element the kernel forgets shows up. */
      for (gsize i = 0; i < columns_size; i++)
        fast[i] = NAN;
      hfsr_im2col (&g, image, first_row, n_rows, fast);
      hfsr_ref_im2col (image, g.channels, g.image_height, g.image_width,
                       g.kernel_h, g.kernel_w, g.stride, g.pad_h, g.pad_w,
                       g.grid_width, first_row, n_rows, naive);
      /* A copy: exact. */
      g_assert_cmpfloat (hfsr_test_max_abs_diff (fast, naive, columns_size),
                         ==, 0.0);
      g_free (image);
      g_free (fast);
      g_free (naive);
    }
  g_rand_free (rand);
}

static void
test_col2im (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 1);

  for (int iteration = 0; iteration < 300; iteration++)
    {
      HfsrConvGeometry g = random_geometry (rand);
      int first_row = g_rand_int_range (rand, 0, g.grid_height);
      int n_rows = g_rand_int_range (rand, 1, g.grid_height - first_row + 1);
      gsize image_size = (gsize) g.channels * g.image_height * g.image_width;
      gsize columns_size
        = (gsize) g.channels * g.kernel_h * g.kernel_w * n_rows * g.grid_width;
      float *columns = g_new (float, columns_size);
      float *fast = g_new (float, image_size);
      float *naive = g_new (float, image_size);

      hfsr_test_fill_random (columns, columns_size, iteration, -1.0f, 1.0f);
      /* A non-zero start: col2im adds to what is there. */
      hfsr_test_fill_random (fast, image_size, iteration + 7, -1.0f, 1.0f);
      memcpy (naive, fast, image_size * sizeof (float));
      hfsr_col2im (&g, columns, first_row, n_rows, fast);
      hfsr_ref_col2im (columns, g.channels, g.image_height, g.image_width,
                       g.kernel_h, g.kernel_w, g.stride, g.pad_h, g.pad_w,
                       g.grid_width, first_row, n_rows, naive);
      g_assert_true (close_enough (fast, naive, image_size, 1e-6));
      g_free (columns);
      g_free (fast);
      g_free (naive);
    }
  g_rand_free (rand);
}

/* col2im is im2col's adjoint: <im2col(x), y> = <x, col2im(y)> for any x, y.
 * Checks the pair against each other, independently of the twins. */
static void
test_im2col_adjoint (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 2);

  for (int iteration = 0; iteration < 100; iteration++)
    {
      HfsrConvGeometry g = random_geometry (rand);
      gsize image_size = (gsize) g.channels * g.image_height * g.image_width;
      gsize columns_size = (gsize) g.channels * g.kernel_h * g.kernel_w
                           * g.grid_height * g.grid_width;
      float *x = g_new (float, image_size);
      float *y = g_new (float, columns_size);
      float *x_columns = g_new (float, columns_size);
      float *y_image = g_new0 (float, image_size);
      double left = 0.0, right = 0.0, scale = 0.0;

      hfsr_test_fill_random (x, image_size, iteration, -1.0f, 1.0f);
      hfsr_test_fill_random (y, columns_size, iteration + 1, -1.0f, 1.0f);
      hfsr_im2col (&g, x, 0, g.grid_height, x_columns);
      hfsr_col2im (&g, y, 0, g.grid_height, y_image);
      for (gsize i = 0; i < columns_size; i++)
        {
          left += (double) x_columns[i] * y[i];
          scale += fabs ((double) x_columns[i] * y[i]);
        }
      for (gsize i = 0; i < image_size; i++)
        right += (double) x[i] * y_image[i];
      g_assert_cmpfloat (fabs (left - right), <=, 1e-5 * MAX (scale, 1.0));
      g_free (x);
      g_free (y);
      g_free (x_columns);
      g_free (y_image);
    }
  g_rand_free (rand);
}

static void
test_band_rows (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 3);
  /* 4096 channels of 9x9 over 1000 columns: one row's columns alone exceed
   * any sensible budget, so bands must shrink to a single row. */
  HfsrConvGeometry huge = {
    .channels = 4096,
    .image_height = 1000,
    .image_width = 1000,
    .kernel_h = 9,
    .kernel_w = 9,
    .stride = 1,
    .pad_h = 4,
    .pad_w = 4,
    .grid_height = 1000,
    .grid_width = 1000,
  };
  HfsrConvGeometry big = huge;

  g_assert_cmpint (hfsr_conv_band_rows (&huge), ==, 1);
  /* 64 channels of 3x3 over 1000 x 1000: many bands, each far below the
   * whole 576-million-float column matrix. */
  big.channels = 64;
  big.kernel_h = big.kernel_w = 3;
  g_assert_cmpint (hfsr_conv_band_rows (&big), >, 1);
  g_assert_cmpint (hfsr_conv_band_rows (&big), <, 100);

  for (int iteration = 0; iteration < 200; iteration++)
    {
      HfsrConvGeometry g = random_geometry (rand);
      int rows = hfsr_conv_band_rows (&g);

      g_assert_cmpint (rows, >=, 1);
      g_assert_cmpint (rows, <=, g.grid_height);
    }
  g_rand_free (rand);
}

static void
test_gemm (void)
{
  GRand *rand = g_rand_new_with_seed (SEED + 4);

  for (int iteration = 0; iteration < 300; iteration++)
    {
      gboolean transpose_a = g_rand_boolean (rand);
      gboolean accumulate = g_rand_boolean (rand);
      int m = g_rand_int_range (rand, 1, 70);
      int n = g_rand_int_range (rand, 1, 70);
      int k = g_rand_int_range (rand, 1, 300);
      int ldb = n + g_rand_int_range (rand, 0, 5);
      int ldc = n + g_rand_int_range (rand, 0, 5);
      gsize c_size = (gsize) m * ldc;
      float *a = g_new (float, ((gsize) m * k));
      float *b = g_new (float, ((gsize) k * ldb));
      float *fast = g_new (float, c_size);
      float *naive = g_new (float, c_size);

      hfsr_test_fill_random (a, (gsize) m * k, iteration, -1.0f, 1.0f);
      hfsr_test_fill_random (b, (gsize) k * ldb, iteration + 1, -1.0f, 1.0f);
      /* The gaps between C's rows hold values the GEMM must not touch. */
      hfsr_test_fill_random (fast, c_size, iteration + 2, -1.0f, 1.0f);
      memcpy (naive, fast, c_size * sizeof (float));
      hfsr_gemm (transpose_a, m, n, k, a, b, ldb, fast, ldc, accumulate);
      hfsr_ref_gemm (transpose_a, m, n, k, a, b, ldb, naive, ldc, accumulate);
      if (!close_enough (fast, naive, c_size, 1e-5))
        g_test_fail_printf ("gemm m=%d n=%d k=%d ldb=%d ldc=%d trans=%d "
                            "acc=%d: max diff %g",
                            m, n, k, ldb, ldc, transpose_a, accumulate,
                            hfsr_test_max_abs_diff (fast, naive, c_size));
      g_free (a);
      g_free (b);
      g_free (fast);
      g_free (naive);
    }
  g_rand_free (rand);
}

static void
test_fill_rows (void)
{
  float values[3] = { 1.5f, -2.0f, 0.25f };
  float c[3 * 6];

  for (gsize i = 0; i < G_N_ELEMENTS (c); i++)
    c[i] = 9.0f;
  hfsr_fill_rows (c, 3, 4, 6, values);
  for (int r = 0; r < 3; r++)
    for (int x = 0; x < 6; x++)
      g_assert_cmpfloat (c[r * 6 + x], ==, x < 4 ? values[r] : 9.0f);

  hfsr_fill_rows (c, 3, 4, 6, NULL);
  for (int r = 0; r < 3; r++)
    for (int x = 0; x < 6; x++)
      g_assert_cmpfloat (c[r * 6 + x], ==, x < 4 ? 0.0f : 9.0f);
}

/* Image sizes around the 4x4 tile (1 to 8, then ragged and whole
 * multiples) and channel counts from one to WDSR-A's expansion, with
 * counts that are not multiples of the fused kernel's 8-channel blocks or
 * 16-lane vectors. */
static const int winograd_sizes[] = { 1, 2, 3, 4, 5, 7, 8, 13, 37, 64 };
static const int winograd_channels[] = { 1, 3, 5, 17, 32, 33, 128, 130 };

/* How far a Winograd path may be from its naive twin, as a share of 1 +
 * the reference's largest magnitude.  Float paths: the naive convolution,
 * which Winograd matches within its own rounding.  The BF16 path: the
 * naive BF16 Winograd (hfsr_ref_winograd_bf16_conv3x3), which rounds the
 * same values to bfloat16 but computes the rest in double; the float
 * arithmetic before the rounding can land a value on the other side of a
 * bfloat16 step now and then.  (Against the plain convolution the BF16
 * path is up to 16 % of the scale off on random weights: F(4x4, 3x3)'s
 * transforms magnify the products' rounding.  Trained networks lose
 * 0.005 dB or less: engine/README.md.) */
static double
winograd_tolerance (HfsrKernelPath path)
{
  return path == HFSR_KERNEL_AVX512_BF16 ? 5e-3 : 1e-4;
}

/* The naive twin of @path's 3x3 convolution with padding 1. */
static void
naive_conv3x3 (HfsrKernelPath path, const float *input, int in_channels,
               int height, int width, const float *weight, int out_channels,
               const float *bias, float *output)
{
  if (path == HFSR_KERNEL_AVX512_BF16)
    hfsr_ref_winograd_bf16_conv3x3 (input, in_channels, height, width, weight,
                                    out_channels, bias, output);
  else
    hfsr_ref_conv2d (input, in_channels, height, width, weight, out_channels,
                     3, 3, bias, output);
}

/* The largest error seen, as a share of the tolerance's scale (1 + the
 * reference's largest magnitude), reported at the end. */
typedef struct
{
  double worst_relative;
  double worst_absolute;
  char *worst_case;
  int n_cases;
} WinogradErrors;

/* One Winograd convolution against hfsr_ref_conv2d (then hfsr_ref_relu
 * when @relu): @path HFSR_KERNEL_BLAS is the GEMM-based kernel, with the
 * output pre-filled with the bias as the layer does and scratch exactly as
 * large as hfsr_winograd_scratch_size says, so a sanitizer sees any
 * overrun; the others are the fused kernel's bodies, whose output starts as
 * NaN so that a pixel it forgets shows.  Guard floats after the output
 * must stay untouched. */
static void
check_winograd (HfsrKernelPath path, gboolean relu, int in_channels,
                int out_channels, int height, int width, guint32 seed,
                WinogradErrors *errors)
{
  gsize plane = (gsize) height * width;
  gsize n_out = (gsize) out_channels * plane;
  float *input = g_new (float, ((gsize) in_channels * plane));
  float *weight = g_new (float, ((gsize) out_channels * in_channels * 9));
  float *bias = g_new (float, out_channels);
  float *fast = g_new (float, n_out + 16);
  float *naive = g_new (float, n_out);
  double diff, scale;

  hfsr_test_fill_random (input, (gsize) in_channels * plane, seed, -1.0f,
                         1.0f);
  hfsr_test_fill_random (weight, (gsize) out_channels * in_channels * 9,
                         seed + 1, -1.0f, 1.0f);
  hfsr_test_fill_random (bias, out_channels, seed + 2, -1.0f, 1.0f);
  for (int i = 0; i < 16; i++)
    fast[n_out + i] = -7.25f;

  if (path == HFSR_KERNEL_BLAS)
    {
      gsize scratch_size = hfsr_winograd_scratch_size (
        in_channels, out_channels, height, width);
      float *scratch;

      g_assert_cmpuint (scratch_size, >, 0);
      scratch = g_new (float, scratch_size);
      hfsr_fill_rows (fast, out_channels, (int) plane, (int) plane, bias);
      hfsr_winograd_conv3x3 (weight, in_channels, out_channels, input, height,
                             width, scratch, fast);
      if (relu)
        hfsr_relu_floats (fast, fast, n_out);
      g_free (scratch);
    }
  else
    {
      float *packed
        = hfsr_winograd_fused_pack (weight, in_channels, out_channels);

      g_assert_nonnull (packed);
      for (gsize i = 0; i < n_out; i++)
        fast[i] = NAN;
      g_assert_true (hfsr_winograd_fused_conv3x3 (
        path, packed, bias, relu, in_channels, out_channels, input, height,
        width, fast, NULL));
      hfsr_free_floats (packed);
    }
  naive_conv3x3 (path, input, in_channels, height, width, weight, out_channels,
                 bias, naive);
  if (relu)
    hfsr_ref_relu (naive, n_out, naive);

  diff = hfsr_test_max_abs_diff (fast, naive, n_out);
  scale = 1.0 + max_abs (naive, n_out);
  if (!(diff <= winograd_tolerance (path) * scale))
    g_test_fail_printf ("winograd path %d relu %d %d->%d %dx%d: max abs "
                        "diff %g, tolerance %g",
                        path, relu, in_channels, out_channels, height, width,
                        diff, winograd_tolerance (path) * scale);
  for (int i = 0; i < 16; i++)
    if (fast[n_out + i] != -7.25f)
      g_test_fail_printf ("winograd path %d %d->%d %dx%d wrote past its "
                          "output",
                          path, in_channels, out_channels, height, width);
  if (diff / scale > errors->worst_relative)
    {
      errors->worst_relative = diff / scale;
      errors->worst_absolute = diff;
      g_free (errors->worst_case);
      errors->worst_case = g_strdup_printf ("%d->%d %dx%d", in_channels,
                                            out_channels, height, width);
    }
  errors->n_cases++;
  g_free (input);
  g_free (weight);
  g_free (bias);
  g_free (fast);
  g_free (naive);
}

static int
pick (GRand *rand, const int *values, int n_values)
{
  return values[g_rand_int_range (rand, 0, n_values)];
}

/* Every size pair and every channel pair through one Winograd path. */
static void
test_winograd_path (gconstpointer data)
{
  HfsrKernelPath path = GPOINTER_TO_INT (data);
  GRand *rand = g_rand_new_with_seed (SEED + 5);
  int n_sizes = G_N_ELEMENTS (winograd_sizes);
  int n_channels = G_N_ELEMENTS (winograd_channels);
  WinogradErrors errors = { 0 };
  guint32 seed = 1000;

  if (!hfsr_kernel_path_supported (path))
    {
      g_test_skip ("this CPU lacks the instructions of this path");
      g_rand_free (rand);
      return;
    }
  /* The path runs its own code, not a slower one that also passes. */
  if (path != HFSR_KERNEL_BLAS)
    g_assert_cmpstr (hfsr_winograd_fused_instructions (path), ==,
                     path == HFSR_KERNEL_AVX512        ? "avx512"
                     : path == HFSR_KERNEL_AVX2        ? "avx2"
                     : path == HFSR_KERNEL_AVX512_BF16 ? "avx512-bf16"
                                                       : "generic");

  /* Every height against every width, with the small channel counts,
   * ReLU on every other case. */
  for (int i = 0; i < n_sizes; i++)
    for (int j = 0; j < n_sizes; j++)
      check_winograd (path, (i + j) % 2, pick (rand, winograd_channels, 5),
                      pick (rand, winograd_channels, 5), winograd_sizes[i],
                      winograd_sizes[j], seed += 3, &errors);

  /* Every channel pair on random sizes, kept to a few million naive
   * multiply-adds each. */
  for (int i = 0; i < n_channels; i++)
    for (int j = 0; j < n_channels; j++)
      {
        int in = winograd_channels[i], out = winograd_channels[j];
        int height, width;

        do
          {
            height = pick (rand, winograd_sizes, n_sizes);
            width = pick (rand, winograd_sizes, n_sizes);
          }
        while ((gint64) in * out * height * width > 400000);
        check_winograd (path, (i + j) % 2, in, out, height, width, seed += 3,
                        &errors);
      }

  /* WDSR-A's two convolutions on ragged sizes large enough for several
   * bands of tiles, and rows wide enough for blocks of 16 tiles that lie
   * wholly inside the image (the fused kernel's direct loads and stores)
   * beside short and clipped ones. */
  check_winograd (path, TRUE, 32, 128, 37, 64, seed += 3, &errors);
  check_winograd (path, FALSE, 128, 32, 64, 37, seed += 3, &errors);
  check_winograd (path, TRUE, 32, 128, 13, 150, seed += 3, &errors);
  check_winograd (path, FALSE, 130, 17, 9, 137, seed += 3, &errors);
  check_winograd (path, TRUE, 3, 5, 21, 262, seed += 3, &errors);

  g_test_message ("winograd path %d: %d cases, largest error %.3g of "
                  "(1 + max |ref|) (%.3g absolute), in %s",
                  path, errors.n_cases, errors.worst_relative,
                  errors.worst_absolute, errors.worst_case);
  g_free (errors.worst_case);
  g_rand_free (rand);
}

/* The fused kernel splits blocks of tiles over the engine's threads: any
 * thread count gives the same bits. */
static void
test_winograd_threads (void)
{
  static const int shapes[][4] = { { 32, 128, 41, 37 },
                                   { 128, 32, 13, 64 },
                                   { 5, 3, 7, 5 },
                                   { 33, 17, 1, 130 } };
  int threads_before = hfsr_run_threads ();
  HfsrKernelPath path = hfsr_kernel_path ();

  for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      int in = shapes[s][0], out = shapes[s][1];
      int height = shapes[s][2], width = shapes[s][3];
      gsize n_in = (gsize) in * height * width;
      gsize n_out = (gsize) out * height * width;
      float *input = g_new (float, n_in);
      float *weight = g_new (float, ((gsize) out * in * 9));
      float *bias = g_new (float, out);
      float *one = g_new (float, n_out);
      float *many = g_new (float, n_out);

      hfsr_test_fill_random (input, n_in, 50 + s, -1.0f, 1.0f);
      hfsr_test_fill_random (weight, (gsize) out * in * 9, 60 + s, -1.0f,
                             1.0f);
      hfsr_test_fill_random (bias, out, 70 + s, -1.0f, 1.0f);
      float *packed;

      hfsr_test_set_threads (1);
      packed = hfsr_winograd_fused_pack (weight, in, out);
      g_assert_true (hfsr_winograd_fused_conv3x3 (
        path, packed, bias, TRUE, in, out, input, height, width, one, NULL));
      hfsr_free_floats (packed);
      for (int threads = 2; threads <= 3; threads++)
        {
          hfsr_test_set_threads (threads);
          g_assert_cmpint (hfsr_parallel_workers (), ==, threads);
          /* packing shares out the output blocks too */
          packed = hfsr_winograd_fused_pack (weight, in, out);
          g_assert_true (hfsr_winograd_fused_conv3x3 (path, packed, bias, TRUE,
                                                      in, out, input, height,
                                                      width, many, NULL));
          hfsr_free_floats (packed);
          g_assert_cmpint (memcmp (one, many, n_out * sizeof (float)), ==, 0);
        }
      g_free (input);
      g_free (weight);
      g_free (bias);
      g_free (one);
      g_free (many);
    }
  hfsr_test_set_threads (threads_before);
}

/* A residual block's weights: two 3x3 convolutions, @channels -> @mid with
 * a ReLU and @mid -> @channels, as the naive reference takes them and packed
 * for the fused kernels.  check_residual runs one block through three ways,
 * so they live together. */
typedef struct
{
  int channels, mid;
  float *w_expand, *w_reduce, *b_expand, *b_reduce;
  float *p_expand, *p_reduce;
} ResidualWeights;

/* Random weights from @seed + 1 to @seed + 4 (@seed is the input's). */
static void
residual_weights_init (ResidualWeights *w, int channels, int mid, guint32 seed)
{
  w->channels = channels;
  w->mid = mid;
  w->w_expand = g_new (float, ((gsize) mid * channels * 9));
  w->w_reduce = g_new (float, ((gsize) channels * mid * 9));
  w->b_expand = g_new (float, mid);
  w->b_reduce = g_new (float, channels);
  hfsr_test_fill_random (w->w_expand, (gsize) mid * channels * 9, seed + 1,
                         -0.5f, 0.5f);
  hfsr_test_fill_random (w->w_reduce, (gsize) channels * mid * 9, seed + 2,
                         -0.5f, 0.5f);
  hfsr_test_fill_random (w->b_expand, mid, seed + 3, -0.5f, 0.5f);
  hfsr_test_fill_random (w->b_reduce, channels, seed + 4, -0.5f, 0.5f);
  w->p_expand = hfsr_winograd_fused_pack (w->w_expand, channels, mid);
  w->p_reduce = hfsr_winograd_fused_pack (w->w_reduce, mid, channels);
  g_assert_nonnull (w->p_expand);
  g_assert_nonnull (w->p_reduce);
}

static void
residual_weights_clear (ResidualWeights *w)
{
  float *unpacked[] = { w->w_expand, w->w_reduce, w->b_expand, w->b_reduce };

  hfsr_free_floats (w->p_expand);
  hfsr_free_floats (w->p_reduce);
  for (gsize i = 0; i < G_N_ELEMENTS (unpacked); i++)
    g_free (unpacked[i]);
}

/* The block as the two fused convolutions and the addition one by one, on
 * one thread: what hfsr_winograd_fused_residual must equal bit for bit. */
static void
residual_one_by_one (HfsrKernelPath path, const ResidualWeights *w,
                     const float *input, int height, int width, float *output)
{
  gsize n = (gsize) w->channels * height * width;
  float *middle = g_new (float, ((gsize) w->mid * height * width));

  hfsr_test_set_threads (1);
  g_assert_true (hfsr_winograd_fused_conv3x3 (path, w->p_expand, w->b_expand,
                                              TRUE, w->channels, w->mid, input,
                                              height, width, middle, NULL));
  g_assert_true (hfsr_winograd_fused_conv3x3 (
    path, w->p_reduce, w->b_reduce, FALSE, w->mid, w->channels, middle, height,
    width, output, NULL));
  for (gsize i = 0; i < n; i++)
    output[i] = input[i] + output[i];
  g_free (middle);
}

/* The block through the naive convolutions, which Winograd matches only
 * within a tolerance. */
static void
residual_naive (HfsrKernelPath path, const ResidualWeights *w,
                const float *input, int height, int width, float *output)
{
  gsize n = (gsize) w->channels * height * width;
  gsize n_mid = (gsize) w->mid * height * width;
  float *naive_middle = g_new (float, n_mid);

  naive_conv3x3 (path, input, w->channels, height, width, w->w_expand, w->mid,
                 w->b_expand, naive_middle);
  hfsr_ref_relu (naive_middle, n_mid, naive_middle);
  naive_conv3x3 (path, naive_middle, w->mid, height, width, w->w_reduce,
                 w->channels, w->b_reduce, output);
  for (gsize i = 0; i < n; i++)
    output[i] += input[i];
  g_free (naive_middle);
}

/* A residual block through hfsr_winograd_fused_residual on @path and
 * @threads threads, out of place and in place, against (a) the two fused
 * convolutions and the addition one by one, which it must equal bit for
 * bit, and (b) the naive convolutions, within the Winograd tolerance.  The
 * sizes reach one tile row (the band logic's short cases), bands of every
 * length, rows that are not whole tiles and widths below a vector. */
static void
check_residual (HfsrKernelPath path, int threads, int channels, int mid,
                int height, int width, guint32 seed)
{
  gsize n = (gsize) channels * height * width;
  float *input = g_new (float, n);
  float *separate = g_new (float, n);
  float *fused = g_new (float, n + 16);
  float *in_place = g_new (float, n);
  float *naive = g_new (float, n);
  ResidualWeights w;
  double diff, scale, tolerance;

  hfsr_test_fill_random (input, n, seed, -1.0f, 1.0f);
  residual_weights_init (&w, channels, mid, seed);
  residual_one_by_one (path, &w, input, height, width, separate);

  hfsr_test_set_threads (threads);
  for (gsize i = 0; i < n; i++)
    fused[i] = NAN;
  for (int i = 0; i < 16; i++)
    fused[n + i] = -7.25f;
  g_assert_true (hfsr_winograd_fused_residual (
    path, w.p_expand, w.b_expand, mid, w.p_reduce, w.b_reduce, channels, input,
    height, width, fused, NULL));
  memcpy (in_place, input, n * sizeof (float));
  g_assert_true (hfsr_winograd_fused_residual (
    path, w.p_expand, w.b_expand, mid, w.p_reduce, w.b_reduce, channels,
    in_place, height, width, in_place, NULL));
  hfsr_test_set_threads (1);
  if (memcmp (fused, separate, n * sizeof (float)) != 0
      || memcmp (in_place, separate, n * sizeof (float)) != 0)
    g_test_fail_printf ("residual path %d, %d threads, %d->%d->%d %dx%d: "
                        "differs from the convolutions one by one (out of "
                        "place %d, in place %d)",
                        path, threads, channels, mid, channels, height, width,
                        memcmp (fused, separate, n * sizeof (float)) != 0,
                        memcmp (in_place, separate, n * sizeof (float)) != 0);
  for (int i = 0; i < 16; i++)
    if (fused[n + i] != -7.25f)
      g_test_fail_printf ("residual %dx%d wrote past its output", height,
                          width);

  residual_naive (path, &w, input, height, width, naive);
  diff = hfsr_test_max_abs_diff (fused, naive, n);
  scale = 1.0 + max_abs (naive, n);
  /* BF16: two convolutions, the second fed the first's own values, whose
   * bfloat16 steps differ from the twin's here and there, and 128 channels
   * of such differences add up (measured worst 2.3e-2 of the scale): a
   * bound that still catches a wrong product; the convolutions alone are
   * held to the tight tolerance (test_winograd_path) and the block to them
   * bit for bit (above). */
  tolerance = (path == HFSR_KERNEL_AVX512_BF16 ? 10 : 1)
              * winograd_tolerance (path) * scale;
  if (!(diff <= tolerance))
    g_test_fail_printf ("residual path %d %d->%d->%d %dx%d: max abs diff "
                        "%g from the naive block, tolerance %g",
                        path, channels, mid, channels, height, width, diff,
                        tolerance);

  residual_weights_clear (&w);
  g_free (input);
  g_free (separate);
  g_free (fused);
  g_free (in_place);
  g_free (naive);
}

static void
test_residual (void)
{
  static const HfsrKernelPath paths[]
    = { HFSR_KERNEL_GENERIC, HFSR_KERNEL_AVX2, HFSR_KERNEL_AVX512,
        HFSR_KERNEL_AVX512_BF16 };
  /* channels, expansion, height, width */
  static const int shapes[][4] = {
    { 1, 1, 1, 1 },      { 3, 5, 4, 4 },    { 2, 9, 5, 17 },
    { 5, 3, 9, 3 },      { 8, 16, 13, 64 }, { 17, 33, 23, 70 },
    { 32, 128, 37, 41 }, { 4, 8, 41, 150 },
  };
  int threads_before = hfsr_run_threads ();
  guint32 seed = 5000;

  for (gsize p = 0; p < G_N_ELEMENTS (paths); p++)
    {
      if (!hfsr_kernel_path_supported (paths[p]))
        {
          g_test_message ("residual: path %d not on this CPU", paths[p]);
          continue;
        }
      for (gsize s = 0; s < G_N_ELEMENTS (shapes); s++)
        for (int threads = 1; threads <= 4; threads++)
          check_residual (paths[p], threads, shapes[s][0], shapes[s][1],
                          shapes[s][2], shapes[s][3], seed += 7);
    }
  hfsr_test_set_threads (threads_before);
}

/* HFSR_KERNEL forces a path the CPU has; anything else leaves the
 * automatic choice, which is never the BLAS comparison path.  The
 * environment is read once: setting it later changes nothing. */
static void
test_kernel_path (void)
{
  HfsrKernelPath automatic = hfsr_kernel_path_for (NULL);
  HfsrKernelPath first = hfsr_kernel_path ();

  g_assert_true (hfsr_kernel_path_supported (automatic));
  g_assert_cmpint (automatic, !=, HFSR_KERNEL_BLAS);
  g_assert_cmpint (first, ==, hfsr_kernel_path_for (g_getenv ("HFSR_KERNEL")));
  g_assert_cmpint (hfsr_kernel_path_for ("generic"), ==, HFSR_KERNEL_GENERIC);
  g_assert_cmpint (hfsr_kernel_path_for ("blas"), ==, HFSR_KERNEL_BLAS);
  g_assert_cmpint (hfsr_kernel_path_for ("avx2"), ==,
                   hfsr_kernel_path_supported (HFSR_KERNEL_AVX2)
                     ? HFSR_KERNEL_AVX2
                     : automatic);
  g_assert_cmpint (hfsr_kernel_path_for ("avx1024"), ==, automatic);
  /* BF16 only when asked for, and only where the CPU has it. */
  g_assert_cmpint (automatic, !=, HFSR_KERNEL_AVX512_BF16);
  g_assert_cmpint (hfsr_kernel_path_for ("avx512-bf16"), ==,
                   hfsr_kernel_path_supported (HFSR_KERNEL_AVX512_BF16)
                     ? HFSR_KERNEL_AVX512_BF16
                     : automatic);
  if (hfsr_kernel_path_supported (HFSR_KERNEL_AVX512_BF16))
    g_assert_true (hfsr_kernel_path_supported (HFSR_KERNEL_AVX512));
  g_setenv ("HFSR_KERNEL", first == HFSR_KERNEL_BLAS ? "generic" : "blas",
            TRUE);
  g_assert_cmpint (hfsr_kernel_path (), ==, first);
  g_unsetenv ("HFSR_KERNEL");
}

static void
test_relu_floats (void)
{
  float source[] = { -1.0f, 0.0f, -0.0f, 2.5f, NAN, -INFINITY, INFINITY };
  float expected[] = { 0.0f, 0.0f, 0.0f, 2.5f, 0.0f, 0.0f, INFINITY };
  float target[G_N_ELEMENTS (source)];

  hfsr_relu_floats (source, target, G_N_ELEMENTS (source));
  /* Bits, so that -0 coming out as -0 fails. */
  g_assert_cmpint (memcmp (target, expected, sizeof target), ==, 0);
  hfsr_relu_floats (source, source, G_N_ELEMENTS (source));
  g_assert_cmpint (memcmp (source, expected, sizeof source), ==, 0);
}

/* Scratch depends on the channel counts, not on the image: past some size
 * the band stops growing. */
static void
test_winograd_scratch (void)
{
  int counts[][2]
    = { { 32, 128 }, { 128, 32 }, { 3, 32 }, { 1, 1 }, { 4096, 4096 } };

  for (gsize i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      int in = counts[i][0], out = counts[i][1];
      gsize weights = (gsize) 36 * in * out;
      gsize large = hfsr_winograd_scratch_size (in, out, 4000, 4000);
      gsize huge = hfsr_winograd_scratch_size (in, out, 100000, 100000);

      g_assert_cmpuint (large, ==, huge);
      /* Beyond the weights, a band of at most a few million floats (or one
       * tile's worth for channel counts that exceed any budget). */
      g_assert_cmpuint (large - weights, <=,
                        MAX ((gsize) 1 << 22, (gsize) 36 * (in + out)));
      g_assert_cmpuint (hfsr_winograd_scratch_size (in, out, 1, 1), <=, large);
    }
  /* Sizes that overflow say so instead of wrapping. */
  g_assert_cmpuint (hfsr_winograd_scratch_size (G_MAXINT, G_MAXINT, 8, 8), ==,
                    0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/kernels/im2col", test_im2col);
  g_test_add_func ("/kernels/col2im", test_col2im);
  g_test_add_func ("/kernels/im2col-adjoint", test_im2col_adjoint);
  g_test_add_func ("/kernels/band-rows", test_band_rows);
  g_test_add_func ("/kernels/gemm", test_gemm);
  g_test_add_func ("/kernels/fill-rows", test_fill_rows);
  g_test_add_data_func ("/kernels/winograd/blas",
                        GINT_TO_POINTER (HFSR_KERNEL_BLAS),
                        test_winograd_path);
  g_test_add_data_func ("/kernels/winograd/fused-generic",
                        GINT_TO_POINTER (HFSR_KERNEL_GENERIC),
                        test_winograd_path);
  g_test_add_data_func ("/kernels/winograd/fused-avx2",
                        GINT_TO_POINTER (HFSR_KERNEL_AVX2),
                        test_winograd_path);
  g_test_add_data_func ("/kernels/winograd/fused-avx512",
                        GINT_TO_POINTER (HFSR_KERNEL_AVX512),
                        test_winograd_path);
  g_test_add_data_func ("/kernels/winograd/fused-avx512-bf16",
                        GINT_TO_POINTER (HFSR_KERNEL_AVX512_BF16),
                        test_winograd_path);
  g_test_add_func ("/kernels/winograd/threads", test_winograd_threads);
  g_test_add_func ("/kernels/winograd/residual", test_residual);
  g_test_add_func ("/kernels/relu", test_relu_floats);
  g_test_add_func ("/kernels/path", test_kernel_path);
  g_test_add_func ("/kernels/winograd-scratch", test_winograd_scratch);
  return g_test_run ();
}
