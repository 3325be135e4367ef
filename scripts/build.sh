#!/usr/bin/env bash
# Configures (once) and builds hfsr in ./build (or $1).
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."
builddir=${1:-build}
shift || true
if [[ ! -f "$builddir/build.ninja" ]]; then
  meson setup "$builddir" "$@"
fi
meson compile -C "$builddir"
