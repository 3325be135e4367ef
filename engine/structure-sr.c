/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SR² (Schirrmacher et al.): networks that upscale a grey character and
 * classify it in parallel.  Output 0 is the upscale (tiled like any SR
 * network); the global output "class" holds the class probabilities of
 * the whole input, so the class is computed on the whole image at once.
 */
#include "hfsr-config.h"

#include <math.h>
#include <string.h>

#include "hfsr-private.h"

static gboolean
arch_known (const char *arch)
{
  return arch != NULL
         && (strcmp (arch, "fsrcnn") == 0 || strcmp (arch, "wdsr") == 0
             || strcmp (arch, "sequential") == 0
             || strcmp (arch, "fsrcnn-noisy") == 0);
}

char *
hfsr_structure_sr_family (int scale, const char *arch, int shared)
{
  g_return_val_if_fail (arch_known (arch), NULL);
  if (strcmp (arch, "wdsr") == 0)
    return g_strdup_printf ("hfsr-sr2-x%d-wdsr%d-l", scale, shared);
  return g_strdup_printf ("hfsr-sr2-x%d-%s-l", scale, arch);
}

/* The index of the global output named "class", or -1. */
static int
class_output (const HfsrModel *model)
{
  for (int i = 1; i < model->n_outputs; i++)
    if (strcmp (model->output_names[i], "class") == 0
        && model->slot_scale[model->output_slots[i]] == HFSR_SLOT_GLOBAL)
      return i;
  return -1;
}

int
hfsr_model_get_n_classes (const HfsrModel *model)
{
  int index;

  g_return_val_if_fail (model != NULL, 0);
  index = class_output (model);
  return index < 0 ? 0 : model->output_channels[index];
}

char *
hfsr_model_get_class_label (const HfsrModel *model, int index)
{
  const char *labels;
  char **words;
  char *label = NULL;
  int n = 0;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (index >= 0 && index < hfsr_model_get_n_classes (model),
                        NULL);
  labels = hfsr_model_get_metadata (model, "hfsr.classes");
  if (labels != NULL)
    {
      words = g_strsplit_set (labels, " \t\n", -1);
      for (int i = 0; words[i] != NULL; i++)
        if (words[i][0] != '\0' && n++ == index)
          {
            label = g_strdup (words[i]);
            break;
          }
      g_strfreev (words);
    }
  return label != NULL ? label : g_strdup_printf ("%d", index);
}

HfsrModel *
hfsr_model_load_structure_sr (const char *path, int scale, const char *arch,
                              int shared, double lambda, GError **error)
{
  HfsrModel *model;

  if (path != NULL)
    model = hfsr_model_load (path, error);
  else
    {
      char *prefix;

      if (!arch_known (arch) || (scale != 2 && scale != 4)
          || (strcmp (arch, "wdsr") == 0 ? shared != 1 && shared != 4
                                         : shared != 1))
        {
          g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                       "no Structure-aware SR network is trained for x%d, "
                       "%s with %d shared layers: scales 2 and 4; fsrcnn, "
                       "fsrcnn-noisy and sequential (1 shared), wdsr (1 or "
                       "4 shared)",
                       scale, arch != NULL ? arch : "(none)", shared);
          return NULL;
        }
      prefix = hfsr_structure_sr_family (scale, arch, shared);
      model = hfsr_model_load_for_value (prefix, "hfsr.lambda", lambda, error);
      g_free (prefix);
    }
  if (model != NULL
      && (hfsr_model_get_scale (model) != scale || model->input_channels != 1
          || model->output_channels[0] != 1
          || hfsr_model_get_n_classes (model) < 2))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s: not a Structure-aware SR network for x%d: one grey "
                   "channel in, one out at x%d and a global \"class\" output "
                   "of two or more classes are needed (it takes %d "
                   "channels, gives %d at x%d and %d classes)",
                   model->name, scale, scale, model->input_channels,
                   model->output_channels[0], hfsr_model_get_scale (model),
                   hfsr_model_get_n_classes (model));
      g_clear_pointer (&model, hfsr_model_free);
    }
  return model;
}

gboolean
hfsr_model_classify (const HfsrModel *model, const float *grey, int width,
                     int height, double *probabilities, GError **error)
{
  HfsrTensor **outputs;
  HfsrTensor *input;
  int index, n_classes;
  gboolean ok;

  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (grey != NULL && probabilities != NULL, FALSE);

  index = class_output (model);
  if (index < 0)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: the network has no class output", model->name);
      return FALSE;
    }
  if (width < 1 || height < 1 || model->input_channels != 1
      || (gint64) width * height > HFSR_CLASSIFY_MAX_PIXELS)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: classifying needs one grey crop of 1 to %d pixels "
                   "(one character), got %d x %d",
                   model->name, HFSR_CLASSIFY_MAX_PIXELS, width, height);
      return FALSE;
    }
  input = hfsr_tensor_new (1, height, width, error);
  if (input == NULL)
    return FALSE;
  memcpy (input->data, grey, sizeof (float) * (gsize) width * height);
  outputs = g_new0 (HfsrTensor *, model->n_outputs);
  ok = hfsr_model_forward (model, input, outputs, NULL, error);
  n_classes = model->output_channels[index];
  for (int c = 0; ok && c < n_classes; c++)
    {
      probabilities[c] = outputs[index]->data[c];
      if (!isfinite (probabilities[c]))
        {
          g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                       "%s: class %d has a probability of %g", model->name, c,
                       probabilities[c]);
          ok = FALSE;
        }
    }
  for (int i = 0; i < model->n_outputs; i++)
    hfsr_tensor_free (outputs[i]);
  g_free (outputs);
  hfsr_tensor_free (input);
  return ok;
}

gboolean
hfsr_sr2_dark_on_light (const float *grey, int width, int height)
{
  double sum = 0.0;
  gsize count = 0;

  for (int y = 0; y < height; y++)
    {
      /* Every pixel of the first and last rows, the first and last of the
       * others. */
      int step = y == 0 || y == height - 1 ? 1 : MAX (width - 1, 1);

      for (int x = 0; x < width; x += step)
        {
          sum += grey[(gsize) y * width + x];
          count++;
        }
    }
  return count > 0 && sum / count > 0.5;
}

void
hfsr_sr2_invert (float *grey, gsize n)
{
  for (gsize i = 0; i < n; i++)
    grey[i] = 1.0f - grey[i];
}
