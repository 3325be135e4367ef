#!/usr/bin/env bash
# The README's second command (and CI's): installs what is missing, builds,
# and runs the whole test suite: the normal build, the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer (with LeakSanitizer for the
# engine, tool and op tests), and short fuzz runs of the model loader and the
# tools' readers.
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
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# The engine, tool and op tests also check for leaks (LeakSanitizer),
# suppressed only in the libraries tests/lsan.supp names; the full unwind
# (fast_unwind_on_malloc=0) lets it see those libraries in a stack.
ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:abort_on_error=1 \
LSAN_OPTIONS=suppressions="$PWD/tests/lsan.supp":print_suppressions=0 \
  meson test -C build-asan --print-errorlogs --num-processes "$jobs" \
    --suite engine --suite tools --suite ops --no-suite cli --no-suite reliability
# The reliability suite runs about a thousand GEGL processes, each of which
# the full unwind would slow down: no leak check there, nor (as before) in
# the rest that is in neither the cli nor the training suite.
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
  meson test -C build-asan --print-errorlogs --num-processes "$jobs" \
    --no-suite engine --no-suite tools --no-suite ops --no-suite cli --no-suite training
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
  meson test -C build-asan --print-errorlogs --num-processes "$jobs" --suite reliability --no-suite cli

echo "== fuzz the model loader and the tools' readers (build-fuzz/, short runs; tests/fuzz/README.md has the long ones)"
CC=clang scripts/build.sh build-fuzz -Dfuzz=true -Dtests=true
meson test -C build-fuzz --print-errorlogs --suite fuzz

echo "hfsr: all tests passed in $((SECONDS - start)) s"
