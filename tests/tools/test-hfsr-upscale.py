#!/usr/bin/python3
# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""hfsr-upscale as a user runs it, through real GEGL and the shipped networks.

Pixels equal to `gegl IN -o OUT -- hfsr:super-resolution`; formats, bit
depths, alpha and grey in and out; Exif/XMP and colour profiles kept; a run
killed or interrupted leaves no half-written result and resumes; bad files in
the middle are reported and skipped; -j 2 gives the pixels of -j 1; the
progress bar on a terminal, plain lines otherwise; usage errors.

Usage: test-hfsr-upscale.py HFSR-UPSCALE.  Needs /usr/bin/python3 with numpy
and PIL; exits 77 (skip) without them.
"""
import math
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import time
import unittest

try:
    import numpy as np
    from PIL import Image, ImageCms
except ImportError as missing:
    print(f'skipping the hfsr-upscale tests: {missing}')
    sys.exit(77)

ROOT = os.environ.get('HFSR_SOURCE_ROOT',
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
sys.path.insert(0, os.path.join(ROOT, 'tests', 'ops'))
import gegl_cli_check  # noqa: E402
TOOL = sys.argv.pop(1) if len(sys.argv) > 1 else 'hfsr-upscale'
SAMPLE = os.path.join(ROOT, 'data', 'sample.png')
TIMEOUT = 240


def run_tool(*args, stdin=None, timeout=TIMEOUT):
    return subprocess.run([TOOL, *args], input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=timeout)


def crop(left, top, width, height):
    """A piece of the bundled photograph, 8-bit RGB."""
    with Image.open(SAMPLE) as image:
        return image.convert('RGB').crop((left, top, left + width, top + height))


def read_any(path):
    """The pixels of an image file as saved: 16-bit PNGs stay 16-bit (PIL
    turns 16-bit colour into 8 bits; gegl_cli_check reads PNGs itself)."""
    if path.endswith('.png'):
        pixels, depth = gegl_cli_check.read_png(path)
        return np.round(pixels * (2 ** depth - 1)).astype(np.uint16 if depth == 16 else np.uint8)
    with Image.open(path) as image:
        return np.asarray(image)


def icc_colorants(data):
    """The red, green and blue colorants of an ICC profile."""
    profile = ImageCms.ImageCmsProfile(__import__('io').BytesIO(data)).profile
    return np.array([profile.red_colorant[1], profile.green_colorant[1],
                     profile.blue_colorant[1]])


class UpscaleTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, *parts):
        path = os.path.join(self.dir, *parts)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return path

    def photos(self, folder, count, size=(48, 40)):
        """@count distinct crops of the sample photo as PNGs in @folder."""
        names = []
        for i in range(count):
            name = os.path.join(folder, f'photo-{i:02d}.png')
            crop(13 * i, 7 * i, *size).save(self.path(name))
            names.append(self.path(name))
        return names

    # -- pixels -----------------------------------------------------------

    def test_same_pixels_as_the_gegl_command(self):
        rgb = crop(40, 30, 45, 37)
        rgba = rgb.copy()
        rgba.putalpha(Image.linear_gradient('L').resize(rgb.size))
        rgb.save(self.path('in', 'rgb.png'))
        rgba.save(self.path('in', 'rgba.png'))
        # Integer, resampled (x3 network, Lanczos down) and chained (x2
        # then x3) scales; 45 x 37 at x2.5 rounds to 113 x 93.
        for scale, alpha in (('2', '0.2'), ('3', '0.05'), ('2.5', '0.2'), ('5', '0.1')):
            out = self.path(f'out-{scale}')
            result = run_tool('-s', scale, '-a', alpha, '-d', '16', '-Q',
                              self.path('in'), '-o', out)
            self.assertEqual(result.returncode, 0, result.stderr)
            for name in ('rgb', 'rgba'):
                reference = self.path(f'gegl-{scale}-{name}.png')
                gegl = subprocess.run(
                    ['gegl', self.path('in', f'{name}.png'), '-o', reference, '--',
                     'hfsr:super-resolution', f'scale={scale}', f'alpha={alpha}'],
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                    timeout=TIMEOUT)
                self.assertEqual(gegl.returncode, 0, gegl.stdout)
                ours, theirs = read_any(os.path.join(out, f'{name}.png')), read_any(reference)
                self.assertEqual(ours.dtype, np.uint16)
                # gegl always writes RGBA; an RGB input's alpha is opaque.
                if name == 'rgb':
                    self.assertEqual(ours.shape[2], 3)
                    self.assertTrue((theirs[:, :, 3] == 65535).all())
                    theirs = theirs[:, :, :3]
                self.assertEqual(ours.shape, theirs.shape)
                # Halves round up (Python's round() would take 92.5 to 92).
                self.assertEqual(ours.shape[:2], (math.floor(37 * float(scale) + 0.5),
                                                  math.floor(45 * float(scale) + 0.5)))
                self.assertTrue(np.array_equal(ours, theirs),
                                f'x{scale} {name}: max difference '
                                f'{np.abs(ours.astype(int) - theirs).max()}')

    def test_jobs_side_by_side_give_the_same_pixels(self):
        self.photos('in', 6)
        one, two = self.path('one'), self.path('two')
        self.assertEqual(run_tool('-Q', '-j', '1', self.path('in'), '-o', one).returncode, 0)
        result = run_tool('-Q', '-j', '2', '-t', '2', self.path('in'), '-o', two)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(sorted(os.listdir(one)), sorted(os.listdir(two)))
        for name in os.listdir(one):
            self.assertTrue(np.array_equal(read_any(os.path.join(one, name)),
                                           read_any(os.path.join(two, name))), name)

    # -- formats ----------------------------------------------------------

    def test_formats_depths_and_channels(self):
        photo = crop(100, 80, 40, 30)
        inputs = {
            'rgb8.png': (photo, {}),
            'grey8.png': (photo.convert('L'), {}),
            'rgba8.png': (photo.convert('RGBA'), {}),
            'photo.jpg': (photo, {'quality': 95}),
            'photo.JPEG': (photo, {'quality': 95}),
            'scan.tif': (photo, {}),
            'web.webp': (photo, {'quality': 95}),
        }
        for name, (image, options) in inputs.items():
            image.save(self.path('in', name), **options)
        # A 16-bit PNG.
        gegl_cli_check.write_png(self.path('in', 'grey16.png'),
                                 np.asarray(photo.convert('L')).astype(np.uint16) * 257)

        out = self.path('same')
        result = run_tool('-Q', self.path('in'), '-o', out)
        self.assertEqual(result.returncode, 0, result.stderr)
        expected = {  # name: (file kind, PIL mode or cv2 dtype and channels)
            'rgb8.png': ('PNG', 'RGB'), 'grey8.png': ('PNG', 'L'),
            'rgba8.png': ('PNG', 'RGBA'), 'photo.jpg': ('JPEG', 'RGB'),
            'photo.JPEG': ('JPEG', 'RGB'), 'scan.tif': ('TIFF', 'RGB'),
            'web.webp': ('WEBP', 'RGB'),
        }
        self.assertEqual(sorted(os.listdir(out)), sorted([*expected, 'grey16.png']))
        for name, (kind, mode) in expected.items():
            with Image.open(os.path.join(out, name)) as image:
                self.assertEqual((image.format, image.mode, image.size), (kind, mode, (80, 60)),
                                 name)
        self.assertEqual(read_any(self.path('in', 'grey16.png')).dtype, np.uint16)
        deep_out = read_any(os.path.join(out, 'grey16.png'))
        self.assertEqual((deep_out.dtype, deep_out.shape[:2]), (np.uint16, (60, 80)))

        for fmt, kind, extension in (('png', 'PNG', 'png'), ('jpeg', 'JPEG', 'jpg'),
                                     ('webp', 'WEBP', 'webp'), ('tiff', 'TIFF', 'tif')):
            folder = self.path(fmt)
            result = run_tool('-Q', '-f', fmt, '-s', '3', self.path('in', 'rgba8.png'),
                              self.path('in', 'grey8.png'), '-o', folder)
            self.assertEqual(result.returncode, 0, result.stderr)
            for stem in ('rgba8', 'grey8'):
                with Image.open(os.path.join(folder, f'{stem}.{extension}')) as image:
                    self.assertEqual((image.format, image.size), (kind, (120, 90)))
                    # GEGL's WebP saver (0.4.42) writes no alpha.
                    if fmt in ('png', 'tiff') and stem == 'rgba8':
                        self.assertEqual(image.mode, 'RGBA')
                    if fmt in ('png', 'tiff', 'jpeg') and stem == 'grey8':
                        self.assertEqual(image.mode, 'L')

        # --depth 16 for an 8-bit input; TIFF at 16 bits.
        result = run_tool('-Q', '-d', '16', self.path('in', 'rgb8.png'), '-o', self.path('d16'))
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(read_any(self.path('d16', 'rgb8.png')).dtype, np.uint16)
        result = run_tool('-Q', '-f', 'tiff', '-d', '16', self.path('in', 'rgb8.png'),
                          '-o', self.path('t16'))
        self.assertEqual(result.returncode, 0, result.stderr)
        with Image.open(self.path('t16', 'rgb8.tif')) as image:
            self.assertIn(image.tile[0][3][0] if image.tile else '', ('RGB;16N', 'RGB;16L', 'RGB;16B'))

        # JPEG quality is the saver's: a lower one makes a smaller file.
        sizes = []
        for quality in ('40', '95'):
            folder = self.path(f'q{quality}')
            self.assertEqual(run_tool('-Q', '-q', quality, self.path('in', 'photo.jpg'),
                                      '-o', folder).returncode, 0)
            sizes.append(os.path.getsize(os.path.join(folder, 'photo.jpg')))
        self.assertLess(sizes[0], sizes[1])

    def test_name_pattern_stdin_and_subfolders(self):
        self.photos(os.path.join('in', 'a'), 2)
        self.photos(os.path.join('in', 'a', 'b'), 1)
        result = run_tool('-Q', '-r', '-n', '{stem}-x{scale}.{ext}', self.path('in'),
                          '-o', self.path('out'))
        self.assertEqual(result.returncode, 0, result.stderr)
        made = sorted(os.path.relpath(os.path.join(d, f), self.path('out'))
                      for d, _, files in os.walk(self.path('out')) for f in files)
        self.assertEqual(made, ['a/b/photo-00-x2.png', 'a/photo-00-x2.png', 'a/photo-01-x2.png'])
        # Without -r only the folder's own images.
        result = run_tool('-Q', self.path('in', 'a'), '-o', self.path('flat'))
        self.assertEqual(sorted(os.listdir(self.path('flat'))), ['photo-00.png', 'photo-01.png'])
        # Paths from standard input.
        listing = '\n'.join([self.path('in', 'a', 'photo-01.png'),
                             self.path('in', 'a', 'b', 'photo-00.png')]) + '\n'
        result = run_tool('-', '-o', self.path('stdin'), '-n', '{name}.{ext}', stdin=listing)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(sorted(os.listdir(self.path('stdin'))),
                         ['photo-00.png.png', 'photo-01.png.png'])

    # -- metadata ---------------------------------------------------------

    def test_exif_xmp_and_colour_profile_are_kept(self):
        icc = make_wide_gamut_icc()
        exif = Image.Exif()
        exif[0x010f] = 'HfsrCam'      # Make
        exif[0x0112] = 6              # Orientation: rotate 90° to view
        exif.get_ifd(0x8769)[0xA002] = 40   # PixelXDimension
        exif.get_ifd(0x8769)[0xA003] = 30
        xmp = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
               b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
               b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
               b'<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">'
               b'<dc:creator><rdf:Seq><rdf:li>Archivist</rdf:li></rdf:Seq></dc:creator>'
               b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')
        photo = crop(60, 50, 40, 30)
        photo.save(self.path('in', 'cam.jpg'), exif=exif, icc_profile=icc, quality=95)
        with_xmp = __import__('PIL.PngImagePlugin').PngImagePlugin.PngInfo()
        with_xmp.add_itxt('XML:com.adobe.xmp', xmp.decode())
        photo.save(self.path('in', 'cam.png'), exif=exif, icc_profile=icc, pnginfo=with_xmp)
        photo.save(self.path('in', 'cam.tif'), exif=exif, icc_profile=icc)
        # GEGL's own WebP loader ignores the profile; hfsr-upscale reads it.
        photo.save(self.path('in', 'cam.webp'), exif=exif, icc_profile=icc, lossless=True)
        result = run_tool('-Q', self.path('in'), '-o', self.path('out'))
        self.assertEqual(result.returncode, 0, result.stderr)
        result = run_tool('-Q', '-f', 'png', self.path('in', 'cam.webp'), '-o',
                          self.path('from-webp'))
        self.assertEqual(result.returncode, 0, result.stderr)
        for name in ('cam.jpg', 'cam.png', 'cam.tif', '../from-webp/cam.png'):
            # Pillow 11 turns a TIFF's size by its orientation: twice the
            # input's size as Pillow reads it.
            with Image.open(self.path('in', os.path.basename(name))) as source:
                expected_size = (2 * source.size[0], 2 * source.size[1])
            with Image.open(self.path('out', name)) as image:
                self.assertEqual(image.size, expected_size, name)
                tags = image.getexif()
                self.assertEqual(tags.get(0x010f), 'HfsrCam', name)
                self.assertEqual(tags.get(0x0112), 6, name)
                photo_ifd = tags.get_ifd(0x8769)
                self.assertEqual((photo_ifd.get(0xA002), photo_ifd.get(0xA003)), (80, 60), name)
                profile = image.info.get('icc_profile')
                self.assertTrue(profile, f'{name}: no colour profile')
                self.assertTrue(np.allclose(icc_colorants(profile), icc_colorants(icc),
                                            atol=2e-3), name)
            if name == 'cam.png':
                with open(self.path('out', name), 'rb') as f:
                    self.assertIn(b'Archivist', f.read(), 'XMP lost')
        # WebP: GEGL's saver converts to sRGB (it writes no profile); the
        # colours must still be those of the wide-gamut original.
        result = run_tool('-Q', '-f', 'webp', '-q', '100', self.path('in', 'cam.png'),
                          '-o', self.path('webp'))
        self.assertEqual(result.returncode, 0, result.stderr)
        with Image.open(self.path('webp', 'cam.webp')) as image:
            self.assertEqual(image.getexif().get(0x010f), 'HfsrCam')
            seen = np.asarray(image.convert('RGB')).astype(float).mean(axis=(0, 1))
        png = Image.open(self.path('out', 'cam.png'))
        as_srgb = ImageCms.profileToProfile(png, ImageCms.ImageCmsProfile(
            __import__('io').BytesIO(png.info['icc_profile'])), ImageCms.createProfile('sRGB'))
        expected = np.asarray(as_srgb.convert('RGB')).astype(float).mean(axis=(0, 1))
        self.assertLess(np.abs(seen - expected).max(), 3.0, (seen, expected))

    # -- interruption and resume -------------------------------------------

    def start(self, *args):
        return subprocess.Popen([TOOL, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, start_new_session=True)

    def wait_for_results(self, folder, count, process):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            if os.path.isdir(folder) and len([n for n in os.listdir(folder)
                                              if not n.startswith('.')]) >= count:
                return
            time.sleep(0.05)
        self.fail(f'{count} results did not appear in {folder}')

    def check_complete(self, folder, size):
        """Every visible result decodes whole at @size."""
        names = [n for n in os.listdir(folder) if not n.startswith('.')]
        for name in names:
            with Image.open(os.path.join(folder, name)) as image:
                image.load()
                self.assertEqual(image.size, size, name)
        return names

    def test_killed_run_leaves_whole_files_and_resumes(self):
        self.photos('in', 8, size=(160, 120))
        out = self.path('out')
        process = self.start('-Q', self.path('in'), '-o', out)
        self.wait_for_results(out, 2, process)
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=TIMEOUT)
        done = self.check_complete(out, (320, 240))
        self.assertLess(len(done), 8, 'the run ended before it could be killed')
        result = run_tool(self.path('in'), '-o', out)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(f'{8 - len(done)} made, {len(done)} already there, 0 failed',
                      result.stdout)
        self.assertEqual(len(self.check_complete(out, (320, 240))), 8)
        self.assertEqual([n for n in os.listdir(out) if n.startswith('.')], [],
                         'partial files left behind')

    def test_interrupt_stops_cleanly(self):
        self.photos('in', 8, size=(160, 120))
        out = self.path('out')
        process = self.start(self.path('in'), '-o', out)
        self.wait_for_results(out, 1, process)
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=TIMEOUT)
        self.assertEqual(process.returncode, 130, stderr)
        self.assertIn('interrupted', stdout)
        self.assertEqual([n for n in os.listdir(out) if n.startswith('.')], [])
        self.check_complete(out, (320, 240))
        self.assertEqual(run_tool('-Q', self.path('in'), '-o', out).returncode, 0)
        self.assertEqual(len(self.check_complete(out, (320, 240))), 8)
        # --overwrite makes them all again.
        result = run_tool('--overwrite', self.path('in'), '-o', out)
        self.assertIn('8 made, 0 already there', result.stdout)

    # -- bad files ----------------------------------------------------------

    def test_bad_files_are_reported_and_skipped(self):
        names = self.photos('in', 4)
        with open(self.path('in', 'photo-01b-text.png'), 'w') as f:
            f.write('not an image\n')
        with open(names[1], 'rb') as f:
            data = f.read()
        with open(self.path('in', 'photo-02b-cut.png'), 'wb') as f:
            f.write(data[:len(data) // 2])
        # libjpeg ends the process on a corrupt JPEG: only the file is lost.
        crop(0, 0, 40, 30).save(self.path('in', 'photo-00b.jpg'), quality=90)
        with open(self.path('in', 'photo-00b.jpg'), 'r+b') as f:
            f.seek(200)
            f.write(b'\xff\xd9' * 40)
        os.mkfifo(self.path('fifo.png'))
        result = run_tool(self.path('in'), self.path('fifo.png'), self.path('missing.png'),
                          '-o', self.path('out'), timeout=120)
        self.assertEqual(result.returncode, 1, result.stderr)
        for bad in ('photo-01b-text.png', 'photo-02b-cut.png', 'fifo.png', 'missing.png'):
            self.assertIn(bad, result.stderr)
        made = sorted(os.listdir(self.path('out')))
        for name in names:
            self.assertIn(os.path.basename(name), made)
        self.assertNotIn('photo-01b-text.png', made)
        self.assertNotIn('photo-02b-cut.png', made)
        self.assertEqual([n for n in made if n.startswith('.')], [])
        self.check_complete(self.path('out'), (96, 80))

    def test_result_never_replaces_its_input(self):
        (name,) = self.photos('in', 1)
        with open(name, 'rb') as f:
            before = f.read()
        result = run_tool(self.path('in'), '-o', self.path('in'), '--overwrite')
        self.assertEqual(result.returncode, 1)
        self.assertIn('would replace the input', result.stderr)
        with open(name, 'rb') as f:
            self.assertEqual(f.read(), before)

    def test_results_beside_their_inputs_are_not_upscaled_again(self):
        self.photos('in', 2)
        for run in range(2):
            result = run_tool('-n', '{stem}-x2.{ext}', self.path('in'), '-o', self.path('in'))
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn('0 made, 2 already there' if run else '2 made, 0 already there',
                          result.stdout)
        self.assertEqual(sorted(os.listdir(self.path('in'))),
                         ['photo-00-x2.png', 'photo-00.png', 'photo-01-x2.png', 'photo-01.png'])
        # Two inputs with one result name: the second fails, in every shard.
        crop(0, 0, 30, 20).save(self.path('two', 'a', 'same.png'))
        crop(5, 5, 30, 20).save(self.path('two', 'b', 'same.jpg'))
        listing = '\n'.join([self.path('two', 'a', 'same.png'),
                             self.path('two', 'b', 'same.jpg')]) + '\n'
        result = run_tool('-Q', '-f', 'png', '-', '-o', self.path('one'), stdin=listing)
        self.assertEqual(result.returncode, 1)
        self.assertIn('same.jpg: its result', result.stderr)

    # -- progress and usage ------------------------------------------------

    def test_progress_bar_on_a_terminal_and_lines_otherwise(self):
        self.photos('in', 3, size=(160, 120))
        pid, fd = pty.fork()
        if pid == 0:
            os.execvp(TOOL, [TOOL, self.path('in'), '-o', self.path('tty')])
        seen, deadline = b'', time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 1.0)
            if ready:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, seen)
        text = seen.decode('utf-8', 'replace')
        self.assertIn('ETA', text)
        self.assertIn('MP/s', text)
        self.assertRegex(text, r'\[#+\.*\] [0-3]/3')
        self.assertIn('3 made, 0 already there, 0 failed', text)

        result = run_tool(self.path('in'), '-o', self.path('lines'))
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 4, result.stdout)
        self.assertRegex(lines[0], r'^\[1/3\] .*photo-00\.png -> .*photo-00\.png \(320×240, ')
        self.assertNotIn('ETA', result.stdout + result.stderr)
        quiet = run_tool('-Q', '--overwrite', self.path('in'), '-o', self.path('lines'))
        self.assertEqual((quiet.returncode, quiet.stdout, quiet.stderr), (0, '', ''))

    def test_usage_errors(self):
        (name,) = self.photos('in', 1)
        out = self.path('out')
        for args, message in (
                ((name,), '-o DIR'),
                (('-o', out), 'INPUT'),
                ((name, '-o', out, '-s', '9'), '--scale 9 is out of range'),
                ((name, '-o', out, '-s', '0.5'), '--scale 0.5 is out of range'),
                ((name, '-o', out, '-a', '7'), '--alpha 7 is out of range'),
                ((name, '-o', out, '--shard', '0/3'), '--shard 0/3'),
                ((name, '-o', out, '--shard', '4/3'), '--shard 4/3'),
                ((name, '-o', out, '-n', 'a/{stem}.{ext}'), '--name'),
                ((name, '-o', out, '-n', '{nope}.png'), '--name'),
                ((name, '-o', out, '-f', 'bmp'), '--format bmp'),
                ((name, '-o', out, '-d', '12'), '--depth 12'),
                ((name, '-o', out, '-q', '0'), '--quality 0'),
                ((name, '-o', out, '-j', '0'), '--jobs 0'),
                ((name, '-o', out, '--overwrite', '--skip-existing'), 'exclude'),
                ((name, '-o', out, '-m', self.path('no-model.safetensors')), 'no-model'),
                ((name, '-o', name), 'not a folder'),
        ):
            result = run_tool(*args)
            self.assertEqual(result.returncode, 2, (args, result.stderr))
            self.assertIn(message, result.stderr, args)
        self.assertFalse(os.path.exists(os.path.join(out, 'photo-00.png')))
        # A model file that is no model: the worker's warm-up says so.
        bad_model = self.path('bad.safetensors')
        with open(bad_model, 'wb') as f:
            f.write(b'\x10\x00\x00\x00\x00\x00\x00\x00{"a":1}        ')
        result = run_tool(name, '-o', out, '-m', bad_model)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn('network could not be used', result.stderr)

    def test_a_missing_saver_stops_the_run_before_any_image(self):
        """A GEGL without the WebP saver (GEGL_PATH's folders, each module
        linked in but webp-save.so): -f webp ends at once with the
        operation's name, before any image is upscaled; PNG still works."""
        (name,) = self.photos('in', 1)
        out = self.path('out')
        modules = self.path('gegl-modules')
        os.mkdir(modules)
        for folder in os.environ['GEGL_PATH'].split(os.pathsep):
            for entry in os.listdir(folder):
                if entry.endswith('.so') and entry != 'webp-save.so':
                    os.symlink(os.path.join(folder, entry), os.path.join(modules, entry))
        env = dict(os.environ, GEGL_PATH=modules)
        result = subprocess.run([TOOL, name, '-o', out, '-f', 'webp'], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn('GEGL has no operation gegl:webp-save', result.stderr)
        self.assertNotIn('photo-00', result.stderr)
        self.assertEqual(os.listdir(out) if os.path.isdir(out) else [], [])
        result = subprocess.run([TOOL, name, '-o', out, '-s', '1.5'], env=env, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(os.listdir(out), ['photo-00.png'])


def make_wide_gamut_icc():
    """An RGB matrix/TRC ICC profile with Adobe RGB (1998)'s primaries and
    white, written by babl (GEGL's colour library) through ctypes, so the
    test needs no profile file."""
    import ctypes
    babl = ctypes.CDLL('libbabl-0.1.so.0')
    babl.babl_init()
    babl.babl_space_from_chromaticities.restype = ctypes.c_void_p
    babl.babl_space_from_chromaticities.argtypes = [ctypes.c_char_p] + [ctypes.c_double] * 8 + [
        ctypes.c_void_p] * 3 + [ctypes.c_int]
    babl.babl_trc_gamma.restype = ctypes.c_void_p
    babl.babl_trc_gamma.argtypes = [ctypes.c_double]
    babl.babl_space_get_icc.restype = ctypes.c_void_p
    babl.babl_space_get_icc.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)]
    trc = babl.babl_trc_gamma(2.19921875)
    space = babl.babl_space_from_chromaticities(
        b'hfsr-test-wide', 0.3127, 0.3290, 0.64, 0.33, 0.21, 0.71, 0.15, 0.06,
        trc, trc, trc, 0)
    length = ctypes.c_int(0)
    data = babl.babl_space_get_icc(space, ctypes.byref(length))
    return ctypes.string_at(data, length.value)


if __name__ == '__main__':
    unittest.main(verbosity=2)
