/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Helpers the layer files share (beyond the two in hfsr-private.h).  Private
 * to engine/layers/.
 */
#ifndef HFSR_LAYER_UTIL_H
#define HFSR_LAYER_UTIL_H

#include "hfsr-private.h"

G_BEGIN_DECLS

/* Sets a HFSR_ERROR_FORMAT error "weight '<name>' has shape [..]: <why>". */
void hfsr_layer_weight_error (const HfsrWeight *weight, GError **error,
                              const char *format, ...) G_GNUC_PRINTF (3, 4);

/* Checks that @weight has @ndim dimensions, each in [1, G_MAXINT], whose
 * product is its element count and at most HFSR_TENSOR_MAX_ELEMENTS, so
 * every index the layers compute fits. */
gboolean hfsr_layer_check_rank (const HfsrWeight *weight, int ndim,
                                GError **error);

/* The required "weight" (@weight_ndim dimensions) and optional "bias" of
 * conv2d, conv_transpose2d and linear: fills node->weight and node->bias.
 * The bias must be [weight->shape[@bias_dim]], one value per output
 * channel. */
gboolean hfsr_layer_load_weight (HfsrNode *node, JsonObject *json,
                                 int weight_ndim, int bias_dim,
                                 HfsrWeightLookup lookup, gpointer lookup_data,
                                 GError **error);

/* Sets @output to [channels, height, width] after checking that it is a
 * tensor the engine can allocate (each dimension fits an int, the element
 * count HFSR_TENSOR_MAX_ELEMENTS). */
gboolean hfsr_layer_set_shape (HfsrShape *output, gint64 channels,
                               gint64 height, gint64 width, GError **error);

/* A convolution's output shape, conv2d's and conv_transpose2d's alike:
 * fails unless @input has the node's in_channels (what its weight
 * expects); out_channels at @scale times the input's size (1, or the
 * transposed convolution's stride). */
gboolean hfsr_layer_infer_conv (const HfsrNode *node, const HfsrShape *input,
                                int scale, HfsrShape *output, GError **error);

/* A margin grown to @margin pixels, saturated at G_MAXINT (a band wider
 * than any image is the whole image anyway). */
int hfsr_layer_saturate_margin (gint64 margin);

/* Shared by the layers without parameters or with one input of the output's
 * shape. */
gboolean hfsr_layer_load_nothing (HfsrNode *node, JsonObject *json,
                                  HfsrWeightLookup lookup,
                                  gpointer lookup_data, GError **error);
gboolean hfsr_layer_infer_same (const HfsrNode *node, const HfsrShape *inputs,
                                HfsrShape *output, GError **error);
int hfsr_layer_margin_same (const HfsrNode *node, int input_margin);
int hfsr_layer_margin_global (const HfsrNode *node, int input_margin);

G_END_DECLS

#endif
