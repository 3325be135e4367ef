/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * idx files, the format of the MNIST sets (LeCun's page): the bytes 0, 0,
 * the element type and the number of dimensions, each dimension's size as
 * a big-endian 32-bit integer, then the elements in row-major order.
 * Only unsigned bytes (type 0x08) are read: MNIST's images and labels.
 * Parsing works on memory so that tests/fuzz/fuzz-idx.c reaches it.
 */
#ifndef HFSR_IDX_H
#define HFSR_IDX_H

#include <glib.h>

G_BEGIN_DECLS

/* Far more than the MNIST test sets (7.8 MB unpacked): a file, or what a
 * .gz file unpacks to, beyond this is refused before it is read whole. */
#define IDX_MAX_BYTES ((gsize) 256 << 20)

/* The elements of the idx file of unsigned bytes with @dims dimensions
 * (1 to 4) held in @data, @size bytes; @shape gets the @dims sizes.  The
 * file must hold exactly the elements its shape counts.  Returns a copy of
 * the elements (g_free; a valid pointer even for none), or NULL with
 * @error, whose message does not name the file. */
guint8 *idx_parse (const guint8 *data, gsize size, int dims, guint32 *shape,
                   GError **error);

/* idx_parse of the file @path, gunzipped first when the name ends in
 * ".gz"; only a regular file is read (tool_check_regular_file).  Errors
 * name the file. */
guint8 *idx_load (const char *path, int dims, guint32 *shape, GError **error);

/* Whether each of the @n @labels is a class from 0 to @n_classes - 1; the
 * error names the first that is not. */
gboolean idx_check_labels (const guint8 *labels, gsize n, int n_classes,
                           GError **error);

G_END_DECLS

#endif /* HFSR_IDX_H */
