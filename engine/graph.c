/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs a loaded model: the whole graph on a tensor, or output 0 over a
 * region of an interleaved image by the tiling rule (engine/README.md).
 */
#include <cblas.h>
#include <stdatomic.h>
#include <string.h>

#include "hfsr-private.h"

/* A default tile spans this many input pixels on a side, plus the margins,
 * whatever the scale, because scratch memory follows the input-side size.
 * For WDSR-A 32x4 with 8 blocks (margin 18) that bounds scratch near 42 MB
 * (the ReLU fused into its conv, so the widest cut is a block's input and
 * expansion) while the margins add 41% to the work; 128 took 13% longer
 * on a 512x512 input (64% of margin work) for 22 MB, 256 was no faster
 * for 60 MB (engine/README.md). */
#define HFSR_DEFAULT_TILE_INPUT 192

void
hfsr_graph_node_error (const HfsrModel *model, int index, int error_code,
                       GError *node_error, GError **error)
{
  const HfsrNode *node = &model->nodes[index];

  g_set_error (error, HFSR_ERROR, error_code, "%s: node '%s' (%s): %s",
               model->name, node->name, node->klass->op, node_error->message);
  g_error_free (node_error);
}

gboolean
hfsr_graph_infer_node (const HfsrModel *model, int index,
                       const HfsrShape *slot_shapes, int error_code,
                       HfsrShape *output, GError **error)
{
  const HfsrNode *node = &model->nodes[index];
  HfsrShape inputs[HFSR_NODE_MAX_INPUTS];
  GError *local = NULL;

  for (int i = 0; i < node->n_inputs; i++)
    inputs[i] = slot_shapes[node->inputs[i]];
  if (!node->klass->infer_shape (node, inputs, output, &local))
    {
      hfsr_graph_node_error (model, index, error_code, local, error);
      return FALSE;
    }
  return TRUE;
}

/* Marks in @fused the slots holding a conv2d's output whose only consumer
 * is a relu and which are not wanted themselves: the conv applies the ReLU
 * as it writes its output (HfsrNode.fused_relu) and the relu passes that
 * tensor on.  Values are unchanged (the ReLU is element-wise, its margin
 * the same), while a pass over the widest tensor of WDSR-A and its
 * allocation disappear. */
static void
find_fused_relus (const HfsrModel *model, const gboolean *needed,
                  const gboolean *is_target, gboolean *fused)
{
  int n_slots = model->n_nodes + 1;
  int *n_uses = g_new0 (int, n_slots);

  for (int k = 0; k < model->n_nodes; k++)
    if (needed[k + 1])
      for (int i = 0; i < model->nodes[k].n_inputs; i++)
        n_uses[model->nodes[k].inputs[i]]++;
  for (int k = 0; k < model->n_nodes; k++)
    {
      int s = model->nodes[k].inputs[0];

      if (needed[k + 1] && model->nodes[k].klass == &hfsr_layer_relu
          && s > 0 && model->nodes[s - 1].klass == &hfsr_layer_conv2d
          && n_uses[s] == 1 && !is_target[s])
        fused[s] = TRUE;
    }
  g_free (n_uses);
}

/* Runs the nodes that the first @n_targets graph outputs depend on and
 * moves those outputs into @targets.  Every other value is freed right
 * after its last consumer ran, so memory is that of the widest cut through
 * the graph, not of the whole graph. */
static gboolean
run_graph (const HfsrModel *model, const HfsrTensor *input, int n_targets,
           HfsrTensor **targets, GError **error)
{
  int n_slots = model->n_nodes + 1;
  gboolean *needed = g_new0 (gboolean, n_slots);
  gboolean *is_target = g_new0 (gboolean, n_slots);
  gboolean *fused = g_new0 (gboolean, n_slots);
  int *last_use = g_new (int, n_slots);
  HfsrShape *shapes = g_new0 (HfsrShape, n_slots);
  HfsrTensor **values = g_new0 (HfsrTensor *, n_slots);
  gboolean ok = TRUE;

  for (int i = 0; i < n_targets; i++)
    {
      targets[i] = NULL;
      needed[model->output_slots[i]] = TRUE;
      is_target[model->output_slots[i]] = TRUE;
    }
  for (int k = model->n_nodes - 1; k >= 0; k--)
    if (needed[k + 1])
      for (int i = 0; i < model->nodes[k].n_inputs; i++)
        needed[model->nodes[k].inputs[i]] = TRUE;
  for (int s = 0; s < n_slots; s++)
    last_use[s] = -1;
  for (int k = 0; k < model->n_nodes; k++)
    if (needed[k + 1])
      for (int i = 0; i < model->nodes[k].n_inputs; i++)
        last_use[model->nodes[k].inputs[i]] = k;
  find_fused_relus (model, needed, is_target, fused);

  shapes[0].channels = input->channels;
  shapes[0].height = input->height;
  shapes[0].width = input->width;
  for (int k = 0; k < model->n_nodes; k++)
    {
      HfsrNode node_copy = model->nodes[k];
      const HfsrNode *node = &node_copy;
      const HfsrTensor *inputs[HFSR_NODE_MAX_INPUTS];
      GError *local = NULL;
      HfsrShape *shape = &shapes[k + 1];

      if (!needed[k + 1])
        continue;
      if (!hfsr_graph_infer_node (model, k, shapes,
                                  HFSR_ERROR_INVALID_ARGUMENT, shape, error))
        {
          ok = FALSE;
          break;
        }
      if (fused[node->inputs[0]])
        {
          /* The relu of a conv that applied it: its only consumer. */
          values[k + 1] = values[node->inputs[0]];
          values[node->inputs[0]] = NULL;
          continue;
        }
      node_copy.fused_relu = fused[k + 1];
      values[k + 1] = hfsr_tensor_new_uninitialised (shape->channels,
                                                     shape->height,
                                                     shape->width, &local);
      for (int i = 0; i < node->n_inputs; i++)
        inputs[i] = node->inputs[i] == 0 ? input : values[node->inputs[i]];
      if (values[k + 1] == NULL
          || !node->klass->forward (node, inputs, values[k + 1], &local))
        {
          hfsr_graph_node_error (model, k, local->code, local, error);
          ok = FALSE;
          break;
        }
      for (int i = 0; i < node->n_inputs; i++)
        {
          int s = node->inputs[i];

          if (s != 0 && last_use[s] == k && !is_target[s])
            g_clear_pointer (&values[s], hfsr_tensor_free);
        }
    }

  for (int i = 0; ok && i < n_targets; i++)
    {
      targets[i] = values[model->output_slots[i]];
      values[model->output_slots[i]] = NULL;
    }
  for (int s = 1; s < n_slots; s++)
    hfsr_tensor_free (values[s]);
  g_free (values);
  g_free (shapes);
  g_free (last_use);
  g_free (fused);
  g_free (is_target);
  g_free (needed);
  return ok;
}

gboolean
hfsr_model_forward (const HfsrModel *model, const HfsrTensor *input,
                    HfsrTensor **outputs, GError **error)
{
  g_return_val_if_fail (model != NULL, FALSE);
  g_return_val_if_fail (input != NULL && input->data != NULL, FALSE);
  g_return_val_if_fail (outputs != NULL, FALSE);

  for (int i = 0; i < model->n_outputs; i++)
    outputs[i] = NULL;
  if (input->channels != model->input_channels || input->height < 1
      || input->width < 1)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: the input is [%d,%d,%d], the model takes %d channels",
                   model->name, input->channels, input->height, input->width,
                   model->input_channels);
      return FALSE;
    }
  return run_graph (model, input, model->n_outputs, outputs, error);
}

/* Division rounding towards -inf / +inf: GEGL coordinates may be
 * negative. */
static gint64
floor_div (gint64 a, gint64 b)
{
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static gint64
ceil_div (gint64 a, gint64 b)
{
  return -floor_div (-a, b);
}

/* [lo, hi) along one axis clipped to [start, start + size), never
 * negative in width. */
static void
clip_span (gint64 lo, gint64 hi, int start, int size, int *out_start,
           int *out_size)
{
  lo = MAX (lo, (gint64) start);
  hi = MIN (hi, (gint64) start + size);
  *out_start = (int) lo;
  *out_size = (int) MAX (hi - lo, 0);
}

HfsrRect
hfsr_model_required_input (const HfsrModel *model, const HfsrRect *output,
                           const HfsrRect *image)
{
  HfsrRect need;
  int s, m;

  g_return_val_if_fail (model != NULL && output != NULL && image != NULL,
                        ((HfsrRect) { 0, 0, 0, 0 }));

  if (model->margin < 0)
    return *image;
  s = model->scale;
  m = model->margin;
  clip_span (floor_div (output->x, s) - m,
             ceil_div ((gint64) output->x + output->width, s) + m,
             image->x, image->width, &need.x, &need.width);
  clip_span (floor_div (output->y, s) - m,
             ceil_div ((gint64) output->y + output->height, s) + m,
             image->y, image->height, &need.y, &need.height);
  return need;
}

static gboolean
rect_contains (const HfsrRect *outer, const HfsrRect *inner)
{
  return inner->x >= outer->x && inner->y >= outer->y
         && (gint64) inner->x + inner->width
            <= (gint64) outer->x + outer->width
         && (gint64) inner->y + inner->height
            <= (gint64) outer->y + outer->height;
}

static gboolean
check_view (const HfsrModel *model, const HfsrImageView *view, int channels,
            const char *what, GError **error)
{
  const HfsrRect *r = &view->rect;

  if (view->data == NULL || r->width < 1 || r->height < 1)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "%s: the %s view (%dx%d) is empty or has no data",
                 model->name, what, r->width, r->height);
  else if (view->channels < channels)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "%s: the %s view has %d channels, the model needs %d",
                 model->name, what, view->channels, channels);
  else if (view->rowstride / (gsize) view->channels < (gsize) r->width)
    g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                 "%s: the %s view's rowstride %" G_GSIZE_FORMAT
                 " is less than %d pixels of %d channels", model->name,
                 what, view->rowstride, r->width, view->channels);
  else
    return TRUE;
  return FALSE;
}

static float *
view_pixel (const HfsrImageView *view, int x, int y)
{
  return view->data + (gsize) (y - view->rect.y) * view->rowstride
         + (gsize) (x - view->rect.x) * (gsize) view->channels;
}

/* Interleaved pixels of @rect into a planar tensor (its first channels). */
static void
gather (const HfsrImageView *view, const HfsrRect *rect, HfsrTensor *tensor)
{
  gsize plane_size = (gsize) tensor->height * tensor->width;

  for (int y = 0; y < rect->height; y++)
    for (int x = 0; x < rect->width; x++)
      {
        const float *pixel = view_pixel (view, rect->x + x, rect->y + y);
        float *to = tensor->data + (gsize) y * tensor->width + x;

        for (int c = 0; c < tensor->channels; c++)
          to[c * plane_size] = pixel[c];
      }
}

/* The part of @tensor (whose pixel 0 sits at @origin_x, @origin_y) inside
 * @rect into the first tensor->channels channels of @view. */
static void
scatter (const HfsrTensor *tensor, int origin_x, int origin_y,
         const HfsrRect *rect, const HfsrImageView *view)
{
  gsize plane_size = (gsize) tensor->height * tensor->width;

  for (int y = rect->y; y < rect->y + rect->height; y++)
    for (int x = rect->x; x < rect->x + rect->width; x++)
      {
        float *pixel = view_pixel (view, x, y);
        const float *from = tensor->data
                            + (gsize) (y - origin_y) * tensor->width
                            + (x - origin_x);

        for (int c = 0; c < tensor->channels; c++)
          pixel[c] = from[c * plane_size];
      }
}

/* One tile of the tiling rule: its required input, zero-padded at the
 * region's edges by the layers, run through the graph; the output region
 * starts at scale x the input region's origin, and the tile is cut out of
 * it. */
static gboolean
run_tile (const HfsrModel *model, const HfsrImageView *input,
          const HfsrRect *image, const HfsrImageView *output,
          const HfsrRect *tile, GError **error)
{
  HfsrRect need = hfsr_model_required_input (model, tile, image);
  HfsrTensor *in, *result = NULL;
  int s = model->scale;
  gboolean ok;

  in = hfsr_tensor_new_uninitialised (model->input_channels, need.height,
                                      need.width, error);
  if (in == NULL)
    {
      g_prefix_error (error, "%s: ", model->name);
      return FALSE;
    }
  gather (input, &need, in);
  ok = run_graph (model, in, 1, &result, error);
  hfsr_tensor_free (in);
  if (!ok)
    return FALSE;

  /* Load-time inference makes this hold; checked because the scatter
   * below indexes by it. */
  if (result->channels != model->output_channels[0]
      || (gint64) result->height != (gint64) need.height * s
      || (gint64) result->width != (gint64) need.width * s)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT,
                   "%s: output '%s' is [%d,%d,%d] for a %dx%d input, not "
                   "%d times its size", model->name, model->output_names[0],
                   result->channels, result->height, result->width,
                   need.width, need.height, s);
      hfsr_tensor_free (result);
      return FALSE;
    }
  scatter (result, need.x * s, need.y * s, tile, output);
  hfsr_tensor_free (result);
  return TRUE;
}

gboolean
hfsr_model_run_region (const HfsrModel *model, const HfsrImageView *input,
                       const HfsrRect *image, const HfsrImageView *output,
                       int tile_size, HfsrProgressFunc progress,
                       gpointer progress_data, GError **error)
{
  const HfsrRect *out;
  HfsrRect need;
  gint64 s, total, done = 0;
  int tile_w, tile_h;

  g_return_val_if_fail (model != NULL && input != NULL, FALSE);
  g_return_val_if_fail (image != NULL && output != NULL, FALSE);

  out = &output->rect;
  s = model->scale;
  if (out->width == 0 || out->height == 0)
    return TRUE;
  if (!check_view (model, input, model->input_channels, "input", error)
      || !check_view (model, output, model->output_channels[0], "output",
                      error))
    return FALSE;
  if (image->width < 1 || image->height < 1)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: the image extent %dx%d is empty", model->name,
                   image->width, image->height);
      return FALSE;
    }
  if (tile_size < 0)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: negative tile size %d", model->name, tile_size);
      return FALSE;
    }
  if (out->x < image->x * s || out->y < image->y * s
      || (gint64) out->x + out->width > ((gint64) image->x + image->width) * s
      || (gint64) out->y + out->height
         > ((gint64) image->y + image->height) * s)
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: the output %dx%d at (%d,%d) lies outside the image's "
                   "output extent (%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                   " at (%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "))",
                   model->name, out->width, out->height, out->x, out->y,
                   image->width * s, image->height * s, image->x * s,
                   image->y * s);
      return FALSE;
    }
  need = hfsr_model_required_input (model, out, image);
  if (!rect_contains (&input->rect, &need))
    {
      g_set_error (error, HFSR_ERROR, HFSR_ERROR_INVALID_ARGUMENT,
                   "%s: the input view %dx%d at (%d,%d) does not cover the "
                   "required input %dx%d at (%d,%d)", model->name,
                   input->rect.width, input->rect.height, input->rect.x,
                   input->rect.y, need.width, need.height, need.x, need.y);
      return FALSE;
    }

  /* A global model needs the whole image for every tile: one tile then
   * costs the least, and memory follows the image anyway. */
  if (model->margin < 0)
    {
      tile_w = out->width;
      tile_h = out->height;
    }
  else
    {
      gint64 side = tile_size > 0 ? tile_size : HFSR_DEFAULT_TILE_INPUT * s;

      tile_w = (int) MIN (side, (gint64) out->width);
      tile_h = (int) MIN (side, (gint64) out->height);
    }

  total = (gint64) out->width * out->height;
  for (gint64 y = out->y; y < (gint64) out->y + out->height; y += tile_h)
    for (gint64 x = out->x; x < (gint64) out->x + out->width; x += tile_w)
      {
        gint64 x_end = (gint64) out->x + out->width;
        gint64 y_end = (gint64) out->y + out->height;
        HfsrRect tile = { (int) x, (int) y, (int) MIN (tile_w, x_end - x),
                          (int) MIN (tile_h, y_end - y) };

        if (!run_tile (model, input, image, output, &tile, error))
          return FALSE;
        done += (gint64) tile.width * tile.height;
        if (progress != NULL
            && !progress ((double) done / (double) total, progress_data)
            && done < total)
          {
            g_set_error (error, HFSR_ERROR, HFSR_ERROR_CANCELLED,
                         "%s: cancelled", model->name);
            return FALSE;
          }
      }
  return TRUE;
}

/* The engine's threads are its own (kernels/parallel.c): each kernel splits
 * its work into pieces fixed by the shapes alone and hands them out, so
 * results do not depend on the count.  OpenBLAS then runs on one thread
 * inside them, never nested; left with threads of its own, they would spin
 * after every call and compete with the engine's for the cores. */
static atomic_int engine_threads = 1;

void
hfsr_set_threads (int n_threads)
{
  openblas_set_num_threads (1);
  atomic_store (&engine_threads, MAX (n_threads, 1));
}

int
hfsr_get_threads (void)
{
  return atomic_load (&engine_threads);
}
