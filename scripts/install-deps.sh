#!/usr/bin/env bash
# Installs the Debian 12 packages hfsr needs that are missing.
#   scripts/install-deps.sh          build + run (GEGL, GIMP, OpenBLAS, ...)
#   scripts/install-deps.sh --test   also what the test suite uses
#   scripts/install-deps.sh --cross  only what scripts/cross-test.sh uses:
#                                    the aarch64 cross compiler, qemu-user
#                                    and the engine's arm64 libraries
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail

packages=(build-essential meson ninja-build pkg-config gettext
          libglib2.0-dev libjson-glib-dev libopenblas-dev libfftw3-dev
          libgegl-dev libbabl-dev gegl gimp libgimp2.0-dev libgexiv2-dev libjpeg-dev)
foreign=()
if [[ "${1:-}" == "--cross" ]]; then
  # arm64 packages install beside the host's (Debian's multiarch).
  packages=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
            libglib2.0-dev:arm64 libjson-glib-dev:arm64 libopenblas-dev:arm64
            libfftw3-dev:arm64)
  foreign=(arm64)
elif [[ "${1:-}" == "--test" ]]; then
  # torch: exporter/training tests; clang + libclang-rt: the fuzz target and
  # sanitizers; skimage: image checks in the CLI tests; xvfb, appstream: GIMP;
  # xdotool, imagemagick (import): the plug-in's dialog test and screenshots;
  # opencv: hfsr-sift's detector against cv2.SIFT_create; clang-format 14:
  # the format test (scripts/format.sh).
  packages+=(python3-torch python3-skimage python3-numpy clang libclang-rt-14-dev clang-format-14
             xvfb xauth appstream xdotool imagemagick python3-opencv)
  # The many-machines recipes (data/scripts/hfsr-upscale-parallel.sh,
  # hfsr-upscale.slurm) and their test, which starts its own sshd on
  # 127.0.0.1 and its own one-node Slurm: GNU parallel, ssh both ways and
  # rsync (parallel's --transferfile and --return), slurmctld, slurmd and
  # sbatch.  Debian enables the system's sshd, munge and Slurm services
  # when it installs them; the test uses none of them.
  packages+=(parallel openssh-client openssh-server rsync slurm-client slurmctld slurmd)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "hfsr: all ${#packages[@]} Debian packages present"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
for arch in "${foreign[@]}"; do
  dpkg --print-foreign-architectures | grep -qx "$arch" \
    || "${sudo[@]}" dpkg --add-architecture "$arch"
done
echo "hfsr: installing ${missing[*]}"
"${sudo[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
