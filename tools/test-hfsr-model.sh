#!/bin/sh
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-hfsr-model.sh HFSR-MODEL SOURCE-ROOT: the tool's exit statuses and
# messages, and every model shipped in SOURCE-ROOT/models loads.
set -u

tool=$1
root=$2
. "$(dirname "$0")/tool-test.sh"

expect 2
expect 2 describe "$root/meson.build"
expect 0 --help && grep -q '^Usage: ' "$out" || failures=$((failures + 1))

# Not a model: the engine's message, naming the file, on stderr.
if expect 1 info "$root/meson.build"; then
  grep -q "^$root/meson.build: " "$err" || {
    echo "FAIL: message does not name the file: $(cat "$err")" >&2
    failures=$((failures + 1)); }
fi
expect 1 info "$root/no-such-model.safetensors"

for model in "$root"/models/*.safetensors; do
  [ -e "$model" ] || continue
  if expect 0 info "$model"; then
    grep -q '^  scale: ' "$out" || {
      echo "FAIL: no scale printed for $model" >&2
      failures=$((failures + 1)); }
    echo "ok: $model"
  fi
done

[ "$failures" -eq 0 ]
