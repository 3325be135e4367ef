#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The image side of test-hfsr-upscale-shards.sh, on the standard library
alone (the test must run wherever GNU parallel does, PIL or not).

  shards-helper.py make INDIR             the test's PNGs (sizes differ)
  shards-helper.py lists TOOL INDIR ALIAS OUTDIR
        --shard K/N --list for N = 1..4: each image in exactly one K, the
        one FNV-1a-64 of its path relative to INDIR gives; outputs named
        OUTDIR/<that path>; the same split when INDIR is reached through
        ALIAS (another path to the same folder, as another machine's mount)
  shards-helper.py shard TOOL INDIR OUTDIR N NAME
        prints K, the shard of N that the image NAME (relative) is in
  shards-helper.py check INDIR OUTDIR [REL...]
        OUTDIR holds exactly the outputs of REL (default: every image of
        INDIR), nothing else (no hidden folder either), each a PNG twice the
        input's width and height
"""
import os
import struct
import subprocess
import sys
import zlib

# Two subfolders, one with a space in its name and a file with a quote in
# its name: the recipes pass paths through ssh, a remote shell and tar.
IMAGES = {
    'a.png': (24, 16),
    'b.png': (16, 24),
    'sub1/c.png': (24, 16),
    'sub1/d.png': (20, 12),
    "sub1/it's.png": (24, 16),
    'sub 2/e.png': (12, 20),
    'sub 2/f g.png': (24, 16),
    'sub 2/h.png': (16, 16),
}


def png_bytes(width, height, seed):
    """An 8-bit RGB PNG of smooth gradients with some texture."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type None
        for x in range(width):
            v = (x * 37 + y * 71 + seed * 101 + (x * y * seed) % 13) & 0xff
            rows += bytes((v, (x * 255) // max(width - 1, 1), (y * 255) // max(height - 1, 1)))

    def chunk(kind, data):
        return (struct.pack('>I', len(data)) + kind + data
                + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))

    return (b'\x89PNG\r\n\x1a\n'
            + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(bytes(rows), 9))
            + chunk(b'IEND', b''))


def png_size(path):
    with open(path, 'rb') as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b'\x89PNG\r\n\x1a\n' or head[12:16] != b'IHDR':
        return None
    return struct.unpack('>II', head[16:24])


def fnv1a64(text):
    h = 0xcbf29ce484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001b3) & 0xffffffffffffffff
    return h


def run_list(tool, indir, outdir, k, n):
    """{relative input: output} of one shard's --list."""
    argv = [tool, '--shard', f'{k}/{n}', '--list', '-r', indir, '-o', outdir]
    run = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=120)
    if run.returncode != 0:
        sys.exit(f'FAIL: {" ".join(argv)} exited {run.returncode}: {run.stderr}')
    shard = {}
    for line in run.stdout.splitlines():
        fields = line.split('\t')
        if len(fields) != 2 or not fields[0].startswith(indir + '/'):
            sys.exit(f'FAIL: {" ".join(argv)}: not "INPUT<TAB>OUTPUT" under {indir}: {line!r}')
        rel = fields[0][len(indir) + 1:]
        if rel in shard:
            sys.exit(f'FAIL: {" ".join(argv)} lists {rel} twice')
        shard[rel] = fields[1]
    return shard


def lists(tool, indir, alias, outdir):
    failures = []
    for n in range(1, 5):
        seen = {}
        for k in range(1, n + 1):
            shard = run_list(tool, indir, outdir, k, n)
            other = run_list(tool, alias, outdir, k, n)
            if sorted(other) != sorted(shard):
                failures.append(f'shard {k}/{n} through {alias}: {sorted(other)}, '
                                f'through {indir}: {sorted(shard)}')
            for rel, out in shard.items():
                if rel in seen:
                    failures.append(f'{rel} in shard {seen[rel]}/{n} and {k}/{n}')
                seen[rel] = k
                if os.path.normpath(out) != os.path.join(outdir, rel):
                    failures.append(f'{rel}: output {out}, expected {outdir}/{rel}')
                if fnv1a64(rel) % n != k - 1:
                    failures.append(f'{rel} in shard {k}/{n}, FNV-1a-64 says '
                                    f'{fnv1a64(rel) % n + 1}/{n}')
        if sorted(seen) != sorted(IMAGES):
            failures.append(f'N={n}: the shards list {sorted(seen)}, the folder holds '
                            f'{sorted(IMAGES)}')
        print(f'N={n}: ' + ', '.join(f'{k}/{n}: {sum(1 for v in seen.values() if v == k)}'
                                     for k in range(1, n + 1)))
    if os.path.exists(outdir) and any(files for _, _, files in os.walk(outdir)):
        failures.append(f'--list wrote into {outdir}')
    for failure in failures:
        print('FAIL:', failure)
    return 1 if failures else 0


def check(indir, outdir, rels):
    want = sorted(rels or IMAGES)
    have = sorted(os.path.relpath(os.path.join(root, name), outdir)
                  for root, _, files in os.walk(outdir) for name in files)
    failures = []
    # Also no folder left behind (partial files and unpacking are hidden).
    hidden = [os.path.join(root, name) for root, dirs, _ in os.walk(outdir)
              for name in dirs if name.startswith('.')]
    if hidden:
        failures.append(f'left in {outdir}: {hidden}')
    if have != want:
        failures.append(f'{outdir} holds {have}, expected {want}')
    for rel in set(have) & set(want):
        size = png_size(os.path.join(outdir, rel))
        w, h = png_size(os.path.join(indir, rel))
        if size != (2 * w, 2 * h):
            failures.append(f'{outdir}/{rel}: {size}, expected {(2 * w, 2 * h)}')
    for failure in failures:
        print('FAIL:', failure)
    return 1 if failures else 0


def main(argv):
    if argv[:1] == ['make'] and len(argv) == 2:
        for seed, (rel, (w, h)) in enumerate(sorted(IMAGES.items())):
            path = os.path.join(argv[1], rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'wb') as f:
                f.write(png_bytes(w, h, seed + 1))
        return 0
    if argv[:1] == ['lists'] and len(argv) == 5:
        return lists(*argv[1:])
    if argv[:1] == ['shard'] and len(argv) == 6:
        tool, indir, outdir, n, name = argv[1:]
        for k in range(1, int(n) + 1):
            if name in run_list(tool, indir, outdir, k, int(n)):
                print(k)
                return 0
        return 1
    if argv[:1] == ['check'] and len(argv) >= 3:
        return check(argv[1], argv[2], argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
