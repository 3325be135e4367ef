/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the layer tests (test-layers.c, test-layers-shapes.c) share: a store
 * of weights a test owns, looked up by name as a model's would be; a node
 * loaded from JSON the way a model loads it; random tensors; a node run on
 * inputs.
 */
#ifndef HFSR_LAYER_TEST_UTIL_H
#define HFSR_LAYER_TEST_UTIL_H

#include <glib.h>

#include "hfsr-private.h"

G_BEGIN_DECLS

/* A store of weights (a GPtrArray that frees them; g_ptr_array_unref). */
GPtrArray *layer_test_store_new (void);

/* Adds a weight named @name of @ndim dimensions (the int arguments after
 * @ndim) holding uniform random values in [-1, 1) from @seed. */
HfsrWeight *layer_test_store_add (GPtrArray *store, const char *name,
                                  guint32 seed, int ndim, ...);

/* Loads a node of layer kind @op from @json_text, its weights looked up in
 * @store.  Returns what the layer's load() returns. */
gboolean layer_test_load_node (const char *op, GPtrArray *store,
                               const char *json_text, HfsrNode *node,
                               GError **error);

/* The same; an error fails the test. */
void layer_test_load_node_or_die (const char *op, GPtrArray *store,
                                  const char *json_text, HfsrNode *node);

/* A tensor of uniform random values in [lo, hi) from @seed. */
HfsrTensor *layer_test_random_tensor (int channels, int height, int width,
                                      guint32 seed, float lo, float hi);

/* infer_shape + forward, into an output pre-filled with NaN so that a layer
 * which forgets to initialise part of it fails.  An error fails the test. */
HfsrTensor *layer_test_run_node (const HfsrNode *node,
                                 const HfsrTensor *const *inputs,
                                 int n_inputs);

/* The same for a node of one input. */
HfsrTensor *layer_test_run_node1 (const HfsrNode *node,
                                  const HfsrTensor *input);

/* Largest |data[i]|. */
double layer_test_max_abs (const float *data, gsize n);

G_END_DECLS

#endif
