/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libFuzzer target: any bytes through hfsr_model_load_from_data; a file
 * that loads is then run, whole and tiled, on a tiny image.  The only
 * acceptable outcomes are a model or a GError with a message.
 */
#include <stdint.h>
#include <stdlib.h>

#include "hfsr.h"

/* Output floats one run may write; a loaded model can legally have
 * thousands of channels, which would only slow the fuzzer down. */
#define MAX_RUN_FLOATS ((gsize) 1 << 22)

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* A critical is an API misuse inside the engine: make it a crash the
   * fuzzer reports. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

/* Output 0 over the whole tiny image, from an interleaved copy of
 * @input, in tiles of 2: every tile path (clipping, gather, scatter) runs. */
static void
run_tiled (const HfsrModel *model, const HfsrTensor *input)
{
  HfsrRect image = { 0, 0, input->width, input->height };
  int s = hfsr_model_get_scale (model);
  int out_channels = hfsr_model_get_output_channels (model, 0);
  HfsrImageView in_view
    = { NULL, input->channels, (gsize) image.width * input->channels, image };
  HfsrImageView out_view
    = { NULL, out_channels, 0, { 0, 0, image.width * s, image.height * s } };
  gsize plane = (gsize) image.width * image.height;
  gsize n = (gsize) out_view.rect.width * out_view.rect.height * out_channels;
  GError *error = NULL;

  if (n > MAX_RUN_FLOATS)
    return;
  in_view.data = g_new (float, hfsr_tensor_size (input));
  for (int c = 0; c < input->channels; c++)
    for (gsize p = 0; p < plane; p++)
      in_view.data[p * input->channels + c] = hfsr_tensor_plane (input, c)[p];
  out_view.rowstride = (gsize) out_view.rect.width * out_channels;
  out_view.data = g_new0 (float, n);
  if (!hfsr_model_run_region (model, &in_view, &image, &out_view, 2, NULL,
                              NULL, NULL, &error))
    {
      if (error == NULL)
        abort ();
      g_error_free (error);
    }
  g_free (out_view.data);
  g_free (in_view.data);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  HfsrModel *model = hfsr_model_load_from_data (data, size, "fuzz", &error);
  HfsrTensor *input, **outputs;
  int n_outputs;

  if (model == NULL)
    {
      if (error == NULL || error->message == NULL)
        abort ();
      g_error_free (error);
      return 0;
    }

  n_outputs = hfsr_model_get_n_outputs (model);
  input
    = hfsr_tensor_new (hfsr_model_get_input_channels (model), 3, 5, &error);
  if (input == NULL)
    abort ();
  for (gsize i = 0; i < hfsr_tensor_size (input); i++)
    input->data[i] = (float) (i % 7) / 7.0f;

  outputs = g_new0 (HfsrTensor *, n_outputs);
  if (hfsr_model_forward (model, input, outputs, NULL, &error))
    for (int i = 0; i < n_outputs; i++)
      hfsr_tensor_free (outputs[i]);
  else
    g_clear_error (&error);
  g_free (outputs);

  run_tiled (model, input);
  hfsr_tensor_free (input);
  hfsr_model_free (model);
  return 0;
}
