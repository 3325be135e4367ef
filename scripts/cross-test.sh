#!/usr/bin/env bash
# The engine on arm64 (GIMP users on Apple Silicon under Linux, Snapdragon
# laptops, Raspberry Pi): installs Debian's aarch64 cross compiler, qemu-user
# and the arm64 builds of the engine's libraries (multiarch; scripts/
# install-deps.sh --cross), cross-builds
# the engine and its tests alone (-Dengine_only=true) into build-arm64/ and
# runs them under qemu-user.  Correctness only: the portable kernels
# against their naive twins, the loader, parity with PyTorch's outputs, the
# maps and SR methods; timings under an emulator mean nothing, and the
# slowest tests are left to the native build (tests/engine/meson.build).
# scripts/test.sh runs it; HFSR_SKIP_CROSS=1 skips it there.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh --cross

if [[ ! -f build-arm64/build.ninja ]]; then
  meson setup build-arm64 --cross-file scripts/cross/aarch64-linux-gnu.ini \
    -Dengine_only=true
fi
ninja -C build-arm64
meson test -C build-arm64 --print-errorlogs --num-processes "$(nproc)" --suite engine
