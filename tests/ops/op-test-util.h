/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the in-process GEGL op tests share: starting GEGL on the build's ops,
 * buffers from known pixels, rendering a node whole, chunk by chunk or
 * through GEGL's processor, and counting the ops' warnings.
 */
#ifndef HFSR_OP_TEST_UTIL_H
#define HFSR_OP_TEST_UTIL_H

#include <gegl.h>

G_BEGIN_DECLS

/* g_test_init + gegl_init; the ops come from GEGL_PATH (set by meson test).
 * Returns 0 when @op_name is there, else the status main should return:
 * 1 under meson test (HFSR_BUILD_ROOT set: the module failed to load) and
 * 77 (skip) elsewhere, where GEGL_PATH may just not point at a build. */
int op_test_init (int *argc, char ***argv, const char *op_name);

/* A new buffer of @width x @height pixels of @format, filled from @pixels
 * (rows packed, as @format lays them out). */
GeglBuffer *op_test_buffer_new (int width, int height, const Babl *format,
                                const void *pixels);

/* A buffer of @width x @height "R'G'B'A float" pixels with colour in [0, 1)
 * and alpha in [0, 1] from @seed. */
GeglBuffer *op_test_random_buffer (int width, int height, guint32 seed);

/* A graph: gegl:buffer-source (@input) -> @op_name (properties as in
 * gegl_node_new_child) with gegl:buffer-source (@aux) on "aux" when @aux is
 * not NULL.  Returns the op node; the graph is freed with
 * op_test_graph_free.  Every call builds fresh nodes, so nothing is served
 * from an earlier render's cache. */
GeglNode *op_test_graph_new (GeglBuffer *input, GeglBuffer *aux,
                             const char *op_name, const char *first_property,
                             ...) G_GNUC_NULL_TERMINATED;
void op_test_graph_free (GeglNode *op);

/* @node's output over @rect as pixels of @format (g_free), in one request. */
float *op_test_render (GeglNode *node, const GeglRectangle *rect,
                       const Babl *format);

/* The same, requested in pieces of at most @chunk_width x @chunk_height, in
 * raster order, each its own gegl_node_blit. */
float *op_test_render_chunks (GeglNode *node, const GeglRectangle *rect,
                              int chunk_width, int chunk_height,
                              const Babl *format);

/* GEGL's settings for one render through the processor. */
typedef struct
{
  int threads;
  int chunk_size; /* pixels per processor chunk */
  int tile_size;  /* width and height of new buffers' tiles */
} OpTestConfig;

/* @node's output over @rect, rendered by gegl:write-buffer and
 * gegl_node_process (GEGL's processor, which works chunk by chunk) under
 * @config; GEGL's settings are restored afterwards. */
float *op_test_process (GeglNode *node, const GeglRectangle *rect,
                        const Babl *format, const OpTestConfig *config);

/* The pixel format of the buffer @node's op hands on (via gegl:buffer-sink,
 * which passes that buffer as it is). */
const Babl *op_test_output_format (GeglNode *node);

/* Fails the test at the first of @n floats where @a and @b differ in any
 * bit (NaNs included), naming the pixel and channel. */
void op_test_assert_identical (const float *a, const float *b, gsize n,
                               int channels, int width);

/* The same with a tolerance. */
void op_test_assert_close (const float *actual, const float *expected, gsize n,
                           int channels, int width, double tolerance);

/* Lets warnings of the log domain "hfsr" through without failing the test
 * and counts those whose message contains @fragment from now on. */
void op_test_expect_warnings (const char *fragment);
/* How many such warnings came since op_test_expect_warnings; stops
 * letting them through. */
int op_test_warnings_seen (void);

G_END_DECLS

#endif
