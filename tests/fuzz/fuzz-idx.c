/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer target: any bytes through hfsr-sr2-eval's idx reader
 * (tools/idx.c), as a file of each number of dimensions it reads, and the
 * label check on what parses as labels.  The only acceptable outcomes are
 * the elements, exactly as many as the shape counts, or a GError with a
 * message.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz-util.h"
#include "idx.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  for (int dims = 1; dims <= 4; dims++)
    {
      GError *error = NULL;
      guint32 shape[4];
      guint8 *elements = idx_parse (data, size, dims, shape, &error);
      gsize count = 1, header = 4 + 4 * (gsize) dims;

      if (elements == NULL)
        {
          fuzz_expect_message (&error);
          continue;
        }
      /* Accepted: the shape counts the bytes after the header, and the
       * copy holds them (ASan checks every byte is inside it). */
      for (int d = 0; d < dims; d++)
        count *= shape[d];
      if (count != size - header
          || (count > 0 && memcmp (elements, data + header, count) != 0))
        abort ();
      /* Labels: accepted exactly when every one is a digit. */
      if (dims == 1)
        {
          gboolean digits = idx_check_labels (elements, count, 10, &error);
          gboolean all_below = TRUE;

          for (gsize i = 0; i < count; i++)
            all_below &= elements[i] < 10;
          if (digits != all_below)
            abort ();
          if (!digits)
            fuzz_expect_message (&error);
        }
      g_free (elements);
    }
  return 0;
}
