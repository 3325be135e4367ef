/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The PDB procedures of both front ends (GIMP 2.10's hfsr-plugin.c, GIMP
 * 3's hfsr-plugin3.c): names, arguments and texts.  Ranges and defaults
 * are the ops' own, read at run time.
 */
#include "hfsr-config.h"

#include <locale.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <gegl.h>

#include "hfsr-plugin.h"

static const HfsrArg super_resolution_args[] = {
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "scale",
    "Upscaling factor, 1 to 8: 2, 3 and 4 run a trained network, another "
    "factor the next larger one (above 4, x2 then x3 or x4) scaled down; "
    "the size is rounded to the nearest pixel" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "alpha",
    "Detail weight: the alpha of the high-frequency loss the model was "
    "trained with (0 = plain L1, up to 1/3: more weight on detail); models "
    "are blended between trained values" },
  { HFSR_ARG_NEW_IMAGE, HFSR_TYPE_INT, "new-image",
    "TRUE: open the result as a new image; FALSE: scale the image in "
    "place (other layers by GIMP's interpolation, positions scaled)" },
  /* Last, so that in GIMP 2.10 the other arguments keep their places. */
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "variant",
    "The networks: { FIDELITY (0), PERCEPTUAL (1) }: fidelity comes "
    "closest to the original pixel by pixel (with alpha), perceptual is "
    "fine-tuned for sharpness (alpha ignored)" },
};

static const HfsrArg hf_map_args[] = {
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "mode",
    "The map: { SIGNED (0), MAGNITUDE (1), SELECTION (2), "
    "HIGHPASS (3) }" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "alpha",
    "SELECTION: band half-width, the half-width of the band around the "
    "mean weight that is not selected, in standard deviations (0 to 1)" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "cutoff",
    "HIGHPASS: radial cut-off as a fraction of the Nyquist frequency "
    "(0 to 1)" },
};

static const HfsrArg gms_map_args[] = {
  { HFSR_ARG_REFERENCE, HFSR_TYPE_DRAWABLE, "reference",
    "The drawable to compare with, of the same size" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "mode",
    "The map: { GMS (0), HARD (1), SOFT (2) }" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "threshold",
    "HARD, SOFT: GMS above which a pixel counts as different (0 to 1)" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "radius",
    "HARD, SOFT: speck removal radius, the radius of the opening disk in "
    "pixels (0 to 50)" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "sigma",
    "SOFT: standard deviation of each blur in pixels (0.1 to 20)" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "iterations",
    "SOFT: how often the map is blurred and opened (1 to 20)" },
};

static const HfsrArg dog_sr_args[] = {
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "scale",
    "Upscaling factor: 2 or 4 (the trained methods), or 3 (PIXEL_SR)" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "method",
    "How the stack is super-resolved: { RESIDUAL_DOG (0): a network "
    "predicts the DoG levels; GAUSSIAN_STACK (1): it predicts the Gaussian "
    "levels (both trained for the default sigmas, x2 and x4); PIXEL_SR (2): "
    "the stack of the HF Super-Resolution upscale, any sigmas }" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "output",
    "The stack: { DOG (0): L_i - L_(i+1), 4 levels; GAUSSIAN (1): L_k, "
    "5 levels; KEYPOINTS (2): the SIFT keypoints found on the stack, as "
    "a layer over the upscale (level is then ignored) }" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "level",
    "The level left visible (1-4 for DOG, 1-5 for GAUSSIAN); every level "
    "gets a layer" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "sigma1",
    "Level 1 blur: the Gaussian sigma of level 1 in pixels of the upscaled "
    "image (0.1 to 100)" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "sigma2", "Level 2 blur (sigma)" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "sigma3", "Level 3 blur (sigma)" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "sigma4", "Level 4 blur (sigma)" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "sigma5", "Level 5 blur (sigma)" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "gain",
    "DOG: DoG contrast, values are drawn as 0.5 + gain * value (0.1 to "
    "1000)" },
};

static const HfsrArg structure_sr_args[] = {
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "scale", "Upscaling factor: 2 or 4" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "arch",
    "The network: { FSRCNN (0): SR²-FSRCNN; WDSR (1): SR²-WDSR; "
    "SEQUENTIAL (2): FSRCNN, then the classifier on its upscale; "
    "FSRCNN-NOISY (3): SR²-FSRCNN trained on noisy digits too }" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "shared-layers",
    "Layers shared by upscaling and classification: 1, or 4 for WDSR" },
  { HFSR_ARG_PROPERTY, HFSR_TYPE_FLOAT, "lambda",
    "Class weight: the weight of the classification loss (0 = plain SR, "
    "up to 9: clearer digits); networks are blended between trained "
    "values" },
  { HFSR_ARG_NEW_IMAGE, HFSR_TYPE_INT, "new-image",
    "TRUE: open the result as a new image; FALSE: scale the image in "
    "place (other layers by GIMP's interpolation, positions scaled)" },
  /* Last, so that in GIMP 2.10 the other arguments keep their places. */
  { HFSR_ARG_PROPERTY, HFSR_TYPE_INT, "polarity",
    "The characters: { AUTO (0): detected from the crop's border; "
    "LIGHT-ON-DARK (1); DARK-ON-LIGHT (2): shown to the network inverted }" },
};

const HfsrProcedure hfsr_procedures[] = {
  { "plug-in-hfsr-super-resolution", "hfsr:super-resolution",
    N_ ("Upscale with a super-resolution network that restores "
        "high-frequency detail"),
    N_ ("Upscales the drawable 1 to 8 times with the WDSR-A networks of "
        "Zhou et al., trained with a loss that only counts high-frequency "
        "pixels (the detail weight α).  The image is scaled in place in one "
        "undo step, or the result opens as a new image.  With a selection, "
        "only the selected part gets the network's pixels."),
    N_ ("HF _Super-Resolution..."), "<Image>/Filters/Enhance",
    HFSR_RESULT_UPSCALED, super_resolution_args,
    G_N_ELEMENTS (super_resolution_args) },
  { "plug-in-hfsr-hf-map", "hfsr:hf-map",
    N_ ("Show where the drawable holds high-frequency detail"),
    N_ ("Adds a layer above the drawable holding the weight map of Zhou "
        "et al. or its selection of high-frequency pixels, or an FFT "
        "high-pass, channel by channel.  Signed maps draw 0 as mid-grey."),
    N_ ("_High-Frequency Map..."), "<Image>/Filters/Edge-Detect",
    HFSR_RESULT_MAP_LAYER, hf_map_args, G_N_ELEMENTS (hf_map_args) },
  { "plug-in-hfsr-gms-map", "hfsr:gms-map",
    N_ ("Show where the drawable differs in structure from a reference"),
    N_ ("Adds a layer above the drawable holding the gradient magnitude "
        "similarity map of the drawable against a reference of the same "
        "size (Roh & Kang), or its hard or soft mask: 0 (black) is alike, "
        "1 (white) is different."),
    N_ ("G_MS Map..."), "<Image>/Filters/Edge-Detect", HFSR_RESULT_MAP_LAYER,
    gms_map_args, G_N_ELEMENTS (gms_map_args) },
  { "plug-in-hfsr-dog-sr", "hfsr:dog-sr",
    N_ ("Upscale and show the scale space that SIFT finds keypoints on"),
    N_ ("Opens a new image holding the drawable upscaled by HF "
        "Super-Resolution and, above it, a layer group with every level of "
        "the super-resolved Difference-of-Gaussian or Gaussian stack at five "
        "sigmas (Noor et al.), predicted by a network trained for it or "
        "taken from the upscale: the detail that keypoint detection sees."),
    N_ ("_DoG Super-Resolution..."), "<Image>/Filters/Enhance",
    HFSR_RESULT_LEVELS, dog_sr_args, G_N_ELEMENTS (dog_sr_args) },
  { "plug-in-hfsr-structure-sr", "hfsr:structure-sr",
    N_ ("Upscale a character crop and say which digit it shows"),
    N_ ("Upscales the drawable 2 or 4 times with an SR² network "
        "(Schirrmacher et al.) trained together with a digit classifier, "
        "which keeps the shape of what it recognises, also under noise.  The "
        "class it sees (for a crop holding one light digit on a dark ground, "
        "up to 256 × 256 pixels) is shown under the preview and added to "
        "the result layer's name."),
    N_ ("_Structure-aware Super-Resolution..."), "<Image>/Filters/Enhance",
    HFSR_RESULT_CLASSIFIED, structure_sr_args,
    G_N_ELEMENTS (structure_sr_args) },
};

const gsize hfsr_n_procedures = G_N_ELEMENTS (hfsr_procedures);

const HfsrProcedure *
hfsr_procedure_find (const gchar *name)
{
  for (gsize p = 0; p < hfsr_n_procedures; p++)
    if (strcmp (name, hfsr_procedures[p].name) == 0)
      return &hfsr_procedures[p];
  return NULL;
}

const gchar *
hfsr_locale_dir (void)
{
  const gchar *dir = g_getenv ("HFSR_LOCALE_DIR");

  return dir != NULL && *dir != '\0' ? dir : HFSR_LOCALE_DIR;
}

void
hfsr_plugin_init (void)
{
  /* Before anything translates: GLib decides at its first g_dgettext()
   * whether to translate at all, by whether the default domain has a
   * catalogue.  hfsr.so binds the same domain (it shares it) to the same
   * folder when gegl_init() loads it. */
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, hfsr_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  gegl_init (NULL, NULL);
}
