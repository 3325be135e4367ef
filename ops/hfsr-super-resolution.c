/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:super-resolution — upscales with the WDSR-A networks that Zhou et
 * al. train with an L1 loss counting only high-frequency pixels, so that
 * edges and texture come back instead of a blur.  The engine computes
 * every piece of a chunk by its tiling rule: chunks meet without seams and
 * image borders come out as in training.
 *
 * Any factor from 1 to 8 (docs/design.md, section 14): the networks exist
 * for x2, x3 and x4, so a plan (plan_for) runs the smallest network factor
 * at or above the one asked for, above 4 a x2 network then a x3 or x4 one
 * on its result, and resamples that down with a Lanczos-3 filter widened
 * by the ratio of the two factors, which removes what the smaller image
 * cannot hold.  Every output pixel's filter taps depend on its position
 * only, and the networks' pixels on the tiling rule only, so chunks and
 * threads still give the whole image's pixels.
 *
 * Alpha (docs/design.md, section 4): where the image is not opaque the network sees
 * premultiplied colour, so colour hidden under transparent pixels cannot
 * bleed into visible ones; alpha runs through the same network as a grey
 * image, and colour is divided by it again.  A sharpening network
 * overshoots at an alpha edge, and divided by a small alpha the overshoot
 * could become any colour: so colour stays within the range of the visible
 * input colours around the pixel, and a pixel with none around it is
 * transparent.  An output pixel whose whole receptive field is opaque is
 * opaque, with the plain network result, so a chunk comes out the same
 * whether or not transparency lies near it.
 *
 * Values: the networks were trained on R'G'B' in [0, 1], so the input is
 * clamped to that range (float images lose what lies beyond) and so is the
 * result.  Grey images stay grey: Y' runs through the network replicated to
 * R'G'B' and the mean of the three outputs is kept, written as Y'A float.
 */
#include "hfsr-config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

/* GEGL's property chant and op defines are not C: not formatted. */
/* clang-format off */
#ifdef GEGL_PROPERTIES

property_double (scale, _("Scale factor"), 2.0)
  description (_("How many times wider and taller the result is, from 1 "
                 "to 8; the size is rounded to the nearest pixel.  The "
                 "networks are trained for 2, 3 and 4: another factor "
                 "runs the smallest of them above it (above 4, the x2 "
                 "network and then the x3 or x4 one) and scales the result "
                 "down with a Lanczos filter."))
  value_range (1.0, 8.0)
  ui_range    (1.0, 8.0)
  ui_steps    (0.1, 0.5)
  ui_digits   (2)

enum_start (hfsr_sr_variant)
  enum_value (HFSR_SR_VARIANT_FIDELITY,   "fidelity",   N_("Fidelity"))
  enum_value (HFSR_SR_VARIANT_PERCEPTUAL, "perceptual", N_("Perceptual (sharp)"))
enum_end (HfsrSrVariant)

property_enum (variant, _("Variant"),
               HfsrSrVariant, hfsr_sr_variant, HFSR_SR_VARIANT_FIDELITY)
  description (_("Fidelity: the networks trained to come closest to the "
                 "original pixel by pixel, with the detail weight below.  "
                 "Perceptual: the same networks fine-tuned for sharpness "
                 "after Roh and Kang (a high-frequency feature loss, "
                 "gradient-similarity weighting and an adversarial stage): "
                 "crisper edges and texture, further from the original "
                 "pixel by pixel.  The detail weight does not apply to it."))

property_double (alpha, _("Detail weight (α)"), 0.2)
  description (_("How strongly the network favours fine detail: higher "
                 "values give crisper edges and texture, lower values a "
                 "smoother result; 0 is a plain network trained on every "
                 "pixel alike.  It is the α of Zhou et al.'s high-frequency "
                 "loss, which ignores pixels whose weight lies within α "
                 "standard deviations of the mean.  Between "
                 "the values that networks of this scale were trained for, "
                 "the weights of the two nearest are blended; beyond them "
                 "the nearest is used.  Ignored when a model file is "
                 "given, and by the perceptual variant."))
  value_range (0.0, 1.0 / 3.0)
  ui_steps    (0.01, 0.05)
  ui_digits   (3)
  ui_meta     ("visible", "variant {fidelity}")

property_file_path (model, _("Model file"), "")
  description (_("An hfsr model file (.safetensors) to use instead of the "
                 "shipped networks; it must upscale R'G'B' by the network "
                 "factor the scale needs (2 up to a scale of 2, 3 up to 3, "
                 "4 up to 4; above 4 a model file cannot be used).  The "
                 "detail weight is then ignored."))

#else

#define GEGL_OP_FILTER
#define GEGL_OP_NAME     hfsr_super_resolution
#define GEGL_OP_C_SOURCE hfsr-super-resolution.c

#include "gegl-op.h"
/* clang-format on */
#include "hfsr-op-common.h"

#define RGB_CHANNELS 3

/* How far beyond an output pixel's footprint GEGL's cubic sampler reads:
 * the fallback when no network can be had. */
#define CUBIC_MARGIN 2

/* A chunk is computed in pieces of the engine's default tile
 * (hfsr_model_get_tile_input), so each piece is one engine tile and memory
 * stays bounded whatever the size of the chunks GEGL asks for; without a
 * network, the cubic fallback's pieces span this many input pixels. */
#define FALLBACK_PIECE_INPUT 128

/* Where transparency is near, an output pixel's colour stays within the
 * visible input colours this many pixels around its footprint (3 x 3). */
#define NEIGHBOURHOOD 1

/* The Lanczos filter's lobes each side, and the most taps it has at the
 * widest ratio of network factor to scale (2, scale 1 on the x2 network):
 * 2 x 3 x 2 + 1. */
#define LANCZOS_LOBES 3
#define MAX_TAPS 16

/* Output pixels a side computed at once where the result is resampled. */
#define RESAMPLED_PIECE 256

/* How a scale is reached: @n_stages networks (the second run on the
 * first's output), which upscale @factor times in all; @exact where that
 * is the scale, else the result is resampled down to it. */
typedef struct
{
  int stages[2];
  int n_stages;
  int factor;
  gboolean exact;
} Plan;

/* The smallest network factor at or above the scale: 2, 3 or 4, or above
 * 4 x2 then x3 (6) or x4 (8).  The x2 network runs first because a
 * network's time follows its input's size: x2 then x4 costs 5 times the
 * x2 network's time on the input, x4 then x2 17 times.  The perceptual
 * variant has x2 and x4 networks only: 3 and what lies between come from
 * x4 (above 4, x2 then x4). */
static Plan
plan_for (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  gboolean x3 = o->variant != HFSR_SR_VARIANT_PERCEPTUAL;
  Plan plan = { { 0, 0 }, 1, 0, FALSE };

  if (o->scale <= 4.0)
    plan.stages[0] = o->scale <= 2.0 ? 2 : o->scale <= 3.0 && x3 ? 3 : 4;
  else
    {
      plan.stages[0] = 2;
      plan.stages[1] = o->scale <= 6.0 && x3 ? 3 : 4;
      plan.n_stages = 2;
    }
  plan.factor = plan.stages[0] * MAX (plan.stages[1], 1);
  plan.exact = plan.factor == o->scale;
  return plan;
}

static void
prepare (GeglOperation *operation)
{
  const Babl *source = gegl_operation_get_source_format (operation, "input");
  gboolean grey = source != NULL
                  && (babl_get_model_flags (babl_format_get_model (source))
                      & BABL_MODEL_FLAG_GRAY);

  /* Out premultiplied: where alpha is small, straight colour is the
   * network's premultiplied colour divided by its alpha, and that division
   * magnifies the last bits, which depend on how GEGL cut the image into
   * chunks (1.7e-4 between 1 and 4 threads at alpha 0.004).  Premultiplied,
   * the output is the same within 1e-5 for any chunking, as GEGL's own
   * filters give theirs. */
  hfsr_op_set_formats (operation, grey ? "Y'A float" : "R'G'B'A float", NULL,
                       grey ? "Y'aA float" : "R'aG'aB'aA float");
}

/* The model file, or the shipped family of the plan's first network
 * factor at alpha. */
static HfsrModel *
load_model (GeglOperation *operation, GError **error)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  const char *file = hfsr_op_model_file (o->model);
  Plan plan = plan_for (operation);

  if (file != NULL && plan.n_stages > 1)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "a model file holds one network, and scale %g needs two "
                   "(x2, then x%d): with a model file the scale is at most 4",
                   o->scale, plan.stages[1]);
      return NULL;
    }
  return hfsr_model_load_sr (file, plan.stages[0], o->alpha,
                             o->variant == HFSR_SR_VARIANT_PERCEPTUAL, error);
}

/* The plan's second network, where it has one. */
static HfsrModel *
load_next (GeglOperation *operation, GError **error)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  Plan plan = plan_for (operation);

  if (plan.n_stages < 2)
    return NULL;
  return hfsr_model_load_sr (NULL, plan.stages[1], o->alpha,
                             o->variant == HFSR_SR_VARIANT_PERCEPTUAL, error);
}

/* The networks depend on the plan's factors, not on the exact scale. */
static char *
model_key (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  const char *file = hfsr_op_model_file (o->model);
  Plan plan = plan_for (operation);
  char *file_key, *key;

  if (file == NULL)
    return g_strdup_printf ("x%d x%d alpha %.17g variant %d", plan.stages[0],
                            plan.stages[1], o->alpha, (int) o->variant);
  file_key = hfsr_op_model_file_key (file);
  key
    = g_strdup_printf ("x%d x%d %s", plan.stages[0], plan.stages[1], file_key);
  g_free (file_key);
  return key;
}

/* Without a network the op upscales with GEGL's cubic sampler. */
static const HfsrOpNetwork network
  = { model_key, load_model, load_next,
      "no network, upscaling with GEGL's cubic sampler instead: " };

/* The input that output @roi depends on with @model: what the tiling rule
 * asks for, and at least the neighbourhood of every footprint pixel. */
static GeglRectangle
network_input (const HfsrModel *model, const GeglRectangle *roi,
               const GeglRectangle *extent)
{
  HfsrRect output = hfsr_op_rect_to_engine (roi);
  HfsrRect image = hfsr_op_rect_to_engine (extent);
  HfsrRect need = hfsr_model_required_input (model, &output, &image);
  int margin = hfsr_model_get_margin (model);
  GeglRectangle rect = { need.x, need.y, need.width, need.height };

  if (margin >= 0 && margin < NEIGHBOURHOOD
      && !gegl_rectangle_is_empty (&rect))
    rect = hfsr_op_grow_within (&rect, NEIGHBOURHOOD - margin, extent);
  return rect;
}

/* The Lanczos filter's taps for one output pixel along one axis: @count
 * weights (summing to 1) of the network result's pixels from @first. */
typedef struct
{
  gint64 first;
  int count;
  double weights[MAX_TAPS];
} Taps;

static double
lanczos (double t)
{
  double a = fabs (t);

  if (a < 1e-12)
    return 1.0;
  if (a >= LANCZOS_LOBES)
    return 0.0;
  return LANCZOS_LOBES * sin (G_PI * a) * sin (G_PI * a / LANCZOS_LOBES)
         / (G_PI * G_PI * a * a);
}

/* The taps of output pixel @x, whose centre lies at (x + 0.5) @ratio - 0.5
 * in the network result ([@lo, @hi) along this axis, @ratio = its factor
 * / the scale >= 1).  The filter is widened by @ratio so that it removes
 * what the output cannot hold; taps beyond the image edge count as its
 * edge pixel. */
static void
lanczos_taps (gint64 x, double ratio, gint64 lo, gint64 hi, Taps *taps)
{
  double centre = ((double) x + 0.5) * ratio - 0.5;
  double reach = LANCZOS_LOBES * ratio;
  gint64 first = (gint64) floor (centre - reach) + 1;
  gint64 last = (gint64) ceil (centre + reach) - 1;
  double total = 0.0;

  taps->first = CLAMP (first, lo, hi - 1);
  taps->count = (int) (CLAMP (last, lo, hi - 1) - taps->first + 1);
  g_assert (taps->count <= MAX_TAPS);
  memset (taps->weights, 0, sizeof taps->weights);
  for (gint64 i = first; i <= last; i++)
    {
      double weight = lanczos (((double) i - centre) / ratio);

      taps->weights[CLAMP (i, lo, hi - 1) - taps->first] += weight;
      total += weight;
    }
  for (int k = 0; k < taps->count; k++)
    taps->weights[k] /= total;
}

/* The network result's pixels (within @top_extent, the input made @factor
 * times larger) that output @roi at @scale resamples. */
static GeglRectangle
resample_source (const GeglRectangle *roi, double scale, int factor,
                 const GeglRectangle *top_extent)
{
  double ratio = factor / scale;
  Taps x0, x1, y0, y1;
  GeglRectangle rect;

  lanczos_taps (roi->x, ratio, top_extent->x,
                (gint64) top_extent->x + top_extent->width, &x0);
  lanczos_taps ((gint64) roi->x + roi->width - 1, ratio, top_extent->x,
                (gint64) top_extent->x + top_extent->width, &x1);
  lanczos_taps (roi->y, ratio, top_extent->y,
                (gint64) top_extent->y + top_extent->height, &y0);
  lanczos_taps ((gint64) roi->y + roi->height - 1, ratio, top_extent->y,
                (gint64) top_extent->y + top_extent->height, &y1);
  gegl_rectangle_set (&rect, (gint) x0.first, (gint) y0.first,
                      (guint) (x1.first + x1.count - x0.first),
                      (guint) (y1.first + y1.count - y0.first));
  return rect;
}

/* The input that the plan's networks read for their output @top (in the
 * last network's result, made @plan's factor times larger than @extent). */
static GeglRectangle
plan_input (const HfsrOpModel *shared, const Plan *plan,
            const GeglRectangle *top, const GeglRectangle *extent)
{
  GeglRectangle rect = *top;

  if (plan->n_stages == 2)
    {
      GeglRectangle middle = hfsr_op_scale_up (extent, plan->stages[0]);

      rect = network_input (shared->next, &rect, &middle);
    }
  return network_input (shared->model, &rect, extent);
}

/* The input that output @roi depends on: what the plan's networks read for
 * the pixels the output resamples (network_input), or without a network
 * the cubic sampler's reach. */
static GeglRectangle
required_input (GeglOperation *operation, const HfsrOpModel *shared,
                const GeglRectangle *roi, const GeglRectangle *extent)
{
  double scale = GEGL_PROPERTIES (operation)->scale;
  Plan plan = plan_for (operation);
  GeglRectangle top_extent, footprint;

  if (gegl_rectangle_is_empty (roi))
    return *roi;
  if (shared != NULL)
    {
      top_extent = hfsr_op_scale_up (extent, plan.factor);
      footprint = plan.exact
                    ? *roi
                    : resample_source (roi, scale, plan.factor, &top_extent);
      return plan_input (shared, &plan, &footprint, extent);
    }

  footprint = hfsr_op_scale_down (roi, scale);
  return hfsr_op_grow_within (&footprint, CUBIC_MARGIN, extent);
}

/* A changed input pixel reaches, through each network, the output of its
 * margin (at least NEIGHBOURHOOD) around it, and then every output pixel
 * whose filter taps touch that.  Asked while properties are still being
 * set, it loads nothing: without the networks at hand all of the output
 * may have changed. */
static GeglRectangle
invalidated (GeglOperation *operation, const GeglRectangle *input_region)
{
  double scale = GEGL_PROPERTIES (operation)->scale;
  Plan plan = plan_for (operation);
  GeglRectangle extent = hfsr_op_source_extent (operation, "input");
  GeglRectangle box = hfsr_op_upscaled_bounding_box (operation, scale);
  HfsrOpModel *shared = hfsr_op_model_peek (operation, &network);
  GeglRectangle rect = *input_region;

  if (shared == NULL)
    return box;
  for (int k = 0; k < plan.n_stages; k++)
    {
      const HfsrModel *model = k == 0 ? shared->model : shared->next;
      int margin = hfsr_model_get_margin (model);
      GeglRectangle reach;

      if (margin != HFSR_OP_WHOLE_IMAGE)
        margin = MAX (margin, NEIGHBOURHOOD);
      reach = hfsr_op_grow_within (&rect, margin, &extent);
      rect = hfsr_op_scale_up (&reach, plan.stages[k]);
      extent = hfsr_op_scale_up (&extent, plan.stages[k]);
    }
  hfsr_op_model_release (shared);
  if (!plan.exact && !gegl_rectangle_is_empty (&rect))
    {
      double ratio = plan.factor / scale;
      double reach = LANCZOS_LOBES * ratio + 1.0;
      gint64 x0 = (gint64) floor ((rect.x - reach + 0.5) / ratio - 0.5);
      gint64 y0 = (gint64) floor ((rect.y - reach + 0.5) / ratio - 0.5);
      gint64 x1 = (gint64) ceil (
        ((gint64) rect.x + rect.width + reach + 0.5) / ratio + 0.5);
      gint64 y1 = (gint64) ceil (
        ((gint64) rect.y + rect.height + reach + 0.5) / ratio + 0.5);

      x0 = MAX (x0, box.x);
      y0 = MAX (y0, box.y);
      x1 = MIN (x1, (gint64) box.x + box.width);
      y1 = MIN (y1, (gint64) box.y + box.height);
      gegl_rectangle_set (&rect, (gint) x0, (gint) y0,
                          (guint) MAX (x1 - x0, 0), (guint) MAX (y1 - y0, 0));
      return rect;
    }
  gegl_rectangle_intersect (&rect, &rect, &box);
  return rect;
}

/* Besides the network's margin, an output pixel's colour depends on the
 * NEIGHBOURHOOD of its footprint. */
static int
margin (GeglOperation *operation)
{
  return NEIGHBOURHOOD;
}

/* NaN counts as 0. */
static inline float
clamp_unit (float value)
{
  return value > 0.0f ? (value < 1.0f ? value : 1.0f) : 0.0f;
}

/* Clamps @pixels (alpha last) to [0, 1], the range the networks were
 * trained on.  Returns whether all are opaque. */
static gboolean
clamp_pixels (float *pixels, gsize n_pixels, int channels)
{
  gboolean opaque = TRUE;

  for (gsize i = 0; i < n_pixels * channels; i++)
    pixels[i] = clamp_unit (pixels[i]);
  for (gsize i = 0; i < n_pixels && opaque; i++)
    opaque = pixels[i * channels + channels - 1] == 1.0f;
  return opaque;
}

static void
premultiply (float *pixels, gsize n_pixels, int channels)
{
  int alpha = channels - 1;

  for (gsize i = 0; i < n_pixels; i++)
    for (int c = 0; c < alpha; c++)
      pixels[i * channels + c] *= pixels[i * channels + alpha];
}

/* hfsr_model_run_region between interleaved pixels covering @need (input)
 * and @piece (output). */
static gboolean
run_network (const HfsrModel *model, float *in, int in_channels,
             const HfsrRect *need, const HfsrRect *image, float *out,
             int out_channels, const HfsrRect *piece, GError **error)
{
  HfsrImageView input
    = { in, in_channels, (gsize) need->width * in_channels, *need };
  HfsrImageView output
    = { out, out_channels, (gsize) piece->width * out_channels, *piece };

  return hfsr_model_run_region (model, &input, image, &output, 0, NULL, NULL,
                                NULL, error);
}

/* Runs the network on one channel of @in (Y', or alpha) as a grey image:
 * replicated to R'G'B', and the mean of the three outputs into the same
 * channel of @out (laid out as @piece) over @part of @piece.  The mean
 * keeps grey grey whatever the network does to colour. */
static gboolean
run_on_channel (const HfsrModel *model, const float *in, int channels,
                int channel, const HfsrRect *need, const HfsrRect *image,
                float *out, const HfsrRect *piece, const HfsrRect *part,
                GError **error)
{
  gsize n_in = (gsize) need->width * need->height;
  float *grey_in;
  float *grey_out = NULL;
  gboolean ok = FALSE;

  grey_in
    = hfsr_op_pixels_new (need->width, need->height, RGB_CHANNELS, error);
  if (grey_in != NULL)
    grey_out
      = hfsr_op_pixels_new (part->width, part->height, RGB_CHANNELS, error);
  if (grey_out != NULL)
    {
      for (gsize i = 0; i < n_in; i++)
        for (int c = 0; c < RGB_CHANNELS; c++)
          grey_in[i * RGB_CHANNELS + c] = in[i * channels + channel];

      ok = run_network (model, grey_in, RGB_CHANNELS, need, image, grey_out,
                        RGB_CHANNELS, part, error);

      for (int y = 0; ok && y < part->height; y++)
        for (int x = 0; x < part->width; x++)
          {
            const float *grey
              = grey_out + ((gsize) y * part->width + x) * RGB_CHANNELS;

            out[(((gsize) (part->y - piece->y) + y) * piece->width
                 + (part->x - piece->x) + x)
                  * channels
                + channel]
              = (grey[0] + grey[1] + grey[2]) / 3.0f;
          }
    }
  g_free (grey_out);
  g_free (grey_in);
  return ok;
}

/* Number of non-opaque pixels among the first @n of @alpha (@stride floats
 * apart), as prefix sums: @sums[i] counts those before i. */
static void
count_transparent (const float *alpha, gsize stride, int n, int *sums)
{
  sums[0] = 0;
  for (int i = 0; i < n; i++)
    sums[i + 1] = sums[i] + (alpha[i * stride] < 1.0f);
}

/* 1 for each pixel of @need (@pixels, alpha last) whose square
 * neighbourhood of @radius pixels is opaque, within @need, which holds all
 * of the image around the footprint of the piece: the output pixels above
 * such a pixel depend on opaque pixels only.  A negative radius is the
 * whole of @need. */
static guint8 *
opaque_neighbourhoods (const float *pixels, int channels, const HfsrRect *need,
                       int radius, GError **error)
{
  int width = need->width;
  int height = need->height;
  gsize n = (gsize) width * height;
  guint8 *mask = g_try_malloc (n);
  float *rows = g_try_new (float, n);
  int *sums = g_try_new (int, MAX (width, height) + 1);

  if (mask == NULL || rows == NULL || sums == NULL)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                   "no memory for the opacity of %dx%d pixels", width, height);
      g_clear_pointer (&mask, g_free);
      goto out;
    }
  if (radius < 0)
    radius = MAX (width, height);

  /* Rows first: @rows is 1 where the row's neighbourhood is opaque. */
  for (int y = 0; y < height; y++)
    {
      count_transparent (pixels + (gsize) y * width * channels + channels - 1,
                         channels, width, sums);
      for (int x = 0; x < width; x++)
        rows[(gsize) y * width + x]
          = sums[MIN (x + radius + 1, width)] == sums[MAX (x - radius, 0)];
    }
  for (int x = 0; x < width; x++)
    {
      count_transparent (rows + x, width, height, sums);
      for (int y = 0; y < height; y++)
        mask[(gsize) y * width + x]
          = sums[MIN (y + radius + 1, height)] == sums[MAX (y - radius, 0)];
    }

out:
  g_free (sums);
  g_free (rows);
  return mask;
}

/* Widens the colour ranges @range ([lo, hi] a colour channel) to take in
 * @other. */
static void
merge_ranges (float *range, const float *other, int colours)
{
  for (int c = 0; c < colours; c++)
    {
      range[2 * c] = MIN (range[2 * c], other[2 * c]);
      range[2 * c + 1] = MAX (range[2 * c + 1], other[2 * c + 1]);
    }
}

/* For each pixel of @need (@pixels, straight colour, alpha last): each
 * colour channel's lowest and highest value among the visible (alpha > 0)
 * pixels of its NEIGHBOURHOOD, within @need (which holds the image's
 * pixels there); lo > hi where none is visible.  Rows first, then columns
 * of the row ranges. */
static float *
visible_colour_ranges (const float *pixels, int channels, const HfsrRect *need,
                       GError **error)
{
  int colours = channels - 1;
  int width = need->width;
  int height = need->height;
  float *rows;
  float *ranges = NULL;

  rows = hfsr_op_pixels_new (width, height, 2 * colours, error);
  if (rows != NULL)
    ranges = hfsr_op_pixels_new (width, height, 2 * colours, error);
  if (ranges == NULL)
    {
      g_free (rows);
      return NULL;
    }

  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      const float *pixel = pixels + i * channels;
      float *range = ranges + i * 2 * colours;
      gboolean visible = pixel[colours] > 0.0f;

      for (int c = 0; c < colours; c++)
        {
          range[2 * c] = visible ? pixel[c] : G_MAXFLOAT;
          range[2 * c + 1] = visible ? pixel[c] : -G_MAXFLOAT;
        }
    }
  for (int pass = 0; pass < 2; pass++)
    {
      const float *from = pass == 0 ? ranges : rows;
      float *to = pass == 0 ? rows : ranges;

      for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
          {
            float *range = to + ((gsize) y * width + x) * 2 * colours;

            memcpy (range, from + ((gsize) y * width + x) * 2 * colours,
                    2 * colours * sizeof (float));
            for (int d = -NEIGHBOURHOOD; d <= NEIGHBOURHOOD; d++)
              {
                int nx = pass == 0 ? x + d : x;
                int ny = pass == 0 ? y : y + d;

                if (d != 0 && nx >= 0 && nx < width && ny >= 0 && ny < height)
                  merge_ranges (range,
                                from + ((gsize) ny * width + nx) * 2 * colours,
                                colours);
              }
          }
    }
  g_free (rows);
  return ranges;
}

/* The result's alpha and colour.  An output pixel above an opaque
 * neighbourhood (@opaque_around over @need; NULL when all is opaque) is
 * opaque with its colour as computed.  Elsewhere alpha is the network's,
 * clamped, and colour is divided by it again and kept within the visible
 * colours around (@ranges over @need); with none around, the pixel is
 * transparent.  Colour ends in [0, 1], then is premultiplied (prepare). */
static void
finish_pixels (float *pixels, int channels, const HfsrRect *piece,
               const guint8 *opaque_around, const float *ranges,
               const HfsrRect *need, int scale)
{
  int alpha = channels - 1;
  float *pixel = pixels;

  for (int y = piece->y; y < piece->y + piece->height; y++)
    {
      gsize row
        = (gsize) (hfsr_op_floor_div (y, scale) - need->y) * need->width;

      for (int x = piece->x; x < piece->x + piece->width;
           x++, pixel += channels)
        {
          gsize at = row + (gsize) (hfsr_op_floor_div (x, scale) - need->x);
          const float *range;
          float a;

          if (opaque_around == NULL || opaque_around[at])
            {
              pixel[alpha] = 1.0f;
              for (int c = 0; c < alpha; c++)
                pixel[c] = clamp_unit (pixel[c]);
              continue;
            }

          range = ranges + at * 2 * alpha;
          a = range[0] <= range[1] ? clamp_unit (pixel[alpha]) : 0.0f;
          pixel[alpha] = a;
          for (int c = 0; c < alpha; c++)
            pixel[c]
              = a > 0.0f
                  ? a * CLAMP (pixel[c] / a, range[2 * c], range[2 * c + 1])
                  : 0.0f;
        }
    }
}

/* The bounding box, within @piece (output), of the output pixels whose
 * input pixel (in @need, at @scale) has transparency within the margin:
 * where @opaque_around is 0. */
static HfsrRect
translucent_part (const guint8 *opaque_around, const HfsrRect *need,
                  const HfsrRect *piece, int scale)
{
  int x0 = G_MAXINT, y0 = G_MAXINT, x1 = G_MININT, y1 = G_MININT;
  HfsrRect part = { 0, 0, 0, 0 };

  for (int y = 0; y < need->height; y++)
    for (int x = 0; x < need->width; x++)
      if (!opaque_around[(gsize) y * need->width + x])
        {
          x0 = MIN (x0, x);
          x1 = MAX (x1, x);
          y0 = MIN (y0, y);
          y1 = MAX (y1, y);
        }
  if (x0 > x1)
    return part;
  x0 = MAX ((gint64) (need->x + x0) * scale, piece->x);
  y0 = MAX ((gint64) (need->y + y0) * scale, piece->y);
  x1 = MIN ((gint64) (need->x + x1 + 1) * scale, piece->x + piece->width);
  y1 = MIN ((gint64) (need->y + y1 + 1) * scale, piece->y + piece->height);
  if (x1 > x0 && y1 > y0)
    part = (HfsrRect) { x0, y0, x1 - x0, y1 - y0 };
  return part;
}

/* Computes @piece of the output with the network, from the input
 * network_input names. */
static gboolean
upscale_with_network (GeglOperation *operation, const HfsrModel *model,
                      GeglBuffer *input, GeglBuffer *output,
                      const GeglRectangle *extent,
                      const GeglRectangle *piece_rect, const Babl *format,
                      GError **error)
{
  int channels = babl_format_get_n_components (format);
  HfsrRect image = hfsr_op_rect_to_engine (extent);
  HfsrRect piece = hfsr_op_rect_to_engine (piece_rect);
  GeglRectangle need_rect = network_input (model, piece_rect, extent);
  HfsrRect need = hfsr_op_rect_to_engine (&need_rect);
  gsize n_in = (gsize) need.width * need.height;
  float *in;
  float *out = NULL;
  float *ranges = NULL;
  guint8 *opaque_around = NULL;
  gboolean opaque;
  gboolean ok = FALSE;

  in = hfsr_op_pixels_new (need.width, need.height, channels, error);
  if (in != NULL)
    out = hfsr_op_pixels_new (piece.width, piece.height, channels, error);
  /* Zeroed: where all is opaque nothing computes the alpha channel before
   * finish_pixels, and the check of what the networks computed reads it. */
  if (out != NULL)
    memset (out, 0, sizeof (float) * piece.width * piece.height * channels);
  if (out == NULL
      || !hfsr_op_get_pixels (operation, input, &need_rect,
                              gegl_operation_get_format (operation, "input"),
                              in, error))
    goto out;

  opaque = clamp_pixels (in, n_in, channels);
  if (!opaque)
    {
      opaque_around = opaque_neighbourhoods (
        in, channels, &need, hfsr_model_get_margin (model), error);
      if (opaque_around != NULL)
        ranges = visible_colour_ranges (in, channels, &need, error);
      if (ranges == NULL)
        goto out;
      premultiply (in, n_in, channels);
    }

  /* R'G'B'A: the network reads the first three channels as they are. */
  ok = channels == RGB_CHANNELS + 1
         ? run_network (model, in, channels, &need, &image, out, channels,
                        &piece, error)
         : run_on_channel (model, in, channels, 0, &need, &image, out, &piece,
                           &piece, error);
  /* The network's alpha is only kept where transparency is near
   * (finish_pixels makes the rest opaque), so it is only computed there:
   * a photo with a transparent border pays for the border, not twice for
   * the whole image.  The engine's tiling rule makes the part's pixels
   * those of a run over the whole piece. */
  if (ok && !opaque)
    {
      HfsrRect part = translucent_part (opaque_around, &need, &piece,
                                        hfsr_model_get_scale (model));

      if (part.width > 0 && part.height > 0)
        ok = run_on_channel (model, in, channels, channels - 1, &need, &image,
                             out, &piece, &part, error);
    }
  if (ok)
    {
      hfsr_op_check_network_output (
        operation, out, (gsize) piece.width * piece.height * channels);
      finish_pixels (out, channels, &piece, opaque_around, ranges, &need,
                     hfsr_model_get_scale (model));
      gegl_buffer_set (output, piece_rect, 0,
                       gegl_operation_get_format (operation, "output"), out,
                       GEGL_AUTO_ROWSTRIDE);
    }

out:
  g_free (ranges);
  g_free (opaque_around);
  g_free (out);
  g_free (in);
  return ok;
}

/* The cubic sampler's: R'G'B'A float of the input's space (hfsr_op_get_pixels
 * says why). */
static const Babl *
sampler_format (GeglOperation *operation)
{
  const Babl *input = gegl_operation_get_format (operation, "input");

  return babl_format_with_space ("R'G'B'A float",
                                 babl_format_get_space (input));
}

/* Without a network: GEGL's cubic sampler at the centre of each output
 * pixel, so that no image data is lost. */
static gboolean
upscale_cubic (GeglOperation *operation, GeglSampler *sampler,
               GeglBuffer *output, const GeglRectangle *piece, double scale,
               const Babl *format, GError **error)
{
  int channels = babl_format_get_n_components (format);
  gsize n_pixels = (gsize) piece->width * piece->height;
  float *rgba = hfsr_op_pixels_new (piece->width, piece->height, 4, error);
  float *pixels
    = rgba != NULL
        ? hfsr_op_pixels_new (piece->width, piece->height, channels, error)
        : NULL;
  float *pixel = rgba;

  if (pixels == NULL)
    {
      g_free (rgba);
      return FALSE;
    }

  for (int y = piece->y; y < piece->y + piece->height; y++)
    for (int x = piece->x; x < piece->x + piece->width; x++, pixel += 4)
      gegl_sampler_get (sampler, (x + 0.5) / scale, (y + 0.5) / scale, NULL,
                        pixel, GEGL_ABYSS_CLAMP);
  /* It reads the input as it is: the non-finite rule, then the documented
   * range (its cubic kernel overshoots at edges). */
  hfsr_op_make_input_finite (operation, rgba, 4 * n_pixels);
  babl_process (babl_fish (sampler_format (operation),
                           gegl_operation_get_format (operation, "input")),
                rgba, pixels, (long) n_pixels);
  g_free (rgba);
  for (gsize i = 0; i < n_pixels * channels; i++)
    pixels[i] = clamp_unit (pixels[i]);
  premultiply (pixels, n_pixels, channels);

  gegl_buffer_set (output, piece, 0,
                   gegl_operation_get_format (operation, "output"), pixels,
                   GEGL_AUTO_ROWSTRIDE);
  g_free (pixels);
  return TRUE;
}

/* @region of one network's result (@model's scale times @extent, the image
 * that @input holds) into @output, in pieces of one engine tile each (see
 * FALLBACK_PIECE_INPUT), or at once for a network that reads the whole
 * image. */
static gboolean
run_network_over (GeglOperation *operation, const HfsrModel *model,
                  GeglBuffer *input, const GeglRectangle *extent,
                  GeglBuffer *output, const GeglRectangle *region,
                  const Babl *format, GError **error)
{
  gint64 side = hfsr_model_get_margin (model) < 0
                  ? MAX (region->width, region->height)
                  : (gint64) hfsr_model_get_tile_input (model)
                      * hfsr_model_get_scale (model);

  for (gint64 y = region->y; y < region->y + region->height; y += side)
    for (gint64 x = region->x; x < region->x + region->width; x += side)
      {
        GeglRectangle piece
          = { (gint) x, (gint) y,
              (gint) MIN (side, region->x + region->width - x),
              (gint) MIN (side, region->y + region->height - y) };

        if (!upscale_with_network (operation, model, input, output, extent,
                                   &piece, format, error))
          return FALSE;
      }
  return TRUE;
}

/* Output @piece at @scale from @top (premultiplied @format, within
 * @top_extent, the input made @factor times larger) by the Lanczos taps:
 * rows, then columns, in double; premultiplied colour is kept within
 * [0, alpha] and alpha within [0, 1] (the filter overshoots at edges). */
static gboolean
resample_down (GeglBuffer *top, const GeglRectangle *top_rect,
               const GeglRectangle *top_extent, GeglBuffer *output,
               const GeglRectangle *piece, double scale, int factor,
               const Babl *format, GError **error)
{
  int channels = babl_format_get_n_components (format);
  double ratio = factor / scale;
  float *source
    = hfsr_op_pixels_new (top_rect->width, top_rect->height, channels, error);
  double *rows = NULL;
  float *pixels = NULL;
  Taps *columns = NULL;
  gboolean ok = FALSE;

  if (source != NULL)
    rows
      = g_try_new (double, (gsize) top_rect->height * piece->width * channels);
  if (rows != NULL)
    pixels = hfsr_op_pixels_new (piece->width, piece->height, channels, error);
  if (pixels != NULL)
    columns = g_try_new (Taps, piece->width);
  if (columns == NULL)
    {
      if (rows == NULL || pixels != NULL)
        g_set_error (error, HFSR_ERROR, HFSR_ERROR_NO_MEMORY,
                     "no memory to resample %dx%d pixels", top_rect->width,
                     top_rect->height);
      goto out;
    }
  gegl_buffer_get (top, top_rect, 1.0, format, source, GEGL_AUTO_ROWSTRIDE,
                   GEGL_ABYSS_NONE);

  for (int x = 0; x < piece->width; x++)
    lanczos_taps ((gint64) piece->x + x, ratio, top_extent->x,
                  (gint64) top_extent->x + top_extent->width, &columns[x]);
  for (int y = 0; y < top_rect->height; y++)
    for (int x = 0; x < piece->width; x++)
      {
        const Taps *taps = &columns[x];
        const float *from
          = source
            + ((gsize) y * top_rect->width + (taps->first - top_rect->x))
                * channels;
        double *to = rows + ((gsize) y * piece->width + x) * channels;

        for (int c = 0; c < channels; c++)
          {
            double sum = 0.0;

            for (int k = 0; k < taps->count; k++)
              sum += taps->weights[k] * from[k * channels + c];
            to[c] = sum;
          }
      }
  for (int y = 0; y < piece->height; y++)
    {
      Taps taps;

      lanczos_taps ((gint64) piece->y + y, ratio, top_extent->y,
                    (gint64) top_extent->y + top_extent->height, &taps);
      for (int x = 0; x < piece->width; x++)
        {
          float *pixel = pixels + ((gsize) y * piece->width + x) * channels;
          float alpha;

          for (int c = 0; c < channels; c++)
            {
              double sum = 0.0;

              for (int k = 0; k < taps.count; k++)
                sum += taps.weights[k]
                       * rows[((gsize) (taps.first - top_rect->y + k)
                                 * piece->width
                               + x)
                                * channels
                              + c];
              pixel[c] = (float) sum;
            }
          alpha = clamp_unit (pixel[channels - 1]);
          pixel[channels - 1] = alpha;
          for (int c = 0; c < channels - 1; c++)
            pixel[c] = pixel[c] > 0.0f ? MIN (pixel[c], alpha) : 0.0f;
        }
    }
  gegl_buffer_set (output, piece, 0, format, pixels, GEGL_AUTO_ROWSTRIDE);
  ok = TRUE;

out:
  g_free (columns);
  g_free (pixels);
  g_free (rows);
  g_free (source);
  return ok;
}

/* Output @piece by @plan's networks (@shared) and, where the plan is not
 * exact, the resampling: each network's result over what the next step
 * reads, kept in a buffer of the output's format, which the next network
 * reads back in its input format as it would read an image. */
static gboolean
upscale_by_plan (GeglOperation *operation, const HfsrOpModel *shared,
                 const Plan *plan, double scale, GeglBuffer *input,
                 GeglBuffer *output, const GeglRectangle *extent,
                 const GeglRectangle *piece, const Babl *format,
                 GError **error)
{
  GeglRectangle top_extent = hfsr_op_scale_up (extent, plan->factor);
  GeglRectangle top
    = plan->exact ? *piece
                  : resample_source (piece, scale, plan->factor, &top_extent);
  GeglRectangle source_extent = *extent;
  GeglBuffer *source = input, *middle = NULL, *result = NULL;
  const HfsrModel *last = shared->model;
  gboolean ok = TRUE;

  if (plan->n_stages == 2)
    {
      GeglRectangle middle_extent = hfsr_op_scale_up (extent, plan->stages[0]);
      GeglRectangle middle_rect
        = network_input (shared->next, &top, &middle_extent);

      middle = gegl_buffer_new (&middle_rect, format);
      ok = run_network_over (operation, shared->model, input, extent, middle,
                             &middle_rect, format, error);
      source = middle;
      source_extent = middle_extent;
      last = shared->next;
    }
  if (ok && plan->exact)
    ok = run_network_over (operation, last, source, &source_extent, output,
                           piece, format, error);
  else if (ok)
    {
      result = gegl_buffer_new (&top, format);
      ok = run_network_over (operation, last, source, &source_extent, result,
                             &top, format, error)
           && resample_down (result, &top, &top_extent, output, piece, scale,
                             plan->factor, format, error);
    }
  g_clear_object (&result);
  g_clear_object (&middle);
  return ok;
}

/* GEGL runs this in several threads at once, on different chunks (the
 * engine itself runs single-threaded: module.c).  It reports no progress
 * of its own: a node's progress signal sent from these threads would reach
 * a GUI off its main thread, and GEGL's processor reports progress chunk by
 * chunk. */
static gboolean
process (GeglOperation *operation, GeglBuffer *input, GeglBuffer *output,
         const GeglRectangle *result, gint level)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  const Babl *format = gegl_operation_get_format (operation, "output");
  const GeglRectangle *extent
    = gegl_operation_source_get_bounding_box (operation, "input");
  GeglRectangle wanted;
  GeglSampler *sampler = NULL;
  Plan plan = plan_for (operation);
  HfsrOpModel *shared;
  gint64 side;
  gboolean success = TRUE;

  if (extent == NULL
      || !hfsr_op_upscaled_part (operation, result, o->scale, &wanted))
    return TRUE;

  shared = hfsr_op_model_acquire (operation, &network);
  /* A network that depends on the whole image would redo all of it for
   * every piece: it takes the chunk at once.  One network at an integer
   * scale runs a tile a piece; resampled or chained results come in
   * pieces of their own, each running the networks in tiles. */
  if (shared == NULL)
    side = (gint64) ceil (FALLBACK_PIECE_INPUT * o->scale);
  else if (hfsr_model_get_margin (shared->model) < 0
           || (shared->next != NULL
               && hfsr_model_get_margin (shared->next) < 0))
    side = MAX (wanted.width, wanted.height);
  else if (plan.exact && plan.n_stages == 1)
    side = (gint64) hfsr_model_get_tile_input (shared->model) * plan.factor;
  else
    side = RESAMPLED_PIECE;

  for (gint64 y = wanted.y; success && y < wanted.y + wanted.height; y += side)
    for (gint64 x = wanted.x; success && x < wanted.x + wanted.width;
         x += side)
      {
        GeglRectangle piece
          = { (gint) x, (gint) y,
              (gint) MIN (side, wanted.x + wanted.width - x),
              (gint) MIN (side, wanted.y + wanted.height - y) };
        GError *error = NULL;

        if (shared != NULL
            && upscale_by_plan (operation, shared, &plan, o->scale, input,
                                output, extent, &piece, format, &error))
          continue;

        /* Out of memory, most likely: the rest of the chunk still gets
         * pixels. */
        if (shared != NULL)
          {
            g_prefix_error (&error, "upscaling with GEGL's cubic sampler "
                                    "instead: ");
            hfsr_op_warn (operation, &error);
            g_clear_pointer (&shared, hfsr_op_model_release);
          }
        if (sampler == NULL)
          sampler = gegl_buffer_sampler_new_at_level (
            input, sampler_format (operation), GEGL_SAMPLER_CUBIC, 0);
        success = upscale_cubic (operation, sampler, output, &piece, o->scale,
                                 format, &error);
        hfsr_op_warn (operation, &error);
      }

  g_clear_object (&sampler);
  hfsr_op_model_release (shared);
  return success;
}

static const HfsrOpInfo info = {
  .shape = HFSR_OP_UPSCALED,
  .margin = margin,
  .network = &network,
  .required = required_input,
  .invalidated = invalidated,
};

static void
gegl_op_class_init (GeglOpClass *klass)
{
  GeglOperationClass *operation_class = GEGL_OPERATION_CLASS (klass);

  GEGL_OPERATION_FILTER_CLASS (klass)->process = process;
  operation_class->prepare = prepare;
  /* Hidden from GIMP's filter lists and no gimp:menu-path: GIMP 3 would
   * apply it as a layer filter, which cannot grow the canvas (the layer
   * would show a quarter of the upscale).  The GIMP plug-ins' HF
   * Super-Resolution scales the image (docs/design.md, "GIMP front
   * ends"); GEGL and scripts still find the op by name. */
  hfsr_op_class_init (
    operation_class, &info, "name", "hfsr:super-resolution", "title",
    _ ("HF Super-Resolution"), "categories", "hidden:enhance:scale:hfsr",
    "description",
    _ ("Upscales 1 to 8 times with a WDSR-A network trained as Zhou et "
       "al. propose, with a loss that only counts the pixels holding "
       "high-frequency detail, so that edges and texture come back where "
       "an interpolation blurs them.  Transparent areas get no dark or "
       "coloured fringes and grey images stay grey.  Without a usable "
       "network the image is upscaled with the cubic sampler and a "
       "warning says why."),
    NULL);
}

#endif
