/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:gms-map — where an image differs in structure from a reference: the
 * gradient magnitude similarity (GMS) map of Roh & Kang and its hard
 * (binarised, opened) and soft (blurred, opened, iterated) forms, computed
 * by the engine's maps (engine/maps/).
 *
 * GMS is computed on Y', the luminance of the input's colour space with its
 * tone curve, as the GMSD paper that Roh & Kang follow (and that c = 170 was
 * tuned for) does: one structural verdict a pixel, not one a channel.  The
 * map is written as Y' float, values 0 (alike) to 1 (different).
 */
#include "hfsr-config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

/* GEGL's property chant and op defines are not C: not formatted. */
/* clang-format off */
#ifdef GEGL_PROPERTIES

enum_start (hfsr_gms_map_mode)
  enum_value (HFSR_GMS_MAP_GMS,  "gms",  N_("GMS"))
  enum_value (HFSR_GMS_MAP_HARD, "hard", N_("Hard"))
  enum_value (HFSR_GMS_MAP_SOFT, "soft", N_("Soft"))
enum_end (HfsrGmsMapMode)

property_enum (mode, _("Mode"),
               HfsrGmsMapMode, hfsr_gms_map_mode, HFSR_GMS_MAP_SOFT)
  description (_("GMS: 1 - (2 g1 g2 + c) / (g1² + g2² + c) of the Prewitt "
                 "gradient magnitudes g1, g2 of the image and the reference "
                 "(aux), 0 where their structure is alike, 1 where it "
                 "differs.  Hard: 1 where GMS exceeds the threshold, with "
                 "regions thinner than the radius removed by an opening.  "
                 "Soft: the hard map blurred and opened again, iterated, so "
                 "that region borders become gradual."))

property_double (threshold, _("Threshold"), 0.1)
  description (_("How different in structure (GMS) a pixel must be to "
                 "count as different: higher values mark fewer pixels, "
                 "only strong differences; lower values mark more."))
  value_range (0.0, 1.0)
  ui_range    (0.0, 0.5)
  ui_steps    (0.01, 0.05)
  ui_digits   (3)
  ui_meta     ("visible", "mode {hard, soft}")

property_int (radius, _("Speck removal radius"), 1)
  description (_("Marked regions thinner than this disk are removed (a "
                 "morphological opening: shrink, then grow back).  Higher "
                 "values remove larger specks and thin lines; 0 keeps every "
                 "marked pixel."))
  value_range (0, 50)
  ui_range    (0, 10)
  ui_meta     ("unit", "pixel-distance")
  ui_meta     ("visible", "mode {hard, soft}")

property_double (sigma, _("Blur size (σ)"), 1.5)
  description (_("How much each soft iteration blurs the map (the standard "
                 "deviation σ of the Gaussian blur, in pixels): higher "
                 "values give wider, more gradual region borders."))
  value_range (0.1, 20.0)
  ui_range    (0.5, 5.0)
  ui_digits   (2)
  ui_meta     ("unit", "pixel-distance")
  ui_meta     ("visible", "mode {soft}")

property_int (iterations, _("Iterations"), 2)
  description (_("How often the soft map is blurred and opened: more "
                 "iterations give smoother, more gradual borders."))
  value_range (1, 20)
  ui_range    (1, 10)
  ui_meta     ("visible", "mode {soft}")

#else

#define GEGL_OP_COMPOSER
#define GEGL_OP_NAME     hfsr_gms_map
#define GEGL_OP_C_SOURCE hfsr-gms-map.c

#include "gegl-op.h"
/* clang-format on */
#include "hfsr-op-common.h"

/* Roh & Kang's c for 8-bit values; the maps work on [0, 1]. */
#define GMS_C_8BIT 170.0
#define GMS_C (GMS_C_8BIT / (255.0 * 255.0))

/* What the map holds where it cannot be computed: "different", so that a
 * missing or mismatched reference never passes for a perfect match. */
#define GMS_UNKNOWN 1.0f

/* How far an output pixel looks: the Prewitt kernel, then each opening
 * (erosion and dilation, a radius each) and each Gaussian (kernel radius
 * ceil (3 sigma), as engine/maps/ truncates it). */
static int
margin (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  int prewitt = 1;
  int opening = 2 * o->radius;
  int blur = (int) ceil (3.0 * o->sigma);

  switch (o->mode)
    {
    case HFSR_GMS_MAP_GMS:
      return prewitt;
    case HFSR_GMS_MAP_HARD:
      return prewitt + opening;
    case HFSR_GMS_MAP_SOFT:
      return prewitt + opening + o->iterations * (blur + opening);
    }
  return HFSR_OP_WHOLE_IMAGE;
}

/* @map holds the GMS map; leaves the map of o->mode in @map or @scratch
 * and returns that plane; NULL with @error set on failure. */
static float *
shape_map (const GeglProperties *o, float *map, float *scratch, int width,
           int height, GError **error)
{
  gsize n_pixels = (gsize) width * height;

  if (o->mode == HFSR_GMS_MAP_GMS)
    return map;

  for (gsize i = 0; i < n_pixels; i++)
    map[i] = map[i] > o->threshold ? 1.0f : 0.0f;
  if (!hfsr_morph_open (map, width, height, o->radius, scratch, error))
    return NULL;
  if (o->mode == HFSR_GMS_MAP_HARD)
    return scratch;

  for (int i = 0; i < o->iterations; i++)
    if (!hfsr_gaussian_blur (scratch, width, height, o->sigma, map, error)
        || !hfsr_morph_open (map, width, height, o->radius, scratch, error))
      return NULL;
  return scratch;
}

/* The map of @chunk's input against its reference (aux)
 * (HfsrOpInfo.planes). */
static gboolean
compare (GeglOperation *operation, HfsrOpChunk *chunk, GError **error)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  int width = chunk->region.width;
  int height = chunk->region.height;
  float *image = chunk->input->data;
  HfsrTensor *work;

  work = chunk->scratch = hfsr_tensor_new (2, height, width, error);
  if (work == NULL)
    return FALSE;

  hfsr_gradient_magnitude (image, width, height, hfsr_tensor_plane (work, 0));
  hfsr_gradient_magnitude (chunk->aux->data, width, height,
                           hfsr_tensor_plane (work, 1));
  /* The image's own pixels are no longer needed: they take the map. */
  hfsr_gms_map (hfsr_tensor_plane (work, 0), hfsr_tensor_plane (work, 1),
                (gsize) width * height, GMS_C, image);

  chunk->planes[0]
    = shape_map (o, image, hfsr_tensor_plane (work, 0), width, height, error);
  return chunk->planes[0] != NULL;
}

/* Checks the reference once, before GEGL splits the work between threads:
 * without a reference of the input's own extent there is nothing to
 * compare, which is reported once and drawn as GMS_UNKNOWN everywhere. */
static gboolean
operation_process (GeglOperation *operation, GeglOperationContext *context,
                   const gchar *output_prop, const GeglRectangle *result,
                   gint level)
{
  const GeglRectangle *extent
    = gegl_operation_source_get_bounding_box (operation, "input");
  const GeglRectangle *reference
    = gegl_operation_source_get_bounding_box (operation, "aux");
  const float unknown = GMS_UNKNOWN;

  if (extent != NULL
      && (reference == NULL || !gegl_rectangle_equal (extent, reference)))
    {
      if (reference == NULL)
        g_warning ("hfsr:gms-map: no reference image on the aux pad; "
                   "the map is %g (different) everywhere",
                   unknown);
      else
        g_warning ("hfsr:gms-map: the reference (aux, %d,%d %dx%d) must "
                   "cover the same rectangle as the input (%d,%d %dx%d); "
                   "the map is %g (different) everywhere",
                   reference->x, reference->y, reference->width,
                   reference->height, extent->x, extent->y, extent->width,
                   extent->height, unknown);

      gegl_buffer_set_color_from_pixel (
        gegl_operation_context_get_target (context, "output"), result,
        &unknown, gegl_operation_get_format (operation, "output"));
      return TRUE;
    }

  return GEGL_OPERATION_CLASS (gegl_op_parent_class)
    ->process (operation, context, output_prop, result, level);
}

/* Both images in the input's space, so that their Y' are comparable; the
 * map is of the input image, the reference only has to match it. */
static const HfsrOpInfo info = {
  .input_format = "Y' float",
  .aux_format = "Y' float",
  .output_format = "Y' float",
  .shape = HFSR_OP_LOCAL,
  .margin = margin,
  .planes = compare,
};

static void
gegl_op_class_init (GeglOpClass *klass)
{
  GeglOperationClass *operation_class = GEGL_OPERATION_CLASS (klass);

  operation_class->process = operation_process;
  hfsr_op_class_init (
    operation_class, &info, "name", "hfsr:gms-map", "title",
    _ ("Gradient magnitude similarity map"), "categories", "edge-detect:hfsr",
    "gimp:menu-path", "<Image>/Filters/Edge-Detect", "gimp:menu-label",
    _ ("GMS Map..."), "description",
    _ ("Compares the structure of an image with a reference (aux) of the "
       "same size, as Roh & Kang do to find the badly restored regions of "
       "a super-resolved image: the gradient magnitude similarity of their "
       "luminance, or its hard and soft masks.  0 (black) is alike, "
       "1 (white) is different.  Without a reference of the input's size "
       "the map is 1 everywhere and a warning says why."),
    NULL);
}

#endif
