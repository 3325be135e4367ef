/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libhfsr, the inference engine: the umbrella header.  It depends on GLib
 * only: no GEGL, no GIMP.  Every function that can fail takes a GError and
 * never aborts on bad input.  One header per concern:
 *
 *   hfsr-tensor.h   errors, tensors, regions, memory count
 *   hfsr-model.h    loading and running a network (the inference API)
 *   hfsr-zoo.h      finding models by name and value, blending
 *   hfsr-maps.h     classic image maps
 *   hfsr-quality.h  resampling and the evaluation's measures
 *   hfsr-sr2.h      Structure-aware SR
 *   hfsr-dog-sr.h   DoG Super-Resolution
 *   hfsr-sift.h     SIFT keypoints and matching
 */
#ifndef HFSR_H
#define HFSR_H

#include "hfsr-tensor.h"
#include "hfsr-model.h"
#include "hfsr-zoo.h"
#include "hfsr-maps.h"
#include "hfsr-quality.h"
#include "hfsr-sr2.h"
#include "hfsr-dog-sr.h"
#include "hfsr-sift.h"

#endif /* HFSR_H */
