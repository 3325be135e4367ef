/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-eval --scale S [--methods M,...] [--cut F] [--save DIR] [--per-image]
 *           HR_DIR_OR_FILES...
 *
 * Scores upscaling methods the way SR papers do, so that the numbers can be
 * set beside published tables (docs/design.md, section 9).  Each HR
 * image is mod-cropped to the scale, shrunk with the MATLAB bicubic the
 * models were trained on, rounded to 8 bits as a saved PNG would be, and
 * upscaled again by every method; the 8-bit outputs are scored against the
 * HR image on BT.601 Y (PSNR and SSIM, `scale` pixels shaved), and their
 * high-frequency content is measured twice: the lossless PNG size and the
 * share of spectral energy above a radial cut.  The result is a Markdown
 * table.  Exit status 2 on any error.
 */
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gegl.h>

#include "hfsr.h"
#include "tool-image.h"
#include "tool-util.h"

#define PROGRAM "hfsr-eval"
#define HFSR_SR_OP "hfsr:super-resolution"

typedef enum
{
  METHOD_BICUBIC, /* the engine's MATLAB bicubic */
  METHOD_SAMPLER, /* gegl:scale-ratio with a GEGL sampler */
  METHOD_HFSR     /* the hfsr:super-resolution op */
} MethodKind;

typedef struct
{
  char *label; /* as the user wrote it */
  MethodKind kind;
  int sampler;      /* GeglSamplerType, for METHOD_SAMPLER */
  double alpha;     /* for METHOD_HFSR without a model */
  char *model_path; /* for METHOD_HFSR: model:PATH, else NULL */
  double seconds;   /* upscaling wall time over all images */
} Method;

/* One method's scores on one image. */
typedef struct
{
  double psnr;
  double ssim;
  double hf_share;
  gint64 png_bytes;
} Score;

typedef struct
{
  int scale;
  double cut;
  const char *save_dir; /* --save, or a temporary folder */
  gboolean keep_files;  /* --save given */
  Method *methods;
  int n_methods;
} Evaluation;

/* ------------------------------------------------------------- methods */

static void
method_clear (Method *method)
{
  g_free (method->label);
  g_free (method->model_path);
}

static gboolean
is_alpha_zero_method (const Method *method)
{
  return method->kind == METHOD_HFSR && method->model_path == NULL
         && method->alpha == 0.0;
}

/* Reads "hfsr:alpha=A" or "model:PATH". */
static gboolean
parse_sr_method (const char *text, int scale, Method *method, GError **error)
{
  HfsrModel *model;

  method->kind = METHOD_HFSR;
  if (!tool_require_operation (HFSR_SR_OP, error))
    {
      g_prefix_error (error, "method '%s': ", text);
      return FALSE;
    }

  if (g_str_has_prefix (text, "hfsr:alpha="))
    {
      const char *number = text + strlen ("hfsr:alpha=");
      char *end = NULL;

      method->alpha = g_ascii_strtod (number, &end);
      if (end == number || *end != '\0' || !isfinite (method->alpha))
        {
          g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                       "method '%s': alpha is not a number", text);
          return FALSE;
        }
      return TRUE;
    }

  /* The op cannot report a bad file to this tool (see write_log): the
   * engine checks it here, with its own clear message. */
  method->model_path = g_strdup (text + strlen ("model:"));
  model = hfsr_model_load (method->model_path, error);
  if (model == NULL)
    {
      g_prefix_error (error, "method '%s': ", text);
      return FALSE;
    }
  if (hfsr_model_get_scale (model) != scale)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "method '%s': the model upscales x%d, not x%d", text,
                   hfsr_model_get_scale (model), scale);
      hfsr_model_free (model);
      return FALSE;
    }
  hfsr_model_free (model);
  return TRUE;
}

/* Reads "bicubic", a GEGL sampler ("nohalo" or "gegl:nohalo"),
 * "hfsr:alpha=A" or "model:PATH". */
static gboolean
parse_method (const char *text, int scale, Method *method, GError **error)
{
  const char *sampler_name = text;
  GEnumClass *samplers;
  GEnumValue *sampler;

  memset (method, 0, sizeof *method);
  method->label = g_strdup (text);

  if (strcmp (text, "bicubic") == 0)
    {
      method->kind = METHOD_BICUBIC;
      return TRUE;
    }
  if (g_str_has_prefix (text, "hfsr:alpha=")
      || g_str_has_prefix (text, "model:"))
    return parse_sr_method (text, scale, method, error);

  if (g_str_has_prefix (text, "gegl:"))
    sampler_name = text + strlen ("gegl:");
  samplers = g_type_class_ref (GEGL_TYPE_SAMPLER_TYPE);
  sampler = g_enum_get_value_by_nick (samplers, sampler_name);
  if (sampler != NULL)
    method->sampler = sampler->value;
  g_type_class_unref (samplers);
  if (sampler == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "unknown method '%s' (known: bicubic, the GEGL samplers "
                   "nearest, linear, cubic, nohalo, lohalo, hfsr:alpha=A, "
                   "model:PATH)",
                   text);
      return FALSE;
    }
  method->kind = METHOD_SAMPLER;
  return TRUE;
}

/* ----------------------------------------------------------- upscaling */

/* Sets a property of @node (an @op) from @value, converted to the
 * property's type and checked against its range. */
static gboolean
set_op_property (GeglNode *node, const char *op, const char *name,
                 const GValue *value, GError **error)
{
  GParamSpec *spec = gegl_operation_find_property (op, name);
  GValue converted = G_VALUE_INIT;
  gboolean valid;

  if (spec == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "the GEGL op %s has no '%s' property", op, name);
      return FALSE;
    }
  g_value_init (&converted, spec->value_type);
  /* g_param_value_validate returns TRUE when it had to change the value:
   * out of range. */
  valid = g_value_transform (value, &converted)
          && !g_param_value_validate (spec, &converted);
  if (valid)
    gegl_node_set_property (node, name, &converted);
  else
    {
      char *contents = g_strdup_value_contents (value);

      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "the GEGL op %s does not accept %s = %s", op, name,
                   contents);
      g_free (contents);
    }
  g_value_unset (&converted);
  return valid;
}

/* Sets the properties of @node, an hfsr:super-resolution op, for
 * @method. */
static gboolean
configure_sr_node (GeglNode *node, int scale, const Method *method,
                   GError **error)
{
  GValue value = G_VALUE_INIT;
  gboolean configured;

  g_value_init (&value, G_TYPE_INT);
  g_value_set_int (&value, scale);
  configured = set_op_property (node, HFSR_SR_OP, "scale", &value, error);
  g_value_unset (&value);
  if (configured && method->model_path != NULL)
    {
      g_value_init (&value, G_TYPE_STRING);
      g_value_set_string (&value, method->model_path);
      configured = set_op_property (node, HFSR_SR_OP, "model", &value, error);
      g_value_unset (&value);
    }
  else if (configured)
    {
      g_value_init (&value, G_TYPE_DOUBLE);
      g_value_set_double (&value, method->alpha);
      configured = set_op_property (node, HFSR_SR_OP, "alpha", &value, error);
      g_value_unset (&value);
    }
  if (!configured)
    g_prefix_error (error, "method '%s': ", method->label);
  return configured;
}

/* @low upscaled by the evaluation's scale with @method; @low_buffer holds
 * the same pixels for the GEGL methods. */
static HfsrTensor *
upscale (const Evaluation *eval, const Method *method, const HfsrTensor *low,
         GeglBuffer *low_buffer, GError **error)
{
  GeglRectangle rect
    = { 0, 0, low->width * eval->scale, low->height * eval->scale };
  GeglNode *graph, *source, *op;
  HfsrTensor *high = NULL;
  GError *failure = NULL;

  if (method->kind == METHOD_BICUBIC)
    {
      high = hfsr_tensor_new (3, rect.height, rect.width, error);
      if (high != NULL
          && !hfsr_imresize (low->data, 3, low->width, low->height, rect.width,
                             rect.height, high->data, error))
        g_clear_pointer (&high, hfsr_tensor_free);
      return high;
    }

  graph = gegl_node_new ();
  source = gegl_node_new_child (graph, "operation", "gegl:buffer-source",
                                "buffer", low_buffer, NULL);
  if (method->kind == METHOD_SAMPLER)
    /* Clamping the edges, as the bicubic's mirroring does in effect:
     * without it the samplers blend the image's border with
     * transparency. */
    op = gegl_node_new_child (graph, "operation", "gegl:scale-ratio", "x",
                              (double) eval->scale, "y", (double) eval->scale,
                              "sampler", method->sampler, "abyss-policy",
                              GEGL_ABYSS_CLAMP, NULL);
  else
    op = gegl_node_new_child (graph, "operation", HFSR_SR_OP, NULL);
  if (method->kind == METHOD_HFSR
      && !configure_sr_node (op, eval->scale, method, &failure))
    {
      g_object_unref (graph);
      g_propagate_error (error, failure);
      return NULL;
    }
  gegl_node_link (source, op);

  high = tool_render_planes_checked (op, &rect, method->label, error);
  g_object_unref (graph);
  return high;
}

/* -------------------------------------------------------------- scoring */

/* Y-PSNR, SSIM and the high-frequency share of @output against the HR
 * image's Y @high_y. */
static gboolean
score_output (const Evaluation *eval, const HfsrTensor *output,
              const float *high_y, Score *score, GError **error)
{
  gsize n_pixels = hfsr_tensor_size (output) / 3;
  float *y = g_try_new (float, n_pixels);
  int width = output->width, height = output->height;
  gboolean scored;

  if (y == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "out of memory for a %d x %d image", width, height);
      return FALSE;
    }
  hfsr_rgb_to_y (output->data, n_pixels, y);
  scored = hfsr_psnr (y, high_y, width, height, eval->scale, 255.0,
                      &score->psnr, error)
           && hfsr_ssim (y, high_y, width, height, eval->scale, 255.0,
                         &score->ssim, error)
           && hfsr_spectral_energy_share (y, width, height, eval->cut,
                                          &score->hf_share, error);
  g_free (y);
  return scored;
}

/* Where the output of @method for image number @index (@path) is saved:
 * numbered, so that equal file names from different folders differ. */
static char *
output_path (const Evaluation *eval, int index, const char *path,
             const Method *method)
{
  char *base = tool_file_stem (path);
  char *label
    = g_strcanon (g_strdup (method->label),
                  G_CSET_a_2_z G_CSET_A_2_Z G_CSET_DIGITS "-.=", '_');
  char *name, *file;

  name = g_strdup_printf ("%03d-%s-%s.png", index + 1, base, label);
  file = g_build_filename (eval->save_dir, name, NULL);
  g_free (name);
  g_free (label);
  g_free (base);
  return file;
}

/* An HR image as the protocol prepares it: mod-cropped to the scale, its
 * Y, and its LR copy (MATLAB bicubic, rounded to 8 bits) with a GEGL
 * buffer of the same pixels for the GEGL methods. */
typedef struct
{
  HfsrTensor *high;
  float *high_y;
  HfsrTensor *low;
  GeglBuffer *low_buffer;
} PreparedImage;

static void
prepared_image_clear (PreparedImage *image)
{
  if (image->low_buffer != NULL)
    g_object_unref (image->low_buffer);
  hfsr_tensor_free (image->low);
  g_free (image->high_y);
  hfsr_tensor_free (image->high);
}

/* Reads and prepares the HR image @path; on failure @image holds what
 * was made before, for prepared_image_clear. */
static gboolean
prepare_image (const Evaluation *eval, const char *path, PreparedImage *image,
               GError **error)
{
  int s = eval->scale, width, height;
  HfsrTensor *loaded = tool_load_image (path, error);
  gboolean prepared = FALSE;

  if (loaded == NULL)
    return FALSE;
  width = hfsr_modcrop (loaded->width, s);
  height = hfsr_modcrop (loaded->height, s);
  if (width - 2 * s < 11 || height - 2 * s < 11)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: %d x %d is too small for x%d (SSIM needs 11 x 11 "
                   "pixels after %d are shaved at each border)",
                   path, loaded->width, loaded->height, s, s);
      goto out;
    }
  image->high = tool_crop_top_left (loaded, width, height, error);
  if (image->high == NULL)
    goto out;
  image->high_y = g_try_new (float, ((gsize) width * height));
  image->low = hfsr_tensor_new (3, height / s, width / s, error);
  if (image->high_y == NULL || image->low == NULL)
    {
      if (image->high_y == NULL)
        g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                     "%s: out of memory", path);
      goto out;
    }
  hfsr_rgb_to_y (image->high->data, (gsize) width * height, image->high_y);
  if (!hfsr_imresize (image->high->data, 3, width, height, image->low->width,
                      image->low->height, image->low->data, error))
    goto out;
  tool_quantize_8bit (image->low->data, hfsr_tensor_size (image->low));
  image->low_buffer = tool_buffer_from_planes (image->low, "R'G'B' float");
  prepared = TRUE;

out:
  hfsr_tensor_free (loaded);
  return prepared;
}

/* One method on image number @index (@path): the upscale of its LR copy
 * (the time added to the method's), rounded to 8 bits, scored into
 * @score and measured as a PNG, kept only with --save. */
static gboolean
score_method (const Evaluation *eval, Method *method, int index,
              const char *path, const PreparedImage *image, Score *score,
              GError **error)
{
  gint64 start = g_get_monotonic_time ();
  HfsrTensor *output
    = upscale (eval, method, image->low, image->low_buffer, error);
  char *file;
  gboolean scored;

  method->seconds += (g_get_monotonic_time () - start) / 1e6;
  if (output == NULL)
    return FALSE;
  tool_quantize_8bit (output->data, hfsr_tensor_size (output));
  file = output_path (eval, index, path, method);
  scored = score_output (eval, output, image->high_y, score, error)
           && tool_save_png (output, file, &score->png_bytes, error);
  if (!eval->keep_files)
    g_unlink (file);
  g_free (file);
  hfsr_tensor_free (output);
  return scored;
}

/* Scores every method on one HR image; @scores has one entry per
 * method. */
static gboolean
evaluate_image (Evaluation *eval, int index, const char *path, Score *scores,
                GError **error)
{
  PreparedImage image = { NULL, NULL, NULL, NULL };
  gboolean evaluated = prepare_image (eval, path, &image, error);

  for (int m = 0; evaluated && m < eval->n_methods; m++)
    evaluated = score_method (eval, &eval->methods[m], index, path, &image,
                              &scores[m], error);
  prepared_image_clear (&image);
  return evaluated;
}

/* ------------------------------------------------------------- report */

/* Means over images (the SR convention for PSNR and SSIM), total PNG
 * bytes. */
static Score
summarise (const Score *scores, int n_images, int n_methods, int method)
{
  Score summary = { 0 };

  for (int i = 0; i < n_images; i++)
    {
      const Score *score = &scores[(gsize) i * n_methods + method];

      summary.psnr += score->psnr / n_images;
      summary.ssim += score->ssim / n_images;
      summary.hf_share += score->hf_share / n_images;
      summary.png_bytes += score->png_bytes;
    }
  return summary;
}

static void
print_ratio (double value, double reference)
{
  if (reference > 0.0)
    printf (" %.3f |", value / reference);
  else
    printf (" - |");
}

static void
print_report (const Evaluation *eval, GPtrArray *images, const Score *scores,
              gboolean per_image)
{
  int n_images = images->len, n_methods = eval->n_methods;
  int bicubic = -1, alpha_zero = -1;
  Score *summaries = g_new (Score, n_methods);

  for (int m = 0; m < n_methods; m++)
    {
      summaries[m] = summarise (scores, n_images, n_methods, m);
      if (bicubic < 0 && eval->methods[m].kind == METHOD_BICUBIC)
        bicubic = m;
      if (alpha_zero < 0 && is_alpha_zero_method (&eval->methods[m]))
        alpha_zero = m;
    }

  printf ("## hfsr-eval x%d\n\n", eval->scale);
  printf ("- scale: %d\n", eval->scale);
  printf ("- images: %d\n", n_images);
  printf ("- HF cut: %g of Nyquist\n", eval->cut);
  printf ("- HR mod-cropped to the scale; LR made by MATLAB bicubic "
          "(antialiased) and rounded to 8 bits; outputs rounded to 8 bits\n");
  printf ("- Y-PSNR and SSIM on BT.601 Y, %d pixels shaved, means over "
          "images; PNG: total bytes of the 8-bit outputs (compression 9); "
          "HF share: mean share of Y's spectral energy above the cut; "
          "time: upscaling wall time over all images\n\n",
          eval->scale);

  printf ("| method | Y-PSNR (dB) | SSIM | PNG bytes | PNG / bicubic "
          "| PNG / alpha=0 | HF share (%%) | HF / bicubic | HF / alpha=0 "
          "| time (s) |\n");
  printf ("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int m = 0; m < n_methods; m++)
    {
      const Score *summary = &summaries[m];

      printf ("| %s | %.2f | %.4f | %" G_GINT64_FORMAT " |",
              eval->methods[m].label, summary->psnr, summary->ssim,
              summary->png_bytes);
      print_ratio (summary->png_bytes,
                   bicubic < 0 ? 0.0 : summaries[bicubic].png_bytes);
      print_ratio (summary->png_bytes,
                   alpha_zero < 0 ? 0.0 : summaries[alpha_zero].png_bytes);
      printf (" %.3f |", 100.0 * summary->hf_share);
      print_ratio (summary->hf_share,
                   bicubic < 0 ? 0.0 : summaries[bicubic].hf_share);
      print_ratio (summary->hf_share,
                   alpha_zero < 0 ? 0.0 : summaries[alpha_zero].hf_share);
      printf (" %.2f |\n", eval->methods[m].seconds);
    }

  if (per_image)
    {
      printf ("\n| image | method | Y-PSNR (dB) | SSIM | PNG bytes "
              "| HF share (%%) |\n");
      printf ("|---|---|---:|---:|---:|---:|\n");
      for (int i = 0; i < n_images; i++)
        for (int m = 0; m < n_methods; m++)
          {
            const Score *score = &scores[(gsize) i * n_methods + m];
            char *name = g_path_get_basename (images->pdata[i]);

            printf ("| %s | %s | %.2f | %.4f | %" G_GINT64_FORMAT
                    " | %.3f |\n",
                    name, eval->methods[m].label, score->psnr, score->ssim,
                    score->png_bytes, 100.0 * score->hf_share);
            g_free (name);
          }
    }
  g_free (summaries);
}

/* --------------------------------------------------------------- main */

/* The comma-separated @methods_text into eval->methods, each checked as
 * far as it can be before any image is read. */
static gboolean
parse_methods (Evaluation *eval, const char *methods_text, GError **error)
{
  char **names = g_strsplit (methods_text, ",", -1);
  gboolean parsed = TRUE;

  eval->n_methods = g_strv_length (names);
  eval->methods = g_new0 (Method, eval->n_methods);
  for (int m = 0; parsed && m < eval->n_methods; m++)
    {
      parsed = parse_method (names[m], eval->scale, &eval->methods[m], error);
      /* A property the op refuses is found now, not after the first
       * image's other methods. */
      if (parsed && eval->methods[m].kind == METHOD_HFSR)
        {
          GeglNode *graph = gegl_node_new ();
          GeglNode *node
            = gegl_node_new_child (graph, "operation", HFSR_SR_OP, NULL);

          parsed
            = configure_sr_node (node, eval->scale, &eval->methods[m], error);
          g_object_unref (graph);
        }
    }
  g_strfreev (names);
  return parsed;
}

static void
evaluation_clear (Evaluation *eval)
{
  for (int m = 0; m < eval->n_methods; m++)
    method_clear (&eval->methods[m]);
  g_free (eval->methods);
}

static gboolean
run (Evaluation *eval, const char *methods_text, char **inputs,
     const char *save_dir, gboolean per_image, GError **error)
{
  GPtrArray *images = g_ptr_array_new_with_free_func (g_free);
  Score *scores = NULL;
  char *temporary_dir = NULL;
  gboolean done = FALSE;

  if (!parse_methods (eval, methods_text, error))
    goto out;
  for (int i = 0; inputs[i] != NULL; i++)
    if (!tool_collect_images (inputs[i], images, error))
      goto out;

  if (save_dir != NULL)
    {
      if (!tool_make_folder (save_dir, error))
        goto out;
      eval->save_dir = save_dir;
      eval->keep_files = TRUE;
    }
  else
    {
      temporary_dir = g_dir_make_tmp ("hfsr-eval-XXXXXX", error);
      if (temporary_dir == NULL)
        goto out;
      eval->save_dir = temporary_dir;
    }

  scores = g_new0 (Score, ((gsize) images->len * eval->n_methods));
  for (guint i = 0; i < images->len; i++)
    if (!evaluate_image (eval, i, images->pdata[i],
                         scores + (gsize) i * eval->n_methods, error))
      goto out;
  print_report (eval, images, scores, per_image);
  done = TRUE;

out:
  if (temporary_dir != NULL)
    g_rmdir (temporary_dir);
  g_free (temporary_dir);
  g_free (scores);
  g_ptr_array_free (images, TRUE);
  return done;
}

/* The options that need no file: a scale the protocol covers, a cut
 * within Nyquist, something to score. */
static gboolean
check_options (int scale, double cut, char **inputs, GError **error)
{
  if (scale < 2 || scale > 8)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "--scale must be 2 to 8 (got %d)", scale);
      return FALSE;
    }
  if (!(cut >= 0.0 && cut <= 1.0))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "--cut must be in [0, 1] (got %g)", cut);
      return FALSE;
    }
  if (inputs == NULL || inputs[0] == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "no HR images or folders given");
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  int scale = 0;
  double cut = 0.5;
  char *methods_text = NULL, *save_dir = NULL;
  char **inputs = NULL;
  gboolean per_image = FALSE;
  GError *error = NULL;
  GOptionContext *context;
  Evaluation eval = { 0 };
  int status = 2;
  const GOptionEntry entries[]
    = { { "scale", 's', 0, G_OPTION_ARG_INT, &scale,
          "Upscaling factor, 2 to 8 (required)", "S" },
        { "methods", 'm', 0, G_OPTION_ARG_STRING, &methods_text,
          "Comma-separated methods: bicubic, a GEGL sampler (nearest, linear, "
          "cubic, nohalo, lohalo), hfsr:alpha=A, model:PATH "
          "(default: bicubic,nohalo)",
          "M,..." },
        { "cut", 0, 0, G_OPTION_ARG_DOUBLE, &cut,
          "Radial frequency cut for the HF share, as a fraction of Nyquist "
          "(default 0.5)",
          "F" },
        { "save", 0, 0, G_OPTION_ARG_FILENAME, &save_dir,
          "Keep the outputs as 8-bit PNGs in DIR", "DIR" },
        { "per-image", 0, 0, G_OPTION_ARG_NONE, &per_image,
          "Also print one row per image and method", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &inputs, NULL,
          "HR_DIR_OR_FILES..." },
        { NULL } };

  tool_check_stdout_at_exit (PROGRAM, 2);
  tool_image_setup (PROGRAM, 2);

  context = tool_option_context_new (
    "- score upscaling methods as SR "
    "papers do",
    entries,
    "Each HR image (PNG or JPEG; a folder means the images directly in it) "
    "is\nmod-cropped to S, shrunk by MATLAB bicubic, rounded to 8 bits and "
    "upscaled\nby every method.  Prints a Markdown table of Y-PSNR, SSIM "
    "and high-frequency\ncontent.  Exit status 2 on any error.\n");
  if (!g_option_context_parse (context, &argc, &argv, &error)
      || !check_options (scale, cut, inputs, &error))
    goto out;

  gegl_init (NULL, NULL);
  /* The table's numbers use a decimal point whatever the locale. */
  setlocale (LC_NUMERIC, "C");
  eval.scale = scale;
  eval.cut = cut;
  if (run (&eval, methods_text ? methods_text : "bicubic,nohalo", inputs,
           save_dir, per_image, &error))
    status = 0;
  evaluation_clear (&eval);
  gegl_exit ();

out:
  tool_report_error (PROGRAM, &error);
  g_option_context_free (context);
  g_free (methods_text);
  g_free (save_dir);
  g_strfreev (inputs);
  return status;
}
