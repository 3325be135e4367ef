#!/bin/bash
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Trains every shipped HF Super-Resolution model in two rounds on one
# machine: the three alpha = 0 base models (x2, x3, x4) side by side, then
# the seven fine-tunes (alpha 0, 1/5 and 1/3 at x2; 0 and 1/5 at x3 and x4)
# side by side, each from its scale's base, and writes them to models/.
# Each run trains for a wall-time budget (hfsr_sr.py --minutes); the
# iteration counts it settles on are in each model's metadata and in
# RUNS/*/train.log.  Meant for one CUDA GPU that the runs share; on a CPU it
# works too but needs far longer budgets to be worth it.
#
#   models/training/train-all.sh [DATA_DIR] [BASE_MINUTES] [TUNE_MINUTES] [DOG_MINUTES]
#
# With DOG_MINUTES > 0 a third round trains the four DoG Super-Resolution
# networks (dog_sr.py: x2 and x4, methods residual-dog and gaussian-stack)
# side by side, also into models/, each starting from the head and blocks
# of the HF-SR alpha = 0 model of its scale (MODELS/hfsr-xS-a0).
# TUNE_MINUTES 0 skips the first two rounds (DoG networks alone).
#
# DATA_DIR holds T91/ and BSD200/ (default ../shared/data/train; PNG or
# lossless WebP).  Environment: PYTHON (default /usr/bin/python3), RUNS
# (default models/training/runs/all), MODELS (where the models go, default
# models), EXTRA (more hfsr_sr.py arguments).
set -euo pipefail
cd "$(dirname "$0")/../.."

data=${1:-../shared/data/train}
base_minutes=${2:-5}
tune_minutes=${3:-2.5}
dog_minutes=${4:-0}
python=${PYTHON:-/usr/bin/python3}
runs=${RUNS:-models/training/runs/all}
models=${MODELS:-models}
mkdir -p "$runs"

# The same batches and loss for every run; the last 20 BSD200 images by
# name are held out for validation, never trained on.
common=(--device auto --batch 64 --patch 48 --val-every 0 --log-every 500
        --data "$data/T91" "$data/BSD200" --holdout "$data/BSD200:20")
# shellcheck disable=SC2206  # EXTRA is a list of words on purpose
common+=(${EXTRA:-})

failed=0
wait_all() {
    local pid
    for pid in "$@"; do
        wait "$pid" || failed=1
    done
    if [ "$failed" != 0 ]; then
        echo "train-all: a run failed; see $runs/*.out" >&2
        exit 1
    fi
}

if [ "$tune_minutes" != 0 ]; then
    pids=()
    for scale in 2 3 4; do
        "$python" models/training/hfsr_sr.py "${common[@]}" --scale "$scale" --alpha 0 \
            --lr 1e-3 --minutes "$base_minutes" --out "$runs/x$scale-base" \
            >"$runs/x$scale-base.out" 2>&1 &
        pids+=($!)
    done
    wait_all "${pids[@]}"

    pids=()
    for run in 2:0 2:1/5 2:1/3 3:0 3:1/5 4:0 4:1/5; do
        scale=${run%%:*}
        alpha=${run#*:}
        tag=x$scale-a${alpha/\//-}
        "$python" models/training/hfsr_sr.py "${common[@]}" --scale "$scale" --alpha "$alpha" \
            --lr 2e-4 --minutes "$tune_minutes" --init "$runs/x$scale-base/checkpoint.pt" \
            --out "$runs/$tag" --export "$models/hfsr-$tag.safetensors" \
            >"$runs/$tag.out" 2>&1 &
        pids+=($!)
    done
    wait_all "${pids[@]}"
fi

if [ "$dog_minutes" != 0 ]; then
    pids=()
    for scale in 2 4; do
        for method in residual-dog gaussian-stack; do
            tag=dog-x$scale-$method
            "$python" models/training/dog_sr.py "${common[@]}" --scale "$scale" \
                --method "$method" --init-trunk "$models/hfsr-x$scale-a0.safetensors" \
                --minutes "$dog_minutes" --out "$runs/$tag" \
                --export "$models/hfsr-$tag.safetensors" >"$runs/$tag.out" 2>&1 &
            pids+=($!)
        done
    done
    wait_all "${pids[@]}"
fi
tail -n 3 "$runs"/*.out
