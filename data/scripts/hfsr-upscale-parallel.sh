#!/bin/bash
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# hfsr-upscale-parallel.sh: one folder of images upscaled by several machines
# at once, with GNU parallel over ssh.  Each machine runs `hfsr-upscale
# --shard K/N` on its share of the files; the shares are fixed by the files'
# paths relative to INDIR (hfsr-upscale's --shard), so every machine agrees
# on them without talking to the others, and a shard can be run again alone.
#
#   hfsr-upscale-parallel.sh [-S SSHLOGIN]... [--shared | --transfer]
#       [-n SHARDS] [--only K[,K...]] [--ssh SSH-COMMAND] [--env VAR]...
#       [--timeout SECONDS] [--retries N] INDIR OUTDIR [-- hfsr-upscale options]
#
#   -S SSHLOGIN  a machine, as GNU parallel names it: `host`, `user@host`,
#                `ssh -p 2222 host`, or `:` for this machine; several may be
#                given, or several in one -S separated by commas
#   --shared     (default) every machine sees INDIR and OUTDIR at the same
#                path (NFS, a cluster file system): each machine reads its
#                files and writes its outputs there itself
#   --transfer   the machines share no folder: this machine lists each
#                shard's files (hfsr-upscale --list), packs them into a tar
#                file, GNU parallel copies it to a machine (rsync), the
#                machine upscales it in a temporary folder and the outputs
#                come back the same way; they are renamed into OUTDIR here.
#                The packed images wait in TMPDIR (as much room as they
#                take), the outputs in a hidden folder in OUTDIR
#   -n SHARDS    how many shards (default: one per sshlogin).  More shards
#                than machines balance the load: a machine that is done
#                takes the next shard
#   --only LIST  run only these shards (comma-separated), e.g. the ones that
#                failed; needs the -n of the first run, so that the shards
#                are the same files
#   --ssh CMD    the ssh command for every sshlogin (parallel's --ssh)
#   --env VAR    pass the variable VAR to the machines (repeatable).
#                GEGL_PATH and HFSR_MODEL_PATH are passed when they are set
#   --timeout S  end a shard that runs longer than S seconds (it counts as
#                failed; its finished outputs stay)
#   --retries N  try a failing shard up to N times in all, each time on
#                another machine if there is one (default 2): a machine
#                that is down fails a shard in a second and would otherwise
#                fail one shard after another.  With --transfer a second
#                try makes the whole shard again; 1 never tries again
#
# Options after `--` go to every hfsr-upscale (e.g. `-- -r -s 4`); --shard
# and --list are this script's.  HFSR_UPSCALE names the program (default
# `hfsr-upscale`, found on each machine's PATH): it must be the same version
# on every machine and, with --transfer, here too.  The machines need perl
# (GNU parallel's remote side), and with --transfer rsync and tar; logins
# must not ask for a password (ssh keys).
#
# Each machine runs one shard at a time (parallel -j1) and hfsr-upscale uses
# all its cores; give `-- -t T` to use fewer.  Outputs are written under
# temporary names and renamed when complete, and hfsr-upscale skips outputs
# that exist, so a shard that failed or was stopped is finished by running
# it again: the script prints the failed shards and the command that runs
# just them.  Exit status: 0 when every shard worked, 1 when some failed,
# 2 on a usage error.
#
# Examples:
#   hfsr-upscale-parallel.sh -S node1 -S node2 -S node3 /shared/photos \
#       /shared/photos-x2 -- -r
#   HFSR_UPSCALE=/opt/hfsr/bin/hfsr-upscale hfsr-upscale-parallel.sh \
#       --transfer -S alice@gpu1,alice@gpu2 -n 8 photos photos-x4 -- -s 4

set -u

me=hfsr-upscale-parallel
prog=${HFSR_UPSCALE:-hfsr-upscale}

usage () {
  echo 'Usage:' >&2
  sed -n '/^#   hfsr-upscale-parallel.sh \[/,/^#       \[--timeout/s/^# //p' "$0" >&2
  echo "($(basename "$0") --help for more)" >&2
  exit 2
}

die () {
  echo "$me: $*" >&2
  exit 2
}

# A word as the shell reads it back: as it is when that is safe, else
# single-quoted, any ' written as '\''.  POSIX quoting, because the
# machines' login shells may be any sh.
shq () {
  if [[ $1 =~ ^[A-Za-z0-9_./:@%+,-]+$ ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}

shq_all () {
  local w sep=
  for w in "$@"; do
    printf '%s%s' "$sep" "$(shq "$w")"
    sep=' '
  done
}

logins=() ssh_cmd='' mode=shared shards='' only='' envs=() timeout='' retries=2 positional=()
orig_args=("$@")
while (($#)); do
  case $1 in
    -h|--help) sed -n '6,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -S|--sshlogin) (($# >= 2)) || usage; logins+=("$2"); shift 2 ;;
    --ssh) (($# >= 2)) || usage; ssh_cmd=$2; shift 2 ;;
    --shared) mode=shared; shift ;;
    --transfer) mode=transfer; shift ;;
    -n) (($# >= 2)) || usage; shards=$2; shift 2 ;;
    --only) (($# >= 2)) || usage; only=$2; shift 2 ;;
    --env) (($# >= 2)) || usage; envs+=("$2"); shift 2 ;;
    --timeout) (($# >= 2)) || usage; timeout=$2; shift 2 ;;
    --retries) (($# >= 2)) || usage; retries=$2; shift 2 ;;
    --) shift; break ;;
    -?*) echo "$me: unknown option $1" >&2; usage ;;
    *) positional+=("$1"); shift ;;
  esac
done
tool_opts=("$@")
((${#positional[@]} == 2)) || usage
indir=${positional[0]} outdir=${positional[1]}

command -v parallel >/dev/null || die "GNU parallel is not installed"
((${#logins[@]})) || logins=(:)

# One shard per machine unless -n says otherwise.  An -S may hold several
# sshlogins separated by commas (parallel's \, and ,, escapes are not
# counted apart: give -n then).
if [[ -z $shards ]]; then
  [[ -z $only ]] || die "--only needs the -n of the run it repeats"
  shards=0
  for l in "${logins[@]}"; do
    IFS=, read -r -a parts <<<"$l"
    shards=$((shards + ${#parts[@]}))
  done
fi
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "-n must be a positive number, not '$shards'"
[[ -z $timeout || $timeout =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a positive number of seconds"
[[ $retries =~ ^[1-9][0-9]*$ ]] || die "--retries must be a positive number"

todo=()
if [[ -n $only ]]; then
  IFS=, read -r -a todo <<<"$only"
  for k in "${todo[@]}"; do
    if ! [[ $k =~ ^[1-9][0-9]*$ ]] || ((k > shards)); then
      die "--only: '$k' is not a shard of 1..$shards"
    fi
  done
else
  for ((k = 1; k <= shards; k++)); do todo+=("$k"); done
fi

overwrite=0
for o in "${tool_opts[@]}"; do
  case $o in
    --shard|--shard=*|--list) die "$o is set by this script" ;;
    --overwrite) overwrite=1 ;;
    --skip-existing) overwrite=0 ;;
  esac
done

# Absolute paths: a remote command starts in the login's home folder.  Not
# resolved (realpath), since a symlinked mount is what the machines share.
# No trailing slash, so that the --list lines start with exactly "$indir/".
abs () {
  local p=$1
  [[ $p == /* ]] || p=$PWD/$p
  while [[ $p == */ && $p != / ]]; do p=${p%/}; done
  printf '%s' "$p"
}
indir=$(abs "$indir") outdir=$(abs "$outdir")
[[ -d $indir ]] || die "$indir is not a folder"
mkdir -p "$outdir" || die "cannot make $outdir"

if [[ $mode == transfer ]]; then
  command -v rsync >/dev/null || die "--transfer needs rsync (GNU parallel copies with it)"
fi
for l in "${logins[@]}"; do
  if [[ $mode == transfer && ( $l == : || $l == */: ) ]]; then
    die "--transfer needs ssh logins: this machine (:) sees the folders; use --shared"
  fi
done
for v in GEGL_PATH HFSR_MODEL_PATH; do
  [[ -n ${!v:-} ]] && envs+=("$v")
done

# $work: lists, the job log and, with --transfer, the shards' images packed.
# $back: with --transfer, what comes back, inside OUTDIR (hidden), so that
# the results are renamed into place on the same file system.
work=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX") || die "cannot make a temporary folder"
back=
trap 'rm -rf "$work" ${back:+"$back"}' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

par=(parallel --halt never -j1 --line-buffer --joblog "$work/joblog" --retries "$retries")
for l in "${logins[@]}"; do par+=(-S "$l"); done
[[ -n $ssh_cmd ]] && par+=(--ssh "$ssh_cmd")
[[ -n $timeout ]] && par+=(--timeout "$timeout")
for v in "${envs[@]}"; do
  export "${v?}"
  par+=(--env "$v")
done

# What parallel runs for shard {} (parallel puts in the shard number).
runs=()
if [[ $mode == shared ]]; then
  runs=("${todo[@]}")
  cmd=$(shq_all "$prog" --shard "{}/$shards" "${tool_opts[@]}" "$indir" -o "$outdir")
else
  # The shard's files, listed here by the same hfsr-upscale, packed with
  # their paths relative to INDIR, so that the machine's run gives the
  # outputs the same names relative to OUTDIR (and subfolders with -r).
  for k in "${todo[@]}"; do
    list=$work/shard-$k.list
    "$prog" --shard "$k/$shards" --list "${tool_opts[@]}" "$indir" -o "$outdir" >"$list" \
      || die "listing shard $k/$shards failed: $(shq_all "$prog" --shard "$k/$shards" --list "${tool_opts[@]}" "$indir" -o "$outdir")"
    if [[ ! -s $list ]]; then
      echo "$me: shard $k/$shards: nothing to do" >&2
      continue
    fi
    # Outputs that exist here are done (unless --overwrite): not sent
    # again, so that a shard run again only does what is missing.
    : >"$work/shard-$k.files"
    : >"$work/shard-$k.todo"
    while IFS=$'\t' read -r in out; do
      [[ $in == "$indir"/* && $out == "$outdir"/* ]] \
        || die "unexpected line from $prog --list: $in	$out"
      ((overwrite)) || [[ ! -e $out ]] || continue
      printf '%s\n' "${in#"$indir"/}" >>"$work/shard-$k.files"
      printf '%s\t%s\n' "$in" "$out" >>"$work/shard-$k.todo"
    done <"$list"
    if [[ ! -s $work/shard-$k.files ]]; then
      echo "$me: shard $k/$shards: done already" >&2
      continue
    fi
    tar -cf "$work/shard-$k.in.tar" -C "$indir" --verbatim-files-from -T "$work/shard-$k.files" \
      || die "packing shard $k/$shards failed"
    runs+=("$k")
  done
  # On the machine, in a fresh folder under ~/.parallel/tmp (--wd ...,
  # removed by --cleanup): unpack, upscale all of it (no --shard: the tar
  # holds just the shard), pack the outputs even when some failed, so that
  # the finished ones are not computed again.
  cmd="mkdir in out && tar -xf shard-{}.in.tar -C in && { $(shq_all "$prog" "${tool_opts[@]}") in -o out; rc=\$?; tar -cf shard-{}.out.tar -C out . && exit \$rc; }"
  back=$(mktemp -d "$outdir/.$me.XXXXXX") || die "cannot make a folder in $outdir"
  par+=(--wd ... --cleanup --tf "$work/./shard-{}.in.tar" --return "$back/./shard-{}.out.tar")
fi

status=0
if ((${#runs[@]})); then
  how="shared folders"
  [[ $mode == transfer ]] && how="files sent over"
  echo "$me: ${#runs[@]} of $shards shards ($how) on ${#logins[@]} sshlogin(s)" >&2
  printf '%s\n' "${runs[@]}" | "${par[@]}" --tagstring "shard {}/$shards:" "$cmd"
fi

# Which shards worked: parallel's job log has one line per job, its
# sequence number being the line of our input.
declare -A exitval=() host=()
if [[ -f $work/joblog ]]; then
  while IFS=$'\t' read -r seq h _ _ _ _ ev sig _; do
    [[ $seq =~ ^[0-9]+$ ]] || continue
    k=${runs[seq - 1]}
    host[$k]=${h##* }  # the host, without the sshlogin's ssh command
    if ((sig != 0)); then exitval[$k]="signal $sig"; else exitval[$k]=$ev; fi
  done <"$work/joblog"
fi

# unpack K: the outputs that came back from shard K, into OUTDIR.  First
# into a folder beside them ($back), then each output renamed: a stopped or
# failed copy never leaves half a file under an output's name.  Only the
# listed outputs are taken.  Prints what went wrong, if anything.
unpack () {
  local k=$1
  local tmp=$back/shard-$k in out rel missing=0
  mkdir "$tmp" || { echo "cannot make a folder in $back"; return 1; }
  if ! tar -xf "$back/shard-$k.out.tar" -C "$tmp"; then
    rm -rf "$tmp"
    echo "its outputs could not be unpacked"
    return 1
  fi
  rm -f "$back/shard-$k.out.tar"
  while IFS=$'\t' read -r in out; do
    rel=${out#"$outdir"/}
    if [[ -f $tmp/$rel ]]; then
      if ! mkdir -p "$(dirname "$out")" || ! mv -f "$tmp/$rel" "$out"; then
        rm -rf "$tmp"
        echo "cannot write $out"
        return 1
      fi
    else
      missing=$((missing + 1))
    fi
  done <"$work/shard-$k.todo"
  rm -rf "$tmp"
  ((missing == 0)) || { echo "$missing outputs did not come back"; return 1; }
}

failed=()
for k in "${runs[@]}"; do
  ev=${exitval[$k]:-did not run}
  [[ $ev =~ ^[0-9]+$ && $ev != 0 ]] && ev="exit $ev"
  # A shard that failed still brings back the outputs it made.
  if [[ $mode == transfer && -f $back/shard-$k.out.tar ]]; then
    why=$(unpack "$k") || { [[ $ev == 0 ]] && ev=$why; }
  elif [[ $mode == transfer && $ev == 0 ]]; then
    ev="no outputs came back"
  fi
  if [[ $ev != 0 ]]; then
    failed+=("$k")
    echo "$me: shard $k/$shards failed ($ev${host[$k]:+ on ${host[$k]}})" >&2
  fi
done

if ((${#failed[@]})); then
  status=1
  redo=(--only "$(IFS=,; echo "${failed[*]}")" -n "$shards")
  # The first run's options, less --only and -n, then the failed shards.
  again=() skip=0 ours=1
  for a in "${orig_args[@]}"; do
    if ((ours)); then
      if ((skip)); then skip=0; continue; fi
      case $a in -n|--only) skip=1; continue ;; esac
      if [[ $a == -- ]]; then again+=("${redo[@]}"); redo=(); ours=0; fi
    fi
    again+=("$a")
  done
  again+=("${redo[@]}")
  echo "$me: ${#failed[@]} of $shards shards failed; to run them again:" >&2
  printf '  %s%s\n' "${HFSR_UPSCALE:+HFSR_UPSCALE=$(shq "$HFSR_UPSCALE") }" "$(shq_all "$0" "${again[@]}")" >&2
else
  echo "$me: all ${#todo[@]} shards done" >&2
fi
exit $status
