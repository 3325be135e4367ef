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
failures=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# expect STATUS ARGS...: runs the tool, checks its exact exit status (a
# crash is never one of the expected ones).
expect () {
  want=$1
  shift
  "$tool" "$@" >"$out" 2>"$err"
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: hfsr-model $* exited $got, expected $want" >&2
    cat "$err" >&2
    failures=$((failures + 1))
    return 1
  fi
  return 0
}

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
