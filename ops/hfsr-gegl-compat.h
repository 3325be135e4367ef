/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What differs between the GEGL versions hfsr builds with: Debian 12's
 * 0.4.42 and Debian 13's 0.4.62.
 */
#ifndef HFSR_GEGL_COMPAT_H
#define HFSR_GEGL_COMPAT_H

#include "hfsr-config.h"

#include <gegl.h>

/* Connects @source's pad @output_pad to @sink's pad @input_pad.  GEGL
 * 0.4.48 added gegl_node_connect, which takes the nodes in either order,
 * and deprecated gegl_node_connect_to, the only call 0.4.42 has. */
static inline void
hfsr_node_connect (GeglNode *source, const gchar *output_pad, GeglNode *sink,
                   const gchar *input_pad)
{
#ifdef HAVE_GEGL_NODE_CONNECT
  gegl_node_connect (source, output_pad, sink, input_pad);
#else
  gegl_node_connect_to (source, output_pad, sink, input_pad);
#endif
}

#endif
