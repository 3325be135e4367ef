/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fused Winograd body on 16-lane vectors: the portable path, and the
 * AVX-512F one, which has the 32 registers to multiply two blocks per
 * weight load (multiply_group).
 */
#define LANES 16
#include "winograd-fused-lanes.h"

void
hfsr_fused_run_x16_generic (const FusedConv *conv, gsize first_block,
                            gsize end_block, float *transformed,
                            float *products)
{
  run_blocks (conv, first_block, end_block, transformed, products, 1,
              OUT_BLOCK);
}

#ifdef HFSR_X86_PATHS
__attribute__ ((target ("avx512f"))) void
hfsr_fused_run_x16_avx512 (const FusedConv *conv, gsize first_block,
                           gsize end_block, float *transformed,
                           float *products)
{
  run_blocks (conv, first_block, end_block, transformed, products, 2,
              OUT_BLOCK);
}
#endif
