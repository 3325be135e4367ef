/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "sift-files.h"
#include "tool-util.h"

void
keypoint_list_clear (KeypointList *list)
{
  g_clear_pointer (&list->points, g_free);
  list->n = 0;
}

/* ------------------------------------------------------------- writing */

void
keypoint_file_write (FILE *to, const KeypointList *list)
{
  fprintf (to, "%s %d %d\n", KEYPOINT_MAGIC, list->n,
           HFSR_SIFT_DESCRIPTOR_LENGTH);
  for (int i = 0; i < list->n; i++)
    {
      const HfsrKeypoint *k = &list->points[i];

      /* %.9g gives a float back exactly. */
      fprintf (to, "%.9g %.9g %.9g %.9g %.9g %d", k->x, k->y, k->sigma,
               k->orientation, k->response, k->octave);
      for (int d = 0; d < HFSR_SIFT_DESCRIPTOR_LENGTH; d++)
        fprintf (to, " %.9g", k->descriptor[d]);
      fputc ('\n', to);
    }
}

gboolean
keypoint_file_save (const char *path, const KeypointList *list, GError **error)
{
  FILE *to;
  int failed;

  if (path == NULL)
    {
      keypoint_file_write (stdout, list);
      return TRUE;
    }
  to = g_fopen (path, "w");
  if (to == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO, "%s: %s", path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  keypoint_file_write (to, list);
  failed = ferror (to);
  failed |= fclose (to) != 0;
  if (failed)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO, "%s: write failed", path);
      return FALSE;
    }
  return TRUE;
}

gboolean
homography_save (const char *path, const double h[9], GError **error)
{
  GString *text = g_string_new (NULL);
  gboolean saved;

  for (int r = 0; r < 3; r++)
    g_string_append_printf (text, "%.17g %.17g %.17g\n", h[3 * r],
                            h[3 * r + 1], h[3 * r + 2]);
  saved = g_file_set_contents (path, text->str, text->len, error);
  g_string_free (text, TRUE);
  return saved;
}

/* ------------------------------------------------------------- reading */

/* Half a float ulp beyond FLT_MAX: doubles below it round to a finite
 * float, those from it on to infinity.  The bound is not FLT_MAX itself:
 * the writer's %.9g gives FLT_MAX as 3.40282347e+38, a little more than
 * FLT_MAX as a double, and what it writes must read back (found by
 * tests/fuzz/fuzz-sift-files). */
#define FLOAT_OVERFLOW ((double) FLT_MAX + 0x1p103)

static gboolean
fits_float (double value)
{
  return fabs (value) < FLOAT_OVERFLOW;
}

/* Reads the next whitespace-separated word of @line into a finite double;
 * advances @line.  @line ends at a NUL. */
static gboolean
next_number (const char **line, double *value)
{
  char *end;

  while (g_ascii_isspace (**line))
    (*line)++;
  if (**line == '\0')
    return FALSE;
  errno = 0;
  *value = g_ascii_strtod (*line, &end);
  if (end == *line || errno == ERANGE || !isfinite (*value)
      || (*end != '\0' && !g_ascii_isspace (*end)))
    return FALSE;
  *line = end;
  return TRUE;
}

static gboolean
at_line_end (const char *line)
{
  while (g_ascii_isspace (*line))
    line++;
  return *line == '\0';
}

static gboolean
parse_keypoint (const char *line, HfsrKeypoint *k)
{
  double v[6];

  for (int i = 0; i < 6; i++)
    if (!next_number (&line, &v[i]))
      return FALSE;
  /* Octaves are small integers; a float out of range stays one. */
  if (v[5] != floor (v[5]) || fabs (v[5]) > 64.0 || !fits_float (v[0])
      || !fits_float (v[1]) || !fits_float (v[2]) || !fits_float (v[3])
      || !fits_float (v[4]))
    return FALSE;
  k->x = v[0];
  k->y = v[1];
  k->sigma = v[2];
  k->orientation = v[3];
  k->response = v[4];
  k->octave = (int) v[5];
  /* As a float: 1e-50 > 0 is a sigma of 0, which would be written as
   * one (fuzz-sift-files' round trip). */
  if (!(k->sigma > 0.0f))
    return FALSE;
  for (int d = 0; d < HFSR_SIFT_DESCRIPTOR_LENGTH; d++)
    {
      double value;

      if (!next_number (&line, &value) || !fits_float (value))
        return FALSE;
      k->descriptor[d] = value;
    }
  return at_line_end (line);
}

/* A parser of text with a NUL after its @length bytes, which it may
 * overwrite; @result is what it fills. */
typedef gboolean (*TextParser) (char *text, gsize length, gpointer result,
                                GError **error);

/* Text with a NUL after its @length bytes, split into lines in place:
 * the line at *@next (its end overwritten with a NUL), *@next moved to the
 * following one, or to NULL after the last. */
static char *
next_line (char **next)
{
  char *line = *next;

  *next = strchr (line, '\n');
  if (*next != NULL)
    *(*next)++ = '\0';
  return line;
}

/* The header line of a keypoint file: its keypoint count in @n, checked
 * against what the file's size can hold before anything is allocated;
 * *@next is left at the line after it (NULL when there is none). */
static gboolean
parse_header (char *text, gsize length, int *n, char **next, GError **error)
{
  const char *line;
  double header[2];

  if (memchr (text, '\0', length) != NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "not a keypoint file (binary data)");
      return FALSE;
    }

  *next = text;
  line = next_line (next);
  if (!g_str_has_prefix (line, KEYPOINT_MAGIC " "))
    {
      g_set_error (
        error, HFSR_ERROR, HFSR_ERROR_FORMAT,
        "not a keypoint file (the first line must be '" KEYPOINT_MAGIC
        " N %d')",
        HFSR_SIFT_DESCRIPTOR_LENGTH);
      return FALSE;
    }
  line += strlen (KEYPOINT_MAGIC);
  if (!next_number (&line, &header[0]) || !next_number (&line, &header[1])
      || !at_line_end (line) || header[0] != floor (header[0]) || header[0] < 0
      || header[0] > KEYPOINT_MAX || header[1] != HFSR_SIFT_DESCRIPTOR_LENGTH)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "line 1: expected '" KEYPOINT_MAGIC " N %d' with N from "
                   "0 to %d",
                   HFSR_SIFT_DESCRIPTOR_LENGTH, KEYPOINT_MAX);
      return FALSE;
    }
  *n = (int) header[0];
  /* Each keypoint line has at least 2 characters per number: a file too
   * short for its count is refused before anything is allocated. */
  if ((gsize) *n > length / (2 * (6 + HFSR_SIFT_DESCRIPTOR_LENGTH)))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "the header announces %d keypoints, more than the file "
                   "can hold",
                   *n);
      return FALSE;
    }
  return TRUE;
}

/* The keypoint lines from @next on (blank ones skipped) into @points,
 * which has room for the @n the header announces; exactly @n must be
 * there.  Errors name the line, counting the header as line 1. */
static gboolean
parse_keypoint_lines (char *next, int n, HfsrKeypoint *points, GError **error)
{
  gsize line_number = 1; /* 2^31 blank lines overflow an int */
  int count = 0;

  while (next != NULL)
    {
      char *line = next_line (&next);

      line_number++;
      if (at_line_end (line))
        continue;
      if (count == n)
        {
          g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                       "line %" G_GSIZE_FORMAT ": more keypoints than the "
                       "%d the header announces",
                       line_number, n);
          return FALSE;
        }
      if (!parse_keypoint (line, &points[count]))
        {
          g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                       "line %" G_GSIZE_FORMAT ": expected x y sigma "
                       "orientation response octave and %d descriptor "
                       "values (finite numbers, sigma > 0, octave an "
                       "integer)",
                       line_number, HFSR_SIFT_DESCRIPTOR_LENGTH);
          return FALSE;
        }
      count++;
    }
  if (count != n)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%d keypoints, but the header announces %d", count, n);
      return FALSE;
    }
  return TRUE;
}

/* A keypoint file into the KeypointList @result; each line end is
 * overwritten with a NUL while it is read. */
static gboolean
parse_keypoints (char *text, gsize length, gpointer result, GError **error)
{
  KeypointList *list = result;
  char *next;
  int n;

  list->points = NULL;
  list->n = 0;
  if (!parse_header (text, length, &n, &next, error))
    return FALSE;
  list->points = g_new0 (HfsrKeypoint, MAX (n, 1));
  if (!parse_keypoint_lines (next, n, list->points, error))
    {
      keypoint_list_clear (list);
      return FALSE;
    }
  list->n = n;
  return TRUE;
}

/* Nine numbers into the double[9] @result. */
static gboolean
parse_homography (char *text, gsize length, gpointer result, GError **error)
{
  double *h = result;
  const char *line = text;
  int n = 0;

  if (memchr (text, '\0', length) == NULL)
    for (; n < 9; n++)
      if (!next_number (&line, &h[n]))
        break;
  if (n < 9 || !at_line_end (line))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "not a homography (expected exactly 9 finite numbers, 3 "
                   "lines of 3, as Oxford's H1to2p files)");
      return FALSE;
    }
  return TRUE;
}

/* @parse on a copy of @data with the NUL that memory from elsewhere need
 * not have. */
static gboolean
parse_memory (const char *data, gsize length, TextParser parse,
              gpointer result, GError **error)
{
  char *text = g_malloc (length + 1);
  gboolean parsed;

  memcpy (text, data, length);
  text[length] = '\0';
  parsed = parse (text, length, result, error);
  g_free (text);
  return parsed;
}

/* @parse on the contents of the regular file @path (g_file_get_contents
 * adds the NUL); errors name the file. */
static gboolean
parse_file (const char *path, TextParser parse, gpointer result,
            GError **error)
{
  char *text = NULL;
  gsize length;
  gboolean parsed = FALSE;

  if (!tool_check_regular_file (path, error)
      || !g_file_get_contents (path, &text, &length, error))
    return FALSE;
  parsed = parse (text, length, result, error);
  if (!parsed)
    g_prefix_error (error, "%s: ", path);
  g_free (text);
  return parsed;
}

gboolean
keypoint_file_parse (const char *data, gsize length, KeypointList *list,
                     GError **error)
{
  return parse_memory (data, length, parse_keypoints, list, error);
}

gboolean
keypoint_file_load (const char *path, KeypointList *list, GError **error)
{
  return parse_file (path, parse_keypoints, list, error);
}

gboolean
homography_parse (const char *data, gsize length, double h[9], GError **error)
{
  return parse_memory (data, length, parse_homography, h, error);
}

gboolean
homography_load (const char *path, double h[9], GError **error)
{
  return parse_file (path, parse_homography, h, error);
}

gboolean
keypoint_file_sniff (const char *path)
{
  char buffer[sizeof KEYPOINT_MAGIC] = { 0 };
  FILE *from;
  gsize got;

  if (!tool_check_regular_file (path, NULL))
    return FALSE;
  from = g_fopen (path, "rb");
  if (from == NULL)
    return FALSE;
  got = fread (buffer, 1, strlen (KEYPOINT_MAGIC), from);
  fclose (from);
  return got == strlen (KEYPOINT_MAGIC)
         && memcmp (buffer, KEYPOINT_MAGIC, got) == 0;
}
