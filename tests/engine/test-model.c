/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The loader against every kind of bad file: each must give a GError
 * naming the file and the problem, never a crash.  Good files are
 * test-model-good.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "hfsr-private.h"
#include "model-test-util.h"
#include "test-util.h"

/* The file must be refused with @code, and the message must start with
 * the file's name and contain @fragment. */
static void
expect_error (GBytes *bytes, HfsrError code, const char *fragment)
{
  GError *error = NULL;
  HfsrModel *model = model_test_load_bytes (bytes, &error);

  g_assert_null (model);
  g_assert_error (error, HFSR_ERROR, (int) code);
  if (!g_str_has_prefix (error->message, MODEL_TEST_CASE_NAME ": ")
      || strstr (error->message, fragment) == NULL)
    g_error ("message \"%s\" lacks \"" MODEL_TEST_CASE_NAME ": \" or \"%s\"",
             error->message, fragment);
  g_test_message ("refused: %s", error->message);
  g_error_free (error);
  g_bytes_unref (bytes);
}

/* Tests write JSON with single quotes, for legibility; they become double
 * quotes here. */
static char *
double_quotes (const char *json)
{
  return g_strdelimit (g_strdup (json), "'", '"');
}

static void
expect_raw_header_error (const char *header, gsize buffer_size,
                         const char *fragment)
{
  guint8 *buffer = g_malloc0 (MAX (buffer_size, 1));

  expect_error (hfsr_safetensors_pack (header, buffer, buffer_size),
                HFSR_ERROR_FORMAT, fragment);
  g_free (buffer);
}

static void
expect_header_error (const char *header, gsize buffer_size,
                     const char *fragment)
{
  char *json = double_quotes (header);

  expect_raw_header_error (json, buffer_size, fragment);
  g_free (json);
}

static void
expect_builder_error (HfsrModelBuilder *builder, const char *fragment)
{
  expect_error (hfsr_model_builder_build (builder), HFSR_ERROR_FORMAT,
                fragment);
  hfsr_model_builder_free (builder);
}

/* hfsr.graph replaced by @graph (single-quoted), the tensors of the WDSR
 * model kept. */
static void
expect_graph_error (const char *graph, const char *fragment)
{
  HfsrModelBuilder *b = model_test_wdsr_builder ();
  char *json = double_quotes (graph);

  hfsr_model_builder_set_graph (b, json);
  expect_builder_error (b, fragment);
  g_free (json);
}

static void
test_missing_file (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("hfsr-test-XXXXXX", &error);
  char *path = g_build_filename (dir, "absent.safetensors", NULL);

  g_assert_null (hfsr_model_load (path, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOENT)));
  g_clear_error (&error);

  /* A directory is not a model either. */
  g_assert_null (hfsr_model_load (dir, &error));
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, dir));
  g_clear_error (&error);

  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

static void
test_container_errors (void)
{
  const guint8 five[5] = { 1, 0, 0, 0, 0 };
  guint8 raw[16];
  guint64 length;
  char *deep, *text;

  expect_error (g_bytes_new_static ("", 0), HFSR_ERROR_FORMAT, "too short");
  expect_error (g_bytes_new (five, sizeof five), HFSR_ERROR_FORMAT,
                "too short");

  /* Length fields that do not fit the file. */
  length = GUINT64_TO_LE (100);
  memcpy (raw, &length, 8);
  memcpy (raw + 8, "{}      ", 8);
  expect_error (g_bytes_new (raw, sizeof raw), HFSR_ERROR_FORMAT,
                "runs past the end");
  length = GUINT64_TO_LE ((guint64) 1 << 40);
  memcpy (raw, &length, 8);
  expect_error (g_bytes_new (raw, sizeof raw), HFSR_ERROR_FORMAT,
                "exceeds the limit");
  length = G_MAXUINT64;
  memcpy (raw, &length, 8);
  expect_error (g_bytes_new (raw, sizeof raw), HFSR_ERROR_FORMAT,
                "exceeds the limit");

  expect_raw_header_error ("", 0, "not a JSON object");
  expect_raw_header_error ("{\"a\": ", 0, "not valid JSON");
  expect_raw_header_error ("[1, 2]", 0, "not a JSON object");
  expect_raw_header_error ("\"text\"", 0, "not a JSON object");
  expect_raw_header_error ("{\"a\": \"\xff\xfe\"}", 0, "not valid UTF-8");
  length = GUINT64_TO_LE (4);
  memcpy (raw, &length, 8);
  memcpy (raw + 8, "{}\0 ", 4);
  expect_error (g_bytes_new (raw, 12), HFSR_ERROR_FORMAT, "not valid UTF-8");
  expect_raw_header_error ("{\"w\\u0000x\": {}}", 0, "NUL character");

  /* json-glib would recurse until the stack overflows... */
  deep = g_strnfill (200000, '[');
  expect_raw_header_error (deep, 0, "nests deeper");
  /* ...also behind the extensions it accepts, a comment or a single-quoted
   * string holding a quote that a simpler scan would take as a string's
   * start. */
  text = g_strconcat ("{\"a\": /* \" */ ", deep, NULL);
  expect_raw_header_error (text, 0, "not strict JSON (byte 0x2f at offset");
  g_free (text);
  text = g_strconcat ("{\"a\": '\"', \"b\": ", deep, NULL);
  expect_raw_header_error (text, 0, "not strict JSON (byte 0x27 at offset");
  g_free (text);
  g_free (deep);
  expect_raw_header_error ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], "
                           "\"data_offsets\": [0, 0x10000000000000004]}}",
                           4, "not strict JSON");
  expect_raw_header_error ("{\"a\nb\": 1}", 0, "control character");
  expect_raw_header_error ("{\"a\\qb\": 1}", 0, "invalid escape");
  expect_raw_header_error ("{\"a\\u12\": 1}", 0, "invalid \\u escape");
  expect_raw_header_error ("{\"a", 0, "unterminated string");
  /* json-glib would wrap the integer silently. */
  expect_raw_header_error ("{\"w\": {\"dtype\": \"F32\", \"shape\": [1], "
                           "\"data_offsets\": [0, 18446744073709551620]}}",
                           4, "too large for 64 bits");
}

static void
test_tensor_errors (void)
{
#define META "'__metadata__': {'hfsr.format': '1'}"
  expect_header_error ("{'w': 1}", 0, "tensor 'w': the entry is not");
  expect_header_error ("{'w': {'dtype': 'F16', 'shape': [2], "
                       "'data_offsets': [0, 4]}}",
                       4, "dtype F16 is not supported");
  expect_header_error ("{'w': {'dtype': 'I32', 'shape': [1], "
                       "'data_offsets': [0, 4]}}",
                       4, "dtype I32 is not supported");
  expect_header_error ("{'w': {'dtype': 5, 'shape': [1], "
                       "'data_offsets': [0, 4]}}",
                       4, "non-string dtype");
  expect_header_error ("{'w': {'shape': [1], "
                       "'data_offsets': [0, 4]}}",
                       4, "non-string dtype");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [-1], "
                       "'data_offsets': [0, 4]}}",
                       4, "dimension 0 is not a non-negative integer");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [1, 1.5], "
                       "'data_offsets': [0, 4]}}",
                       4, "dimension 1 is not a non-negative integer");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': "
                       "[4294967296, 4294967296], "
                       "'data_offsets': [0, 4]}}",
                       4, "overflows");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': "
                       "[1073741824, 4294967296], "
                       "'data_offsets': [0, 4]}}",
                       4, "byte size overflows");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': "
                       "[1, 1, 1, 1, 1], 'data_offsets': [0, 4]}}",
                       4, "at most 4");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': '2', "
                       "'data_offsets': [0, 8]}}",
                       8, "non-array shape");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [0, 400]}}",
                       16, "beyond");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [8, 4]}}",
                       16, "ordered pair");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [-4, 0]}}",
                       16, "ordered pair");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [0]}}",
                       4, "two integers");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [3], "
                       "'data_offsets': [0, 8]}}",
                       8, "needs 12");
  expect_header_error ("{'w': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [0, 4], 'extra': 1}}",
                       4, "unknown field 'extra'");
  expect_header_error ("{'a': {'dtype': 'F32', 'shape': [2], "
                       "'data_offsets': [0, 8]}, "
                       "'b': {'dtype': 'F32', 'shape': [2], "
                       "'data_offsets': [4, 12]}}",
                       12, "overlap");
  expect_header_error ("{'a': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [0, 4]}, "
                       "'b': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [8, 12]}}",
                       12, "bytes 4 to 8 belong to no tensor");
  expect_header_error ("{'a': {'dtype': 'F32', 'shape': [2], "
                       "'data_offsets': [0, 8]}}",
                       12, "4 trailing bytes");
  expect_header_error ("{" META "}", 4, "4 trailing bytes");
  /* Two entries with one name: json-glib keeps the last, the first one's
   * bytes are left over. */
  expect_header_error ("{'a': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [0, 4]}, "
                       "'a': {'dtype': 'F32', 'shape': [1], "
                       "'data_offsets': [4, 8]}}",
                       8, "belong to no tensor");
  expect_header_error ("{'__metadata__': [1]}", 0,
                       "__metadata__ is not an object");
  expect_header_error ("{'__metadata__': {'hfsr.format': 1}}", 0,
                       "metadata 'hfsr.format' is not a string");
#undef META
}

/* A NaN weight never reaches an image. */
static void
test_non_finite_weight (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("x", 1);
  float values[2] = { 1.0f, NAN };
  gint64 shape[4] = { 2, 1, 1, 1 };

  hfsr_model_builder_add_tensor (b, "w", values, 4, shape);
  hfsr_model_builder_add_node (b, "c", "conv2d", "x", "{\"weight\": \"w\"}");
  expect_builder_error (b, "tensor 'w': element 1 is not a finite number");
}

static void
test_huge_weight (void)
{
  HfsrModelBuilder *b = hfsr_model_builder_new ("x", 1);
  float values[2] = { 1.0f, 1e38f };
  gint64 shape[4] = { 2, 1, 1, 1 };

  hfsr_model_builder_add_tensor (b, "w", values, 4, shape);
  hfsr_model_builder_add_node (b, "c", "conv2d", "x", "{\"weight\": \"w\"}");
  expect_builder_error (
    b, "tensor 'w': element 1 is 1e+38, beyond the magnitude");
}

/* A FIFO named like a model is refused at once: opened for reading the
 * usual way it would wait for a writer forever. */
static void
test_fifo (void)
{
  GError *error = NULL;
  char *dir = g_dir_make_tmp ("hfsr-test-XXXXXX", &error);
  char *path = g_build_filename (dir, "fifo.safetensors", NULL);

  g_assert_no_error (error);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  alarm (20); /* a hang fails the test instead of stalling the suite */
  g_assert_null (hfsr_model_load (path, &error));
  alarm (0);
  g_assert_error (error, HFSR_ERROR, HFSR_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "is not a regular file"));
  g_clear_error (&error);
  g_unlink (path);
  g_rmdir (dir);
  g_free (path);
  g_free (dir);
}

/* Peak resident memory in kB since the last reset_peak_memory(). */
static gint64
peak_memory_kb (void)
{
  char *status = NULL, *line;
  gint64 kb = -1;

  g_assert_true (
    g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmHWM:");
  if (line != NULL)
    kb = g_ascii_strtoll (line + 6, NULL, 10);
  g_free (status);
  return kb;
}

static gboolean
reset_peak_memory (void)
{
  int fd = g_open ("/proc/self/clear_refs", O_WRONLY, 0);
  gboolean done = fd >= 0 && write (fd, "5", 1) == 1;

  if (fd >= 0)
    close (fd);
  return done;
}

/* @head followed by zeros up to @size bytes, as a sparse file. */
static char *
sparse_file (GBytes *head, guint64 size)
{
  char *path = hfsr_write_temp_file (head, NULL);
  int fd = g_open (path, O_WRONLY, 0);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, (off_t) size), ==, 0);
  close (fd);
  g_bytes_unref (head);
  return path;
}

/* A file of any size is refused (or accepted) after reading its length,
 * its header and, for an accepted one, its tensors: a 6 GiB file costs
 * neither 6 GiB of memory nor the time to read it. */
static void
test_huge_files (void)
{
  const guint64 huge = (guint64) 6 << 30;
  struct
  {
    GBytes *head;
    guint64 size;
    const char *fragment;
  } cases[5];
  HfsrModelBuilder *builder = model_test_wdsr_builder ();
  GBytes *good = hfsr_model_builder_build (builder);
  gsize good_size = g_bytes_get_size (good);
  GString *dense = g_string_new ("{\"a\": [0");

  /* the densest header JSON within the length limit: one node per 2 bytes */
  while (dense->len < (1 << 20) - 4)
    g_string_append (dense, ",0");
  g_string_append (dense, "]}");

  cases[0].head = hfsr_safetensors_pack ("[]", NULL, 0);
  cases[0].size = huge;
  cases[0].fragment = "beyond the limit";
  cases[1].head = hfsr_safetensors_pack ("[]", NULL, 0);
  cases[1].size = 1 << 20;
  cases[1].fragment = "not a JSON object";
  cases[2].head = g_bytes_ref (good);
  cases[2].size = huge;
  cases[2].fragment = "beyond the limit";
  cases[3].head = g_bytes_ref (good);
  cases[3].size = good_size + (200 << 20);
  cases[3].fragment = "trailing bytes after the last tensor";
  cases[4].head = hfsr_safetensors_pack (dense->str, NULL, 0);
  cases[4].size = (1 << 20) + 8;
  cases[4].fragment = "tensor 'a': the entry is not an object";
  g_bytes_unref (good);
  hfsr_model_builder_free (builder);
  g_string_free (dense, TRUE);

  if (!reset_peak_memory ())
    g_test_incomplete ("/proc/self/clear_refs cannot be written: "
                       "memory is not measured");
  for (int i = 0; i < (int) G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      char *path = sparse_file (cases[i].head, cases[i].size);
      gint64 before = peak_memory_kb (), after;
      gint64 start = g_get_monotonic_time ();

      g_assert_null (hfsr_model_load (path, &error));
      after = peak_memory_kb ();
      g_assert_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT);
      if (strstr (error->message, cases[i].fragment) == NULL)
        g_error ("case %d: \"%s\" lacks \"%s\"", i, error->message,
                 cases[i].fragment);
      g_test_message ("case %d: %.3f s, +%" G_GINT64_FORMAT " kB: %s", i,
                      (g_get_monotonic_time () - start) / 1e6, after - before,
                      error->message);
      /* AddressSanitizer's allocator adds 100-200 MB to json-glib's tree
       * of the densest header: the bound holds for the real allocator */
#if defined(__SANITIZE_ADDRESS__)
      (void) after;
#else
      g_assert_cmpint (after - before, <, 64 << 10);
#endif
      g_clear_error (&error);
      g_unlink (path);
      g_free (path);
    }
}

static void
test_metadata_errors (void)
{
  HfsrModelBuilder *b;

  b = model_test_wdsr_builder ();
  hfsr_model_builder_set_metadata (b, "hfsr.graph", NULL);
  expect_builder_error (b, "missing metadata 'hfsr.graph'");

  b = model_test_wdsr_builder ();
  hfsr_model_builder_set_metadata (b, "hfsr.format", NULL);
  expect_builder_error (b, "missing metadata 'hfsr.format'");

  b = model_test_wdsr_builder ();
  hfsr_model_builder_set_metadata (b, "hfsr.format", "2");
  expect_builder_error (b, "hfsr.format '2' is not supported");
}

/* test_graph_errors's checks, in three groups: the graph's structure, its
 * weights and output, and its scale.  INPUT and HEAD are the valid input and
 * first node that most of the broken graphs share. */
#define INPUT "'input': {'name': 'input', 'channels': 3}"
#define HEAD                                               \
  "{'name': 'head', 'op': 'conv2d', 'inputs': ['input'], " \
  "'weight': 'head.weight', 'bias': 'head.bias'}"

/* JSON that parses but is not a graph: missing or empty parts, unknown ops,
 * inputs out of order, names used twice, wrong input counts, bad outputs. */
static void
graph_structure_errors (void)
{
  expect_graph_error ("{'input': ", "the graph (hfsr.graph) is not valid");
  expect_graph_error ("[]", "the graph (hfsr.graph) is not a JSON object");
  expect_graph_error ("{'outputs': ['head'], 'nodes': [" HEAD "]}",
                      "the graph needs 'input'");
  expect_graph_error ("{'input': {'name': 'input', 'channels': 0}, "
                      "'outputs': ['head'], 'nodes': [" HEAD "]}",
                      "the graph input has 0 channels");
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], 'nodes': []}",
                      "non-empty 'nodes'");
  expect_graph_error ("{" INPUT ", 'outputs': [], 'nodes': [" HEAD "]}",
                      "non-empty 'outputs'");
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], "
                      "'nodes': [" HEAD ", 7]}",
                      "graph node 1 is not an object with a name");
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], "
                      "'nodes': [{'name': 'head', 'op': 'dropout', "
                      "'inputs': ['input']}]}",
                      "node 'head': unknown op 'dropout'");
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], "
                      "'nodes': [{'name': 'head', "
                      "'inputs': ['input']}]}",
                      "node 'head': missing or non-string op");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'relu', 'inputs': ['b']},"
                      "{'name': 'b', 'op': 'relu', "
                      "'inputs': ['input']}]}",
                      "node 'a' (relu): input 'b' is not computed before");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'relu', 'inputs': ['a']}"
                      "]}",
                      "node 'a' (relu): input 'a' is not computed before");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'relu', "
                      "'inputs': ['ghost']}]}",
                      "node 'a' (relu): unknown input 'ghost'");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'relu', 'inputs': ['input']},"
                      "{'name': 'a', 'op': 'relu', 'inputs': ['input']}"
                      "]}",
                      "graph name 'a' is used twice");
  expect_graph_error ("{" INPUT ", 'outputs': ['input'], 'nodes': ["
                      "{'name': 'input', 'op': 'relu', "
                      "'inputs': ['input']}]}",
                      "graph name 'input' is used twice");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'add', 'inputs': ['input']}"
                      "]}",
                      "node 'a' (add): takes 2 inputs, got 1");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'relu', "
                      "'inputs': ['input', 'input']}]}",
                      "node 'a' (relu): takes 1 input, got 2");
  expect_graph_error ("{" INPUT ", 'outputs': ['a'], 'nodes': ["
                      "{'name': 'a', 'op': 'relu', 'inputs': 'input'}"
                      "]}",
                      "node 'a' (relu): 'inputs' must be an array");
  expect_graph_error ("{" INPUT ", 'outputs': ['input'], "
                      "'nodes': [" HEAD "]}",
                      "graph output 'input' is not a node");
  expect_graph_error ("{" INPUT ", 'outputs': ['head', 'head'], "
                      "'nodes': [" HEAD "]}",
                      "graph output 'head' is listed twice");
  expect_graph_error ("{" INPUT ", 'outputs': ['nowhere'], "
                      "'nodes': [" HEAD "]}",
                      "graph output 'nowhere' is not a node");
}

/* A well-formed graph whose weights or first output do not fit. */
static void
graph_weight_errors (void)
{
  /* Weights: missing, mis-shaped, and a channel count that the next layer
   * does not take. */
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], 'nodes': ["
                      "{'name': 'head', 'op': 'conv2d', "
                      "'inputs': ['input'], 'weight': 'nope'}]}",
                      "node 'head' (conv2d): ");
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], 'nodes': ["
                      "{'name': 'head', 'op': 'conv2d', "
                      "'inputs': ['input']}]}",
                      "node 'head' (conv2d): ");
  expect_graph_error ("{" INPUT ", 'outputs': ['head'], 'nodes': ["
                      "{'name': 'head', 'op': 'conv2d', "
                      "'inputs': ['input'], 'weight': 'head.bias'}]}",
                      "node 'head' (conv2d): ");
  expect_graph_error ("{" INPUT ", 'outputs': ['two'], 'nodes': [" HEAD
                      ", {'name': 'two', 'op': 'conv2d', "
                      "'inputs': ['head'], 'weight': 'skip.weight'}]}",
                      "node 'two' (conv2d): ");
  expect_graph_error ("{" INPUT ", 'outputs': ['sum'], 'nodes': [" HEAD
                      ", {'name': 'sum', 'op': 'add', "
                      "'inputs': ['head', 'input']}]}",
                      "node 'sum' (add): ");
  expect_graph_error ("{" INPUT ", 'outputs': ['up'], 'nodes': [" HEAD
                      ", {'name': 'up', 'op': 'pixel_shuffle', "
                      "'inputs': ['head'], 'factor': 3}]}",
                      "node 'up' (pixel_shuffle): ");

  /* Output 0 must be an image. */
  expect_graph_error ("{" INPUT ", 'outputs': ['pool'], 'nodes': [" HEAD
                      ", {'name': 'pool', 'op': 'global_avg_pool', "
                      "'inputs': ['head']}]}",
                      "the first graph output 'pool' must be an image");
}

/* A graph that scales too far: it needs a wide conv2d's weights, which the
 * WDSR test model that expect_graph_error builds on does not have, so it is
 * built from scratch. */
static void
graph_scale_error (void)
{
  HfsrModelBuilder *b;

  /* Scale beyond HFSR_MAX_SCALE: three x4 shuffles of 3 * 4096 channels. */
  b = hfsr_model_builder_new ("input", 3);
  hfsr_model_builder_add_conv2d (b, "wide", "input", 3, 3 * 4096, 1, 1);
  hfsr_model_builder_add_node (b, "u1", "pixel_shuffle", "wide",
                               "{\"factor\": 4}");
  hfsr_model_builder_add_node (b, "u2", "pixel_shuffle", "u1",
                               "{\"factor\": 4}");
  hfsr_model_builder_add_node (b, "u3", "pixel_shuffle", "u2",
                               "{\"factor\": 4}");
  expect_builder_error (b, "node 'u3' (pixel_shuffle): its output is 64 "
                           "times the input size");
}
#undef HEAD
#undef INPUT

static void
test_graph_errors (void)
{
  graph_structure_errors ();
  graph_weight_errors ();
  graph_scale_error ();
}

/* Every prefix of a good file is refused cleanly.  Each prefix is copied
 * to its own allocation, so a sanitizer build sees any read past it. */
static void
test_every_truncation (void)
{
  GBytes *bytes = model_test_wdsr_bytes ();
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);

  for (gsize length = 0; length < size; length++)
    {
      guint8 *prefix = g_memdup2 (data, length);
      GError *error = NULL;
      HfsrModel *model = hfsr_model_load_from_data (
        prefix, length, MODEL_TEST_CASE_NAME, &error);

      if (model != NULL)
        g_error ("a %" G_GSIZE_FORMAT "-byte prefix of %" G_GSIZE_FORMAT
                 " loaded",
                 length, size);
      g_assert_error (error, HFSR_ERROR, HFSR_ERROR_FORMAT);
      g_assert_true (
        g_str_has_prefix (error->message, MODEL_TEST_CASE_NAME ": "));
      g_error_free (error);
      g_free (prefix);
    }
  g_bytes_unref (bytes);
}

/* Random byte flips: a file either loads (and then runs) or is refused
 * with a message; nothing else may happen. */
static void
test_random_flips (void)
{
  GBytes *bytes = model_test_wdsr_bytes ();
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  GRand *rand = g_rand_new_with_seed (20260101);
  int n_loaded = 0, n_refused = 0;
  GError *error = NULL;
  HfsrTensor *input = hfsr_tensor_new (3, 4, 5, &error);

  g_assert_no_error (error);
  hfsr_test_fill_random (input->data, hfsr_tensor_size (input), 3, 0, 1);
  for (int round = 0; round < 3000; round++)
    {
      guint8 *copy = g_memdup2 (data, size);
      int n_flips = g_rand_int_range (rand, 1, 5);
      HfsrModel *model;

      for (int f = 0; f < n_flips; f++)
        {
          /* Half the flips aim at the header, where the structure is. */
          gsize limit = g_rand_boolean (rand) ? MIN (size, 2048) : size;
          gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) limit);

          copy[at] ^= (guint8) g_rand_int_range (rand, 1, 256);
        }
      model
        = hfsr_model_load_from_data (copy, size, MODEL_TEST_CASE_NAME, &error);
      if (model != NULL)
        {
          HfsrTensor **outputs
            = g_new0 (HfsrTensor *, hfsr_model_get_n_outputs (model));

          g_assert_no_error (error);
          n_loaded++;
          if (hfsr_model_get_input_channels (model) == 3
              && hfsr_model_forward (model, input, outputs, NULL, NULL))
            for (int i = 0; i < hfsr_model_get_n_outputs (model); i++)
              hfsr_tensor_free (outputs[i]);
          g_free (outputs);
          hfsr_model_free (model);
        }
      else
        {
          g_assert_nonnull (error);
          g_assert_true (
            g_str_has_prefix (error->message, MODEL_TEST_CASE_NAME ": "));
          g_clear_error (&error);
          n_refused++;
        }
      g_free (copy);
    }
  g_test_message ("%d flipped files loaded, %d refused", n_loaded, n_refused);
  g_assert_cmpint (n_refused, >, 0);
  hfsr_tensor_free (input);
  g_rand_free (rand);
  g_bytes_unref (bytes);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/errors/missing-file", test_missing_file);
  g_test_add_func ("/model/errors/container", test_container_errors);
  g_test_add_func ("/model/errors/tensors", test_tensor_errors);
  g_test_add_func ("/model/errors/non-finite", test_non_finite_weight);
  g_test_add_func ("/model/errors/huge-weight", test_huge_weight);
  g_test_add_func ("/model/errors/fifo", test_fifo);
  g_test_add_func ("/model/errors/huge-files", test_huge_files);
  g_test_add_func ("/model/errors/metadata", test_metadata_errors);
  g_test_add_func ("/model/errors/graph", test_graph_errors);
  g_test_add_func ("/model/errors/every-truncation", test_every_truncation);
  g_test_add_func ("/model/errors/random-flips", test_random_flips);
  return g_test_run ();
}
