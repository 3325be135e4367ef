#!/bin/sh
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# upscale-batch.sh [-n COUNT] [-s SOURCE_DIR] [-b BUILD] [-m METHODS]
#                  [-r WxH] [--memory]
# A folder of photos upscaled x2, the ways a user can do it: hfsr-upscale
# (GEGL started and the networks loaded once a worker process; -j 1 and
# -j 2), a shell loop of the gegl command (a process an image) and GIMP
# 2.10's headless Script-Fu batch (data/scripts/hfsr-batch.scm).  Makes
# COUNT JPEG photos of about 0.5 MP (default 200 of 866 x 577) from the
# training photographs in SOURCE_DIR (default ../shared/data/train/BSD200
# beside the repository; synthetic images when it is missing or with -s
# none), runs each method on the same folder under /usr/bin/time -v,
# checks that each wrote COUNT images of twice the input size, and prints
# one Markdown table: wall time, images/s, output MP/s and peak RSS.
# --memory instead runs the methods (default: the hfsr-upscale ones) on
# COUNT/10 and on COUNT images, to show that the peak RSS does not grow
# with the folder.
# Exit status 1 when a method fails or writes wrong output, 2 on bad
# arguments or a missing build.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
all_methods="upscale upscale-j2 gegl scriptfu"

usage () {
  cat <<EOF
usage: $0 [-n COUNT] [-s SOURCE_DIR] [-b BUILD] [-m METHODS] [-r WxH] [--memory]
  -n COUNT       photos in the folder (default 200)
  -s SOURCE_DIR  photographs to make them from (default ../shared/data/train/BSD200
                 beside the repository; 'none': synthetic images)
  -b BUILD       the build folder (default build/)
  -m METHODS     space-separated, from: $all_methods (default all;
                 with --memory: upscale upscale-j2)
  -r WxH         the photos' size (default 866x577, 0.5 MP)
  --memory       each method on COUNT/10 and on COUNT photos: peak RSS of both
EOF
}

bad_usage () {
  echo "$0: $1" >&2
  usage >&2
  exit 2
}

count=200
source_dir=$root/../shared/data/train/BSD200
source_given=0
build=$root/build
methods=
methods_given=0
memory=0
geometry=866x577
while [ $# -gt 0 ]; do
  case $1 in
    -n|-s|-b|-m|-r)
      [ $# -ge 2 ] || bad_usage "$1 needs a value"
      case $1 in
        -n) count=$2 ;;
        -s) source_dir=$2; source_given=1 ;;
        -b) build=$2 ;;
        -m) methods=$2; methods_given=1 ;;
        -r) geometry=$2 ;;
      esac
      shift 2 ;;
    --memory) memory=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) bad_usage "unknown argument '$1'" ;;
  esac
done

case $count in
  ''|*[!0-9]*|0*) bad_usage "COUNT must be a positive integer, not '$count'" ;;
esac
case $geometry in
  [1-9]*x[1-9]*) ;;
  *) bad_usage "the size must be WxH, not '$geometry'" ;;
esac
width=${geometry%x*}
height=${geometry#*x}
case $width$height in
  *[!0-9]*) bad_usage "the size must be WxH, not '$geometry'" ;;
esac
if [ "$methods_given" -eq 0 ]; then
  if [ "$memory" -eq 1 ]; then methods="upscale upscale-j2"; else methods=$all_methods; fi
fi
for method in $methods; do
  case " $all_methods " in
    *" $method "*) ;;
    *) bad_usage "unknown method '$method'" ;;
  esac
done
case $methods in
  *[!\ ]*) ;;
  *) bad_usage "no method given" ;;
esac
if [ "$source_dir" != none ] && [ ! -d "$source_dir" ] && [ "$source_given" -eq 1 ]; then
  bad_usage "$source_dir is not a folder (-s none: synthetic images)"
fi
if [ ! -f "$build/ops/hfsr.so" ]; then
  echo "$build/ops/hfsr.so is missing: build it (ninja -C $build) or pass -b BUILD" >&2
  exit 2
fi
build=$(cd "$build" && pwd)
for tool in /usr/bin/time /usr/bin/python3; do
  [ -x "$tool" ] || { echo "$tool is not installed" >&2; exit 2; }
done

# As gegl-e2e.sh: GEGL_PATH replaces GEGL's own folders, so the system ops
# go after ours; the source tree's networks; GEGL's threads named, so that
# every method (and GIMP, through its gimprc below) runs on as many.
system_ops=$(pkg-config --variable=pluginsdir gegl-0.4 2>/dev/null) \
  || system_ops=/usr/lib/x86_64-linux-gnu/gegl-0.4
GEGL_PATH=$build/ops:$system_ops
HFSR_MODEL_PATH=$root/models
GEGL_THREADS=${GEGL_THREADS:-$(nproc)}
export GEGL_PATH HFSR_MODEL_PATH GEGL_THREADS

# The op's default detail weight, which the Script-Fu batch must be given
# (the other methods use it by leaving it out); found this way, the op is
# also known to load.
alpha=$(gegl --info hfsr:super-resolution 2>/dev/null | awk '
  /^alpha / { on = 1 }
  on && /\(default: / { sub (/.*\(default: /, ""); sub (/\).*/, ""); print; exit }') || true
if [ -z "$alpha" ]; then
  echo "the gegl command is missing or does not find hfsr:super-resolution on GEGL_PATH=$GEGL_PATH" >&2
  exit 2
fi

# One folder for everything; the outputs of each method are deleted once
# checked (200 16-bit PNGs of 2 MP are about 2 GB).
work=$(mktemp -d "${TMPDIR:-/tmp}/hfsr-upscale-batch.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------- the photos
# Photographs as a photo library holds them: JPEG at quality 92, about
# 0.5 MP, made from the training set's photographs (never a test set's)
# with a good filter.  Portrait ones are turned to landscape so that every
# photo, and so every result, has one size; past the end of the list the
# photos come again mirrored.  Without photographs: gradients, waves and
# noise from a fixed seed.
if [ "$source_dir" = none ] || [ ! -d "$source_dir" ]; then
  source_arg=
else
  source_arg=$(cd "$source_dir" && pwd)
fi
mkdir "$work/in"
origin=$(/usr/bin/python3 - "$work/in" "$count" "$width" "$height" "$source_arg" <<'EOF'
import os
import sys

import numpy as np
from PIL import Image

folder, count, width, height, source = sys.argv[1:6]
count, width, height = int(count), int(width), int(height)
names = []
if source:
    names = sorted(name for name in os.listdir(source)
                   if name.lower().endswith(('.png', '.jpg', '.jpeg')))
    if not names:
        sys.exit(f'{source} holds no PNG or JPEG file')
rng = np.random.default_rng(2026)
y, x = np.mgrid[0:height, 0:width] / max(width, height)
for i in range(count):
    if names:
        with Image.open(os.path.join(source, names[i % len(names)])) as image:
            image = image.convert('RGB')
        if (image.width < image.height) != (width < height):
            image = image.transpose(Image.Transpose.ROTATE_90)
        if (i // len(names)) % 2:
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        image = image.resize((width, height), Image.Resampling.LANCZOS)
    else:
        planes = []
        for _ in range(3):
            a, b, c, f, g = rng.uniform(-1, 1, 5)
            planes.append(0.5 + 0.3 * (a * x + b * y) +
                          0.15 * c * np.sin(40 * f * x + 30 * g * y))
        pixels = np.stack(planes, axis=2) + rng.normal(0, 0.06, (height, width, 3))
        image = Image.fromarray(np.rint(np.clip(pixels, 0, 1) * 255).astype(np.uint8))
    image.save(os.path.join(folder, f'photo-{i + 1:04d}.jpg'), quality=92)
if names:
    print(f'{len(names)} photographs of {source}, resized with Lanczos')
else:
    print('SYNTHETIC images (gradients, waves, noise; seed 2026): no photographs')
EOF
)
out_width=$((width * 2))
out_height=$((height * 2))

# ------------------------------------------------------------ the methods
# Seconds of wall time and MiB of peak RSS from /usr/bin/time -v's report.
seconds () {
  sed -n 's/^.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }'
}
rss_mib () {
  sed -n 's/^.*Maximum resident set size (kbytes): //p' "$1" |
    awk '{ printf "%.0f\n", $1 / 1024 }'
}

gimp_console=gimp-console-2.10
gimp_plugins=$(pkg-config --variable=gimplibdir gimp-2.0 2>/dev/null)/plug-ins \
  || gimp_plugins=/usr/lib/gimp/2.0/plug-ins
gimp_ready=

# Why METHOD cannot run here (empty when it can).
missing () {
  case $1 in
    upscale|upscale-j2)
      [ -x "$build/tools/hfsr-upscale" ] || echo "$build/tools/hfsr-upscale is not built" ;;
    gegl)
      command -v gegl >/dev/null || echo "the gegl command is not installed" ;;
    scriptfu)
      if ! command -v "$gimp_console" >/dev/null; then
        echo "$gimp_console is not installed"
      elif [ ! -x "$build/plugin/hfsr" ]; then
        echo "$build/plugin/hfsr (the GIMP 2.10 plug-in) is not built"
      fi ;;
  esac
}

# GIMP's options for a profile of its own, as tests/plugin/gimp_harness.py
# makes it: this build's plug-in folder before the system's (where
# Script-Fu and the JPEG loader live), the plug-in's GEGL_PATH and
# HFSR_MODEL_PATH in environ/hfsr.env, GEGL's threads as for the others.
gimp_profile () {
  profile=$work/gimp/profile
  for folder in environ brushes dynamics fonts gradients palettes patterns \
                tool-presets plug-ins scripts; do
    mkdir -p "$profile/$folder"
  done
  printf 'GEGL_PATH=%s\nHFSR_MODEL_PATH=%s\n' "$GEGL_PATH" "$HFSR_MODEL_PATH" \
    >"$profile/environ/hfsr.env"
  printf '(plug-in-path "%s:%s")\n(num-processors %s)\n' \
    "$build/plugin" "$gimp_plugins" "$GEGL_THREADS" >"$work/gimp/gimprc"
}

# Runs METHOD on the folder IN into the empty folder OUT under
# /usr/bin/time -v, its report in $work/time.txt and what it printed in
# $work/log.txt; returns its exit status.
run_method () {
  method=$1 in=$2 out=$3
  case $method in
    upscale|upscale-j2)
      jobs=1
      [ "$method" = upscale ] || jobs=2
      # 8-bit PNG results (its default would be JPEG, like the inputs; PNG
      # keeps the comparison with the other methods fair), otherwise its
      # defaults: threads from every processor shared between the jobs.  Its -j
      # workers are processes it forks and waits for, so time's peak RSS is
      # the largest of them (Linux counts waited-for children), not the sum.
      /usr/bin/time -v -o "$work/time.txt" \
        "$build/tools/hfsr-upscale" --quiet -s 2 -f png -j "$jobs" "$in" -o "$out" \
        >"$work/log.txt" 2>&1 ;;
    gegl)
      # The loop as a whole gives the wall time; each gegl's own peak RSS
      # goes to rss.txt, and the largest is the method's peak.  The loop
      # goes on past a failing image, as a user's would.
      : >"$work/rss.txt"
      # shellcheck disable=SC2016 # the loop's own variables
      /usr/bin/time -v -o "$work/time.txt" sh -c '
        in=$1 out=$2 rss=$3 status=0
        for f in "$in"/*; do
          name=${f##*/}
          /usr/bin/time -f %M -a -o "$rss" \
            gegl "$f" -o "$out/${name%.*}.png" -- hfsr:super-resolution scale=2 ||
            status=$?
        done
        exit $status' sh "$in" "$out" "$work/rss.txt" >"$work/log.txt" 2>&1 ;;
    scriptfu)
      # One start of GIMP, untimed, registers the plug-ins in the new
      # profile (pluginrc), as a user's GIMP has done long before; the
      # timed start then includes GIMP's start-up, as a batch run does.
      # gimp-console exits 0 whatever the script did: the outputs tell.
      if [ -z "$gimp_ready" ]; then
        gimp_profile
        env GIMP2_DIRECTORY="$work/gimp/profile" LC_ALL=C.UTF-8 LANGUAGE= \
          "$gimp_console" -i -d -f -g "$work/gimp/gimprc" \
          -b '(gimp-quit 0)' >"$work/gimp/warm-up.txt" 2>&1 || true
        gimp_ready=1
      fi
      if ! grep -q plug-in-hfsr-super-resolution "$work/gimp/profile/pluginrc" 2>/dev/null; then
        { echo "GIMP did not register plug-in-hfsr-super-resolution; at its start it said:"
          cat "$work/gimp/warm-up.txt"; } >"$work/log.txt"
        return 1
      fi
      # env, not a shell function, so that /usr/bin/time times GIMP itself;
      # C.UTF-8 as the tests run GIMP (numbers print as 0.2).
      /usr/bin/time -v -o "$work/time.txt" \
        env GIMP2_DIRECTORY="$work/gimp/profile" LC_ALL=C.UTF-8 LANGUAGE= \
        "$gimp_console" -i -d -f -g "$work/gimp/gimprc" \
        -b "(begin (load \"$root/data/scripts/hfsr-batch.scm\")
                   (hfsr-batch-upscale \"$in\" \"$out\" 2 $alpha))" \
        -b '(gimp-quit 0)' >"$work/log.txt" 2>&1 ;;
  esac
}

# "N BAD FORMAT" for the folder OUT: its files, how many of them are not
# an image of OUT_WIDTH x OUT_HEIGHT (every input has one size, so every
# output must have twice it, whatever a method names its files) and the
# first one's format (PNG with its bit depth: encoding is part of the time).
check_outputs () {
  /usr/bin/python3 - "$1" "$out_width" "$out_height" <<'EOF'
import os
import sys

from PIL import Image

folder, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
names = sorted(name for name in os.listdir(folder)
               if os.path.isfile(os.path.join(folder, name)))
bad = 0
kind = '-'
for name in names:
    path = os.path.join(folder, name)
    try:
        with Image.open(path) as image:
            size = image.size
            if kind == '-':
                kind = image.format
                if kind == 'PNG':
                    with open(path, 'rb') as f:
                        kind += f'-{f.read(25)[24]}bit'  # IHDR's bit depth
    except OSError:
        size = None
    if size != (width, height):
        bad += 1
        if bad <= 3:
            print(f'  {name}: {size[0]}x{size[1]}' if size else f'  {name}: not an image',
                  file=sys.stderr)
print(len(names), bad, kind)
EOF
}

failed=0
: >"$work/rows.txt"
: >"$work/notes.txt"
: >"$work/formats.txt"
: >"$work/peaks.txt"

# Runs METHOD on the folder IN of N photos and adds its row to the table.
measure () {
  method=$1 in=$2 n=$3
  why=$(missing "$method")
  if [ -n "$why" ]; then
    # (once, though --memory asks twice)
    grep -qxF -- "- $method skipped: $why" "$work/notes.txt" ||
      echo "- $method skipped: $why" >>"$work/notes.txt"
    return 0
  fi
  out=$work/out-$method
  rm -rf "$out"
  mkdir "$out"
  echo "running $method on $n photos" >&2
  status=0
  rm -f "$work/time.txt"
  run_method "$method" "$in" "$out" || status=$?
  wall=$( [ -s "$work/time.txt" ] && seconds "$work/time.txt" || echo 0)
  if [ "$method" = gegl ]; then
    # (time adds a "Command exited with non-zero status" line for a
    # failing gegl: only the numbers count.)
    rss=$(awk '$1 ~ /^[0-9]+$/ && $1 + 0 > m { m = $1 + 0 } END { printf "%.0f\n", m / 1024 }' \
          "$work/rss.txt")
  else
    rss=$( [ -s "$work/time.txt" ] && rss_mib "$work/time.txt" || echo –)
  fi
  result=$(check_outputs "$out" 2>"$work/check.txt")
  files=${result%% *} bad=${result#* } kind=${result##* }
  bad=${bad% *}
  echo "$method $kind" >>"$work/formats.txt"
  # The op falls back to a cubic upscale, with a warning, when it finds no
  # network: the right size would then hide it.  GEGL 0.4.42's own warning
  # about its tile cache at exit is not the op's.
  warnings=$(grep -E 'WARNING|CRITICAL' "$work/log.txt" |
             grep -v 'gegl_tile_cache_destroy' | head -n 5) || true
  verdict=
  [ "$status" -eq 0 ] || verdict="exit status $status"
  [ "$files" -eq "$n" ] || verdict="${verdict:+$verdict, }$files files for $n photos"
  [ "$bad" -eq 0 ] || verdict="${verdict:+$verdict, }$bad not ${out_width}x$out_height"
  [ -z "$warnings" ] || verdict="${verdict:+$verdict, }warnings"
  if [ -n "$verdict" ]; then
    failed=1
    {
      echo "- $method FAILED on $n photos: $verdict"
      sed 's/^/    /' "$work/check.txt"
      [ -z "$warnings" ] || { echo "  its warnings:"; echo "$warnings" | sed 's/^/      /'; }
      echo "  the last lines it printed:"
      tail -n 10 "$work/log.txt" | sed 's/^/      /'
    } >>"$work/notes.txt"
    images="$files (FAIL)"
  else
    images=$files
  fi
  awk -v m="$method" -v i="$images" -v n="$n" -v t="$wall" -v r="$rss" \
      -v p="$((out_width * out_height))" 'BEGIN {
    if (t > 0 && i !~ /FAIL/)
      printf "| %s | %s | %.1f | %.2f | %.2f | %s |\n", m, i, t, n / t, n * p / t / 1e6, r
    else
      printf "| %s | %s | %.1f | – | – | %s |\n", m, i, t, r }' >>"$work/rows.txt"
  echo "$method $n $rss" >>"$work/peaks.txt"
  rm -rf "$out"
}

if [ "$memory" -eq 1 ]; then
  # The first COUNT/10 photos (at least one), linked, not copied.
  small=$((count / 10))
  [ "$small" -ge 1 ] || small=1
  mkdir "$work/in-small"
  i=0
  for f in "$work/in"/*; do
    [ "$i" -lt "$small" ] || break
    ln "$f" "$work/in-small/" 2>/dev/null || cp "$f" "$work/in-small/"
    i=$((i + 1))
  done
  for method in $methods; do
    measure "$method" "$work/in-small" "$small"
    measure "$method" "$work/in" "$count"
  done
else
  for method in $methods; do
    measure "$method" "$work/in" "$count"
  done
fi

# ---------------------------------------------------------------- report
echo "- CPU: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $(nproc) processors"
echo "- OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-unset}; GEGL_THREADS: $GEGL_THREADS"
echo "- date: $(date '+%Y-%m-%d %H:%M %Z'); load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- GEGL $(pkg-config --modversion gegl-0.4 2>/dev/null || echo '(version unknown)');" \
     "$($gimp_console --version 2>/dev/null || echo 'no GIMP 2.10')"
echo "- photos: $count JPEG (quality 92) of ${width}x$height ($(awk -v p="$((width * height))" 'BEGIN { printf "%.2f", p / 1e6 }') MP) from $origin"
echo "- x2 with hfsr:super-resolution's defaults (alpha $alpha): ${out_width}x$out_height results"
[ "$memory" -eq 0 ] || echo "- --memory: each method on the first $small images, then on all $count"
echo "- results written as: $(sort -u "$work/formats.txt" | sed 's/ /: /' | paste -sd ';' - | sed 's/;/; /g')"
echo
echo "| method | images | wall s | images/s | MP/s | peak RSS MiB |"
echo "|---|---|---|---|---|---|"
cat "$work/rows.txt"
if [ "$memory" -eq 1 ] && [ -s "$work/peaks.txt" ]; then
  # Each method's two runs, side by side: bounded memory shows as the same
  # peak for ten times the images.
  echo
  awk '$1 == m && $3 ~ /^[0-9]+$/ && r ~ /^[0-9]+$/ {
         printf "- %s: peak RSS %d MiB on %d images, %d MiB on %d (%+d MiB)\n", m, r, n, $3, $2, $3 - r }
       { m = $1; n = $2; r = $3 }' "$work/peaks.txt"
fi
if [ -s "$work/notes.txt" ]; then
  echo
  cat "$work/notes.txt"
fi
exit "$failed"
