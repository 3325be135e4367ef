#!/usr/bin/env bash
# The README's second command (and CI's): installs what is missing, builds,
# and runs the whole test suite: the normal build, the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, and a short fuzz run of the
# model loader.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS

scripts/install-deps.sh --test
jobs=$(nproc)

echo "== build and test (build/)"
scripts/build.sh build
meson test -C build --print-errorlogs --num-processes "$jobs"

echo "== AddressSanitizer + UBSan (build-asan/)"
# The `gegl` command line and the Python tests run programs that are not
# instrumented, so they stay in the plain build.
scripts/build.sh build-asan -Db_sanitize=address,undefined -Db_lundef=false
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes "$jobs" --no-suite cli --no-suite training

echo "== fuzz the model loader (build-fuzz/, short run; tests/fuzz/README.md has the long one)"
CC=clang scripts/build.sh build-fuzz -Dfuzz=true -Dtests=true
meson test -C build-fuzz --print-errorlogs --suite fuzz

echo "hfsr: all tests passed in $((SECONDS - start)) s"
