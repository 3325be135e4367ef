/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fused Winograd body on 8-lane vectors for AVX2 + FMA: one ymm
 * register per vector, so every shuffle is one or two instructions, and
 * one block at a time, whose 8 accumulators, input vector and broadcast
 * weight fit the 16 registers.  Built on x86 only (engine/kernels/meson.build).
 */
#define LANES 8
#include "winograd-fused-lanes.h"

__attribute__ ((target ("avx2,fma"))) void
hfsr_fused_run_x8_avx2 (const FusedConv *conv, gsize first_block,
                        gsize end_block, float *transformed, float *products)
{
  run_blocks (conv, first_block, end_block, transformed, products, 3,
              OUT_BLOCK / 2);
}
