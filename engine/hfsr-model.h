/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Inference: loading a model and running it, whole or by the tiling rule
 * (engine/README.md).  The API a caller of a network needs, in one screen.
 */
#ifndef HFSR_MODEL_H
#define HFSR_MODEL_H

#include "hfsr-tensor.h"

G_BEGIN_DECLS

typedef struct _HfsrModel HfsrModel;

/* Loads a safetensors file whose __metadata__ carries the graph (see
 * models/FORMAT.md).  Every byte is treated as untrusted; errors name the
 * file and the problem. */
HfsrModel *hfsr_model_load (const char *path, GError **error);
/* The same from memory; @name is used in error messages. */
HfsrModel *hfsr_model_load_from_data (const guint8 *data, gsize size,
                                      const char *name, GError **error);
void hfsr_model_free (HfsrModel *model);

const char *hfsr_model_get_name (const HfsrModel *model);
/* Output size / input size of output 0 (1 for maps, 2..4 for SR). */
int hfsr_model_get_scale (const HfsrModel *model);
int hfsr_model_get_input_channels (const HfsrModel *model);
int hfsr_model_get_n_outputs (const HfsrModel *model);
const char *hfsr_model_get_output_name (const HfsrModel *model, int index);
int hfsr_model_get_output_channels (const HfsrModel *model, int index);
/* Receptive-field margin of output 0 in input pixels: an output pixel only
 * depends on input pixels within this distance of its footprint.  -1 when
 * output 0 depends on the whole image (global pooling). */
int hfsr_model_get_margin (const HfsrModel *model);
/* The input side, margins not included, of the tiles that
 * hfsr_model_run_region cuts by default (tile_size 0): the largest whose
 * tensors stay within the engine's per-thread budget (engine/README.md).
 * Callers that cut work into pieces themselves (the GEGL ops) use it so that
 * each piece is one tile. */
int hfsr_model_get_tile_input (const HfsrModel *model);
/* A string from the file's __metadata__, or NULL. */
const char *hfsr_model_get_metadata (const HfsrModel *model, const char *key);
/* Multiply-accumulates of the convolutions per input pixel: each conv2d
 * weight element counts once per pixel of the conv's output, each
 * conv_transpose2d weight element once per pixel of its input, both
 * expressed per pixel of the graph input (a layer working at scale s counts
 * s^2 times).  Convolutions carry nearly all of the work; the other layers,
 * and layers on 1 x 1 values (after global pooling), whose cost does not
 * grow with the image, are left out.  What a direct convolution computes,
 * whatever the kernels do: "FLOPs" in benchmarks are twice this. */
double hfsr_model_get_conv_macs (const HfsrModel *model);

/* How one run uses the machine, given to each call (NULL: the defaults,
 * or inside a run, that run's options); all zero is the defaults.
 * Nothing is process-wide, so runs in two threads may differ.
 * @n_threads: the workers the engine's own kernels split each layer over
 * (kernels/parallel.c); 0 or 1 runs on the calling thread alone, which is
 * what the GEGL ops use, since GEGL already runs chunks in threads of its
 * own and two levels of threads were measured slower.  Results do not
 * depend on it.
 * @kernel: HFSR_KERNEL_AUTO, or a path to force (benchmarks, tests); a
 * path this CPU lacks falls back to AUTO: the path the HFSR_KERNEL
 * environment variable names (avx512, avx2, generic, blas, avx512-bf16),
 * else the widest
 * this CPU has. */
typedef enum
{
  HFSR_KERNEL_AUTO,
  HFSR_KERNEL_GENERIC, /* portable C (GCC vector extensions) */
  HFSR_KERNEL_AVX2,    /* AVX2 + FMA */
  HFSR_KERNEL_AVX512,  /* AVX-512F */
  HFSR_KERNEL_BLAS,    /* the GEMM-based Winograd, one thread only */
  /* AVX-512F + AVX512_BF16: the Winograd-domain products in bfloat16
   * (vdpbf16ps), summed in float.  Only when asked for (avx512-bf16):
   * results move by about 1e-3, see engine/README.md. */
  HFSR_KERNEL_AVX512_BF16,
} HfsrKernelPath;

typedef struct
{
  int n_threads;
  HfsrKernelPath kernel;
} HfsrRunOptions;

/* Runs the whole graph on @input (channels must match) and returns one new
 * tensor per graph output in @outputs (array of hfsr_model_get_n_outputs
 * pointers, filled by the call; free each with hfsr_tensor_free). */
gboolean hfsr_model_forward (const HfsrModel *model, const HfsrTensor *input,
                             HfsrTensor **outputs,
                             const HfsrRunOptions *options, GError **error);

/* The input rectangle needed to compute @output (in output-0 coordinates)
 * of an image whose extent is @image (input coordinates): the output's
 * footprint (floor/ceil division by the scale) grown by the margin and
 * clipped to @image.  The whole image when the margin is -1. */
HfsrRect hfsr_model_required_input (const HfsrModel *model,
                                    const HfsrRect *output,
                                    const HfsrRect *image);

/* Computes output 0 over output->rect by the tiling rule: output tiles of at
 * most @tile_size x @tile_size pixels (0 = default), each from its required
 * input (hfsr_model_required_input), every convolution zero-padded, margin
 * cropped.  Results do not depend on @tile_size, so interior seams are exact
 * and image borders match a whole-image run.  @input must cover
 * hfsr_model_required_input (output->rect); the model reads its first
 * input-channels channels and writes the first output-channels channels of
 * @output, leaving the others alone.  Scratch memory is bounded by the tile
 * size.  @progress may be NULL. */
gboolean hfsr_model_run_region (
  const HfsrModel *model, const HfsrImageView *input, const HfsrRect *image,
  const HfsrImageView *output, int tile_size, const HfsrRunOptions *options,
  HfsrProgressFunc progress, gpointer progress_data, GError **error);

G_END_DECLS

#endif /* HFSR_MODEL_H */
