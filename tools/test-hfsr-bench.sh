#!/bin/sh
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-hfsr-bench.sh HFSR-BENCH SOURCE-ROOT: the tool's exit statuses, and
# one tiny run of the shipped x2 model whose table must hold numbers that
# agree with each other (not how fast they are: speed is for benchmarks).
set -u

tool=$1
root=$2
model=$root/models/hfsr-x2-a0.safetensors
. "$(dirname "$0")/tool-test.sh"

[ -e "$model" ] || { echo "SKIP: no $model" >&2; exit 77; }

# Bad arguments: 2, with the usage.
expect 2
expect 2 "$model"
expect 2 --runs 0 "$model" 8
expect 2 --warmup -1 "$model" 8
expect 2 --threads 0 "$model" 8
expect 2 --tile -3 "$model" 8
expect 2 --bogus "$model" 8
expect 2 "$model" 8y9 && { grep -q "'8y9'" "$err" && grep -q 'Usage:' "$err" \
  || fail "no message and usage for a bad size: $(cat "$err")"; }
expect 2 "$model" 0
expect 2 "$model" 16x
expect 2 --input "$work/in.raw" "$model" 8 9
expect 0 --help && { grep -q '^Usage:' "$out" || fail "--help has no usage"; }

# Output that cannot be written is an error (1), --help's too.
expect_write_failure 1 --threads 1 --runs 1 --warmup 0 "$model" 8
expect_write_failure 1 --json --threads 1 --runs 1 --warmup 0 "$model" 8
expect_write_failure 1 --help

# A file the engine refuses: 1, the engine's message naming it.
expect 1 "$root/meson.build" 8 && { grep -q "$root/meson.build: " "$err" \
  || fail "message does not name the file: $(cat "$err")"; }
expect 1 "$root/no-such-model.safetensors" 8

# The table: header lines, then one row whose numbers agree: output MP/s =
# 64 x 64 / median, GFLOP/s = 2 x MACs x 32 x 32 / median (within the
# printed rounding), peak scratch above zero.
if expect 0 --threads 1 --runs 1 --warmup 0 "$model" 32; then
  grep -q '^- CPU: ' "$out" || fail "no CPU line"
  grep -q '^- OPENBLAS_CORETYPE: ' "$out" || fail "no OPENBLAS_CORETYPE line"
  grep -q '^| input | output | median s |' "$out" || fail "no table header"
  macs=$(sed -n 's/^- conv MACs per input pixel: //p' "$out")
  [ "$macs" = 595044 ] || fail "conv MACs '$macs', the model card says 595044"
  awk -F'|' -v macs="$macs" '
    /^\| 32x32 \| 64x64 \|/ {
      rows++
      median = $4 + 0; least = $5 + 0; mps = $6 + 0; gflops = $7 + 0
      mb = $8 + 0
      if (median <= 0 || least <= 0 || least > median) bad = "times"
      else if (mb <= 0) bad = "peak scratch"
      else if (mps < 0.98 * 64 * 64 / median / 1e6 - 0.001 \
               || mps > 1.02 * 64 * 64 / median / 1e6 + 0.001)
        bad = "MP/s"
      else if (gflops < 0.98 * 2 * macs * 1024 / median / 1e9 - 0.01 \
               || gflops > 1.02 * 2 * macs * 1024 / median / 1e9 + 0.01)
        bad = "GFLOP/s"
    }
    END {
      if (rows != 1) { print "expected one 32x32 row, got " rows; exit 1 }
      if (bad != "") { print "inconsistent " bad; exit 1 }
    }' "$out" || { fail "table row"; cat "$out" >&2; }
fi

# Raw planes in and out (what bench/compare.py uses): an 8 x 6 input of 3
# planes gives 3 planes of 16 x 12, and a file of the wrong size is refused.
head -c $((3 * 8 * 6 * 4)) /dev/zero >"$work/in.raw"
if expect 0 --json --threads 1 --runs 2 --warmup 0 --input "$work/in.raw" \
     --output "$work/out.raw" "$model" 8x6; then
  size=$(wc -c <"$work/out.raw")
  [ "$size" -eq $((3 * 16 * 12 * 4)) ] || fail "output is $size bytes"
  grep -q '^{"input": \[8, 6\], "output": \[16, 12\],.*"seconds": \[[^,]*, [^,]*\]}$' \
    "$out" || fail "JSON line: $(cat "$out")"
fi
# Paced runs: ready after the warm-up, one answer per line read, then the
# summary with as many runs.
printf 'run\nrun\nrun\n' | "$tool" --paced --threads 1 --warmup 1 "$model" 8 \
  >"$out" 2>"$err" || fail "--paced exited $?: $(cat "$err")"
[ "$(sed -n 1p "$out")" = '{"ready": true}' ] || fail "--paced: no ready line"
[ "$(grep -c '^{"seconds": [0-9.e-]*}$' "$out")" -eq 3 ] \
  || fail "--paced: not 3 answers: $(cat "$out")"
grep -q '"seconds": \[[^,]*, [^,]*, [^,]*\]}$' "$out" \
  || fail "--paced: the summary does not hold 3 runs"
expect 1 --paced "$model" 8 </dev/null
expect 2 --paced "$model" 8 9

expect 1 --input "$work/in.raw" "$model" 8 && { grep -q "in.raw: " "$err" \
  || fail "wrong-size input not named: $(cat "$err")"; }

# --peak: one row for the portable width and one for each x86 width the
# CPU has (by /proc/cpuinfo's flags, not the tool's own test), each a
# positive GFLOP/s whose per-thread column is the total over the threads;
# with a model or --paced it is a usage error.
expect 2 --peak "$model" 8
expect 2 --peak --paced
if expect 0 --peak --threads 2; then
  want=generic
  flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
  case " $flags " in *" avx2 "*" fma "*|*" fma "*" avx2 "*) want="$want avx2" ;; esac
  case " $flags " in *" avx512f "*) want="$want avx512" ;; esac
  case " $flags " in *" avx512_bf16 "*) want="$want avx512-bf16" ;; esac
  got=$(awk -F'|' '/^\| [a-z0-9-]+ \| [0-9.]+ \| [0-9.]+ \|$/ {
                     gsub(/ /, "", $2); printf "%s%s", sep, $2; sep = " "
                     if ($3 + 0 <= 0 || $4 < $3 / 2 - 0.1 || $4 > $3 / 2 + 0.1)
                       print "\nbad numbers: " $0 > "/dev/stderr"
                   }' "$out" 2>"$err")
  # The bf16 row also needs a compiler that has the intrinsic.
  [ "$got" = "$want" ] || [ "$got avx512-bf16" = "$want" ] \
    || fail "--peak rows '$got', the CPU has '$want'"
  [ -s "$err" ] && fail "--peak: $(cat "$err")"
  grep -q '^- CPU: ' "$out" || fail "--peak: no CPU line"
fi

[ "$failures" -eq 0 ]
