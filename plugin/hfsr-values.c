/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A procedure's arguments against the op that runs them: defaults, ranges
 * and enum values all come from the op's property specs, so a Script-Fu
 * call is held to exactly what the op accepts.
 */
#include "hfsr-config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <gegl.h>

#include "hfsr-plugin.h"

/* The quark's name is not an expression: not formatted. */
/* clang-format off */
G_DEFINE_QUARK (hfsr-plugin-error-quark, hfsr_plugin_error)
/* clang-format on */

GParamSpec *
hfsr_arg_pspec (const HfsrProcedure *procedure, const HfsrArg *arg,
                GError **error)
{
  GParamSpec *pspec;

  if (!gegl_has_operation (procedure->operation))
    {
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_EXECUTION,
                   _ ("The GEGL operation %s is not installed: GEGL found no "
                      "hfsr.so on GEGL_PATH or in its plug-in folders."),
                   procedure->operation);
      return NULL;
    }
  pspec = gegl_operation_find_property (procedure->operation, arg->name);
  if (pspec == NULL)
    g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_EXECUTION,
                 _ ("The GEGL operation %s has no property “%s”: the "
                    "installed hfsr.so does not match this plug-in."),
                 procedure->operation, arg->name);
  return pspec;
}

const gchar *
hfsr_procedure_title (const HfsrProcedure *procedure)
{
  const gchar *title = gegl_operation_get_key (procedure->operation, "title");

  return title != NULL ? title : procedure->name;
}

gint
hfsr_procedure_find_role (const HfsrProcedure *procedure, HfsrArgRole role)
{
  for (gint i = 0; i < procedure->n_args; i++)
    if (procedure->args[i].role == role)
      return i;
  return -1;
}

/* @number as a value of @pspec's type; FALSE when that type cannot hold it
 * (a fraction for an int, 2 for a boolean, NaN). */
static gboolean
number_to_value (GParamSpec *pspec, gdouble number, GValue *value)
{
  gboolean integral = isfinite (number) && number == floor (number)
                      && fabs (number) <= G_MAXINT;

  g_value_init (value, G_PARAM_SPEC_VALUE_TYPE (pspec));
  switch (G_TYPE_FUNDAMENTAL (G_PARAM_SPEC_VALUE_TYPE (pspec)))
    {
    case G_TYPE_DOUBLE:
      g_value_set_double (value, number);
      return isfinite (number);
    case G_TYPE_INT:
      g_value_set_int (value, integral ? (gint) number : 0);
      return integral;
    case G_TYPE_ENUM:
      g_value_set_enum (value, integral ? (gint) number : 0);
      return integral;
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value, number != 0.0);
      return number == 0.0 || number == 1.0;
    default:
      return FALSE;
    }
}

static gdouble
value_to_number (const GValue *value)
{
  switch (G_TYPE_FUNDAMENTAL (G_VALUE_TYPE (value)))
    {
    case G_TYPE_DOUBLE:
      return g_value_get_double (value);
    case G_TYPE_INT:
      return g_value_get_int (value);
    case G_TYPE_ENUM:
      return g_value_get_enum (value);
    case G_TYPE_BOOLEAN:
      return g_value_get_boolean (value);
    default:
      return NAN;
    }
}

/* What @pspec accepts, for error messages: "a number from 0 to 1". */
static gchar *
describe_allowed (GParamSpec *pspec)
{
  GEnumClass *enum_class;
  GString *names;
  gchar *allowed;

  switch (G_TYPE_FUNDAMENTAL (G_PARAM_SPEC_VALUE_TYPE (pspec)))
    {
    case G_TYPE_DOUBLE:
      return g_strdup_printf (_ ("a number from %g to %g"),
                              G_PARAM_SPEC_DOUBLE (pspec)->minimum,
                              G_PARAM_SPEC_DOUBLE (pspec)->maximum);
    case G_TYPE_INT:
      return g_strdup_printf (_ ("an integer from %d to %d"),
                              G_PARAM_SPEC_INT (pspec)->minimum,
                              G_PARAM_SPEC_INT (pspec)->maximum);
    case G_TYPE_BOOLEAN:
      return g_strdup (_ ("0 (FALSE) or 1 (TRUE)"));
    case G_TYPE_ENUM:
      enum_class = G_PARAM_SPEC_ENUM (pspec)->enum_class;
      names = g_string_new (NULL);
      for (guint i = 0; i < enum_class->n_values; i++)
        g_string_append_printf (names, "%s%d (%s)", i > 0 ? ", " : "",
                                enum_class->values[i].value,
                                enum_class->values[i].value_nick);
      allowed = g_strdup_printf (_ ("one of %s"), names->str);
      g_string_free (names, TRUE);
      return allowed;
    default:
      return g_strdup (_ ("a type this plug-in does not know"));
    }
}

gboolean
hfsr_values_init (const HfsrProcedure *procedure, gint32 drawable_id,
                  HfsrValues *values, GError **error)
{
  memset (values, 0, sizeof *values);
  for (gint i = 0; i < procedure->n_args; i++)
    {
      const HfsrArg *arg = &procedure->args[i];
      GParamSpec *pspec;
      GValue value = G_VALUE_INIT;

      switch (arg->role)
        {
        case HFSR_ARG_PROPERTY:
          pspec = hfsr_arg_pspec (procedure, arg, error);
          if (pspec == NULL)
            return FALSE;
          g_value_init (&value, G_PARAM_SPEC_VALUE_TYPE (pspec));
          g_param_value_set_default (pspec, &value);
          values->arg[i] = value_to_number (&value);
          g_value_unset (&value);
          break;
        case HFSR_ARG_REFERENCE:
          values->arg[i] = drawable_id;
          break;
        case HFSR_ARG_NEW_IMAGE:
          values->arg[i] = FALSE;
          break;
        }
    }
  return TRUE;
}

static gboolean
check_reference (const HfsrArg *arg, gdouble number, gint32 drawable_id,
                 GError **error)
{
  gint32 reference = (gint32) number;

  if (number != reference || !hfsr_gimp_item_is_valid (reference)
      || !hfsr_gimp_item_is_drawable (reference)
      || hfsr_gimp_item_is_group (reference))
    {
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                   _ ("%s: %g is not a drawable with pixels of its own."),
                   arg->name, number);
      return FALSE;
    }
  if (hfsr_gimp_drawable_width (reference)
        != hfsr_gimp_drawable_width (drawable_id)
      || hfsr_gimp_drawable_height (reference)
           != hfsr_gimp_drawable_height (drawable_id))
    {
      g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
                   _ ("%s: “%s” is %d × %d pixels, “%s” %d × %d: the "
                      "two must have the same size."),
                   arg->name, hfsr_gimp_item_name (reference),
                   hfsr_gimp_drawable_width (reference),
                   hfsr_gimp_drawable_height (reference),
                   hfsr_gimp_item_name (drawable_id),
                   hfsr_gimp_drawable_width (drawable_id),
                   hfsr_gimp_drawable_height (drawable_id));
      return FALSE;
    }
  return TRUE;
}

static void
set_out_of_range (GError **error, const HfsrArg *arg, gdouble number,
                  const gchar *allowed)
{
  g_set_error (error, HFSR_PLUGIN_ERROR, HFSR_PLUGIN_ERROR_CALLING,
               _ ("%s = %g is out of range: %s takes %s."), arg->name, number,
               arg->name, allowed);
}

static const gchar *enum_nick (GParamSpec *pspec, gdouble number);

/* The index of @procedure's property argument @name, or -1. */
static gint
find_property_arg (const HfsrProcedure *procedure, const gchar *name)
{
  for (gint i = 0; i < procedure->n_args; i++)
    if (procedure->args[i].role == HFSR_ARG_PROPERTY
        && strcmp (procedure->args[i].name, name) == 0)
      return i;
  return -1;
}

/* A level's range depends on the stack: the op's property runs 1-5, the
 * Gaussian stack's, and the DoG made from it has one level fewer (the op
 * would only warn, at render time, and give an empty layer). */
static gboolean
check_level (const HfsrProcedure *procedure, const HfsrValues *values,
             GError **error)
{
  gint output = find_property_arg (procedure, "output");
  gint level = find_property_arg (procedure, "level");
  const gchar *nick;

  if (output < 0 || level < 0)
    return TRUE;
  nick
    = enum_nick (gegl_operation_find_property (procedure->operation, "output"),
                 values->arg[output]);
  if (g_strcmp0 (nick, "dog") != 0 || values->arg[level] <= 4)
    return TRUE;
  set_out_of_range (
    error, &procedure->args[level], values->arg[level],
    _ ("1 to 4 with the Difference of Gaussians (output DOG)"));
  return FALSE;
}

gboolean
hfsr_values_check (const HfsrProcedure *procedure, const HfsrValues *values,
                   gint32 drawable_id, GError **error)
{
  for (gint i = 0; i < procedure->n_args; i++)
    {
      const HfsrArg *arg = &procedure->args[i];
      gdouble number = values->arg[i];
      GParamSpec *pspec;
      GValue value = G_VALUE_INIT;
      gboolean valid;
      gchar *allowed;

      switch (arg->role)
        {
        case HFSR_ARG_PROPERTY:
          pspec = hfsr_arg_pspec (procedure, arg, error);
          if (pspec == NULL)
            return FALSE;
          /* validate() returns TRUE when it had to change the value. */
          valid = number_to_value (pspec, number, &value)
                  && !g_param_value_validate (pspec, &value);
          g_value_unset (&value);
          if (!valid)
            {
              allowed = describe_allowed (pspec);
              set_out_of_range (error, arg, number, allowed);
              g_free (allowed);
              return FALSE;
            }
          break;
        case HFSR_ARG_REFERENCE:
          if (!check_reference (arg, number, drawable_id, error))
            return FALSE;
          break;
        case HFSR_ARG_NEW_IMAGE:
          if (number != 0.0 && number != 1.0)
            {
              set_out_of_range (error, arg, number,
                                _ ("0 (FALSE) or 1 (TRUE)"));
              return FALSE;
            }
          break;
        }
    }
  return check_level (procedure, values, error);
}

void
hfsr_values_apply (const HfsrProcedure *procedure, const HfsrValues *values,
                   GeglNode *op)
{
  for (gint i = 0; i < procedure->n_args; i++)
    {
      const HfsrArg *arg = &procedure->args[i];
      GParamSpec *pspec;
      GValue value = G_VALUE_INIT;

      if (arg->role != HFSR_ARG_PROPERTY)
        continue;
      /* The node's own op: a procedure's values also drive the ops that
       * make up its result (hfsr:dog-sr's levels come from
       * hfsr:scale-space), which lack some of them. */
      pspec = gegl_operation_find_property (gegl_node_get_operation (op),
                                            arg->name);
      /* Values are checked before any graph is built. */
      if (pspec != NULL && number_to_value (pspec, values->arg[i], &value))
        gegl_node_set_property (op, arg->name, &value);
      if (G_IS_VALUE (&value))
        g_value_unset (&value);
    }
}

/* The nick of enum @pspec's value @number, or NULL. */
static const gchar *
enum_nick (GParamSpec *pspec, gdouble number)
{
  GEnumValue *value;

  if (!G_IS_PARAM_SPEC_ENUM (pspec))
    return NULL;
  value
    = g_enum_get_value (G_PARAM_SPEC_ENUM (pspec)->enum_class, (gint) number);
  return value != NULL ? value->value_nick : NULL;
}

gboolean
hfsr_arg_is_relevant (const HfsrProcedure *procedure, const HfsrValues *values,
                      const HfsrArg *arg)
{
  const gchar *condition;
  gchar **parts;
  gchar **nicks;
  const gchar *nick = NULL;
  gboolean negate;
  gboolean listed = FALSE;
  gint i;

  if (arg->role != HFSR_ARG_PROPERTY)
    return TRUE;
  condition = gegl_operation_get_property_key (procedure->operation, arg->name,
                                               "visible");
  if (condition == NULL)
    return TRUE;

  /* "[!]property {nick, nick, ...}"; anything else is shown. */
  while (g_ascii_isspace (*condition))
    condition++;
  negate = *condition == '!';
  parts = g_strsplit_set (condition + negate, "{}", 3);
  if (g_strv_length (parts) < 2)
    {
      g_strfreev (parts);
      return TRUE;
    }
  g_strstrip (parts[0]);
  i = find_property_arg (procedure, parts[0]);
  if (i >= 0)
    nick = enum_nick (
      gegl_operation_find_property (procedure->operation, parts[0]),
      values->arg[i]);
  nicks = g_strsplit (parts[1], ",", -1);
  for (gchar **n = nicks; *n != NULL; n++)
    if (nick != NULL && strcmp (g_strstrip (*n), nick) == 0)
      listed = TRUE;
  g_strfreev (nicks);
  g_strfreev (parts);
  if (nick == NULL)
    return TRUE;
  return listed != negate;
}

/* @label without the symbol in parentheses that ends it: "Detail weight
 * (α)" gives "Detail weight" (a layer name keeps its parentheses for the
 * list of values). */
static gchar *
plain_label (const gchar *label)
{
  gsize length = strlen (label);
  const gchar *symbol = g_strrstr (label, " (");

  if (symbol != NULL && length > 0 && label[length - 1] == ')')
    return g_strndup (label, symbol - label);
  return g_strdup (label);
}

gchar *
hfsr_values_describe (const HfsrProcedure *procedure, const HfsrValues *values)
{
  GString *text = g_string_new (hfsr_procedure_title (procedure));
  gint n_shown = 0;

  for (gint i = 0; i < procedure->n_args; i++)
    {
      const HfsrArg *arg = &procedure->args[i];
      GParamSpec *pspec;
      GEnumValue *enum_value;

      if (arg->role != HFSR_ARG_PROPERTY
          || !hfsr_arg_is_relevant (procedure, values, arg))
        continue;
      pspec = gegl_operation_find_property (procedure->operation, arg->name);
      if (pspec == NULL)
        continue;
      g_string_append (text, n_shown++ == 0 ? " (" : ", ");
      if (G_IS_PARAM_SPEC_ENUM (pspec)
          && (enum_value = g_enum_get_value (
                G_PARAM_SPEC_ENUM (pspec)->enum_class, (gint) values->arg[i]))
               != NULL)
        g_string_append (text, enum_value->value_name);
      else
        {
          gchar *label = plain_label (g_param_spec_get_nick (pspec));

          g_string_append_printf (text, "%s %g", label, values->arg[i]);
          g_free (label);
        }
    }
  if (n_shown > 0)
    g_string_append_c (text, ')');
  return g_string_free (text, FALSE);
}

gint32
hfsr_suggested_reference (gint32 drawable_id)
{
  gint n_layers;
  gint32 *layers
    = hfsr_gimp_image_layers (hfsr_gimp_item_image (drawable_id), &n_layers);
  gint32 reference = drawable_id;

  for (gint i = n_layers - 1; i >= 0; i--)
    if (layers[i] != drawable_id && !hfsr_gimp_item_is_group (layers[i])
        && hfsr_gimp_drawable_width (layers[i])
             == hfsr_gimp_drawable_width (drawable_id)
        && hfsr_gimp_drawable_height (layers[i])
             == hfsr_gimp_drawable_height (drawable_id))
      reference = layers[i];
  g_free (layers);
  return reference;
}
