/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GIMP 3 front end's own parts (hfsr-plugin3.c, hfsr-dialog3.c): what
 * reads and shows a GimpProcedureConfig.
 */
#ifndef HFSR_PLUGIN3_H
#define HFSR_PLUGIN3_H

#include "hfsr-plugin.h"

G_BEGIN_DECLS

/* Whether the procedure has a menu item in GIMP 3 (hfsr-plugin3.c says
 * why the maps have none). */
gboolean hfsr_procedure_has_gimp3_menu (const HfsrProcedure *procedure);

/* The config's values as the shared core takes them: a choice as its
 * enum value, a drawable as its ID (-1 for none). */
void hfsr_values_from_config (const HfsrProcedure *procedure,
                              GimpProcedureConfig *config, HfsrValues *values);

/* The procedure's GimpProcedureDialog with the live preview of
 * hfsr-preview.c; TRUE when the user chose OK (@config then holds the
 * values). */
gboolean hfsr_dialog3_run (GimpProcedure *gimp_procedure,
                           GimpProcedureConfig *config,
                           const HfsrProcedure *procedure, gint32 drawable_id);

G_END_DECLS

#endif
