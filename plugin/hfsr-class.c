/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The SR² class of a drawable: a whole-image answer that a GEGL graph
 * cannot hand back, so the plug-in asks the engine (as hfsr-classify
 * does) for the network that the op runs with the same settings.
 */
#include "hfsr-config.h"

#include <string.h>
#include <glib/gi18n-lib.h>
#include <gegl.h>

#include "hfsr.h"
#include "hfsr-plugin.h"

/* The value of the procedure's argument @name, or NULL when it has none. */
static const gdouble *
arg_value (const HfsrProcedure *procedure, const HfsrValues *values,
           const gchar *name)
{
  for (gint i = 0; i < procedure->n_args; i++)
    if (strcmp (procedure->args[i].name, name) == 0)
      return &values->arg[i];
  return NULL;
}

/* Whether @value of the op's "polarity" is the one named @nick. */
static gboolean
is_polarity (const HfsrProcedure *procedure, gdouble value, const gchar *nick)
{
  GParamSpec *pspec
    = gegl_operation_find_property (procedure->operation, "polarity");
  GEnumValue *named = pspec != NULL && G_IS_PARAM_SPEC_ENUM (pspec)
                        ? g_enum_get_value_by_nick (
                          G_PARAM_SPEC_ENUM (pspec)->enum_class, nick)
                        : NULL;

  return named != NULL && named->value == (gint) value;
}

gchar *
hfsr_class_describe (const HfsrProcedure *procedure, const HfsrValues *values,
                     gint32 drawable_id, GError **error)
{
  const gdouble *scale = arg_value (procedure, values, "scale");
  const gdouble *arch = arg_value (procedure, values, "arch");
  const gdouble *shared = arg_value (procedure, values, "shared-layers");
  const gdouble *lambda = arg_value (procedure, values, "lambda");
  const gdouble *polarity = arg_value (procedure, values, "polarity");
  GParamSpec *pspec;
  GEnumValue *nick;
  HfsrModel *model;
  GeglBuffer *buffer;
  gint width, height, n, best = 0;
  gfloat *pixels, *grey;
  gdouble *p;
  gchar *text = NULL;

  g_return_val_if_fail (scale && arch && shared && lambda && polarity, NULL);
  pspec = gegl_operation_find_property (procedure->operation, "arch");
  nick = pspec != NULL && G_IS_PARAM_SPEC_ENUM (pspec) ? g_enum_get_value (
           G_PARAM_SPEC_ENUM (pspec)->enum_class, (gint) *arch)
                                                       : NULL;
  if (nick == NULL)
    {
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                   _ ("%s has no architecture %d."), procedure->operation,
                   (gint) *arch);
      return NULL;
    }
  width = hfsr_gimp_drawable_width (drawable_id);
  height = hfsr_gimp_drawable_height (drawable_id);
  if ((gint64) width * height > HFSR_CLASSIFY_MAX_PIXELS)
    {
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                   _ ("the class is shown for crops of one character, up to "
                      "%d pixels; this one is %d × %d"),
                   HFSR_CLASSIFY_MAX_PIXELS, width, height);
      return NULL;
    }
  model = hfsr_model_load_structure_sr (NULL, (gint) *scale, nick->value_nick,
                                        (gint) *shared, *lambda, error);
  if (model == NULL)
    return NULL;

  buffer = hfsr_gimp_drawable_buffer (drawable_id);
  pixels = g_new (gfloat, (2 * (gsize) width * height));
  grey = g_new (gfloat, ((gsize) width * height));
  /* Premultiplied here, as hfsr:structure-sr does: babl 0.1.98's
   * "Y'A u8" to "Y'aA float" writes past its buffer.  Non-finite values
   * follow the ops' rule (the op rendering the preview warns of them). */
  gegl_buffer_get (buffer, NULL, 1.0, babl_format ("Y'A float"), pixels,
                   GEGL_AUTO_ROWSTRIDE, GEGL_ABYSS_NONE);
  hfsr_make_finite (pixels, 2 * (gsize) width * height);
  for (gsize i = 0; i < (gsize) width * height; i++)
    grey[i] = pixels[2 * i] * pixels[2 * i + 1];
  /* The polarity as hfsr:structure-sr decides it: dark characters
   * inverted, then premultiplied again, so that transparency stays the
   * networks' black ground. */
  if (is_polarity (procedure, *polarity, "dark-on-light")
      || (is_polarity (procedure, *polarity, "auto")
          && hfsr_sr2_dark_on_light (grey, width, height)))
    for (gsize i = 0; i < (gsize) width * height; i++)
      grey[i] = (1.0f - pixels[2 * i]) * pixels[2 * i + 1];
  n = hfsr_model_get_n_classes (model);
  p = g_new (gdouble, n);
  if (hfsr_model_classify (model, grey, width, height, p, error))
    {
      gchar *label;

      for (gint c = 1; c < n; c++)
        if (p[c] > p[best])
          best = c;
      label = hfsr_model_get_class_label (model, best);
      /* TRANSLATORS: a class and its probability, e.g. "7 (98.2 %)" */
      text = g_strdup_printf (_ ("%s (%.1f %%)"), label, 100.0 * p[best]);
      g_free (label);
    }
  g_free (p);
  g_free (grey);
  g_free (pixels);
  g_object_unref (buffer);
  hfsr_model_free (model);
  return text;
}
