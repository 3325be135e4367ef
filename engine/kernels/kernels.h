/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Fast paths.  Each has a naive twin in tests/engine/reference.c that the
 * tests compare it with on random shapes.
 */
#ifndef HFSR_KERNELS_H
#define HFSR_KERNELS_H

#include <glib.h>

#include "hfsr-model.h"

G_BEGIN_DECLS

/* What engine/kernels/ provides to the layers and maps. */

/* How a kernel slides over a planar image.  A convolution reads the image and
 * writes one value per grid position; a transposed convolution is its
 * adjoint: it reads the grid and writes the image.  Grid position (gy, gx)
 * with tap (ky, kx) touches image pixel (gy * stride - pad_h + ky,
 * gx * stride - pad_w + kx); taps outside the image read zeros (zero
 * padding) and are dropped when writing. */
typedef struct
{
  int channels;
  int image_height;
  int image_width;
  int kernel_h;
  int kernel_w;
  int stride;
  int pad_h;
  int pad_w;
  int grid_height;
  int grid_width;
} HfsrConvGeometry;

/* Grid rows per im2col/col2im band, so that a band's column matrix
 * (channels * kernel_h * kernel_w rows) stays within a fixed scratch budget:
 * scratch is then bounded whatever the image size.  At least 1, at most
 * grid_height. */
int hfsr_conv_band_rows (const HfsrConvGeometry *geometry);

/* Lays out grid rows [first_row, first_row + n_rows) as a column matrix of
 * channels * kernel_h * kernel_w rows (row (c * kernel_h + ky) * kernel_w +
 * kx) and n_rows * grid_width columns, so a convolution becomes one GEMM with
 * the [out, in * kh * kw] weight matrix. */
void hfsr_im2col (const HfsrConvGeometry *geometry, const float *image,
                  int first_row, int n_rows, float *columns);

/* The adjoint of hfsr_im2col: adds every column value into the image pixel
 * that im2col would have read it from (values landing outside the image are
 * dropped).  The image must hold its initial values (zeros or the bias). */
void hfsr_col2im (const HfsrConvGeometry *geometry, const float *columns,
                  int first_row, int n_rows, float *image);

/* Row-major C[m x n] = op(A) B, or C += op(A) B when @accumulate.  A is m x k
 * (lda k), or when @transpose_a it is stored k x m (lda m) and used
 * transposed.  B is k x n with row stride @ldb, C has row stride @ldc. */
void hfsr_gemm (gboolean transpose_a, int m, int n, int k, const float *a,
                const float *b, int ldb, float *c, int ldc,
                gboolean accumulate);

/* Sets every element of row r of the m x n matrix @c (row stride @ldc) to
 * values[r], or to 0 when @values is NULL: the bias a GEMM accumulates on. */
void hfsr_fill_rows (float *c, int m, int n, int ldc, const float *values);

/* target[i] = max (source[i], 0) (NaN and -0 give +0); @source may be
 * @target. */
void hfsr_relu_floats (const float *source, float *target, gsize n);

/* Winograd F(4x4, 3x3): a 3x3 convolution (stride 1, zero padding 1) with
 * 2.25 instead of 9 multiplies per output pixel and channel pair, as 36
 * GEMMs over 4x4 output tiles.  The transforms cost accuracy: errors up to
 * about 1e-5 of the output's magnitude with 128 input channels (im2col's
 * stay near 1e-7), still far inside what float inference needs.
 *
 * Floats of scratch hfsr_winograd_conv3x3 needs for these sizes: the
 * transformed weights (36 * out * in) plus one band of tiles, whose size is
 * a fixed budget (or one tile, for channel counts beyond it), so scratch
 * does not grow with the image.  0 when it overflows a gsize. */
gsize hfsr_winograd_scratch_size (int in_channels, int out_channels,
                                  int height, int width);

/* Adds the convolution of @input [in_channels, height, width] with @weight
 * [out_channels, in_channels, 3, 3] (PyTorch's cross-correlation) into
 * @output [out_channels, height, width], which holds the bias
 * (hfsr_fill_rows).  The weights are transformed on every call, so changed
 * weights (a blend) need no invalidation.  @scratch holds
 * hfsr_winograd_scratch_size floats; any height, width and channel counts
 * >= 1. */
void hfsr_winograd_conv3x3 (const float *weight, int in_channels,
                            int out_channels, const float *input, int height,
                            int width, float *scratch, float *output);

/* U = G g Gᵀ of one 3x3 kernel @g (row-major): point p (6 p_y + p_x) goes
 * to transformed[p * @point_step], so each Winograd form lays its
 * transformed weights out as its multiply reads them. */
void hfsr_winograd_transform_weight (const float *g, float *transformed,
                                     gsize point_step);

/* The run options of the calling thread (kernels/run-options.c):
 * hfsr_model_forward and hfsr_model_run_region enter a scope with their
 * options, saving the thread's options before them in @saved, and leave
 * it, restoring @saved, when they return; a layer or kernel called outside
 * any run (the tests) sees one thread and the default path unless the
 * caller enters a scope itself. */
void hfsr_run_scope_enter (const HfsrRunOptions *options,
                           HfsrRunOptions *saved);
void hfsr_run_scope_leave (const HfsrRunOptions *saved);
int hfsr_run_threads (void);

/* Which implementation of the engine's own kernels runs (the HfsrKernelPath
 * of the run options, kernels/run-options.c).  hfsr_kernel_path is the
 * path of the run the calling thread is in: the one its options ask for if
 * this CPU has it, else the default, the one HFSR_KERNEL (avx512, avx2,
 * generic, blas or avx512-bf16) in the environment names if this CPU has it, else the
 * widest supported SIMD path; the environment is read once.  BLAS means the
 * GEMM-based Winograd above.  hfsr_kernel_path_for names the choice for a
 * given HFSR_KERNEL value (NULL: unset).  Never HFSR_KERNEL_AUTO. */
#if defined(__x86_64__) || defined(__i386__)
/* The AVX2 and AVX-512 kernels are built (one definition for every file
 * that compiles or dispatches to them). */
#define HFSR_X86_PATHS 1
/* The AVX512_BF16 body too, where the compiler knows the instructions
 * (GCC 10, clang 9 and later). */
#if defined(__clang__) ? __clang_major__ >= 9 : __GNUC__ >= 10
#define HFSR_BF16_PATH 1
#endif
#endif

gboolean hfsr_kernel_path_supported (HfsrKernelPath path);
HfsrKernelPath hfsr_kernel_path (void);
HfsrKernelPath hfsr_kernel_path_for (const char *forced);

/* The weights [out_channels, in_channels, 3, 3] of a 3x3 convolution as
 * hfsr_winograd_fused_conv3x3 reads them: U = G g Gᵀ, 36 * in * out
 * floats (out rounded up to 8).  A model makes them once per convolution
 * (the conv2d layer's prepare), not once per tile: for a small input the
 * transform costs more than the convolution.  NULL when memory runs out;
 * free with hfsr_free_floats. */
float *hfsr_winograd_fused_pack (const float *weight, int in_channels,
                                 int out_channels);

/* Winograd F(4x4, 3x3) with the transforms fused into the multiply
 * (kernels/winograd-fused.c): writes every pixel of @output
 * [out_channels, height, width] (no initial values needed) with the
 * convolution of @input and the weights @packed by
 * hfsr_winograd_fused_pack (as hfsr_winograd_conv3x3), plus @bias
 * (or none when NULL), then max (·, 0) when @relu.  @path is the generic,
 * AVX2 or AVX-512 body (BLAS is not one of these: it reads as generic);
 * it must be supported.  Runs on hfsr_parallel_workers () threads; the
 * result is bit-identical for any thread count.  Scratch is
 * 2 * 36 * 16 * (in + 8) floats per thread, whatever the image size.
 * FALSE only when memory runs out. */
/* The instruction set of the code hfsr_winograd_fused_conv3x3 and
 * hfsr_winograd_fused_residual run for @path ("avx512", "avx2" or
 * "generic"): what a test checks, since every path gives results within
 * tolerance of the naive twin and a wrong dispatch would only be slow. */
const char *hfsr_winograd_fused_instructions (HfsrKernelPath path);

gboolean hfsr_winograd_fused_conv3x3 (HfsrKernelPath path, const float *packed,
                                      const float *bias, gboolean relu,
                                      int in_channels, int out_channels,
                                      const float *input, int height,
                                      int width, float *output,
                                      GError **error);

/* A residual block, @output = @input + conv_r (max (conv_e (@input) +
 * @expand_bias, 0)) + @reduce_bias, where conv_e (@channels ->
 * @mid_channels) and conv_r (back to @channels) are 3x3 convolutions with
 * weights packed by hfsr_winograd_fused_pack: bit-identical to the two
 * hfsr_winograd_fused_conv3x3 calls and the addition, but conv_e's output
 * never exists whole: the image is run by rows of 4x4 tiles, and each
 * worker keeps three tile rows of it (12 x @width x @mid_channels floats)
 * in a ring while conv_r consumes them, so the widest tensor of WDSR-A
 * is neither allocated nor sent through memory.  Runs on
 * hfsr_parallel_workers () threads (bands of tile rows; the result does
 * not depend on the count).  @output may be @input (the block then
 * overwrites its input, and only one image-sized tensor exists); any other
 * overlap is not allowed.  Scratch per thread: 20 rows of the expansion
 * and the transform buffers.  FALSE only when memory runs out. */
#define HFSR_RESIDUAL_ROWS 20 /* expansion rows per worker: ring and spare */
gboolean hfsr_winograd_fused_residual (
  HfsrKernelPath path, const float *expand_packed, const float *expand_bias,
  int mid_channels, const float *reduce_packed, const float *reduce_bias,
  int channels, const float *input, int height, int width, float *output,
  GError **error);

/* One level of fork/join parallelism for the engine's own kernels
 * (kernels/parallel.c).  hfsr_parallel_workers is the thread count of the
 * run the calling thread is in (HfsrRunOptions.n_threads).  hfsr_parallel_run calls @func (@data, w,
 * @n_workers) once for every w in [0, @n_workers), on the calling thread
 * and @n_workers - 1 new ones, and returns when all are done; a thread that
 * cannot be started has its share run by the caller. */
typedef void (*HfsrParallelFunc) (gpointer data, int worker, int n_workers);

int hfsr_parallel_workers (void);
void hfsr_parallel_run (int n_workers, HfsrParallelFunc func, gpointer data);

/* Element-wise passes (copies, adds, layout changes) in parallel: @func
 * (@data, start, end) over contiguous parts of [0, @n) on up to
 * hfsr_parallel_workers () threads, each part at least @grain long.  Left
 * on one thread, such a pass idles the other cores; it must not depend on
 * how [0, @n) is cut. */
typedef void (*HfsrRangeFunc) (gpointer data, gsize start, gsize end);

/* The least work worth a thread of such a pass, in floats touched (1 MiB):
 * starting a thread costs tens of microseconds. */
#define HFSR_PARALLEL_GRAIN ((gsize) 1 << 18)

void hfsr_parallel_range (gsize n, gsize grain, HfsrRangeFunc func,
                          gpointer data);

G_END_DECLS

#endif
