#!/usr/bin/env bash
# The README's second command (and CI's): installs what is missing, builds,
# and runs the whole test suite: the normal build, the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer (with LeakSanitizer for the
# engine, tool and op tests), short fuzz runs of the model loader and the
# tools' readers, the engine's tests cross-built for arm64 under qemu-user
# (HFSR_SKIP_CROSS=1 skips those) and the GIMP 3 tests in a Debian 13 chroot
# (HFSR_SKIP_GIMP3=1 skips those).
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

echo "== arm64: the engine cross-built, its tests under qemu-user (scripts/cross-test.sh)"
if [[ "${HFSR_SKIP_CROSS:-}" == 1 ]]; then
  echo "skipped (HFSR_SKIP_CROSS=1)"
else
  scripts/cross-test.sh
fi

echo "== GIMP 3 (Debian 13 chroot)"
# GIMP 3 and Debian 13's GEGL and babl, on this Debian 12 host: a Debian 13
# chroot (scripts/gimp3-chroot.sh; made once, ~3 min and 1.8 GB in
# /var/cache/hfsr/trixie, then reused) builds this tree in build-gimp3/ and
# runs the engine and op tests, then the suite gimp3: the GIMP 3 plug-in
# headless and its dialogs on Xvfb, the GIMP 3 batch examples, and the
# reliability suite's GIMP 3 leg (the ops as GIMP 3's own filters and the
# plug-in's procedures; tests/plugin/test_gimp3_*.py).  hfsr-upscale's
# test runs there too: Debian 13 users meet GEGL 0.4.62's loaders and
# savers and Exiv2 0.28.
# gegl-cli (suite cli) is left out there: with GEGL 0.4.62 it failed once in
# seven runs (gms-grey-gms, one value 1.1e-5 from its twin, tolerance
# 9.6e-6), which would make this step flaky until that is understood.
# HFSR_SKIP_GIMP3=1 skips this step, for local runs only; CI runs it.
if [[ ${HFSR_SKIP_GIMP3:-} == 1 ]]; then
  echo "skipped (HFSR_SKIP_GIMP3=1)"
else
  step=$SECONDS
  scripts/gimp3-chroot.sh sh -c '
    set -e
    scripts/build.sh build-gimp3
    meson test -C build-gimp3 --print-errorlogs --num-processes "$(nproc)" \
      --suite engine --suite ops --no-suite cli
    meson test -C build-gimp3 --print-errorlogs hfsr-upscale
    HFSR_GIMP3_REQUIRED=1 meson test -C build-gimp3 --print-errorlogs --suite gimp3'
  echo "GIMP 3 step: $((SECONDS - step)) s"
fi

echo "hfsr: all tests passed in $((SECONDS - start)) s"
