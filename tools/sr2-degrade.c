/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The named degradations of hfsr-sr2-eval's grid (sr2-degrade.h).
 */
#include "hfsr-config.h"

#include "sr2-degrade.h"

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

#include "hfsr-maps.h"
#include "hfsr-quality.h"
#include "hfsr.h"

#define N_PIXELS (SR2_SIDE * SR2_SIDE)
#define WARP_SHIFT 3 /* px, as the paper's augmentation */
#define WARP_DEGREES 10.0
#define WARP_STREAM 0x77617270u /* keeps warp's draws apart from the noise's */

static gboolean
parse_one (const char *word, Sr2Degradation *d, GError **error)
{
  const char *colon = strchr (word, ':');
  gsize stem = colon ? (gsize) (colon - word) : strlen (word);
  double value = 0.0;
  char *end = NULL;

  if (colon != NULL)
    {
      value = g_ascii_strtod (colon + 1, &end);
      if (end == colon + 1 || *end != '\0' || !isfinite (value))
        goto bad;
    }
  if (strlen (word) >= sizeof d->name)
    goto bad;
  g_strlcpy (d->name, word, sizeof d->name);
  d->value = value;
  if (stem == 5 && strncmp (word, "train", 5) == 0 && colon == NULL)
    {
      d->kind = SR2_DEGRADE_MEAN;
      d->value = 0.5;
    }
  else if (stem == 4 && strncmp (word, "mean", 4) == 0 && colon != NULL
           && value >= 0.0 && value <= 2.0)
    d->kind = SR2_DEGRADE_MEAN;
  else if (stem == 5 && strncmp (word, "point", 5) == 0 && colon != NULL
           && value >= 0.0 && value <= 2.0)
    d->kind = SR2_DEGRADE_POINT;
  else if (stem == 7 && strncmp (word, "bicubic", 7) == 0 && colon == NULL)
    d->kind = SR2_DEGRADE_BICUBIC;
  else if (stem == 5 && strncmp (word, "shift", 5) == 0 && colon != NULL
           && fabs (value) <= 2.0)
    d->kind = SR2_DEGRADE_SHIFT;
  else if (stem == 4 && strncmp (word, "warp", 4) == 0 && colon == NULL)
    d->kind = SR2_DEGRADE_WARP;
  else if (stem == 4 && strncmp (word, "jpeg", 4) == 0 && colon != NULL
           && value >= 1.0 && value <= 100.0 && value == floor (value))
    d->kind = SR2_DEGRADE_JPEG;
  else
    goto bad;
  return TRUE;

bad:
  g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
               "--degradation: '%s' is not one of train, mean:F, point:F "
               "(0 <= F <= 2), bicubic, shift:D (-2 <= D <= 2), warp, "
               "jpeg:Q (Q a whole number from 1 to 100)",
               word);
  return FALSE;
}

gboolean
sr2_parse_degradations (const char *text, Sr2Degradation **list, int *n,
                        GError **error)
{
  char **given = g_strsplit (text, ",", -1);
  char **grid = g_strsplit (SR2_GRID, ",", -1);
  GPtrArray *words = g_ptr_array_new ();
  gboolean ok = TRUE;

  /* "grid" stands for SR2_GRID's words wherever it is in the list. */
  for (char **w = given; *w != NULL; w++)
    if (strcmp (*w, "grid") == 0)
      for (char **g = grid; *g != NULL; g++)
        g_ptr_array_add (words, *g);
    else
      g_ptr_array_add (words, *w);
  *n = (int) words->len;
  *list = g_new0 (Sr2Degradation, MAX (*n, 1));
  for (int i = 0; ok && i < *n; i++)
    ok = parse_one (g_ptr_array_index (words, i), &(*list)[i], error);
  if (ok && *n == 0)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "--degradation: no degradation given");
      ok = FALSE;
    }
  g_ptr_array_free (words, TRUE);
  g_strfreev (given);
  g_strfreev (grid);
  if (!ok)
    g_clear_pointer (list, g_free);
  return ok;
}

/* @hr rotated by @angle radians about its centre and moved by (@dx, @dy)
 * pixels, bilinear, zero outside: sr2.py's warp (PyTorch's grid_sample,
 * align_corners off), so the centre is at 13.5. */
static void
warp (const float *hr, double angle, double dx, double dy, float *out)
{
  double c = cos (angle), s = sin (angle), mid = (SR2_SIDE - 1) / 2.0;

  for (int y = 0; y < SR2_SIDE; y++)
    for (int x = 0; x < SR2_SIDE; x++)
      {
        double u = c * (x - mid) - s * (y - mid) + mid - dx;
        double v = s * (x - mid) + c * (y - mid) + mid - dy;
        int x0 = (int) floor (u), y0 = (int) floor (v);
        double fx = u - x0, fy = v - y0, sum = 0.0;

        for (int j = 0; j < 2; j++)
          for (int i = 0; i < 2; i++)
            {
              int xi = x0 + i, yj = y0 + j;
              double w = (i ? fx : 1.0 - fx) * (j ? fy : 1.0 - fy);

              if (xi >= 0 && xi < SR2_SIDE && yj >= 0 && yj < SR2_SIDE)
                sum += w * hr[yj * SR2_SIDE + xi];
            }
        out[y * SR2_SIDE + x] = (float) sum;
      }
}

/* Gaussian blur of sigma @sigma (0: a copy), then the block mean or the
 * block's pixel (scale / 2, scale / 2). */
static gboolean
blur_and_sample (const float *hr, int scale, double sigma, gboolean point,
                 float *lr, GError **error)
{
  float blurred[N_PIXELS];
  int side = SR2_SIDE / scale;

  if (sigma > 0.0)
    {
      if (!hfsr_gaussian_blur (hr, SR2_SIDE, SR2_SIDE, sigma, blurred, error))
        return FALSE;
    }
  else
    memcpy (blurred, hr, sizeof blurred);
  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        double sum = 0.0;

        if (point)
          sum = blurred[(y * scale + scale / 2) * SR2_SIDE + x * scale
                        + scale / 2];
        else
          {
            for (int dy = 0; dy < scale; dy++)
              for (int dx = 0; dx < scale; dx++)
                sum += blurred[(y * scale + dy) * SR2_SIDE + x * scale + dx];
            sum /= scale * scale;
          }
        lr[y * side + x] = (float) sum;
      }
  return TRUE;
}

typedef struct
{
  struct jpeg_error_mgr base;
  jmp_buf escape;
  char message[JMSG_LENGTH_MAX];
} JpegError;

/* libjpeg's default ends the process; this returns to the caller. */
static void
jpeg_escape (j_common_ptr info)
{
  JpegError *e = (JpegError *) info->err;

  e->base.format_message (info, e->message);
  longjmp (e->escape, 1);
}

/* @plane (@side², [0, 1]) rounded to 8 bits, saved as a greyscale JPEG of
 * @quality with libjpeg's standard tables and read back: what Pillow's
 * save (quality=Q) does in sr2.py's training. */
static gboolean
jpeg_round_trip (float *plane, int side, int quality, GError **error)
{
  struct jpeg_compress_struct out;
  struct jpeg_decompress_struct in;
  JpegError failure;
  gsize n_pixels = (gsize) side * side;
  unsigned char *pixels = g_malloc (n_pixels);
  unsigned char *volatile bytes = NULL;
  unsigned long size = 0;
  volatile gboolean ok = FALSE;

  memset (&out, 0, sizeof out);
  memset (&in, 0, sizeof in);
  for (int i = 0; i < side * side; i++)
    pixels[i]
      = (unsigned char) floor (CLAMP (plane[i], 0.0f, 1.0f) * 255.0 + 0.5);
  out.err = jpeg_std_error (&failure.base);
  in.err = &failure.base;
  failure.base.error_exit = jpeg_escape;
  if (setjmp (failure.escape) == 0)
    {
      unsigned char *buffer = NULL;

      jpeg_create_compress (&out);
      jpeg_mem_dest (&out, &buffer, &size);
      out.image_width = out.image_height = (JDIMENSION) side;
      out.input_components = 1;
      out.in_color_space = JCS_GRAYSCALE;
      jpeg_set_defaults (&out);
      jpeg_set_quality (&out, quality, TRUE);
      jpeg_start_compress (&out, TRUE);
      while (out.next_scanline < out.image_height)
        {
          JSAMPROW row = pixels + (gsize) out.next_scanline * side;

          jpeg_write_scanlines (&out, &row, 1);
        }
      jpeg_finish_compress (&out);
      bytes = buffer;

      jpeg_create_decompress (&in);
      jpeg_mem_src (&in, bytes, size);
      jpeg_read_header (&in, TRUE);
      in.out_color_space = JCS_GRAYSCALE;
      jpeg_start_decompress (&in);
      if (in.output_width != (JDIMENSION) side
          || in.output_height != (JDIMENSION) side
          || in.output_components != 1)
        {
          g_strlcpy (failure.message, "the decoded size differs",
                     sizeof failure.message);
          longjmp (failure.escape, 1);
        }
      while (in.output_scanline < in.output_height)
        {
          JSAMPROW row = pixels + (gsize) in.output_scanline * side;

          jpeg_read_scanlines (&in, &row, 1);
        }
      jpeg_finish_decompress (&in);
      ok = TRUE;
    }
  jpeg_destroy_compress (&out);
  jpeg_destroy_decompress (&in);
  free (bytes);
  if (ok)
    for (int i = 0; i < side * side; i++)
      plane[i] = pixels[i] / 255.0f;
  else
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO, "JPEG: %s",
                 failure.message);
  g_free (pixels);
  return ok;
}

gboolean
sr2_degrade (const Sr2Degradation *d, const float *hr, int scale, guint32 seed,
             guint32 index, float *target, float *lr, GError **error)
{
  int side = SR2_SIDE / scale;

  switch (d->kind)
    {
    case SR2_DEGRADE_MEAN:
    case SR2_DEGRADE_POINT:
      memcpy (target, hr, sizeof (float) * N_PIXELS);
      return blur_and_sample (hr, scale, d->value * scale,
                              d->kind == SR2_DEGRADE_POINT, lr, error);
    case SR2_DEGRADE_BICUBIC:
      memcpy (target, hr, sizeof (float) * N_PIXELS);
      return hfsr_imresize (hr, 1, SR2_SIDE, SR2_SIDE, side, side, lr, error);
    case SR2_DEGRADE_SHIFT:
      warp (hr, 0.0, d->value * scale, d->value * scale, target);
      return blur_and_sample (target, scale, scale / 2.0, FALSE, lr, error);
    case SR2_DEGRADE_WARP:
      {
        GRand *rand = g_rand_new_with_seed_array (
          (const guint32[]) { seed, index, WARP_STREAM }, 3);
        double angle = g_rand_double_range (rand, -WARP_DEGREES, WARP_DEGREES)
                       * G_PI / 180.0;
        int dx = g_rand_int_range (rand, -WARP_SHIFT, WARP_SHIFT + 1);
        int dy = g_rand_int_range (rand, -WARP_SHIFT, WARP_SHIFT + 1);

        g_rand_free (rand);
        warp (hr, angle, dx, dy, target);
        return blur_and_sample (target, scale, scale / 2.0, FALSE, lr, error);
      }
    case SR2_DEGRADE_JPEG:
      memcpy (target, hr, sizeof (float) * N_PIXELS);
      return blur_and_sample (hr, scale, scale / 2.0, FALSE, lr, error)
             && jpeg_round_trip (lr, side, (int) d->value, error);
    }
  g_return_val_if_reached (FALSE);
}
