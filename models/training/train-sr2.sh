#!/bin/bash
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Trains every shipped SR² (Structure-aware SR) model of one scale, one run
# after another, and writes them to models/:
#   fsrcnn      stage 1 (SR), then lambda 0 (classifier on frozen features),
#               then lambda 1 and 9 fine-tuned jointly from lambda 0
#   wdsr1/4     WDSR-A with 1 or 4 shared blocks: stage 1, lambda 0, lambda 9
#   sequential  the stage-1 FSRCNN with a classifier on its output: lambda 0,
#               then lambda 0.11 (the paper's choice for it) jointly
#   fsrcnn-noisy  as fsrcnn, on --degradation random-noise (the evaluation's
#               noise no longer unseen); its SR stage starts from its own
#               lambda-0 file or, the first time, from fsrcnn's
#   sequential-noisy  the sequential baseline on fsrcnn-noisy's stage 1, not
#               shipped: written to RUNS/noisy-baseline/ under the sequential
#               names, so that hfsr-sr2-eval with HFSR_MODEL_PATH=that folder
#               first compares the noise-trained family with a baseline that
#               saw the same noise (models/README.md "In the wild")
# Each run trains for MINUTES of wall time (sr2.py --minutes); the iteration
# counts are in each model's metadata and in RUNS/*/train.log.
# The digits are degraded as DEGRADATION says (sr2.py --degradation;
# default random, what the shipped files had).  Where MODELS already holds a
# family's lambda-0 file, its SR stage starts from that file's SR network at
# learning rate WARM_LR (default 5e-4), so a run continues the shipped
# networks; FRESH=1 starts every SR stage from random weights instead.
#
#   models/training/train-sr2.sh SCALE [MINUTES] [MNIST_DIR]
#
# Two scales side by side on a 2-core machine: THREADS=1 for each.
# Environment: PYTHON (default /usr/bin/python3), RUNS (default
# models/training/runs/sr2), MODELS (default models), THREADS (default 0:
# PyTorch's choice), FAMILIES (default "fsrcnn sequential wdsr1 wdsr4
# fsrcnn-noisy sequential-noisy": the
# families to train; sequential starts from fsrcnn's stage 1, so it needs
# fsrcnn in the same call or its RUNS/xS-fsrcnn-sr checkpoint, and
# sequential-noisy likewise fsrcnn-noisy's).
set -euo pipefail
cd "$(dirname "$0")/../.."

scale=${1:?usage: train-sr2.sh SCALE [MINUTES] [MNIST_DIR]}
minutes=${2:-4}
mnist=${3:-../shared/data/digits/mnist}
python=${PYTHON:-/usr/bin/python3}
runs=${RUNS:-models/training/runs/sr2}
models=${MODELS:-models}
mkdir -p "$runs" "$models"
# PyTorch's thread count does not bind the OpenBLAS that Debian's PyTorch
# multiplies with (randomised degradations' bicubic): without this, a run
# told to use one thread takes a core and a half.
if [[ ${THREADS:-0} -gt 0 ]]; then export OPENBLAS_NUM_THREADS=$THREADS; fi

common=(--scale "$scale" --mnist "$mnist" --minutes "$minutes" --iters 100000
        --threads "${THREADS:-0}" --log-every 100 --degradation "${DEGRADATION:-random}")

warm() {  # FILE...: the SR stage's start, from the first shipped file there is
    [[ -n ${FRESH:-} ]] && return 0
    local file
    for file in "$@"; do
        if [[ -f $file ]]; then
            echo --init "$file" --lr "${WARM_LR:-5e-4}"
            return 0
        fi
    done
}

stage() {  # NAME ARGS...: one run, its output in RUNS/NAME.out
    local name=$1
    shift
    echo "train-sr2: $name" >&2
    "$python" models/training/sr2.py "${common[@]}" --out "$runs/$name" "$@" > "$runs/$name.out" 2>&1 \
        || { echo "train-sr2: $name failed; see $runs/$name.out" >&2; exit 1; }
}

families=" ${FAMILIES:-fsrcnn sequential wdsr1 wdsr4 fsrcnn-noisy sequential-noisy} "
wanted() { [[ $families == *" $1 "* ]]; }

x=x$scale
# The FSRCNN family NAME (its files models/hfsr-sr2-xS-NAME-l*) on the
# degradation ARGS: stage 1 warm from the first of WARM files there is,
# lambda 0, then 1 and 9 jointly from lambda 0.
fsrcnn_family() {  # NAME "ARGS" WARM...
    local n=$x-$1 lam
    local -a extra
    read -r -a extra <<<"$2"
    shift 2
    stage "$n-sr" --arch fsrcnn "${extra[@]}" --stage sr $(warm "$@")
    stage "$n-l0" --arch fsrcnn "${extra[@]}" --stage classifier --init "$runs/$n-sr/checkpoint.pt" \
        --export "$models/hfsr-sr2-$n-l0.safetensors"
    for lam in 1 9; do
        stage "$n-l$lam" --arch fsrcnn "${extra[@]}" --stage joint --lambda $lam \
            --init "$runs/$n-l0/checkpoint.pt" --export "$models/hfsr-sr2-$n-l$lam.safetensors"
    done
}
# The sequential baseline RUN on FSRCNN family FROM's stage 1, degradation
# ARGS: lambda 0, then 0.11 jointly, written as PREFIX-l0/-l0.11.
sequential_family() {  # RUN FROM "ARGS" PREFIX
    local n=$x-$1 prefix=$4
    local -a extra
    read -r -a extra <<<"$3"
    stage "$n-l0" --arch sequential "${extra[@]}" --stage classifier --init "$runs/$x-$2-sr/checkpoint.pt" \
        --export "$prefix-l0.safetensors"
    stage "$n-l0.11" --arch sequential "${extra[@]}" --stage joint --lambda 0.11 \
        --init "$runs/$n-l0/checkpoint.pt" --export "$prefix-l0.11.safetensors"
}
noisy="--degradation random-noise"

if wanted fsrcnn; then
    fsrcnn_family fsrcnn "" "$models/hfsr-sr2-$x-fsrcnn-l0.safetensors"
fi
if wanted sequential; then
    sequential_family sequential fsrcnn "" "$models/hfsr-sr2-$x-sequential"
fi
for shared in 1 4; do
    wanted wdsr$shared || continue
    w=$x-wdsr$shared
    stage "$w-sr" --arch wdsr --shared $shared --stage sr $(warm "$models/hfsr-sr2-$w-l0.safetensors")
    stage "$w-l0" --arch wdsr --shared $shared --stage classifier --init "$runs/$w-sr/checkpoint.pt" \
        --export "$models/hfsr-sr2-$w-l0.safetensors"
    stage "$w-l9" --arch wdsr --shared $shared --stage joint --lambda 9 \
        --init "$runs/$w-l0/checkpoint.pt" --export "$models/hfsr-sr2-$w-l9.safetensors"
done
if wanted fsrcnn-noisy; then
    fsrcnn_family fsrcnn-noisy "$noisy" \
        "$models/hfsr-sr2-$x-fsrcnn-noisy-l0.safetensors" "$models/hfsr-sr2-$x-fsrcnn-l0.safetensors"
fi
if wanted sequential-noisy; then
    mkdir -p "$runs/noisy-baseline"
    sequential_family sequential-noisy fsrcnn-noisy "$noisy" "$runs/noisy-baseline/hfsr-sr2-$x-sequential"
fi
echo "train-sr2: x$scale done" >&2
