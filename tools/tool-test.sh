# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Sourced by the tools' test scripts, after they set $tool (the program
# under test): $out and $err (its output of the last run, removed at exit),
# a failure count, and `fail`, `expect` and `expect_write_failure`.

failures=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
out=$work/out err=$work/err

fail () {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect STATUS ARGS...: runs the tool, checks its exact exit status (a
# crash is never one of the expected ones).  Standard output goes to $out,
# or to $stdout when set.  A run that hangs (on a FIFO, say) is ended
# after 300 s and fails with status 124, so the other cases still run.
expect () {
  want=$1
  shift
  timeout 300 "$tool" "$@" >"${stdout:-$out}" 2>"$err"
  got=$?
  if [ "$got" -ne "$want" ]; then
    fail "$(basename "$tool") $* exited $got${stdout:+ (stdout $stdout)}, expected $want"
    cat "$err" >&2
    return 1
  fi
  return 0
}

# expect_write_failure STATUS ARGS...: with standard output on /dev/full,
# where every write fails (no space left), the tool must exit STATUS (not
# 0, as if it had written its output) and say so on stderr.
expect_write_failure () {
  if [ ! -w /dev/full ]; then
    echo "SKIP: no /dev/full for $(basename "$tool") $*" >&2
    return 0
  fi
  stdout=/dev/full
  expect "$@"
  got=$?
  stdout=
  [ "$got" -eq 0 ] || return 1
  grep -q ": standard output: write failed" "$err" || {
    fail "$(basename "$tool") $* >/dev/full: no message: $(cat "$err")"
    return 1; }
  return 0
}
