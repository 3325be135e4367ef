#!/bin/sh
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# The ops through the `gegl` command, as a user runs them: 8-bit RGB, 16-bit
# RGBA, grey, grey + alpha PNGs and a JPEG in, PNGs out, compared with numpy
# twins of the maps and of the super-resolution networks that
# gegl_cli_check.py writes for the test (found through HFSR_MODEL_PATH); one
# or two threads must write the same float image (.npy) within 1e-5 (bytes
# of a 16-bit PNG can differ by a rounding step).  `gegl` exits 0 even when
# an op fails and then writes a placeholder, so only the files it writes
# tell.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
python=/usr/bin/python3

if ! command -v gegl >/dev/null 2>&1; then
  echo "SKIP: no gegl command"
  exit 77
fi
if ! "$python" -c 'import numpy, PIL' 2>/dev/null; then
  echo "SKIP: $python lacks numpy or PIL"
  exit 77
fi
for op in hfsr:hf-map hfsr:gms-map hfsr:super-resolution; do
  if ! gegl --list-all 2>/dev/null | grep -qx "$op"; then
    echo "$op not found on GEGL_PATH=${GEGL_PATH:-(unset)}"
    # Under meson the module must load; elsewhere GEGL_PATH may be unset.
    [ -n "${HFSR_BUILD_ROOT:-}" ] && exit 1
    exit 77
  fi
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# run NAME GEGL-ARGUMENTS...: what gegl prints goes to NAME.log.
run () {
  name=$1
  shift
  gegl "$@" >"$name.log" 2>&1
}

"$python" "$here/gegl_cli_check.py" make "$work"
run decode photo.jpg -o photo-decoded.png

for input in rgb8 rgba16 grey8 greya8 jpeg; do
  file=$input.png
  [ "$input" = jpeg ] && file=photo.jpg
  for mode in signed magnitude selection highpass; do
    run "hf-$input-$mode" "$file" -o "hf-$input-$mode.png" -- \
      hfsr:hf-map mode=$mode alpha=0.2 cutoff=0.1
  done
done

# gegl reads a graph for a pad as separate words: aux=[ op key=value ].
reference='grey8-reference.png'
run gms-grey-gms grey8.png -o gms-grey-gms.png -- \
  hfsr:gms-map mode=gms 'aux=[' gegl:load path=$reference ']'
run gms-grey-hard grey8.png -o gms-grey-hard.png -- \
  hfsr:gms-map mode=hard threshold=0.1 radius=1 \
  'aux=[' gegl:load path=$reference ']'
run gms-grey-soft grey8.png -o gms-grey-soft.png -- \
  hfsr:gms-map mode=soft threshold=0.1 radius=1 sigma=1.5 iterations=2 \
  'aux=[' gegl:load path=$reference ']'
run gms-rgb-self rgb8.png -o gms-rgb-self.png -- \
  hfsr:gms-map mode=soft 'aux=[' gegl:load path=rgb8.png ']'
run gms-mismatch grey8.png -o gms-mismatch.png -- \
  hfsr:gms-map 'aux=[' gegl:load path=grey8-small.png ']'
run gms-missing grey8.png -o gms-missing.png -- hfsr:gms-map

# The test's networks, not the shipped ones.
export HFSR_MODEL_PATH="$work/models"
run sr-rgb8 rgb8.png -o sr-rgb8.png -- \
  hfsr:super-resolution scale=2 alpha=0.2
run sr-grey8 grey8.png -o sr-grey8.png -- \
  hfsr:super-resolution scale=2 alpha=0
run sr-missing rgb8.png -o sr-missing.png -- \
  hfsr:super-resolution scale=3 model="$work/missing.safetensors"

"$python" "$here/gegl_cli_check.py" check "$work"

# Threads, chunks and tiles change how GEGL splits the work, not the result.
# With chunks of 40000 pixels (> 2 x 128 x 128) GEGL always hands an op's
# chunk to two threads; the default chunk holds the whole image.
# same_with_threads OP-AND-PROPERTIES... on big-rgb8.png (.npy out), or on
# $threads_input with output type $kind (tif keeps alpha).
status=0
same_with_threads () {
  in=${threads_input:-big-rgb8.png}
  out=${kind:-npy}
  rm -f one.$out two.$out
  difference=
  env GEGL_THREADS=1 gegl $in -o one.$out -- "$@" >one.log 2>&1
  env GEGL_THREADS=2 GEGL_CHUNK_SIZE=40000 GEGL_TILE_SIZE=32x32 \
    gegl $in -o two.$out -- "$@" >two.log 2>&1
  if [ -s one.$out ] && [ -s two.$out ] \
     && difference=$("$python" "$here/gegl_cli_check.py" same one.$out two.$out); then
    echo "ok: $in $*: 1 thread = 2 threads ($difference)"
  else
    echo "FAIL: $*: 1 and 2 threads disagree: ${difference:-no output}"
    status=1
  fi
}
same_with_threads hfsr:hf-map mode=signed
same_with_threads hfsr:hf-map mode=selection
same_with_threads hfsr:hf-map mode=highpass
same_with_threads hfsr:gms-map mode=soft \
  'aux=[' gegl:load path=big-rgb8.png gegl:gaussian-blur std-dev-x=1 ']'
same_with_threads hfsr:super-resolution scale=2 alpha=0.2
# The shipped networks (x3: the alpha network runs only near transparency).
HFSR_MODEL_PATH="$HFSR_SOURCE_ROOT/models" threads_input=big-rgba8.png kind=tif \
  same_with_threads hfsr:super-resolution scale=3 alpha=0.1

# model= given: no word about the family of the scale, which is not used
# (the command line connects the node before it sets model=).
run sr-model-given rgb8.png -o sr-model-given.png -- \
  hfsr:super-resolution scale=2 model="$work/models/hfsr-x2-a0.safetensors"
if grep -q "no model file" sr-model-given.log; then
  echo "FAIL: model= given, yet a missing family was reported:"
  cat sr-model-given.log
  status=1
else
  echo "ok: model= given: no word of the family"
fi
exit $status
