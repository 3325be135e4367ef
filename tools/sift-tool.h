/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What hfsr-sift's commands share: the session of networks, the methods of
 * the bench table, scoring, option parsing (hfsr-sift.c), and the warped
 * pair commands (sift-pairs.c).
 */
#ifndef HFSR_SIFT_TOOL_H
#define HFSR_SIFT_TOOL_H

#include <glib.h>

#include "hfsr.h"
#include "sift-files.h"

G_BEGIN_DECLS

#define PROGRAM "hfsr-sift"
#define HOMOGRAPHY_FILE "H1to2p"
#define DEFAULT_RATIO 0.8
#define DEFAULT_MAX_ERROR 3.0

enum
{
  EXIT_ERROR = 1,
  EXIT_USAGE = 2
};

/* What the methods share while a command runs: the scale, and the network
 * once loaded. */
typedef struct
{
  int scale;
  HfsrModel *model;
  HfsrModel *dog_models[2]; /* by HfsrDogSrMethod */
} Session;

/* Upscales @low (R'G'B' planes) by the session's scale. */
typedef HfsrTensor *(*UpscaleFunc) (Session *session, const HfsrTensor *low,
                                    GError **error);

typedef struct
{
  const char *name;
  const char *summary;
  UpscaleFunc upscale; /* NULL: the HR image itself, nothing is resampled */
  int dog_method;      /* -1, or the HfsrDogSrMethod whose network
                           * super-resolves the scale space itself */
} SiftMethod;

/* One method's numbers on one pair. */
typedef struct
{
  double keypoints_a;
  double keypoints_b;
  double matches;
  double correct;
  double repeatability; /* of A's keypoints that land inside B */
} PairScore;

/* Every method `detect --method` and `bench` know, in the table's order. */
extern const SiftMethod sift_methods[];
extern const int n_sift_methods;

void session_clear (Session *session);
gboolean keypoints_by_method (Session *session, const SiftMethod *method,
                              const HfsrTensor *high, KeypointList *list,
                              GError **error);
double repeatability (const KeypointList *a, const KeypointList *b,
                      const double h[9], int width, int height,
                      double max_error);
gboolean score_pair (const KeypointList *a, const KeypointList *b,
                     const double h[9], double ratio, double max_error,
                     int width_b, int height_b, PairScore *score,
                     GError **error);
gboolean apply_homography (const double h[9], double x, double y, double *u,
                           double *v);
int finish (GError *error, GOptionContext *context);
gboolean check_scale (int scale, GError **error);
gboolean parse_command (GOptionContext *context, const GOptionEntry *entries,
                        int *argc, char ***argv, int n_args, const char *args,
                        GError **error);
/* parse_command for the commands whose one option is the required --scale
 * and whose one argument is @arg; the scale is checked too. */
gboolean parse_scale_command (GOptionContext *context, int *argc, char ***argv,
                              const char *arg, int *scale, GError **error);
/* The image file @path cropped at the bottom and right to multiples of
 * @scale; too small an image is an error naming it. */
HfsrTensor *load_modcropped (const char *path, int scale, GError **error);

/* The pair commands (sift-pairs.c). */
int command_pairs (int argc, char **argv);
int command_bench (int argc, char **argv);

G_END_DECLS

#endif /* HFSR_SIFT_TOOL_H */
