#!/bin/bash
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Trains the perceptual variant of one scale (hfsr_perceptual.py, README.md
# "Perceptual HF-SR") as a chain, each stage starting from the last one's
# export, so that every step of the ablation is a file:
#   hpf       the high-pass network (shared by the scales; made once)
#   l1        models/hfsr-xS-a0.safetensors fine-tuned with L1 alone
#   hpf-loss  + the HPF feature loss (weight HPF_WEIGHT)
#   gms       + soft GMS masking of both terms
#   adv       + RaGAN against a discriminator (weight ADV_WEIGHT), for
#             ADV_MINUTES of wall time at learning rate ADV_LR, with the
#             HPF term at ADV_HPF_WEIGHT (default HPF_WEIGHT).  From a
#             fidelity network 10 is the safe start: at 3 the x3 chain's
#             first step fell below bicubic's PSNR.  Later steps, which
#             continue the adv export with hfsr_perceptual.py, lower it
#             (the shipped x2 file: 10, 10, 3, 1; models/README.md)
# and copies the adv stage to models/hfsr-xS-perceptual.safetensors.  Each
# stage's exact command, iterations and time are in its export's metadata
# and RUNS/xS/STAGE.log; a stage whose export exists is not run again, so
# the script resumes a chain.
#
#   models/training/train-perceptual.sh SCALE [ADV_MINUTES]
#
# Two scales side by side on a 2-core machine: THREADS=1 for each.
# Environment: PYTHON (default /usr/bin/python3), RUNS (default
# models/training/runs/perceptual), THREADS (default 1), ITERS (the l1,
# hpf-loss and gms stages; default 300 600 600), HPF_WEIGHT (default 10),
# ADV_HPF_WEIGHT (default HPF_WEIGHT), ADV_WEIGHT (default 0.1), ADV_LR (default
# 2e-4).
set -euo pipefail
cd "$(dirname "$0")/../.."

scale=${1:?usage: train-perceptual.sh SCALE [ADV_MINUTES]}
adv_minutes=${2:-40}
python=${PYTHON:-/usr/bin/python3}
runs=${RUNS:-models/training/runs/perceptual}
threads=${THREADS:-1}
read -r l1_iters hpf_iters gms_iters <<<"${ITERS:-300 600 600}"
hpf_weight=${HPF_WEIGHT:-10}
adv_hpf_weight=${ADV_HPF_WEIGHT:-$hpf_weight}
adv_weight=${ADV_WEIGHT:-0.1}
adv_lr=${ADV_LR:-2e-4}
out=$runs/x$scale
train=(models/training/hfsr_perceptual.py --threads "$threads")

mkdir -p "$out"
if [[ ! -f $runs/hpf.pt ]]; then
  "$python" "${train[@]}" --stage hpf --out "$runs" --iters 500
fi
stage () {
  local name=$1
  shift
  [[ -f $out/$name.safetensors ]] && return 0
  "$python" "${train[@]}" --stage "$name" --out "$out" --hpf "$runs/hpf.pt" "$@"
}
stage l1 --scale "$scale" --iters "$l1_iters"
stage hpf-loss --init "$out/l1.safetensors" --iters "$hpf_iters" \
  --hpf-weight "$hpf_weight"
stage gms --init "$out/hpf-loss.safetensors" --iters "$gms_iters" \
  --hpf-weight "$hpf_weight"
stage adv --init "$out/gms.safetensors" --minutes "$adv_minutes" \
  --hpf-weight "$adv_hpf_weight" --adv-weight "$adv_weight" --lr "$adv_lr"
cp "$out/adv.safetensors" "models/hfsr-x$scale-perceptual.safetensors"
echo "wrote models/hfsr-x$scale-perceptual.safetensors"
