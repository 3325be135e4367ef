/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-sr2-eval: Schirrmacher et al.'s Table 1 and Fig. 4 for the shipped
 * SR² networks — SSIM of the upscale and accuracy of the class on digits
 * degraded as in training (Gaussian blur sigma = scale / 2, block mean),
 * with Gaussian noise of several variances added to the LR input — and the
 * same on a grid of other degradations (sr2-degrade.h).
 */
#include "hfsr-config.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "idx.h"
#include "sr2-degrade.h"
#include "tool-image.h"
#include "tool-util.h"

#define PROGRAM "hfsr-sr2-eval"
#define SIDE SR2_SIDE
#define CELL 20 /* OpenCV's digits.png cells */
#define CELLS_PER_CLASS 500

typedef struct
{
  const char *name;
  const char *arch; /* NULL: bicubic */
  int shared;
  double lambda;
  const char *about;
} Method;

static const Method methods_known[] = {
  { "bicubic", NULL, 0, 0.0, "MATLAB bicubic upscale (SSIM only)" },
  { "fsrcnn", "fsrcnn", 1, 0.0,
    "FSRCNN alone (lambda 0); its class: a classifier trained on its frozen "
    "first layer" },
  { "sequential", "sequential", 1, 0.11,
    "FSRCNN, then the classifier on its upscale (lambda 0.11)" },
  { "sr2-fsrcnn", "fsrcnn", 1, 9.0, "SR²-FSRCNN, lambda 9" },
  { "sr2-fsrcnn-noisy", "fsrcnn-noisy", 1, 9.0,
    "SR²-FSRCNN trained on noisy digits too, lambda 9" },
  { "sr2-wdsr1", "wdsr", 1, 9.0, "SR²-WDSR, 1 shared block, lambda 9" },
  { "sr2-wdsr4", "wdsr", 4, 9.0, "SR²-WDSR, 4 shared blocks, lambda 9" },
};

typedef struct
{
  int count;
  guint8 *pixels; /* count x SIDE x SIDE */
  guint8 *labels;
} Digits;

/* ------------------------------------------------------------ reading */

/* MNIST's file @stem in @folder, or its .gz when only that is there
 * (g_free). */
static char *
mnist_path (const char *folder, const char *stem)
{
  char *plain = g_build_filename (folder, stem, NULL);
  char *packed;

  if (g_file_test (plain, G_FILE_TEST_EXISTS))
    return plain;
  packed = g_strconcat (plain, ".gz", NULL);
  g_free (plain);
  return packed;
}

static gboolean
load_mnist_test (const char *folder, Digits *digits, GError **error)
{
  guint32 image_shape[3], label_shape[1];
  char *images = mnist_path (folder, "t10k-images-idx3-ubyte");
  char *labels = mnist_path (folder, "t10k-labels-idx1-ubyte");
  gboolean read;

  digits->pixels = idx_load (images, 3, image_shape, error);
  digits->labels
    = digits->pixels != NULL ? idx_load (labels, 1, label_shape, error) : NULL;
  /* A label beyond 9 would be scored as a class no network has. */
  read = digits->labels != NULL
         && idx_check_labels (digits->labels, label_shape[0], 10, error);
  if (digits->labels != NULL && !read)
    g_prefix_error (error, "%s: ", labels);
  g_free (images);
  g_free (labels);
  if (!read)
    return FALSE;
  if (image_shape[1] != SIDE || image_shape[2] != SIDE
      || label_shape[0] != image_shape[0])
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s: %u images of %u x %u and %u labels; 28 x 28 digits "
                   "with one label each are needed",
                   folder, image_shape[0], image_shape[1], image_shape[2],
                   label_shape[0]);
      return FALSE;
    }
  /* Scores are means over the digits. */
  if (image_shape[0] == 0)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s: the test set holds no digits", folder);
      return FALSE;
    }
  /* At most IDX_MAX_BYTES / (28 x 28) digits: an int. */
  digits->count = (int) image_shape[0];
  return TRUE;
}

/* OpenCV's digits.png: 20 x 20 cells, 500 of each class in order, row by
 * row; each cell centred in a 28 x 28 black square, as MNIST centres its
 * 20 x 20 digits. */
static gboolean
load_opencv_digits (const char *path, Digits *digits, GError **error)
{
  HfsrTensor *rgb = tool_load_image (path, error);
  float *grey = rgb ? tool_grey_of (rgb, error) : NULL;
  int columns, rows, pad = (SIDE - CELL) / 2;

  if (grey == NULL)
    {
      hfsr_tensor_free (rgb);
      return FALSE;
    }
  columns = rgb->width / CELL;
  rows = rgb->height / CELL;
  if (columns * rows % (10 * CELLS_PER_CLASS) != 0 || columns * rows == 0)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s: %d x %d cells of 20 x 20; OpenCV's digits.png holds "
                   "500 of each of the 10 classes",
                   path, columns, rows);
      g_free (grey);
      hfsr_tensor_free (rgb);
      return FALSE;
    }
  digits->count = columns * rows;
  digits->pixels = g_new0 (guint8, ((gsize) digits->count * SIDE * SIDE));
  digits->labels = g_new (guint8, digits->count);
  for (int i = 0; i < digits->count; i++)
    {
      int x0 = i % columns * CELL, y0 = i / columns * CELL;

      digits->labels[i] = (guint8) (i / (digits->count / 10));
      for (int y = 0; y < CELL; y++)
        for (int x = 0; x < CELL; x++)
          digits->pixels[(gsize) i * SIDE * SIDE + (y + pad) * SIDE + x + pad]
            = (guint8) lrint (
              255.0
              * CLAMP (grey[(gsize) (y0 + y) * rgb->width + x0 + x], 0.0f,
                       1.0f));
    }
  g_free (grey);
  hfsr_tensor_free (rgb);
  return TRUE;
}

/* --------------------------------------------------------- evaluating */

/* Adds Gaussian noise of @variance (Box-Muller from @rand). */
static void
add_noise (float *plane, int n, double variance, GRand *rand)
{
  double sd = sqrt (variance);

  for (int i = 0; i < n; i += 2)
    {
      double u = 1.0 - g_rand_double (rand), v = g_rand_double (rand);
      double r = sqrt (-2.0 * log (u));

      plane[i] += (float) (sd * r * cos (2.0 * G_PI * v));
      if (i + 1 < n)
        plane[i + 1] += (float) (sd * r * sin (2.0 * G_PI * v));
    }
}

typedef struct
{
  double ssim_sum;
  int correct;
} Score;

/* The upscale of @lr by @model (bicubic when NULL), clamped to [0, 1],
 * scored against @hr; the class against @label. */
static gboolean
score_digit (const HfsrModel *model, const float *lr, int scale,
             const float *hr, int label, Score *score, GError **error)
{
  int side = SIDE / scale;
  float up[SIDE * SIDE];
  double ssim;
  gboolean ok = TRUE;

  if (model == NULL)
    ok = hfsr_imresize (lr, 1, side, side, SIDE, SIDE, up, error);
  else
    {
      HfsrTensor *input = hfsr_tensor_new (1, side, side, error);
      int n = hfsr_model_get_n_outputs (model);
      HfsrTensor **outputs = g_new0 (HfsrTensor *, n);
      int classes = hfsr_model_get_n_classes (model), best = 0;

      ok = input != NULL;
      if (ok)
        {
          memcpy (input->data, lr, sizeof (float) * side * side);
          ok = hfsr_model_forward (model, input, outputs, NULL, error);
        }
      for (int c = 1; ok && c < classes; c++)
        {
          const HfsrTensor *p = NULL;

          for (int i = 1; i < n; i++)
            if (strcmp (hfsr_model_get_output_name (model, i), "class") == 0)
              p = outputs[i];
          if (p->data[c] > p->data[best])
            best = c;
        }
      if (ok)
        {
          memcpy (up, outputs[0]->data, sizeof up);
          score->correct += best == label;
        }
      for (int i = 0; i < n; i++)
        hfsr_tensor_free (outputs[i]);
      g_free (outputs);
      hfsr_tensor_free (input);
    }
  for (int i = 0; ok && i < SIDE * SIDE; i++)
    up[i] = CLAMP (up[i], 0.0f, 1.0f);
  if (ok && !hfsr_ssim (up, hr, SIDE, SIDE, 0, 1.0, &ssim, error))
    ok = FALSE;
  if (ok)
    score->ssim_sum += ssim;
  return ok;
}

static gboolean
parse_list (const char *text, double **values, int *n, GError **error)
{
  char **words = g_strsplit (text, ",", -1);

  *n = (int) g_strv_length (words);
  *values = g_new (double, (MAX (*n, 1)));
  for (int i = 0; i < *n; i++)
    {
      char *end;

      (*values)[i] = g_ascii_strtod (words[i], &end);
      if (end == words[i] || *end != '\0' || !((*values)[i] >= 0.0))
        {
          g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                       "--noise: '%s' is not a variance >= 0", words[i]);
          g_strfreev (words);
          return FALSE;
        }
    }
  g_strfreev (words);
  return *n > 0;
}

/* Every method's name, joined by @separator: the default list, and what
 * the help and the errors offer.  Free with g_free. */
static char *
known_method_names (const char *separator)
{
  const char *names[G_N_ELEMENTS (methods_known) + 1] = { NULL };

  for (guint k = 0; k < G_N_ELEMENTS (methods_known); k++)
    names[k] = methods_known[k].name;
  return g_strjoinv (separator, (char **) names);
}

static const Method *
find_method (const char *name, GError **error)
{
  char *known;

  for (guint k = 0; k < G_N_ELEMENTS (methods_known); k++)
    if (strcmp (name, methods_known[k].name) == 0)
      return &methods_known[k];
  known = known_method_names (", ");
  g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
               "unknown method '%s' (%s)", name, known);
  g_free (known);
  return NULL;
}

/* The method of each of @method_names, and its network (NULL for
 * bicubic), all loaded before the first digit is scored. */
static gboolean
load_methods (char **method_names, int n_methods, int scale,
              const Method **methods, HfsrModel **models, GError **error)
{
  gboolean ok = TRUE;

  for (int m = 0; ok && m < n_methods; m++)
    {
      methods[m] = find_method (method_names[m], error);
      ok = methods[m] != NULL;
      if (ok && methods[m]->arch != NULL)
        {
          models[m] = hfsr_model_load_structure_sr (
            NULL, scale, methods[m]->arch, methods[m]->shared,
            methods[m]->lambda, error);
          ok = models[m] != NULL;
        }
    }
  return ok;
}

/* The Markdown table of @scores (method by noise, summed over @count
 * digits) and what each method is; bicubic has no class to score. */
static void
print_table (const Method **methods, HfsrModel **models, int n_methods,
             const double *noise, int n_noise, const Score *scores, int count)
{
  printf ("| method |");
  for (int v = 0; v < n_noise; v++)
    printf (" SSIM σ²=%g | acc. σ²=%g |", noise[v], noise[v]);
  printf ("\n|---|");
  for (int v = 0; v < n_noise; v++)
    printf ("---:|---:|");
  printf ("\n");
  for (int m = 0; m < n_methods; m++)
    {
      printf ("| %s |", methods[m]->name);
      for (int v = 0; v < n_noise; v++)
        {
          const Score *s = &scores[m * n_noise + v];

          printf (" %.4f |", s->ssim_sum / count);
          if (models[m] != NULL)
            printf (" %.2f %% |", 100.0 * s->correct / count);
          else
            printf (" — |");
        }
      printf ("\n");
    }
}

/* What @d does at @scale, for the heading of its table. */
static void
print_degradation (const Sr2Degradation *d, int scale)
{
  printf ("### %s: ", d->name);
  switch (d->kind)
    {
    case SR2_DEGRADE_MEAN:
    case SR2_DEGRADE_POINT:
      if (d->value > 0.0)
        printf ("Gaussian blur sigma %g, ", d->value * scale);
      else
        printf ("no blur, ");
      if (d->kind == SR2_DEGRADE_MEAN)
        printf ("%dx%d block mean", scale, scale);
      else
        printf ("point sampling (pixel %d, %d of each block)", scale / 2,
                scale / 2);
      break;
    case SR2_DEGRADE_BICUBIC:
      printf ("MATLAB's antialiased bicubic downscale");
      break;
    case SR2_DEGRADE_SHIFT:
      printf ("moved %g LR px right and down (bilinear), then train",
              d->value);
      break;
    case SR2_DEGRADE_WARP:
      printf ("shifted up to 3 px and rotated up to 10 degrees per digit, "
              "then train");
      break;
    case SR2_DEGRADE_JPEG:
      printf ("train, 8 bits, greyscale JPEG quality %g", d->value);
      break;
    }
  printf ("\n\n");
}

/* @lr (@side², before the noise) as the grey PNG DIR/NAME-INDEX.png, the
 * name's colon a dash: what a degradation looks like, and what the tests
 * compare with the training code's degradations. */
static gboolean
save_lr (const char *folder, const Sr2Degradation *d, gsize index,
         const float *lr, int side, GError **error)
{
  HfsrTensor *image = hfsr_tensor_new (3, side, side, error);
  char *name, *path;
  gboolean ok;

  if (image == NULL)
    return FALSE;
  for (int c = 0; c < 3; c++)
    memcpy (image->data + (gsize) c * side * side, lr,
            sizeof (float) * side * side);
  name = g_strdup_printf ("%s-%05" G_GSIZE_FORMAT ".png", d->name, index);
  g_strdelimit (name, ":", '-');
  path = g_build_filename (folder, name, NULL);
  ok = tool_save_png (image, path, NULL, error);
  g_free (path);
  g_free (name);
  hfsr_tensor_free (image);
  return ok;
}

static gboolean
evaluate (const Digits *digits, int scale, int count,
          const Sr2Degradation *degradations, int n_degradations,
          const double *noise, int n_noise, char **method_names, guint32 seed,
          const char *save_dir, GError **error)
{
  int n_methods = (int) g_strv_length (method_names);
  const Method **methods = g_new0 (const Method *, n_methods);
  HfsrModel **models = g_new0 (HfsrModel *, n_methods);
  gsize per_degradation = (gsize) n_methods * n_noise;
  Score *scores = g_new0 (Score, per_degradation * n_degradations);
  gboolean ok;
  int side = SIDE / scale;

  ok = load_methods (method_names, n_methods, scale, methods, models, error);
  for (int d = 0; ok && d < count; d++)
    {
      float digit[SIDE * SIDE], hr[SIDE * SIDE], clean[SIDE * SIDE],
        lr[SIDE * SIDE];
      /* A subset spreads over the whole set: digits.png is in class order. */
      gsize pick = (gsize) d * digits->count / count;

      for (int i = 0; i < SIDE * SIDE; i++)
        digit[i] = digits->pixels[pick * SIDE * SIDE + i] / 255.0f;
      for (int g = 0; ok && g < n_degradations; g++)
        {
          Score *table = &scores[g * per_degradation];

          ok = sr2_degrade (&degradations[g], digit, scale, seed,
                            (guint32) pick, hr, clean, error);
          if (ok && save_dir != NULL)
            ok
              = save_lr (save_dir, &degradations[g], pick, clean, side, error);
          for (int v = 0; ok && v < n_noise; v++)
            {
              /* the same noise for every method */
              GRand *rand = g_rand_new_with_seed_array (
                (const guint32[]) { seed, (guint32) pick, (guint32) v }, 3);

              memcpy (lr, clean, sizeof (float) * side * side);
              add_noise (lr, side * side, noise[v], rand);
              g_rand_free (rand);
              for (int m = 0; ok && m < n_methods; m++)
                ok = score_digit (models[m], lr, scale, hr,
                                  digits->labels[pick],
                                  &table[m * n_noise + v], error);
            }
        }
      if (ok && (d + 1) % 500 == 0)
        fprintf (stderr, PROGRAM ": %d / %d digits\n", d + 1, count);
    }
  for (int g = 0; ok && g < n_degradations; g++)
    {
      print_degradation (&degradations[g], scale);
      print_table (methods, models, n_methods, noise, n_noise,
                   &scores[g * per_degradation], count);
      printf ("\n");
    }
  if (ok)
    for (int m = 0; m < n_methods; m++)
      printf ("- %s: %s\n", methods[m]->name, methods[m]->about);
  for (int m = 0; m < n_methods; m++)
    g_clear_pointer (&models[m], hfsr_model_free);
  g_free (models);
  g_free (methods);
  g_free (scores);
  return ok;
}

/* The options that need no file: a scale with networks, a count of 0 or
 * more, one input. */
static gboolean
check_options (int scale, int count, char **inputs, GError **error)
{
  if (scale != 2 && scale != 4)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "--scale must be 2 or 4 (got %d)", scale);
      return FALSE;
    }
  if (count < 0)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "--count must be 0 (every digit) or more (got %d)", count);
      return FALSE;
    }
  if (inputs == NULL || inputs[0] == NULL || inputs[1] != NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "give one MNIST folder or digits.png");
      return FALSE;
    }
  return TRUE;
}

/* The table's title and what it measured. */
static void
print_heading (const char *input, int scale, int count, int n_digits, int seed)
{
  if (g_file_test (input, G_FILE_TEST_IS_DIR))
    printf ("## SR² on the MNIST test set, x%d\n\n", scale);
  else
    printf ("## SR² on %s, x%d\n\n", input, scale);
  printf ("- digits: %d (evenly spread over the %d); LR: each degradation "
          "below (train: Gaussian blur sigma %g and %dx%d block mean, as in "
          "training), plus Gaussian noise of variance σ² (seed %d, not "
          "clipped); SSIM of the upscale clamped to [0, 1] against the 28 x "
          "28 digit (moved as the LR was), peak 1\n\n",
          count, n_digits, scale / 2.0, scale, scale, seed);
}

int
main (int argc, char **argv)
{
  int scale = 0, count = 0, seed = 1;
  char *noise_text = NULL, *methods_text = NULL, *degradation_text = NULL;
  char *save_dir = NULL, *all_methods = known_method_names (",");
  char *methods_help
    = g_strdup_printf ("Comma-separated: %s (default all)", all_methods);
  Sr2Degradation *degradations = NULL;
  int n_degradations = 0;
  char **inputs = NULL, **method_names = NULL;
  double *noise = NULL;
  int n_noise = 0;
  Digits digits = { 0 };
  GError *error = NULL;
  GOptionContext *context;
  int status = 2;
  const GOptionEntry entries[] = {
    { "scale", 's', 0, G_OPTION_ARG_INT, &scale, "2 or 4 (required)", "S" },
    { "count", 'n', 0, G_OPTION_ARG_INT, &count,
      "Evaluate N digits spread over the set (default 0: all)", "N" },
    { "degradation", 'd', 0, G_OPTION_ARG_STRING, &degradation_text,
      "Comma-separated: train, mean:F, point:F, bicubic, shift:D, warp, "
      "jpeg:Q, grid (" SR2_GRID "; default train)",
      "D,..." },
    { "save-lr", 0, 0, G_OPTION_ARG_FILENAME, &save_dir,
      "Also write each LR digit (before the noise) as "
      "DIR/DEGRADATION-INDEX.png",
      "DIR" },
    { "noise", 0, 0, G_OPTION_ARG_STRING, &noise_text,
      "Noise variances added to the LR input (default 0,1e-4,1e-3,1e-2)",
      "V,..." },
    { "methods", 'm', 0, G_OPTION_ARG_STRING, &methods_text, methods_help,
      "M,..." },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Noise seed (default 1)", "N" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL,
      "MNIST_DIR|digits.png" },
    { NULL }
  };

  tool_check_stdout_at_exit (PROGRAM, 2);
  tool_image_setup (PROGRAM, 2);
  context = tool_option_context_new (
    "- SSIM and accuracy of the SR² "
    "networks on noisy digits",
    entries,
    "MNIST_DIR holds the test set (t10k-images-idx3-ubyte and "
    "t10k-labels-idx1-ubyte, or .gz);\na PNG is read as OpenCV's digits.png "
    "(20 x 20 cells, 500 per class in order).\nPrints a Markdown table.  "
    "Exit status 2 on any error.\n");
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || !check_options (scale, count, inputs, &error))
    goto out;
  if (!sr2_parse_degradations (degradation_text ? degradation_text : "train",
                               &degradations, &n_degradations, &error))
    goto out;
  if (!parse_list (noise_text ? noise_text : "0,1e-4,1e-3,1e-2", &noise,
                   &n_noise, &error))
    goto out;
  method_names
    = g_strsplit (methods_text ? methods_text : all_methods, ",", -1);
  for (int m = 0; method_names[m] != NULL; m++)
    if (find_method (method_names[m], &error) == NULL)
      goto out;
  if (save_dir != NULL && g_mkdir_with_parents (save_dir, 0777) != 0)
    {
      int code = errno;

      g_set_error (&error, HFSR_ERROR, HFSR_ERROR_IO, "--save-lr: %s: %s",
                   save_dir, g_strerror (code));
      goto out;
    }
  gegl_init (NULL, NULL);
  setlocale (LC_NUMERIC, "C");
  if (g_file_test (inputs[0], G_FILE_TEST_IS_DIR)
        ? load_mnist_test (inputs[0], &digits, &error)
        : load_opencv_digits (inputs[0], &digits, &error))
    {
      if (count <= 0 || count > digits.count)
        count = digits.count;
      print_heading (inputs[0], scale, count, digits.count, seed);
      if (evaluate (&digits, scale, count, degradations, n_degradations, noise,
                    n_noise, method_names, (guint32) seed, save_dir, &error))
        status = 0;
    }
  gegl_exit ();

out:
  tool_report_error (PROGRAM, &error);
  g_free (digits.pixels);
  g_free (digits.labels);
  g_free (noise);
  g_strfreev (method_names);
  g_option_context_free (context);
  g_free (noise_text);
  g_free (degradation_text);
  g_free (save_dir);
  g_free (degradations);
  g_free (methods_text);
  g_free (methods_help);
  g_free (all_methods);
  g_strfreev (inputs);
  return status;
}
