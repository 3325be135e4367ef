/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer target: any bytes through hfsr-sift's readers
 * (tools/sift-files.c), as a keypoint file and as a homography.  The only
 * acceptable outcomes are a GError with a message, or what the file says:
 * keypoints that the writer writes back to a file reading as the very
 * same keypoints (every float exactly), nine finite numbers.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "sift-files.h"

/* @list written and read back must be @list, bit for bit. */
static void
check_round_trip (const KeypointList *list)
{
  KeypointList again = { 0 };
  GError *error = NULL;
  char *text = NULL;
  size_t length = 0;
  FILE *to = open_memstream (&text, &length);

  if (to == NULL)
    abort ();
  keypoint_file_write (to, list);
  if (fclose (to) != 0)
    abort ();
  if (!keypoint_file_parse (text, length, &again, &error))
    {
      fprintf (stderr, "written keypoints do not read back: %s\n",
               error->message);
      abort ();
    }
  if (again.n != list->n
      || (list->n > 0
          && memcmp (again.points, list->points,
                     sizeof (HfsrKeypoint) * list->n)
               != 0))
    abort ();
  keypoint_list_clear (&again);
  free (text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  KeypointList list = { 0 };
  GError *error = NULL;
  double h[9];

  if (keypoint_file_parse ((const char *) data, size, &list, &error))
    {
      for (int i = 0; i < list.n; i++)
        if (!(list.points[i].sigma > 0.0f))
          abort ();
      check_round_trip (&list);
      keypoint_list_clear (&list);
    }
  else
    {
      if (list.points != NULL || list.n != 0)
        abort ();
      fuzz_expect_message (&error);
    }

  if (homography_parse ((const char *) data, size, h, &error))
    {
      for (int i = 0; i < 9; i++)
        if (!isfinite (h[i]))
          abort ();
    }
  else
    fuzz_expect_message (&error);
  return 0;
}
