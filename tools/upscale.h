/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-upscale's two halves: the run (hfsr-upscale.c: options, the list
 * of files, the worker processes, progress) and the GEGL side that each
 * worker process runs (upscale-worker.c: one image through the same graph
 * as `gegl IN -o OUT -- hfsr:super-resolution`, saved with its metadata).
 */
#ifndef HFSR_UPSCALE_H
#define HFSR_UPSCALE_H

#include <signal.h>

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  UPSCALE_FORMAT_SAME, /* that of the input (only before a job is made) */
  UPSCALE_FORMAT_PNG,
  UPSCALE_FORMAT_JPEG,
  UPSCALE_FORMAT_WEBP,
  UPSCALE_FORMAT_TIFF
} UpscaleFormat;

/* What every image of a run is upscaled with. */
typedef struct
{
  double scale;       /* 1 to 8 */
  double alpha;       /* the op's detail weight */
  gboolean alpha_set; /* FALSE: the op's default */
  char *model;        /* NULL: the shipped networks */
  int depth;          /* 8 or 16 for PNG and TIFF; 0: that of the input */
  int quality;        /* JPEG and WebP */
  int threads;        /* GEGL's threads in each worker process */
} UpscaleSettings;

/* One image to make. */
typedef struct
{
  char *input;  /* the path as found */
  char *key;    /* its path under the folder it was found in (its base
                   * name when given as a file): what --shard hashes */
  char *output; /* the final path */
  UpscaleFormat format;
} UpscaleJob;

/* What a finished job reports. */
typedef struct
{
  int width, height; /* of the output */
  gboolean metadata_kept;
} UpscaleResult;

/* Called while an image runs, with the share of it done (0 to 1). */
typedef void (*UpscaleProgressFunc) (double fraction, gpointer data);

/* Called with what GEGL or the op warned about while an image ran, when
 * the image was still made (a non-finite pixel, say). */
typedef void (*UpscaleNoteFunc) (const char *note, gpointer data);

/* Starts GEGL in this (worker) process with @settings' threads, checks
 * that the hfsr ops and the savers of @jobs' formats (UpscaleJob) are
 * there and that the network loads, by upscaling a small image once.
 * Errors say what to do. */
gboolean upscale_worker_init (const UpscaleSettings *settings,
                              const GPtrArray *jobs, GError **error);

/* Makes @job: the output is written to a hidden file beside it, then
 * renamed, so that it exists only when complete.  *@stop set (by a
 * signal) abandons the image and removes that file. */
gboolean upscale_worker_run (const UpscaleJob *job,
                             UpscaleProgressFunc progress,
                             UpscaleNoteFunc note, gpointer data,
                             volatile sig_atomic_t *stop,
                             UpscaleResult *result, GError **error);

void upscale_worker_exit (void);

/* The hidden file @output is written to before it is complete; g_free. */
char *upscale_partial_path (const char *output);

G_END_DECLS

#endif /* HFSR_UPSCALE_H */
