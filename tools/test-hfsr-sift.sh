#!/bin/sh
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-hfsr-sift.sh HFSR-SIFT SOURCE-ROOT: the tool on the demo sample
# (data/sample.png): keypoint files parse, an image matched with itself is
# all correct, a generated pair matches under its homography and not under
# a wrong one, and bad input gives a message and status 1 (2 for usage).
set -u

tool=$1
root=$2
. "$(dirname "$0")/tool-test.sh"

export HFSR_MODEL_PATH="$root/models"
export GEGL_SWAP=RAM
image=$root/data/sample.png

# value NAME: the number after "NAME: " in the last run's output.
value () {
  sed -n "s/^$1: //p" "$out"
}

# check_keypoint_file FILE: header "hfsr-sift 1 N 128", then N lines of
# 6 + 128 numbers.
check_keypoint_file () {
  awk 'NR == 1 { if ($1 != "hfsr-sift" || $2 != 1 || $4 != 128) exit 1;
                 n = $3; next }
       NF != 134 { exit 1 }
       { lines++ }
       END { if (lines != n || n < 1) exit 1 }' "$1" || {
    fail "$1 is not a well-formed keypoint file"; return 1; }
}

expect 2
expect 2 no-such-command
expect 0 --help && grep -q '^Usage: ' "$out" || fail "no usage text"
expect 2 detect
expect 2 detect "$image" --scale 1
expect 2 detect "$image" --scale 2 --method no-such-method
expect 2 match "$image" "$image"

# GEGL_PATH without GEGL's own operations: GEGL has no gegl:load, which
# once crashed inside GEGL (a node without an operation); now a message.
saved_gegl_path=${GEGL_PATH-unset}
export GEGL_PATH="$work"
expect 1 detect "$image" && grep -q "GEGL has no operation gegl:load: GEGL_PATH" "$err" \
  || fail "detect without gegl:load: no message: $(cat "$err")"
if [ "$saved_gegl_path" = unset ]; then unset GEGL_PATH; else export GEGL_PATH="$saved_gegl_path"; fi

# detect: a file and standard output agree; with --scale both methods run.
if expect 0 detect "$image" -o "$work/sample.kp"; then
  check_keypoint_file "$work/sample.kp"
  expect 0 detect "$image" && cmp -s "$out" "$work/sample.kp" \
    || fail "detect to standard output differs from -o"
  echo "ok: detect, $(head -n 1 "$work/sample.kp")"
fi
for method in bicubic hfsr dog-sr-1 dog-sr-2; do
  expect 0 detect "$image" --scale 2 --method "$method" \
      -o "$work/sample-$method.kp" \
    && check_keypoint_file "$work/sample-$method.kp" \
    && echo "ok: detect --scale 2 --method $method," \
            "$(head -n 1 "$work/sample-$method.kp")"
done

# An image with itself under the identity: each keypoint's nearest is
# itself, so nearly all match (only keypoints with twin descriptors fail
# the ratio test) and every match is correct.  A keypoint file gives the
# same as its image.
printf '1 0 0\n0 1 0\n0 0 1\n' >"$work/identity"
if expect 0 match "$work/sample.kp" "$image" --homography "$work/identity"
then
  n=$(value "keypoints A")
  matches=$(value matches)
  correct=$(value correct)
  [ "$matches" -ge $((n * 9 / 10)) ] \
    || fail "self-match: $matches matches of $n keypoints"
  [ "$correct" -eq "$matches" ] \
    || fail "self-match: $correct of $matches correct"
  echo "ok: self-match, $correct correct of $matches matches, $n keypoints"
fi

# Output that cannot be written is an error (status 1), --help's too.
expect_write_failure 1 detect "$image"
expect_write_failure 1 match "$work/sample.kp" "$work/sample.kp" \
  --homography "$work/identity"
expect_write_failure 1 --help
expect_write_failure 1 detect --help

# `--` ends the options: after it, names starting with '-' are files.
cp "$image" "$work/-sample.png"
cp "$work/sample.kp" "$work/-sample.kp"
cd "$work" || exit 1
expect 0 detect -o dash.kp -- -sample.png && { cmp -s dash.kp sample.kp \
  || fail "detect -o FILE -- -sample.png differs from sample.kp"; }
expect 0 detect -- -sample.png && { cmp -s "$out" sample.kp \
  || fail "detect -- -sample.png differs from sample.kp"; }
expect 0 match --homography identity -- -sample.kp -sample.png \
  && { [ "$(value correct)" = "$correct" ] \
       || fail "match -- -sample.kp -sample.png: $(cat "$out")"; }
expect 2 detect -sample.png
cd - >/dev/null || exit 1

# A generated pair: its own H confirms many matches, a wrong H (shifted by
# 40 pixels) almost none.
if expect 0 pairs "$image" "$work/pairs" --seed 7; then
  pair=$work/pairs/sample-1
  for f in A.png B.png H1to2p; do
    [ -f "$pair/$f" ] || fail "pairs did not write $f"
  done
  awk 'NF != 3 { exit 1 } END { if (NR != 3) exit 1 }' "$pair/H1to2p" \
    || fail "H1to2p is not 3 lines of 3 numbers"
  if expect 0 match "$pair/A.png" "$pair/B.png" \
         --homography "$pair/H1to2p"; then
    right=$(value correct)
    matches=$(value matches)
    [ "$right" -ge 30 ] && [ $((right * 10)) -ge $((matches * 7)) ] \
      || fail "pair: only $right of $matches matches correct"
    echo "ok: pair, $right correct of $matches matches"
    awk 'NR == 1 { $3 += 40 } { print }' "$pair/H1to2p" >"$work/wrong"
    expect 0 match "$pair/A.png" "$pair/B.png" --homography "$work/wrong"
    wrong=$(value correct)
    [ $((wrong * 10)) -le "$right" ] \
      || fail "wrong H: $wrong correct, against $right with the right H"
    echo "ok: wrong H, $wrong correct"
  fi
  if expect 0 bench "$work/pairs" --scale 2; then
    for method in hr bicubic hfsr dog-sr-1 dog-sr-2; do
      grep -q "^| $method | " "$out" || fail "bench: no row for $method"
    done
    cat "$out"
  fi
fi

# levels: a row per method; the DoG-SR networks' finest DoG level is
# closer to the photo's own than the bicubic upscale's (Noor et al.'s
# Table 3).
if expect 0 levels "$image" --scale 2; then
  cat "$out"
  level1 () {
    awk -F'|' -v m="$1" '$2 == " " m " " { print $3 + 0 }' "$out"
  }
  bicubic=$(level1 bicubic)
  for method in dog-sr-1 dog-sr-2; do
    [ -n "$(level1 $method)" ] || { fail "levels: no row for $method"; continue; }
    awk -v a="$(level1 $method)" -v b="$bicubic" 'BEGIN { exit !(a > b + 1) }' \
      || fail "levels: $method DoG 1 at $(level1 $method) dB, bicubic $bicubic dB"
  done
fi
expect 2 levels "$image"

# Bad input: status 1 and a message naming the file.
# expect_message STATUS FILE ARGS...: the run fails and names FILE.
expect_error () {
  file=$1
  shift
  if expect 1 "$@"; then
    grep -qF "$file" "$err" || fail "message does not name $file: $(cat "$err")"
  fi
}
expect_error "$work/missing.png" detect "$work/missing.png"
expect_error "$root/meson.build" detect "$root/meson.build"
expect_error "$work/missing" match "$work/sample.kp" "$work/sample.kp" \
  --homography "$work/missing"
expect_error "$work/missing.kp" match "$work/missing.kp" "$work/sample.kp" \
  --homography "$work/identity"
expect_error "$work/pairs" bench "$work/pairs/sample-1" --scale 2
expect_error "$work/none" pairs "$work/none" "$work/pairs2"
# levels names a photo it cannot read once, as the loader words it.
if expect 1 levels "$root/meson.build" --scale 2; then
  [ "$(grep -o -F "$root/meson.build" "$err" | wc -l)" -eq 1 ] \
    || fail "levels: the message should name the file once: $(cat "$err")"
fi
# Only regular files are read: opening a FIFO would wait for a writer.
if mkfifo "$work/fifo"; then
  expect_error "$work/fifo" match "$work/sample.kp" "$work/sample.kp" \
    --homography "$work/fifo"
  expect_error "$work/fifo" match "$work/fifo" "$work/sample.kp" \
    --homography "$work/identity"
  expect_error "$work/fifo" detect "$work/fifo"
fi

printf '1 0 0\n0 1 0\n0 0\n' >"$work/h-short"
printf '1 0 0\n0 1 0\n0 0 1 1\n' >"$work/h-long"
printf '1 0 0\n0 1 0\n0 0 one\n' >"$work/h-word"
printf '1 0 0\n0 nan 0\n0 0 1\n' >"$work/h-nan"
: >"$work/h-empty"
for h in h-short h-long h-word h-nan h-empty; do
  expect_error "$work/$h" match "$work/sample.kp" "$work/sample.kp" \
    --homography "$work/$h"
done

# Keypoint files broken in every field the reader checks.
{ head -n 1 "$work/sample.kp" | sed 's/ 128$/ 64/'
  tail -n +2 "$work/sample.kp"; } >"$work/kp-length"
{ echo "hfsr-sift 1 999999 128"; tail -n +2 "$work/sample.kp"; } \
  >"$work/kp-count"
{ head -n 2 "$work/sample.kp"; } | sed '1s/ [0-9]* 128$/ 2 128/' \
  >"$work/kp-missing"
sed '2s/ [^ ]*$//' "$work/sample.kp" >"$work/kp-short-line"
sed '2s/^[^ ]*/inf/' "$work/sample.kp" >"$work/kp-inf"
sed '2s/^\([^ ]* [^ ]*\) [^ ]*/\1 -1/' "$work/sample.kp" >"$work/kp-sigma"
sed '2s/^\(\([^ ]* \)\{5\}\)[^ ]*/\10.5/' "$work/sample.kp" >"$work/kp-octave"
{ cat "$work/sample.kp"; tail -n 1 "$work/sample.kp"; } >"$work/kp-extra"
head -c 20000 "$work/sample.kp" >"$work/kp-truncated"
printf 'hfsr-sift 1\n' >"$work/kp-header"
sed '2s/^\([^ ]* [^ ]*\) [^ ]*/\1 1e-50/' "$work/sample.kp" \
  >"$work/kp-sigma-float"
sed '2s/ [^ ]*$/ 3.5e+38/' "$work/sample.kp" >"$work/kp-beyond-float"
for kp in kp-length kp-count kp-missing kp-short-line kp-inf kp-sigma \
          kp-octave kp-extra kp-truncated kp-header kp-sigma-float \
          kp-beyond-float; do
  expect_error "$work/$kp" match "$work/$kp" "$work/sample.kp" \
    --homography "$work/identity"
done

# What the writer writes reads back: the largest float is written as
# 3.40282347e+38, a little beyond it as a double (found by fuzzing).
sed '2s/^[^ ]*/3.40282347e+38/; 2s/ [^ ]*$/ -3.40282347e+38/' \
  "$work/sample.kp" >"$work/kp-largest-float"
expect 0 match "$work/kp-largest-float" "$work/sample.kp" \
  --homography "$work/identity"

[ "$failures" -eq 0 ]
