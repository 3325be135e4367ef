/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The GEGL module hfsr.so.  Every op file is built with GEGL_OP_BUNDLE, so
 * none of them registers itself: this file is the module's only entry point
 * and registers them all.
 */
#include "hfsr-config.h"

#include <glib/gi18n-lib.h>
#include <gegl-plugin.h>

#include "hfsr.h"

/* Defined by gegl-op.h in each op file, named after its GEGL_OP_NAME. */
void gegl_op_hfsr_hf_map_register_type (GTypeModule *module);
void gegl_op_hfsr_gms_map_register_type (GTypeModule *module);
void gegl_op_hfsr_super_resolution_register_type (GTypeModule *module);
void gegl_op_hfsr_scale_space_register_type (GTypeModule *module);
void gegl_op_hfsr_dog_sr_register_type (GTypeModule *module);
void gegl_op_hfsr_dog_sr_network_register_type (GTypeModule *module);
void gegl_op_hfsr_sift_keypoints_register_type (GTypeModule *module);
void gegl_op_hfsr_structure_sr_register_type (GTypeModule *module);

/* GEGL looks these two up by name when it loads the module. */
G_MODULE_EXPORT const GeglModuleInfo *gegl_module_query (GTypeModule *module);
G_MODULE_EXPORT gboolean gegl_module_register (GTypeModule *module);

static const GeglModuleInfo hfsr_module_info = { GEGL_MODULE_ABI_VERSION };

G_MODULE_EXPORT const GeglModuleInfo *
gegl_module_query (GTypeModule *module)
{
  return &hfsr_module_info;
}

G_MODULE_EXPORT gboolean
gegl_module_register (GTypeModule *module)
{
  /* The ops' titles, labels and enum names are looked up in hfsr's own
   * catalogue, which GEGL does not know about; HFSR_LOCALE_DIR in the
   * environment points at another one (a build's, in the tests), as it
   * does for the GIMP plug-in. */
  const char *locale_dir = g_getenv ("HFSR_LOCALE_DIR");

  bindtextdomain (GETTEXT_PACKAGE, locale_dir != NULL && *locale_dir != '\0'
                                     ? locale_dir
                                     : HFSR_LOCALE_DIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  gegl_op_hfsr_hf_map_register_type (module);
  gegl_op_hfsr_gms_map_register_type (module);
  gegl_op_hfsr_super_resolution_register_type (module);
  gegl_op_hfsr_scale_space_register_type (module);
  gegl_op_hfsr_dog_sr_register_type (module);
  gegl_op_hfsr_dog_sr_network_register_type (module);
  gegl_op_hfsr_sift_keypoints_register_type (module);
  gegl_op_hfsr_structure_sr_register_type (module);

  return TRUE;
}
