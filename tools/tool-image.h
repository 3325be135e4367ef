/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Image files for the command-line tools, through GEGL: loading into
 * R'G'B' planes, saving 8-bit PNGs, and turning GEGL's logged warnings
 * into errors.  Shared by hfsr-eval, hfsr-sift and hfsr-classify.
 */
#ifndef HFSR_TOOL_IMAGE_H
#define HFSR_TOOL_IMAGE_H

#include <gegl.h>

#include "hfsr.h"

G_BEGIN_DECLS

/* Call first in main, before anything can log and before gegl_init:
 * installs the log writer behind tool_capture_* and the exit handler that
 * turns a fatal libjpeg error while loading into "PROGRAM: FILE: not an
 * image GEGL can read" and exit status @load_failure_status. */
void tool_image_setup (const char *program, int load_failure_status);

/* GEGL reports failures inside a graph (an unreadable file, an op that
 * cannot run) as log warnings, not as errors to the caller.  Between
 * begin and end the first warning is kept and none is printed; end
 * fails with "@what: <warning>" when there was one. */
void tool_capture_begin (void);
gboolean tool_capture_end (const char *what, GError **error);

/* Planar (CHW) @image to interleaved @pixels (channels floats a pixel)
 * and back; @pixels holds hfsr_tensor_size (image) floats. */
void tool_pixels_from_planes (const HfsrTensor *image, float *pixels);
void tool_planes_from_pixels (const float *pixels, HfsrTensor *image);

/* @node's output over @rect as three planes of R'G'B' float (sRGB).  A
 * grey image gives three equal planes; alpha is ignored. */
HfsrTensor *tool_render_planes (GeglNode *node, const GeglRectangle *rect,
                                GError **error);

/* tool_render_planes between tool_capture_begin and tool_capture_end: a
 * warning GEGL logs while the graph runs (how an op reports a failed
 * region) fails the render as "@what: <warning>". */
HfsrTensor *tool_render_planes_checked (GeglNode *node,
                                        const GeglRectangle *rect,
                                        const char *what, GError **error);

/* A new buffer of @format holding the R'G'B' planes of @image. */
GeglBuffer *tool_buffer_from_planes (const HfsrTensor *image,
                                     const char *format);

/* Adds to @images (of path strings, freed by the caller) the PNG and JPEG
 * files directly inside the folder @path, sorted by name, or @path itself
 * when it is a file.  A missing path or a folder without images is an
 * error. */
gboolean tool_collect_images (const char *path, GPtrArray *images,
                              GError **error);

/* FALSE with an error naming GEGL_PATH when GEGL lacks @operation: GEGL
 * gives a node of an unknown operation no operation at all, and asking
 * such a node for its size crashes inside GEGL. */
gboolean tool_require_operation (const char *operation, GError **error);

/* An image file (anything gegl:load reads) as R'G'B' planes; a missing,
 * unreadable or undecodable file, or a GEGL without gegl:load, is an error
 * naming it. */
HfsrTensor *tool_load_image (const char *path, GError **error);

/* Writes @image (values in [0, 1], 8-bit levels expected) as an 8-bit PNG
 * at the highest compression; @bytes (may be NULL) gets the file's
 * size. */
gboolean tool_save_png (const HfsrTensor *image, const char *path,
                        gint64 *bytes, GError **error);

/* The top-left @width x @height of @image (at most its size). */
HfsrTensor *tool_crop_top_left (const HfsrTensor *image, int width, int height,
                                GError **error);

/* Clamps to [0, 1] and rounds to the nearest of 256 levels, halves up:
 * what writing an 8-bit PNG does to a float image (babl's float -> u8
 * conversion). */
void tool_quantize_8bit (float *data, gsize n);

/* babl's Y' (the sRGB encoding of the luminance) of the R'G'B' planes
 * @rgb, row-major: the grey the hfsr ops read for grey networks.  Free
 * with g_free. */
float *tool_grey_of (const HfsrTensor *rgb, GError **error);

G_END_DECLS

#endif /* HFSR_TOOL_IMAGE_H */
