/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SIFT keypoints (Lowe 2004) on a Gaussian stack whose first octave may be
 * a super-resolved prediction (hfsr:dog-sr's networks) rather than blurs
 * of an image: that is the point of Noor et al.'s method, so the detector
 * takes the levels as given and only builds the coarser octaves itself.
 * Written from Lowe's paper; the choices it leaves open follow the common
 * practice that OpenCV's SIFT also follows (contrast threshold divided by
 * the intervals, prefilter at half of it, 36-bin orientation histogram
 * smoothed by [1 4 6 4 1] / 16, descriptor window 3 sigma per cell).
 */
#include <math.h>
#include <string.h>

#include "hfsr-private.h"

/* Pixels left out at each border: the refinement's differences and the
 * 3 x 3 neighbourhoods need one, and a keypoint this close to the edge
 * has most of its descriptor window outside. */
#define BORDER 5
#define MAX_MOVES 5
#define ORIENTATION_BINS 36
#define ORIENTATION_PEAK 0.8
#define ORIENTATION_SIGMA 1.5 /* window sigma in keypoint sigmas */
#define CELLS 4               /* descriptor cells a side */
#define CELL_BINS 8
#define CELL_WIDTH 3.0 /* keypoint sigmas */
#define CLIP 0.2
#define MIN_OCTAVE_SIDE 16

typedef struct
{
  int width, height;
  const float **levels; /* n_levels planes */
  float **owned;        /* the planes this octave made, or NULL */
  float **dogs;         /* n_levels - 1 planes */
} Octave;

static const double noor_sigmas[HFSR_DOG_SR_LEVELS]
  = { 1.249, 1.545, 1.96588, 2.452527, 3.090016 };

/* A sixth level one step (the last ratio, about 2^(1/3)) above the five:
 * five DoG levels give extrema at three scales, so that the octaves, a
 * factor 2 (three steps) apart, leave no scale out. */
void
hfsr_sift_params_set_stack (HfsrSiftParams *params,
                            const double sigmas[HFSR_DOG_SR_LEVELS])
{
  const int n = HFSR_DOG_SR_LEVELS;

  params->n_levels = n + 1;
  memcpy (params->sigmas, sigmas, sizeof (double) * n);
  params->sigmas[n] = sigmas[n - 1] * sigmas[n - 1] / sigmas[n - 2];
}

void
hfsr_sift_params_init (HfsrSiftParams *params)
{
  memset (params, 0, sizeof *params);
  hfsr_sift_params_set_stack (params, noor_sigmas);
  params->max_octaves = 0;
  params->contrast_threshold = 0.04 / 3.0;
  params->edge_threshold = 10.0;
}

static gboolean
check_params (const HfsrSiftParams *p, int width, int height, GError **error)
{
  const char *problem = NULL;

  if (p == NULL)
    problem = "no parameters";
  else if (width < 1 || height < 1)
    problem = "an empty image";
  else if (p->n_levels < 4 || p->n_levels > HFSR_SIFT_MAX_LEVELS)
    problem = "n_levels outside 4 .. 8";
  else if (!(p->contrast_threshold >= 0.0) || !(p->edge_threshold >= 1.0)
           || p->max_octaves < 0)
    problem = "a negative contrast threshold, an edge ratio below 1 or a "
              "negative octave count";
  else if ((gsize) width * height > G_MAXINT / 4)
    problem = "an image too large";
  else
    for (int k = 0; k < p->n_levels && problem == NULL; k++)
      if (!(p->sigmas[k] > 0.0 && p->sigmas[k] < 1e4)
          || (k > 0 && !(p->sigmas[k] > p->sigmas[k - 1])))
        problem = "sigmas that are not positive and increasing";
  if (problem != NULL)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT, "SIFT: %s",
                 problem);
  return problem == NULL;
}

static void
octave_clear (Octave *o, int n_levels)
{
  for (int k = 0; k < n_levels; k++)
    {
      if (o->owned != NULL)
        g_free (o->owned[k]);
      if (o->dogs != NULL && k < n_levels - 1)
        g_free (o->dogs[k]);
    }
  g_free (o->owned);
  g_free (o->dogs);
  g_free (o->levels);
  memset (o, 0, sizeof *o);
}

static gboolean
make_dogs (Octave *o, int n_levels, GError **error)
{
  gsize n = (gsize) o->width * o->height;

  o->dogs = g_new0 (float *, n_levels - 1);
  for (int k = 0; k < n_levels - 1; k++)
    {
      o->dogs[k] = g_try_new (float, n);
      if (o->dogs[k] == NULL)
        {
          g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                       "SIFT: out of memory for a %d x %d octave", o->width,
                       o->height);
          return FALSE;
        }
      for (gsize i = 0; i < n; i++)
        o->dogs[k][i] = o->levels[k][i] - o->levels[k + 1][i];
    }
  return TRUE;
}

/* The level whose sigma is nearest twice the first: sampled every second
 * pixel it is the next octave's base, at half its sigma. */
static int
next_base (const HfsrSiftParams *p)
{
  int best = 0;

  for (int k = 1; k < p->n_levels; k++)
    if (fabs (p->sigmas[k] - 2.0 * p->sigmas[0])
        < fabs (p->sigmas[best] - 2.0 * p->sigmas[0]))
      best = k;
  return best;
}

static gboolean
next_octave (const Octave *prev, const HfsrSiftParams *p, Octave *o,
             GError **error)
{
  int j = next_base (p);
  double base_sigma = p->sigmas[j] / 2.0;
  gsize n;
  float *base;
  gboolean allocated;

  o->width = (prev->width + 1) / 2;
  o->height = (prev->height + 1) / 2;
  n = (gsize) o->width * o->height;
  o->owned = g_new0 (float *, p->n_levels);
  o->levels = g_new0 (const float *, p->n_levels);
  base = g_try_new (float, n);
  allocated = base != NULL;
  for (int k = 0; allocated && k < p->n_levels; k++)
    allocated = (o->owned[k] = g_try_new (float, n)) != NULL;
  if (!allocated)
    {
      g_free (base);
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "SIFT: out of memory for a %d x %d octave", o->width,
                   o->height);
      return FALSE;
    }
  for (int y = 0; y < o->height; y++)
    for (int x = 0; x < o->width; x++)
      base[(gsize) y * o->width + x]
        = prev->levels[j][(gsize) (2 * y) * prev->width + 2 * x];
  for (int k = 0; k < p->n_levels; k++)
    {
      double more = p->sigmas[k] * p->sigmas[k] - base_sigma * base_sigma;

      o->levels[k] = o->owned[k];
      if (more <= 0.0)
        memcpy (o->owned[k], base, sizeof (float) * n);
      else if (!hfsr_gaussian_blur (base, o->width, o->height, sqrt (more),
                                    o->owned[k], error))
        {
          g_free (base);
          return FALSE;
        }
    }
  g_free (base);
  return TRUE;
}

static inline float
at (const float *plane, int width, int x, int y)
{
  return plane[(gsize) y * width + x];
}

/* Whether D_s(x, y) is at least as large as (or as small as) all 26
 * neighbours in the levels s - 1 .. s + 1. */
static gboolean
is_extremum (const Octave *o, int s, int x, int y)
{
  float v = at (o->dogs[s], o->width, x, y);
  gboolean is_max = TRUE, is_min = TRUE;

  for (int ds = -1; ds <= 1; ds++)
    for (int dy = -1; dy <= 1; dy++)
      for (int dx = -1; dx <= 1; dx++)
        {
          float w;

          if (ds == 0 && dy == 0 && dx == 0)
            continue;
          w = at (o->dogs[s + ds], o->width, x + dx, y + dy);
          is_max = is_max && v >= w;
          is_min = is_min && v <= w;
        }
  return is_max || is_min;
}

/* Solves H off = -g (3 x 3, by Cramer's rule); FALSE when H is
 * singular. */
static gboolean
solve3 (const double h[3][3], const double g[3], double off[3])
{
  double det = h[0][0] * (h[1][1] * h[2][2] - h[1][2] * h[2][1])
               - h[0][1] * (h[1][0] * h[2][2] - h[1][2] * h[2][0])
               + h[0][2] * (h[1][0] * h[2][1] - h[1][1] * h[2][0]);

  if (fabs (det) < 1e-30)
    return FALSE;
  for (int c = 0; c < 3; c++)
    {
      double m[3][3];

      memcpy (m, h, sizeof m);
      for (int r = 0; r < 3; r++)
        m[r][c] = -g[r];
      off[c] = (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]))
               / det;
    }
  return TRUE;
}

typedef struct
{
  int x, y, s;       /* integer place after refinement */
  double ox, oy, os; /* sub-pixel / sub-level offsets */
  double response;   /* |D| at the refined place */
} Extremum;

/* Lowe's quadratic fit: moves to the neighbouring sample while an offset
 * exceeds 0.5, then applies the contrast and edge tests. */
static gboolean
refine (const Octave *o, int n_dogs, const HfsrSiftParams *p, int x, int y,
        int s, Extremum *e)
{
  const int w = o->width;
  double g[3], h[3][3], off[3] = { 0, 0, 0 }, value;
  int move;

  for (move = 0; move < MAX_MOVES; move++)
    {
      const float *c = o->dogs[s], *lo = o->dogs[s - 1], *hi = o->dogs[s + 1];
      double v2 = 2.0 * at (c, w, x, y);

      g[0] = 0.5 * (at (c, w, x + 1, y) - at (c, w, x - 1, y));
      g[1] = 0.5 * (at (c, w, x, y + 1) - at (c, w, x, y - 1));
      g[2] = 0.5 * (at (hi, w, x, y) - at (lo, w, x, y));
      h[0][0] = at (c, w, x + 1, y) + at (c, w, x - 1, y) - v2;
      h[1][1] = at (c, w, x, y + 1) + at (c, w, x, y - 1) - v2;
      h[2][2] = at (hi, w, x, y) + at (lo, w, x, y) - v2;
      h[0][1] = h[1][0]
        = 0.25
          * (at (c, w, x + 1, y + 1) - at (c, w, x - 1, y + 1)
             - at (c, w, x + 1, y - 1) + at (c, w, x - 1, y - 1));
      h[0][2] = h[2][0] = 0.25
                          * (at (hi, w, x + 1, y) - at (hi, w, x - 1, y)
                             - at (lo, w, x + 1, y) + at (lo, w, x - 1, y));
      h[1][2] = h[2][1] = 0.25
                          * (at (hi, w, x, y + 1) - at (hi, w, x, y - 1)
                             - at (lo, w, x, y + 1) + at (lo, w, x, y - 1));
      if (!solve3 (h, g, off))
        return FALSE;
      if (fabs (off[0]) < 0.5 && fabs (off[1]) < 0.5 && fabs (off[2]) < 0.5)
        break;
      if (fabs (off[0]) > (double) G_MAXINT / 4
          || fabs (off[1]) > (double) G_MAXINT / 4
          || fabs (off[2]) > (double) G_MAXINT / 4)
        return FALSE;
      x += (int) lround (off[0]);
      y += (int) lround (off[1]);
      s += (int) lround (off[2]);
      if (s < 1 || s > n_dogs - 2 || x < BORDER || y < BORDER
          || x >= o->width - BORDER || y >= o->height - BORDER)
        return FALSE;
    }
  if (move == MAX_MOVES)
    return FALSE;

  value = at (o->dogs[s], w, x, y)
          + 0.5 * (g[0] * off[0] + g[1] * off[1] + g[2] * off[2]);
  if (fabs (value) < p->contrast_threshold)
    return FALSE;
  {
    double tr = h[0][0] + h[1][1];
    double det = h[0][0] * h[1][1] - h[0][1] * h[1][0];
    double r = p->edge_threshold;

    if (det <= 0.0 || tr * tr * r >= (r + 1.0) * (r + 1.0) * det)
      return FALSE;
  }
  e->x = x;
  e->y = y;
  e->s = s;
  e->ox = off[0];
  e->oy = off[1];
  e->os = off[2];
  e->response = fabs (value);
  return TRUE;
}

/* The sigma at fractional level @s + @t of the Gaussian levels, in octave
 * pixels: geometric between neighbouring sigmas. */
static double
level_sigma (const HfsrSiftParams *p, int s, double t)
{
  if (t >= 0.0 && s + 1 < p->n_levels)
    return p->sigmas[s] * pow (p->sigmas[s + 1] / p->sigmas[s], t);
  if (t < 0.0 && s > 0)
    return p->sigmas[s] * pow (p->sigmas[s] / p->sigmas[s - 1], t);
  return p->sigmas[s];
}

/* Gradient of @plane at (x, y) by central differences; FALSE at the
 * border. */
static gboolean
gradient (const float *plane, int width, int height, int x, int y, double *dx,
          double *dy)
{
  if (x < 1 || y < 1 || x >= width - 1 || y >= height - 1)
    return FALSE;
  *dx = at (plane, width, x + 1, y) - at (plane, width, x - 1, y);
  *dy = at (plane, width, x, y + 1) - at (plane, width, x, y - 1);
  return TRUE;
}

/* The orientations of a keypoint: peaks of the gradient-direction
 * histogram around it within 80 % of the highest.  Returns how many
 * (at most ORIENTATION_BINS). */
static int
orientations (const float *plane, int width, int height, int cx, int cy,
              double sigma, double *angles)
{
  double hist[ORIENTATION_BINS] = { 0 }, smooth[ORIENTATION_BINS], top = 0;
  double ws = ORIENTATION_SIGMA * sigma;
  int radius = (int) lround (3.0 * ws), found = 0;

  for (int j = -radius; j <= radius; j++)
    for (int i = -radius; i <= radius; i++)
      {
        double dx, dy, angle;
        int bin;

        if (!gradient (plane, width, height, cx + i, cy + j, &dx, &dy))
          continue;
        angle = atan2 (dy, dx);
        bin = (int) lround (ORIENTATION_BINS * angle / (2.0 * G_PI));
        bin = ((bin % ORIENTATION_BINS) + ORIENTATION_BINS) % ORIENTATION_BINS;
        hist[bin] += exp (-(i * i + j * j) / (2.0 * ws * ws))
                     * sqrt (dx * dx + dy * dy);
      }
  for (int b = 0; b < ORIENTATION_BINS; b++)
    {
      int n = ORIENTATION_BINS;

      smooth[b]
        = (hist[(b + n - 2) % n] + hist[(b + 2) % n]
           + 4.0 * (hist[(b + n - 1) % n] + hist[(b + 1) % n]) + 6.0 * hist[b])
          / 16.0;
      top = MAX (top, smooth[b]);
    }
  if (top <= 0.0)
    return 0;
  for (int b = 0; b < ORIENTATION_BINS; b++)
    {
      int n = ORIENTATION_BINS;
      double l = smooth[(b + n - 1) % n], r = smooth[(b + 1) % n];
      double v = smooth[b], peak, bin;

      if (!(v > l && v > r && v >= ORIENTATION_PEAK * top))
        continue;
      peak = 0.5 * (l - r) / (l - 2.0 * v + r);
      bin = b + peak;
      if (bin < 0.0)
        bin += n;
      if (bin >= n)
        bin -= n;
      angles[found++] = 2.0 * G_PI * bin / n;
    }
  return found;
}

/* Lowe's 4 x 4 x 8 descriptor on @plane around (x, y) at @sigma (octave
 * pixels), rotated to @angle: gradients weighted by a Gaussian of half the
 * window and spread trilinearly into cells and orientation bins. */
static void
describe (const float *plane, int width, int height, double x, double y,
          double sigma, double angle, float *descriptor)
{
  double hist[CELLS + 2][CELLS + 2][CELL_BINS + 2];
  double cell = CELL_WIDTH * sigma, cos_a = cos (angle), sin_a = sin (angle);
  int radius = (int) lround (cell * M_SQRT2 * (CELLS + 1) * 0.5);
  int cx = (int) lround (x), cy = (int) lround (y);
  double norm = 0.0, clipped = 0.0;
  int k = 0;

  memset (hist, 0, sizeof hist);
  radius = MIN (
    radius, (int) sqrt ((double) width * width + (double) height * height));
  for (int j = -radius; j <= radius; j++)
    for (int i = -radius; i <= radius; i++)
      {
        /* The sample's offset from the keypoint, rotated into the
         * keypoint's frame, in cells. */
        double px = cx + i - x, py = cy + j - y;
        double u = (cos_a * px + sin_a * py) / cell;
        double v = (-sin_a * px + cos_a * py) / cell;
        double cb = u + CELLS / 2.0 - 0.5, rb = v + CELLS / 2.0 - 0.5;
        double dx, dy, theta, ob, weight, magnitude;
        int c0, r0, o0;
        double fc, fr, fo;

        if (!(rb > -1.0 && rb < CELLS && cb > -1.0 && cb < CELLS)
            || !gradient (plane, width, height, cx + i, cy + j, &dx, &dy))
          continue;
        theta = atan2 (dy, dx) - angle;
        theta = fmod (theta, 2.0 * G_PI);
        if (theta < 0.0)
          theta += 2.0 * G_PI;
        ob = theta * CELL_BINS / (2.0 * G_PI);
        weight
          = exp (-(u * u + v * v) / (2.0 * (0.5 * CELLS) * (0.5 * CELLS)));
        magnitude = sqrt (dx * dx + dy * dy) * weight;
        c0 = (int) floor (cb);
        r0 = (int) floor (rb);
        o0 = (int) floor (ob);
        fc = cb - c0;
        fr = rb - r0;
        fo = ob - o0;
        for (int a = 0; a <= 1; a++)
          for (int b = 0; b <= 1; b++)
            for (int c = 0; c <= 1; c++)
              hist[r0 + 1 + a][c0 + 1 + b][(o0 + c) % CELL_BINS]
                += magnitude * (a ? fr : 1.0 - fr) * (b ? fc : 1.0 - fc)
                   * (c ? fo : 1.0 - fo);
      }
  for (int r = 1; r <= CELLS; r++)
    for (int c = 1; c <= CELLS; c++)
      for (int o = 0; o < CELL_BINS; o++)
        {
          descriptor[k] = (float) hist[r][c][o];
          norm += hist[r][c][o] * hist[r][c][o];
          k++;
        }
  norm = sqrt (norm);
  for (k = 0; k < HFSR_SIFT_DESCRIPTOR_LENGTH; k++)
    {
      double d = norm > 0.0 ? MIN (descriptor[k] / norm, CLIP) : 0.0;

      descriptor[k] = (float) d;
      clipped += d * d;
    }
  clipped = sqrt (clipped);
  for (k = 0; k < HFSR_SIFT_DESCRIPTOR_LENGTH && clipped > 0.0; k++)
    descriptor[k] = (float) (descriptor[k] / clipped);
}

static void
detect_octave (const Octave *o, int octave, const HfsrSiftParams *p,
               GArray *found)
{
  int n_dogs = p->n_levels - 1;
  double scale = ldexp (1.0, octave);

  for (int s = 1; s <= n_dogs - 2; s++)
    for (int y = BORDER; y < o->height - BORDER; y++)
      for (int x = BORDER; x < o->width - BORDER; x++)
        {
          Extremum e;
          double sigma, angles[ORIENTATION_BINS];
          int n_angles, level;

          if (fabs (at (o->dogs[s], o->width, x, y))
                < 0.5 * p->contrast_threshold
              || !is_extremum (o, s, x, y)
              || !refine (o, n_dogs, p, x, y, s, &e))
            continue;
          sigma = level_sigma (p, e.s, e.os);
          level = CLAMP ((int) lround (e.s + e.os), 0, p->n_levels - 1);
          n_angles = orientations (o->levels[level], o->width, o->height, e.x,
                                   e.y, sigma, angles);
          for (int a = 0; a < n_angles; a++)
            {
              HfsrKeypoint k;

              k.x = (float) ((e.x + e.ox) * scale);
              k.y = (float) ((e.y + e.oy) * scale);
              k.sigma = (float) (sigma * scale);
              k.orientation = (float) angles[a];
              k.response = (float) e.response;
              k.octave = octave;
              describe (o->levels[level], o->width, o->height, e.x + e.ox,
                        e.y + e.oy, sigma, angles[a], k.descriptor);
              g_array_append_val (found, k);
            }
        }
}

/* The levels of @octave that were not given (@n_given onwards), blurred on
 * from the last given one (Gaussians compose: sigma_k^2 = sigma_g^2 + the
 * increment^2), into new planes also kept in @made for the caller to
 * free. */
static gboolean
complete_stack (Octave *octave, int n_given, const HfsrSiftParams *params,
                float *made[HFSR_SIFT_MAX_LEVELS], GError **error)
{
  int width = octave->width, height = octave->height;
  double given = params->sigmas[n_given - 1];

  for (int k = n_given; k < params->n_levels; k++)
    {
      double inc
        = sqrt (params->sigmas[k] * params->sigmas[k] - given * given);

      made[k] = g_try_new (float, ((gsize) width * height));
      if (made[k] == NULL)
        g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                     "SIFT: out of memory for a %d x %d level", width, height);
      if (made[k] == NULL
          || !hfsr_gaussian_blur (octave->levels[n_given - 1], width, height,
                                  inc, made[k], error))
        {
          for (int j = n_given; j <= k; j++)
            g_clear_pointer (&made[j], g_free);
          return FALSE;
        }
      octave->levels[k] = made[k];
    }
  return TRUE;
}

gboolean
hfsr_sift_detect_stack (const float *const *levels, int n_given, int width,
                        int height, const HfsrSiftParams *params,
                        HfsrKeypoint **keypoints, int *n_keypoints,
                        GError **error)
{
  GArray *found;
  Octave current = { 0 }, next = { 0 };
  gboolean done = TRUE;
  float *made[HFSR_SIFT_MAX_LEVELS] = { NULL };
  int n;

  if (keypoints != NULL)
    *keypoints = NULL;
  if (n_keypoints != NULL)
    *n_keypoints = 0;
  if (keypoints == NULL || n_keypoints == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "SIFT: nowhere to put the keypoints");
      return FALSE;
    }
  if (!check_params (params, width, height, error))
    return FALSE;
  n = params->n_levels;
  if (n_given < 1 || n_given > n)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "SIFT: %d levels given for a stack of %d", n_given, n);
      return FALSE;
    }
  for (int k = 0; k < n_given; k++)
    if (levels == NULL || levels[k] == NULL)
      {
        g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                     "SIFT: level %d is missing", k + 1);
        return FALSE;
      }

  current.width = width;
  current.height = height;
  current.levels = g_new (const float *, n);
  memcpy (current.levels, levels, sizeof (float *) * n_given);
  if (!complete_stack (&current, n_given, params, made, error))
    {
      g_free (current.levels);
      return FALSE;
    }

  found = g_array_new (FALSE, FALSE, sizeof (HfsrKeypoint));
  for (int octave = 0; done; octave++)
    {
      done = make_dogs (&current, n, error);
      if (!done)
        break;
      detect_octave (&current, octave, params, found);
      if ((params->max_octaves > 0 && octave + 1 >= params->max_octaves)
          || MIN ((current.width + 1) / 2, (current.height + 1) / 2)
               < MIN_OCTAVE_SIDE)
        break;
      done = next_octave (&current, params, &next, error);
      octave_clear (&current, n);
      current = next;
      memset (&next, 0, sizeof next);
    }
  octave_clear (&current, n);
  octave_clear (&next, n);
  for (int k = n_given; k < n; k++)
    g_free (made[k]);
  if (!done)
    {
      g_array_free (found, TRUE);
      return FALSE;
    }
  *n_keypoints = (int) found->len;
  *keypoints = found->len > 0 ? (HfsrKeypoint *) g_array_free (found, FALSE)
                              : (g_array_free (found, TRUE), NULL);
  return TRUE;
}

gboolean
hfsr_sift_detect_image (const float *grey, int width, int height,
                        const HfsrSiftParams *params, HfsrKeypoint **keypoints,
                        int *n_keypoints, GError **error)
{
  float *planes[HFSR_SIFT_MAX_LEVELS] = { NULL };
  gboolean done;
  gsize n;

  if (keypoints != NULL)
    *keypoints = NULL;
  if (n_keypoints != NULL)
    *n_keypoints = 0;
  if (grey == NULL || !check_params (params, width, height, error))
    {
      if (grey == NULL)
        g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                     "SIFT: no image");
      return FALSE;
    }
  n = (gsize) width * height;
  done = TRUE;
  for (int k = 0; done && k < params->n_levels; k++)
    {
      planes[k] = g_try_new (float, n);
      if (planes[k] == NULL)
        {
          g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                       "SIFT: out of memory for a %d x %d image", width,
                       height);
          done = FALSE;
        }
      else
        done = hfsr_gaussian_blur (grey, width, height, params->sigmas[k],
                                   planes[k], error);
    }
  if (done)
    done = hfsr_sift_detect_stack ((const float *const *) planes,
                                   params->n_levels, width, height, params,
                                   keypoints, n_keypoints, error);
  for (int k = 0; k < params->n_levels; k++)
    g_free (planes[k]);
  return done;
}
