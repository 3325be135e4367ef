/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "model-test-util.h"

HfsrModelBuilder *
model_test_wdsr_builder (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("input", 3);

  hfsr_model_builder_add_conv2d (b, "head", "input", 3, 8, 3, 1);
  hfsr_model_builder_add_conv2d (b, "expand", "head", 8, 16, 3, 3);
  hfsr_model_builder_add_node (b, "act", "relu", "expand", NULL);
  hfsr_model_builder_add_conv2d (b, "reduce", "act", 16, 8, 3, 5);
  hfsr_model_builder_add_node (b, "block", "add", "reduce, head", NULL);
  hfsr_model_builder_add_x2_output (b, "block", 8, 7, 9);
  hfsr_model_builder_set_metadata (b, "hfsr.scale", "2");
  hfsr_model_builder_set_metadata (b, "hfsr.alpha", "0.25");
  hfsr_model_builder_set_metadata (b, "custom.key", "kept as is");
  return b;
}

GBytes *
model_test_wdsr_bytes (void)
{
  HfsrModelBuilder *b = model_test_wdsr_builder ();
  GBytes *bytes = hfsr_model_builder_build (b);

  hfsr_model_builder_free (b);
  return bytes;
}

HfsrModel *
model_test_load_bytes (GBytes *bytes, GError **error)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  return hfsr_model_load_from_data (data, size, MODEL_TEST_CASE_NAME, error);
}
