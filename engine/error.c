/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "hfsr-private.h"

/* The quark's name is not an expression: not formatted. */
/* clang-format off */
G_DEFINE_QUARK (hfsr-error-quark, hfsr_error)
/* clang-format on */

gboolean
hfsr_fail (GError **error, const char *file, HfsrError code,
           const char *format, ...)
{
  va_list args;
  char *message;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, HFSR_ERROR, code, "%s: %s", file, message);
  g_free (message);
  return FALSE;
}
