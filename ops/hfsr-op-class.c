/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * hfsr_op_class_init and what it fills in: the class keeps its HfsrOpInfo,
 * each HfsrOpShape has its region functions and cache policy (the shapes
 * table), and an op without a process of its own gets one that computes
 * HFSR_OP_LOCAL chunks at once from their planes and HFSR_OP_UPSCALED ones
 * in bounded pieces.  The region maths, pixel transfer and network cache it
 * builds on are in hfsr-op-common.c.
 */
#include <gegl-plugin.h>

#include "hfsr-op-common.h"

/* The margin of the network hfsr_op_model_peek finds
 * (hfsr_model_get_margin), or HFSR_OP_WHOLE_IMAGE where none is: without
 * the network at hand all of the output may have changed. */
static int
model_peek_margin (GeglOperation *operation, const HfsrOpNetwork *network)
{
  HfsrOpModel *shared = hfsr_op_model_peek (operation, network);
  int margin = HFSR_OP_WHOLE_IMAGE;

  if (shared != NULL)
    margin = hfsr_model_get_margin (shared->model);
  hfsr_op_model_release (shared);
  return margin;
}

/* What process computes of @result with @margin: @wanted, the part within
 * the input image, from @region, the input around it that exists
 * (hfsr_op_grow_within), so that every engine border rule applies at the
 * true image border only and a chunk comes out as in a whole-image run.
 * FALSE where @result lies outside the image: nothing to compute. */
static gboolean
chunk_regions (GeglOperation *operation, const GeglRectangle *result,
               int margin, GeglRectangle *wanted, GeglRectangle *region)
{
  const GeglRectangle *extent
    = gegl_operation_source_get_bounding_box (operation, "input");

  /* A blit may ask for more than the image; only the image has pixels. */
  *wanted = *result;
  if (extent != NULL && !gegl_rectangle_intersect (wanted, result, extent))
    return FALSE;
  *region = hfsr_op_grow_within (wanted, margin, extent);
  return TRUE;
}

/* process of an op whose output pixel depends on the input pixels within
 * @margin of it (chunk_regions), computed by @func at once over the region
 * of @result; a failure is warned of. */
static gboolean
process_planes (GeglOperation *operation, GeglBuffer *input, GeglBuffer *aux,
                GeglBuffer *output, const GeglRectangle *result, int margin,
                HfsrOpPlanesFunc func)
{
  HfsrOpChunk chunk = { { 0, 0, 0, 0 }, NULL, NULL, { NULL }, NULL };
  GeglRectangle wanted;
  GError *error = NULL;
  gboolean success = FALSE;

  if (!chunk_regions (operation, result, margin, &wanted, &chunk.region))
    return TRUE;

  chunk.input = hfsr_op_read_planes (
    operation, input, &chunk.region,
    gegl_operation_get_format (operation, "input"), &error);
  if (chunk.input != NULL && aux != NULL)
    chunk.aux = hfsr_op_read_planes (
      operation, aux, &chunk.region,
      gegl_operation_get_format (operation, "aux"), &error);
  if (chunk.input != NULL && (aux == NULL || chunk.aux != NULL)
      && func (operation, &chunk, &error))
    success = hfsr_op_write_planes (
      output, &wanted, chunk.planes, &chunk.region,
      gegl_operation_get_format (operation, "output"), &error);

  hfsr_op_warn (operation, &error);
  hfsr_tensor_free (chunk.scratch);
  hfsr_tensor_free (chunk.aux);
  hfsr_tensor_free (chunk.input);
  return success;
}

/* Fills @wanted of @output (a one-component float @format) piece by piece,
 * pieces of at most @side x @side pixels in raster order, so that scratch
 * memory is bounded whatever chunk GEGL asks for.  Stops at the first
 * failure. */
static gboolean
render_pieces (GeglBuffer *output, const GeglRectangle *wanted, int side,
               const Babl *format, HfsrOpPieceFunc func, gpointer data,
               GError **error)
{
  float *out = hfsr_op_pixels_new (MIN (wanted->width, side),
                                   MIN (wanted->height, side), 1, error);
  gboolean success = out != NULL;

  for (gint64 y = wanted->y; success && y < wanted->y + wanted->height;
       y += side)
    for (gint64 x = wanted->x; success && x < wanted->x + wanted->width;
         x += side)
      {
        GeglRectangle piece
          = { (gint) x, (gint) y,
              (gint) MIN (side, wanted->x + wanted->width - x),
              (gint) MIN (side, wanted->y + wanted->height - y) };
        const float *planes[1] = { out };

        success = func (&piece, out, data, error)
                  && hfsr_op_write_planes (output, &piece, planes, &piece,
                                           format, error);
      }
  g_free (out);
  return success;
}

/* Where a class keeps its HfsrOpInfo: on its type, where an instance finds
 * it (the ops are not subclassed). */
static GQuark
info_quark (void)
{
  return g_quark_from_static_string ("hfsr-op-info");
}

static const HfsrOpInfo *
op_info (GeglOperation *operation)
{
  return g_type_get_qdata (G_TYPE_FROM_INSTANCE (operation), info_quark ());
}

static void
prepare_formats (GeglOperation *operation)
{
  const HfsrOpInfo *info = op_info (operation);

  hfsr_op_set_formats (operation, info->input_format, info->aux_format,
                       info->output_format);
}

/* The input image's: a filter's own, and a composer's whose aux only has
 * to match the input (GEGL's composer takes in aux's too). */
static GeglRectangle
input_bounding_box (GeglOperation *operation)
{
  return hfsr_op_source_extent (operation, "input");
}

static GeglRectangle
local_required_for_output (GeglOperation *operation, const gchar *input_pad,
                           const GeglRectangle *roi)
{
  return hfsr_op_required_within (operation, roi,
                                  op_info (operation)->margin (operation));
}

/* The dependence of a local op is symmetric: a changed input pixel reaches
 * as far as an output pixel looks, so this is its get_required_for_output. */
static GeglRectangle
local_invalidated_by_change (GeglOperation *operation, const gchar *input_pad,
                             const GeglRectangle *input_region)
{
  return local_required_for_output (operation, input_pad, input_region);
}

/* The "scale" property of an HFSR_OP_UPSCALED op: an integer, or a double
 * where the op takes any factor (hfsr:super-resolution). */
static double
op_scale (GeglOperation *operation)
{
  GValue value = G_VALUE_INIT;
  double scale;

  g_value_init (&value, G_TYPE_DOUBLE);
  g_object_get_property (G_OBJECT (operation), "scale", &value);
  scale = g_value_get_double (&value);
  g_value_unset (&value);
  return scale;
}

static GeglRectangle
upscaled_bounding_box (GeglOperation *operation)
{
  return hfsr_op_upscaled_bounding_box (operation, op_scale (operation));
}

/* What HfsrOpInfo.required names with the network of the settings, or
 * @roi as it is with no input connected. */
static GeglRectangle
upscaled_required_for_output (GeglOperation *operation, const gchar *input_pad,
                              const GeglRectangle *roi)
{
  const HfsrOpInfo *info = op_info (operation);
  const GeglRectangle *extent
    = gegl_operation_source_get_bounding_box (operation, "input");
  HfsrOpModel *shared;
  GeglRectangle need;

  if (extent == NULL)
    return *roi;
  shared = hfsr_op_model_acquire (operation, info->network);
  need = info->required (operation, shared, roi, extent);
  hfsr_op_model_release (shared);
  return need;
}

/* A changed input pixel reaches every output pixel whose footprint lies
 * within the margin of it: the network's, and at least the op's own.
 * GEGL asks this while properties are being set one by one (the `gegl`
 * command line connects the node before its model= is set), so it loads
 * nothing: without the network at hand all of the output may have
 * changed. */
static GeglRectangle
upscaled_invalidated_by_change (GeglOperation *operation,
                                const gchar *input_pad,
                                const GeglRectangle *input_region)
{
  const HfsrOpInfo *info = op_info (operation);
  int margin;
  GeglRectangle reach;

  if (info->invalidated != NULL)
    return info->invalidated (operation, input_region);
  margin = model_peek_margin (operation, info->network);
  if (margin != HFSR_OP_WHOLE_IMAGE && info->margin != NULL)
    {
      int own = info->margin (operation);

      margin = own == HFSR_OP_WHOLE_IMAGE ? own : MAX (margin, own);
    }
  reach = hfsr_op_grow_within (
    input_region, margin,
    gegl_operation_source_get_bounding_box (operation, "input"));
  return hfsr_op_scale_up (&reach, (int) op_scale (operation));
}

static GeglRectangle
whole_required_for_output (GeglOperation *operation, const gchar *input_pad,
                           const GeglRectangle *roi)
{
  return hfsr_op_source_extent (operation, input_pad);
}

static GeglRectangle
whole_invalidated_by_change (GeglOperation *operation, const gchar *input_pad,
                             const GeglRectangle *input_region)
{
  return hfsr_op_source_extent (operation, "input");
}

static GeglRectangle
whole_cached_region (GeglOperation *operation, const GeglRectangle *roi)
{
  return hfsr_op_source_extent (operation, "input");
}

/* Output pixels a side that an upscaling op computes at once. */
#define PIECE_SIDE 256

/* process of an HFSR_OP_UPSCALED op: the part of @result within the
 * upscaled image, in pieces (render_pieces), each computed by the op's
 * piece function, which gets an HfsrOpNetworkJob with the network of the
 * settings.  A failure is warned of. */
static gboolean
process_network_pieces (GeglOperation *operation, GeglBuffer *input,
                        GeglBuffer *output, const GeglRectangle *result)
{
  const HfsrOpInfo *info = op_info (operation);
  GeglRectangle wanted;
  HfsrOpModel *shared;
  HfsrOpNetworkJob job;
  GError *error = NULL;
  gboolean success;

  job.extent = gegl_operation_source_get_bounding_box (operation, "input");
  if (job.extent == NULL
      || !hfsr_op_upscaled_part (operation, result, op_scale (operation),
                                 &wanted))
    return TRUE;

  shared = hfsr_op_model_acquire (operation, info->network);
  job.operation = operation;
  job.model = shared != NULL ? shared->model : NULL;
  job.input = input;
  success = render_pieces (output, &wanted, PIECE_SIDE,
                           gegl_operation_get_format (operation, "output"),
                           info->piece, &job, &error);
  hfsr_op_warn (operation, &error);
  hfsr_op_model_release (shared);
  return success;
}

/* process of an op that has none of its own: @aux is NULL for a filter. */
static gboolean
process_info (GeglOperation *operation, GeglBuffer *input, GeglBuffer *aux,
              GeglBuffer *output, const GeglRectangle *result)
{
  const HfsrOpInfo *info = op_info (operation);

  if (info->ready != NULL && !info->ready (operation))
    return FALSE;
  if (info->shape == HFSR_OP_UPSCALED)
    return process_network_pieces (operation, input, output, result);
  return process_planes (operation, input, aux, output, result,
                         info->margin (operation), info->planes);
}

static gboolean
filter_process (GeglOperation *operation, GeglBuffer *input,
                GeglBuffer *output, const GeglRectangle *result, gint level)
{
  return process_info (operation, input, NULL, output, result);
}

/* A composer made from an HfsrOpInfo reads its aux as it reads its input
 * (an op without a reference there draws what it does instead before
 * GEGL's composer comes here). */
static gboolean
composer_process (GeglOperation *operation, GeglBuffer *input, GeglBuffer *aux,
                  GeglBuffer *output, const GeglRectangle *result, gint level)
{
  g_return_val_if_fail (aux != NULL, FALSE);

  return process_info (operation, input, aux, output, result);
}

/* The region functions and cache policy of each HfsrOpShape.  No bounding
 * box: GEGL's (a composer's takes in aux's extent); no cached region: the
 * op's own, or none. */
typedef struct
{
  GeglRectangle (*bounding_box) (GeglOperation *operation);
  GeglRectangle (*required_for_output) (GeglOperation *operation,
                                        const gchar *input_pad,
                                        const GeglRectangle *roi);
  GeglRectangle (*invalidated_by_change) (GeglOperation *operation,
                                          const gchar *input_pad,
                                          const GeglRectangle *region);
  GeglRectangle (*cached_region) (GeglOperation *operation,
                                  const GeglRectangle *roi);
  GeglCachePolicy cache_policy;
} Shape;

static const Shape shapes[] = {
  [HFSR_OP_LOCAL]
  = { input_bounding_box, local_required_for_output,
      local_invalidated_by_change, NULL, GEGL_CACHE_POLICY_AUTO },
  /* The network is costly: what was computed once is kept. */
  [HFSR_OP_UPSCALED]
  = { upscaled_bounding_box, upscaled_required_for_output,
      upscaled_invalidated_by_change, NULL, GEGL_CACHE_POLICY_ALWAYS },
  [HFSR_OP_WHOLE]
  = { NULL, whole_required_for_output, whole_invalidated_by_change,
      whole_cached_region, GEGL_CACHE_POLICY_ALWAYS },
};

void
hfsr_op_class_init (GeglOperationClass *klass, const HfsrOpInfo *info,
                    const gchar *first_key, ...)
{
  const Shape *shape = &shapes[info->shape];
  GType type = G_TYPE_FROM_CLASS (klass);
  gboolean computes = info->planes != NULL || info->piece != NULL;
  va_list keys;

  g_type_set_qdata (type, info_quark (), (gpointer) info);
  if (info->input_format != NULL)
    klass->prepare = prepare_formats;

  klass->get_required_for_output = shape->required_for_output;
  klass->get_invalidated_by_change = shape->invalidated_by_change;
  klass->cache_policy = shape->cache_policy;
  if (shape->bounding_box != NULL)
    klass->get_bounding_box = shape->bounding_box;
  if (shape->cached_region != NULL)
    klass->get_cached_region = shape->cached_region;

  if (computes && g_type_is_a (type, GEGL_TYPE_OPERATION_COMPOSER))
    GEGL_OPERATION_COMPOSER_CLASS (klass)->process = composer_process;
  else if (computes)
    GEGL_OPERATION_FILTER_CLASS (klass)->process = filter_process;

  va_start (keys, first_key);
  for (const gchar *key = first_key; key != NULL;
       key = va_arg (keys, const gchar *))
    gegl_operation_class_set_key (klass, key, va_arg (keys, const gchar *));
  va_end (keys);
}
