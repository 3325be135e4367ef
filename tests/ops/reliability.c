/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * reliability FILE...: every hfsr op, in real GEGL, on each image file as
 * gegl:load reads it, one line per file and op:
 *
 *   RESULT <file> <op and properties> <ok|FAIL> <what was found>
 *
 * An op passes when its output has the documented size (the input's, or
 * scale times it), every value is finite and, where the README says so,
 * within [0, 1]; what it warned of follows on WARN lines, for
 * test-reliability.py to judge.  A crash or hang shows as a file whose
 * lines stop: test-reliability.py runs one process per file under a
 * timeout.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gegl.h>

typedef struct
{
  const char *chain;   /* gegl_create_chain text; %s: the file */
  int scale;           /* output size / input size */
  gboolean unit_range; /* the README promises values in [0, 1]; signed
                            * maps drawn around mid-grey (0.5 + value or
                            * 0.5 + gain * value) are not clamped */
} Case;

static const Case cases[] = {
  { "hfsr:hf-map mode=signed", 1, FALSE },
  { "hfsr:hf-map mode=magnitude", 1, TRUE },
  { "hfsr:hf-map mode=selection alpha=0.2", 1, TRUE },
  { "hfsr:hf-map mode=highpass cutoff=0.1", 1, FALSE },
  { "hfsr:gms-map mode=gms aux=[ gegl:load path=%s ]", 1, TRUE },
  { "hfsr:gms-map mode=soft aux=[ gegl:load path=%s gegl:invert-gamma ]", 1,
    TRUE },
  { "hfsr:gms-map mode=hard aux=[ gegl:load path=%s gegl:invert-gamma ]", 1,
    TRUE },
  { "hfsr:super-resolution scale=2 alpha=0.2", 2, TRUE },
  { "hfsr:super-resolution scale=3 alpha=0.1", 3, TRUE },
  { "hfsr:super-resolution scale=4 alpha=0", 4, TRUE },
  { "hfsr:scale-space output=dog level=1", 1, FALSE },
  { "hfsr:scale-space output=gaussian level=5", 1, TRUE },
  { "hfsr:dog-sr scale=2 method=gaussian-stack output=dog level=2", 2, FALSE },
  /* a Gaussian level is the network's correction of the bicubic one */
  { "hfsr:dog-sr scale=4 method=residual-dog output=gaussian level=3", 4,
    FALSE },
  { "hfsr:dog-sr scale=2 method=pixel-sr output=keypoints", 2, TRUE },
  { "hfsr:sift-keypoints method=pixel-sr", 1, TRUE },
  { "hfsr:structure-sr scale=2 arch=fsrcnn lambda=9", 2, TRUE },
  { "hfsr:structure-sr scale=4 arch=wdsr shared-layers=4 lambda=9", 4, TRUE },
};

static GString *warnings;

/* Every message GEGL and the ops log while a case runs, kept for its WARN
 * lines; criticals stay fatal (G_DEBUG=fatal-criticals in the tests). */
static GLogWriterOutput
keep_message (GLogLevelFlags level, const GLogField *fields, gsize n_fields,
              gpointer data)
{
  for (gsize i = 0; i < n_fields; i++)
    if (strcmp (fields[i].key, "MESSAGE") == 0 && warnings != NULL
        && (level
            & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_CRITICAL
               | G_LOG_LEVEL_ERROR)))
      {
        const char *text = fields[i].value;

        /* GEGL 0.4.42's own at exit, whatever ran */
        if (strstr (text, "gegl_tile_cache_destroy") == NULL)
          g_string_append_printf (warnings, "%s\n", text);
      }
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    return g_log_writer_standard_streams (level, fields, n_fields, data);
  return G_LOG_WRITER_HANDLED;
}

/* Reads @box of @end's output and says in @found what its values are:
 * FALSE when some are not finite or, where @c promises [0, 1], outside it,
 * or when there is no memory for them.  Kept apart from run_case, which
 * first checks that the chain builds and has the documented size. */
static gboolean
check_pixels (GeglNode *end, const GeglRectangle *box, const Case *c,
              GString *found)
{
  gsize n = (gsize) box->width * box->height * 4;
  float *pixels = g_try_new (float, n);
  gsize non_finite = 0, outside = 0;
  float low = INFINITY, high = -INFINITY;
  gboolean ok = TRUE;

  if (pixels == NULL)
    {
      g_string_append (found, "no memory for the output");
      return FALSE;
    }
  gegl_node_blit (end, 1.0, box, babl_format ("R'G'B'A float"), pixels,
                  GEGL_AUTO_ROWSTRIDE, GEGL_BLIT_DEFAULT);
  for (gsize i = 0; i < n; i++)
    if (!isfinite (pixels[i]))
      non_finite++;
    else
      {
        low = MIN (low, pixels[i]);
        high = MAX (high, pixels[i]);
        /* babl's own rounding on the way to R'G'B'A float */
        outside += pixels[i] < -1e-6f || pixels[i] > 1.0f + 1e-6f;
      }
  g_string_append_printf (found, "%dx%d values %.4g..%.4g", box->width,
                          box->height, low, high);
  if (non_finite > 0)
    {
      g_string_append_printf (found, ", %" G_GSIZE_FORMAT " not finite",
                              non_finite);
      ok = FALSE;
    }
  if (c->unit_range && outside > 0)
    {
      g_string_append_printf (found, ", %" G_GSIZE_FORMAT " outside [0, 1]",
                              outside);
      ok = FALSE;
    }
  g_free (pixels);
  return ok;
}

/* The case's RESULT line, then a WARN line for each message it logged. */
static void
print_result (const char *file, const Case *c, gboolean ok,
              const GString *found)
{
  printf ("RESULT\t%s\t%s\t%s\t%s\n", file, c->chain, ok ? "ok" : "FAIL",
          found->str);
  if (warnings->len > 0)
    {
      char **lines = g_strsplit (warnings->str, "\n", -1);

      for (char **line = lines; *line != NULL; line++)
        if (**line != '\0')
          printf ("WARN\t%s\t%s\t%s\n", file, c->chain, *line);
      g_strfreev (lines);
    }
  fflush (stdout);
}

static void
run_case (const char *file, const GeglRectangle *extent, const Case *c)
{
  GeglNode *graph = gegl_node_new ();
  GeglNode *load = gegl_node_new_child (graph, "operation", "gegl:load",
                                        "path", file, NULL);
  GeglNode *end = gegl_node_new_child (graph, "operation", "gegl:nop", NULL);
  char *chain = g_strdup_printf (c->chain, file);
  char *root = g_path_get_dirname (file);
  GError *error = NULL;
  GeglRectangle box,
    want = { extent->x * c->scale, extent->y * c->scale,
             extent->width * c->scale, extent->height * c->scale };
  GString *found = g_string_new (NULL);
  gboolean ok = TRUE;

  warnings = g_string_new (NULL);
  gegl_create_chain (chain, load, end, 0.0, extent->height, root, &error);
  if (error != NULL)
    {
      g_string_append_printf (found, "chain refused: %s", error->message);
      ok = FALSE;
      g_clear_error (&error);
    }
  box = gegl_node_get_bounding_box (end);
  if (ok && !gegl_rectangle_equal (&box, &want))
    {
      g_string_append_printf (found, "size %dx%d at (%d,%d), not %dx%d",
                              box.width, box.height, box.x, box.y, want.width,
                              want.height);
      ok = FALSE;
    }
  if (ok)
    ok = check_pixels (end, &box, c, found);
  print_result (file, c, ok, found);
  g_string_free (warnings, TRUE);
  warnings = NULL;
  g_string_free (found, TRUE);
  g_free (root);
  g_free (chain);
  g_object_unref (graph);
}

int
main (int argc, char **argv)
{
  g_log_set_writer_func (keep_message, NULL, NULL);
  gegl_init (&argc, &argv);
  for (int i = 1; i < argc; i++)
    {
      GeglNode *graph = gegl_node_new ();
      GeglNode *load = gegl_node_new_child (graph, "operation", "gegl:load",
                                            "path", argv[i], NULL);
      GeglRectangle extent = gegl_node_get_bounding_box (load);

      g_object_unref (graph);
      printf ("FILE\t%s\t%dx%d\n", argv[i], extent.width, extent.height);
      for (gsize k = 0; k < G_N_ELEMENTS (cases); k++)
        run_case (argv[i], &extent, &cases[k]);
    }
  gegl_exit ();
  return 0;
}
