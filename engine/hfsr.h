/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one public header of libhfsr, the inference engine.  It depends on GLib
 * only: no GEGL, no GIMP.  Every function that can fail takes a GError and
 * never aborts on bad input.
 */
#ifndef HFSR_H
#define HFSR_H

#include <glib.h>

G_BEGIN_DECLS

/* ------------------------------------------------------------------ errors */

#define HFSR_ERROR (hfsr_error_quark ())
GQuark hfsr_error_quark (void);

typedef enum
{
  HFSR_ERROR_IO,               /* file could not be read */
  HFSR_ERROR_FORMAT,           /* malformed or unsupported model file */
  HFSR_ERROR_INVALID_ARGUMENT, /* caller passed something out of range */
  HFSR_ERROR_NO_MEMORY,        /* allocation failed or size overflowed */
  HFSR_ERROR_CANCELLED         /* a progress callback asked to stop */
} HfsrError;

/* ----------------------------------------------------------------- tensors */

/* Float32, planar CHW, batch 1.  Planar because every convolution is lowered
 * to a GEMM whose result is already CHW, and pixel shuffle, per-channel maps
 * and Gaussian stacks all work plane by plane; the interleaved pixels of GEGL
 * are converted once, at the boundary (hfsr_model_run_region). */
typedef struct
{
  int    channels;
  int    height;
  int    width;
  float *data; /* channels * height * width floats, 64-byte aligned */
} HfsrTensor;

/* Largest element count a tensor may have (2^31 - 1 floats = 8 GiB): keeps
 * every index computation inside gsize and int-sized plane offsets sane. */
#define HFSR_TENSOR_MAX_ELEMENTS ((gsize) G_MAXINT32)

/* Zero-filled.  Fails (HFSR_ERROR_INVALID_ARGUMENT / HFSR_ERROR_NO_MEMORY) on
 * non-positive dimensions, overflow or allocation failure. */
HfsrTensor *hfsr_tensor_new  (int channels, int height, int width,
                              GError **error);
void        hfsr_tensor_free (HfsrTensor *tensor);
gsize       hfsr_tensor_size (const HfsrTensor *tensor); /* element count */

static inline float *
hfsr_tensor_plane (const HfsrTensor *t, int c)
{
  return t->data + (gsize) c * t->height * t->width;
}

/* The one rule for non-finite pixel values, applied by every op and tool to
 * what it reads and by every network op to what a network computed
 * (engine/README.md, "Non-finite values"): NaN and -infinity become 0,
 * +infinity becomes 1, the ends of the range the networks and maps are made
 * for; finite values are left as they are.  Returns how many were replaced,
 * for the caller's one warning. */
gsize       hfsr_make_finite (float *values, gsize n);

/* ---------------------------------------------------------------- regions */

typedef struct
{
  int x, y, width, height;
} HfsrRect;

/* Interleaved float pixels, as GEGL hands them over.  Pixel (x, y) channel c
 * (x, y in image coordinates, inside rect) is at
 * data[(y - rect.y) * rowstride + (x - rect.x) * channels + c]. */
typedef struct
{
  float   *data;
  int      channels;  /* floats per pixel */
  gsize    rowstride; /* floats per row, >= rect.width * channels */
  HfsrRect rect;
} HfsrImageView;

/* Called between tiles with the fraction done; return FALSE to cancel. */
typedef gboolean (*HfsrProgressFunc) (double fraction, gpointer user_data);

/* ------------------------------------------------------------------ models */

typedef struct _HfsrModel HfsrModel;

/* Loads a safetensors file whose __metadata__ carries the graph (see
 * models/FORMAT.md).  Every byte is treated as untrusted; errors name the
 * file and the problem. */
HfsrModel  *hfsr_model_load            (const char    *path,
                                        GError       **error);
/* The same from memory; @name is used in error messages. */
HfsrModel  *hfsr_model_load_from_data  (const guint8  *data,
                                        gsize          size,
                                        const char    *name,
                                        GError       **error);
void        hfsr_model_free            (HfsrModel     *model);

const char *hfsr_model_get_name            (const HfsrModel *model);
/* Output size / input size of output 0 (1 for maps, 2..4 for SR). */
int         hfsr_model_get_scale           (const HfsrModel *model);
int         hfsr_model_get_input_channels  (const HfsrModel *model);
int         hfsr_model_get_n_outputs       (const HfsrModel *model);
const char *hfsr_model_get_output_name     (const HfsrModel *model, int index);
int         hfsr_model_get_output_channels (const HfsrModel *model, int index);
/* Receptive-field margin of output 0 in input pixels: an output pixel only
 * depends on input pixels within this distance of its footprint.  -1 when
 * output 0 depends on the whole image (global pooling). */
int         hfsr_model_get_margin          (const HfsrModel *model);
/* The input side, margins not included, of the tiles that
 * hfsr_model_run_region cuts by default (tile_size 0): the largest whose
 * tensors stay within the engine's per-thread budget (engine/README.md).
 * Callers that cut work into pieces themselves (the GEGL ops) use it so that
 * each piece is one tile. */
int         hfsr_model_get_tile_input      (const HfsrModel *model);
/* A string from the file's __metadata__, or NULL. */
const char *hfsr_model_get_metadata        (const HfsrModel *model,
                                            const char      *key);
/* Multiply-accumulates of the convolutions per input pixel: each conv2d
 * weight element counts once per pixel of the conv's output, each
 * conv_transpose2d weight element once per pixel of its input, both
 * expressed per pixel of the graph input (a layer working at scale s counts
 * s^2 times).  Convolutions carry nearly all of the work; the other layers,
 * and layers on 1 x 1 values (after global pooling), whose cost does not
 * grow with the image, are left out.  What a direct convolution computes,
 * whatever the kernels do: "FLOPs" in benchmarks are twice this. */
double      hfsr_model_get_conv_macs       (const HfsrModel *model);

/* Runs the whole graph on @input (channels must match) and returns one new
 * tensor per graph output in @outputs (array of hfsr_model_get_n_outputs
 * pointers, filled by the call; free each with hfsr_tensor_free). */
gboolean    hfsr_model_forward (const HfsrModel  *model,
                                const HfsrTensor *input,
                                HfsrTensor      **outputs,
                                GError          **error);

/* The input rectangle needed to compute @output (in output-0 coordinates)
 * of an image whose extent is @image (input coordinates): the output's
 * footprint (floor/ceil division by the scale) grown by the margin and
 * clipped to @image.  The whole image when the margin is -1. */
HfsrRect    hfsr_model_required_input (const HfsrModel *model,
                                       const HfsrRect  *output,
                                       const HfsrRect  *image);

/* Computes output 0 over output->rect by the tiling rule: output tiles of at
 * most @tile_size x @tile_size pixels (0 = default), each from its required
 * input (hfsr_model_required_input), every convolution zero-padded, margin
 * cropped.  Results do not depend on @tile_size, so interior seams are exact
 * and image borders match a whole-image run.  @input must cover
 * hfsr_model_required_input (output->rect); the model reads its first
 * input-channels channels and writes the first output-channels channels of
 * @output, leaving the others alone.  Scratch memory is bounded by the tile
 * size.  @progress may be NULL. */
gboolean    hfsr_model_run_region (const HfsrModel     *model,
                                   const HfsrImageView *input,
                                   const HfsrRect      *image,
                                   const HfsrImageView *output,
                                   int                  tile_size,
                                   HfsrProgressFunc     progress,
                                   gpointer             progress_data,
                                   GError             **error);

/* Threads used by the engine's own kernels (BLAS).  Inside a GEGL op this is
 * 1: GEGL already parallelises over chunks and nesting is slower. */
void        hfsr_set_threads (int n_threads);
int         hfsr_get_threads (void);

/* ------------------------------------------------------ memory accounting
 * engine/tensor.c counts the bytes of every float buffer the engine holds:
 * model weights, tensors and the work buffers of layers and maps, in all
 * threads together.  BLAS's own work buffers and small bookkeeping are not
 * counted.  For benchmarks and tests: the peak while a model runs, less the
 * bytes held before it started, is the run's scratch memory. */

/* Bytes held now. */
gsize       hfsr_memory_current_bytes (void);
/* The most bytes held at once since the last reset (or the start). */
gsize       hfsr_memory_peak_bytes    (void);
/* Starts a new peak from the bytes held now. */
void        hfsr_memory_reset_peak    (void);

/* -------------------------------------------------------------------- maps
 * Classic image maps (engine/maps/).  They work on planar float images:
 * `plane` is width * height floats, row-major. */

/* Zhou et al. eq 4-6.  For each pixel, D holds the differences between the
 * pixel and each neighbour that exists (up, down, left, right: 2 at corners,
 * 3 along borders, 4 inside, fewer in a one-pixel-wide image); the weight is
 * the element of D with the largest magnitude, keeping its sign (on a tie,
 * the first in that order), and 0 for a 1 x 1 image.  @plane and @weight are
 * width * height floats and may not alias. */
void     hfsr_hf_weight_map    (const float *plane, int width, int height,
                                float *weight);

/* Zhou et al. eq 7, over the whole plane: the weights min-max normalised to
 * [0, 1], their mean mu and standard deviation sigma; the result is 0 where
 * the normalised weight lies in [mu - alpha sigma, mu + alpha sigma], else 1.
 * A constant plane selects nothing.  alpha >= 0.  May run in place. */
void     hfsr_hf_selection_map (const float *weight, int width, int height,
                                double alpha, float *selection);

/* Gradient magnitude with Prewitt kernels (Roh & Kang eq 2), image borders
 * replicated.  The kernels are (1/3)(1 0 -1) over three rows/columns, the
 * normalisation of the GMSD paper that Roh & Kang take c = 170 from. */
void     hfsr_gradient_magnitude (const float *plane, int width, int height,
                                  float *magnitude);

/* Gradient magnitude similarity (Roh & Kang eq 3): per element
 * 1 - (2 g1 g2 + c) / (g1^2 + g2^2 + c); 0 = alike, 1 = different.
 * @c is 170 for values in [0, 255]: scale it by (range / 255)^2.  c >= 0;
 * with c = 0 two zero magnitudes give 0. */
void     hfsr_gms_map (const float *magnitude1, const float *magnitude2,
                       gsize n, double c, float *gms);

/* Separable Gaussian blur, kernel radius ceil(3 sigma), borders replicated.
 * May run in place.  Fails with HFSR_ERROR_INVALID_ARGUMENT on an empty
 * image or a sigma not > 0 (or absurd: 3 sigma > G_MAXINT / 8), and with
 * HFSR_ERROR_NO_MEMORY on allocation failure. */
gboolean hfsr_gaussian_blur (const float *plane, int width, int height,
                             double sigma, float *out, GError **error);

/* Grey-level opening (erosion then dilation, min then max) with a disk of
 * @radius pixels, dx^2 + dy^2 <= radius^2 (radius 0 copies); pixels outside
 * the image are ignored.  May run in place.  A negative radius or an empty
 * image fails with HFSR_ERROR_INVALID_ARGUMENT. */
gboolean hfsr_morph_open (const float *plane, int width, int height,
                          int radius, float *out, GError **error);

/* FFT high-pass: removes every spatial frequency whose radius is below
 * @cutoff (a fraction of the Nyquist frequency, 0..1) and transforms back.
 * The radius of (fx, fy) cycles per image is
 * sqrt ((fx / (width / 2))^2 + (fy / (height / 2))^2).  The mean (DC) always
 * goes, so the result is signed around 0.  May run in place.  A cutoff
 * outside [0, 1] or an empty image fails with HFSR_ERROR_INVALID_ARGUMENT. */
gboolean hfsr_highpass (const float *plane, int width, int height,
                        double cutoff, float *out, GError **error);

/* ------------------------------------------------- quality and resampling
 * The degradation that training and evaluation share, and the measures of
 * the evaluation protocol (docs/design.md, section 9): engine/maps/resize.c
 * and quality.c.
 * An R'G'B' image is three planes one after another (CHW). */

/* MATLAB's imresize (image, [out_height out_width], 'bicubic') with its
 * default antialiasing, on @n_planes planes of width x height floats into
 * @n_planes planes of out_width x out_height.  Keys' cubic kernel (a = -0.5);
 * the scale of an axis is out / in, and when it shrinks the kernel is
 * stretched by 1 / scale (the antialiasing); weights are normalised per
 * output sample; samples past an edge are mirrored with the edge sample
 * repeated; the height is resized first, then the width (MATLAB's order for
 * equal scales).  Works in double; the result is neither clipped nor
 * rounded.  With out = in * s it is imresize (image, s, 'bicubic') and the
 * training code's imresize (models/training/hfsr_data.py).  @out may not
 * alias @planes.  Fails with HFSR_ERROR_INVALID_ARGUMENT on a size or plane
 * count < 1 and HFSR_ERROR_NO_MEMORY on overflow or allocation failure. */
gboolean hfsr_imresize (const float *planes, int n_planes,
                        int width, int height,
                        int out_width, int out_height,
                        float *out, GError **error);

/* hfsr_imresize of one plane, restricted to @out_rect of the @out_width x
 * @out_height result, and equal to those pixels of it bit for bit.
 * @plane holds @in_rect (row stride in_rect->width) of the width x height
 * input, which must contain hfsr_imresize_required_input (@out_rect); @out
 * holds out_rect->width x out_rect->height.  Errors as hfsr_imresize, and
 * HFSR_ERROR_INVALID_ARGUMENT for a region outside the result or an input
 * that misses samples. */
gboolean hfsr_imresize_region (const float    *plane,
                               const HfsrRect *in_rect,
                               int width, int height,
                               int out_width, int out_height,
                               const HfsrRect *out_rect,
                               float          *out,
                               GError        **error);

/* The input samples @out_rect of a width x height -> out_width x out_height
 * hfsr_imresize reads (mirrored samples included); an empty rect for
 * invalid sizes. */
HfsrRect hfsr_imresize_required_input (int width, int height,
                                       int out_width, int out_height,
                                       const HfsrRect *out_rect);

/* @length cropped down to a multiple of @scale (>= 1): the mod-crop that
 * makes an HR image exactly @scale times its downscaled copy. */
int      hfsr_modcrop (int length, int scale);

/* ITU-R BT.601 luma as MATLAB's rgb2ycbcr computes it, on the 0..255 scale:
 * y = 16 + 65.481 r + 128.553 g + 24.966 b for R'G'B' planes @rgb (three
 * planes of @n_pixels) in [0, 1].  That is 255 times rgb2ycbcr of double
 * data in [0, 1], and rgb2ycbcr of uint8 data before MATLAB rounds Y to an
 * integer (it stays unrounded here: at most 0.5 apart).  @y holds
 * @n_pixels. */
void     hfsr_rgb_to_y (const float *rgb, gsize n_pixels, float *y);

/* PSNR in dB of @a against @b (width x height each) over the pixels at
 * least @shave from every border: 10 log10 (peak^2 / MSE), +inf when they
 * are equal there.  @peak is 255 for Y from hfsr_rgb_to_y.  Fails with
 * HFSR_ERROR_INVALID_ARGUMENT when nothing is left after shaving or the
 * peak is not > 0. */
gboolean hfsr_psnr (const float *a, const float *b, int width, int height,
                    int shave, double peak, double *psnr, GError **error);

/* Mean SSIM of @a and @b as Wang et al. 2004 and their ssim_index.m: an
 * 11 x 11 Gaussian window (sigma 1.5, normalised), K1 = 0.01, K2 = 0.03,
 * C1 = (K1 L)^2, C2 = (K2 L)^2 with L = @peak (255 for Y from
 * hfsr_rgb_to_y), local means, variances and covariance (window-weighted,
 * not bias-corrected) at every window position that lies wholly inside the
 * image after @shave pixels are dropped at each border ('valid'), and the
 * mean of the SSIM map.  Fails with HFSR_ERROR_INVALID_ARGUMENT when less
 * than 11 x 11 pixels are left or the peak is not > 0, and
 * HFSR_ERROR_NO_MEMORY on allocation failure. */
gboolean hfsr_ssim (const float *a, const float *b, int width, int height,
                    int shave, double peak, double *ssim, GError **error);

/* The share of @plane's spectral energy (squared DFT magnitudes, mean
 * removed) at radii >= @cutoff, the radius measured as hfsr_highpass does:
 * a measure of high-frequency content in [0, 1].  A constant plane gives 0,
 * a checkerboard 1.  A cutoff outside [0, 1] or an empty image fails with
 * HFSR_ERROR_INVALID_ARGUMENT, allocation failure with
 * HFSR_ERROR_NO_MEMORY. */
gboolean hfsr_spectral_energy_share (const float *plane, int width,
                                     int height, double cutoff,
                                     double *share, GError **error);

/* ------------------------------------------- model discovery and blending
 * engine/model-zoo.c and model.c.  Shipped models are found by file name in
 * the model search path.  A family of models trained for several values of
 * one parameter (Zhou et al.'s alpha, SR²'s lambda), each fine-tuned from
 * the same start, is used as a continuum: between two trained values their
 * weights are blended. */

/* A new model whose every weight is (1 - t) a + t b, 0 <= t <= 1 (t = 0
 * gives a's weights and t = 1 b's, exactly).  The two must be one network:
 * the same hfsr.graph text and the same tensors (names and shapes), else
 * HFSR_ERROR_INVALID_ARGUMENT naming both and the first difference.  The
 * result carries a's metadata unchanged (so a's training parameters: the
 * caller records what it blended for) and is named "<a> + <b> at t = <t>".
 * A t outside [0, 1] is HFSR_ERROR_INVALID_ARGUMENT; allocation failure
 * HFSR_ERROR_NO_MEMORY. */
HfsrModel *hfsr_model_blend (const HfsrModel *a, const HfsrModel *b,
                             double t, GError **error);

/* The folders searched for model files, in order: each non-empty folder of
 * the environment variable HFSR_MODEL_PATH (colon-separated; `meson devenv`
 * and the tests point it at the source tree's models/), then the installed
 * model folder (HFSR_MODEL_DIR).  Read anew at every call.  NULL-terminated;
 * free with g_strfreev. */
char     **hfsr_model_search_path (void);

/* One trained model of a family. */
typedef struct
{
  char  *path;
  double value; /* the number in its metadata key */
} HfsrModelVariant;

/* The family (@prefix, @key): every file <prefix>*.safetensors in the
 * first search path folder that holds any (e.g. "hfsr-x2-a" finds
 * hfsr-x2-a0.safetensors and hfsr-x2-a1-5.safetensors), with the decimal
 * number in its metadata @key (e.g. "hfsr.alpha"), in increasing value.
 * One folder only: its members are blended, which only makes sense within
 * one training, so a family on HFSR_MODEL_PATH replaces the installed one
 * as a whole.  Where files share a value (within 1e-9) the first by name
 * (byte order) stands.  Every matching file is loaded, and one that fails
 * to load or lacks a number in @key fails the call with an error naming
 * it: a damaged model is reported, never skipped.  No matching file is no
 * error (*n_variants 0).  Free *variants with hfsr_model_variants_free. */
gboolean   hfsr_model_find_variants (const char        *prefix,
                                     const char        *key,
                                     HfsrModelVariant **variants,
                                     int               *n_variants,
                                     GError           **error);
void       hfsr_model_variants_free (HfsrModelVariant  *variants,
                                     int                n_variants);

/* The family's model for @value: the variant trained for @value (within
 * 1e-9); between two trained values, hfsr_model_blend of the two nearest
 * with t = (value - below) / (above - below), its @key metadata then set to
 * @value; outside the trained range, the nearest end's variant as it is
 * (weights are never extrapolated).  Fails with HFSR_ERROR_IO when the
 * family has no file in the search path, HFSR_ERROR_INVALID_ARGUMENT on a
 * NaN @value, and with the errors of hfsr_model_find_variants and
 * hfsr_model_blend. */
HfsrModel *hfsr_model_load_for_value (const char *prefix,
                                      const char *key,
                                      double      value,
                                      GError    **error);

/* An HF Super-Resolution network: the model file @path, or (@path NULL)
 * the shipped family "hfsr-x<scale>-a" at @alpha (hfsr_model_load_for_value
 * on the key "hfsr.alpha").  Either must turn R'G'B' into R'G'B' at
 * @scale, else HFSR_ERROR_FORMAT says what it does instead. */
HfsrModel *hfsr_model_load_sr (const char *path,
                               int         scale,
                               double      alpha,
                               GError    **error);

/* ----------------------------------------------- structure-aware SR (SR²)
 * engine/structure-sr.c: networks that upscale a grey crop and classify what
 * it shows in parallel (Schirrmacher et al.).  Output 0 is the upscale; a
 * global output named "class" holds the class probabilities. */

/* The family prefix of the shipped networks: "hfsr-sr2-x<scale>-<arch>-l"
 * (arch "fsrcnn" or "sequential") or "hfsr-sr2-x<scale>-wdsr<shared>-l";
 * members carry their lambda in "hfsr.lambda".  Free with g_free. */
char      *hfsr_structure_sr_family (int scale, const char *arch, int shared);

/* The model file @path, or (@path NULL) the shipped family at @lambda
 * (weights blended between the two nearest trained lambdas, as
 * hfsr_model_load_for_value).  Trained: scale 2 and 4; arch "fsrcnn" and
 * "sequential" with 1 shared layer, "wdsr" with 1 or 4; anything else is
 * HFSR_ERROR_INVALID_ARGUMENT.  The network must take one grey channel,
 * give one at @scale and have a "class" output of at least two classes,
 * else HFSR_ERROR_FORMAT says what it has. */
HfsrModel *hfsr_model_load_structure_sr (const char *path,
                                         int         scale,
                                         const char *arch,
                                         int         shared,
                                         double      lambda,
                                         GError    **error);

/* Classes of the global "class" output; 0 when the model has none. */
int        hfsr_model_get_n_classes     (const HfsrModel *model);
/* The label of class @index: the @index-th word of the "hfsr.classes"
 * metadata, else the number.  Free with g_free. */
char      *hfsr_model_get_class_label   (const HfsrModel *model, int index);

/* The largest input hfsr_model_classify takes: the class is meant for a
 * crop holding one character, and the classifier keeps its full-size
 * feature maps for the whole input at once. */
#define HFSR_CLASSIFY_MAX_PIXELS (256 * 256)

/* The class probabilities (hfsr_model_get_n_classes of them, in
 * @probabilities) of the grey crop @grey (Y' in [0, 1], row-major).  Fails
 * with HFSR_ERROR_INVALID_ARGUMENT for a model without a class output or a
 * crop that is empty or larger than HFSR_CLASSIFY_MAX_PIXELS. */
gboolean   hfsr_model_classify          (const HfsrModel *model,
                                         const float     *grey,
                                         int              width,
                                         int              height,
                                         double          *probabilities,
                                         GError         **error);

/* --------------------------------------------------- scale space and SIFT
 * engine/dog-sr.c, engine/maps/gaussian.c and engine/sift/: SIFT keypoints
 * (Lowe 2004) on a Gaussian/DoG stack, and the matching of the evaluation
 * protocol (docs/design.md, section 9): Lowe's ratio test, correct matches
 * under a homography. */

#define HFSR_SIFT_DESCRIPTOR_LENGTH 128

typedef struct
{
  float x, y;        /* image pixels; (0, 0) is the centre of the top-left
                      * pixel */
  float sigma;       /* the keypoint's scale, in image pixels */
  float orientation; /* radians */
  float response;    /* |DoG| at the refined extremum */
  int   octave;
  float descriptor[HFSR_SIFT_DESCRIPTOR_LENGTH];
} HfsrKeypoint;

/* A trained DoG Super-Resolution network (Noor et al.; hfsr.task
 * "dog-sr"): 1 grey plane in, at its scale out either the residuals of
 * D_1..D_4 over the bicubic upscale's DoG (residual-dog) or of L_1..L_5
 * over its Gaussian levels (gaussian-stack), at the five sigmas of its
 * hfsr.sigmas, in upscaled pixels. */
#define HFSR_DOG_SR_LEVELS 5

typedef enum
{
  HFSR_DOG_SR_RESIDUAL_DOG,
  HFSR_DOG_SR_GAUSSIAN_STACK
} HfsrDogSrMethod;

/* Whether @model is such a network: its method and sigmas, or
 * HFSR_ERROR_FORMAT saying what is wrong.  @method may be NULL. */
gboolean hfsr_dog_sr_check_model   (const HfsrModel *model,
                                    HfsrDogSrMethod *method,
                                    double sigmas[HFSR_DOG_SR_LEVELS],
                                    GError         **error);

/* The grey input @target (upscaled coordinates: @scale times @image's) of
 * hfsr_dog_sr_levels reads. */
HfsrRect hfsr_dog_sr_required_input (const HfsrModel *model, int scale,
                                     const double sigmas[HFSR_DOG_SR_LEVELS],
                                     const HfsrRect  *target,
                                     const HfsrRect  *image);

/* The five Gaussian levels L_1..L_5 at @sigmas over @target of the image
 * upscaled @scale times, as @model predicts them from the grey @image
 * (channel 0 of @grey, which covers hfsr_dog_sr_required_input): the
 * bicubic upscale's levels (hfsr_imresize, then hfsr_gaussian_blur of the
 * whole upscaled image, borders replicated) plus the network's output.
 * For residual-dog the widest level stays the bicubic one and
 * L_k = L_(k+1) + D_k, D_k the predicted DoG, so differences of the
 * levels give the prediction.  A NULL @model gives the bicubic levels
 * alone.  @levels: 5 planes of target->width x target->height.  A region
 * equals the same pixels of a whole-image run.  A model trained for
 * another scale or other sigmas, or sigmas that do not increase within
 * (0, 100), is HFSR_ERROR_INVALID_ARGUMENT. */
gboolean hfsr_dog_sr_levels        (const HfsrModel     *model,
                                    int                  scale,
                                    const double sigmas[HFSR_DOG_SR_LEVELS],
                                    const HfsrImageView *grey,
                                    const HfsrRect      *image,
                                    const HfsrRect      *target,
                                    float               *levels,
                                    GError             **error);

/* How keypoints are found.  Octave 0 is the image at its own size,
 * blurred by each of @sigmas (absolute: L_k = G(sigma_k) * I, as
 * hfsr_gaussian_blur does, borders replicated); D_k = L_k - L_(k+1).
 * Extrema are sought in D_2 .. D_(n-2), the levels with a DoG above and
 * below.  Octave o + 1 starts from the level of octave o whose sigma is
 * nearest 2 sigma_1, every second pixel (so at sigma_j / 2 in its own
 * pixels), blurred on to each sigma_k (sqrt (sigma_k^2 - (sigma_j / 2)^2),
 * or copied where that is not positive). */
#define HFSR_SIFT_MAX_LEVELS 8

typedef struct
{
  int    n_levels;            /* Gaussian levels per octave, 4 .. 8 */
  double sigmas[HFSR_SIFT_MAX_LEVELS]; /* increasing, > 0 */
  int    max_octaves;         /* 0: until the next octave's smaller side
                               * would be < 16 pixels */
  double contrast_threshold;  /* |D| at the refined extremum must reach
                               * this (grey values in [0, 1]) */
  double edge_threshold;      /* r: principal-curvature ratio (Lowe's 10) */
} HfsrSiftParams;

/* Six levels: Noor et al.'s five sigmas (1.249, 1.545, 1.96588, 2.452527,
 * 3.090016, the first five, which hfsr:dog-sr's networks predict) and
 * 3.893189 one step above, so that extrema are sought at three scales an
 * octave and the octaves leave none out; all octaves; contrast 0.04 / 3
 * (OpenCV's 0.04 over its 3 intervals); edge ratio 10. */
void     hfsr_sift_params_init (HfsrSiftParams *params);

/* @params' levels set to a DoG-SR stack's five @sigmas and a sixth one step
 * (sigma_5^2 / sigma_4) above, as hfsr_sift_params_init does for Noor's. */
void     hfsr_sift_params_set_stack (HfsrSiftParams *params,
                                     const double sigmas[HFSR_DOG_SR_LEVELS]);

/* SIFT keypoints (Lowe 2004) with orientations and 128-d descriptors.
 * @levels: the first @n_given (1 .. n_levels) levels of octave 0, planes of
 * @width x @height: blurs of the image by @params->sigmas, or a
 * super-resolved prediction of them, as hfsr:dog-sr's networks make; the
 * levels not given are blurred on from the last given one; higher octaves
 * are made as above.  3 x 3 x 3 extrema of the DoG (at least as large, or
 * as small, as all 26 neighbours; |D| above half the threshold), 5 pixels
 * from the border, refined by a quadratic fit in x, y and level (up to 5
 * moves), dropped below the contrast threshold or beyond the edge ratio;
 * one keypoint per peak of the smoothed 36-bin orientation histogram
 * within 80 % of the highest (Gaussian window 1.5 sigma); descriptors
 * 4 x 4 cells of 3 sigma x 8 orientations from the nearest level's
 * gradients, trilinear, normalised, clipped at 0.2, renormalised.
 * Coordinates and sigma are in octave-0 pixels ((0, 0) the centre of the
 * top-left pixel); sigma interpolates the level sigmas geometrically at a
 * fractional level.  *@keypoints (g_free; NULL when there are none) in
 * order of octave, level, row, column.  Bad parameters or sizes are
 * HFSR_ERROR_INVALID_ARGUMENT, allocation failure HFSR_ERROR_NO_MEMORY. */
gboolean hfsr_sift_detect_stack (const float *const   *levels,
                                 int                   n_given,
                                 int                   width,
                                 int                   height,
                                 const HfsrSiftParams *params,
                                 HfsrKeypoint        **keypoints,
                                 int                  *n_keypoints,
                                 GError              **error);

/* The same on a grey image (values in [0, 1]): blurs it by each sigma and
 * calls hfsr_sift_detect_stack. */
gboolean hfsr_sift_detect_image (const float          *grey,
                                 int                   width,
                                 int                   height,
                                 const HfsrSiftParams *params,
                                 HfsrKeypoint        **keypoints,
                                 int                  *n_keypoints,
                                 GError              **error);

/* Keypoint @a of the first list matched to keypoint @b of the second, at
 * descriptor distance @distance (Euclidean). */
typedef struct
{
  int   a, b;
  float distance;
} HfsrSiftMatch;

/* Exact nearest neighbours: for each keypoint of @a, the keypoint of @b at
 * the smallest squared Euclidean descriptor distance (on a tie the lower
 * index) and the second smallest (a tie counts: equal distances give
 * d1 = d2); a match when d1 < @ratio d2 (Lowe's test, strict, on the
 * distances, not their squares).  Without two keypoints in @b nothing
 * passes.  *@matches (g_free; NULL when there are none) lists them in
 * order of @a, at most one per keypoint of @a.  A @ratio outside (0, 1],
 * a negative count or a NULL list with a positive count is
 * HFSR_ERROR_INVALID_ARGUMENT, allocation failure HFSR_ERROR_NO_MEMORY. */
gboolean hfsr_sift_match (const HfsrKeypoint *a, int n_a,
                          const HfsrKeypoint *b, int n_b, double ratio,
                          HfsrSiftMatch **matches, int *n_matches,
                          GError **error);

/* How many of @matches (indices into @a and @b) @homography confirms:
 * (u, v, w) = H (x_a, y_a, 1), H row-major (Oxford's H1to2p, mapping the
 * first image to the second); correct when the distance from (u / w,
 * v / w) to (x_b, y_b) is below @max_error pixels.  A point that H sends
 * to infinity (w = 0), or any NaN, is wrong. */
int      hfsr_sift_count_correct (const HfsrKeypoint  *a,
                                  const HfsrKeypoint  *b,
                                  const HfsrSiftMatch *matches,
                                  int                  n_matches,
                                  const double         homography[9],
                                  double               max_error);

G_END_DECLS

#endif /* HFSR_H */
