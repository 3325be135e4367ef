#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Can the adversarial stage's critic tell a generator's results from the
originals at all?  The critic of hfsr_perceptual.py alone, trained against a
frozen generator on the same training patches, printing its RaGAN loss every
25 iterations (ln 2 = 0.69 is chance).  A critic that gets far below chance
here but stays at it in a joint run is not blind: the run never lets it get
ahead (models/README.md, "Perceptual variant").

    /usr/bin/python3 models/training/critic_probe.py --threads 1 \\
        --init models/hfsr-x4-perceptual.safetensors --d-lr 1e-3 --iters 100

Takes hfsr_perceptual.py's data, --discriminator, --d-lr, --batch, --patch,
--seed and --threads options.
"""
import sys

import torch

import hfsr_data
import hfsr_perceptual
import hfsr_sr

EVERY = 25


def train_critic(generator, critic, batches, lr, iters, report=None):
    """Trains `critic` with the RaGAN loss against the frozen `generator`
    for `iters` (LR, HR) batches of unit floats from the iterator `batches`;
    returns the mean loss of each EVERY iterations, passing each to
    `report(iteration, mean)` as well."""
    optimizer = torch.optim.Adam(critic.parameters(), lr=lr)
    means, total = [], 0.0
    for i in range(iters):
        low, high = next(batches)
        with torch.no_grad():
            fake = generator(low)
        loss = hfsr_perceptual.ragan_loss(critic(high), critic(fake), for_generator=False)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total += loss.item()
        if (i + 1) % EVERY == 0:
            means.append(total / EVERY)
            total = 0.0
            if report is not None:
                report(i + 1, means[-1])
    return means


def main(argv=None):
    args = hfsr_perceptual.build_parser().parse_args(
        ['--stage', 'adv'] + (sys.argv[1:] if argv is None else argv))
    if args.init is None:
        raise SystemExit('critic_probe: give --init FILE.safetensors (the generator to judge)')
    torch.set_num_threads(args.threads or torch.get_num_threads())
    torch.manual_seed(args.seed)
    generator, architecture, _ = hfsr_perceptual.load_generator(args.init)
    generator.eval()
    paths, _, description = hfsr_sr.gather_images(args, lambda message: None)
    sampler = hfsr_data.PatchSampler(paths, architecture['scale'], int(args.patch or 32))
    prefetcher = hfsr_sr.Prefetcher(sampler, args.batch, args.seed, 0)

    def batches():
        while True:
            yield tuple(hfsr_sr.to_unit_float(b, 'cpu') for b in prefetcher.next())

    critic = hfsr_perceptual.Discriminator(patch=args.discriminator == 'patch')
    print(f'critic_probe: {args.discriminator} critic against {args.init} (frozen), {description}')
    train_critic(generator, critic, batches(), args.d_lr, int(args.iters or 100),
                 lambda i, mean: print(f'iter {i} RaGAN loss {mean:.4f}', flush=True))


if __name__ == '__main__':
    main()
