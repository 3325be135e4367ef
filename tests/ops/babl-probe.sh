#!/usr/bin/env bash
# Lists the babl conversions hfsr depends on that write out of bounds:
# every format GEGL's loaders or a GIMP drawable can hand an op, into each
# format an op reads (and each format an op hands on, into every format a
# saver or drawable may ask for), one pair per process under valgrind with
# an empty babl cache.  About 20 minutes on 2 cores; the result of the last
# run is babl-conversions.txt beside this script.
#   tests/ops/babl-probe.sh build/tests/ops/babl-probe > out.txt
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
probe=$(realpath "${1:?usage: babl-probe.sh PATH-TO-babl-probe}")
command -v valgrind >/dev/null || { echo "babl-probe.sh: needs valgrind" >&2; exit 2; }

stored=()
for model in "Y'" "Y'A" "R'G'B'" "R'G'B'A" Y YA RGB RGBA; do
  for type in u8 u16 u32 half float double; do stored+=("$model $type"); done
done
read_in=("${stored[@]}" "YaA float" "Y'aA float" "RaGaBaA float" "R'aG'aB'aA float"
         "CMYK u8" "cmyk u8" "CMYKA u8" "cmykA u8")
op_formats=("Y' float" "Y'A float" "Y'aA float" "R'G'B'A float" "R'aG'aB'aA float")

pairs() {
  for s in "${read_in[@]}"; do for d in "${op_formats[@]}"; do echo "$s|$d"; done; done
  for s in "${op_formats[@]}"; do for d in "${stored[@]}"; do echo "$s|$d"; done; done
}
export probe
pairs | xargs -P "$(nproc)" -d '\n' -n 1 bash -c '
  IFS="|" read -r s d <<< "$0"
  cache=$(mktemp -d)
  if XDG_CACHE_HOME=$cache valgrind -q --error-exitcode=9 "$probe" "$s" "$d" >/dev/null 2>&1
  then echo "ok      $s -> $d"; else echo "BROKEN  $s -> $d"; fi
  rm -rf "$cache"' | sort -k1,1 -s
