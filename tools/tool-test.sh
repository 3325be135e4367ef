# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced by the tools' test scripts, after they set $tool (the program
# under test): $out and $err (its output of the last run, removed at exit),
# a failure count, and `fail` / `expect`.

failures=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$work/out err=$work/err

fail () {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect STATUS ARGS...: runs the tool, checks its exact exit status (a
# crash is never one of the expected ones).
expect () {
  want=$1
  shift
  "$tool" "$@" >"$out" 2>"$err"
  got=$?
  if [ "$got" -ne "$want" ]; then
    fail "$(basename "$tool") $* exited $got, expected $want"
    cat "$err" >&2
    return 1
  fi
  return 0
}
