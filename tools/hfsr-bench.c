/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-bench [--threads N] [--runs R] [--warmup W] [--tile T] [--json]
 *            [--paced] [--input FILE --output FILE] MODEL SIZE...
 * hfsr-bench --peak [--threads N] [--json]
 *
 * Times the engine as the evaluation protocol asks (docs/design.md, 9): for each
 * SIZE (WxH or N for N x N input pixels) a random image with a fixed seed,
 * or the raw image of --input, run through hfsr_model_run_region over the
 * whole output with the engine's own threads, W warm-up runs then R timed
 * ones.  Prints a Markdown table (or one JSON object per size with --json,
 * for bench/compare.py): median and minimum wall time, output megapixels per
 * second, "direct-convolution" GFLOP/s (2 x the model's conv MACs per input
 * pixel x input pixels / median) and the engine's peak scratch memory.
 * --paced lets another program interleave engines run by run (as
 * bench/ort-run.mjs does for ONNX Runtime): after the warm-up it prints
 * {"ready": true}, then times one run per line read on standard input and
 * answers each with {"seconds": S}; at the end of input it writes --output
 * and prints the JSON summary.
 * --peak instead measures the multiply-add peak of each kernel path's
 * vector width on this CPU (fma-peak.c), the ceiling its times are read
 * against.
 * Exit status 2 on bad arguments, 1 when the model or a file fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fma-peak.h"
#include "hfsr.h"
#include "tool-util.h"

/* Larger sides make the size maths of an image view overflow long before
 * memory runs out; 2^20 is far beyond any benchmark. */
#define MAX_SIDE (1 << 20)
#define RANDOM_SEED 1

typedef struct
{
  int width;
  int height;
} Size;

typedef struct
{
  int threads;
  int runs;
  int warmup;
  int tile;
  gboolean json;
  gboolean paced;          /* one timed run per line of stdin */
  gboolean peak;           /* --peak: no model, the CPU's ceilings */
  const char *input_path;  /* raw float32 planes (CHW), or NULL */
  const char *output_path; /* where the last run's output goes, or NULL */
} Settings;

typedef struct
{
  double median;
  double min;
  GArray *seconds; /* of double, one per timed run */
  gsize scratch;   /* peak bytes above what was held before the runs */
} Timing;

/* ------------------------------------------------------------ arguments */

static gboolean
parse_side (const char *text, const char *end, int *side)
{
  gint64 value = 0;

  if (text == end)
    return FALSE;
  for (const char *p = text; p < end; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (*p - '0');
      if (value > MAX_SIDE)
        return FALSE;
    }
  *side = (int) value;
  return value >= 1;
}

static gboolean
parse_size (const char *text, Size *size, GError **error)
{
  const char *x = strchr (text, 'x');
  const char *end = text + strlen (text);
  gboolean ok;

  if (x == NULL)
    {
      ok = parse_side (text, end, &size->width);
      size->height = size->width;
    }
  else
    ok = parse_side (text, x, &size->width)
         && parse_side (x + 1, end, &size->height);
  if (!ok)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "size '%s' is not WxH or N with sides 1 to %d", text,
                 MAX_SIDE);
  return ok;
}

static gboolean
check_settings (const Settings *settings, int n_sizes, GError **error)
{
  if (settings->threads < 1 || settings->threads > 1024)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--threads must be 1 to 1024 (got %d)", settings->threads);
  else if (settings->runs < 1 || settings->runs > 100000)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--runs must be 1 to 100000 (got %d)", settings->runs);
  else if (settings->warmup < 0 || settings->warmup > 100000)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--warmup must be 0 to 100000 (got %d)", settings->warmup);
  else if (settings->tile < 0)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--tile must be 0 (the engine's default) or more (got %d)",
                 settings->tile);
  else if (settings->peak
           && (n_sizes >= 0 || settings->paced || settings->input_path != NULL
               || settings->output_path != NULL))
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--peak takes no MODEL, SIZE, --paced, --input or --output");
  else if (settings->peak)
    return TRUE;
  else if (n_sizes < 1)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "give a MODEL and at least one SIZE");
  else if ((settings->input_path != NULL || settings->output_path != NULL
            || settings->paced)
           && n_sizes != 1)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "--input, --output and --paced take exactly one SIZE "
                 "(got %d)",
                 n_sizes);
  else
    return TRUE;
  return FALSE;
}

/* --------------------------------------------------------------- images */

/* An interleaved view of @size pixels of @channels floats, or FALSE with
 * HFSR_ERROR_NO_MEMORY naming @what. */
static gboolean
view_init (HfsrImageView *view, int channels, int width, int height,
           const char *what, GError **error)
{
  gsize rowstride, n;

  view->channels = channels;
  view->rect = (HfsrRect) { 0, 0, width, height };
  view->data = NULL;
  if (!g_size_checked_mul (&rowstride, (gsize) width, (gsize) channels)
      || !g_size_checked_mul (&n, rowstride, (gsize) height)
      || n > G_MAXSIZE / sizeof (float)
      || (view->data = g_try_new (float, n)) == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "no memory for the %dx%d %s image (%d channels)", width,
                   height, what, channels);
      return FALSE;
    }
  view->rowstride = rowstride;
  return TRUE;
}

static gsize
view_floats (const HfsrImageView *view)
{
  return view->rowstride * (gsize) view->rect.height;
}

static void
fill_random (HfsrImageView *view)
{
  GRand *rand = g_rand_new_with_seed (RANDOM_SEED);
  gsize n = view_floats (view);

  for (gsize i = 0; i < n; i++)
    view->data[i] = (float) g_rand_double (rand);
  g_rand_free (rand);
}

/* Raw little-endian float32 planes (C, H, W: what PyTorch and ONNX Runtime
 * hold) to or from the interleaved view. */
static void
planes_to_view (const float *planes, HfsrImageView *view)
{
  gsize plane = (gsize) view->rect.width * view->rect.height;

  for (gsize i = 0; i < plane; i++)
    for (int c = 0; c < view->channels; c++)
      view->data[i * view->channels + c] = planes[c * plane + i];
}

static void
view_to_planes (const HfsrImageView *view, float *planes)
{
  gsize plane = (gsize) view->rect.width * view->rect.height;

  for (gsize i = 0; i < plane; i++)
    for (int c = 0; c < view->channels; c++)
      planes[c * plane + i] = view->data[i * view->channels + c];
}

static gboolean
read_planes (const char *path, HfsrImageView *view, GError **error)
{
  char *contents = NULL;
  gsize length, expected = view_floats (view) * sizeof (float);

  if (G_BYTE_ORDER != G_LITTLE_ENDIAN)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_IO,
                   "%s: raw float32 files are read on little-endian "
                   "machines only",
                   path);
      return FALSE;
    }
  if (!g_file_get_contents (path, &contents, &length, error))
    return FALSE;
  if (length != expected)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: %" G_GSIZE_FORMAT " bytes, but %d planes of %dx%d "
                   "float32 are %" G_GSIZE_FORMAT,
                   path, length, view->channels, view->rect.width,
                   view->rect.height, expected);
      g_free (contents);
      return FALSE;
    }
  planes_to_view ((const float *) contents, view);
  g_free (contents);
  return TRUE;
}

static gboolean
write_planes (const char *path, const HfsrImageView *view, GError **error)
{
  gsize n = view_floats (view);
  float *planes = g_try_new (float, n);
  gboolean ok;

  if (planes == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "%s: no memory to write the output", path);
      return FALSE;
    }
  view_to_planes (view, planes);
  ok = g_file_set_contents (path, (const char *) planes,
                            (gssize) (n * sizeof (float)), error);
  g_free (planes);
  return ok;
}

/* ---------------------------------------------------------------- timing */

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Waits for the next line on stdin; FALSE at the end of input. */
static gboolean
next_paced_run (void)
{
  int c;

  while ((c = getchar ()) != EOF)
    if (c == '\n')
      return TRUE;
  return FALSE;
}

static gboolean
time_runs (const HfsrModel *model, const Settings *settings,
           const HfsrImageView *input, const HfsrImageView *output,
           Timing *timing, GError **error)
{
  HfsrRunOptions options = { settings->threads, HFSR_KERNEL_AUTO };
  double *sorted;
  gsize before;
  guint n;

  for (int i = 0; i < settings->warmup; i++)
    if (!hfsr_model_run_region (model, input, &input->rect, output,
                                settings->tile, &options, NULL, NULL, error))
      return FALSE;
  if (settings->paced)
    {
      printf ("{\"ready\": true}\n");
      fflush (stdout);
    }

  before = hfsr_memory_current_bytes ();
  hfsr_memory_reset_peak ();
  for (int i = 0; settings->paced ? next_paced_run () : i < settings->runs;
       i++)
    {
      gint64 start = g_get_monotonic_time ();
      double seconds;

      if (!hfsr_model_run_region (model, input, &input->rect, output,
                                  settings->tile, &options, NULL, NULL, error))
        return FALSE;
      seconds = (g_get_monotonic_time () - start) / 1e6;
      g_array_append_val (timing->seconds, seconds);
      if (settings->paced)
        {
          printf ("{\"seconds\": %.9g}\n", seconds);
          fflush (stdout);
        }
    }
  timing->scratch = hfsr_memory_peak_bytes () - before;

  n = timing->seconds->len;
  if (n == 0)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "--paced: no run was asked for on standard input");
      return FALSE;
    }
  sorted = g_memdup2 (timing->seconds->data, n * sizeof (double));
  qsort (sorted, n, sizeof (double), compare_doubles);
  timing->min = sorted[0];
  timing->median
    = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  g_free (sorted);
  return TRUE;
}

/* --------------------------------------------------------------- report */

/* The first "model name" of /proc/cpuinfo. */
static char *
cpu_model (void)
{
  char *contents = NULL;
  char *name = NULL;
  char **lines;

  if (!g_file_get_contents ("/proc/cpuinfo", &contents, NULL, NULL))
    return g_strdup ("unknown");
  lines = g_strsplit (contents, "\n", -1);
  for (char **l = lines; *l != NULL && name == NULL; l++)
    {
      char *colon = strchr (*l, ':');

      if (g_str_has_prefix (*l, "model name") && colon != NULL)
        name = g_strstrip (g_strdup (colon + 1));
    }
  g_strfreev (lines);
  g_free (contents);
  return name != NULL ? name : g_strdup ("unknown");
}

/* The lines every figure is recorded with: the CPU, and the OpenBLAS
 * setting that changes the blas path's speed. */
static void
print_machine (void)
{
  char *cpu = cpu_model ();
  const char *coretype = g_getenv ("OPENBLAS_CORETYPE");

  printf ("- CPU: %s\n", cpu);
  printf ("- OPENBLAS_CORETYPE: %s\n", coretype ? coretype : "unset");
  g_free (cpu);
}

static void
print_header (const HfsrModel *model, const char *path,
              const Settings *settings)
{
  printf ("- model: %s\n", path);
  printf ("- conv MACs per input pixel: %.0f\n",
          hfsr_model_get_conv_macs (model));
  printf ("- threads: %d\n", settings->threads);
  print_machine ();
  if (settings->tile > 0)
    printf ("- tile: %d output pixels\n", settings->tile);
  else
    printf ("- tile: the engine's default\n");
  printf ("- runs: %d timed after %d warm-up\n\n", settings->runs,
          settings->warmup);
  printf ("| input | output | median s | min s | output MP/s | GFLOP/s "
          "| peak scratch MB |\n");
  printf ("|---|---|---:|---:|---:|---:|---:|\n");
}

static void
print_result (const HfsrModel *model, const Settings *settings,
              const HfsrImageView *input, const HfsrImageView *output,
              const Timing *timing)
{
  double in_pixels = (double) input->rect.width * input->rect.height;
  double out_pixels = (double) output->rect.width * output->rect.height;
  double mp_per_s = out_pixels / timing->median / 1e6;
  double gflops = 2.0 * hfsr_model_get_conv_macs (model) * in_pixels
                  / timing->median / 1e9;

  if (settings->json || settings->paced)
    {
      printf (
        "{\"input\": [%d, %d], \"output\": [%d, %d], \"threads\": %d, "
        "\"median_s\": %.9g, \"min_s\": %.9g, \"output_mp_per_s\": "
        "%.9g, \"gflop_per_s\": %.9g, \"peak_scratch_bytes\": %" G_GSIZE_FORMAT
        ", \"seconds\": [",
        input->rect.width, input->rect.height, output->rect.width,
        output->rect.height, settings->threads, timing->median, timing->min,
        mp_per_s, gflops, timing->scratch);
      for (guint i = 0; i < timing->seconds->len; i++)
        printf ("%s%.9g", i ? ", " : "",
                g_array_index (timing->seconds, double, i));
      printf ("]}\n");
    }
  else
    printf ("| %dx%d | %dx%d | %.4f | %.4f | %.3f | %.2f | %.1f |\n",
            input->rect.width, input->rect.height, output->rect.width,
            output->rect.height, timing->median, timing->min, mp_per_s, gflops,
            timing->scratch / 1e6);
  fflush (stdout);
}

/* ----------------------------------------------------------------- main */

static gboolean
bench_size (const HfsrModel *model, const Settings *settings, const Size *size,
            GError **error)
{
  int s = hfsr_model_get_scale (model);
  HfsrImageView input = { 0 }, output = { 0 };
  Timing timing = { 0 };
  gboolean ok = FALSE;

  if ((gint64) size->width * s > G_MAXINT
      || (gint64) size->height * s > G_MAXINT)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%dx%d times %d is too large", size->width, size->height,
                   s);
      return FALSE;
    }
  if (!view_init (&input, hfsr_model_get_input_channels (model), size->width,
                  size->height, "input", error)
      || !view_init (&output, hfsr_model_get_output_channels (model, 0),
                     size->width * s, size->height * s, "output", error))
    goto out;
  if (settings->input_path != NULL)
    {
      if (!read_planes (settings->input_path, &input, error))
        goto out;
    }
  else
    fill_random (&input);

  timing.seconds = g_array_new (FALSE, FALSE, sizeof (double));
  if (!time_runs (model, settings, &input, &output, &timing, error))
    goto out;
  if (settings->output_path != NULL
      && !write_planes (settings->output_path, &output, error))
    goto out;
  print_result (model, settings, &input, &output, &timing);
  ok = TRUE;

out:
  if (timing.seconds != NULL)
    g_array_free (timing.seconds, TRUE);
  g_free (output.data);
  g_free (input.data);
  return ok;
}

/* Bad arguments: the message and the usage, exit status 2. */
static void
usage_error (GOptionContext *context, GError **error)
{
  char *help = g_option_context_get_help (context, TRUE, NULL);

  fprintf (stderr, "hfsr-bench: %s\n\n%s", (*error)->message, help);
  g_free (help);
  g_clear_error (error);
}

/* The options, read into @settings and the strings main frees; GOption
 * keeps its own copy of the entries, not of what they point to. */
static GOptionContext *
options_context (Settings *settings, char **input_path, char **output_path,
                 char ***arguments)
{
  const GOptionEntry entries[]
    = { { "threads", 't', 0, G_OPTION_ARG_INT, &settings->threads,
          "Engine threads (default: every processor)", "N" },
        { "runs", 'r', 0, G_OPTION_ARG_INT, &settings->runs,
          "Timed runs per size (default 5)", "R" },
        { "warmup", 'w', 0, G_OPTION_ARG_INT, &settings->warmup,
          "Untimed runs before them (default 1)", "W" },
        { "tile", 0, 0, G_OPTION_ARG_INT, &settings->tile,
          "Output tile side in pixels (default 0: the engine's)", "T" },
        { "json", 0, 0, G_OPTION_ARG_NONE, &settings->json,
          "One JSON object per size, with every run's seconds, instead of the "
          "table",
          NULL },
        { "paced", 0, 0, G_OPTION_ARG_NONE, &settings->paced,
          "Time one run per line read on standard input, answering each with "
          "its seconds (JSON lines; for bench/compare.py); one SIZE only",
          NULL },
        { "peak", 0, 0, G_OPTION_ARG_NONE, &settings->peak,
          "Instead of timing a model, measure the multiply-add peak of each "
          "kernel path's vector width on this CPU (N threads at once)",
          NULL },
        { "input", 0, 0, G_OPTION_ARG_FILENAME, input_path,
          "Read the input from raw float32 planes (C x H x W, little-endian) "
          "instead of a random image; one SIZE only",
          "FILE" },
        { "output", 0, 0, G_OPTION_ARG_FILENAME, output_path,
          "Write the output of the last run there, in the same layout",
          "FILE" },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, arguments,
          NULL, "MODEL SIZE..." },
        { NULL } };

  return tool_option_context_new (
    "- time the engine on images of each "
    "SIZE",
    entries,
    "SIZE is WxH or N (N x N), in input pixels.  Prints a Markdown table "
    "of\nmedian and minimum seconds, output megapixels per second, "
    "direct-convolution\nGFLOP/s and the engine's peak scratch memory.  "
    "Exit status 2 on bad\narguments, 1 when the model or a file fails.\n");
}

/* The SIZE arguments after the MODEL in @arguments, once @settings are
 * found sound for their number (@n_sizes); NULL with @error otherwise. */
static Size *
parse_sizes (char **arguments, const Settings *settings, int *n_sizes,
             GError **error)
{
  Size *sizes;

  *n_sizes = arguments ? (int) g_strv_length (arguments) - 1 : -1;
  if (!check_settings (settings, *n_sizes, error))
    return NULL;
  if (settings->peak)
    return g_new0 (Size, 1);
  sizes = g_new (Size, (*n_sizes));
  for (int i = 0; i < *n_sizes; i++)
    if (!parse_size (arguments[i + 1], &sizes[i], error))
      {
        g_free (sizes);
        return NULL;
      }
  return sizes;
}

int
main (int argc, char **argv)
{
  Settings settings
    = { g_get_num_processors (), 5, 1, 0, FALSE, FALSE, FALSE, NULL, NULL };
  char *input_path = NULL, *output_path = NULL;
  char **arguments = NULL;
  GError *error = NULL;
  GOptionContext *context;
  HfsrModel *model = NULL;
  Size *sizes = NULL;
  int n_sizes = 0, status = 2;

  tool_check_stdout_at_exit ("hfsr-bench", 1);
  context = options_context (&settings, &input_path, &output_path, &arguments);
  if (g_option_context_parse (context, &argc, &argv, &error))
    {
      settings.input_path = input_path;
      settings.output_path = output_path;
      sizes = parse_sizes (arguments, &settings, &n_sizes, &error);
    }
  if (sizes == NULL)
    {
      usage_error (context, &error);
      goto out;
    }

  if (settings.peak)
    {
      if (!settings.json)
        print_machine ();
      fma_peak_print (settings.threads, settings.json);
      status = 0;
      goto out;
    }
  status = 1;
  model = hfsr_model_load (arguments[0], &error);
  if (model == NULL)
    goto out;
  if (!settings.json && !settings.paced)
    print_header (model, arguments[0], &settings);
  for (int i = 0; i < n_sizes; i++)
    if (!bench_size (model, &settings, &sizes[i], &error))
      goto out;
  status = 0;

out:
  tool_report_error ("hfsr-bench", &error);
  hfsr_model_free (model);
  g_free (sizes);
  g_strfreev (arguments);
  g_free (output_path);
  g_free (input_path);
  g_option_context_free (context);
  return status;
}
