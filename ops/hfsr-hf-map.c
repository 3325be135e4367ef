/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:hf-map — where an image holds high-frequency detail: the weight map
 * and α-selection map of Zhou et al. (eq 4-7) or an FFT high-pass, computed
 * per colour channel by the engine's maps (engine/maps/).
 */
#include "hfsr-config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

/* GEGL's property chant and op defines are not C: not formatted. */
/* clang-format off */
#ifdef GEGL_PROPERTIES

enum_start (hfsr_hf_map_mode)
  enum_value (HFSR_HF_MAP_SIGNED,    "signed",    N_("Signed weight"))
  enum_value (HFSR_HF_MAP_MAGNITUDE, "magnitude", N_("Weight magnitude"))
  enum_value (HFSR_HF_MAP_SELECTION, "selection", N_("Selection"))
  enum_value (HFSR_HF_MAP_HIGHPASS,  "highpass",  N_("FFT high-pass"))
enum_end (HfsrHfMapMode)

property_enum (mode, _("Mode"),
               HfsrHfMapMode, hfsr_hf_map_mode, HFSR_HF_MAP_SELECTION)
  description (_("Signed weight: each pixel's difference to the up, down, "
                 "left or right neighbour that differs most, keeping its "
                 "sign, drawn as 0.5 + weight so that 0 is mid-grey "
                 "(Zhou et al. eq 4-6).  Weight magnitude: the absolute "
                 "weight.  Selection: 1 where the weight, normalised over the "
                 "whole image, lies further than the band half-width α (in "
                 "standard deviations) from its mean, else 0 (eq 7).  FFT "
                 "high-pass: the image without the frequencies below the "
                 "cut-off, drawn as 0.5 + high-pass.  Every colour channel "
                 "is mapped on its own; transparency is kept as it is."))

property_double (alpha, _("Band half-width (α)"), 0.2)
  description (_("Selection: pixels whose weight lies within this many "
                 "standard deviations of the mean weight are not selected "
                 "(black).  Higher values select fewer pixels, only the "
                 "strongest edges and texture; lower values select more, "
                 "and 0 selects every pixel whose weight is not exactly "
                 "the mean.  Zhou et al. use 1/7 to 1/3."))
  value_range (0.0, 1.0)
  ui_range    (0.0, 0.5)
  ui_steps    (0.01, 0.05)
  ui_digits   (3)
  ui_meta     ("visible", "mode {selection}")

property_double (cutoff, _("Cut-off frequency"), 0.1)
  description (_("FFT high-pass: the frequency below which everything is "
                 "removed, as a fraction of the finest the image can hold "
                 "(the Nyquist frequency).  Higher values keep only the "
                 "finest detail, lower values keep coarser structures "
                 "too."))
  value_range (0.0, 1.0)
  ui_steps    (0.01, 0.1)
  ui_digits   (3)
  ui_meta     ("visible", "mode {highpass}")

#else

#define GEGL_OP_FILTER
#define GEGL_OP_NAME     hfsr_hf_map
#define GEGL_OP_C_SOURCE hfsr-hf-map.c

#include "gegl-op.h"
/* clang-format on */
#include "hfsr-op-common.h"

#define N_COLOUR_CHANNELS 3

/* How far an output pixel looks: the four neighbours for the weights, the
 * whole image for the statistics of eq 7 and for the Fourier transform. */
static int
margin (GeglOperation *operation)
{
  switch (GEGL_PROPERTIES (operation)->mode)
    {
    case HFSR_HF_MAP_SIGNED:
    case HFSR_HF_MAP_MAGNITUDE:
      return 1;
    case HFSR_HF_MAP_SELECTION:
    case HFSR_HF_MAP_HIGHPASS:
      break;
    }
  return HFSR_OP_WHOLE_IMAGE;
}

static GeglRectangle
get_cached_region (GeglOperation *operation, const GeglRectangle *roi)
{
  /* A whole-image map is computed once, for the whole image, and kept: the
   * chunks GEGL asks for next come from the cache, not from new runs. */
  if (margin (operation) == HFSR_OP_WHOLE_IMAGE)
    return hfsr_op_required_within (operation, roi, HFSR_OP_WHOLE_IMAGE);
  return *roi;
}

/* The map of one colour plane of @width x @height pixels. */
static gboolean
map_plane (const GeglProperties *o, const float *plane, int width, int height,
           float *map, GError **error)
{
  gsize n_pixels = (gsize) width * height;

  switch (o->mode)
    {
    case HFSR_HF_MAP_SIGNED:
      hfsr_hf_weight_map (plane, width, height, map);
      for (gsize i = 0; i < n_pixels; i++)
        map[i] += HFSR_OP_SIGNED_ZERO;
      return TRUE;

    case HFSR_HF_MAP_MAGNITUDE:
      hfsr_hf_weight_map (plane, width, height, map);
      for (gsize i = 0; i < n_pixels; i++)
        map[i] = fabsf (map[i]);
      return TRUE;

    case HFSR_HF_MAP_SELECTION:
      hfsr_hf_weight_map (plane, width, height, map);
      hfsr_hf_selection_map (map, width, height, o->alpha, map);
      return TRUE;

    case HFSR_HF_MAP_HIGHPASS:
      if (!hfsr_highpass (plane, width, height, o->cutoff, map, error))
        return FALSE;
      for (gsize i = 0; i < n_pixels; i++)
        map[i] += HFSR_OP_SIGNED_ZERO;
      return TRUE;
    }

  g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
               "unknown mode %d", (int) o->mode);
  return FALSE;
}

/* The maps of @chunk's colour planes, alpha as it is
 * (HfsrOpInfo.planes). */
static gboolean
map_planes (GeglOperation *operation, HfsrOpChunk *chunk, GError **error)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  int width = chunk->region.width;
  int height = chunk->region.height;
  HfsrTensor *map;

  map = chunk->scratch = hfsr_tensor_new (1, height, width, error);
  if (map == NULL)
    return FALSE;

  /* Each colour plane makes way for its map as soon as that is done, so a
   * whole-image map needs one extra plane, not four. */
  for (int c = 0; c < N_COLOUR_CHANNELS; c++)
    {
      float *plane = hfsr_tensor_plane (chunk->input, c);

      if (!map_plane (o, plane, width, height, map->data, error))
        return FALSE;
      memcpy (plane, map->data, hfsr_tensor_size (map) * sizeof (float));
      chunk->planes[c] = plane;
    }
  chunk->planes[N_COLOUR_CHANNELS]
    = hfsr_tensor_plane (chunk->input, N_COLOUR_CHANNELS);
  return TRUE;
}

/* GEGL's filter splits @result between its threads; a whole-image map would
 * then be computed once per thread.  Those modes run the filter's process
 * (hfsr_op_class_init's) in one piece. */
static gboolean
operation_process (GeglOperation *operation, GeglOperationContext *context,
                   const gchar *output_prop, const GeglRectangle *result,
                   gint level)
{
  GeglBuffer *input;
  gboolean success;

  if (margin (operation) != HFSR_OP_WHOLE_IMAGE)
    return GEGL_OPERATION_CLASS (gegl_op_parent_class)
      ->process (operation, context, output_prop, result, level);

  input = (GeglBuffer *) gegl_operation_context_dup_object (context, "input");
  if (input == NULL)
    return FALSE;
  success = GEGL_OPERATION_FILTER_GET_CLASS (operation)->process (
    operation, input, gegl_operation_context_get_target (context, "output"),
    result, level);
  g_object_unref (input);
  return success;
}

static const HfsrOpInfo info = {
  .input_format = "R'G'B'A float",
  .output_format = "R'G'B'A float",
  .shape = HFSR_OP_LOCAL,
  .margin = margin,
  .planes = map_planes,
};

static void
gegl_op_class_init (GeglOpClass *klass)
{
  GeglOperationClass *operation_class = GEGL_OPERATION_CLASS (klass);

  operation_class->process = operation_process;
  operation_class->get_cached_region = get_cached_region;
  hfsr_op_class_init (
    operation_class, &info, "name", "hfsr:hf-map", "title",
    _ ("High-frequency map"), "categories", "edge-detect:hfsr",
    "gimp:menu-path", "<Image>/Filters/Edge-Detect", "gimp:menu-label",
    _ ("High-Frequency Map..."), "description",
    _ ("Shows where an image holds high-frequency detail, channel by "
       "channel: the weight map that Zhou et al. use to weigh a "
       "super-resolution loss and its selection of high-frequency pixels, "
       "or an FFT high-pass.  "
       "Signed maps draw 0 as mid-grey."),
    NULL);
}

#endif
