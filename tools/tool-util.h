/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What every command-line tool shares, GEGL or not.
 */
#ifndef HFSR_TOOL_UTIL_H
#define HFSR_TOOL_UTIL_H

#include <glib.h>

G_BEGIN_DECLS

/* Call first in main.  stdio reports a failed write (a full disk, a
 * closed pipe, /dev/full) only through ferror, and most output is still
 * buffered when main returns, so a tool would exit 0 having written
 * nothing.  At exit, however the process ends (a return from main, or
 * exit in GOption's --help), standard output is flushed and checked; a
 * failure prints "@program: standard output: write failed: REASON" on
 * stderr and the exit status becomes @failure_status. */
void tool_check_stdout_at_exit (const char *program, int failure_status);

/* Whether @path (links followed) is a regular file; the error names it
 * and says what it is instead.  Call before reading a data file: opening
 * a FIFO waits for a writer, reading a device may never end, and a folder
 * is no data. */
gboolean tool_check_regular_file (const char *path, GError **error);

/* A context for main's options: @parameter_string follows "[OPTION…]"
 * in the usage line, @entries are the options and @description is
 * printed after them.  One place, so that every tool's --help is made
 * alike. */
GOptionContext *tool_option_context_new (const char *parameter_string,
                                         const GOptionEntry *entries,
                                         const char *description);

/* When *@error is set: prints "@program: MESSAGE" on stderr, clears it and
 * returns TRUE.  How every tool reports what stopped it. */
gboolean tool_report_error (const char *program, GError **error);

/* Makes the folder @path and its missing parents, like mkdir -p; the
 * error names the path. */
gboolean tool_make_folder (const char *path, GError **error);

/* The file name of @path without its folder and its last extension, as
 * output files are named after their input ("a/b.c.png" gives "b.c");
 * g_free. */
char *tool_file_stem (const char *path);

G_END_DECLS

#endif /* HFSR_TOOL_UTIL_H */
