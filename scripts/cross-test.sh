#!/usr/bin/env bash
# The engine on arm64 (GIMP users on Apple Silicon under Linux, Snapdragon
# laptops, Raspberry Pi): installs Debian's aarch64 cross compiler, qemu-user
# and the arm64 builds of the engine's libraries (multiarch), cross-builds
# the engine and its tests alone (-Dengine_only=true) into build-arm64/ and
# runs them under qemu-user.  Correctness only: the portable kernels
# against their naive twins, the loader, parity with PyTorch's outputs, the
# maps and SR methods; timings under an emulator mean nothing, and the
# slowest tests are left to the native build (tests/engine/meson.build).
# scripts/test.sh runs it; HFSR_SKIP_CROSS=1 skips it there.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
          libglib2.0-dev:arm64 libjson-glib-dev:arm64 libopenblas-dev:arm64
          libfftw3-dev:arm64)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    "${sudo[@]}" dpkg --add-architecture arm64
  fi
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [[ ! -f build-arm64/build.ninja ]]; then
  meson setup build-arm64 --cross-file scripts/cross/aarch64-linux-gnu.ini \
    -Dengine_only=true
fi
ninja -C build-arm64
meson test -C build-arm64 --print-errorlogs --num-processes "$(nproc)" --suite engine
