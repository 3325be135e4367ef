/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "kernels/kernels.h"
#include "reference.h"

/* Element [a][b][c] of a row-major array with dimensions [.][nb][nc]. */
#define AT3(data, nb, nc, a, b, c) \
  ((data)[((gsize) (a) * (nb) + (b)) * (nc) + (c)])

void
hfsr_ref_conv2d (const float *input, int in_channels, int height, int width,
                 const float *weight, int out_channels, int kernel_h,
                 int kernel_w, const float *bias, float *output)
{
  int pad_h = (kernel_h - 1) / 2;
  int pad_w = (kernel_w - 1) / 2;

  for (int o = 0; o < out_channels; o++)
    for (int y = 0; y < height; y++)
      for (int x = 0; x < width; x++)
        {
          double sum = bias ? bias[o] : 0.0;

          for (int i = 0; i < in_channels; i++)
            for (int ky = 0; ky < kernel_h; ky++)
              for (int kx = 0; kx < kernel_w; kx++)
                {
                  int sy = y + ky - pad_h;
                  int sx = x + kx - pad_w;
                  gsize w_index
                    = (((gsize) o * in_channels + i) * kernel_h + ky)
                        * kernel_w
                      + kx;

                  if (sy < 0 || sy >= height || sx < 0 || sx >= width)
                    continue;
                  sum += (double) weight[w_index]
                         * AT3 (input, height, width, i, sy, sx);
                }
          AT3 (output, height, width, o, y, x) = (float) sum;
        }
}

int
hfsr_ref_conv_transpose2d_size (int size, int kernel, int stride, int padding,
                                int output_padding)
{
  return (size - 1) * stride - 2 * padding + kernel + output_padding;
}

/* Gathers rather than scatters: output pixel y receives tap ky from input
 * row iy exactly when y + p - ky = iy * s. */
void
hfsr_ref_conv_transpose2d (const float *input, int in_channels, int height,
                           int width, const float *weight, int out_channels,
                           int kernel, int stride, int padding,
                           int output_padding, const float *bias,
                           float *output)
{
  int out_h = hfsr_ref_conv_transpose2d_size (height, kernel, stride, padding,
                                              output_padding);
  int out_w = hfsr_ref_conv_transpose2d_size (width, kernel, stride, padding,
                                              output_padding);

  for (int o = 0; o < out_channels; o++)
    for (int y = 0; y < out_h; y++)
      for (int x = 0; x < out_w; x++)
        {
          double sum = bias ? bias[o] : 0.0;

          for (int i = 0; i < in_channels; i++)
            for (int ky = 0; ky < kernel; ky++)
              for (int kx = 0; kx < kernel; kx++)
                {
                  int ny = y + padding - ky;
                  int nx = x + padding - kx;
                  gsize w_index
                    = (((gsize) i * out_channels + o) * kernel + ky) * kernel
                      + kx;

                  if (ny < 0 || nx < 0 || ny % stride || nx % stride
                      || ny / stride >= height || nx / stride >= width)
                    continue;
                  sum += (double) weight[w_index]
                         * AT3 (input, height, width, i, ny / stride,
                                nx / stride);
                }
          AT3 (output, out_h, out_w, o, y, x) = (float) sum;
        }
}

void
hfsr_ref_pixel_shuffle (const float *input, int channels, int height,
                        int width, int factor, float *output)
{
  int out_h = height * factor;
  int out_w = width * factor;

  for (int c = 0; c < channels; c++)
    for (int y = 0; y < out_h; y++)
      for (int x = 0; x < out_w; x++)
        {
          int source
            = c * factor * factor + (y % factor) * factor + x % factor;

          AT3 (output, out_h, out_w, c, y, x)
            = AT3 (input, height, width, source, y / factor, x / factor);
        }
}

void
hfsr_ref_relu (const float *input, gsize n, float *output)
{
  for (gsize i = 0; i < n; i++)
    output[i] = input[i] < 0.0f ? 0.0f : input[i];
}

void
hfsr_ref_sigmoid (const float *input, gsize n, float *output)
{
  for (gsize i = 0; i < n; i++)
    output[i] = (float) (1.0 / (1.0 + exp (-(double) input[i])));
}

void
hfsr_ref_prelu (const float *input, int channels, gsize plane,
                const float *slopes, int n_slopes, float *output)
{
  for (int c = 0; c < channels; c++)
    for (gsize i = 0; i < plane; i++)
      {
        float v = input[c * plane + i];
        float a = slopes[n_slopes == 1 ? 0 : c];

        output[c * plane + i] = v < 0.0f ? (float) ((double) a * v) : v;
      }
}

void
hfsr_ref_add (const float *a, const float *b, gsize n, float *output)
{
  for (gsize i = 0; i < n; i++)
    output[i] = (float) ((double) a[i] + b[i]);
}

void
hfsr_ref_channel_scale (const float *input, int channels, gsize plane,
                        const float *scales, float *output)
{
  for (int c = 0; c < channels; c++)
    for (gsize i = 0; i < plane; i++)
      output[c * plane + i]
        = (float) ((double) input[c * plane + i] * scales[c]);
}

void
hfsr_ref_global_avg_pool (const float *input, int channels, gsize plane,
                          float *output)
{
  for (int c = 0; c < channels; c++)
    {
      double sum = 0.0;

      for (gsize i = 0; i < plane; i++)
        sum += input[c * plane + i];
      output[c] = (float) (sum / plane);
    }
}

void
hfsr_ref_linear (const float *input, int in_features, const float *weight,
                 int out_features, const float *bias, float *output)
{
  for (int o = 0; o < out_features; o++)
    {
      double sum = bias ? bias[o] : 0.0;

      for (int i = 0; i < in_features; i++)
        sum += (double) weight[(gsize) o * in_features + i] * input[i];
      output[o] = (float) sum;
    }
}

void
hfsr_ref_softmax (const float *input, int channels, gsize plane, float *output)
{
  for (gsize i = 0; i < plane; i++)
    {
      double sum = 0.0;

      /* exp in double cannot overflow for float inputs up to ~700. */
      for (int c = 0; c < channels; c++)
        sum += exp ((double) input[c * plane + i]);
      for (int c = 0; c < channels; c++)
        output[c * plane + i]
          = (float) (exp ((double) input[c * plane + i]) / sum);
    }
}

/* The image pixel that tap (ky, kx) of grid position (gy, gx) touches, or
 * FALSE when it lies in the padding. */
static gboolean
tap_pixel (int gy, int gx, int ky, int kx, int stride, int pad_h, int pad_w,
           int image_height, int image_width, gsize *index)
{
  gint64 y = (gint64) gy * stride - pad_h + ky;
  gint64 x = (gint64) gx * stride - pad_w + kx;

  if (y < 0 || y >= image_height || x < 0 || x >= image_width)
    return FALSE;
  *index = (gsize) y * image_width + (gsize) x;
  return TRUE;
}

void
hfsr_ref_im2col (const float *image, int channels, int image_height,
                 int image_width, int kernel_h, int kernel_w, int stride,
                 int pad_h, int pad_w, int grid_width, int first_row,
                 int n_rows, float *columns)
{
  gsize n_columns = (gsize) n_rows * grid_width;
  gsize plane = (gsize) image_height * image_width;

  for (int c = 0; c < channels; c++)
    for (int ky = 0; ky < kernel_h; ky++)
      for (int kx = 0; kx < kernel_w; kx++)
        for (int r = 0; r < n_rows; r++)
          for (int gx = 0; gx < grid_width; gx++)
            {
              gsize row = ((gsize) c * kernel_h + ky) * kernel_w + kx;
              gsize pixel;

              columns[row * n_columns + (gsize) r * grid_width + gx]
                = tap_pixel (first_row + r, gx, ky, kx, stride, pad_h, pad_w,
                             image_height, image_width, &pixel)
                    ? image[c * plane + pixel]
                    : 0.0f;
            }
}

void
hfsr_ref_col2im (const float *columns, int channels, int image_height,
                 int image_width, int kernel_h, int kernel_w, int stride,
                 int pad_h, int pad_w, int grid_width, int first_row,
                 int n_rows, float *image)
{
  gsize n_columns = (gsize) n_rows * grid_width;
  gsize plane = (gsize) image_height * image_width;

  for (int c = 0; c < channels; c++)
    for (int ky = 0; ky < kernel_h; ky++)
      for (int kx = 0; kx < kernel_w; kx++)
        for (int r = 0; r < n_rows; r++)
          for (int gx = 0; gx < grid_width; gx++)
            {
              gsize row = ((gsize) c * kernel_h + ky) * kernel_w + kx;
              gsize pixel;

              if (tap_pixel (first_row + r, gx, ky, kx, stride, pad_h, pad_w,
                             image_height, image_width, &pixel))
                image[c * plane + pixel]
                  += columns[row * n_columns + (gsize) r * grid_width + gx];
            }
}

void
hfsr_ref_gemm (gboolean transpose_a, int m, int n, int k, const float *a,
               const float *b, int ldb, float *c, int ldc, gboolean accumulate)
{
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++)
      {
        double sum = accumulate ? c[(gsize) i * ldc + j] : 0.0;

        for (int p = 0; p < k; p++)
          {
            float a_ip
              = transpose_a ? a[(gsize) p * m + i] : a[(gsize) i * k + p];

            sum += (double) a_ip * b[(gsize) p * ldb + j];
          }
        c[(gsize) i * ldc + j] = (float) sum;
      }
}

/* @value rounded to bfloat16, as a float. */
static double
ref_bf16 (double value)
{
  float f = (float) value;
  guint32 bits;

  memcpy (&bits, &f, sizeof bits);
  bits = (bits + 0x7fffu + ((bits >> 16) & 1u)) & 0xffff0000u;
  memcpy (&f, &bits, sizeof f);
  return f;
}

/* r = Bᵀ d along one axis (F(4x4, 3x3)). */
static void
ref_winograd_input_1d (const double *d, int step, double *r, int r_step)
{
  double d0 = d[0], d1 = d[step], d2 = d[2 * step], d3 = d[3 * step],
         d4 = d[4 * step], d5 = d[5 * step];

  r[0] = 4 * d0 - 5 * d2 + d4;
  r[r_step] = -4 * d1 - 4 * d2 + d3 + d4;
  r[2 * r_step] = 4 * d1 - 4 * d2 - d3 + d4;
  r[3 * r_step] = -2 * d1 - d2 + 2 * d3 + d4;
  r[4 * r_step] = 2 * d1 - d2 - 2 * d3 + d4;
  r[5 * r_step] = 4 * d1 - 5 * d3 + d5;
}

/* r = Aᵀ m along one axis. */
static void
ref_winograd_output_1d (const double *m, int step, double *r, int r_step)
{
  double m0 = m[0], m1 = m[step], m2 = m[2 * step], m3 = m[3 * step],
         m4 = m[4 * step], m5 = m[5 * step];

  r[0] = m0 + m1 + m2 + m3 + m4;
  r[r_step] = (m1 - m2) + 2 * (m3 - m4);
  r[2 * r_step] = (m1 + m2) + 4 * (m3 + m4);
  r[3 * r_step] = (m1 - m2) + 8 * (m3 - m4) + m5;
}

void
hfsr_ref_winograd_bf16_conv3x3 (const float *input, int in_channels,
                                int height, int width, const float *weight,
                                int out_channels, const float *bias,
                                float *output)
{
  gsize n_u = (gsize) out_channels * in_channels * 36;
  float *u = g_new (float, n_u);
  double *v = g_new (double, (gsize) in_channels * 36);

  for (gsize k = 0; k < (gsize) out_channels * in_channels; k++)
    hfsr_winograd_transform_weight (weight + k * 9, u + k * 36, 1);
  for (gsize k = 0; k < n_u; k++)
    u[k] = (float) ref_bf16 (u[k]);

  for (int ty = 0; ty < height; ty += 4)
    for (int tx = 0; tx < width; tx += 4)
      {
        for (int c = 0; c < in_channels; c++)
          {
            double d[36], rows[36];

            for (int y = 0; y < 6; y++)
              for (int x = 0; x < 6; x++)
                {
                  int iy = ty + y - 1, ix = tx + x - 1;

                  d[y * 6 + x]
                    = iy >= 0 && iy < height && ix >= 0 && ix < width
                        ? input[((gsize) c * height + iy) * width + ix]
                        : 0.0;
                }
            for (int y = 0; y < 6; y++)
              ref_winograd_input_1d (d + y * 6, 1, rows + y * 6, 1);
            for (int x = 0; x < 6; x++)
              ref_winograd_input_1d (rows + x, 6, v + c * 36 + x, 6);
            for (int p = 0; p < 36; p++)
              v[c * 36 + p] = ref_bf16 (v[c * 36 + p]);
          }
        for (int o = 0; o < out_channels; o++)
          {
            double m[36] = { 0 }, cols[24], tile[16];

            for (int c = 0; c < in_channels; c++)
              for (int p = 0; p < 36; p++)
                m[p] += (double) u[((gsize) o * in_channels + c) * 36 + p]
                        * v[c * 36 + p];
            for (int x = 0; x < 6; x++)
              ref_winograd_output_1d (m + x, 6, cols + x, 6);
            for (int y = 0; y < 4; y++)
              ref_winograd_output_1d (cols + y * 6, 1, tile + y * 4, 1);
            for (int y = 0; y < 4 && ty + y < height; y++)
              for (int x = 0; x < 4 && tx + x < width; x++)
                output[((gsize) o * height + ty + y) * width + tx + x]
                  = (float) (tile[y * 4 + x] + (bias != NULL ? bias[o] : 0));
          }
      }
  g_free (v);
  g_free (u);
}
