/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes the seed corpus of a tool reader's fuzzer:
 *   fuzz-tool-seeds idx DIR         idx files (fuzz-idx)
 *   fuzz-tool-seeds sift-files DIR  keypoint files and homographies
 *                                   (fuzz-sift-files)
 * Small valid files, so mutations stay cheap, each read back by the
 * reader under test before it is written: a seed the reader refuses
 * would teach the fuzzer nothing about the paths after its checks.
 */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "idx.h"
#include "sift-files.h"

/* An idx file of unsigned bytes: @dims sizes in @shape, then the
 * elements @fill(i) for i = 0, 1, ... */
static GBytes *
idx_bytes (int dims, const guint32 *shape, guint8 (*fill) (gsize))
{
  GByteArray *file = g_byte_array_new ();
  guint8 magic[4] = { 0, 0, 0x08, (guint8) dims };
  gsize count = 1;

  g_byte_array_append (file, magic, 4);
  for (int d = 0; d < dims; d++)
    {
      guint8 size[4] = { shape[d] >> 24, shape[d] >> 16 & 0xff,
                         shape[d] >> 8 & 0xff, shape[d] & 0xff };

      g_byte_array_append (file, size, 4);
      count *= shape[d];
    }
  for (gsize i = 0; i < count; i++)
    {
      guint8 value = fill (i);

      g_byte_array_append (file, &value, 1);
    }
  return g_byte_array_free_to_bytes (file);
}

static guint8
digit_label (gsize i)
{
  return i % 10;
}

static guint8
ramp (gsize i)
{
  return (guint8) (i * 37);
}

/* Keypoints with values of every form the writer produces: negative,
 * fractions, exponents, zeros, whole numbers. */
static KeypointList
some_keypoints (int n)
{
  KeypointList list = { g_new0 (HfsrKeypoint, MAX (n, 1)), n };

  for (int i = 0; i < n; i++)
    {
      HfsrKeypoint *k = &list.points[i];

      k->x = 10.5f * i + 0.25f;
      k->y = 3.0f - 7.125f * i;
      k->sigma = 1.6f * (i + 1);
      k->orientation = -3.14159274f + i;
      k->response = 1e-3f / (i + 1);
      k->octave = i - 1;
      for (int d = 0; d < HFSR_SIFT_DESCRIPTOR_LENGTH; d++)
        k->descriptor[d] = (d * (i + 3)) % 11 == 0
                             ? 0.0f
                             : (float) ((d * 7 + i) % 23) / 61.0f;
    }
  return list;
}

static gboolean
write_seed (const char *dir, const char *name, const char *data, gsize size,
            GError **error)
{
  char *path = g_build_filename (dir, name, NULL);
  gboolean written = g_file_set_contents (path, data, (gssize) size, error);

  g_free (path);
  return written;
}

static gboolean
idx_seeds (const char *dir, GError **error)
{
  static const struct
  {
    const char *name;
    int dims;
    guint32 shape[4];
    guint8 (*fill) (gsize);
  } seeds[] = {
    { "labels.idx1", 1, { 12 }, digit_label },
    { "images.idx3", 3, { 2, 4, 3 }, ramp },
    { "empty.idx3", 3, { 0, 28, 28 }, ramp },
    { "matrix.idx2", 2, { 3, 5 }, ramp },
    { "tensor.idx4", 4, { 1, 2, 2, 3 }, ramp },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      GBytes *bytes = idx_bytes (seeds[i].dims, seeds[i].shape, seeds[i].fill);
      gsize size;
      const guint8 *data = g_bytes_get_data (bytes, &size);
      guint32 shape[4];
      guint8 *elements = idx_parse (data, size, seeds[i].dims, shape, error);
      gboolean written
        = elements != NULL
          && write_seed (dir, seeds[i].name, (const char *) data, size, error);

      g_free (elements);
      g_bytes_unref (bytes);
      if (!written)
        return FALSE;
    }
  return TRUE;
}

static gboolean
sift_seeds (const char *dir, GError **error)
{
  static const int counts[] = { 0, 1, 3 };
  static const char *homographies[] = {
    /* as `hfsr-sift pairs` writes them, and as Oxford's files are laid
     * out */
    "1 0 0\n0 1 0\n0 0 1\n",
    "0.98017662930488586 -0.19866932928562164 12.5\n"
    "0.19866932928562164 0.98017662930488586 -3.0000000000000004\n"
    "1.0000000000000001e-05 -2.5e-06 1\n",
    "   8.7976964e-01   3.1245438e-01  -3.9430589e+01\n"
    "  -1.8389418e-01   9.3847198e-01   1.5315784e+02\n"
    "   1.9641425e-04  -1.6015275e-05   1.0000000e+00\n",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      KeypointList list = some_keypoints (counts[i]), back = { 0 };
      char *text = NULL, *name;
      size_t length = 0;
      FILE *to = open_memstream (&text, &length);
      gboolean written;

      if (to == NULL)
        g_error ("open_memstream failed");
      keypoint_file_write (to, &list);
      fclose (to);
      name = g_strdup_printf ("keypoints-%d.kp", counts[i]);
      written = keypoint_file_parse (text, length, &back, error)
                && write_seed (dir, name, text, length, error);
      g_free (name);
      free (text);
      keypoint_list_clear (&back);
      keypoint_list_clear (&list);
      if (!written)
        return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (homographies); i++)
    {
      double h[9];
      char *name = g_strdup_printf ("H1to2p-%" G_GSIZE_FORMAT, i);
      gsize length = strlen (homographies[i]);
      gboolean written
        = homography_parse (homographies[i], length, h, error)
          && write_seed (dir, name, homographies[i], length, error);

      g_free (name);
      if (!written)
        return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  gboolean written;

  if (argc != 3
      || (strcmp (argv[1], "idx") != 0 && strcmp (argv[1], "sift-files") != 0))
    {
      fprintf (stderr, "usage: %s idx|sift-files CORPUS-DIR\n", argv[0]);
      return 2;
    }
  if (g_mkdir_with_parents (argv[2], 0755) != 0)
    {
      fprintf (stderr, "%s: cannot create %s\n", argv[0], argv[2]);
      return 1;
    }
  written = strcmp (argv[1], "idx") == 0 ? idx_seeds (argv[2], &error)
                                         : sift_seeds (argv[2], &error);
  if (!written)
    {
      fprintf (stderr, "%s: %s\n", argv[0], error->message);
      g_error_free (error);
      return 1;
    }
  return 0;
}
