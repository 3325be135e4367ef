/* hfsr — task-aware super-resolution for GEGL and GIMP.
 * Copyright (C) 2026 the hfsr authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the tools' fuzz targets share.  fuzz-util.c also defines their
 * LLVMFuzzerInitialize, which makes a GLib critical or warning (an API
 * misuse) fatal, so that the fuzzer reports it as a crash.
 */
#ifndef HFSR_FUZZ_UTIL_H
#define HFSR_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <glib.h>

G_BEGIN_DECLS

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A refusal must say why: aborts unless *@error holds a message, then
 * clears it. */
void fuzz_expect_message (GError **error);

G_END_DECLS

#endif /* HFSR_FUZZ_UTIL_H */
