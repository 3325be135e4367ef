/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr-model info FILE...: what a model file holds, as the engine sees it
 * after every check (metadata, input and outputs, scale, margin, nodes,
 * parameter and multiply-accumulate counts for model cards).  A file the
 * engine refuses prints the engine's message and makes the exit status 1.
 * The tool has no options but --help: an argument starting with '-' is a
 * usage error, and after `--` every argument is a file.
 */
#include <stdio.h>
#include <string.h>

#include "hfsr-private.h"
#include "tool-util.h"

static void
print_usage (FILE *to, const char *program)
{
  fprintf (
    to,
    "Usage: %s info [--] FILE...\n"
    "Prints what each hfsr model file holds: metadata, input and "
    "outputs,\nscale, receptive-field margin, nodes, parameters and "
    "multiply-accumulates.\nExit status 1 if any file is refused or the "
    "output cannot be written.\n",
    program);
}

static char *
describe_slot_scale (int scale)
{
  if (scale == HFSR_SLOT_GLOBAL)
    return g_strdup ("1x1 (global)");
  return g_strdup_printf ("x%d", scale);
}

static char *
describe_shape (const HfsrWeight *weight)
{
  GString *text = g_string_new ("[");

  for (int d = 0; d < weight->ndim; d++)
    g_string_append_printf (text, "%s%" G_GINT64_FORMAT, d ? "," : "",
                            weight->shape[d]);
  g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

static const char *
slot_name (const HfsrModel *model, int slot)
{
  return slot == 0 ? model->input_name : model->nodes[slot - 1].name;
}

static void
print_metadata (const HfsrModel *model)
{
  GList *keys = g_list_sort (g_hash_table_get_keys (model->metadata),
                             (GCompareFunc) strcmp);

  printf ("  metadata:\n");
  for (GList *l = keys; l != NULL; l = l->next)
    {
      const char *value = g_hash_table_lookup (model->metadata, l->data);

      /* The graph is printed below as nodes. */
      if (strcmp (l->data, "hfsr.graph") == 0)
        printf ("    %-16s (%zu bytes of JSON)\n", (char *) l->data,
                strlen (value));
      else
        printf ("    %-16s %s\n", (char *) l->data, value);
    }
  g_list_free (keys);
}

static void
print_nodes (const HfsrModel *model)
{
  printf ("  nodes:            %d\n", model->n_nodes);
  for (int k = 0; k < model->n_nodes; k++)
    {
      const HfsrNode *node = &model->nodes[k];
      GString *inputs = g_string_new (NULL);
      char *size = describe_slot_scale (model->slot_scale[k + 1]);
      char *weight
        = node->weight ? describe_shape (node->weight) : g_strdup ("");

      for (int i = 0; i < node->n_inputs; i++)
        g_string_append_printf (inputs, "%s%s", i ? ", " : "",
                                slot_name (model, node->inputs[i]));
      printf ("    %-20s %-17s %-12s <- %s%s%s%s\n", node->name,
              node->klass->op, size, inputs->str,
              node->weight ? "  weight " : "", weight,
              node->bias ? " + bias" : "");
      g_free (weight);
      g_free (size);
      g_string_free (inputs, TRUE);
    }
}

static void
print_model (const HfsrModel *model)
{
  gsize parameters = 0;
  double macs = hfsr_model_get_conv_macs (model);
  int s = model->scale;

  for (int i = 0; i < model->n_weights; i++)
    parameters += model->weights[i].n_elements;

  printf ("%s\n", model->name);
  print_metadata (model);
  printf ("  input:            '%s', %d channels\n", model->input_name,
          model->input_channels);
  for (int i = 0; i < model->n_outputs; i++)
    {
      char *size
        = describe_slot_scale (model->slot_scale[model->output_slots[i]]);

      printf ("  output %d:         '%s', %d channels, %s%s\n", i,
              model->output_names[i], model->output_channels[i], size,
              i == 0 ? " (the image that tiled runs compute)" : "");
      g_free (size);
    }
  printf ("  scale:            %d\n", s);
  if (model->margin < 0)
    printf ("  margin:           whole image (output 0 depends on global "
            "pooling)\n");
  else
    printf ("  margin:           %d input pixels\n", model->margin);
  printf ("  parameters:       %" G_GSIZE_FORMAT " in %d tensors\n",
          parameters, model->n_weights);
  printf ("  conv MACs:        %.0f per input pixel, %.0f per output pixel\n",
          macs, macs / ((double) s * s));
  print_nodes (model);
}

int
main (int argc, char **argv)
{
  GPtrArray *files;
  gboolean options_end = FALSE;
  int status = 0;

  tool_check_stdout_at_exit ("hfsr-model", 1);
  if (argc >= 2
      && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      print_usage (stdout, argv[0]);
      return 0;
    }
  if (argc < 2 || strcmp (argv[1], "info") != 0)
    {
      print_usage (stderr, argv[0]);
      return 2;
    }
  /* Before `--`, a word like "-v" is an option this tool does not have,
   * not a file ("-" alone is a file name). */
  files = g_ptr_array_new ();
  for (int i = 2; i < argc; i++)
    if (!options_end && strcmp (argv[i], "--") == 0)
      options_end = TRUE;
    else if (!options_end && argv[i][0] == '-' && argv[i][1] != '\0')
      {
        fprintf (stderr,
                 "%s: unknown option '%s' (a file whose name starts "
                 "with '-' goes after --)\n",
                 argv[0], argv[i]);
        status = 2;
        break;
      }
    else
      g_ptr_array_add (files, argv[i]);
  if (status != 0 || files->len == 0)
    {
      print_usage (stderr, argv[0]);
      g_ptr_array_free (files, TRUE);
      return 2;
    }

  for (guint i = 0; i < files->len; i++)
    {
      GError *error = NULL;
      HfsrModel *model = hfsr_model_load (files->pdata[i], &error);

      if (model == NULL)
        {
          fprintf (stderr, "%s\n", error->message);
          g_error_free (error);
          status = 1;
          continue;
        }
      if (i > 0)
        printf ("\n");
      print_model (model);
      hfsr_model_free (model);
    }
  g_ptr_array_free (files, TRUE);
  return status;
}
