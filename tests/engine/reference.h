/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Naive twins of the engine's layers and kernels: plain loops written from
 * the definitions (PyTorch's, for the layers), accumulating in double.  They
 * share no code with engine/layers or engine/kernels, so a test comparing
 * the two checks one against an independent statement of the maths.
 * Tensors are planar CHW float arrays; the caller allocates every output.
 */
#ifndef HFSR_REFERENCE_H
#define HFSR_REFERENCE_H

#include <glib.h>

G_BEGIN_DECLS

/* out[o][y][x] = bias[o] + sum_{i,ky,kx} w[o][i][ky][kx]
 *                * in[i][y + ky - (kh-1)/2][x + kx - (kw-1)/2], zeros outside.
 * @bias may be NULL.  @output is [out_channels, height, width]. */
void hfsr_ref_conv2d (const float *input, int in_channels, int height,
                      int width, const float *weight, int out_channels,
                      int kernel_h, int kernel_w, const float *bias,
                      float *output);

/* A 3x3 convolution (padding 1, as hfsr_ref_conv2d) computed as the
 * engine's BF16 Winograd path defines it, tile by tile in double: each
 * 4x4 output tile is Aᵀ [Σ_c U_c ⊙ V_c] A with V_c = Bᵀ d_c B (F(4x4, 3x3))
 * and U_c the engine's weight transform, both rounded to float and then to
 * bfloat16 (to nearest, ties to even) before they are multiplied. */
void hfsr_ref_winograd_bf16_conv3x3 (const float *input, int in_channels,
                                     int height, int width,
                                     const float *weight, int out_channels,
                                     const float *bias, float *output);

/* PyTorch's ConvTranspose2d, weight [in, out, k, k]:
 * out[o][y][x] = bias[o] + sum over i, ky, kx with y = iy*s - p + ky,
 * x = ix*s - p + kx of in[i][iy][ix] * w[i][o][ky][kx].
 * @output is [out_channels, out_height, out_width] with out_height =
 * (height - 1) * s - 2p + k + output_padding (likewise the width), which
 * hfsr_ref_conv_transpose2d_size returns. */
int hfsr_ref_conv_transpose2d_size (int size, int kernel, int stride,
                                    int padding, int output_padding);
void hfsr_ref_conv_transpose2d (const float *input, int in_channels,
                                int height, int width, const float *weight,
                                int out_channels, int kernel, int stride,
                                int padding, int output_padding,
                                const float *bias, float *output);

/* [C r^2, H, W] -> [C, H r, W r]: out[c][y][x] =
 * in[c r^2 + (y mod r) r + (x mod r)][y / r][x / r]. */
void hfsr_ref_pixel_shuffle (const float *input, int channels, int height,
                             int width, int factor, float *output);

void hfsr_ref_relu (const float *input, gsize n, float *output);
void hfsr_ref_sigmoid (const float *input, gsize n, float *output);
/* @n_slopes is 1 (shared) or @channels. */
void hfsr_ref_prelu (const float *input, int channels, gsize plane,
                     const float *slopes, int n_slopes, float *output);
void hfsr_ref_add (const float *a, const float *b, gsize n, float *output);
void hfsr_ref_channel_scale (const float *input, int channels, gsize plane,
                             const float *scales, float *output);
/* @output is [channels]. */
void hfsr_ref_global_avg_pool (const float *input, int channels, gsize plane,
                               float *output);
/* out[o] = bias[o] + sum_i w[o][i] in[i]; @bias may be NULL. */
void hfsr_ref_linear (const float *input, int in_features, const float *weight,
                      int out_features, const float *bias, float *output);
/* At every pixel, exp(x_c) / sum_c' exp(x_c'). */
void hfsr_ref_softmax (const float *input, int channels, gsize plane,
                       float *output);

/* Kernels.  im2col: row (c, ky, kx), column (gy - first_row, gx) holds
 * image[c][gy*stride - pad_h + ky][gx*stride - pad_w + kx] (0 outside) for
 * grid rows [first_row, first_row + n_rows).  col2im adds each such column
 * value into that image pixel instead. */
void hfsr_ref_im2col (const float *image, int channels, int image_height,
                      int image_width, int kernel_h, int kernel_w, int stride,
                      int pad_h, int pad_w, int grid_width, int first_row,
                      int n_rows, float *columns);
void hfsr_ref_col2im (const float *columns, int channels, int image_height,
                      int image_width, int kernel_h, int kernel_w, int stride,
                      int pad_h, int pad_w, int grid_width, int first_row,
                      int n_rows, float *image);

/* Row-major C = op(A) B (+ C when @accumulate); A is m x k, or stored
 * k x m when @transpose_a; B has row stride @ldb, C @ldc. */
void hfsr_ref_gemm (gboolean transpose_a, int m, int n, int k, const float *a,
                    const float *b, int ldb, float *c, int ldc,
                    gboolean accumulate);

G_END_DECLS

#endif
