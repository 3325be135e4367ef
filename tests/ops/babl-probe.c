/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * babl-probe SOURCE TARGET: builds babl's conversion from the format named
 * SOURCE to TARGET and runs it on 1 to 1030 pixels, each buffer exactly the
 * size the formats need.  Run under valgrind (babl-probe.sh) it shows
 * whether babl writes past a buffer making or running that conversion:
 * babl 0.1.98 does for some conversions into the formats the ops use
 * (babl-conversions.txt), which is why ops/hfsr-op-common.c reads pixels
 * the way it does.  The bug shows only while babl searches for a path, so
 * each pair needs a fresh process and an empty babl cache.
 */
#include <stdio.h>
#include <stdlib.h>

#include <babl/babl.h>

int
main (int argc, char **argv)
{
  const Babl *source, *target;

  if (argc != 3)
    {
      fprintf (stderr, "usage: babl-probe SOURCE-FORMAT TARGET-FORMAT\n");
      return 2;
    }
  babl_init ();
  if (!babl_format_exists (argv[1]) || !babl_format_exists (argv[2]))
    {
      fprintf (stderr, "babl-probe: no format '%s' or '%s'\n", argv[1],
               argv[2]);
      return 2;
    }
  source = babl_format (argv[1]);
  target = babl_format (argv[2]);
  for (long n = 1; n <= 1030; n = n * 3 + 1)
    {
      size_t in_size = (size_t) babl_format_get_bytes_per_pixel (source) * n;
      size_t out_size = (size_t) babl_format_get_bytes_per_pixel (target) * n;
      unsigned char *in = malloc (in_size), *out = malloc (out_size);

      if (in == NULL || out == NULL)
        return 3;
      for (size_t i = 0; i < in_size; i++)
        in[i] = (unsigned char) (i * 37);
      babl_process (babl_fish (source, target), in, out, n);
      free (in);
      free (out);
    }
  babl_exit ();
  return 0;
}
