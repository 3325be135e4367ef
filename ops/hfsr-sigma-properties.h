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

/* Sigma @n (property sigma@n): the five share their ranges.  The labels and
 * descriptions are written out below, where xgettext finds them. */
#ifndef sigma_property
#define sigma_property(n, value, label, blurb) \
  property_double (sigma##n, label, value)     \
    description (blurb)                        \
    value_range (0.1, 100.0)                   \
    ui_range    (0.1, 10.0)
#endif

sigma_property (1, 1.249, _("Level 1 blur (σ₁)"),
                _("How much level 1 of the stack is blurred: the standard "
                  "deviation σ₁ of its Gaussian blur, in pixels of the "
                  "image the stack is made at (the upscaled one where the "
                  "op upscales).  Higher values blur more, so the level, "
                  "and the differences next to it, show coarser "
                  "structures; lower values show finer ones."))
/* Levels 2 to 5: one tooltip, under each level's own label. */
#define hfsr_sigma_level_blurb                                \
  _("How much this level of the stack is blurred (its σ, in " \
    "pixels): higher values show coarser structures, lower "  \
    "values finer ones.")
sigma_property (2, 1.545, _("Level 2 blur (σ₂)"), hfsr_sigma_level_blurb)
sigma_property (3, 1.96588, _("Level 3 blur (σ₃)"), hfsr_sigma_level_blurb)
sigma_property (4, 2.452527, _("Level 4 blur (σ₄)"), hfsr_sigma_level_blurb)
sigma_property (5, 3.090016, _("Level 5 blur (σ₅)"), hfsr_sigma_level_blurb)
#undef hfsr_sigma_level_blurb
  /* clang-format on */
