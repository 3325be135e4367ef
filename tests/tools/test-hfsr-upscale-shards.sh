#!/bin/bash
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# test-hfsr-upscale-shards.sh HFSR-UPSCALE: hfsr-upscale on several machines,
# as data/scripts/hfsr-upscale-parallel.sh and hfsr-upscale.slurm run it.
#
# 1. --shard K/N --list, N = 1..4: every image in exactly one shard, the one
#    FNV-1a-64 of its relative path gives, whatever path reaches the folder.
# 2. The GNU parallel recipe with two sshlogins to a private sshd on
#    127.0.0.1 (own host key, own authorized_keys, a free port): shared
#    folders and --transfer; every output once, twice the input's size.
#    Without sshd (or when it cannot start) the shared-folder runs use
#    parallel's local sshlogin `:` instead, and --transfer is not tested.
# 3. A shard that fails (killed at its start; a corrupt image): the recipe
#    exits 1 and prints the command that runs the failed shard again; that
#    command completes the set and leaves the other outputs alone.  A
#    machine that is down: its shards are done by the other one.
# 4. The Slurm job array, under a private single-node Slurm (slurmctld and
#    slurmd with their own configuration and ports, auth/none) when it is
#    installed and this runs as root; otherwise the script is run once per
#    array index with the variables Slurm would set (said so in the log).
#
# Every parallel, ssh and sbatch call has a timeout.  Exits 77 (skip) only
# without GNU parallel.  HFSR_TEST_NO_SSHD=1 and HFSR_TEST_NO_SLURM=1 take
# the fallbacks on purpose (to test them where sshd and Slurm work).
set -u

tool=${1:?usage: test-hfsr-upscale-shards.sh HFSR-UPSCALE}
root=${HFSR_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
recipe=$root/data/scripts/hfsr-upscale-parallel.sh
slurm_script=$root/data/scripts/hfsr-upscale.slurm
helper=$root/tests/tools/shards-helper.py
python=/usr/bin/python3
[[ -x $python ]] || python=python3

if ! command -v parallel >/dev/null; then
  echo "SKIP: GNU parallel is not installed (scripts/install-deps.sh --test)"
  exit 77
fi
[[ -x $tool ]] || { echo "FAIL: $tool is not a program"; exit 1; }
tool=$(cd "$(dirname "$tool")" && pwd)/$(basename "$tool")

failures=0
fail () {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

work=$(mktemp -d "${TMPDIR:-/tmp}/hfsr-shards.XXXXXX")
pids=()
# shellcheck disable=SC2317  # called by the trap
cleanup () {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# parallel keeps state under ~/.parallel: this test's, not the user's.
export HOME=$work/home
mkdir -p "$HOME"

# The program the recipes run: the tool, logged (its folder and arguments)
# and, while $work/kill-shard names a shard ("K/N"), killed at that shard's
# start, once, as when a machine dies.  Written out in full, since the
# remote shells start with nothing of this environment.
wrapper=$work/bin/hfsr-upscale
mkdir -p "$work/bin"
cat >"$wrapper" <<EOF
#!/bin/sh
printf '%s\t%s\n' "\$PWD" "\$*" >>'$work/calls'
if [ -f '$work/kill-shard' ]; then
  case " \$* " in
    *" --list "*) ;;
    *" --shard \$(cat '$work/kill-shard') "*) rm -f '$work/kill-shard'; kill -9 \$\$ ;;
  esac
fi
exec '$tool' "\$@"
EOF
chmod +x "$wrapper"
export HFSR_UPSCALE=$wrapper

in=$work/in
"$python" "$helper" make "$in" || { echo "FAIL: cannot make the test images"; exit 1; }

# 1. The split.
echo "== --shard K/N --list"
ln -s "$in" "$work/mount"
"$python" "$helper" lists "$tool" "$in" "$work/mount" "$work/list-out" || fail "--shard --list"

check () {  # check OUTDIR [REL...]: the outputs, exactly
  "$python" "$helper" check "$in" "$@" || fail "outputs in $1"
}

# run_recipe LOG ARGS...: the recipe, at most 300 s, its output in LOG and
# shown; returns its exit status.
run_recipe () {
  local log=$1
  shift
  timeout 300 "$recipe" --timeout 240 "$@" >"$log" 2>&1
  local rc=$?
  sed 's/^/  | /' "$log"
  return $rc
}

# The command the recipe printed to run the failed shards again.
redo_command () {
  grep -A1 'to run them again:' "$1" | tail -n 1
}

# 2. sshd on 127.0.0.1.
free_port () {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

sshd=/usr/sbin/sshd
ssh_ok=0
start_sshd () {
  if ! [[ -x $sshd ]] || ! command -v ssh >/dev/null || ! command -v ssh-keygen >/dev/null; then
    echo "no sshd, ssh or ssh-keygen"
    return 1
  fi
  # sshd refuses to start without its privilege separation folder, which
  # the system's sshd service would make.
  [[ -d /run/sshd ]] || mkdir -m 0755 /run/sshd 2>/dev/null || {
    echo "no /run/sshd and cannot make it"; return 1; }
  # The sshlogins are words in one string, parallel's way.
  [[ $work != *[[:space:]]* ]] || { echo "the work folder $work has spaces"; return 1; }
  local d=$work/ssh port
  mkdir -p "$d"
  ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" && ssh-keygen -q -t ed25519 -N '' -f "$d/key" \
    || return 1
  cp "$d/key.pub" "$d/authorized_keys"
  port=$(free_port) || return 1
  cat >"$d/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $d/host_key
AuthorizedKeysFile $d/authorized_keys
AllowUsers $(id -un)
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
PidFile $d/sshd.pid
EOF
  "$sshd" -D -e -f "$d/sshd_config" 2>"$d/sshd.log" &
  local pid=$!
  pids+=("$pid")
  local ssh_argv=(ssh -F /dev/null -i "$d/key" -o IdentitiesOnly=yes -o BatchMode=yes
                  -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null
                  -o ConnectTimeout=10 -o LogLevel=ERROR)
  ssh_cmd_no_port="${ssh_argv[*]}"
  ssh_argv+=(-p "$port")
  ssh_cmd="${ssh_argv[*]}"
  # At most 20 s, whatever the reason it cannot log in.
  local deadline=$((SECONDS + 20))
  while ((SECONDS < deadline)) && kill -0 "$pid" 2>/dev/null; do
    timeout 10 "${ssh_argv[@]}" 127.0.0.1 true </dev/null 2>/dev/null && return 0
    sleep 0.2
  done
  echo "cannot log in to the private sshd:"
  cat "$d/sshd.log"
  return 1
}

echo "== sshd"
if [[ ${HFSR_TEST_NO_SSHD:-} == 1 ]]; then
  echo "HFSR_TEST_NO_SSHD=1"
fi
if [[ ${HFSR_TEST_NO_SSHD:-} != 1 ]] && start_sshd; then
  ssh_ok=1
  # Two sshlogins to the same sshd: parallel merges identical ones.
  logins_shared=(-S "$ssh_cmd 127.0.0.1" -S "$ssh_cmd $(id -un)@127.0.0.1")
  echo "the recipe runs through a private sshd on 127.0.0.1"
else
  logins_shared=(-S : -n 2)
  echo "the recipe runs with parallel's local sshlogin (:), not through ssh;" \
    "--transfer is not tested"
fi
# What meson's test environment sets beyond GEGL_PATH and HFSR_MODEL_PATH
# (which the recipe passes on itself), for the remote shells too.
env_args=(--env GEGL_SWAP --env OPENBLAS_NUM_THREADS)
export GEGL_SWAP=${GEGL_SWAP:-RAM} OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
[[ -n ${G_DEBUG:-} ]] && env_args+=(--env G_DEBUG)

echo "== shared folders"
run_recipe "$work/shared.log" "${logins_shared[@]}" "${env_args[@]}" --shared "$in" "$work/out-shared" -- -r -t 1 \
  || fail "recipe, shared folders: exit $?"
check "$work/out-shared"
[[ $(grep -c -- '--shard' "$work/calls") == 2 ]] || fail "2 shards should have run: $(cat "$work/calls")"

# rerun_failed LOG K OUTDIR: the command the recipe printed in LOG must run
# shard K of 2 alone; it is run, and OUTDIR must then hold every image.
rerun_failed () {
  local log=$1 k=$2 out=$3 redo
  redo=$(redo_command "$log")
  [[ $redo == *"--only $k -n 2"* ]] || fail "no command to run shard $k again: '$redo'"
  : >"$work/calls"
  echo "running again: $redo"
  timeout 300 bash -c "$redo" >"$log.redo" 2>&1 || fail "running shard $k again: exit $?"
  sed 's/^/  | /' "$log.redo"
  check "$out"
}

echo "== shared folders, shard 2/2 killed at its start, then run again"
: >"$work/calls"
shard2=$("$tool" --shard 2/2 --list -r "$in" -o "$work/out-kill" | grep -c .)
echo 2/2 >"$work/kill-shard"
# --retries 1: not tried again on the other machine (where it would work).
run_recipe "$work/kill.log" "${logins_shared[@]}" --retries 1 "${env_args[@]}" "$in" "$work/out-kill" -- -r -t 1
rc=$?
[[ $rc == 1 ]] || fail "recipe with a killed shard: exit $rc, expected 1"
grep -q 'shard 2/2 failed' "$work/kill.log" || fail "the killed shard is not named"
mapfile -t done1 < <("$tool" --shard 1/2 --list -r "$in" -o "$work/list-out" | cut -f1 \
  | sed "s|^$in/||")
check "$work/out-kill" "${done1[@]}"
rerun_failed "$work/kill.log" 2 "$work/out-kill"
grep -q -- '--shard 1/2' "$work/calls" && fail "running shard 2 again ran shard 1"
[[ $shard2 -gt 0 ]] || fail "shard 2/2 holds no image: the killed shard tested nothing"

if ((ssh_ok)); then
  echo "== shared folders, one sshlogin down"
  # Its shards fail in a second and are tried again on the other machine
  # (the recipe's --retries 2).
  : >"$work/calls"
  run_recipe "$work/down.log" -S "$ssh_cmd 127.0.0.1" -S "$ssh_cmd_no_port -p $(free_port) 127.0.0.1" \
    -n 4 "${env_args[@]}" "$in" "$work/out-down" -- -r -t 1 || fail "recipe with a machine down: exit $?"
  check "$work/out-down"
  [[ $(grep -c -- '--shard' "$work/calls") == 4 ]] || fail "4 shards should have run: $(cat "$work/calls")"

  logins_transfer=(--ssh "$ssh_cmd" -S 127.0.0.1 -S "$(id -un)@127.0.0.1")

  echo "== --transfer"
  : >"$work/calls"
  run_recipe "$work/transfer.log" "${logins_transfer[@]}" "${env_args[@]}" --transfer "$in" "$work/out-transfer" -- -r -t 1 \
    || fail "recipe, --transfer: exit $?"
  check "$work/out-transfer"
  # The machines upscaled copies in parallel's work folders, not INDIR.
  runs=$(grep -v -- '--list' "$work/calls")
  [[ $(grep -c . <<<"$runs") == 2 ]] || fail "--transfer: 2 remote runs expected: $runs"
  grep -q "$in" <<<"$runs" && fail "--transfer: a remote run read $in itself: $runs"
  grep -q '/\.parallel/tmp/' <<<"$runs" || fail "--transfer: runs not in parallel's work folders: $runs"

  echo "== --transfer, a corrupt image, then run again"
  bad="sub1/c.png"
  k=$("$python" "$helper" shard "$tool" "$in" "$work/out-bad" 2 "$bad") || fail "no shard holds $bad"
  cp "$in/$bad" "$work/good.png"
  head -c 40 "$work/good.png" >"$in/$bad"
  run_recipe "$work/bad.log" "${logins_transfer[@]}" "${env_args[@]}" --transfer "$in" "$work/out-bad" -- -r -t 1
  rc=$?
  [[ $rc == 1 ]] || fail "recipe with a corrupt image: exit $rc, expected 1"
  grep -q "shard $k/2 failed" "$work/bad.log" || fail "shard $k/2 (holding $bad) is not named"
  mapfile -t others < <(cd "$in" && find . -name '*.png' ! -path "./$bad" | sed 's|^\./||')
  check "$work/out-bad" "${others[@]}"
  inodes=$(cd "$work/out-bad" && find . -type f -printf '%i %p\n' | sort)
  cp "$work/good.png" "$in/$bad"
  rerun_failed "$work/bad.log" "$k" "$work/out-bad"
  # What was done stays as it was (the same files, not written again).
  now=$(cd "$work/out-bad" && find . -type f -printf '%i %p\n' | sort | grep -v " \./$bad\$")
  [[ $now == "$inodes" ]] || fail "running shard $k again rewrote finished outputs: $inodes / $now"
fi

# 4. Slurm.
start_slurm () {
  local c
  for c in slurmctld slurmd sbatch sinfo; do
    command -v $c >/dev/null || { echo "no $c"; return 1; }
  done
  [[ $(id -u) == 0 ]] || { echo "slurmd needs root"; return 1; }
  [[ $work != *[[:space:]]* ]] || { echo "the work folder $work has spaces"; return 1; }
  local d=$work/slurm host
  host=$(hostname -s)
  mkdir -p "$d/state" "$d/spool" "$d/jobs"
  # auth/none and cred/none: one machine, no munge key to make.
  # proctrack/linuxproc and task/none: no cgroups needed.
  cat >"$d/slurm.conf" <<EOF
ClusterName=hfsrtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
SlurmUser=root
AuthType=auth/none
CredType=cred/none
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc)
PartitionName=hfsr Nodes=$host Default=YES MaxTime=10 State=UP
EOF
  export SLURM_CONF=$d/slurm.conf
  slurmctld -D -f "$SLURM_CONF" >"$d/slurmctld.stdout" 2>&1 &
  pids+=($!)
  slurmd -D -f "$SLURM_CONF" -N "$host" >"$d/slurmd.stdout" 2>&1 &
  pids+=($!)
  local deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    [[ $(timeout 5 sinfo -h -o %T 2>/dev/null) == idle ]] && return 0
    sleep 0.5
  done
  echo "the private Slurm did not come up in 30 s:"
  tail -n 20 "$d"/*.stdout "$d"/*.log
  return 1
}

# slurm_array OUTDIR IDS [ENV...]: the job array over IDS (sbatch's
# --array), waited for; returns the highest exit status of its tasks.
# Without a Slurm, runs the script for each index with the variables
# Slurm sets for an array of 1-3.
slurm_array () {
  local out=$1 ids=$2
  shift 2
  if ((real_slurm)); then
    env "$@" timeout 180 sbatch --wait --quiet --array="$ids" --cpus-per-task=1 -D "$work" \
      -o "$work/slurm/jobs/%A_%a.out" "$slurm_script" "$in" "$out" -r
    local rc=$?
    cat "$work"/slurm/jobs/*.out 2>/dev/null | sed 's/^/  | /'
    rm -f "$work"/slurm/jobs/*.out
    return $rc
  fi
  local id rc=0 r part list=()
  for part in ${ids//,/ }; do
    if [[ $part == *-* ]]; then
      mapfile -t -O "${#list[@]}" list < <(seq "${part%-*}" "${part#*-}")
    else
      list+=("$part")
    fi
  done
  for id in "${list[@]}"; do
    env "$@" SLURM_ARRAY_JOB_ID=1 SLURM_ARRAY_TASK_ID="$id" SLURM_ARRAY_TASK_COUNT="$count" \
      SLURM_ARRAY_TASK_MIN="$min" SLURM_ARRAY_TASK_MAX="$max" SLURM_CPUS_PER_TASK=1 \
      timeout 180 bash "$slurm_script" "$in" "$out" -r 2>&1 | sed 's/^/  | /'
    r=${PIPESTATUS[0]}
    ((r > rc)) && rc=$r
  done
  return "$rc"
}

echo "== Slurm job array"
real_slurm=0
if [[ ${HFSR_TEST_NO_SLURM:-} == 1 ]]; then
  echo "HFSR_TEST_NO_SLURM=1"
fi
if [[ ${HFSR_TEST_NO_SLURM:-} != 1 ]] && start_slurm; then
  real_slurm=1
  echo "under a private single-node Slurm ($(sbatch --version))"
else
  echo "NOT under a real Slurm: the script runs with the variables Slurm sets"
fi
: >"$work/calls"
count=3 min=1 max=3
slurm_array "$work/out-slurm" 1-3 || fail "Slurm array 1-3: exit $?"
check "$work/out-slurm"
for k in 1 2 3; do
  grep -q -- "--shard $k/3 -t 1 " "$work/calls" || fail "no run of shard $k/3 with -t 1: $(cat "$work/calls")"
done

echo "== Slurm: task 2 killed, then run again alone"
echo 2/3 >"$work/kill-shard"
slurm_array "$work/out-slurm2" 1-3 && fail "Slurm array with a killed task: exit 0"
mapfile -t done13 < <(for k in 1 3; do "$tool" --shard $k/3 --list -r "$in" -o "$work/list-out"; done \
  | cut -f1 | sed "s|^$in/||")
check "$work/out-slurm2" "${done13[@]}"
# Alone, task 2 is an array of one: the count comes from HFSR_SHARDS.
count=1 min=2 max=2
: >"$work/calls"
slurm_array "$work/out-slurm2" 2 >"$work/alone.log"
rc=$?
cat "$work/alone.log"
[[ $rc == 2 ]] || fail "task 2 alone without HFSR_SHARDS: exit $rc, expected 2"
grep -q HFSR_SHARDS "$work/alone.log" || fail "task 2 alone without HFSR_SHARDS: no hint"
grep -q -- --shard "$work/calls" && fail "task 2 alone without HFSR_SHARDS ran hfsr-upscale"
slurm_array "$work/out-slurm2" 2 HFSR_SHARDS=3 || fail "task 2 alone with HFSR_SHARDS=3: exit $?"
check "$work/out-slurm2"
grep -q -- '--shard [13]/3' "$work/calls" && fail "task 2 alone ran another shard"

if ((failures)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "all passed (ssh: $( ((ssh_ok)) && echo private sshd || echo 'local, no ssh'), Slurm:" \
  "$( ((real_slurm)) && echo real || echo 'simulated, not a real Slurm'))"
exit 0
