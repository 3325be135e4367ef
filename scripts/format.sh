#!/usr/bin/env bash
# Formats hfsr's C sources with .clang-format (GNU style, as GIMP and GEGL).
#   scripts/format.sh           rewrites every tracked .c and .h file
#   scripts/format.sh --check   changes nothing; lists the files that differ
#                               and exits 1 if any do (the suite's "format"
#                               test)
# clang-format's output differs between major versions, so both use
# Debian 12's clang-format 14; another version is refused (exit 77, which
# meson counts as a skip) rather than reformatting the tree its own way.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."

format=$(command -v clang-format-14 || command -v clang-format || true)
if [[ -z "$format" ]]; then
  echo "SKIP: no clang-format (scripts/install-deps.sh --test installs it)"
  exit 77
fi
version=$("$format" --version)
if [[ "$version" != *" 14."* ]]; then
  echo "SKIP: $format is not clang-format 14 ($version)"
  exit 77
fi

# The tracked sources, or every source below engine/ ops/ plugin/ tools/
# tests/ where this is not a git checkout (a release tarball).
if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.c' '*.h')
else
  mapfile -t files < <(find engine ops plugin tools tests -name '*.[ch]' | sort)
fi

if [[ "${1:-}" != "--check" ]]; then
  "$format" -i "${files[@]}"
  exit 0
fi
status=0
for f in "${files[@]}"; do
  if ! "$format" "$f" | cmp -s - "$f"; then
    echo "not formatted: $f (scripts/format.sh rewrites it)"
    status=1
  fi
done
exit $status
