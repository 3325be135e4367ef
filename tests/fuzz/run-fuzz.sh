#!/bin/sh
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A short fuzzing run, for CI:
#   run-fuzz.sh FUZZER SECONDS SEEDS [SEED-ARG...]
# Writes the seed corpus (`SEEDS [SEED-ARG...] DIR`) into a fresh folder, or
# into $FUZZ_CORPUS (kept) when set, replays it, then fuzzes for SECONDS.
# FUZZER fuzz-NAME uses the dictionary NAME.dict next to this script when
# there is one.  A crash leaves its input as crash-* in the current
# directory and fails.
set -eu

fuzzer=$1
seconds=$2
seeds=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$fuzzer")
dict=$here/${name#fuzz-}.dict

corpus=${FUZZ_CORPUS:-}
if [ -z "$corpus" ]; then
  corpus=$(mktemp -d "${TMPDIR:-/tmp}/hfsr-$name-corpus.XXXXXX")
  trap 'rm -rf "$corpus"' EXIT
fi
mkdir -p "$corpus"
"$seeds" "$@" "$corpus"

set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -print_final_stats=1
if [ -f "$dict" ]; then
  set -- "$@" -dict="$dict"
fi
# -timeout: a seed-sized input takes milliseconds, so 10 s is a hang.
# -rss_limit_mb: the readers cap what a small file can make them allocate.
exec "$fuzzer" "$@" "$corpus"
