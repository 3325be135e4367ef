/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GIMP 2.10 plug-in: every PDB procedure is a table entry naming a GEGL
 * op and the op properties it exposes.  Ranges, defaults, labels and
 * tooltips are read from the op at run time, so the plug-in never restates
 * what the op declares, and a procedure is checked against the op that will
 * actually run.
 */
#ifndef HFSR_PLUGIN_H
#define HFSR_PLUGIN_H

#include "hfsr-gimp.h"

/* The values of the enums that hfsr:dog-sr and its children share. */
#include "ops/hfsr-op-enums.h"

G_BEGIN_DECLS

#define HFSR_PLUGIN_BINARY "hfsr"

#define HFSR_PLUGIN_ERROR (hfsr_plugin_error_quark ())
GQuark hfsr_plugin_error_quark (void);

typedef enum
{
  HFSR_PLUGIN_ERROR_CALLING,  /* a bad argument or image: nothing was done */
  HFSR_PLUGIN_ERROR_EXECUTION /* the work failed: nothing was changed */
} HfsrPluginError;

/* What becomes of the op's output. */
typedef enum
{
  HFSR_RESULT_MAP_LAYER, /* a new layer above the drawable, same size */
  HFSR_RESULT_UPSCALED,  /* the drawable, grown by the op's scale: in place
                            (the image scaled) or as a new image */
  HFSR_RESULT_LEVELS,    /* a new image: the drawable upscaled by HF-SR and
                            a layer group of every level of the op's stack */
  HFSR_RESULT_CLASSIFIED /* as UPSCALED, and the class that the op's SR²
                            network sees in the drawable shown under the
                            preview and added to the result layer's name */
} HfsrResultKind;

/* Whether the op's output is larger than the drawable (the preview then
 * shows it at 100 %). */
#define HFSR_RESULT_IS_UPSCALED(kind) ((kind) != HFSR_RESULT_MAP_LAYER)

typedef enum
{
  HFSR_ARG_PROPERTY,  /* an op property of the same name */
  HFSR_ARG_REFERENCE, /* a drawable fed to the op's aux pad */
  HFSR_ARG_NEW_IMAGE  /* put an upscaled result into a new image */
} HfsrArgRole;

/* An argument's type in GIMP 2.10's PDB; GIMP 3 gives a property's
 * argument the type of the op's property (an enum as a choice) and
 * new-image a boolean. */
typedef enum
{
  HFSR_TYPE_INT,
  HFSR_TYPE_FLOAT,
  HFSR_TYPE_DRAWABLE
} HfsrArgType;

typedef struct
{
  HfsrArgRole role;
  HfsrArgType type;
  const gchar *name;        /* PDB name = op property name */
  const gchar *description; /* PDB help (GIMP shows it untranslated) */
} HfsrArg;

#define HFSR_MAX_ARGS 12

/* A side (or an edge's position) of @side pixels at @scale, rounded as
 * hfsr:super-resolution rounds its output: halves up (as GIMP rounds an
 * item's edges when it scales an image). */
gdouble hfsr_scaled_side (gdouble side, gdouble scale);

/* The run-mode, image and drawable come before the procedure's own args. */
#define HFSR_N_LEADING_ARGS 3

typedef struct
{
  const gchar *name;       /* PDB name */
  const gchar *operation;  /* GEGL op */
  const gchar *blurb;      /* N_() */
  const gchar *help;       /* N_() */
  const gchar *menu_label; /* N_() */
  const gchar *menu_path;
  HfsrResultKind result;
  const HfsrArg *args;
  gint n_args;
} HfsrProcedure;

/* The procedure's arguments, every one a number: ints, enums and flags as
 * their value, a drawable as its ID.  Stored as is by gimp_set_data. */
typedef struct
{
  gdouble arg[HFSR_MAX_ARGS];
} HfsrValues;

/* --------------------------------------------------- hfsr-procedures.c */

extern const HfsrProcedure hfsr_procedures[];
extern const gsize hfsr_n_procedures;

/* Where the catalogues are: HFSR_LOCALE_DIR in the environment (the tests
 * use the build's) or the installed one. */
const gchar *hfsr_locale_dir (void);

/* Binds the catalogue and starts GEGL: first thing in a run. */
void hfsr_plugin_init (void);

/* The procedure of PDB name @name, or NULL. */
const HfsrProcedure *hfsr_procedure_find (const gchar *name);

/* ------------------------------------------------------- hfsr-values.c */

/* The op property behind @arg, or NULL (with @error naming op and
 * property) when the installed op lacks it. */
GParamSpec *hfsr_arg_pspec (const HfsrProcedure *procedure, const HfsrArg *arg,
                            GError **error);

/* The op's defaults; a reference defaults to @drawable_id itself. */
gboolean hfsr_values_init (const HfsrProcedure *procedure, gint32 drawable_id,
                           HfsrValues *values, GError **error);

/* Checks every value against the op's own ranges and enums, and the
 * reference against the drawable: errors say which argument is wrong and
 * what it may be. */
gboolean hfsr_values_check (const HfsrProcedure *procedure,
                            const HfsrValues *values, gint32 drawable_id,
                            GError **error);

/* Sets the properties of @op (a node of procedure->operation, or of an op
 * that makes part of its result) that its op has. */
void hfsr_values_apply (const HfsrProcedure *procedure,
                        const HfsrValues *values, GeglNode *op);

/* Whether @arg matters with @values: an op property's "visible" key,
 * e.g. "mode {hard, soft}", names the values of another property for
 * which it does. */
gboolean hfsr_arg_is_relevant (const HfsrProcedure *procedure,
                               const HfsrValues *values, const HfsrArg *arg);

/* "<op title> (<mode>, <label> <value>, ...)", the args that matter, each
 * label without the symbol in parentheses that ends it ("Band half-width
 * 0.25"). */
gchar *hfsr_values_describe (const HfsrProcedure *procedure,
                             const HfsrValues *values);

/* The op's title (translated by the op), or the procedure's name where
 * the op is missing. */
const gchar *hfsr_procedure_title (const HfsrProcedure *procedure);

/* The arg of @role, or -1. */
gint hfsr_procedure_find_role (const HfsrProcedure *procedure,
                               HfsrArgRole role);

/* A reference for a GMS map of @drawable_id that is not the drawable
 * itself, when its image has one: the topmost other layer of the same
 * size (a map of a drawable against itself is empty). */
gint32 hfsr_suggested_reference (gint32 drawable_id);

/* ------------------------------------------------------- hfsr-render.c */

/* Checks that the procedure may work on @drawable_id of @image_id: an RGB
 * or grey image, a drawable of it that holds pixels. */
gboolean hfsr_check_image (const HfsrProcedure *procedure, gint32 image_id,
                           gint32 drawable_id, GError **error);

/* Collects the warnings that the hfsr ops log (from any thread) between
 * watch and end: an op reports a failed region that way and leaves the
 * region empty.  end returns the first warning (g_free) or NULL, and in
 * @note (when not NULL) the first notice (g_message: input handled by a
 * documented rule, the result stands) or NULL. */
typedef struct _HfsrOpWarnings HfsrOpWarnings;
HfsrOpWarnings *hfsr_op_warnings_watch (void);
gchar *hfsr_op_warnings_end (HfsrOpWarnings *warnings, gchar **note);

/* Source(s) -> op.  The graph owns every node; *op is the op node. */
GeglNode *hfsr_graph_new (const HfsrProcedure *procedure,
                          const HfsrValues *values, gint32 drawable_id,
                          GeglNode **op);

/* Runs the procedure and puts its result into the image (or a new one);
 * returns the image and drawable holding the result.  The image is not
 * changed unless everything before the change succeeded. */
gboolean hfsr_procedure_run (const HfsrProcedure *procedure,
                             const HfsrValues *values, gint32 image_id,
                             gint32 drawable_id, gint32 *result_image_id,
                             gint32 *result_drawable_id, GError **error);

/* -------------------------------------------------------- hfsr-class.c */

/* The class that the SR² network of @values (the op's scale, arch,
 * shared-layers and lambda) sees in @drawable_id, read as the op reads it
 * (grey, transparency as black), as "LABEL (P %)" (g_free); NULL with
 * @error saying why not (no network, a drawable larger than one
 * character's crop). */
gchar *hfsr_class_describe (const HfsrProcedure *procedure,
                            const HfsrValues *values, gint32 drawable_id,
                            GError **error);

/* ------------------------------------------------------- hfsr-dialog.c */

/* Shows the procedure's dialog with a live preview; TRUE and @values
 * updated when the user chose OK. */
gboolean hfsr_dialog_run (const HfsrProcedure *procedure, gint32 drawable_id,
                          HfsrValues *values);

G_END_DECLS

#endif
