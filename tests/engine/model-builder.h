/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Builds hfsr model files (models/FORMAT.md) in memory, for tests and fuzz
 * seeds: a graph made node by node (or given as JSON text), named F32
 * tensors and metadata, packed as safetensors bytes.
 */
#ifndef HFSR_MODEL_BUILDER_H
#define HFSR_MODEL_BUILDER_H

#include <glib.h>

#include "hfsr.h"

G_BEGIN_DECLS

typedef struct _HfsrModelBuilder HfsrModelBuilder;

/* A model whose graph input is @input_name with @input_channels channels;
 * metadata starts as hfsr.format "1" and hfsr.task "test". */
HfsrModelBuilder *hfsr_model_builder_new (const char *input_name,
                                          int input_channels);
void hfsr_model_builder_free (HfsrModelBuilder *builder);

/* Appends a node.  @inputs is a comma-separated list of names; @fields is
 * NULL or JSON object text with the node's other members, e.g.
 * "{\"factor\": 2}". */
void hfsr_model_builder_add_node (HfsrModelBuilder *builder, const char *name,
                                  const char *op, const char *inputs,
                                  const char *fields);
/* Graph outputs in order; with none, the last node is the only output. */
void hfsr_model_builder_add_output (HfsrModelBuilder *builder,
                                    const char *name);

/* Appends an F32 tensor holding a copy of @data (prod(shape) floats). */
void hfsr_model_builder_add_tensor (HfsrModelBuilder *builder,
                                    const char *name, const float *data,
                                    int ndim, const gint64 *shape);
/* The same with values uniform in [-amplitude, amplitude) from @seed. */
void hfsr_model_builder_add_random_tensor (HfsrModelBuilder *builder,
                                           const char *name, guint32 seed,
                                           float amplitude, int ndim,
                                           const gint64 *shape);

/* Layers with random weights: tensors "<name>.weight" and "<name>.bias"
 * (weights scaled by 1/sqrt(fan-in), so values stay near 1 through deep
 * nets) and the node.  Kernels are square. */
void hfsr_model_builder_add_conv2d (HfsrModelBuilder *builder,
                                    const char *name, const char *input,
                                    int in_channels, int out_channels,
                                    int kernel, guint32 seed);

/* WDSR-A's x2 output stage on 3-channel input "input": a 3x3 tail
 * convolution of @body (@channels channels) and a 5x5 skip convolution of
 * the input, each to 12 channels and pixel-shuffled by 2, added into node
 * "output"; their weights from @tail_seed and @skip_seed. */
void hfsr_model_builder_add_x2_output (HfsrModelBuilder *builder,
                                       const char *body, int channels,
                                       guint32 tail_seed, guint32 skip_seed);
void hfsr_model_builder_add_conv_transpose2d (
  HfsrModelBuilder *builder, const char *name, const char *input,
  int in_channels, int out_channels, int kernel, int stride, int padding,
  int output_padding, guint32 seed);
/* Slopes "<name>.weight" [channels], in [0, 0.5). */
void hfsr_model_builder_add_prelu (HfsrModelBuilder *builder, const char *name,
                                   const char *input, int channels,
                                   guint32 seed);

/* Sets a metadata string; NULL removes the key. */
void hfsr_model_builder_set_metadata (HfsrModelBuilder *builder,
                                      const char *key, const char *value);
/* Stores @graph_json verbatim as hfsr.graph instead of the graph built
 * from the nodes (NULL goes back to the built one). */
void hfsr_model_builder_set_graph (HfsrModelBuilder *builder,
                                   const char *graph_json);

/* The graph JSON that build() stores (set or built). */
char *hfsr_model_builder_get_graph (HfsrModelBuilder *builder);
/* The safetensors file. */
GBytes *hfsr_model_builder_build (HfsrModelBuilder *builder);

/* A safetensors file from raw parts: the 8-byte little-endian length of
 * @header, @header itself, then @buffer_size bytes of @buffer. */
GBytes *hfsr_safetensors_pack (const char *header, const void *buffer,
                               gsize buffer_size);

/* Writes @bytes to a new temporary file and returns its path (free it;
 * remove the file with g_unlink). */
char *hfsr_write_temp_file (GBytes *bytes, GError **error);

/* Builds, loads (a failure fails the test) and frees @builder. */
HfsrModel *hfsr_model_builder_load (HfsrModelBuilder *builder);

/* WDSR-A in small (margin 6 input pixels): head, two residual blocks with a
 * x2 expansion, tail and 5x5 skip, both pixel-shuffled, summed. */
HfsrModel *hfsr_model_builder_small_wdsr_x2 (void);

G_END_DECLS

#endif
