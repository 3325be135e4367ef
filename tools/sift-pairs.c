/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-sift's pair commands: `pairs` warps photos by random homographies
 * into pair folders, `bench` scores every method on them (the SIFT half of
 * the evaluation protocol, docs/design.md, 9).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sift-tool.h"
#include "tool-image.h"
#include "tool-util.h"

static void
multiply_3x3 (const double a[9], const double b[9], double out[9])
{
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 3; c++)
      out[3 * r + c]
        = a[3 * r] * b[c] + a[3 * r + 1] * b[3 + c] + a[3 * r + 2] * b[6 + c];
}

/* The inverse by the adjugate; FALSE when @m is (near) singular. */
static gboolean
invert_3x3 (const double m[9], double out[9])
{
  double det, adj[9] = {
    m[4] * m[8] - m[5] * m[7], m[2] * m[7] - m[1] * m[8],
    m[1] * m[5] - m[2] * m[4], m[5] * m[6] - m[3] * m[8],
    m[0] * m[8] - m[2] * m[6], m[2] * m[3] - m[0] * m[5],
    m[3] * m[7] - m[4] * m[6], m[1] * m[6] - m[0] * m[7],
    m[0] * m[4] - m[1] * m[3],
  };

  det = m[0] * adj[0] + m[1] * adj[3] + m[2] * adj[6];
  if (!(fabs (det) > 1e-12))
    return FALSE;
  for (int i = 0; i < 9; i++)
    out[i] = adj[i] / det;
  return TRUE;
}

/* A moderate random homography for a @width x @height image, about its
 * centre: rotation within +-15 degrees, scale 0.8 to 1.2, a shift of up to
 * 5 % of the size and a perspective part that changes the scale by up to
 * +-10 % at the borders.  Normalised so that h[8] = 1. */
static void
random_homography (GRand *rand, int width, int height, double h[9])
{
  double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;
  double size = MAX (width, height);
  double angle = g_rand_double_range (rand, -15.0, 15.0) * G_PI / 180.0;
  double s = g_rand_double_range (rand, 0.8, 1.2);
  double px = g_rand_double_range (rand, -0.2, 0.2) / size;
  double py = g_rand_double_range (rand, -0.2, 0.2) / size;
  double tx = g_rand_double_range (rand, -0.05, 0.05) * width;
  double ty = g_rand_double_range (rand, -0.05, 0.05) * height;
  double to_centre[9] = { 1, 0, -cx, 0, 1, -cy, 0, 0, 1 };
  double from_centre[9] = { 1, 0, cx + tx, 0, 1, cy + ty, 0, 0, 1 };
  double warp[9] = { s * cos (angle),
                     -s * sin (angle),
                     0,
                     s * sin (angle),
                     s * cos (angle),
                     0,
                     px,
                     py,
                     1 };
  double t[9];

  multiply_3x3 (warp, to_centre, t);
  multiply_3x3 (from_centre, t, h);
  for (int i = 0; i < 9; i++)
    h[i] /= h[8];
}

/* B(x, y) = A(H^-1 (x, y)) by bilinear interpolation between the four
 * pixels around the point (pixel centres at integer coordinates, the
 * keypoints' convention); where the point falls outside A (or H^-1 sends
 * it to infinity) B is black. */
static HfsrTensor *
warp_image (const HfsrTensor *a, const double h[9], GError **error)
{
  HfsrTensor *b = hfsr_tensor_new (3, a->height, a->width, error);
  double inverse[9];
  int width = a->width, height = a->height;

  if (b == NULL)
    return NULL;
  if (!invert_3x3 (h, inverse))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "the homography is singular");
      hfsr_tensor_free (b);
      return NULL;
    }
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        double u, v, fx, fy;
        int x0, y0, x1, y1;

        if (!apply_homography (inverse, x, y, &u, &v)
            || !(u >= 0 && v >= 0 && u <= width - 1 && v <= height - 1))
          continue;
        x0 = (int) floor (u);
        y0 = (int) floor (v);
        x1 = MIN (x0 + 1, width - 1);
        y1 = MIN (y0 + 1, height - 1);
        fx = u - x0;
        fy = v - y0;
        for (int c = 0; c < 3; c++)
          {
            const float *p = hfsr_tensor_plane (a, c);
            double top = (1 - fx) * p[(gsize) y0 * width + x0]
                         + fx * p[(gsize) y0 * width + x1];
            double bottom = (1 - fx) * p[(gsize) y1 * width + x0]
                            + fx * p[(gsize) y1 * width + x1];

            hfsr_tensor_plane (b, c)[(gsize) y * width + x]
              = (1 - fy) * top + fy * bottom;
          }
      }
  return b;
}

static gboolean
make_pair (const char *photo, const char *folder, GRand *rand, GError **error)
{
  HfsrTensor *a = tool_load_image (photo, error), *b = NULL;
  char *path;
  double h[9];
  gboolean made = FALSE;

  if (a == NULL)
    return FALSE;
  tool_quantize_8bit (a->data, hfsr_tensor_size (a));
  random_homography (rand, a->width, a->height, h);
  b = warp_image (a, h, error);
  if (b == NULL)
    goto out;
  tool_quantize_8bit (b->data, hfsr_tensor_size (b));
  if (!tool_make_folder (folder, error))
    goto out;
  path = g_build_filename (folder, "A.png", NULL);
  made = tool_save_png (a, path, NULL, error);
  g_free (path);
  if (made)
    {
      path = g_build_filename (folder, "B.png", NULL);
      made = tool_save_png (b, path, NULL, error);
      g_free (path);
    }
  if (made)
    {
      path = g_build_filename (folder, HOMOGRAPHY_FILE, NULL);
      made = homography_save (path, h, error);
      g_free (path);
    }

out:
  hfsr_tensor_free (b);
  hfsr_tensor_free (a);
  return made;
}

int
command_pairs (int argc, char **argv)
{
  int count = 1, seed = 1;
  GError *error = NULL;
  GOptionContext *context = g_option_context_new ("IN OUT_DIR - make "
                                                  "benchmark pairs");
  const GOptionEntry entries[]
    = { { "count", 'n', 0, G_OPTION_ARG_INT, &count,
          "Pairs per photo (default 1)", "N" },
        { "seed", 0, 0, G_OPTION_ARG_INT, &seed,
          "Seed of the random homographies (default 1)", "S" },
        { NULL } };
  GPtrArray *photos = g_ptr_array_new_with_free_func (g_free);
  GRand *rand = NULL;

  g_option_context_set_description (
    context,
    "IN is a photo or a folder of PNG/JPEG photos.  Each pair is a folder\n"
    "OUT_DIR/<photo>-<k> holding A.png (the photo), B.png (A warped by a\n"
    "random moderate homography, bilinear) and H1to2p (A to B).\n");
  if (!parse_command (context, entries, &argc, &argv, 2, "IN OUT_DIR", &error))
    goto out;
  if (count < 1 || count > 1000)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--count must be 1 to 1000 (got %d)", count);
      goto out;
    }
  if (!tool_collect_images (argv[1], photos, &error))
    goto out;
  rand = g_rand_new_with_seed ((guint32) seed);
  for (guint i = 0; i < photos->len; i++)
    {
      char *base = tool_file_stem (photos->pdata[i]);

      for (int k = 1; k <= count && error == NULL; k++)
        {
          char *name = g_strdup_printf ("%s-%d", base, k);
          char *folder = g_build_filename (argv[2], name, NULL);

          if (make_pair (photos->pdata[i], folder, rand, &error))
            printf ("%s\n", folder);
          g_free (folder);
          g_free (name);
        }
      g_free (base);
      if (error != NULL)
        goto out;
    }

out:
  if (rand != NULL)
    g_rand_free (rand);
  g_ptr_array_free (photos, TRUE);
  return finish (error, context);
}

/* ---------------------------------------------------------------- bench */

/* The pair folders directly inside @dir (those holding H1to2p), sorted. */
static gboolean
collect_pairs (const char *dir, GPtrArray *pairs, GError **error)
{
  GDir *folder = g_dir_open (dir, 0, error);
  const char *name;

  if (folder == NULL)
    return FALSE;
  while ((name = g_dir_read_name (folder)) != NULL)
    {
      char *pair = g_build_filename (dir, name, NULL);
      char *h = g_build_filename (pair, HOMOGRAPHY_FILE, NULL);

      if (g_file_test (h, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (pairs, g_steal_pointer (&pair));
      g_free (pair);
      g_free (h);
    }
  g_dir_close (folder);
  if (pairs->len == 0)
    {
      g_set_error (
        error, HFSR_ERROR, HFSR_ERROR_IO,
        "%s: no pair folders (with A.png, B.png and " HOMOGRAPHY_FILE
        ") in this folder",
        dir);
      return FALSE;
    }
  g_ptr_array_sort (pairs, (GCompareFunc) g_strcmp0);
  return TRUE;
}

static HfsrTensor *
load_pair_image (const char *pair, const char *name, int scale, GError **error)
{
  char *path = g_build_filename (pair, name, NULL);
  HfsrTensor *image = load_modcropped (path, scale, error);

  g_free (path);
  return image;
}

/* Every method on one pair; @scores has one entry per method. */
static gboolean
bench_pair (Session *session, const char *pair, PairScore *scores,
            GError **error)
{
  char *h_path = g_build_filename (pair, HOMOGRAPHY_FILE, NULL);
  HfsrTensor *a = NULL, *b = NULL;
  double h[9];
  /* Mod-cropping at the bottom and right leaves H valid. */
  gboolean loaded = homography_load (h_path, h, error);
  gboolean done = FALSE;

  g_free (h_path);
  if (!loaded)
    return FALSE;
  a = load_pair_image (pair, "A.png", session->scale, error);
  b = a != NULL ? load_pair_image (pair, "B.png", session->scale, error)
                : NULL;
  if (b == NULL)
    goto out;
  for (int m = 0; m < n_sift_methods; m++)
    {
      KeypointList ka = { 0 }, kb = { 0 };
      gboolean scored;

      scored
        = keypoints_by_method (session, &sift_methods[m], a, &ka, error)
          && keypoints_by_method (session, &sift_methods[m], b, &kb, error)
          && score_pair (&ka, &kb, h, DEFAULT_RATIO, DEFAULT_MAX_ERROR,
                         b->width, b->height, &scores[m], error);
      keypoint_list_clear (&ka);
      keypoint_list_clear (&kb);
      if (!scored)
        {
          g_prefix_error (error, "%s: ", pair);
          goto out;
        }
    }
  done = TRUE;

out:
  hfsr_tensor_free (a);
  hfsr_tensor_free (b);
  return done;
}

static void
print_bench (int scale, GPtrArray *pairs, const PairScore *scores)
{
  int n_methods = n_sift_methods, n_pairs = pairs->len;

  printf ("## hfsr-sift bench x%d\n\n", scale);
  printf ("- pairs: %d\n", n_pairs);
  printf ("- hr: the pair as it is (mod-cropped to %d); other methods: A "
          "and B shrunk x%d by MATLAB bicubic, rounded to 8 bits, upscaled "
          "by the method, rounded to 8 bits\n",
          scale, scale);
  printf ("- SIFT on babl's Y' with the detector's defaults; matches: "
          "nearest neighbour with Lowe's ratio test %.1f; correct: H maps "
          "A's keypoint within %g px of B's (HR pixels); repeatability: "
          "share of A's keypoints inside B with a B keypoint within %g px; "
          "means over pairs\n\n",
          DEFAULT_RATIO, DEFAULT_MAX_ERROR, DEFAULT_MAX_ERROR);
  printf ("| method | keypoints A | keypoints B | matches | correct "
          "matches | correct / matches | repeatability (%%) |\n");
  printf ("|---|---:|---:|---:|---:|---:|---:|\n");
  for (int m = 0; m < n_methods; m++)
    {
      PairScore mean = { 0 };

      for (int p = 0; p < n_pairs; p++)
        {
          const PairScore *s = &scores[(gsize) p * n_methods + m];

          mean.keypoints_a += s->keypoints_a / n_pairs;
          mean.keypoints_b += s->keypoints_b / n_pairs;
          mean.matches += s->matches / n_pairs;
          mean.correct += s->correct / n_pairs;
          mean.repeatability += s->repeatability / n_pairs;
        }
      printf ("| %s | %.1f | %.1f | %.1f | %.1f | %.3f | %.1f |\n",
              sift_methods[m].name, mean.keypoints_a, mean.keypoints_b,
              mean.matches, mean.correct,
              mean.matches > 0 ? mean.correct / mean.matches : 0.0,
              100.0 * mean.repeatability);
    }
  printf ("\n");
  for (int m = 0; m < n_methods; m++)
    printf ("- %s: %s\n", sift_methods[m].name, sift_methods[m].summary);
}

int
command_bench (int argc, char **argv)
{
  int scale = 0;
  GError *error = NULL;
  GOptionContext *context = g_option_context_new ("PAIRS_DIR - correct "
                                                  "SIFT matches per "
                                                  "method");
  GPtrArray *pairs = g_ptr_array_new_with_free_func (g_free);
  PairScore *scores = NULL;
  Session session = { 0, NULL, { NULL, NULL } };

  g_option_context_set_description (
    context, "PAIRS_DIR holds pair folders as `hfsr-sift pairs` writes them.\n"
             "Prints a Markdown table.\n");
  if (!parse_scale_command (context, &argc, &argv, "one PAIRS_DIR", &scale,
                            &error)
      || !collect_pairs (argv[1], pairs, &error))
    goto out;
  session.scale = scale;
  scores = g_new0 (PairScore, ((gsize) pairs->len * n_sift_methods));
  for (guint p = 0; p < pairs->len; p++)
    if (!bench_pair (&session, pairs->pdata[p],
                     scores + (gsize) p * n_sift_methods, &error))
      goto out;
  print_bench (scale, pairs, scores);

out:
  g_free (scores);
  session_clear (&session);
  g_ptr_array_free (pairs, TRUE);
  return finish (error, context);
}
