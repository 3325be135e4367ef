/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The evaluation measures and the MATLAB bicubic resize (engine/maps/
 * quality.c, resize.c) against values worked out by hand and naive twins
 * written here straight from the definitions.  The resize is also compared
 * with the training code's Python twin (models/training/test_training.py).
 */
#include <math.h>
#include <string.h>

#include "test-util.h"

/* ------------------------------------------------------------------- Y */

static void
test_rgb_to_y (void)
{
  /* Pixels: black, white, red, green, blue, mid grey. */
  const float rgb[3 * 6]
    = { 0, 1, 1, 0, 0, 0.5f, 0, 1, 0, 1, 0, 0.5f, 0, 1, 0, 0, 1, 0.5f };
  /* 16 + 65.481 r + 128.553 g + 24.966 b; the three sum to 219. */
  const double expected[6] = { 16.0, 235.0, 81.481, 144.553, 40.966, 125.5 };
  float y[6];

  hfsr_rgb_to_y (rgb, 6, y);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat_with_epsilon (y[i], expected[i], 1e-4);
}

/* ---------------------------------------------------------------- PSNR */

static void
test_psnr_known_mse (void)
{
  enum
  {
    W = 7,
    H = 6
  };
  float a[W * H], b[W * H];
  double psnr;

  /* Inside a 2-pixel border the error alternates +3 and -3 (MSE 9); the
   * border holds a large error that shaving must drop. */
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        gboolean inside = x >= 2 && x < W - 2 && y >= 2 && y < H - 2;

        a[y * W + x] = 100.0f;
        b[y * W + x] = inside ? ((x + y) % 2 ? 103.0f : 97.0f) : 0.0f;
      }
  g_assert_true (hfsr_psnr (a, b, W, H, 2, 255.0, &psnr, NULL));
  /* 10 log10 (255^2 / 9) */
  g_assert_cmpfloat_with_epsilon (psnr, 38.58837851428586, 1e-9);
  g_assert_true (hfsr_psnr (a, b, W, H, 1, 255.0, &psnr, NULL));
  g_assert_cmpfloat (psnr, <, 38.0);

  /* Peak 1 on data / 255 gives the same number: a scale-free measure. */
  for (int i = 0; i < W * H; i++)
    {
      a[i] /= 255.0f;
      b[i] /= 255.0f;
    }
  g_assert_true (hfsr_psnr (a, b, W, H, 2, 1.0, &psnr, NULL));
  g_assert_cmpfloat_with_epsilon (psnr, 38.58837851428586, 1e-4);

  g_assert_true (hfsr_psnr (a, a, W, H, 0, 1.0, &psnr, NULL));
  g_assert_true (isinf (psnr) && psnr > 0);
}

static void
test_psnr_invalid (void)
{
  float plane[4 * 4] = { 0 };
  double psnr = 0.0;
  GError *error = NULL;

  /* A 4 x 4 image shaved by 2 leaves nothing. */
  g_assert_false (hfsr_psnr (plane, plane, 4, 4, 2, 255.0, &psnr, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hfsr_psnr (plane, plane, 4, 4, -1, 255.0, &psnr, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hfsr_psnr (plane, plane, 4, 4, 0, 0.0, &psnr, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (
    hfsr_psnr (plane, plane, 4, 4, G_MAXINT, 1.0, &psnr, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

/* ---------------------------------------------------------------- SSIM */

/* ssim_index.m word for word, in double: the 2-D window, filter2 'valid',
 * the SSIM map, its mean; on the image left after shaving. */
static double
naive_ssim (const float *a, const float *b, int width, int height, int shave,
            double peak)
{
  double window[11][11], window_sum = 0.0, total = 0.0;
  double c1 = (0.01 * peak) * (0.01 * peak),
         c2 = (0.03 * peak) * (0.03 * peak);
  int n_x = width - 2 * shave - 10, n_y = height - 2 * shave - 10;

  for (int i = 0; i < 11; i++)
    for (int j = 0; j < 11; j++)
      {
        window[i][j]
          = exp (-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2.0 * 1.5 * 1.5));
        window_sum += window[i][j];
      }
  for (int y = 0; y < n_y; y++)
    for (int x = 0; x < n_x; x++)
      {
        double mu_a = 0, mu_b = 0, aa = 0, bb = 0, ab = 0;
        double var_a, var_b, cov;

        for (int i = 0; i < 11; i++)
          for (int j = 0; j < 11; j++)
            {
              gsize at = (gsize) (shave + y + i) * width + shave + x + j;
              double w = window[i][j] / window_sum;

              mu_a += w * a[at];
              mu_b += w * b[at];
              aa += w * a[at] * a[at];
              bb += w * b[at] * b[at];
              ab += w * a[at] * b[at];
            }
        var_a = aa - mu_a * mu_a;
        var_b = bb - mu_b * mu_b;
        cov = ab - mu_a * mu_b;
        total += (2 * mu_a * mu_b + c1) * (2 * cov + c2)
                 / ((mu_a * mu_a + mu_b * mu_b + c1) * (var_a + var_b + c2));
      }
  return total / ((double) n_x * n_y);
}

static void
test_ssim_same_image (void)
{
  enum
  {
    W = 23,
    H = 17
  };
  float plane[W * H];
  double ssim;

  hfsr_test_fill_random (plane, W * H, 11, 16.0f, 235.0f);
  g_assert_true (hfsr_ssim (plane, plane, W, H, 3, 255.0, &ssim, NULL));
  g_assert_cmpfloat_with_epsilon (ssim, 1.0, 1e-12);
}

static void
test_ssim_constant_images (void)
{
  enum
  {
    W = 16,
    H = 14
  };
  float a[W * H], b[W * H];
  double ssim;

  /* No variance or covariance anywhere: every position gives
   * (2 m_a m_b + C1) C2 / ((m_a^2 + m_b^2 + C1) C2) with C1 = 2.55^2.
   * For 100 and 120: (24000 + 6.5025) / (10000 + 14400 + 6.5025). */
  for (int i = 0; i < W * H; i++)
    {
      a[i] = 100.0f;
      b[i] = 120.0f;
    }
  g_assert_true (hfsr_ssim (a, b, W, H, 0, 255.0, &ssim, NULL));
  g_assert_cmpfloat_with_epsilon (ssim, 24006.5025 / 24406.5025, 1e-9);
  /* Symmetric, and the same from a single window position. */
  g_assert_true (hfsr_ssim (b, a, W, H, 0, 255.0, &ssim, NULL));
  g_assert_cmpfloat_with_epsilon (ssim, 24006.5025 / 24406.5025, 1e-9);
  g_assert_true (hfsr_ssim (a, b, 11, 11, 0, 255.0, &ssim, NULL));
  g_assert_cmpfloat_with_epsilon (ssim, 24006.5025 / 24406.5025, 1e-9);
  /* Black against mid grey: C1 / (127.5^2 + C1). */
  for (int i = 0; i < W * H; i++)
    {
      a[i] = 0.0f;
      b[i] = 127.5f;
    }
  g_assert_true (hfsr_ssim (a, b, W, H, 1, 255.0, &ssim, NULL));
  g_assert_cmpfloat_with_epsilon (ssim, 6.5025 / (16256.25 + 6.5025), 1e-12);
}

static void
test_ssim_naive_twin (void)
{
  const struct
  {
    int width, height, shave;
    double peak;
  } cases[] = {
    { 11, 11, 0, 255.0 },
    { 19, 16, 2, 255.0 },
    { 30, 25, 4, 255.0 },
    { 16, 13, 1, 1.0 },
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      int width = cases[c].width, height = cases[c].height;
      gsize n = (gsize) width * height;
      float *a = g_new (float, n), *b = g_new (float, n);
      double ssim;

      /* b is a noisy copy of a, so that the SSIM is neither 1 nor 0. */
      hfsr_test_fill_random (a, n, 20 + c, 0.0f, (float) cases[c].peak);
      hfsr_test_fill_random (b, n, 40 + c, -0.2f * (float) cases[c].peak,
                             0.2f * (float) cases[c].peak);
      for (gsize i = 0; i < n; i++)
        b[i] += a[i];
      g_assert_true (hfsr_ssim (a, b, width, height, cases[c].shave,
                                cases[c].peak, &ssim, NULL));
      g_assert_cmpfloat (ssim, >, 0.1);
      g_assert_cmpfloat (ssim, <, 0.99);
      g_assert_cmpfloat_with_epsilon (
        ssim, naive_ssim (a, b, width, height, cases[c].shave, cases[c].peak),
        1e-10);
      g_free (a);
      g_free (b);
    }
}

static void
test_ssim_invalid (void)
{
  float plane[12 * 12] = { 0 };
  double ssim = 0.0;
  GError *error = NULL;

  /* 12 x 12 shaved by 1 leaves 10 x 10: smaller than the window. */
  g_assert_false (hfsr_ssim (plane, plane, 12, 12, 1, 255.0, &ssim, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hfsr_ssim (plane, plane, 12, 10, 0, 255.0, &ssim, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hfsr_ssim (plane, plane, 12, 12, 0, NAN, &ssim, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

static void
test_modcrop (void)
{
  g_assert_cmpint (hfsr_modcrop (10, 3), ==, 9);
  g_assert_cmpint (hfsr_modcrop (12, 4), ==, 12);
  g_assert_cmpint (hfsr_modcrop (7, 1), ==, 7);
  g_assert_cmpint (hfsr_modcrop (2, 3), ==, 0);
}

/* -------------------------------------------------------------- resize */

/* Resizes one plane into a buffer one float longer than the result, and
 * checks that the last float was not touched. */
static float *
resize_plane (const float *plane, int width, int height, int out_width,
              int out_height)
{
  gsize n = (gsize) out_width * out_height;
  float *out = g_new (float, n + 1);

  out[n] = 12345.0f;
  g_assert_true (
    hfsr_imresize (plane, 1, width, height, out_width, out_height, out, NULL));
  g_assert_cmpfloat (out[n], ==, 12345.0f);
  return out;
}

static void
test_resize_constant (void)
{
  const struct
  {
    int width, height, out_width, out_height;
  } cases[] = {
    { 13, 17, 26, 34 }, { 13, 17, 39, 51 }, { 13, 17, 52, 68 },
    { 24, 36, 12, 18 }, { 24, 36, 8, 12 },  { 24, 36, 6, 9 },
    { 13, 17, 5, 40 },  { 1, 1, 3, 3 },     { 9, 4, 1, 1 },
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      gsize n = (gsize) cases[c].width * cases[c].height;
      float *plane = g_new (float, n), *out;

      for (gsize i = 0; i < n; i++)
        plane[i] = 0.37f;
      out = resize_plane (plane, cases[c].width, cases[c].height,
                          cases[c].out_width, cases[c].out_height);
      for (int i = 0; i < cases[c].out_width * cases[c].out_height; i++)
        g_assert_cmpfloat_with_epsilon (out[i], 0.37f, 1e-6);
      g_free (out);
      g_free (plane);
    }
}

static void
test_resize_hand_worked (void)
{
  /* Length 2 -> 4 (x2).  Output x (1-based) sits at input coordinate
   * u = x / 2 + 0.5 (1 - 1 / 2) = x / 2 + 0.25.  For x = 1, u = 0.75: the
   * taps -2 .. 3 sit
   * at distances 2.75 .. -2.25 with cubic weights 0, -0.0234375,
   * 0.2265625, 0.8671875, -0.0703125, 0; mirroring maps inputs -1, 0 to
   * 2, 1.  On (0, 1): -0.0234375 - 0.0703125 = -0.09375.  Output 2 at
   * u = 1.25: weights -0.0703125, 0.8671875 on input 1 (taps 0, 1) and
   * 0.2265625, -0.0234375 on input 2 (taps 2, 3): 0.203125.  The rest by
   * symmetry. */
  const float up_in[2] = { 0, 1 };
  const float up_expected[4] = { -0.09375f, 0.203125f, 0.796875f, 1.09375f };
  /* Length 4 -> 2, worked out in test_training.py: the stretched kernel
   * 0.5 cubic (0.5 d) over mirrored inputs. */
  const float down_in[4] = { 0, 1, 2, 3 };
  const float down_expected[2] = { 0.4609375f, 2.5390625f };
  float *out;

  out = resize_plane (up_in, 1, 2, 1, 4);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (out[i], up_expected[i], 1e-7);
  g_free (out);
  /* The same along the width. */
  out = resize_plane (up_in, 2, 1, 4, 1);
  for (int i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (out[i], up_expected[i], 1e-7);
  g_free (out);
  out = resize_plane (down_in, 4, 1, 2, 1);
  for (int i = 0; i < 2; i++)
    g_assert_cmpfloat_with_epsilon (out[i], down_expected[i], 1e-7);
  g_free (out);
}

static void
test_resize_ramp (void)
{
  enum
  {
    N = 48
  }; /* a multiple of every scale */
  float ramp[N];

  for (int i = 0; i < N; i++)
    ramp[i] = (float) i;
  for (int s = 2; s <= 4; s++)
    {
      /* Upscaling: a symmetric normalised kernel reproduces straight lines;
       * output j lies at input coordinate (j + 0.5) / s - 0.5.  Only the
       * outputs whose taps all lie inside are free of the mirroring. */
      float *out = resize_plane (ramp, N, 1, N * s, 1);

      for (int j = 0; j < N * s; j++)
        {
          double u = (j + 0.5) / s - 0.5;

          if (u >= 2.0 && u <= N - 3.0)
            g_assert_cmpfloat_with_epsilon (out[j], u, 1e-5);
        }
      g_free (out);

      /* Downscaling: output j is the centre of its s input pixels. */
      out = resize_plane (ramp, 1, N, 1, N / s);
      for (int j = 0; j < N / s; j++)
        {
          double centre = s * j + (s - 1) / 2.0;

          if (centre - 2 * s >= 0 && centre + 2 * s <= N - 1)
            g_assert_cmpfloat_with_epsilon (out[j], centre, 1e-5);
        }
      g_free (out);
    }
}

static void
test_resize_planes_and_axes (void)
{
  enum
  {
    W = 9,
    H = 7,
    OW = 4,
    OH = 15
  };
  float planes[3 * W * H], transposed[W * H];
  float *all = g_new (float, (3 * OW * OH));

  hfsr_test_fill_random (planes, 3 * W * H, 5, 0.0f, 1.0f);
  g_assert_true (hfsr_imresize (planes, 3, W, H, OW, OH, all, NULL));
  for (int p = 0; p < 3; p++)
    {
      /* Each plane alone gives the same, and resizing the transposed plane
       * gives the transposed result: both axes use one rule. */
      float *one = resize_plane (planes + p * W * H, W, H, OW, OH);
      float *other;

      g_assert_cmpfloat (
        hfsr_test_max_abs_diff (one, all + p * OW * OH, OW * OH), ==, 0.0);
      for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
          transposed[x * H + y] = planes[p * W * H + y * W + x];
      other = resize_plane (transposed, H, W, OH, OW);
      for (int y = 0; y < OH; y++)
        for (int x = 0; x < OW; x++)
          g_assert_cmpfloat_with_epsilon (other[x * OH + y], one[y * OW + x],
                                          1e-5);
      g_free (one);
      g_free (other);
    }
  g_free (all);
}

/* Every region of an upscale and a downscale equals those pixels of the
 * whole result bit for bit, read from exactly its required input (copied
 * out, so a read outside it would show under ASan); an input short of it
 * is refused. */
static void
test_resize_regions (void)
{
  enum
  {
    W = 13,
    H = 11
  };
  const int sizes[][2] = { { 2 * W, 2 * H }, { 4 * W, 3 * H }, { 5, 4 } };
  float plane[W * H];
  GRand *rand = g_rand_new_with_seed (7);

  hfsr_test_fill_random (plane, W * H, 9, 0.0f, 1.0f);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int ow = sizes[s][0], oh = sizes[s][1];
      float *whole = resize_plane (plane, W, H, ow, oh);

      for (int trial = 0; trial < 40; trial++)
        {
          HfsrRect out_rect, in_rect, short_rect;
          float *in, *out;
          GError *error = NULL;

          out_rect.x = g_rand_int_range (rand, 0, ow);
          out_rect.y = g_rand_int_range (rand, 0, oh);
          out_rect.width = g_rand_int_range (rand, 1, ow - out_rect.x + 1);
          out_rect.height = g_rand_int_range (rand, 1, oh - out_rect.y + 1);
          in_rect = hfsr_imresize_required_input (W, H, ow, oh, &out_rect);
          g_assert_cmpint (in_rect.x, >=, 0);
          g_assert_cmpint (in_rect.y, >=, 0);
          g_assert_cmpint (in_rect.x + in_rect.width, <=, W);
          g_assert_cmpint (in_rect.y + in_rect.height, <=, H);
          in = g_new (float, (in_rect.width * in_rect.height));
          for (int y = 0; y < in_rect.height; y++)
            memcpy (in + y * in_rect.width,
                    plane + (in_rect.y + y) * W + in_rect.x,
                    sizeof (float) * in_rect.width);
          out = g_new (float, (out_rect.width * out_rect.height));
          g_assert_true (hfsr_imresize_region (in, &in_rect, W, H, ow, oh,
                                               &out_rect, out, NULL));
          for (int y = 0; y < out_rect.height; y++)
            for (int x = 0; x < out_rect.width; x++)
              g_assert_cmpfloat (
                out[y * out_rect.width + x], ==,
                whole[(out_rect.y + y) * ow + out_rect.x + x]);

          short_rect = in_rect;
          short_rect.width--;
          if (short_rect.width > 0)
            {
              g_assert_false (hfsr_imresize_region (
                in, &short_rect, W, H, ow, oh, &out_rect, out, &error));
              g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
              g_clear_error (&error);
            }
          g_free (in);
          g_free (out);
        }
      g_free (whole);
    }
  g_rand_free (rand);
}

static void
test_resize_invalid (void)
{
  float plane[4] = { 0 }, out[4];
  GError *error = NULL;

  g_assert_false (hfsr_imresize (plane, 0, 2, 2, 2, 2, out, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hfsr_imresize (plane, 1, 2, 2, 0, 2, out, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (hfsr_imresize (plane, 1, -2, 2, 2, 2, out, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* Sizes whose products overflow are refused before anything is read. */
  g_assert_false (hfsr_imresize (plane, 1, G_MAXINT, G_MAXINT, G_MAXINT,
                                 G_MAXINT, out, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY);
  g_clear_error (&error);
}

/* ----------------------------------------------------- spectral share */

/* Squared magnitudes of the full complex DFT in double, mean excluded. */
static double
naive_spectral_share (const float *plane, int width, int height, double cutoff)
{
  double high = 0.0, all = 0.0;

  for (int ky = 0; ky < height; ky++)
    for (int kx = 0; kx < width; kx++)
      {
        int fx = kx <= width / 2 ? kx : kx - width;
        int fy = ky <= height / 2 ? ky : ky - height;
        double rx = fx / (width / 2.0), ry = fy / (height / 2.0);
        double re = 0.0, im = 0.0, energy;

        if (kx == 0 && ky == 0)
          continue;
        for (int y = 0; y < height; y++)
          for (int x = 0; x < width; x++)
            {
              double angle
                = -2.0 * G_PI
                  * ((double) kx * x / width + (double) ky * y / height);

              re += plane[y * width + x] * cos (angle);
              im += plane[y * width + x] * sin (angle);
            }
        energy = re * re + im * im;
        all += energy;
        if (sqrt (rx * rx + ry * ry) >= cutoff)
          high += energy;
      }
  return all > 0.0 ? high / all : 0.0;
}

static void
test_spectral_share_constant_and_checkerboard (void)
{
  enum
  {
    W = 16,
    H = 10
  };
  float flat[W * H], board[W * H], mixed[W * H];
  double share;

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      {
        flat[y * W + x] = 0.37f;
        board[y * W + x] = ((x + y) % 2) ? 0.0f : 1.0f;
        /* Amplitude 1 at the Nyquist corner plus a cosine of amplitude 2 at
         * radius 1/8: by Parseval their energies are N and N 2^2 / 2, so a
         * cut between them gives 1 / 3. */
        mixed[y * W + x] = (((x + y) % 2) ? -1.0f : 1.0f)
                           + 2.0f * (float) cos (2.0 * G_PI * x / W) + 5.0f;
      }
  for (double cutoff = 0.0; cutoff <= 1.0; cutoff += 0.25)
    {
      g_assert_true (
        hfsr_spectral_energy_share (flat, W, H, cutoff, &share, NULL));
      g_assert_cmpfloat (share, ==, 0.0);
      g_assert_true (
        hfsr_spectral_energy_share (board, W, H, cutoff, &share, NULL));
      g_assert_cmpfloat_with_epsilon (share, 1.0, 1e-6);
    }
  g_assert_true (hfsr_spectral_energy_share (mixed, W, H, 0.5, &share, NULL));
  g_assert_cmpfloat_with_epsilon (share, 1.0 / 3.0, 1e-6);
  g_assert_true (hfsr_spectral_energy_share (mixed, W, H, 0.1, &share, NULL));
  g_assert_cmpfloat_with_epsilon (share, 1.0, 1e-6);
}

static void
test_spectral_share_naive_twin (void)
{
  const struct
  {
    int width, height;
    double cutoff;
  } cases[] = {
    { 7, 5, 0.3 },  { 8, 6, 0.5 },  { 9, 9, 0.0 }, { 6, 7, 0.8 },
    { 12, 1, 0.5 }, { 1, 11, 0.4 }, { 1, 1, 0.5 }, { 13, 10, 1.0 },
  };

  for (gsize c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      int width = cases[c].width, height = cases[c].height;
      float *plane = g_new (float, ((gsize) width * height));
      double share;

      hfsr_test_fill_random (plane, (gsize) width * height, 60 + c, 0.0f,
                             1.0f);
      g_assert_true (hfsr_spectral_energy_share (
        plane, width, height, cases[c].cutoff, &share, NULL));
      g_assert_cmpfloat_with_epsilon (
        share, naive_spectral_share (plane, width, height, cases[c].cutoff),
        1e-5);
      g_free (plane);
    }
}

static void
test_spectral_share_invalid (void)
{
  float plane[4] = { 0 };
  double share = 0.0;
  GError *error = NULL;

  g_assert_false (
    hfsr_spectral_energy_share (plane, 2, 2, 1.5, &share, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (
    hfsr_spectral_energy_share (plane, 2, 2, NAN, &share, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_false (
    hfsr_spectral_energy_share (plane, 0, 2, 0.5, &share, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/quality/y", test_rgb_to_y);
  g_test_add_func ("/quality/psnr/known-mse", test_psnr_known_mse);
  g_test_add_func ("/quality/psnr/invalid", test_psnr_invalid);
  g_test_add_func ("/quality/ssim/same-image", test_ssim_same_image);
  g_test_add_func ("/quality/ssim/constant", test_ssim_constant_images);
  g_test_add_func ("/quality/ssim/naive-twin", test_ssim_naive_twin);
  g_test_add_func ("/quality/ssim/invalid", test_ssim_invalid);
  g_test_add_func ("/quality/modcrop", test_modcrop);
  g_test_add_func ("/quality/resize/constant", test_resize_constant);
  g_test_add_func ("/quality/resize/hand-worked", test_resize_hand_worked);
  g_test_add_func ("/quality/resize/ramp", test_resize_ramp);
  g_test_add_func ("/quality/resize/planes-and-axes",
                   test_resize_planes_and_axes);
  g_test_add_func ("/quality/resize/regions", test_resize_regions);
  g_test_add_func ("/quality/resize/invalid", test_resize_invalid);
  g_test_add_func ("/quality/spectral-share/constant-and-checkerboard",
                   test_spectral_share_constant_and_checkerboard);
  g_test_add_func ("/quality/spectral-share/naive-twin",
                   test_spectral_share_naive_twin);
  g_test_add_func ("/quality/spectral-share/invalid",
                   test_spectral_share_invalid);
  return g_test_run ();
}
