/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hfsr.h"
#include "tool-util.h"

static const char *stdout_program = "hfsr";
static int stdout_failure_status = 1;

static void
check_stdout (void)
{
  int failed_errno = 0;

  errno = 0;
  if (fflush (stdout) != 0)
    failed_errno = errno != 0 ? errno : EIO;
  else if (!ferror (stdout))
    return;
  /* An earlier write failed and its errno is gone: say what is known. */
  if (failed_errno != 0)
    fprintf (stderr, "%s: standard output: write failed: %s\n", stdout_program,
             g_strerror (failed_errno));
  else
    fprintf (stderr, "%s: standard output: write failed\n", stdout_program);
  /* Calling exit from an exit handler is undefined; _exit is not.  It
   * skips the handlers registered before this one, which a failed run
   * does not need. */
  _exit (stdout_failure_status);
}

void
tool_check_stdout_at_exit (const char *program, int failure_status)
{
  stdout_program = program;
  stdout_failure_status = failure_status;
  atexit (check_stdout);
}

gboolean
tool_check_regular_file (const char *path, GError **error)
{
  GStatBuf status;

  if (g_stat (path, &status) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO, "%s: %s", path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  if (!S_ISREG (status.st_mode))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO,
                   "%s: not a regular "
                   "file (%s)",
                   path,
                   S_ISDIR (status.st_mode)    ? "a folder"
                   : S_ISFIFO (status.st_mode) ? "a FIFO"
                                               : "a device or socket");
      return FALSE;
    }
  return TRUE;
}

GOptionContext *
tool_option_context_new (const char *parameter_string,
                         const GOptionEntry *entries, const char *description)
{
  GOptionContext *context = g_option_context_new (parameter_string);

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, description);
  return context;
}

gboolean
tool_report_error (const char *program, GError **error)
{
  if (*error == NULL)
    return FALSE;
  fprintf (stderr, "%s: %s\n", program, (*error)->message);
  g_clear_error (error);
  return TRUE;
}

gboolean
tool_make_folder (const char *path, GError **error)
{
  if (g_mkdir_with_parents (path, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO, "%s: %s", path,
                   g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

char *
tool_file_stem (const char *path)
{
  char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');

  if (dot != NULL)
    *dot = '\0';
  return base;
}
