/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the hfsr:super-resolution tests (test-op-super-resolution*.c) share:
 * small WDSR-A-shaped networks written for the test as the shipped families
 * are (hfsr-x<s>-a<alpha>, s 2 to 4, alpha 0 and 0.2, x2 also 1/3) in a
 * folder of their own that HFSR_MODEL_PATH names; random images and a
 * sprite on transparency; the engine's output to compare the op's with; the
 * op's render.
 */
#ifndef HFSR_SR_TEST_UTIL_H
#define HFSR_SR_TEST_UTIL_H

#include <gegl.h>

#include "hfsr.h"
#include "model-builder.h"

G_BEGIN_DECLS

#define SR_TEST_OP "hfsr:super-resolution"
#define SR_TEST_TOLERANCE 1e-5

/* The test networks' residual branch reaches 4 input pixels (four 3 x 3
 * convolutions), the skip 2: the margin is 4. */
#define SR_TEST_MARGIN 4

/* op_test_init, then writes the test networks and points HFSR_MODEL_PATH
 * at them.  Returns op_test_init's status: main returns it unless 0. */
int sr_test_init (int *argc, char ***argv);

/* g_test_run, then removes the networks and ends GEGL.  Returns
 * g_test_run's status. */
int sr_test_run (void);

/* The folder of the test networks. */
const char *sr_test_model_dir (void);

/* "R'G'B'A float", the test images' format. */
const Babl *sr_test_rgba_float (void);

/* Writes @b's model as @name in the test's model folder and frees @b.
 * Returns the file's path. */
char *sr_test_save_network (HfsrModelBuilder *b, const char *name);

/* A x2 network that mixes channels, unlike a trained one: the builder's
 * random @kernel x @kernel convolution (with bias) and a pixel shuffle.
 * The mean of its three outputs is none of them, and nothing it does keeps
 * colours apart.  A 1 x 1 kernel gives a margin of 0.  Returns the file's
 * path. */
char *sr_test_write_mixing_network (const char *name, int kernel);

/* The path of the test network hfsr-x<scale>-a<file_alpha>, and that
 * network loaded. */
char *sr_test_network_path (int scale, const char *file_alpha);
HfsrModel *sr_test_load_network (int scale, const char *file_alpha);

/* @rect times @scale. */
GeglRectangle sr_test_scaled (const GeglRectangle *rect, int scale);

/* The number of floats of @channels channels over @rect. */
gsize sr_test_n_floats (const GeglRectangle *rect, int channels);

/* A buffer covering @rect (which may lie anywhere) filled from @pixels. */
GeglBuffer *sr_test_buffer_at (const GeglRectangle *rect, const Babl *format,
                               const void *pixels);

/* A random R'G'B'A float image over @rect: colour in [0, 1), alpha in
 * [0, 1) or 1, and a buffer holding it. */
typedef struct
{
  GeglRectangle rect;
  float *pixels;
  GeglBuffer *buffer;
} SrTestImage;

SrTestImage *sr_test_image_new (const GeglRectangle *rect, guint32 seed,
                                gboolean opaque);
void sr_test_image_free (SrTestImage *image);

/* The engine's output of @model over @out for the R'G'B' of @pixels
 * (R'G'B'A float covering @image), unclamped, alpha left 1. */
float *sr_test_engine_run (const HfsrModel *model, const float *pixels,
                           const GeglRectangle *image,
                           const GeglRectangle *out);

/* @value clamped to [0, 1]. */
float sr_test_clamp_unit (float value);

/* What the op must give for an opaque image: the engine's output clamped
 * to [0, 1], alpha 1. */
float *sr_test_engine_render (const HfsrModel *model, const float *pixels,
                              const GeglRectangle *image,
                              const GeglRectangle *out);

/* The mean of the colour channels of R'G'B'A @pixels over @rect: black is
 * 0, the random test images about 0.5. */
double sr_test_mean_colour (const float *pixels, const GeglRectangle *rect);

/* The op's output over @out (scale 2 unless the properties say). */
float *sr_test_op_render (GeglBuffer *input, const GeglRectangle *out,
                          const Babl *format, const char *first_property,
                          ...) G_GNUC_NULL_TERMINATED;

/* A sprite: an opaque red disc on fully transparent green, R'G'B'A float
 * over sr_test_sprite_rect. */
extern const GeglRectangle sr_test_sprite_rect;

float *sr_test_sprite_pixels (void);

/* Whether R'G'B'A @pixel is the sprite's red: no green bleeding from under
 * the transparent pixels, no dark rim. */
gboolean sr_test_is_red (const float *pixel);

G_END_DECLS

#endif
