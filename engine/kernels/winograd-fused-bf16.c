/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fused Winograd body on 16-lane vectors with the Winograd-domain
 * products in bfloat16 (AVX512_BF16's vdpbf16ps, float sums): the
 * transformed input and weights are rounded to bfloat16 pairs of input
 * channels, everything else is the AVX-512 body's float arithmetic.  Only
 * run when asked for (HFSR_KERNEL=avx512-bf16): its results differ from
 * the float path's by about 1e-3 (engine/README.md).  The whole file is
 * compiled for AVX-512F + AVX512_BF16, so the always-inlined body and the
 * intrinsics share one target.
 */
#include "kernels.h"

#ifdef HFSR_BF16_PATH
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bf16"))), \
                             apply_to = function)
#else
#pragma GCC target("avx512f,avx512bf16")
#endif
#include <immintrin.h>

#define LANES 16
#define FUSED_BF16 1
#include "winograd-fused-lanes.h"

void
hfsr_fused_run_x16_avx512_bf16 (const FusedConv *conv, gsize first_block,
                                gsize end_block, float *transformed,
                                float *products)
{
  run_blocks (conv, first_block, end_block, transformed, products, 2,
              OUT_BLOCK);
}

#if defined(__clang__)
#pragma clang attribute pop
#endif
#endif
