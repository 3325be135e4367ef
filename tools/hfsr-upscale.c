/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-upscale [OPTION…] INPUT… -o OUTDIR
 *
 * Upscales many images with hfsr:super-resolution (tools/README.md).  The
 * process that reads the options makes the list of images and shows the
 * progress; the images are made by worker processes (-j of them), each
 * with GEGL started and the network loaded once for the whole run
 * (upscale-worker.c).  Workers take the next image from a counter they
 * share, so a slow image never holds the others up, and report on a pipe.
 * A worker that dies on a file (a decoder that ends the process on a
 * corrupt JPEG, a crash) costs that file only: it is reported and a new
 * worker goes on with the rest.
 *
 * Exit status: 0 when every image was made or was already there, 1 when
 * some failed, 2 on a usage error or when no worker could start, 130 when
 * interrupted (run the same command again to resume).
 */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "hfsr.h"
#include "tool-image.h"
#include "tool-util.h"
#include "upscale.h"

#define PROGRAM "hfsr-upscale"

/* Exit statuses. */
enum
{
  EXIT_SOME_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_INTERRUPTED = 130
};

/* ------------------------------------------------------------------ */
/* Options */

static char *opt_output;
static gboolean opt_recursive;
static double opt_scale = 2.0;
static double opt_alpha = NAN;
static char *opt_model;
static char *opt_format = "same";
static int opt_depth;
static int opt_quality = 90;
static char *opt_name = "{stem}.{ext}";
static gboolean opt_overwrite;
static gboolean opt_skip_existing;
static int opt_jobs = 1;
static int opt_threads;
static char *opt_shard;
static gboolean opt_list;
static gboolean opt_quiet;
static char **opt_inputs;

static const GOptionEntry entries[] = {
  { "output", 'o', 0, G_OPTION_ARG_FILENAME, &opt_output,
    "Folder for the results (made if missing)", "DIR" },
  { "recursive", 'r', 0, G_OPTION_ARG_NONE, &opt_recursive,
    "Also the images in folders inside INPUT folders, kept as subfolders of "
    "DIR",
    NULL },
  { "scale", 's', 0, G_OPTION_ARG_DOUBLE, &opt_scale,
    "How many times wider and taller, 1 to 8, such as 1.5 (default 2)", "S" },
  { "alpha", 'a', 0, G_OPTION_ARG_DOUBLE, &opt_alpha,
    "Detail weight α of the shipped networks (default: the op's, 0.2)", "A" },
  { "model", 'm', 0, G_OPTION_ARG_FILENAME, &opt_model,
    "An hfsr model file to use instead of the shipped networks", "FILE" },
  { "format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
    "png, jpeg, webp, tiff or same: that of each input (default)", "FMT" },
  { "depth", 'd', 0, G_OPTION_ARG_INT, &opt_depth,
    "Bits per channel of PNG and TIFF results: 8 or 16 (default: 8 for "
    "8-bit inputs, else 16)",
    "BITS" },
  { "quality", 'q', 0, G_OPTION_ARG_INT, &opt_quality,
    "JPEG and WebP quality, 1 to 100 (default 90)", "Q" },
  { "name", 'n', 0, G_OPTION_ARG_STRING, &opt_name,
    "Name of each result: {stem} (the input's name without extension), "
    "{ext}, {name} (the input's whole name), {scale} (default {stem}.{ext})",
    "PATTERN" },
  { "overwrite", 0, 0, G_OPTION_ARG_NONE, &opt_overwrite,
    "Make results again that already exist", NULL },
  { "skip-existing", 0, 0, G_OPTION_ARG_NONE, &opt_skip_existing,
    "Leave results that already exist (default: a run resumes)", NULL },
  { "jobs", 'j', 0, G_OPTION_ARG_INT, &opt_jobs,
    "Images made side by side, each by its own process (default 1)", "N" },
  { "threads", 't', 0, G_OPTION_ARG_INT, &opt_threads,
    "Threads in all, shared between the jobs (default: every processor)",
    "T" },
  { "shard", 0, 0, G_OPTION_ARG_STRING, &opt_shard,
    "Only shard K of N (1 ≤ K ≤ N): a split by file name that every "
    "machine computes alike",
    "K/N" },
  { "list", 0, 0, G_OPTION_ARG_NONE, &opt_list,
    "Print INPUT<tab>RESULT for every image of this run and stop", NULL },
  { "quiet", 'Q', 0, G_OPTION_ARG_NONE, &opt_quiet, "Print only what failed",
    NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_inputs, NULL,
    "INPUT…" },
  { NULL }
};

static const char description[]
  = "INPUT is an image file, a folder (its PNG, JPEG, TIFF and WebP files) "
    "or - (paths read from\nstandard input, one a line).  Results are "
    "written whole or not at all, and results\nthat already exist are "
    "left, so that running the same command again resumes an\ninterrupted "
    "run.  Colour profile, Exif (size fields updated, orientation kept), "
    "XMP,\nIPTC, alpha and 16-bit depth are kept.  See tools/README.md.\n";

/* ------------------------------------------------------------------ */
/* The list of images */

/* The extensions taken from folders; files named on the command line
 * are tried whatever their name. */
static const struct
{
  const char *extension;
  UpscaleFormat format;
} image_extensions[] = {
  { "png", UPSCALE_FORMAT_PNG },   { "jpg", UPSCALE_FORMAT_JPEG },
  { "jpeg", UPSCALE_FORMAT_JPEG }, { "jpe", UPSCALE_FORMAT_JPEG },
  { "tif", UPSCALE_FORMAT_TIFF },  { "tiff", UPSCALE_FORMAT_TIFF },
  { "webp", UPSCALE_FORMAT_WEBP },
};

static const char *format_extension[] = {
  [UPSCALE_FORMAT_PNG] = "png",
  [UPSCALE_FORMAT_JPEG] = "jpg",
  [UPSCALE_FORMAT_WEBP] = "webp",
  [UPSCALE_FORMAT_TIFF] = "tif",
};

/* The format @path's extension names, or UPSCALE_FORMAT_SAME. */
static UpscaleFormat
format_of_name (const char *path)
{
  const char *dot = strrchr (path, '.');

  if (dot == NULL || strchr (dot, '/') != NULL)
    return UPSCALE_FORMAT_SAME;
  for (gsize i = 0; i < G_N_ELEMENTS (image_extensions); i++)
    if (g_ascii_strcasecmp (dot + 1, image_extensions[i].extension) == 0)
      return image_extensions[i].format;
  return UPSCALE_FORMAT_SAME;
}

typedef struct
{
  GPtrArray *jobs;      /* of UpscaleJob */
  GPtrArray *failures;  /* of char *: "PATH: why", found while listing */
  UpscaleFormat format; /* --format */
  struct stat output_folder;
  gboolean output_folder_exists;
} JobList;

static void
job_free (UpscaleJob *job)
{
  if (job == NULL)
    return;
  g_free (job->input);
  g_free (job->key);
  g_free (job->output);
  g_free (job);
}

/* The result's name for @input by --name: "{stem}.{ext}" and so on. */
static char *
result_name (const char *input, const char *extension)
{
  char *base = g_path_get_basename (input);
  char *stem = tool_file_stem (input);
  char *scale = g_strdup_printf ("%g", opt_scale);
  GString *name = g_string_new (NULL);

  for (const char *p = opt_name; *p != '\0'; p++)
    {
      const char *value = NULL;
      gsize length = 0;

      if (*p == '{')
        {
          static const char *tokens[] = { "stem", "ext", "name", "scale" };
          const char *values[] = { stem, extension, base, scale };

          for (gsize i = 0; i < G_N_ELEMENTS (tokens); i++)
            {
              length = strlen (tokens[i]);
              if (strncmp (p + 1, tokens[i], length) == 0
                  && p[1 + length] == '}')
                {
                  value = values[i];
                  break;
                }
            }
        }
      if (value != NULL)
        {
          g_string_append (name, value);
          p += length + 1;
        }
      else
        g_string_append_c (name, *p);
    }
  g_free (scale);
  g_free (stem);
  g_free (base);
  return g_string_free (name, FALSE);
}

/* --name must make a plain file name out of known tokens. */
static gboolean
check_name_pattern (GError **error)
{
  char *sample = result_name ("a.png", "png");
  gboolean ok = strchr (opt_name, '/') == NULL && strchr (sample, '{') == NULL
                && strcmp (sample, ".") != 0 && strcmp (sample, "..") != 0
                && sample[0] != '\0';

  if (!ok)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--name %s: use {stem}, {ext}, {name} and {scale} and no /",
                 opt_name);
  g_free (sample);
  return ok;
}

/* The same file (not merely the same name) as @b. */
static gboolean
same_file (const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static void
add_failure (JobList *list, const char *path, const char *why)
{
  g_ptr_array_add (list->failures, g_strdup_printf ("%s: %s", path, why));
}

/* Adds the job that makes @input; @key is its path under the folder it
 * was found in, and its result goes to that path under -o. */
static void
add_job (JobList *list, const char *input, const char *key)
{
  UpscaleFormat format = list->format;
  const char *extension;
  char *key_folder = g_path_get_dirname (key);
  char *name;
  UpscaleJob *job;

  if (format == UPSCALE_FORMAT_SAME)
    {
      const char *dot = strrchr (input, '.');

      format = format_of_name (input);
      if (format == UPSCALE_FORMAT_SAME)
        format = UPSCALE_FORMAT_PNG;
      /* A JPEG stays .jpeg or .JPG when its input was. */
      extension = format == format_of_name (input) ? dot + 1
                                                   : format_extension[format];
    }
  else
    extension = format_extension[format];

  name = result_name (input, extension);
  job = g_new0 (UpscaleJob, 1);
  job->input = g_strdup (input);
  job->key = g_strdup (key);
  job->output = strcmp (key_folder, ".") == 0
                  ? g_build_filename (opt_output, name, NULL)
                  : g_build_filename (opt_output, key_folder, name, NULL);
  job->format = format;
  g_ptr_array_add (list->jobs, job);
  g_free (name);
  g_free (key_folder);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The images in @folder (under the key prefix @prefix), in name order;
 * with -r also those of its folders, but never the output folder's (a
 * second run would upscale the results). */
static void
add_folder (JobList *list, const char *folder, const char *prefix)
{
  GError *error = NULL;
  GDir *dir = g_dir_open (folder, 0, &error);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      add_failure (list, folder, error->message);
      g_clear_error (&error);
      g_ptr_array_unref (names);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.') /* hidden, and our own partial results */
      g_ptr_array_add (names, g_strdup (name));
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      const char *entry = names->pdata[i];
      char *path = g_build_filename (folder, entry, NULL);
      char *key = prefix[0] != '\0' ? g_build_filename (prefix, entry, NULL)
                                    : g_strdup (entry);
      struct stat st;

      if (g_stat (path, &st) != 0)
        ; /* a dangling link: nothing to read */
      else if (S_ISDIR (st.st_mode))
        {
          if (opt_recursive
              && !(list->output_folder_exists
                   && same_file (&st, &list->output_folder)))
            add_folder (list, path, key);
        }
      else if (S_ISREG (st.st_mode)
               && format_of_name (entry) != UPSCALE_FORMAT_SAME)
        add_job (list, path, key);
      g_free (key);
      g_free (path);
    }
  g_ptr_array_unref (names);
}

static void
add_input (JobList *list, const char *input)
{
  struct stat st;

  if (g_stat (input, &st) != 0)
    add_failure (list, input, g_strerror (errno));
  else if (S_ISDIR (st.st_mode))
    add_folder (list, input, "");
  else
    {
      /* Checked as a regular file when its turn comes: a FIFO given by
       * name is reported there, not waited on. */
      char *base = g_path_get_basename (input);

      add_job (list, input, base);
      g_free (base);
    }
}

/* Paths from standard input, one a line. */
static void
add_standard_input (JobList *list)
{
  char line[4096];

  while (fgets (line, sizeof line, stdin) != NULL)
    {
      g_strchomp (line);
      if (line[0] != '\0')
        add_input (list, line);
    }
}

/* FNV-1a, 64 bits: the same on every machine and every build, unlike
 * g_str_hash (whose value is not promised to stay). */
static guint64
shard_hash (const char *key)
{
  guint64 hash = 0xcbf29ce484222325u;

  for (const unsigned char *p = (const unsigned char *) key; *p != '\0'; p++)
    hash = (hash ^ *p) * 0x100000001b3u;
  return hash;
}

static gboolean
parse_shard (int *k, int *n, GError **error)
{
  char *end;
  long a, b;

  *k = 1;
  *n = 1;
  if (opt_shard == NULL)
    return TRUE;
  a = strtol (opt_shard, &end, 10);
  if (*end == '/')
    {
      b = strtol (end + 1, &end, 10);
      if (*end == '\0' && b >= 1 && b <= 1000000 && a >= 1 && a <= b)
        {
          *k = (int) a;
          *n = (int) b;
          return TRUE;
        }
    }
  g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
               "--shard %s: give K/N with 1 ≤ K ≤ N, e.g. 2/8", opt_shard);
  return FALSE;
}

/* A file's identity, as a hash table key. */
static char *
file_id (const struct stat *st)
{
  return g_strdup_printf ("%llu:%llu", (unsigned long long) st->st_dev,
                          (unsigned long long) st->st_ino);
}

/* Keeps the jobs of shard @k of @n.  Over the whole list first, so that
 * every machine decides alike: an input that is the existing result of
 * another job is left out (results written beside their inputs, as with
 * `-o IN -n '{stem}-x2.{ext}'`, are not upscaled again by the next run); a
 * second job writing the result an earlier one writes (two inputs of the
 * same name) fails, and so does a job whose result is its own input. */
static void
select_jobs (JobList *list, int k, int n)
{
  GHashTable *outputs
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* file id of an existing result -> the job (index + 1) writing it */
  GHashTable *results
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *kept = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);
  struct stat st;

  for (guint i = 0; i < list->jobs->len; i++)
    {
      UpscaleJob *job = list->jobs->pdata[i];

      if (g_stat (job->output, &st) == 0)
        g_hash_table_insert (results, file_id (&st), GUINT_TO_POINTER (i + 1));
    }

  for (guint i = 0; i < list->jobs->len; i++)
    {
      UpscaleJob *job = list->jobs->pdata[i];
      gboolean mine = shard_hash (job->key) % (guint64) n == (guint64) (k - 1);
      guint writer = 0;
      const char *why = NULL;
      char *message = NULL;

      list->jobs->pdata[i] = NULL;
      if (g_stat (job->input, &st) == 0)
        {
          char *id = file_id (&st);

          writer = GPOINTER_TO_UINT (g_hash_table_lookup (results, id));
          g_free (id);
        }
      if (writer == i + 1)
        why = "the result would replace the input: choose another -o or "
              "--name";
      else if (writer != 0)
        {
          job_free (job);
          continue;
        }
      else if (g_hash_table_contains (outputs, job->output))
        why = message
          = g_strdup_printf ("its result %s is another input's", job->output);
      else
        g_hash_table_add (outputs, g_strdup (job->output));

      if (mine && why != NULL)
        add_failure (list, job->input, why);
      if (mine && why == NULL)
        g_ptr_array_add (kept, job);
      else
        job_free (job);
      g_free (message);
    }
  g_hash_table_unref (results);
  g_hash_table_unref (outputs);
  g_ptr_array_unref (list->jobs);
  list->jobs = kept;
}

static gboolean
parse_format (UpscaleFormat *format, GError **error)
{
  static const struct
  {
    const char *name;
    UpscaleFormat format;
  } names[] = {
    { "same", UPSCALE_FORMAT_SAME }, { "png", UPSCALE_FORMAT_PNG },
    { "jpeg", UPSCALE_FORMAT_JPEG }, { "jpg", UPSCALE_FORMAT_JPEG },
    { "webp", UPSCALE_FORMAT_WEBP }, { "tiff", UPSCALE_FORMAT_TIFF },
    { "tif", UPSCALE_FORMAT_TIFF },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (opt_format, names[i].name) == 0)
      {
        *format = names[i].format;
        return TRUE;
      }
  g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
               "--format %s: choose png, jpeg, webp, tiff or same",
               opt_format);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Workers */

/* Where workers take the next job from: one counter in memory every
 * worker process shares. */
static int *next_job;

static volatile sig_atomic_t stop_requested;

static void
on_stop_signal (int signum)
{
  (void) signum;
  stop_requested = 1;
}

/* A worker's report channel and what it is doing, in the worker. */
static int report_fd = -1;
static int current_job = -1;

/* One line to the parent.  Each is shorter than PIPE_BUF, so written in
 * one piece. */
static void report (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
report (const char *format, ...)
{
  char line[1024];
  va_list args;
  int length;

  va_start (args, format);
  length = g_vsnprintf (line, sizeof line - 1, format, args);
  va_end (args);
  length = MIN (length, (int) sizeof line - 2);
  for (int i = 0; i < length; i++)
    if (line[i] == '\n')
      line[i] = ' ';
  line[length++] = '\n';
  while (write (report_fd, line, length) < 0 && errno == EINTR)
    ;
}

/* GEGL's JPEG loader ends the process on a corrupt file (libjpeg's
 * default error handler): that file failed, and the parent starts a new
 * worker for the rest. */
static void
report_exit_during_job (void)
{
  if (current_job >= 0)
    {
      report ("fail %d not an image GEGL can read (its decoder gave up)",
              current_job);
      current_job = -1;
    }
}

static void
worker_progress (double fraction, gpointer data)
{
  static gint64 last;
  gint64 now = g_get_monotonic_time ();

  (void) data;
  /* Enough for a smooth bar, few enough to cost nothing. */
  if (now - last > 100000 || fraction >= 1.0)
    {
      report ("progress %d %.4f", current_job, fraction);
      last = now;
    }
}

static void
worker_note (const char *note, gpointer data)
{
  (void) data;
  report ("note %d %s", current_job, note);
}

static void G_GNUC_NORETURN
worker_main (GPtrArray *jobs, const UpscaleSettings *settings)
{
  GError *error = NULL;
  struct sigaction action = { 0 };

  action.sa_handler = on_stop_signal;
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);
  signal (SIGPIPE, SIG_IGN);
  tool_image_setup (PROGRAM, EXIT_USAGE);
  atexit (report_exit_during_job);

  if (!upscale_worker_init (settings, jobs, &error))
    {
      report ("fatal %s", error->message);
      _exit (EXIT_USAGE);
    }
  report ("ready");
  while (!stop_requested)
    {
      int i = __atomic_fetch_add (next_job, 1, __ATOMIC_SEQ_CST);
      UpscaleResult result = { 0 };

      if (i >= (int) jobs->len)
        break;
      current_job = i;
      report ("start %d", i);
      if (upscale_worker_run (jobs->pdata[i], worker_progress, worker_note,
                              NULL, &stop_requested, &result, &error))
        report ("done %d %d %d %d", i, result.width, result.height,
                result.metadata_kept);
      else if (g_error_matches (error, HFSR_ERROR, HFSR_ERROR_CANCELLED))
        report ("stopped %d", i);
      else
        report ("fail %d %s", i, error->message);
      g_clear_error (&error);
      current_job = -1;
    }
  upscale_worker_exit ();
  _exit (0);
}

/* ------------------------------------------------------------------ */
/* The run: workers, progress and the summary */

typedef enum
{
  JOB_WAITING,
  JOB_RUNNING,
  JOB_DONE,
  JOB_FAILED,
  JOB_STOPPED
} JobState;

typedef struct
{
  pid_t pid;
  int fd;           /* its reports */
  int err_fd;       /* its standard error */
  GString *pending; /* a report line not yet complete */
  GString *err_pending;
  int job; /* -1: none */
  gboolean ready;
} Worker;

typedef struct
{
  GPtrArray *jobs;
  const UpscaleSettings *settings;
  JobState *state;
  double *fraction;
  gint64 *started;
  int done, failed, stopped;
  double output_megapixels;
  gint64 start;
  char *fatal;
  gboolean bar; /* a progress bar on stderr (a terminal) */
  gboolean bar_shown;
  gint64 bar_drawn;
  Worker *workers;
  int n_workers;
} Run;

static void
clear_bar (Run *run)
{
  if (run->bar_shown)
    {
      fputs ("\r\033[K", stderr);
      run->bar_shown = FALSE;
    }
}

static void
format_duration (double seconds, char *text, gsize size)
{
  long s = lround (seconds);

  if (s >= 3600)
    g_snprintf (text, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    g_snprintf (text, size, "%ld:%02ld", s / 60, s % 60);
}

/* The bar: images done of all, with the share of those running, output
 * megapixels a second and the time left at this pace. */
static void
draw_bar (Run *run, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  int total = run->jobs->len, width = 30, filled;
  double progress = run->done + run->failed;
  double elapsed = (now - run->start) / 1e6;
  char eta[32] = "--:--";

  if (!run->bar || (!force && now - run->bar_drawn < 200000))
    return;
  for (int i = 0; i < total; i++)
    if (run->state[i] == JOB_RUNNING)
      progress += run->fraction[i];
  if (progress > 0.0 && progress < total)
    format_duration (elapsed * (total - progress) / progress, eta, sizeof eta);
  filled = total > 0 ? (int) (width * progress / total) : width;
  fputs ("\r\033[K[", stderr);
  for (int i = 0; i < width; i++)
    fputc (i < filled ? '#' : '.', stderr);
  fprintf (stderr, "] %d/%d  %.2f MP/s  ETA %s", run->done + run->failed,
           total, elapsed > 0 ? run->output_megapixels / elapsed : 0.0, eta);
  if (run->failed > 0)
    fprintf (stderr, "  %d failed", run->failed);
  fflush (stderr);
  run->bar_shown = TRUE;
  run->bar_drawn = now;
}

static void
print_failure (Run *run, const char *path, const char *why)
{
  gsize length = strlen (path);

  /* Errors from shared helpers name the file themselves. */
  if (strncmp (why, path, length) == 0 && strncmp (why + length, ": ", 2) == 0)
    why += length + 2;
  clear_bar (run);
  fprintf (stderr, "%s: %s: %s\n", PROGRAM, path, why);
}

/* One report line from @worker. */
static void
handle_report (Run *run, Worker *worker, const char *line)
{
  char *rest;
  int i = -1;
  const char *space = strchr (line, ' ');

  if (g_str_has_prefix (line, "ready"))
    {
      worker->ready = TRUE;
      return;
    }
  if (g_str_has_prefix (line, "fatal "))
    {
      if (run->fatal == NULL)
        run->fatal = g_strdup (line + 6);
      return;
    }
  if (space == NULL)
    return;
  i = (int) strtol (space + 1, &rest, 10);
  if (i < 0 || i >= (int) run->jobs->len)
    return;
  if (*rest == ' ')
    rest++;

  if (g_str_has_prefix (line, "start "))
    {
      worker->job = i;
      run->state[i] = JOB_RUNNING;
      run->fraction[i] = 0.0;
      run->started[i] = g_get_monotonic_time ();
    }
  else if (g_str_has_prefix (line, "progress "))
    run->fraction[i] = g_ascii_strtod (rest, NULL);
  else if (g_str_has_prefix (line, "note "))
    {
      UpscaleJob *job = run->jobs->pdata[i];

      if (!opt_quiet)
        {
          clear_bar (run);
          fprintf (stderr, "%s: %s: note: %s\n", PROGRAM, job->input, rest);
        }
    }
  else if (g_str_has_prefix (line, "done "))
    {
      UpscaleJob *job = run->jobs->pdata[i];
      int width = 0, height = 0;
      double seconds = (g_get_monotonic_time () - run->started[i]) / 1e6;

      sscanf (rest, "%d %d", &width, &height);
      run->state[i] = JOB_DONE;
      run->done++;
      run->output_megapixels += (double) width * height / 1e6;
      worker->job = -1;
      if (!opt_quiet && !run->bar)
        printf ("[%d/%u] %s -> %s (%d×%d, %.1f s)\n", run->done + run->failed,
                run->jobs->len, job->input, job->output, width, height,
                seconds);
    }
  else if (g_str_has_prefix (line, "fail "))
    {
      run->state[i] = JOB_FAILED;
      run->failed++;
      worker->job = -1;
      print_failure (run, ((UpscaleJob *) run->jobs->pdata[i])->input, rest);
    }
  else if (g_str_has_prefix (line, "stopped "))
    {
      run->state[i] = JOB_STOPPED;
      run->stopped++;
      worker->job = -1;
    }
}

static gboolean
spawn_worker (Run *run, Worker *worker)
{
  int fds[2], err_fds[2];
  pid_t pid;

  if (pipe (fds) != 0)
    return FALSE;
  if (pipe (err_fds) != 0)
    {
      close (fds[0]);
      close (fds[1]);
      return FALSE;
    }
  fflush (stdout);
  fflush (stderr);
  pid = fork ();
  if (pid < 0)
    {
      close (fds[0]);
      close (fds[1]);
      close (err_fds[0]);
      close (err_fds[1]);
      return FALSE;
    }
  if (pid == 0)
    {
      close (fds[0]);
      close (err_fds[0]);
      /* The other workers' channels are not this one's to hold open. */
      for (int w = 0; w < run->n_workers; w++)
        {
          if (run->workers[w].fd >= 0)
            close (run->workers[w].fd);
          if (run->workers[w].err_fd >= 0)
            close (run->workers[w].err_fd);
        }
      dup2 (err_fds[1], STDERR_FILENO);
      close (err_fds[1]);
      report_fd = fds[1];
      worker_main (run->jobs, run->settings);
    }
  close (fds[1]);
  close (err_fds[1]);
  worker->pid = pid;
  worker->fd = fds[0];
  worker->err_fd = err_fds[0];
  worker->job = -1;
  worker->ready = FALSE;
  g_string_truncate (worker->pending, 0);
  g_string_truncate (worker->err_pending, 0);
  return TRUE;
}

static char *
describe_exit (int status)
{
  if (WIFSIGNALED (status))
    return g_strdup_printf ("signal %d, %s", WTERMSIG (status),
                            g_strsignal (WTERMSIG (status)));
  return g_strdup_printf ("exit status %d", WEXITSTATUS (status));
}

/* @worker's channel closed: it ended.  The job it had is failed (or
 * stopped, when the run is being stopped); a new worker takes its place
 * while jobs are left. */
static void
worker_ended (Run *run, Worker *worker)
{
  int status = 0;

  close (worker->fd);
  worker->fd = -1;
  if (worker->err_fd >= 0)
    {
      close (worker->err_fd);
      worker->err_fd = -1;
    }
  while (waitpid (worker->pid, &status, 0) < 0 && errno == EINTR)
    ;
  worker->pid = 0;

  if (worker->job >= 0)
    {
      int i = worker->job;

      worker->job = -1;
      if (stop_requested)
        {
          run->state[i] = JOB_STOPPED;
          run->stopped++;
        }
      else
        {
          char *how = describe_exit (status);
          char *why = g_strdup_printf ("the upscaler ended on this image "
                                       "(%s)",
                                       how);

          run->state[i] = JOB_FAILED;
          run->failed++;
          print_failure (run, ((UpscaleJob *) run->jobs->pdata[i])->input,
                         why);
          g_free (why);
          g_free (how);
        }
    }
  if (!worker->ready && run->fatal == NULL && !stop_requested)
    {
      char *how = describe_exit (status);

      run->fatal = g_strdup_printf ("a worker ended before it could start "
                                    "(%s)",
                                    how);
      g_free (how);
    }
  if (run->fatal == NULL && !stop_requested
      && __atomic_load_n (next_job, __ATOMIC_SEQ_CST) < (int) run->jobs->len)
    spawn_worker (run, worker);
}

/* A line a worker wrote on its standard error: said beside the bar,
 * naming the image the worker was on.  libpng's warning about the
 * background colour chunk, which GEGL's PNG saver (0.4.42) causes with
 * every 8-bit PNG, is harmless and dropped: a thousand photos would print
 * it a thousand times. */
static void
handle_error_line (Run *run, Worker *worker, const char *line)
{
  if (line[0] == '\0'
      || strstr (line, "Ignoring attempt to write 16-bit bKGD") != NULL)
    return;
  clear_bar (run);
  if (worker->job >= 0)
    fprintf (stderr, "%s: %s: %s\n", PROGRAM,
             ((UpscaleJob *) run->jobs->pdata[worker->job])->input, line);
  else
    fprintf (stderr, "%s\n", line);
}

/* Reads what @fd has into @pending and hands each whole line to @handle;
 * FALSE at the end of the stream. */
static gboolean
read_lines (Run *run, Worker *worker, int fd, GString *pending,
            void (*handle) (Run *, Worker *, const char *))
{
  char chunk[4096];
  ssize_t n = read (fd, chunk, sizeof chunk);

  if (n < 0 && errno == EINTR)
    return TRUE;
  if (n <= 0)
    return FALSE;
  g_string_append_len (pending, chunk, n);
  for (char *newline; (newline = strchr (pending->str, '\n'));)
    {
      *newline = '\0';
      handle (run, worker, pending->str);
      g_string_erase (pending, 0, newline - pending->str + 1);
    }
  return TRUE;
}

static void
read_errors (Run *run, Worker *worker)
{
  if (!read_lines (run, worker, worker->err_fd, worker->err_pending,
                   handle_error_line))
    {
      handle_error_line (run, worker, worker->err_pending->str);
      close (worker->err_fd);
      worker->err_fd = -1;
    }
}

static void
read_reports (Run *run, Worker *worker)
{
  /* What it wrote on stderr before it ended belongs to its last image. */
  while (worker->err_fd >= 0)
    {
      struct pollfd err = { worker->err_fd, POLLIN, 0 };

      if (poll (&err, 1, 0) <= 0)
        break;
      read_errors (run, worker);
    }
  if (!read_lines (run, worker, worker->fd, worker->pending, handle_report))
    worker_ended (run, worker);
}

static void
stop_workers (Run *run, int signum)
{
  for (int w = 0; w < run->n_workers; w++)
    if (run->workers[w].pid > 0)
      kill (run->workers[w].pid, signum);
}

/* Runs every job; the summary's figures end up in @run. */
static void
run_jobs (Run *run)
{
  struct pollfd *fds = g_new (struct pollfd, 2 * run->n_workers);
  int *owner = g_new (int, 2 * run->n_workers); /* fds[k] is owner[k]'s */
  gboolean stopping = FALSE;

  for (int w = 0; w < run->n_workers; w++)
    {
      run->workers[w].fd = -1;
      run->workers[w].err_fd = -1;
      run->workers[w].pending = g_string_new (NULL);
      run->workers[w].err_pending = g_string_new (NULL);
    }
  for (int w = 0; w < run->n_workers; w++)
    if (!spawn_worker (run, &run->workers[w]))
      {
        run->fatal
          = g_strdup_printf ("no worker process: %s", g_strerror (errno));
        break;
      }

  for (;;)
    {
      int n = 0;

      if ((stop_requested || run->fatal != NULL) && !stopping)
        {
          /* A signal from the terminal reached the workers already; one
           * sent to this process alone is passed on. */
          stop_workers (run, SIGTERM);
          stopping = TRUE;
        }
      for (int w = 0; w < run->n_workers; w++)
        if (run->workers[w].fd >= 0)
          {
            fds[n].fd = run->workers[w].fd;
            fds[n].events = POLLIN;
            fds[n].revents = 0;
            owner[n++] = w;
            if (run->workers[w].err_fd >= 0)
              {
                fds[n].fd = run->workers[w].err_fd;
                fds[n].events = POLLIN;
                fds[n].revents = 0;
                owner[n++] = w;
              }
          }
      if (n == 0)
        break;
      draw_bar (run, FALSE);
      if (poll (fds, n, 200) <= 0)
        continue;
      for (int k = 0; k < n; k++)
        {
          Worker *worker = &run->workers[owner[k]];

          if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
          /* An earlier fd of this round may have ended the worker, or
           * ended it and started the next in its place. */
          if (fds[k].fd == worker->err_fd)
            read_errors (run, worker);
          else if (fds[k].fd == worker->fd)
            read_reports (run, worker);
        }
    }
  draw_bar (run, TRUE);
  clear_bar (run);
  for (int w = 0; w < run->n_workers; w++)
    {
      g_string_free (run->workers[w].pending, TRUE);
      g_string_free (run->workers[w].err_pending, TRUE);
    }
  g_free (owner);
  g_free (fds);
}

/* ------------------------------------------------------------------ */

static int
usage_error (GError **error)
{
  tool_report_error (PROGRAM, error);
  fprintf (stderr, "Try '%s --help'.\n", PROGRAM);
  return EXIT_USAGE;
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  GOptionContext *context;
  UpscaleSettings settings = { 0 };
  JobList list = { 0 };
  Run run = { 0 };
  int shard_k, shard_n, n_skipped = 0, status;
  struct sigaction action = { 0 };
  GPtrArray *todo;
  char elapsed[32];

  setlocale (LC_ALL, "");
  tool_check_stdout_at_exit (PROGRAM, EXIT_USAGE);
  context = tool_option_context_new ("INPUT… -o DIR", entries, description);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (&error);
  g_option_context_free (context);

  if (opt_inputs == NULL || opt_output == NULL)
    g_set_error (&error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "give one INPUT or more and -o DIR");
  else if (opt_depth != 0 && opt_depth != 8 && opt_depth != 16)
    g_set_error (&error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--depth %d: choose 8 or 16", opt_depth);
  else if (opt_quality < 1 || opt_quality > 100)
    g_set_error (&error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--quality %d: choose 1 to 100", opt_quality);
  else if (opt_jobs < 1 || opt_jobs > 256)
    g_set_error (&error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--jobs %d: choose 1 to 256", opt_jobs);
  else if (opt_threads < 0 || opt_threads > 1024)
    g_set_error (&error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--threads %d: choose 1 to 1024", opt_threads);
  else if (opt_overwrite && opt_skip_existing)
    g_set_error (&error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--overwrite and --skip-existing exclude each other");
  else if (!isnan (opt_alpha) && !isfinite (opt_alpha))
    g_set_error (&error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--alpha must be a number");
  if (error != NULL || !parse_format (&list.format, &error)
      || !parse_shard (&shard_k, &shard_n, &error)
      || !check_name_pattern (&error)
      || (opt_model != NULL && !tool_check_regular_file (opt_model, &error)))
    return usage_error (&error);

  list.jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) job_free);
  list.failures = g_ptr_array_new_with_free_func (g_free);
  list.output_folder_exists = g_stat (opt_output, &list.output_folder) == 0;
  if (list.output_folder_exists && !S_ISDIR (list.output_folder.st_mode))
    {
      g_set_error (&error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "-o %s: not a folder", opt_output);
      return usage_error (&error);
    }
  for (char **input = opt_inputs; *input != NULL; input++)
    if (strcmp (*input, "-") == 0)
      add_standard_input (&list);
    else
      add_input (&list, *input);
  select_jobs (&list, shard_k, shard_n);

  if (opt_list)
    {
      for (guint i = 0; i < list.jobs->len; i++)
        {
          UpscaleJob *job = list.jobs->pdata[i];

          printf ("%s\t%s\n", job->input, job->output);
        }
      for (guint i = 0; i < list.failures->len; i++)
        fprintf (stderr, "%s: %s\n", PROGRAM,
                 (char *) list.failures->pdata[i]);
      return list.failures->len > 0 ? EXIT_SOME_FAILED : 0;
    }

  /* What a previous run finished is left (its files are complete: they
   * are renamed into place only then). */
  todo = g_ptr_array_new ();
  for (guint i = 0; i < list.jobs->len; i++)
    {
      UpscaleJob *job = list.jobs->pdata[i];

      if (!opt_overwrite && g_file_test (job->output, G_FILE_TEST_EXISTS))
        n_skipped++;
      else
        g_ptr_array_add (todo, job);
    }
  for (guint i = 0; i < list.failures->len; i++)
    fprintf (stderr, "%s: %s\n", PROGRAM, (char *) list.failures->pdata[i]);

  settings.scale = opt_scale;
  settings.alpha = opt_alpha;
  settings.alpha_set = !isnan (opt_alpha);
  settings.model = opt_model;
  settings.depth = opt_depth;
  settings.quality = opt_quality;
  if (opt_threads == 0)
    opt_threads = (int) g_get_num_processors ();

  run.jobs = todo;
  run.settings = &settings;
  run.state = g_new0 (JobState, todo->len);
  run.fraction = g_new0 (double, todo->len);
  run.started = g_new0 (gint64, todo->len);
  run.bar = !opt_quiet && isatty (STDERR_FILENO);
  run.start = g_get_monotonic_time ();
  run.n_workers = MIN (opt_jobs, (int) todo->len);
  /* Fewer images than jobs: the threads go to the workers there are. */
  settings.threads = MAX (1, opt_threads / MAX (run.n_workers, 1));
  run.workers = g_new0 (Worker, MAX (run.n_workers, 1));
  next_job = mmap (NULL, sizeof *next_job, PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (next_job == MAP_FAILED)
    {
      fprintf (stderr, "%s: %s\n", PROGRAM, g_strerror (errno));
      return EXIT_USAGE;
    }
  *next_job = 0;

  action.sa_handler = on_stop_signal;
  sigaction (SIGINT, &action, NULL);
  sigaction (SIGTERM, &action, NULL);
  sigaction (SIGHUP, &action, NULL);
  if (todo->len > 0)
    run_jobs (&run);

  for (guint i = 0; i < todo->len; i++)
    if (run.state[i] == JOB_WAITING && run.fatal == NULL && !stop_requested)
      {
        /* Taken by a worker that ended before it said so. */
        run.failed++;
        print_failure (&run, ((UpscaleJob *) todo->pdata[i])->input,
                       "not made (its worker ended)");
      }
  if (run.fatal != NULL)
    {
      fprintf (stderr, "%s: %s\n", PROGRAM, run.fatal);
      return EXIT_USAGE;
    }

  format_duration ((g_get_monotonic_time () - run.start) / 1e6, elapsed,
                   sizeof elapsed);
  if (!opt_quiet)
    {
      printf ("%s: %d made, %d already there, %d failed", PROGRAM, run.done,
              n_skipped, run.failed + (int) list.failures->len);
      if (stop_requested)
        printf (", %d not made: interrupted (run the same command again to "
                "go on)",
                (int) todo->len - run.done - run.failed);
      printf (" in %s (%.2f output MP/s)\n", elapsed,
              run.output_megapixels
                / MAX ((g_get_monotonic_time () - run.start) / 1e6, 1e-3));
    }
  status = stop_requested                        ? EXIT_INTERRUPTED
           : run.failed + list.failures->len > 0 ? EXIT_SOME_FAILED
                                                 : 0;
  g_free (run.state);
  g_free (run.fraction);
  g_free (run.started);
  g_free (run.workers);
  g_ptr_array_unref (todo);
  g_ptr_array_unref (list.failures);
  g_ptr_array_unref (list.jobs);
  return status;
}
