/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:super-resolution — upscales x2, x3 or x4 with the WDSR-A networks
 * that Zhou et al. train with an L1 loss counting only high-frequency
 * pixels, so that edges and texture come back instead of a blur.  The
 * engine computes every piece of a chunk by its tiling rule: chunks meet
 * without seams and image borders come out as in training.
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

#include <string.h>
#include <glib/gi18n-lib.h>

/* GEGL's property chant and op defines are not C: not formatted. */
/* clang-format off */
#ifdef GEGL_PROPERTIES

property_int (scale, _("Scale factor"), 2)
  description (_("How many times wider and taller the result is.  Each "
                 "scale factor has its own trained networks."))
  value_range (2, 4)

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
                 "given."))
  value_range (0.0, 1.0 / 3.0)
  ui_steps    (0.01, 0.05)
  ui_digits   (3)

property_file_path (model, _("Model file"), "")
  description (_("An hfsr model file (.safetensors) to use instead of the "
                 "shipped networks; it must upscale R'G'B' by the chosen "
                 "scale.  The detail weight is then ignored."))

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

/* The model file, or the shipped family of the scale at alpha. */
static HfsrModel *
load_model (GeglOperation *operation, GError **error)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);

  return hfsr_model_load_sr (hfsr_op_model_file (o->model), o->scale, o->alpha,
                             error);
}

static char *
model_key (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  const char *file = hfsr_op_model_file (o->model);
  char *file_key, *key;

  if (file == NULL)
    return g_strdup_printf ("x%d alpha %.17g", o->scale, o->alpha);
  file_key = hfsr_op_model_file_key (file);
  key = g_strdup_printf ("x%d %s", o->scale, file_key);
  g_free (file_key);
  return key;
}

/* Without a network the op upscales with GEGL's cubic sampler. */
static const HfsrOpNetwork network
  = { model_key, load_model,
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

/* The input that output @roi depends on: see network_input, or without a
 * network the cubic sampler's reach. */
static GeglRectangle
required_input (GeglOperation *operation, const HfsrModel *model,
                const GeglRectangle *roi, const GeglRectangle *extent)
{
  GeglRectangle footprint;

  if (model != NULL)
    return network_input (model, roi, extent);

  footprint = hfsr_op_scale_down (roi, GEGL_PROPERTIES (operation)->scale);
  return hfsr_op_grow_within (&footprint, CUBIC_MARGIN, extent);
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
               GeglBuffer *output, const GeglRectangle *piece, int scale,
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
  HfsrOpModel *shared;
  gint64 side;
  gboolean success = TRUE;

  if (extent == NULL
      || !hfsr_op_upscaled_part (operation, result, o->scale, &wanted))
    return TRUE;

  shared = hfsr_op_model_acquire (operation, &network);
  /* A network that depends on the whole image would redo all of it for
   * every piece: it takes the chunk at once. */
  if (shared == NULL)
    side = FALLBACK_PIECE_INPUT * o->scale;
  else if (hfsr_model_get_margin (shared->model) < 0)
    side = MAX (wanted.width, wanted.height);
  else
    side = (gint64) hfsr_model_get_tile_input (shared->model) * o->scale;

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
            && upscale_with_network (operation, shared->model, input, output,
                                     extent, &piece, format, &error))
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
    _ ("Upscales 2, 3 or 4 times with a WDSR-A network trained as Zhou et "
       "al. propose, with a loss that only counts the pixels holding "
       "high-frequency detail, so that edges and texture come back where "
       "an interpolation blurs them.  Transparent areas get no dark or "
       "coloured fringes and grey images stay grey.  Without a usable "
       "network the image is upscaled with the cubic sampler and a "
       "warning says why."),
    NULL);
}

#endif
