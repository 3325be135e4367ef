/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs a loaded model: the whole graph on a tensor, or output 0 over a
 * region of an interleaved image by the tiling rule (engine/README.md).
 */
#include <math.h>
#include <string.h>

#include "hfsr-private.h"
#include "kernels/kernels.h"

/* What a default tile's tensors may hold, in floats (60 MiB): the largest
 * square tile, margins included, whose widest cut fits (tile_floats).
 * Margins are recomputed work, so the larger the tile the better, as long
 * as it stays within the engine's 64 MB per thread (engine/README.md). */
#define HFSR_TILE_BUDGET_FLOATS ((gsize) 60 << 18)
/* and the least a default tile spans, in input pixels, for networks too
 * wide for the budget */
#define HFSR_TILE_MIN_INPUT 64

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
                  const gboolean *is_target, const int *n_uses,
                  gboolean *fused)
{
  for (int k = 0; k < model->n_nodes; k++)
    {
      int s = model->nodes[k].inputs[0];

      if (needed[k + 1] && model->nodes[k].klass == &hfsr_layer_relu && s > 0
          && model->nodes[s - 1].klass == &hfsr_layer_conv2d && n_uses[s] == 1
          && !is_target[s])
        fused[s] = TRUE;
    }
}

/* The node behind slot @s when it is of kind @klass, is used once and is
 * not wanted itself; NULL otherwise. */
static const HfsrNode *
private_producer (const HfsrModel *model, int s, const HfsrLayerClass *klass,
                  const int *n_uses, const gboolean *is_target)
{
  if (s == 0 || n_uses[s] != 1 || is_target[s]
      || model->nodes[s - 1].klass != klass)
    return NULL;
  return &model->nodes[s - 1];
}

/* An add node that runs its residual block as one pass: the two convs,
 * and which of the add's inputs is the block's input. */
typedef struct
{
  const HfsrNode *expand; /* NULL: a plain add */
  const HfsrNode *reduce;
  int x_input;
} ResidualBlock;

/* Finds the residual blocks add (x, conv (relu (conv (x)))) (either order
 * of the addition) whose inner values serve nothing else: @blocks[k]
 * describes add node k's, and the slots of the two convs and the relu are
 * marked in @inside, for the add to run the block as one pass
 * (hfsr_conv2d_residual_forward).  WDSR-A's body is eight of them; the
 * 128-channel expansion then never exists whole. */
static void
find_fused_residuals (const HfsrModel *model, const gboolean *needed,
                      const gboolean *is_target, const int *n_uses,
                      ResidualBlock *blocks, gboolean *inside)
{
  for (int k = 0; k < model->n_nodes; k++)
    {
      const HfsrNode *node = &model->nodes[k];

      if (!needed[k + 1] || node->klass != &hfsr_layer_add)
        continue;
      for (int side = 0; side < 2 && blocks[k].expand == NULL; side++)
        {
          const HfsrNode *reduce, *relu, *expand;

          reduce = private_producer (model, node->inputs[side],
                                     &hfsr_layer_conv2d, n_uses, is_target);
          relu = reduce
                   ? private_producer (model, reduce->inputs[0],
                                       &hfsr_layer_relu, n_uses, is_target)
                   : NULL;
          expand = relu
                     ? private_producer (model, relu->inputs[0],
                                         &hfsr_layer_conv2d, n_uses, is_target)
                     : NULL;
          if (expand == NULL || expand->inputs[0] != node->inputs[1 - side]
              || !hfsr_conv2d_fuses_residual (expand, reduce))
            continue;
          blocks[k] = (ResidualBlock) { expand, reduce, 1 - side };
          inside[relu->inputs[0]] = TRUE;
          inside[reduce->inputs[0]] = TRUE;
          inside[node->inputs[side]] = TRUE;
        }
    }
}

/* How a graph run treats each node, fixed by the graph and the wanted
 * outputs alone: which nodes run, which values are fused away, when each
 * value is freed.  run_graph follows it, and tile_floats costs it. */
typedef struct
{
  int n_slots;
  gboolean *needed;
  gboolean *is_target;
  gboolean *fused;  /* a conv output whose relu it applies itself */
  gboolean *inside; /* run by the add of its residual block */
  int *n_uses;
  int *last_use;         /* node index, -1 if none */
  ResidualBlock *blocks; /* per node */
} GraphPlan;

typedef enum
{
  STEP_SKIP,     /* not needed, or run by its residual block's add */
  STEP_PASS,     /* the relu of a conv that applied it: takes its tensor */
  STEP_IN_PLACE, /* a residual block written over its input */
  STEP_NEW,      /* the node's forward (or a block) into a new tensor */
} GraphStep;

static GraphPlan *
plan_new (const HfsrModel *model, int n_targets)
{
  GraphPlan *plan = g_new0 (GraphPlan, 1);
  int n_slots = model->n_nodes + 1;

  plan->n_slots = n_slots;
  plan->needed = g_new0 (gboolean, n_slots);
  plan->is_target = g_new0 (gboolean, n_slots);
  plan->fused = g_new0 (gboolean, n_slots);
  plan->inside = g_new0 (gboolean, n_slots);
  plan->n_uses = g_new0 (int, n_slots);
  plan->last_use = g_new (int, n_slots);
  plan->blocks = g_new0 (ResidualBlock, n_slots);
  for (int i = 0; i < n_targets; i++)
    {
      plan->needed[model->output_slots[i]] = TRUE;
      plan->is_target[model->output_slots[i]] = TRUE;
    }
  for (int k = model->n_nodes - 1; k >= 0; k--)
    if (plan->needed[k + 1])
      for (int i = 0; i < model->nodes[k].n_inputs; i++)
        plan->needed[model->nodes[k].inputs[i]] = TRUE;
  for (int s = 0; s < n_slots; s++)
    plan->last_use[s] = -1;
  for (int k = 0; k < model->n_nodes; k++)
    if (plan->needed[k + 1])
      for (int i = 0; i < model->nodes[k].n_inputs; i++)
        {
          plan->last_use[model->nodes[k].inputs[i]] = k;
          plan->n_uses[model->nodes[k].inputs[i]]++;
        }
  find_fused_relus (model, plan->needed, plan->is_target, plan->n_uses,
                    plan->fused);
  find_fused_residuals (model, plan->needed, plan->is_target, plan->n_uses,
                        plan->blocks, plan->inside);
  return plan;
}

static void
plan_free (GraphPlan *plan)
{
  g_free (plan->needed);
  g_free (plan->is_target);
  g_free (plan->fused);
  g_free (plan->inside);
  g_free (plan->n_uses);
  g_free (plan->last_use);
  g_free (plan->blocks);
  g_free (plan);
}

void
hfsr_graph_make_plans (HfsrModel *model)
{
  hfsr_graph_free_plans (model);
  model->plans = g_new0 (gpointer, MAX (model->n_outputs, 1));
  for (int n = 1; n <= model->n_outputs; n++)
    model->plans[n - 1] = plan_new (model, n);
}

void
hfsr_graph_free_plans (HfsrModel *model)
{
  for (int n = 0; model->plans != NULL && n < model->n_outputs; n++)
    plan_free (model->plans[n]);
  g_clear_pointer (&model->plans, g_free);
}

int
hfsr_graph_n_fused_blocks (const HfsrModel *model)
{
  const GraphPlan *plan = model->plans[0];
  int n = 0;

  for (int k = 0; k < model->n_nodes; k++)
    n += plan->blocks[k].expand != NULL;
  return n;
}

/* The plan made at load for the first @n_targets outputs. */
static const GraphPlan *
plan_for (const HfsrModel *model, int n_targets)
{
  return model->plans[n_targets - 1];
}

/* The slot of node @k's residual block input. */
static int
block_input_slot (const HfsrModel *model, const GraphPlan *plan, int k)
{
  return model->nodes[k].inputs[plan->blocks[k].x_input];
}

static GraphStep
plan_step (const HfsrModel *model, const GraphPlan *plan, int k)
{
  int x;

  if (!plan->needed[k + 1] || plan->inside[k + 1])
    return STEP_SKIP;
  if (plan->fused[model->nodes[k].inputs[0]])
    return STEP_PASS;
  if (plan->blocks[k].expand == NULL)
    return STEP_NEW;
  /* The block's input serves nothing after it (and is not the caller's):
   * the block writes its output over it. */
  x = block_input_slot (model, plan, k);
  return x != 0 && plan->last_use[x] == k && !plan->is_target[x]
           ? STEP_IN_PLACE
           : STEP_NEW;
}

/* Whether value @s is freed once node @k has run. */
static gboolean
plan_frees (const GraphPlan *plan, int s, int k)
{
  return s != 0 && plan->last_use[s] == k && !plan->is_target[s];
}

/* Runs node @k, whose plan step @step makes it compute (STEP_NEW or
 * STEP_IN_PLACE), into values[k + 1] (@shape, inferred), as one pass when
 * it is a fused residual block, then frees the inputs it was the last
 * consumer of.  The node is copied to carry this plan's fused ReLU: the
 * model is shared, read-only, by concurrent runs. */
static gboolean
run_node (const HfsrModel *model, const GraphPlan *plan, int k, GraphStep step,
          const HfsrTensor *input, const HfsrShape *shape, HfsrTensor **values,
          GError **error)
{
  HfsrNode node_copy = model->nodes[k];
  const HfsrNode *node = &node_copy;
  const HfsrTensor *inputs[HFSR_NODE_MAX_INPUTS];
  const ResidualBlock *block = &plan->blocks[k];
  GError *local = NULL;

  node_copy.fused_relu = plan->fused[k + 1];
  for (int i = 0; i < node->n_inputs; i++)
    inputs[i] = node->inputs[i] == 0 ? input : values[node->inputs[i]];
  if (step == STEP_IN_PLACE)
    {
      int x = block_input_slot (model, plan, k);

      values[k + 1] = values[x];
      values[x] = NULL;
    }
  else
    values[k + 1] = hfsr_tensor_new_uninitialised (
      shape->channels, shape->height, shape->width, &local);
  if (values[k + 1] == NULL
      || (block->expand != NULL
            ? !hfsr_conv2d_residual_forward (block->expand, block->reduce,
                                             inputs[block->x_input],
                                             values[k + 1], &local)
            : !node->klass->forward (node, inputs, values[k + 1], &local)))
    {
      hfsr_graph_node_error (model, k, local->code, local, error);
      return FALSE;
    }
  for (int i = 0; i < node->n_inputs; i++)
    if (plan_frees (plan, node->inputs[i], k))
      g_clear_pointer (&values[node->inputs[i]], hfsr_tensor_free);
  return TRUE;
}

/* Runs the nodes that the first @n_targets graph outputs depend on and
 * moves those outputs into @targets.  Every other value is freed right
 * after its last consumer ran, so memory is that of the widest cut through
 * the graph, not of the whole graph. */
static gboolean
run_graph (const HfsrModel *model, const HfsrTensor *input, int n_targets,
           HfsrTensor **targets, GError **error)
{
  const GraphPlan *plan = plan_for (model, n_targets);
  int n_slots = plan->n_slots;
  HfsrShape *shapes = g_new0 (HfsrShape, n_slots);
  HfsrTensor **values = g_new0 (HfsrTensor *, n_slots);
  gboolean ok = TRUE;

  for (int i = 0; i < n_targets; i++)
    targets[i] = NULL;
  shapes[0].channels = input->channels;
  shapes[0].height = input->height;
  shapes[0].width = input->width;
  for (int k = 0; ok && k < model->n_nodes; k++)
    {
      GraphStep step;

      if (!plan->needed[k + 1])
        continue;
      ok = hfsr_graph_infer_node (
        model, k, shapes, HFSR_ERROR_INVALID_ARGUMENT, &shapes[k + 1], error);
      step = ok ? plan_step (model, plan, k) : STEP_SKIP;
      if (step == STEP_PASS)
        {
          /* The conv before this relu applied it: its tensor is passed on. */
          int from = model->nodes[k].inputs[0];

          values[k + 1] = values[from];
          values[from] = NULL;
        }
      else if (step != STEP_SKIP)
        ok = run_node (model, plan, k, step, input, &shapes[k + 1], values,
                       error);
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
  return ok;
}

/* What a tile run of output 0 holds at most, following run_graph's plan:
 * @per_pixel floats per input pixel of the tile (the tensors alive at the
 * widest cut, the tile's input included) and @per_column floats per pixel
 * of its width (the expansion rows a residual block keeps). */
static void
tile_floats (const HfsrModel *model, gsize *per_pixel, gsize *per_column)
{
  const GraphPlan *plan = plan_for (model, 1);
  gsize *held = g_new0 (gsize, plan->n_slots);
  gsize now, peak;

  now = peak = held[0] = (gsize) model->input_channels;
  *per_column = 0;
  for (int k = 0; k < model->n_nodes; k++)
    {
      const HfsrNode *node = &model->nodes[k];
      GraphStep step = plan_step (model, plan, k);
      gsize scale = (gsize) model->slot_scale[k + 1];

      if (step == STEP_SKIP)
        continue;
      if (step == STEP_PASS || step == STEP_IN_PLACE)
        {
          int from = step == STEP_PASS ? node->inputs[0]
                                       : block_input_slot (model, plan, k);

          held[k + 1] = held[from];
          held[from] = 0;
        }
      else
        {
          /* A global value (scale 0) is one pixel: nothing per pixel. */
          held[k + 1] = (gsize) model->slot_channels[k + 1] * scale * scale;
          now += held[k + 1];
          peak = MAX (peak, now);
        }
      if (plan->blocks[k].expand != NULL)
        *per_column
          = MAX (*per_column,
                 hfsr_conv2d_residual_column_floats (plan->blocks[k].expand));
      for (int i = 0; i < node->n_inputs; i++)
        if (plan_frees (plan, node->inputs[i], k))
          {
            now -= held[node->inputs[i]];
            held[node->inputs[i]] = 0;
          }
    }
  *per_pixel = peak;
  g_free (held);
}

/* The input side of a default tile, margins not included. */
static gint64
default_tile_input (const HfsrModel *model)
{
  gsize per_pixel, per_column;
  double side;

  tile_floats (model, &per_pixel, &per_column);
  /* the largest side S with per_pixel S² + per_column S <= budget */
  side = (sqrt ((double) per_column * per_column
                + 4.0 * per_pixel * HFSR_TILE_BUDGET_FLOATS)
          - per_column)
         / (2.0 * per_pixel);
  return MAX ((gint64) side - 2 * (gint64) model->margin, HFSR_TILE_MIN_INPUT);
}

int
hfsr_model_get_tile_input (const HfsrModel *model)
{
  g_return_val_if_fail (model != NULL, HFSR_TILE_MIN_INPUT);
  return (int) MIN (default_tile_input (model), G_MAXINT / HFSR_MAX_SCALE);
}

/* The side of @count equal tiles covering @length output pixels, rounded
 * up to whole input pixels (@scale). */
static int
even_tile (gint64 length, gint64 limit, gint64 scale)
{
  gint64 count = (length + limit - 1) / limit;
  gint64 side = (length + count - 1) / count;

  return (int) MIN ((side + scale - 1) / scale * scale, length);
}

static gboolean model_forward (const HfsrModel *model, const HfsrTensor *input,
                               HfsrTensor **outputs, GError **error);

gboolean
hfsr_model_forward (const HfsrModel *model, const HfsrTensor *input,
                    HfsrTensor **outputs, const HfsrRunOptions *options,
                    GError **error)
{
  HfsrRunOptions saved;
  gboolean ok;

  hfsr_run_scope_enter (options, &saved);
  hfsr_memory_run_begin ();
  ok = model_forward (model, input, outputs, error);
  hfsr_memory_run_end ();
  hfsr_run_scope_leave (&saved);
  return ok;
}

static gboolean
model_forward (const HfsrModel *model, const HfsrTensor *input,
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
             ceil_div ((gint64) output->x + output->width, s) + m, image->x,
             image->width, &need.x, &need.width);
  clip_span (floor_div (output->y, s) - m,
             ceil_div ((gint64) output->y + output->height, s) + m, image->y,
             image->height, &need.y, &need.height);
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
                 " is less than %d pixels of %d channels",
                 model->name, what, view->rowstride, r->width, view->channels);
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

typedef struct
{
  const HfsrImageView *view;
  const HfsrRect *rect;
  const HfsrTensor *tensor; /* its data is written by gather */
  int origin_x, origin_y;   /* scatter: @tensor's pixel 0 */
} CopyJob;

/* Rows [@start, @end) of @rect's interleaved pixels into the planar tensor
 * (its first channels). */
static void
gather_rows (gpointer data, gsize start, gsize end)
{
  const CopyJob *job = data;
  const HfsrTensor *tensor = job->tensor;
  gsize plane_size = (gsize) tensor->height * tensor->width;

  for (gsize y = start; y < end; y++)
    for (int x = 0; x < job->rect->width; x++)
      {
        const float *pixel
          = view_pixel (job->view, job->rect->x + x, job->rect->y + (int) y);
        float *to = tensor->data + y * tensor->width + x;

        for (int c = 0; c < tensor->channels; c++)
          to[c * plane_size] = pixel[c];
      }
}

/* Rows [@start, @end) of @rect: the tensor's pixels there into the first
 * tensor->channels channels of the view. */
static void
scatter_rows (gpointer data, gsize start, gsize end)
{
  const CopyJob *job = data;
  const HfsrTensor *tensor = job->tensor;
  gsize plane_size = (gsize) tensor->height * tensor->width;

  for (int y = job->rect->y + (int) start; y < job->rect->y + (int) end; y++)
    for (int x = job->rect->x; x < job->rect->x + job->rect->width; x++)
      {
        float *pixel = view_pixel (job->view, x, y);
        const float *from = tensor->data
                            + (gsize) (y - job->origin_y) * tensor->width
                            + (x - job->origin_x);

        for (int c = 0; c < tensor->channels; c++)
          pixel[c] = from[c * plane_size];
      }
}

/* Runs @func over the rows of job->rect, several at a time. */
static void
copy_rows (CopyJob *job, HfsrRangeFunc func)
{
  gsize row_floats
    = (gsize) MAX (job->rect->width, 1) * (gsize) job->tensor->channels;

  hfsr_parallel_range ((gsize) job->rect->height,
                       HFSR_PARALLEL_GRAIN / row_floats, func, job);
}

/* Interleaved pixels of @rect into a planar tensor (its first channels). */
static void
gather (const HfsrImageView *view, const HfsrRect *rect, HfsrTensor *tensor)
{
  CopyJob job = { view, rect, tensor, 0, 0 };

  copy_rows (&job, gather_rows);
}

/* The part of @tensor (whose pixel 0 sits at @origin_x, @origin_y) inside
 * @rect into the first tensor->channels channels of @view. */
static void
scatter (const HfsrTensor *tensor, int origin_x, int origin_y,
         const HfsrRect *rect, const HfsrImageView *view)
{
  CopyJob job = { view, rect, tensor, origin_x, origin_y };

  copy_rows (&job, scatter_rows);
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
                   "%d times its size",
                   model->name, model->output_names[0], result->channels,
                   result->height, result->width, need.width, need.height, s);
      hfsr_tensor_free (result);
      return FALSE;
    }
  scatter (result, need.x * s, need.y * s, tile, output);
  hfsr_tensor_free (result);
  return TRUE;
}

static gboolean run_region (const HfsrModel *model, const HfsrImageView *input,
                            const HfsrRect *image, const HfsrImageView *output,
                            int tile_size, HfsrProgressFunc progress,
                            gpointer progress_data, GError **error);

gboolean
hfsr_model_run_region (const HfsrModel *model, const HfsrImageView *input,
                       const HfsrRect *image, const HfsrImageView *output,
                       int tile_size, const HfsrRunOptions *options,
                       HfsrProgressFunc progress, gpointer progress_data,
                       GError **error)
{
  HfsrRunOptions saved;
  gboolean ok;

  hfsr_run_scope_enter (options, &saved);
  hfsr_memory_run_begin ();
  ok = run_region (model, input, image, output, tile_size, progress,
                   progress_data, error);
  hfsr_memory_run_end ();
  hfsr_run_scope_leave (&saved);
  return ok;
}

/* run_region's arguments: views of the model's channels, a non-empty
 * image, a tile size of 0 or more, an output inside the image's output
 * extent, and an input view covering what the output needs. */
static gboolean
check_region_call (const HfsrModel *model, const HfsrImageView *input,
                   const HfsrRect *image, const HfsrImageView *output,
                   int tile_size, GError **error)
{
  const HfsrRect *out = &output->rect;
  gint64 s = model->scale;
  HfsrRect need;

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
                   "required input %dx%d at (%d,%d)",
                   model->name, input->rect.width, input->rect.height,
                   input->rect.x, input->rect.y, need.width, need.height,
                   need.x, need.y);
      return FALSE;
    }
  return TRUE;
}

/* The size of the tiles @out is cut into (output pixels). */
static void
choose_tile (const HfsrModel *model, const HfsrRect *out, int tile_size,
             int *tile_w, int *tile_h)
{
  gint64 s = model->scale;

  /* A global model needs the whole image for every tile: one tile then
   * costs the least, and memory follows the image anyway. */
  if (model->margin < 0)
    {
      *tile_w = out->width;
      *tile_h = out->height;
    }
  else
    {
      /* A default tiling splits the region evenly: 600 pixels in tiles of
       * at most 512 become two of 300, not 512 and 88. */
      if (tile_size == 0)
        {
          gint64 side = default_tile_input (model) * s;

          *tile_w = even_tile (out->width, side, s);
          *tile_h = even_tile (out->height, side, s);
        }
      else
        {
          *tile_w = (int) MIN ((gint64) tile_size, (gint64) out->width);
          *tile_h = (int) MIN ((gint64) tile_size, (gint64) out->height);
        }
    }
}

static gboolean
run_region (const HfsrModel *model, const HfsrImageView *input,
            const HfsrRect *image, const HfsrImageView *output, int tile_size,
            HfsrProgressFunc progress, gpointer progress_data, GError **error)
{
  const HfsrRect *out;
  gint64 total, done = 0;
  int tile_w, tile_h;

  g_return_val_if_fail (model != NULL && input != NULL, FALSE);
  g_return_val_if_fail (image != NULL && output != NULL, FALSE);

  out = &output->rect;
  if (out->width == 0 || out->height == 0)
    return TRUE;
  if (!check_region_call (model, input, image, output, tile_size, error))
    return FALSE;
  choose_tile (model, out, tile_size, &tile_w, &tile_h);

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
