#!/bin/sh
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# A short fuzzing run of the model loader, for CI:
#   run-fuzz.sh FUZZ-MODEL FUZZ-SEEDS [SECONDS] [CORPUS-DIR]
# Writes the seed corpus, replays it, then fuzzes for SECONDS (default 60).
# A crash leaves its input as crash-* in the current directory and fails.
set -eu

fuzzer=$1
seeds=$2
seconds=${3:-60}
corpus=${4:-}
here=$(cd "$(dirname "$0")" && pwd)

if [ -z "$corpus" ]; then
  corpus=$(mktemp -d "${TMPDIR:-/tmp}/hfsr-fuzz-corpus.XXXXXX")
  trap 'rm -rf "$corpus"' EXIT
fi
mkdir -p "$corpus"
"$seeds" "$corpus"

# -timeout: a seed-sized model runs in milliseconds, so 10 s is a hang.
# -rss_limit_mb: the loader caps what a small file can make it allocate.
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -max_len=65536 -dict="$here/model.dict" -print_final_stats=1 "$corpus"
