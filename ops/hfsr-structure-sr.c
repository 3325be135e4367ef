/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr:structure-sr — Structure-aware SR (SR², Schirrmacher et al.): the
 * upscale of a grey crop by a network that was trained together with a
 * classifier sharing its first layers, so that it keeps the shape of what
 * it recognises.  The class itself is a whole-image answer a GEGL graph
 * cannot hand back: hfsr-classify and the GIMP plug-in ask the engine for
 * it (hfsr_model_classify).
 */
#include "hfsr-config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

/* GEGL's property chant and op defines are not C: not formatted. */
/* clang-format off */
#ifdef GEGL_PROPERTIES

enum_start (hfsr_structure_sr_arch)
  enum_value (HFSR_STRUCTURE_SR_FSRCNN,     "fsrcnn",     N_("SR²-FSRCNN"))
  enum_value (HFSR_STRUCTURE_SR_WDSR,       "wdsr",       N_("SR²-WDSR"))
  enum_value (HFSR_STRUCTURE_SR_SEQUENTIAL, "sequential",
              N_("Sequential (SR, then classifier)"))
  enum_value (HFSR_STRUCTURE_SR_FSRCNN_NOISY, "fsrcnn-noisy",
              N_("SR²-FSRCNN for noisy input"))
enum_end (HfsrStructureSrArch)

enum_start (hfsr_structure_sr_polarity)
  enum_value (HFSR_STRUCTURE_SR_AUTO,          "auto",
              N_("Detect from the border"))
  enum_value (HFSR_STRUCTURE_SR_LIGHT_ON_DARK, "light-on-dark",
              N_("Light on dark"))
  enum_value (HFSR_STRUCTURE_SR_DARK_ON_LIGHT, "dark-on-light",
              N_("Dark on light"))
enum_end (HfsrStructureSrPolarity)

property_int (scale, _("Scale factor"), 4)
  description (_("Upscaling factor: networks are trained for 2 and 4."))
  value_range (2, 4)

property_enum (arch, _("Network"), HfsrStructureSrArch,
               hfsr_structure_sr_arch, HFSR_STRUCTURE_SR_FSRCNN)
  description (_("Which network upscales: SR²-FSRCNN and SR²-WDSR share "
                 "their first layers with the digit classifier; "
                 "sequential, the baseline, upscales first and classifies "
                 "the upscale.  SR²-FSRCNN for noisy input was also trained "
                 "on grainy digits: it holds up better under noise and "
                 "smooths clean input a little more."))

property_int (shared_layers, _("Shared layers"), 1)
  description (_("Layers shared by upscaling and classification: 1, or 4 "
                 "for SR²-WDSR.  More shared layers remove more noise, "
                 "fewer keep more detail."))
  value_range (1, 4)
  ui_meta     ("visible", "arch {wdsr}")

property_double (lambda, _("Class weight (λ)"), 9.0)
  description (_("How much the network was trained to keep the digit "
                 "recognisable (λ, the weight of the classification "
                 "loss): higher values keep its shape clearer, also under "
                 "noise; 0 is plain super-resolution.  Values between two "
                 "trained ones blend those networks' weights (trained: 0, "
                 "1 and 9 for both SR²-FSRCNN; 0 and 9 for SR²-WDSR; 0 and "
                 "0.11 for sequential)."))
  value_range (0.0, 9.0)

property_enum (polarity, _("Characters"), HfsrStructureSrPolarity,
               hfsr_structure_sr_polarity, HFSR_STRUCTURE_SR_AUTO)
  description (_("The networks learnt light digits on a dark ground; dark "
                 "characters on a light ground (a sign, a printed page) are "
                 "shown to them inverted and the result inverted back.  "
                 "Detect: dark on light where the pixels along the crop's "
                 "edge, its ground, are light on average (this reads the "
                 "whole image)."))

property_file_path (model, _("Model file"), "")
  description (_("An SR² network to use instead of the shipped ones."))

#else

#define GEGL_OP_FILTER
#define GEGL_OP_NAME     hfsr_structure_sr
#define GEGL_OP_C_SOURCE hfsr-structure-sr.c

#include "gegl-op.h"
/* clang-format on */
#include "hfsr-op-common.h"

/* Indexed by HfsrStructureSrArch; the engine's names of the families. */
static const char *arch_names[]
  = { "fsrcnn", "wdsr", "sequential", "fsrcnn-noisy" };

static HfsrModel *
load_model (GeglOperation *operation, GError **error)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);

  return hfsr_model_load_structure_sr (hfsr_op_model_file (o->model), o->scale,
                                       arch_names[o->arch], o->shared_layers,
                                       o->lambda, error);
}

static char *
model_key (GeglOperation *operation)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  char *file = hfsr_op_model_file_key (hfsr_op_model_file (o->model));
  char *key
    = g_strdup_printf ("x%d %s %d %.17g %s", o->scale, arch_names[o->arch],
                       o->shared_layers, o->lambda, file);

  g_free (file);
  return key;
}

static const HfsrOpNetwork network
  = { model_key, load_model, NULL, "no network: bicubic upscale instead: " };

/* What the network (or, without one, the bicubic fallback) reads for
 * @roi, within the image.  Both work in image coordinates from (0, 0):
 * GEGL's extent is moved there and back. */
static GeglRectangle
model_input (GeglOperation *operation, const HfsrModel *model,
             const GeglRectangle *roi, const GeglRectangle *extent)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  GeglRectangle wanted, need;
  HfsrRect target, image = { 0, 0, extent->width, extent->height };
  HfsrRect rect;

  if (!hfsr_op_upscaled_part (operation, roi, o->scale, &wanted))
    return wanted;
  target = hfsr_op_rect_to_engine (&wanted);
  target.x -= extent->x * o->scale;
  target.y -= extent->y * o->scale;
  if (model != NULL)
    rect = hfsr_model_required_input (model, &target, &image);
  else
    rect = hfsr_imresize_required_input (extent->width, extent->height,
                                         extent->width * o->scale,
                                         extent->height * o->scale, &target);
  need = hfsr_op_rect_from_engine (&rect);
  need.x += extent->x;
  need.y += extent->y;
  /* the bicubic kernel's mirrored samples lie inside the image */
  gegl_rectangle_intersect (&need, &need, extent);
  return need;
}

/* HfsrOpInfo.required: model_input with the network of the settings;
 * detecting the polarity reads the whole image. */
static GeglRectangle
required_input (GeglOperation *operation, const HfsrOpModel *shared,
                const GeglRectangle *roi, const GeglRectangle *extent)
{
  if (GEGL_PROPERTIES (operation)->polarity == HFSR_STRUCTURE_SR_AUTO)
    return *extent;
  return model_input (operation, shared != NULL ? shared->model : NULL, roi,
                      extent);
}

/* Beyond the network's margin, a detected polarity depends on the whole
 * image's border. */
static int
margin (GeglOperation *operation)
{
  return GEGL_PROPERTIES (operation)->polarity == HFSR_STRUCTURE_SR_AUTO
           ? HFSR_OP_WHOLE_IMAGE
           : 0;
}

/* Y' times alpha in the first plane of @planes (@n pixels), after
 * inverting Y' for dark characters: either way transparent reads as the
 * ground the networks know (black), see info. */
static void
premultiply_grey (HfsrTensor *planes, gsize n, gboolean invert)
{
  const float *alpha = hfsr_tensor_plane (planes, 1);

  if (invert)
    hfsr_sr2_invert (planes->data, n);
  for (gsize i = 0; i < n; i++)
    planes->data[i] *= alpha[i];
}

/* Whether the image must be shown inverted: as the polarity says, or
 * detected on the whole image as the networks see it (premultiplied). */
static gboolean
dark_on_light (GeglOperation *operation, GeglBuffer *input,
               const GeglRectangle *extent, const Babl *format, GError **error,
               gboolean *dark)
{
  GeglProperties *o = GEGL_PROPERTIES (operation);
  HfsrTensor *whole;

  *dark = o->polarity == HFSR_STRUCTURE_SR_DARK_ON_LIGHT;
  if (o->polarity != HFSR_STRUCTURE_SR_AUTO)
    return TRUE;
  whole = hfsr_op_read_planes (operation, input, extent, format, error);
  if (whole == NULL)
    return FALSE;
  premultiply_grey (whole, (gsize) extent->width * extent->height, FALSE);
  *dark = hfsr_sr2_dark_on_light (whole->data, extent->width, extent->height);
  hfsr_tensor_free (whole);
  return TRUE;
}

/* @piece of the upscale into @out (piece-sized), clamped to [0, 1]; without
 * a network (job->model NULL) the bicubic fallback's. */
static gboolean
upscale_piece (const GeglRectangle *piece, float *out, gpointer data,
               GError **error)
{
  const HfsrOpNetworkJob *job = data;
  GeglOperation *operation = job->operation;
  const HfsrModel *model = job->model;
  const GeglRectangle *extent = job->extent;
  GeglProperties *o = GEGL_PROPERTIES (operation);
  const Babl *format = gegl_operation_get_format (operation, "input");
  GeglRectangle need = model_input (operation, model, piece, extent);
  HfsrTensor *planes
    = hfsr_op_read_planes (operation, job->input, &need, format, error);
  HfsrRect in_rect = hfsr_op_rect_to_engine (&need), out_rect;
  HfsrRect image = { 0, 0, extent->width, extent->height };
  gboolean done, dark;

  if (planes == NULL)
    return FALSE;
  if (!dark_on_light (operation, job->input, extent, format, error, &dark))
    {
      hfsr_tensor_free (planes);
      return FALSE;
    }
  premultiply_grey (planes, (gsize) need.width * need.height, dark);
  in_rect.x -= extent->x;
  in_rect.y -= extent->y;
  out_rect = hfsr_op_rect_to_engine (piece);
  out_rect.x -= extent->x * o->scale;
  out_rect.y -= extent->y * o->scale;
  if (model != NULL)
    {
      HfsrImageView in_view
        = { planes->data, 1, (gsize) in_rect.width, in_rect };
      HfsrImageView out_view = { out, 1, (gsize) out_rect.width, out_rect };

      done = hfsr_model_run_region (model, &in_view, &image, &out_view, 0,
                                    NULL, NULL, NULL, error);
      if (done)
        hfsr_op_check_network_output (operation, out,
                                      (gsize) piece->width * piece->height);
    }
  else
    done = hfsr_imresize_region (planes->data, &in_rect, extent->width,
                                 extent->height, extent->width * o->scale,
                                 extent->height * o->scale, &out_rect, out,
                                 error);
  for (gsize i = 0; done && i < (gsize) piece->width * piece->height; i++)
    out[i] = out[i] > 0.0f ? (out[i] < 1.0f ? out[i] : 1.0f) : 0.0f;
  if (done && dark)
    hfsr_sr2_invert (out, (gsize) piece->width * piece->height);
  hfsr_tensor_free (planes);
  return done;
}

/* Grey and alpha in, premultiplied here (premultiply_grey): a transparent
 * pixel reads as black, the ground the digit networks learnt light
 * characters on (for dark characters, after the inversion).  Not babl's "Y'aA float": babl 0.1.98 writes past its
 * buffer converting "Y'A u8" or "Y'A float" to it (tests/ops/
 * test-reliability.py meets every format).  Grey out, opaque.  A changed
 * input pixel reaches as far as the network looks. */
static const HfsrOpInfo info = {
  .input_format = "Y'A float",
  .output_format = "Y' float",
  .shape = HFSR_OP_UPSCALED,
  .margin = margin,
  .network = &network,
  .required = required_input,
  .piece = upscale_piece,
};

static void
gegl_op_class_init (GeglOpClass *klass)
{
  /* Hidden from GIMP's filter lists: a layer filter cannot grow the
   * canvas (see hfsr-super-resolution.c); the GIMP plug-ins run it. */
  hfsr_op_class_init (
    GEGL_OPERATION_CLASS (klass), &info, "name", "hfsr:structure-sr", "title",
    _ ("Structure-aware Super-Resolution"), "categories", "hidden:enhance",
    "description",
    _ ("Upscales a grey crop x2 or x4 with an SR² network (Schirrmacher "
       "et al.), trained together with a digit classifier so that it "
       "keeps the shape of what it recognises, also under noise.  Works "
       "on any image size; the networks learnt light handwritten digits "
       "on a dark ground (MNIST), and the class they see is meaningful "
       "for a crop holding one character (hfsr-classify, or the GIMP "
       "filter).  Colour is read as its luminance, transparency as "
       "black."),
    NULL);
}

#endif
