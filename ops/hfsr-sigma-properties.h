/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The five sigmas of the scale space (Noor et al.'s by default, SIFT's
 * first octave), the same properties in every op that makes or reads the
 * stack.  Included inside an op's GEGL_PROPERTIES section, which gegl-op.h
 * expands several times: no include guard, on purpose.
 */
/* GEGL's property chant is not C: not formatted. */
/* clang-format off */

/* Sigma @n (property sigma@n): the five share their ranges.  The label and
 * description are written out at each use, where xgettext finds them. */
#ifndef sigma_property
#define sigma_property(n, value, label, blurb) \
  property_double (sigma##n, label, value)     \
    description (blurb)                        \
    value_range (0.1, 100.0)                   \
    ui_range    (0.1, 10.0)
#endif

sigma_property (1, 1.249, _("Sigma 1"),
                _("Gaussian sigma of level 1, in pixels of the image the "
                  "stack is made at (the upscaled one where the op "
                  "upscales)."))
sigma_property (2, 1.545, _("Sigma 2"), _("Gaussian sigma of level 2."))
sigma_property (3, 1.96588, _("Sigma 3"), _("Gaussian sigma of level 3."))
sigma_property (4, 2.452527, _("Sigma 4"), _("Gaussian sigma of level 4."))
sigma_property (5, 3.090016, _("Sigma 5"), _("Gaussian sigma of level 5."))
  /* clang-format on */
