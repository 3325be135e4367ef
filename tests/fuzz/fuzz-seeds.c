/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Writes the fuzzer's seed corpus: `fuzz-seeds DIR`.  Small valid models
 * (a few kB, so mutations stay cheap) that together use every layer kind,
 * every optional field and more than one graph output.  Each seed is loaded
 * back before it is written: a seed the engine refuses would teach the
 * fuzzer nothing about the paths after the checks.
 */
#include <stdio.h>

#include <glib/gstdio.h>

#include "hfsr.h"
#include "model-builder.h"

static HfsrModelBuilder *
seed_sr_x2 (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);

  hfsr_model_builder_add_conv2d (b, "head", "input", 3, 4, 3, 1);
  hfsr_model_builder_add_conv2d (b, "body", "head", 4, 4, 3, 2);
  hfsr_model_builder_add_node (b, "act", "relu", "body", NULL);
  hfsr_model_builder_add_node (b, "res", "add", "act, head", NULL);
  hfsr_model_builder_add_x2_output (b, "res", 4, 3, 4);
  hfsr_model_builder_set_metadata (b, "hfsr.task", "super-resolution");
  hfsr_model_builder_set_metadata (b, "hfsr.scale", "2");
  hfsr_model_builder_set_metadata (b, "hfsr.alpha", "0.2");
  return b;
}

static HfsrModelBuilder *
seed_x3 (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("y", 1);

  hfsr_model_builder_add_conv2d (b, "conv", "y", 1, 9, 3, 5);
  hfsr_model_builder_add_node (b, "up", "pixel_shuffle", "conv",
                               "{\"factor\": 3}");
  return b;
}

static HfsrModelBuilder *
seed_fsrcnn (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("y", 1);
  const float shared_slope[1] = { 0.25f };
  const gint64 one[1] = { 1 };

  hfsr_model_builder_add_conv2d (b, "feature", "y", 1, 4, 5, 6);
  hfsr_model_builder_add_prelu (b, "feature.act", "feature", 4, 7);
  hfsr_model_builder_add_conv2d (b, "shrink", "feature.act", 4, 2, 1, 8);
  hfsr_model_builder_add_tensor (b, "slope", shared_slope, 1, one);
  hfsr_model_builder_add_node (b, "shrink.act", "prelu", "shrink",
                               "{\"weight\": \"slope\"}");
  hfsr_model_builder_add_conv_transpose2d (b, "deconv", "shrink.act", 2, 1, 4,
                                           2, 1, 0, 9);
  return b;
}

static HfsrModelBuilder *
seed_squeeze_excitation (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 2);

  hfsr_model_builder_add_conv2d (b, "head", "input", 2, 4, 3, 10);
  hfsr_model_builder_add_node (b, "pool", "global_avg_pool", "head", NULL);
  hfsr_model_builder_add_conv2d (b, "squeeze", "pool", 4, 2, 1, 11);
  hfsr_model_builder_add_node (b, "squeeze.act", "relu", "squeeze", NULL);
  hfsr_model_builder_add_conv2d (b, "excite", "squeeze.act", 2, 4, 1, 12);
  hfsr_model_builder_add_node (b, "gate", "sigmoid", "excite", NULL);
  hfsr_model_builder_add_node (b, "scaled", "channel_scale", "head, gate",
                               NULL);
  hfsr_model_builder_add_conv2d (b, "tail", "scaled", 4, 2, 3, 13);
  return b;
}

static HfsrModelBuilder *
seed_classifier (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("lr", 1);
  const gint64 fc_shape[2] = { 4, 3 };

  hfsr_model_builder_add_conv2d (b, "shared", "lr", 1, 3, 3, 14);
  hfsr_model_builder_add_conv2d (b, "sr", "shared", 3, 4, 3, 15);
  hfsr_model_builder_add_node (b, "hr", "pixel_shuffle", "sr",
                               "{\"factor\": 2}");
  hfsr_model_builder_add_node (b, "pool", "global_avg_pool", "shared", NULL);
  hfsr_model_builder_add_random_tensor (b, "fc.weight", 16, 0.5f, 2, fc_shape);
  hfsr_model_builder_add_node (b, "fc", "linear", "pool",
                               "{\"weight\": \"fc.weight\"}");
  hfsr_model_builder_add_node (b, "probs", "softmax", "fc", NULL);
  hfsr_model_builder_add_output (b, "hr");
  hfsr_model_builder_add_output (b, "probs");
  hfsr_model_builder_set_metadata (b, "hfsr.lambda", "9");
  return b;
}

static HfsrModelBuilder *
seed_same_size_map (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("rgb", 3);

  hfsr_model_builder_add_conv2d (b, "logits", "rgb", 3, 3, 3, 17);
  hfsr_model_builder_add_node (b, "map", "softmax", "logits", NULL);
  hfsr_model_builder_set_metadata (b, "hfsr.sigmas", "1.249 1.545");
  return b;
}

static const struct
{
  const char *name;
  HfsrModelBuilder *(*make) (void);
} seeds[] = {
  { "sr-x2", seed_sr_x2 },
  { "x3", seed_x3 },
  { "fsrcnn", seed_fsrcnn },
  { "squeeze-excitation", seed_squeeze_excitation },
  { "classifier", seed_classifier },
  { "same-size-map", seed_same_size_map },
};

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      fprintf (stderr, "usage: %s CORPUS-DIR\n", argv[0]);
      return 2;
    }
  if (g_mkdir_with_parents (argv[1], 0755) != 0)
    {
      fprintf (stderr, "%s: cannot create %s\n", argv[0], argv[1]);
      return 1;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (seeds); i++)
    {
      HfsrModelBuilder *builder = seeds[i].make ();
      GBytes *bytes = hfsr_model_builder_build (builder);
      char *file = g_strconcat (seeds[i].name, ".safetensors", NULL);
      char *path = g_build_filename (argv[1], file, NULL);
      GError *error = NULL;
      gsize size;
      const guint8 *data = g_bytes_get_data (bytes, &size);
      HfsrModel *model = hfsr_model_load_from_data (data, size, file, &error);

      if (model == NULL
          || !g_file_set_contents (path, (const char *) data, (gssize) size,
                                   &error))
        {
          fprintf (stderr, "%s: %s\n", argv[0], error->message);
          return 1;
        }
      hfsr_model_free (model);
      g_free (path);
      g_free (file);
      g_bytes_unref (bytes);
      hfsr_model_builder_free (builder);
    }
  return 0;
}
