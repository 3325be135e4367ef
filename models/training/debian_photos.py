#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""High-resolution natural photographs from Debian 12 ("bookworm") packages,
with a manifest (issue #18, "more data").

    debian_photos.py fetch OUT_DIR [--manifest FILE]
    debian_photos.py check MANIFEST

`fetch` runs `apt-get download` (nothing is installed) for every package in
PACKAGES into OUT_DIR/debs, unpacks each with `dpkg-deb -x` into
OUT_DIR/root/<package>, walks the package's image folders (PNG, JPEG, WebP;
SVG and symbolic links are not candidates) and decides for every image found:

1. test set by name: a Set5/Set14/Kodak/BSD100/Urban100 name (TEST_WORDS,
   test_set_name()) in the image's path below its folder;
2. test set by content: its signature (16x16 grey thumbnail, mean 0, RMS 1)
   lies within CONTENT_DISTANCE of the signature of an image excluded by name
   (anywhere in the unpacked packages, HTML documentation included) or of a
   validation image (a renamed or re-encoded copy);
3. too small: the output (JPEG halved) is under MIN_SIDE on a side;
4. the decision recorded by inspection in PACKAGES (`verdicts`): 'photo' or a
   reason ('not a photograph', 'validation set: ...', ...).  An image that
   reaches this step without a recorded decision stops the run: nothing gets
   in by a heuristic;
5. duplicates: the same sha256 or a signature within DUPLICATE_DISTANCE of a
   photo already kept (the larger one is kept).

Kept images go to OUT_DIR/hr/<package>/<name>.png as 8-bit RGB: PNG/WebP
sources as they are (alpha dropped, grey replicated), JPEG sources downscaled
by 2 with MATLAB's antialiased bicubic (hfsr_data.imresize) to take out the
compression artefacts.  The manifest (default OUT_DIR/debian-photos.tsv; the
committed copy is models/training/data/debian-photos.tsv) has one row per
candidate, kept or not.  The licence of each file is the `License:` short
name of the last matching `Files:` stanza of the package's
/usr/share/doc/<package>/copyright (source paths mapped from the installed
ones by `source_prefix`), or UNSTATED where the file names no stanza.

`check` verifies a manifest (completeness, the exclusion rule, the sizes) and
is what test_debian_photos.py runs on the committed file.
"""

import argparse
import fnmatch
import hashlib
import math
import os
import re
import subprocess
import sys

import numpy as np
from PIL import Image

Image.MAX_IMAGE_PIXELS = None

MIN_SIDE = 256
SIGNATURE_SIDE = 16
CONTENT_DISTANCE = 0.25      # RMS of normalised 16x16 thumbnails; 0 = same
DUPLICATE_DISTANCE = 0.15
SUFFIXES = ('.png', '.jpg', '.jpeg', '.webp')

COLUMNS = ('package', 'version', 'path', 'width', 'height', 'format', 'licence',
           'sha256', 'kept', 'reason', 'out_width', 'out_height')

# Names of the standard SR test images.  Distinctive words are matched
# anywhere in the lower-cased path; short common ones only as a whole word
# (camelCase, digits and punctuation split words), optionally plural.
TEST_SUBSTRINGS = ('baboon', 'barbara', 'butterfly', 'coastguard', 'foreman',
                   'lenna', 'monarch', 'peppers', 'zebra', 'ppt3', 'womanhat',
                   'kodim')
TEST_WORDS = ('baby', 'bird', 'head', 'woman', 'bridge', 'comic', 'face',
              'flowers', 'lena', 'man', 'pepper')
TEST_SETS = {
    'baby': 'Set5', 'bird': 'Set5', 'butterfly': 'Set5', 'head': 'Set5',
    'woman': 'Set5', 'womanhat': 'Set5', 'baboon': 'Set14', 'barbara': 'Set14', 'bridge': 'Set14',
    'coastguard': 'Set14', 'comic': 'Set14', 'face': 'Set14',
    'flowers': 'Set14', 'foreman': 'Set14', 'lena': 'Set14', 'lenna': 'Set14',
    'man': 'Set14', 'monarch': 'Set14', 'pepper': 'Set14', 'peppers': 'Set14',
    'ppt3': 'Set14', 'zebra': 'Set14', 'kodim': 'Kodak',
}

# Every package: `roots` are the installed folders walked; `source_prefix`
# maps an installed path prefix to the source-tree path the copyright file's
# Files: stanzas use; `verdicts` are (fnmatch pattern on the path below the
# root, decision) pairs, first match wins, decided by looking at each image
# (contact sheets plus 1:1 crops).  Images excluded by name, by content or
# as too small need no verdict.
PACKAGES = [
    {'name': 'plasma-workspace-wallpapers',
     'roots': ['usr/share/wallpapers'],
     'source_prefix': ('usr/share/wallpapers/', 'wallpapers/'),
     'verdicts': [
         ('BytheWater/*', 'photo'), ('ColdRipple/*', 'photo'),
         ('ColorfulCups/*', 'photo'),
         ('DarkestHour/*', 'photo'),          # foggy lake, little detail
         ('EveningGlow/*', 'photo'), ('FallenLeaf/*', 'photo'),
         ('Grey/*', 'photo'),                 # building facade
         ('Kite/*', 'photo'),                 # sky; the kite may be pasted in
         ('OneStandsOut/*', 'photo'), ('Path/*', 'photo'),
         ('summer_1am/*', 'photo'),
         ('Autumn/*', 'not a photograph (painting)'),
         ('SafeLanding/*', 'not a photograph (drawing)'),
         ('Volna/*', 'not a photograph (render)'),
         ('*', 'not a photograph (render)'),  # Altai Canopee Cascade Cluster
         # Elarun Flow FlyingKonqui Honeywave IceCold Kay Kokkini MilkyWay
         # Opal PastelHills Patak Shell
     ]},
    {'name': 'lomiri-wallpapers',
     'roots': ['usr/share/backgrounds'],
     'source_prefix': ('usr/share/backgrounds/', ''),
     'verdicts': [('warty-final-ubuntu.png', 'not a photograph (render)')]},
    {'name': 'lomiri-wallpapers-16.04',
     'roots': ['usr/share/backgrounds'],
     'source_prefix': ('usr/share/backgrounds/', '16.04/'),
     'verdicts': [
         ('analogpattern_*', 'not a photograph (processed texture)'),
         ('umang_*', 'not a photograph (render)'),
         ('*', 'photo'),  # Dragonfly Picture_0B Picture_1A Wine aitzgorri
         # free friends greentock life picosdeeuropa seeding sunset
     ]},
    {'name': 'lomiri-wallpapers-20.04',
     'roots': ['usr/share/backgrounds'],
     'source_prefix': ('usr/share/backgrounds/', '20.04/'),
     'verdicts': [
         ('Kleiber_*', 'photo'),
         ('Infinite-Sea_*', 'not a photograph (digital composite)'),
         ('*', 'not a photograph (render)'),  # Fossa, Painting-Colors
     ]},
    {'name': 'ukui-wallpapers',
     'roots': ['usr/share/backgrounds'],
     'source_prefix': ('usr/share/backgrounds/', ''),
     'verdicts': [('*', 'not a photograph (render)')]},
    {'name': 'mate-backgrounds',
     'roots': ['usr/share/backgrounds/mate'],
     'source_prefix': ('usr/share/backgrounds/mate/', ''),
     'verdicts': [
         ('nature/*', 'photo'),
         ('abstract/Elephants*', 'not a photograph (artwork)'),
         ('*', 'not a photograph (render)'),
     ]},
    {'name': 'lxqt-themes',
     'roots': ['usr/share/lxqt/wallpapers'],
     'source_prefix': ('usr/share/lxqt/', ''),
     'verdicts': [
         ('Valendas.png', 'photo'), ('after-the-rain.jpg', 'photo'),
         ('appleflower.png', 'photo'), ('beam.png', 'photo'),
         ('cloud.png', 'photo'), ('drop.png', 'photo'), ('fog.jpg', 'photo'),
         ('this-is-not-windows.jpg', 'photo'),
         ('*', 'not a photograph (render)'),
     ]},
    {'name': 'gnome-backgrounds',
     'roots': ['usr/share/backgrounds'],
     'source_prefix': ('usr/share/backgrounds/gnome/', 'backgrounds/'),
     'verdicts': [('*', 'not a photograph (render)')]},
    {'name': 'xfdesktop4-data',
     'roots': ['usr/share/backgrounds'],
     'source_prefix': ('usr/share/backgrounds/xfce/', 'backgrounds/'),
     'verdicts': [('*', 'not a photograph (render)')]},
    {'name': 'sway-backgrounds',
     'roots': ['usr/share/backgrounds'],
     'source_prefix': ('usr/share/backgrounds/sway/', 'assets/'),
     'verdicts': [('*', 'not a photograph (drawing)')]},
    {'name': 'lxde-common',
     'roots': ['usr/share/lxde/wallpapers'],
     'source_prefix': ('usr/share/lxde/', ''),
     'verdicts': [('*', 'not a photograph (render)')]},
    {'name': 'desktop-base',
     'roots': ['usr/share/desktop-base'],
     'source_prefix': ('usr/share/desktop-base/', ''),
     'verdicts': [('*', 'not a photograph (theme artwork)')]},
    {'name': 'opencv-doc',
     'roots': ['usr/share/doc/opencv-doc/examples'],
     'source_prefix': ('usr/share/doc/opencv-doc/examples/', 'samples/'),
     'verdicts': [
         ('data/aloeL.jpg', 'photo'),
         ('data/aloeR.jpg', 'duplicate of data/aloeL.jpg (stereo pair)'),
         ('data/apple.jpg', 'photo'), ('data/orange.jpg', 'photo'),
         ('data/building.jpg', 'photo'),
         ('data/ela_original.jpg', 'photo'),
         ('data/ela_modified.jpg', 'duplicate of data/ela_original.jpg (tampered copy)'),
         ('data/leuvenA.jpg', 'photo'),
         ('data/leuvenB.jpg', 'duplicate of data/leuvenA.jpg (same view, darker)'),
         ('data/pca_test1.jpg', 'photo'),
         ('data/basketball1.png', 'photo'),
         ('data/basketball2.png', 'duplicate of data/basketball1.png (next video frame)'),
         ('data/rubberwhale1.png', 'photo'),
         ('data/rubberwhale2.png', 'duplicate of data/rubberwhale1.png (next video frame)'),
         ('data/box_in_scene.png', 'photo'),
         ('data/chicky_512.png', 'photo'),
         ('data/graf1.png', 'photo'),          # a photographed graffiti wall
         ('data/graf3.png', 'duplicate of data/graf1.png (same wall, other view)'),
         ('data/sudoku.png', 'photo'),         # a photographed newspaper
         ('reg/home.png', 'photo'),
         ('text/scenetext0[1-5].jpg', 'photo'),
         ('data/starry_night.jpg', 'not a photograph (painting)'),
         ('data/Blender_Suzanne*', 'not a photograph (render)'),
         ('data/aloeGT.png', 'not a photograph (disparity map)'),
         ('fuzzy/input.png', 'not a photograph (drawing)'),
         ('ximgproc/stanford.png', 'not a photograph (map)'),
         ('*', 'not a photograph (drawing, mask or chart)'),
     ]},
    {'name': 'python3-skimage',
     'roots': ['usr/lib/python3/dist-packages/skimage/data'],
     'source_prefix': ('usr/lib/python3/dist-packages/', ''),
     'verdicts': [
         # hfsr_sr.py validates on these (models/training/README.md)
         ('astronaut.png', 'validation set: astronaut'),
         ('chelsea.png', 'validation set: chelsea'),
         ('coffee.png', 'validation set: coffee'),
         ('motorcycle_left.png', 'validation set: motorcycle_left'),
         ('motorcycle_right.png', 'validation set: stereo partner of motorcycle_left'),
         ('rocket.jpg', 'validation set: rocket'),
         ('brick.png', 'photo'), ('camera.png', 'photo'), ('grass.png', 'photo'),
         ('gravel.png', 'photo'), ('moon.png', 'photo'), ('coins.png', 'photo'),
         ('cell.png', 'not a photograph (microscopy)'),
         ('ihc.png', 'not a photograph (microscopy)'),
         ('retina.jpg', 'not a photograph (fundus camera, medical)'),
         ('hubble_deep_field.jpg', 'not a photograph (telescope composite)'),
         ('clock_motion.png', 'not a photograph (synthetic motion blur)'),
         ('*', 'not a photograph (drawing)'),  # bw_text color horse logo phantom
     ]},
]


# ---------------------------------------------------------------- the rules

def _words(text):
    """Lower-case words of a path: split at punctuation, camelCase and
    letter/digit boundaries."""
    words = []
    for part in re.split(r'[^A-Za-z0-9]+', text):
        for word in re.findall(r'[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+', part):
            words.append(word.lower())
    return words


def test_set_name(path):
    """The test image that `path` (below its walk root) is named after, as
    'test set: <Set> <name>', or None."""
    lower = path.lower()
    stem = os.path.splitext(os.path.basename(lower))[0]
    for sub in TEST_SUBSTRINGS:
        if sub in lower:
            if sub == 'kodim':
                found = re.search(r'kodim\d*', lower).group(0)
                return f'test set: Kodak {found}'
            return f'test set: {TEST_SETS[sub]} {sub}'
    for word in _words(path):
        for test in TEST_WORDS:
            if word in (test, test + 's'):
                return f'test set: {TEST_SETS[test]} {test}'
    if re.fullmatch(r'\d{4,6}', stem):
        return f'test set: BSD100 (BSDS id {stem})'
    if re.fullmatch(r'img_?\d{3}', stem):
        return f'test set: Urban100/BSD100 ({stem})'
    return None


def signature(image):
    """A (16*16,) float64 content signature of a PIL image: the grey
    thumbnail (box filter), mean 0 and RMS 1 (a flat image gives zeros)."""
    grey = image.convert('L').resize((SIGNATURE_SIDE, SIGNATURE_SIDE), Image.BOX)
    vec = np.asarray(grey, dtype=np.float64).ravel()
    vec = vec - vec.mean()
    rms = math.sqrt(float(np.mean(vec * vec)))
    return vec / rms if rms > 1e-6 else vec


def signature_distance(a, b):
    """RMS difference of two signatures: 0 for the same picture, about 1.4
    for unrelated ones."""
    return math.sqrt(float(np.mean((a - b) ** 2)))


def nearest(sig, references):
    """(distance, label) of the closest of `references` [(label, sig)]."""
    best = (math.inf, None)
    for label, ref in references:
        d = signature_distance(sig, ref)
        if d < best[0]:
            best = (d, label)
    return best


def output_size(width, height, fmt):
    """The size written: JPEG halved (MATLAB imresize rounds up), else kept."""
    if fmt == 'JPEG':
        return (width + 1) // 2, (height + 1) // 2
    return width, height


# ------------------------------------------------------------- licences

def parse_copyright(text):
    """[(patterns, licence)] of the Files: stanzas of a DEP-5 file, in order
    ([] when the file is not machine-readable)."""
    stanzas = []
    for block in re.split(r'\n\s*\n', text):
        fields, key = {}, None
        for line in block.split('\n'):
            if line[:1] in (' ', '\t') and key:
                if key == 'files':  # only Files: continues; License: text follows its name
                    fields[key] += ' ' + line.strip()
            elif ':' in line:
                key, value = line.split(':', 1)
                key = key.strip().lower()
                fields[key] = value.strip()
        if 'files' in fields and 'license' in fields:
            stanzas.append((fields['files'].split(), fields['license']))
    return stanzas


def licence_of(stanzas, source_path):
    lic = 'UNSTATED'
    for patterns, name in stanzas:
        if any(fnmatch.fnmatchcase(source_path, p) for p in patterns):
            lic = name or 'UNSTATED'
    return lic


# ------------------------------------------------------------------ fetch

def run(cmd, cwd=None):
    print('+', ' '.join(cmd), flush=True)
    subprocess.run(cmd, check=True, cwd=cwd)


def deb_version(deb):
    return subprocess.run(['dpkg-deb', '-f', deb, 'Version'], check=True,
                          capture_output=True, text=True).stdout.strip()


def walk_images(folder):
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if name.lower().endswith(SUFFIXES) and not os.path.islink(path):
                yield path


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def verdict_of(package, rel):
    for pattern, verdict in package['verdicts']:
        if fnmatch.fnmatchcase(rel, pattern):
            return verdict
    return None


def output_name(rel):
    stem = os.path.splitext(rel)[0].replace('/contents/images', '')
    return re.sub(r'[^A-Za-z0-9._-]+', '-', stem.replace('/', '-'))


def write_png(src, fmt, dest):
    """PNG/WebP kept as they are; JPEG halved with MATLAB's bicubic."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import hfsr_data  # noqa: E402
    with Image.open(src) as im:
        rgb = im.convert('RGB')
    if fmt == 'JPEG':
        arr = np.asarray(rgb, dtype=np.float64) / 255.0
        out = np.stack([hfsr_data.imresize(arr[:, :, c], 0.5) for c in range(3)], axis=2)
        rgb = Image.fromarray(np.round(np.clip(out, 0.0, 1.0) * 255.0).astype(np.uint8))
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    rgb.save(dest, optimize=False, compress_level=6)
    return rgb.size


def fetch(out_dir, manifest_path, download=True):
    debs = os.path.join(out_dir, 'debs')
    root = os.path.join(out_dir, 'root')
    os.makedirs(debs, exist_ok=True)
    names = [p['name'] for p in PACKAGES]
    if download:
        run(['apt-get', 'download'] + names, cwd=debs)
    info = {}
    for package in PACKAGES:
        name = package['name']
        found = sorted(f for f in os.listdir(debs) if f.startswith(name + '_') and f.endswith('.deb'))
        if not found:
            raise SystemExit(f'no .deb for {name} in {debs}')
        deb = os.path.join(debs, found[-1])
        dest = os.path.join(root, name)
        if not os.path.isdir(dest):
            os.makedirs(dest)
            run(['dpkg-deb', '-x', deb, dest])
        with open(os.path.join(dest, 'usr/share/doc', name, 'copyright'), encoding='utf-8',
                  errors='replace') as f:
            stanzas = parse_copyright(f.read())
        info[name] = (deb_version(deb), stanzas)

    # References for the content rule: every image named after a test image
    # anywhere in the unpacked packages (documentation included).
    references = []
    for package in PACKAGES:
        base = os.path.join(root, package['name'])
        for path in walk_images(base):
            rel = os.path.relpath(path, base)
            label = test_set_name(os.path.basename(rel))
            if label:
                try:
                    with Image.open(path) as im:
                        references.append((f'{label} ({package["name"]}:{rel})', signature(im)))
                except OSError:
                    pass

    rows, undecided = [], []
    for package in PACKAGES:
        name = package['name']
        version, stanzas = info[name]
        prefix, source = package['source_prefix']
        for walk_root in package['roots']:
            base = os.path.join(root, name, walk_root)
            for path in walk_images(base):
                rel = os.path.relpath(path, base)
                installed = os.path.relpath(path, os.path.join(root, name))
                try:
                    with Image.open(path) as im:
                        im.load()
                        width, height, fmt = im.size[0], im.size[1], im.format
                        sig = signature(im)
                except OSError as error:
                    print(f'unreadable, not a candidate: {name}:{installed}: {error}')
                    continue
                src_path = source + installed[len(prefix):] if installed.startswith(prefix) else installed
                row = {'package': name, 'version': version, 'path': '/' + installed,
                       'width': width, 'height': height, 'format': fmt,
                       'licence': licence_of(stanzas, src_path), 'sha256': sha256(path),
                       'kept': 'no', 'reason': '', 'out_width': 0, 'out_height': 0,
                       '_file': path, '_rel': rel, '_sig': sig}
                row['reason'] = test_set_name(rel) or ''
                verdict = verdict_of(package, rel)
                if verdict and verdict.startswith('validation set'):
                    references.append((f'{verdict} ({name}:{rel})', sig))
                row['_verdict'] = verdict
                rows.append(row)

    for row in rows:
        if row['reason']:
            continue
        d, label = nearest(row['_sig'], references)
        if d < CONTENT_DISTANCE and not (row['_verdict'] or '').startswith('validation set'):
            kind = 'validation set' if label.startswith('validation set') else 'test set'
            row['reason'] = f'{kind}: copy of {label} (signature distance {d:.3f})'
            continue
        ow, oh = output_size(row['width'], row['height'], row['format'])
        if min(ow, oh) < MIN_SIDE:
            row['reason'] = 'too small'
            continue
        if row['_verdict'] is None:
            undecided.append(f"{row['package']}:{row['_rel']}")
        elif row['_verdict'] != 'photo':
            row['reason'] = row['_verdict']
    if undecided:
        raise SystemExit('no recorded decision for (add them to PACKAGES):\n  '
                         + '\n  '.join(undecided))

    # Duplicates among the photos: the largest copy stays.
    photos = [r for r in rows if not r['reason']]
    photos.sort(key=lambda r: -r['width'] * r['height'])
    kept = []
    for row in photos:
        twin = next((k for k in kept if k['sha256'] == row['sha256']
                     or signature_distance(k['_sig'], row['_sig']) < DUPLICATE_DISTANCE), None)
        if twin:
            row['reason'] = f"duplicate of {twin['package']}:{twin['path']}"
        else:
            kept.append(row)

    hr = os.path.join(out_dir, 'hr')
    for row in rows:
        if row['reason']:
            continue
        dest = os.path.join(hr, row['package'], output_name(row['_rel']) + '.png')
        print('write', dest, flush=True)
        row['out_width'], row['out_height'] = write_png(row['_file'], row['format'], dest)
        row['kept'] = 'yes'
    write_manifest(manifest_path, rows)
    summary(rows)
    return rows


def write_manifest(path, rows):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\t'.join(COLUMNS) + '\n')
        for row in rows:
            f.write('\t'.join(str(row[c]) for c in COLUMNS) + '\n')


def read_manifest(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().rstrip('\n').split('\n')
    header = tuple(lines[0].split('\t'))
    if header != COLUMNS:
        raise ValueError(f'{path}: header {header} is not {COLUMNS}')
    return [dict(zip(COLUMNS, line.split('\t'))) for line in lines[1:]]


def summary(rows):
    by = {}
    for row in rows:
        s = by.setdefault(row['package'], [0, 0, 0.0])
        if row['kept'] == 'yes':
            s[0] += 1
            s[2] += int(row['out_width']) * int(row['out_height']) / 1e6
        else:
            s[1] += 1
    for name, (k, x, mp) in by.items():
        print(f'{name}: {k} kept ({mp:.1f} Mpixel), {x} excluded')
    print(f"total: {sum(v[0] for v in by.values())} kept "
          f"({sum(v[2] for v in by.values()):.1f} Mpixel), {sum(v[1] for v in by.values())} excluded")


# ------------------------------------------------------------------ check

def check(rows):
    """A list of problems with a manifest's rows ([] when it is sound)."""
    problems = []
    seen = set()
    for i, row in enumerate(rows, start=2):
        where = f"line {i} ({row.get('package')}:{row.get('path')})"
        if any(row.get(c, '') == '' for c in COLUMNS if c != 'reason'):
            problems.append(f'{where}: empty field')
            continue
        key = (row['package'], row['path'])
        if key in seen:
            problems.append(f'{where}: listed twice')
        seen.add(key)
        if not re.fullmatch(r'[0-9a-f]{64}', row['sha256']):
            problems.append(f'{where}: sha256 is not 64 hex digits')
        try:
            w, h, ow, oh = (int(row[c]) for c in ('width', 'height', 'out_width', 'out_height'))
        except ValueError:
            problems.append(f'{where}: a size is not an integer')
            continue
        if w <= 0 or h <= 0:
            problems.append(f'{where}: size not positive')
        if row['format'] not in ('PNG', 'JPEG', 'WEBP'):
            problems.append(f"{where}: format {row['format']}")
        if row['kept'] == 'yes':
            if row['reason']:
                problems.append(f'{where}: kept with a reason')
            name = test_set_name(row['path'])
            if name:
                problems.append(f'{where}: kept but named after a {name}')
            if (ow, oh) != output_size(w, h, row['format']):
                problems.append(f'{where}: output {ow}x{oh} is not the expected size')
            if min(ow, oh) < MIN_SIDE:
                problems.append(f'{where}: output under {MIN_SIDE} pixels')
            if row['licence'] == 'UNSTATED':
                problems.append(f'{where}: kept without a licence')
        elif row['kept'] == 'no':
            if not row['reason']:
                problems.append(f'{where}: excluded without a reason')
            if (ow, oh) != (0, 0):
                problems.append(f'{where}: excluded but has an output size')
        else:
            problems.append(f"{where}: kept is {row['kept']!r}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    sub = parser.add_subparsers(dest='command', required=True)
    f = sub.add_parser('fetch', help='download, unpack, select, write HR PNGs and the manifest')
    f.add_argument('out_dir')
    f.add_argument('--manifest', help='default: OUT_DIR/debian-photos.tsv')
    f.add_argument('--no-download', action='store_true',
                   help='use the .deb files already in OUT_DIR/debs')
    c = sub.add_parser('check', help='verify a manifest')
    c.add_argument('manifest')
    args = parser.parse_args(argv)
    if args.command == 'fetch':
        fetch(args.out_dir, args.manifest or os.path.join(args.out_dir, 'debian-photos.tsv'),
              download=not args.no_download)
        return 0
    rows = read_manifest(args.manifest)
    problems = check(rows)
    for p in problems:
        print(p)
    summary(rows)
    print(f'{len(rows)} rows, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
