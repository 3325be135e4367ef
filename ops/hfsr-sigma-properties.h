/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The five sigmas of the scale space (Noor et al.'s by default, SIFT's
 * first octave), the same properties in every op that makes or reads the
 * stack.  Included inside an op's GEGL_PROPERTIES section, which gegl-op.h
 * expands several times: no include guard, on purpose.
 */
property_double (sigma1, _("Sigma 1"), 1.249)
  description (_("Gaussian sigma of level 1, in pixels of the image the "
                 "stack is made at (the upscaled one where the op "
                 "upscales)."))
  value_range (0.1, 100.0)
  ui_range    (0.1, 10.0)
property_double (sigma2, _("Sigma 2"), 1.545)
  description (_("Gaussian sigma of level 2."))
  value_range (0.1, 100.0)
  ui_range    (0.1, 10.0)
property_double (sigma3, _("Sigma 3"), 1.96588)
  description (_("Gaussian sigma of level 3."))
  value_range (0.1, 100.0)
  ui_range    (0.1, 10.0)
property_double (sigma4, _("Sigma 4"), 2.452527)
  description (_("Gaussian sigma of level 4."))
  value_range (0.1, 100.0)
  ui_range    (0.1, 10.0)
property_double (sigma5, _("Sigma 5"), 3.090016)
  description (_("Gaussian sigma of level 5."))
  value_range (0.1, 100.0)
  ui_range    (0.1, 10.0)
