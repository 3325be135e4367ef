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

# Output that cannot be written is an error, the help's too.
expect_write_failure 1 info "$root/models/hfsr-x2-a0.safetensors"
expect_write_failure 1 --help

# `--` ends the options: a file named like an option is read after it and
# refused as an unknown option before it.
cp "$root/models/hfsr-x2-a0.safetensors" "$work/-model.safetensors"
cd "$work" || exit 1
if expect 0 info -- -model.safetensors; then
  grep -q '^-model.safetensors$' "$out" || fail "-- -model: $(cat "$out")"
  grep -q '^  scale: *2$' "$out" || fail "-- -model: no scale 2"
fi
expect 2 info -model.safetensors \
  && { grep -q "unknown option '-model.safetensors'" "$err" \
       || fail "no message for an unknown option: $(cat "$err")"; }
expect 2 info --
cd - >/dev/null || exit 1

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
