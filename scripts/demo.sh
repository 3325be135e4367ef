#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and runs hfsr's
# filters on the bundled sample photo (data/sample.png).  Results go to
# ./out/demo (or $HFSR_DEMO_OUT); the folder is printed at the end.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/install-deps.sh
scripts/build.sh build

out=${HFSR_DEMO_OUT:-$root/out/demo}
mkdir -p "$out"
sample=$root/data/sample.png
run() { meson devenv -C "$root/build" "$@"; }

# `gegl` exits 0 even when an op fails, so every run's messages and result
# size are checked.
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}'; }
expect=$(png_size "$sample")
step() {
  local name=$1 want=$2; shift 2
  local log
  log=$(run gegl "$sample" -o "$out/$name" -- "$@" 2>&1) || { echo "$log" >&2; exit 1; }
  # The gegl command itself reports leaked buffers at exit, for GEGL's own
  # ops too (GEGL 0.4.42): not a failure of the filter.
  log=$(grep -vE "gegl_tile_cache_destroy|GeglBuffers leaked|^$" <<<"$log" || true)
  if grep -qiE "error|warning|critical|no such op" <<<"$log"; then
    echo "hfsr demo: $name failed:" >&2; echo "$log" >&2; exit 1
  fi
  [[ "$(png_size "$out/$name")" == "$want" ]] || { echo "hfsr demo: $name has the wrong size" >&2; exit 1; }
  echo "  $out/$name"
}

w=${expect%x*} h=${expect#*x}
echo "hfsr demo: filtering $sample ($expect)"
# The main job: 2x super-resolution (8-bit PNG), and a plain cubic upscale
# beside it to compare.
step super-resolution-x2.png "$((2 * w))x$((2 * h))" hfsr:super-resolution scale=2 alpha=0.2 \
    gegl:png-save path="$out/super-resolution-x2.png" bitdepth=8
step cubic-x2.png "$((2 * w))x$((2 * h))" gegl:scale-ratio x=2 y=2 sampler=cubic abyss-policy=clamp \
    gegl:png-save path="$out/cubic-x2.png" bitdepth=8
step hf-map-signed.png "$expect" hfsr:hf-map mode=signed
step hf-map-selection-a0.2.png "$expect" hfsr:hf-map mode=selection alpha=0.2
step hf-map-highpass.png "$expect" hfsr:hf-map mode=highpass
# Where a blurred copy lost detail against the original.
step gms-map-soft.png "$expect" gegl:gaussian-blur std-dev-x=2 std-dev-y=2 \
    hfsr:gms-map mode=soft aux=[ gegl:load path="$sample" ]
echo "hfsr demo: results in $out"
