/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-sift's text files (tools/README.md): keypoint files, as `detect`
 * writes and `match` reads them, and Oxford's H1to2p homographies.  The
 * parsers work on memory so that tests/fuzz/fuzz-sift-files.c reaches
 * them; their errors name lines, not files, and the _load functions add
 * the file's name.
 */
#ifndef HFSR_SIFT_FILES_H
#define HFSR_SIFT_FILES_H

#include <stdio.h>

#include "hfsr.h"

G_BEGIN_DECLS

#define KEYPOINT_MAGIC "hfsr-sift 1"
/* Far more keypoints than any image gives; bounds what a file may ask
 * for before its lines are counted. */
#define KEYPOINT_MAX 10000000

typedef struct
{
  HfsrKeypoint *points;
  int n;
} KeypointList;

void keypoint_list_clear (KeypointList *list);

/* The header line, then one line per keypoint: x y sigma orientation
 * response octave and the descriptor, every float exactly as it is. */
void keypoint_file_write (FILE *to, const KeypointList *list);

/* To the file @path, or to standard output when NULL (whose failures
 * tool_check_stdout_at_exit reports). */
gboolean keypoint_file_save (const char *path, const KeypointList *list,
                             GError **error);

/* The keypoints of the file held in @data, @length bytes; every line is
 * checked.  On failure @list is left empty. */
gboolean keypoint_file_parse (const char *data, gsize length,
                              KeypointList *list, GError **error);

gboolean keypoint_file_load (const char *path, KeypointList *list,
                             GError **error);

/* Whether @path is a regular file that starts as a keypoint file does. */
gboolean keypoint_file_sniff (const char *path);

/* Oxford's H1to2p: three lines of three numbers, the 3 x 3 matrix (row
 * major) mapping pixel (x, y) of image 1 to image 2.  Any whitespace
 * between the nine numbers is accepted; anything else is an error. */
gboolean homography_parse (const char *data, gsize length, double h[9],
                           GError **error);

gboolean homography_load (const char *path, double h[9], GError **error);

gboolean homography_save (const char *path, const double h[9], GError **error);

G_END_DECLS

#endif /* HFSR_SIFT_FILES_H */
