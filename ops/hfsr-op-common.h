/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the hfsr GEGL ops share: region maths and pixel transfer (the
 * engine works on planar float images, GEGL hands out interleaved pixels:
 * these helpers are the one place where the two meet), the parts of an
 * op's class that several ops fill alike, and the network an op runs,
 * loaded once per change of its settings.  hfsr-op-class.c defines
 * hfsr_op_class_init and hfsr-op-common.c the rest.
 */
#ifndef HFSR_OP_COMMON_H
#define HFSR_OP_COMMON_H

#include <gegl.h>

#include "hfsr.h"
#include "hfsr-op-enums.h"

G_BEGIN_DECLS

/* The margin of an op whose output depends on the whole input image. */
#define HFSR_OP_WHOLE_IMAGE (-1)

/* The input an op reads to compute @roi when an output pixel depends on the
 * input pixels within @margin of it: @roi grown by @margin and clipped to
 * @extent, the true image, beyond which no pixel exists.  With
 * HFSR_OP_WHOLE_IMAGE the result is @extent, or @roi where @extent is an
 * infinite plane (a whole-image statistic of an endless image cannot be
 * computed, so the requested region stands in for it).  With no @extent (no
 * input connected) @roi is returned as it is. */
GeglRectangle hfsr_op_grow_within (const GeglRectangle *roi, int margin,
                                   const GeglRectangle *extent);

/* a / b rounded towards minus infinity (b > 0): GEGL coordinates may be
 * negative. */
gint64 hfsr_op_floor_div (gint64 a, gint64 b);

/* The input pixels under @roi of an op whose output is @scale (any
 * factor) times its input: [floor (x0 / scale), ceil (x1 / scale)) in each
 * direction. */
GeglRectangle hfsr_op_scale_down (const GeglRectangle *roi, double scale);

/* @rect's pixels each made @scale x @scale, clipped to what a
 * GeglRectangle holds; an infinite plane stays one. */
GeglRectangle hfsr_op_scale_up (const GeglRectangle *rect, int scale);

/* The output pixel corner of input corner @x at a scale of @scale, which
 * may be fractional: x scale rounded to the nearest integer, halves up
 * (exact for an integer scale).  The output image of an input [x0, x1) is
 * [hfsr_op_scaled_corner (x0), hfsr_op_scaled_corner (x1)). */
gint64 hfsr_op_scaled_corner (gint64 x, double scale);

/* Room for @width x @height pixels of @n_components floats each (g_free),
 * or NULL with HFSR_ERROR_NO_MEMORY when the size overflows or memory runs
 * out. */
float *hfsr_op_pixels_new (int width, int height, int n_components,
                           GError **error);

/* Reports @error, when set, as a warning of the log domain "hfsr" that
 * starts with the op's name, and clears it. */
void hfsr_op_warn (GeglOperation *operation, GError **error);

/* gegl_buffer_get of @rect (inside the image: no abyss) in the float
 * @format into @pixels, through "R'G'B'A float" (babl builds some direct
 * conversions wrongly), with the non-finite rule applied
 * (hfsr_make_finite); the first time an op meets such values it says so
 * once (a g_message: the result stands).  Every op reads its input through
 * this.  Fails only when memory
 * runs out. */
gboolean hfsr_op_get_pixels (GeglOperation *operation, GeglBuffer *buffer,
                             const GeglRectangle *rect, const Babl *format,
                             float *pixels, GError **error);

/* The rule and the warning for @n values read from the input otherwise
 * (GEGL's sampler). */
void hfsr_op_make_input_finite (GeglOperation *operation, float *values,
                                gsize n);

/* The same rule for @n values a network computed: a sound model never
 * gives a non-finite value, so the first time it happens the op warns once
 * (g_warning: the result is not what the network should give) that the
 * model file is suspect. */
void hfsr_op_check_network_output (GeglOperation *operation, float *values,
                                   gsize n);

/* Reads @rect of @buffer in @format (a float format), through
 * hfsr_op_get_pixels, into a new planar tensor holding one plane per
 * component of @format. */
HfsrTensor *hfsr_op_read_planes (GeglOperation *operation, GeglBuffer *buffer,
                                 const GeglRectangle *rect, const Babl *format,
                                 GError **error);

/* Writes @rect of the planes @planes (one per component of the float format
 * @format, each covering @planes_rect, which contains @rect) into @buffer. */
gboolean hfsr_op_write_planes (GeglBuffer *buffer, const GeglRectangle *rect,
                               const float *const *planes,
                               const GeglRectangle *planes_rect,
                               const Babl *format, GError **error);

/* The same rectangle in the engine's type and back. */
HfsrRect hfsr_op_rect_to_engine (const GeglRectangle *rect);
GeglRectangle hfsr_op_rect_from_engine (const HfsrRect *rect);

/* The bounding box of what is connected to @pad, or an empty rectangle
 * where nothing is. */
GeglRectangle hfsr_op_source_extent (GeglOperation *operation,
                                     const gchar *pad);

/* The output image of an op whose output is its "input" pad's extent
 * made @scale times larger (empty with nothing connected): the bounding
 * box of HFSR_OP_UPSCALED. */
GeglRectangle hfsr_op_upscaled_bounding_box (GeglOperation *operation,
                                             double scale);

/* The part of @roi within the output image of an op whose output is @scale
 * times its input (hfsr_op_upscaled_bounding_box) in @part, or FALSE where
 * there is none: a blit may ask for more than the image, and only the
 * image has pixels. */
gboolean hfsr_op_upscaled_part (GeglOperation *operation,
                                const GeglRectangle *roi, double scale,
                                GeglRectangle *part);

/* prepare's formats, babl names of float formats: @input, @aux (NULL: the
 * op has no aux pad) and @output, each in the input's colour space. */
void hfsr_op_set_formats (GeglOperation *operation, const char *input,
                          const char *aux, const char *output);

/* get_required_for_output of an op whose output pixel depends on the
 * input pixels within @margin of it (hfsr_op_grow_within in the "input"
 * pad's extent). */
GeglRectangle hfsr_op_required_within (GeglOperation *operation,
                                       const GeglRectangle *roi, int margin);

/* The most planes a pixel format of the ops has (R'G'B'A). */
#define HFSR_OP_MAX_PLANES 4

/* One chunk of an HFSR_OP_LOCAL op (HfsrOpInfo), computed at once. */
typedef struct
{
  GeglRectangle region; /* the input read */
  HfsrTensor *input;    /* its planes, in the input pad's format */
  HfsrTensor *aux;      /* the same of the aux pad, or NULL */
  /* Set by the op: a plane per output component, covering region, in
   * input or in a tensor of the op's own, left in scratch (freed after
   * the planes are written). */
  const float *planes[HFSR_OP_MAX_PLANES];
  HfsrTensor *scratch;
} HfsrOpChunk;

/* Computes @chunk's output planes. */
typedef gboolean (*HfsrOpPlanesFunc) (GeglOperation *operation,
                                      HfsrOpChunk *chunk, GError **error);

/* Whether level @level exists in the stack that @output draws (1-4 for
 * the DoG, 1-5 for the Gaussians); where it does not, @operation (when
 * not NULL) warns so. */
gboolean hfsr_op_level_exists (GeglOperation *operation,
                               HfsrOpDogSrOutput output, int level);

/* Grey level at which a signed value of 0 (a DoG level's, a signed map's)
 * is drawn. */
#define HFSR_OP_SIGNED_ZERO 0.5f

/* Draws the DoG level @lower - @upper of @n pixels into @out (which may be
 * @lower) as HFSR_OP_SIGNED_ZERO + @gain * value: DoG values are small. */
void hfsr_op_draw_dog (float *out, const float *lower, const float *upper,
                       gsize n, double gain);

/* Computes one piece of a one-plane output into @out (piece-sized, rows
 * packed): @data is an HfsrOpNetworkJob. */
typedef gboolean (*HfsrOpPieceFunc) (const GeglRectangle *piece, float *out,
                                     gpointer data, GError **error);

/* A loaded network with a reference for every chunk running on it: the
 * cache may move on to another network while a chunk still runs. */
typedef struct
{
  HfsrModel *model;
  HfsrModel *next; /* run on model's output (HfsrOpNetwork.load_next) */
} HfsrOpModel;

/* How an op that runs a network gets it.  Each op instance keeps the
 * network of the settings it was last asked for, on the operation object
 * (so it goes with it: the op needs no finalize of its own). */
typedef struct
{
  /* Any string that changes with the settings the network depends on
   * (g_free). */
  char *(*key) (GeglOperation *operation);
  /* Loads the network of @operation's current settings, or fails saying
   * why. */
  HfsrModel *(*load) (GeglOperation *operation, GError **error);
  /* Where the settings ask for a second network run on the first one's
   * output (NULL: never), loads it; NULL without @error where these
   * settings have none.  The two load, fail and are kept together. */
  HfsrModel *(*load_next) (GeglOperation *operation, GError **error);
  /* What the op does without one: the start of the warning. */
  const char *failure;
} HfsrOpNetwork;

/* The "model" property's file, or NULL where it is empty: the shipped
 * networks. */
const char *hfsr_op_model_file (const char *model);

/* @file (a model file, or NULL) as a network's key names it: its path
 * with its inode, size and time of change, so that a file written again
 * while GIMP runs is loaded again, not taken from the networks already
 * loaded; g_free. */
char *hfsr_op_model_file_key (const char *file);

/* The network of @operation's current settings, with a reference for the
 * caller (hfsr_op_model_release), or NULL when there is none.  The first
 * call after the settings change loads it and, when that fails, warns
 * once, starting with the network's failure, not once a chunk.  Safe from
 * any thread. */
HfsrOpModel *hfsr_op_model_acquire (GeglOperation *operation,
                                    const HfsrOpNetwork *network);
/* The network already loaded for the current settings, with a reference,
 * or NULL when none is (nothing is loaded and nothing warns): for
 * questions asked while settings are still changing, such as
 * get_invalidated_by_change. */
HfsrOpModel *hfsr_op_model_peek (GeglOperation *operation,
                                 const HfsrOpNetwork *network);
void hfsr_op_model_release (HfsrOpModel *shared);

/* A trained DoG-SR method's name, as the shipped networks' files and
 * their hfsr.method say it. */
const char *hfsr_op_dog_sr_method_name (HfsrOpDogSrMethod method);

/* The shipped DoG-SR network of @scale and the trained @method. */
HfsrModel *hfsr_op_dog_sr_load_shipped (int scale, HfsrOpDogSrMethod method,
                                        GError **error);

/* What output @roi reads with the networks of @shared (NULL: none could be
 * had, the op's fallback) within the input's @extent. */
typedef GeglRectangle (*HfsrOpRequiredFunc) (GeglOperation *operation,
                                             const HfsrOpModel *shared,
                                             const GeglRectangle *roi,
                                             const GeglRectangle *extent);

/* What a piece of an op that runs a network is computed from. */
typedef struct
{
  GeglOperation *operation;
  const HfsrModel *model; /* NULL: none could be had, the fallback */
  GeglBuffer *input;
  const GeglRectangle *extent; /* the input image */
} HfsrOpNetworkJob;

/* How the output of an op depends on its input: what the region
 * functions that hfsr_op_class_init gives its class answer. */
typedef enum
{
  /* The output covers the input image (an aux image only has to match
   * it), and an output pixel depends on the input pixels within the
   * margin (HfsrOpInfo) of it. */
  HFSR_OP_LOCAL,
  /* The output is the input made "scale" (the op's property) times
   * larger by a network, kept once computed.  An output pixel depends on
   * the input that HfsrOpInfo.required names, and its footprint reaches
   * at least the margin around it whatever the network's margin. */
  HFSR_OP_UPSCALED,
  /* Every output pixel depends on all of each input: the output is
   * computed once, for the whole input image, and kept. */
  HFSR_OP_WHOLE
} HfsrOpShape;

/* How far an output pixel of @operation looks with its current settings,
 * in input pixels, or HFSR_OP_WHOLE_IMAGE. */
typedef int (*HfsrOpMarginFunc) (GeglOperation *operation);

/* What an op's class has in common with the other ops', for
 * hfsr_op_class_init: one static HfsrOpInfo an op. */
typedef struct
{
  /* prepare's formats (hfsr_op_set_formats); a NULL input: the op has a
   * prepare of its own. */
  const char *input_format;
  const char *aux_format;
  const char *output_format;
  HfsrOpShape shape;
  /* The margin of the shape; an HFSR_OP_UPSCALED op may have none (0). */
  HfsrOpMarginFunc margin;
  /* The network of an HFSR_OP_UPSCALED op and what its output reads. */
  const HfsrOpNetwork *network;
  HfsrOpRequiredFunc required;
  /* The output an HFSR_OP_UPSCALED op's changed input region reaches, where
   * the op's own rule is not the network's margin scaled up by an integer
   * "scale" (NULL: it is). */
  GeglRectangle (*invalidated) (GeglOperation *operation,
                                const GeglRectangle *input_region);
  /* process, where the op has none of its own, asks this first whether
   * there is anything to compute (NULL: there always is); where there is
   * not, it has warned why and process fails. */
  gboolean (*ready) (GeglOperation *operation);
  /* Computes an HFSR_OP_LOCAL op's chunk: its process reads the input
   * within the margin of the chunk (and the same of aux, for a composer)
   * and writes the planes this sets. */
  HfsrOpPlanesFunc planes;
  /* Computes a piece of an HFSR_OP_UPSCALED op's one-plane output: its
   * process cuts the part of the chunk within the image into pieces of a
   * bounded size, so that scratch memory is bounded whatever chunk GEGL
   * asks for. */
  HfsrOpPieceFunc piece;
} HfsrOpInfo;

/* The parts of an op's class that follow from @info (static: the class
 * keeps it): prepare, where @info has the formats; the region functions
 * (get_bounding_box, get_required_for_output, get_invalidated_by_change,
 * get_cached_region) and the cache policy of its shape; process, where
 * @info has the planes or the piece.  Then the keys, as
 * gegl_operation_class_set_keys. */
void hfsr_op_class_init (GeglOperationClass *klass, const HfsrOpInfo *info,
                         const gchar *first_key, ...) G_GNUC_NULL_TERMINATED;

/* HfsrOpInfo.ready of an op that draws one level of a stack, chosen by its
 * properties "output" and "level": whether the level exists
 * (hfsr_op_level_exists). */
gboolean hfsr_op_stack_level_ready (GeglOperation *operation);

G_END_DECLS

#endif
