#!/bin/sh
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# gegl-e2e.sh [SIZE [BUILD]]: hfsr:super-resolution as a user runs it, end to
# end through the gegl command.  Makes a SIZE x SIZE 8-bit RGB PNG (default
# 4096) from data/sample.png scaled up by GEGL, then times
#   gegl in.png -o out.png -- hfsr:super-resolution scale=2
# under /usr/bin/time -v with BUILD's ops (default build/) and the source
# tree's models, prints the wall time and peak RSS, and checks that out.png is
# 2 SIZE x 2 SIZE (gegl exits 0 and writes a placeholder even when the op
# fails, so only the size tells).  The time includes decoding the input and
# encoding the 16-bit output PNG, as a user would wait for them; the op runs
# with its defaults (alpha blends the shipped models) and GEGL's threads.
# Exit status 1 when the output is wrong, 2 on bad arguments.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
size=${1:-4096}
build=${2:-$root/build}

case $size in
  ''|*[!0-9]*) echo "usage: $0 [SIZE [BUILD]] (SIZE a positive integer)" >&2
               exit 2 ;;
esac
if [ "$size" -lt 1 ]; then
  echo "usage: $0 [SIZE [BUILD]] (SIZE a positive integer)" >&2
  exit 2
fi
if [ ! -f "$build/ops/hfsr.so" ]; then
  echo "$build/ops/hfsr.so is missing: build it (ninja -C $build) or pass BUILD" >&2
  exit 2
fi
for tool in gegl /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 2; }
done

# GEGL_PATH replaces GEGL's own folders: the system ops go after ours.
system_ops=$(pkg-config --variable=pluginsdir gegl-0.4 2>/dev/null) \
  || system_ops=/usr/lib/x86_64-linux-gnu/gegl-0.4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# WxH from a PNG's IHDR chunk (bytes 16 to 23, big-endian).
png_size () {
  od -An -tu1 -j16 -N8 "$1" | awk '{
    printf "%dx%d\n", (($1 * 256 + $2) * 256 + $3) * 256 + $4,
                      (($5 * 256 + $6) * 256 + $7) * 256 + $8 }'
}

echo "making a ${size}x${size} input from data/sample.png" >&2
# (With a sink op and no -o, the gegl command reports a leaked buffer on
# exit: its own, shown only when the input is wrong.)
# Opaque RGB, as a photo is: gegl:scale-size leaves its border pixels partly
# transparent, and the op then also runs the network on the alpha near
# them, which is not what this measures.
gegl "$root/data/sample.png" -- gegl:scale-size x="$size" y="$size" \
  gegl:convert-format format="R'G'B' u8" \
  gegl:png-save path="$work/in.png" bitdepth=8 >"$work/make.txt" 2>&1 || true
if [ ! -f "$work/in.png" ] || [ "$(png_size "$work/in.png")" != "${size}x${size}" ]; then
  cat "$work/make.txt" >&2
  echo "FAIL: gegl did not make a ${size}x${size} input" >&2
  exit 1
fi

# GEGL's threads, named, so that the engine alone below runs on as many.
GEGL_THREADS=${GEGL_THREADS:-$(nproc)}
export GEGL_THREADS

# Seconds of wall time from /usr/bin/time -v's report.
seconds () {
  sed -n 's/^.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'
}

# The op's overhead: the same two pipelines ending in a 16-bit PPM written
# to /dev/null, whose cost does not depend on the pixels (zlib takes longer
# over the network's detailed 16-bit output than over nearest-neighbour
# pixels, so a PNG baseline would count compression as the op's).
echo "timing decoding + a nearest-neighbour x2 + raw 16-bit writing (the baseline)" >&2
gegl "$work/in.png" -- gegl:scale-ratio x=2 y=2 sampler=nearest \
  gegl:ppm-save path=/dev/null bitdepth=16 >/dev/null 2>&1 &&
  /usr/bin/time -v -o "$work/base-time.txt" \
    gegl "$work/in.png" -- gegl:scale-ratio x=2 y=2 sampler=nearest \
    gegl:ppm-save path=/dev/null bitdepth=16 >/dev/null 2>&1 || true
echo "timing the same with hfsr:super-resolution scale=2 in its place" >&2
GEGL_PATH="$build/ops:$system_ops" HFSR_MODEL_PATH="$root/models" \
  /usr/bin/time -v -o "$work/raw-time.txt" \
  gegl "$work/in.png" -- hfsr:super-resolution scale=2 \
  gegl:ppm-save path=/dev/null bitdepth=16 >/dev/null 2>&1 || true

echo "running hfsr:super-resolution scale=2" >&2
status=0
GEGL_PATH="$build/ops:$system_ops" HFSR_MODEL_PATH="$root/models" \
  /usr/bin/time -v -o "$work/time.txt" \
  gegl "$work/in.png" -o "$work/out.png" -- hfsr:super-resolution scale=2 \
  >"$work/gegl.txt" 2>&1 || status=$?

wall=$(sed -n 's/^.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
rss_kb=$(sed -n 's/^.*Maximum resident set size (kbytes): //p' "$work/time.txt")
out_size=$( [ -f "$work/out.png" ] && png_size "$work/out.png" || echo none)

echo "- CPU: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $(nproc) processors"
echo "- OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-unset}; GEGL_THREADS: ${GEGL_THREADS:-unset}"
echo "- input: ${size}x${size}; output: $out_size; gegl exit status: $status"
echo "- wall time: $wall (h:mm:ss or m:ss)"
echo "- peak RSS: $((rss_kb / 1024)) MiB"
# The engine alone on as many threads: one run of the network the op runs
# (its default alpha 0.2 blends the x2 models; the a0 file costs the same).
engine=$("$build/tools/hfsr-bench" --threads "$GEGL_THREADS" --runs 1 --warmup 0 \
  "$root/models/hfsr-x2-a0.safetensors" "$size" 2>/dev/null |
  awk -F'|' '/^\| [0-9]/ { gsub (/ /, "", $4); print $4 }')
base=$( [ -s "$work/base-time.txt" ] && seconds "$work/base-time.txt" || echo "")
raw=$( [ -s "$work/raw-time.txt" ] && seconds "$work/raw-time.txt" || echo "")
if [ -n "$engine" ] && [ -n "$base" ] && [ -n "$raw" ]; then
  awk -v t="$(seconds "$work/time.txt")" -v r="$raw" -v b="$base" -v e="$engine" 'BEGIN {
    printf "- engine alone (hfsr-bench, same threads): %.1f s\n", e
    printf "- to a raw 16-bit file instead of the PNG: the op pipeline %.1f s, the nearest-neighbour one %.1f s\n", r, b
    printf "- the op beyond the engine: %.1f s = %.0f %% of the engine time (%.1f - %.1f - %.1f; negative: GEGL running whole chunks side by side beats the engine splitting each layer)\n", r - b - e, 100 * (r - b - e) / e, r, b, e
    printf "- PNG writing of the result: %.1f s (wall %.1f - raw pipeline %.1f)\n", t - r, t, r }'
fi
# The gegl command of GEGL 0.4.42 warns about its tile cache (and leaked
# buffers) on exit whatever the op.
if [ -s "$work/gegl.txt" ]; then
  echo "gegl said:" >&2
  cat "$work/gegl.txt" >&2
fi

want=$((size * 2))x$((size * 2))
if [ "$status" -ne 0 ] || [ "$out_size" != "$want" ]; then
  echo "FAIL: expected a $want output from a successful run" >&2
  exit 1
fi
echo "ok: out.png is $want"
