/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Engine-internal interfaces: how the graph (model.c, graph.c) talks to the
 * layers (layers/) and the kernels (kernels/).  Not installed.
 */
#ifndef HFSR_PRIVATE_H
#define HFSR_PRIVATE_H

#include <json-glib/json-glib.h>

#include "hfsr.h"

G_BEGIN_DECLS

/* A tensor stored in the model file, converted to aligned float32 and owned
 * by the model.  Shapes use PyTorch's conventions (conv2d weight
 * [out, in, kh, kw], conv_transpose2d weight [in, out, kh, kw], linear weight
 * [out, in]). */
typedef struct
{
  char *name;
  int ndim;
  gint64 shape[4];
  gsize n_elements;
  float *data;
} HfsrWeight;

/* Resolves a tensor name from the node's JSON to a model weight; NULL when
 * the file has no such tensor. */
typedef const HfsrWeight *(*HfsrWeightLookup) (const char *name,
                                               gpointer user_data);

typedef struct
{
  int channels;
  int height;
  int width;
} HfsrShape;

#define HFSR_NODE_MAX_INPUTS 4

typedef struct _HfsrLayerClass HfsrLayerClass;

/* One node of a model's graph.  The integer fields are generic parameters a
 * layer may use; each layer's load() says which and validates them. */
typedef struct
{
  const HfsrLayerClass *klass;
  char *name;
  int n_inputs;
  int inputs[HFSR_NODE_MAX_INPUTS]; /* value slots: 0 is the
                                                       * graph input, k > 0 the
                                                       * output of node k - 1 */
  const HfsrWeight *weight;         /* kernel / slopes / matrix, or NULL */
  const HfsrWeight *bias;           /* or NULL */
  int in_channels;
  int out_channels;
  int kernel_h;
  int kernel_w;
  int stride;
  int padding;
  int output_padding;
  int factor;
  /* Set by graph.c on its own copy of a conv2d node whose
   * only consumer is a relu node, which then passes the conv's output on
   * unchanged; the conv applies max (·, 0) itself. */
  gboolean fused_relu;
  /* What the layer's prepare() derived from the weights (the conv2d
   * layer's Winograd-transformed kernels), or NULL; owned by the model,
   * freed with hfsr_free_floats. */
  float *prepared;
} HfsrNode;

struct _HfsrLayerClass
{
  const char *op; /* the node's "op" in the graph JSON */
  int min_inputs;
  int max_inputs;

  /* Reads the node's parameters from @json (the whole node object: "op",
   * "inputs" and "name" are already handled), resolves weights through
   * @lookup, checks their shapes and fills @node.  Errors say what is wrong
   * without the file or node name (the caller prefixes those). */
  gboolean (*load) (HfsrNode *node, JsonObject *json, HfsrWeightLookup lookup,
                    gpointer lookup_data, GError **error);

  /* Optional: derives node->prepared from the node's weights once they
   * are final (after load, and again after a blend changes them), so that
   * forward() does not redo it on every tile.  Fails only when memory
   * runs out. */
  gboolean (*prepare) (HfsrNode *node, GError **error);

  /* Output shape from the input shapes; fails on mismatched inputs. */
  gboolean (*infer_shape) (const HfsrNode *node, const HfsrShape *inputs,
                           HfsrShape *output, GError **error);

  /* Border contamination.  When each input may differ from the whole-image
   * result in a band @input_margin pixels wide along the region's edges
   * (input's own resolution), how wide is the output's band (output's own
   * resolution)?  -1 in or out means "anywhere" (global dependence). */
  int (*margin) (const HfsrNode *node, int input_margin);

  /* Computes @output (already allocated with the inferred shape) from
   * @inputs, writing every element of it: the graph does not clear it
   * first.  May allocate scratch (bounded by the tensor sizes); fails only
   * on allocation failure. */
  gboolean (*forward) (const HfsrNode *node, const HfsrTensor *const *inputs,
                       HfsrTensor *output, GError **error);
};

/* All layer kinds, in engine/layers/<op>.c, named hfsr_layer_<op>. */
extern const HfsrLayerClass hfsr_layer_conv2d;
extern const HfsrLayerClass hfsr_layer_conv_transpose2d;
extern const HfsrLayerClass hfsr_layer_pixel_shuffle;
extern const HfsrLayerClass hfsr_layer_relu;
extern const HfsrLayerClass hfsr_layer_prelu;
extern const HfsrLayerClass hfsr_layer_sigmoid;
extern const HfsrLayerClass hfsr_layer_add;
extern const HfsrLayerClass hfsr_layer_channel_scale;
extern const HfsrLayerClass hfsr_layer_global_avg_pool;
extern const HfsrLayerClass hfsr_layer_linear;
extern const HfsrLayerClass hfsr_layer_softmax;

/* A residual block x + conv (relu (conv (x))) run as one pass
 * (kernels.h: hfsr_winograd_fused_residual), which the graph uses instead
 * of the four nodes when hfsr_conv2d_fuses_residual says the two conv2d
 * nodes allow it (3x3 kernels on the fused Winograd path, weights
 * prepared, channels c -> m -> c).  Same bits as the nodes one by one. */
gboolean hfsr_conv2d_fuses_residual (const HfsrNode *expand,
                                     const HfsrNode *reduce);
/* The floats a fused block's worker keeps per pixel of the image's width
 * (its rows of the expansion), for sizing tiles. */
gsize hfsr_conv2d_residual_column_floats (const HfsrNode *expand);
gboolean hfsr_conv2d_residual_forward (const HfsrNode *expand,
                                       const HfsrNode *reduce,
                                       const HfsrTensor *input,
                                       HfsrTensor *output, GError **error);

/* Looks a layer kind up by its graph name; NULL if unknown. */
const HfsrLayerClass *hfsr_layer_lookup (const char *op);

/* Shared helpers for layer load() functions (engine/layers/layer-util.c). */
gboolean hfsr_layer_get_int (JsonObject *json, const char *key, int min,
                             int max, int default_value, gboolean required,
                             int *value, GError **error);
const HfsrWeight *hfsr_layer_get_weight (JsonObject *json, const char *key,
                                         gboolean required,
                                         HfsrWeightLookup lookup,
                                         gpointer lookup_data, GError **error);

/* 64-byte aligned float buffers (engine/tensor.c); NULL on overflow or
 * allocation failure.  hfsr_alloc_floats zero-fills; the uninitialised
 * variant is only for buffers whose every element is written before it is
 * read (kernel scratch that a transform fills, outputs a kernel writes in
 * full), where clearing would be a wasted pass over memory. */
float *hfsr_alloc_floats (gsize n_elements);
float *hfsr_alloc_floats_uninitialised (gsize n_elements);
void hfsr_free_floats (float *data);
/* Bracket a model run (hfsr_model_forward, hfsr_model_run_region), in any
 * thread: while one is going on, large freed buffers are pooled for reuse;
 * when the last ends, the pool is emptied (tensor.c). */
void hfsr_memory_run_begin (void);
void hfsr_memory_run_end (void);
/* hfsr_tensor_new without the clearing, for layer outputs (see forward). */
HfsrTensor *hfsr_tensor_new_uninitialised (int channels, int height, int width,
                                           GError **error);

/* The loaded model (engine/model.c), run by engine/graph.c and
 * described by tools/hfsr-model.c.  Value slots are numbered as in
 * HfsrNode.inputs: 0 is the graph input, k > 0 the output of node k - 1. */

/* Spatial size of a value relative to the graph input: HFSR_SLOT_GLOBAL
 * (1 x 1 whatever the input, e.g. after global pooling) or the whole
 * multiple the loader checked, at most HFSR_MAX_SCALE. */
#define HFSR_SLOT_GLOBAL 0
#define HFSR_MAX_SCALE 16

struct _HfsrModel
{
  char *name;           /* the file, as named in error messages */
  GHashTable *metadata; /* key -> value, both strings */
  HfsrWeight *weights;
  int n_weights;
  char *input_name;
  int input_channels;
  HfsrNode *nodes;
  int n_nodes;
  int *slot_scale;    /* n_nodes + 1 entries */
  int *slot_channels; /* n_nodes + 1 entries */
  int n_outputs;
  int *output_slots;
  char **output_names;
  int *output_channels;
  int scale;       /* of output 0 */
  int margin;      /* of output 0, input pixels; -1 = global */
  gpointer *plans; /* graph.c's run plan for the first 1 ..
                                * n_outputs outputs, made once with the
                                * prepared weights, not for every tile */
};

/* graph.c: the run plans of @model (which nodes run, which are fused, when
 * each value is freed), made again from its graph; and their release. */
void hfsr_graph_make_plans (HfsrModel *model);
void hfsr_graph_free_plans (HfsrModel *model);
/* How many residual blocks a tiled run (output 0) fuses into one pass: a
 * plan made before the weights were prepared fuses none, and runs at half
 * the speed with the same results (tests/engine/test-tiling.c checks). */
int hfsr_graph_n_fused_blocks (const HfsrModel *model);

/* Infers the shape of node @index from @slot_shapes (the shapes of all
 * earlier slots).  On failure the error reads "<model>: node '<name>'
 * (<op>): <why>" with code @error_code. */
gboolean hfsr_graph_infer_node (const HfsrModel *model, int index,
                                const HfsrShape *slot_shapes, int error_code,
                                HfsrShape *output, GError **error);

/* Moves @node_error into @error as "<model>: node '<name>' (<op>): <why>"
 * with code @error_code. */
void hfsr_graph_node_error (const HfsrModel *model, int index, int error_code,
                            GError *node_error, GError **error);

/* safetensors.c: the container and strict JSON. */

/* Where a model's bytes come from: memory, or a file read piece by piece so
 * that nothing is read before the part in front of it is checked. */
typedef struct
{
  const guint8 *data; /* NULL: read from fd */
  int fd;
  guint64 size;
} HfsrSource;

/* The container into @model's weights (n_weights) and metadata: length,
 * header, entries, layout, then the data, each checked before the next is
 * read; errors name model->name. */
gboolean hfsr_safetensors_read (HfsrModel *model, const HfsrSource *source,
                                GError **error);

/* @length bytes of strict JSON (RFC 8259, nesting and integer digits
 * bounded) that must hold an object; @what names it in errors. */
JsonNode *hfsr_json_parse_object (const char *text, gsize length,
                                  const char *what, const char *file,
                                  GError **error);
/* A member of the expected JSON type, or FALSE / NULL. */
gboolean hfsr_json_get_integer (JsonNode *node, gint64 *value);
const char *hfsr_json_get_string (JsonNode *node);
JsonArray *hfsr_json_get_array (JsonObject *object, const char *key);
JsonObject *hfsr_json_get_object (JsonObject *object, const char *key);

/* Sets "<file>: <message>" and returns FALSE, so checks read as one line. */
gboolean hfsr_fail (GError **error, const char *file, HfsrError code,
                    const char *format, ...) G_GNUC_PRINTF (4, 5);

/* Everything of @source but its weights' values: the graph, with nodes
 * pointing at the copy's own weights (allocated, for the caller to fill),
 * the metadata, scale and margin (model.c, next to hfsr_model_free). */
HfsrModel *hfsr_model_copy_structure (const HfsrModel *source,
                                      const char *name, GError **error);
/* Each node's layer prepare(): what depends on the weights alone (e.g. the
 * Winograd transform), made again whenever the weights change. */
gboolean hfsr_model_prepare_nodes (HfsrModel *model, GError **error);

G_END_DECLS

#endif /* HFSR_PRIVATE_H */
