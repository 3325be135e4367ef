# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The plug-in's dialogs in GIMP 2.10's real user interface on a virtual X
display (Xvfb), driven through GIMP's Script-Fu server and xdotool: every
dialog opens with its live preview drawn (a screenshot of each is kept),
Cancel leaves the image as it was, OK applies, and one Ctrl+Z in the image
window undoes a whole run, a super-resolution that scaled the image
included.  A 2400 x 1800 photo upscaled x2 from the menu moves the progress
bar in the image window; its Cancel button stops the run and leaves the
image as it was, and a second run completes.

Usage: test_plugin_gui.py BUILD_PLUGIN_DIR SYSTEM_PLUGIN_DIR [SCREENSHOT_DIR]
with meson's test_env.  Exits 77 where gimp-2.10, Xvfb, xdotool or
ImageMagick's import is missing.
"""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

try:
    import numpy as np
    from PIL import Image
    import gimp_harness as harness
    from gui_harness import DisplayTest, SETTLE_S
except ImportError as error:
    print(f'SKIP: {error}')
    sys.exit(77)

PROGRAMS = ('gimp-2.10', 'Xvfb', 'xdotool', 'import', 'gegl')
SOURCE_ROOT = os.environ.get('HFSR_SOURCE_ROOT', '')
SAMPLE = os.path.join(SOURCE_ROOT, 'data', 'sample.png')
# How long GIMP may take to start.
START_TIMEOUT_S = 120
# The photo a user upscales from the menu: large enough that its render
# lasts several samples of the status bar (progress_steps).
PHOTO_SIZE = (2400, 1800)
PLUGIN_DIRS = []


class ScriptFuServer:
    """GIMP's Script-Fu server: a request is 'G', a 16-bit big-endian
    length and the Scheme text; the answer 'G', an error flag, a length
    and the result as text."""

    def __init__(self, port):
        self.port = port

    def call(self, command, timeout=harness.GIMP_TIMEOUT_S):
        data = command.encode('utf-8')
        with socket.create_connection(('127.0.0.1', self.port),
                                      timeout=timeout) as connection:
            connection.sendall(b'G' + struct.pack('>H', len(data)) + data)
            head = self._receive(connection, 4)
            body = self._receive(connection, struct.unpack('>H', head[2:])[0])
        result = body.decode('utf-8', 'replace')
        if head[1] != 0:
            raise AssertionError(f'Script-Fu failed: {command}\n{result}')
        return result

    @staticmethod
    def _receive(connection, size):
        data = b''
        while len(data) < size:
            chunk = connection.recv(size - len(data))
            if not chunk:
                raise AssertionError('GIMP closed the Script-Fu connection')
            data += chunk
        return data

    def call_in_background(self, command):
        """Starts COMMAND (one that opens a dialog and waits for it);
        join() the returned thread, then read its .result."""
        thread = threading.Thread(target=self._call_into, args=(command,),
                                  daemon=True)
        thread.result = None
        thread.start()
        return thread

    def _call_into(self, command):
        threading.current_thread().result = self.call(command)


def free_port():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


class PluginDialogs(DisplayTest):
    displays = {}

    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix='hfsr-plugin-gui-')
        harness.make_inputs(cls.work)
        sample = np.asarray(Image.open(SAMPLE).convert('RGB'))
        # A softened copy: the reference of the GMS map.
        soft = sample.astype(np.float64)
        for axis in (0, 1):
            soft = (np.roll(soft, 1, axis) + soft +
                    np.roll(soft, -1, axis)) / 3
        harness.write_png(os.path.join(cls.work, 'sample.png'), sample)
        harness.write_png(os.path.join(cls.work, 'sample-soft.png'),
                          np.rint(soft).astype(np.uint8))
        shutil.copy(os.path.join(SOURCE_ROOT, 'tests', 'tools', 'fixtures', 'sr2',
                                 'digit-x2-0001-2.png'), cls.work)
        harness.write_png(os.path.join(cls.work, 'photo.png'), np.asarray(
            Image.open(SAMPLE).convert('RGB').resize(PHOTO_SIZE,
                                                     Image.BICUBIC)))

        # The shipped networks where there are some, else a stand-in:
        # bilinear upsampling (harness.SR_NETWORKS[0], gain 1).
        models = os.path.join(SOURCE_ROOT, 'models')
        if not any(name.startswith('hfsr-x2-a')
                   for name in os.listdir(models)):
            models = os.path.join(cls.work, 'models')
            harness.write_sr_networks(models, harness.SR_NETWORKS[:1])
        cls.sr = harness.gegl_has_op('hfsr:super-resolution')
        profile = harness.GimpProfile(cls.work, PLUGIN_DIRS,
                                      {'GEGL_PATH': os.environ['GEGL_PATH'],
                                       'HFSR_MODEL_PATH': models})

        cls.start_xvfb()
        port = free_port()
        cls.gimp_log = open(os.path.join(cls.work, 'gimp.log'), 'wb')
        cls.processes.append(subprocess.Popen(
            ['timeout', str(harness.GIMP_TIMEOUT_S * 2), 'gimp-2.10', '-n',
             '-s'] + profile.arguments() +
            ['-b', '(plug-in-script-fu-server 1 "127.0.0.1" %d "")' % port],
            cwd=cls.work, env=profile.env(DISPLAY=cls.display),
            stdout=cls.gimp_log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True))
        cls.gimp = ScriptFuServer(port)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                cls.gimp.call('(gimp-version)', timeout=10)
                break
            except OSError:
                if (time.monotonic() > deadline or
                        cls.processes[-1].poll() is not None):
                    raise
                time.sleep(1)

    @classmethod
    def tearDownClass(cls):
        cls.stop_processes()
        cls.gimp_log.close()
        if not os.environ.get('HFSR_KEEP_TEST_FILES'):
            shutil.rmtree(cls.work, ignore_errors=True)

    # ------------------------------------------------------------ helpers

    def open_image(self, file, layers=()):
        """FILE as a new image in a window, with LAYERS (files) below its
        layer; returns the image and drawable IDs as Scheme text.  The
        image goes with its window (close_image)."""
        image = self.gimp.call(
            '(car (gimp-file-load RUN-NONINTERACTIVE "%s" "%s"))'
            % (os.path.join(self.work, file), file))
        drawable = self.gimp.call('(car (gimp-image-get-active-drawable %s))'
                                  % image)
        for layer_file in layers:
            self.gimp.call(
                '(gimp-image-insert-layer %s (car (gimp-file-load-layer '
                'RUN-NONINTERACTIVE %s "%s")) 0 1)'
                % (image, image, os.path.join(self.work, layer_file)))
        self.gimp.call('(gimp-image-set-active-layer %s %s)'
                       % (image, drawable))
        self.gimp.call('(gimp-image-clean-all %s)' % image)
        self.displays[image] = self.gimp.call('(car (gimp-display-new %s))'
                                              % image)
        return image, drawable

    def close_image(self, image):
        self.gimp.call('(gimp-display-delete %s)' % self.displays.pop(image))

    def state(self, image):
        """Size, layer count and dirtiness of IMAGE."""
        return self.gimp.call(
            '(list (car (gimp-image-width {0})) (car (gimp-image-height {0}))'
            ' (car (gimp-image-get-layers {0}))'
            ' (car (gimp-image-is-dirty {0})))'.format(image))

    def undo_in_window(self, file):
        """Ctrl+Z in the window of the image loaded from FILE."""
        self.press(self.window(file), 'ctrl+z')
        time.sleep(SETTLE_S)

    def open_dialog(self, title, call):
        """Opens the dialog TITLE by CALL (Scheme, run in the background)
        and gives its preview time to draw; returns the running call and
        the dialog."""
        running = self.gimp.call_in_background(call)
        dialog = self.window(title)
        time.sleep(SETTLE_S)
        return running, dialog

    def check_dialog(self, title, call, screenshot):
        """Opens a dialog by CALL, waits for its preview, keeps a
        screenshot and cancels it; returns the call's result."""
        running, dialog = self.open_dialog(title, call)
        self.assert_drawn(self.screenshot(dialog, screenshot))
        self.press(dialog, 'Escape')
        self.gone(dialog)
        running.join(harness.GIMP_TIMEOUT_S)
        return running.result

    # -------------------------------------------------------------- tests

    def test_dialogs_open_with_preview_and_cancel_leaves_the_image(self):
        cases = [('High-frequency map', 'sample.png', (),
                  '(plug-in-hfsr-hf-map RUN-INTERACTIVE {0} {1} 2 0.2 0.1)',
                  'dialog-hf-map.png'),
                 ('Gradient magnitude similarity map', 'sample.png',
                  ('sample-soft.png',),
                  '(plug-in-hfsr-gms-map RUN-INTERACTIVE {0} {1} {1} 2 0.1 1 '
                  '1.5 2)', 'dialog-gms-map.png')]
        if self.sr:
            cases.append(('HF Super-Resolution', 'sample.png', (),
                          '(plug-in-hfsr-super-resolution RUN-INTERACTIVE {0} '
                          '{1} 2 0.2 FALSE 0)', 'dialog-super-resolution.png'))
            cases.append(('DoG Super-Resolution', 'sample.png', (),
                          '(plug-in-hfsr-dog-sr RUN-INTERACTIVE {0} {1} 2 1 0 1 '
                          '1.249 1.545 1.96588 2.452527 3.090016 10)',
                          'dialog-dog-sr.png'))
            cases.append(('Structure-aware Super-Resolution', 'digit-x2-0001-2.png', (),
                          '(plug-in-hfsr-structure-sr RUN-INTERACTIVE {0} {1} 2 0 1 9 TRUE 0)',
                          'dialog-structure-sr.png'))
        for title, file, layers, call, screenshot in cases:
            with self.subTest(title):
                image, drawable = self.open_image(file, layers)
                before = self.state(image)
                self.check_dialog(title, call.format(image, drawable),
                                  screenshot)
                self.assertEqual(self.state(image), before)
                self.close_image(image)

    def test_ok_adds_the_map_and_ctrl_z_removes_it(self):
        image, drawable = self.open_image('rgb8.png')
        running, dialog = self.open_dialog(
            'High-frequency map',
            '(plug-in-hfsr-hf-map RUN-INTERACTIVE %s %s 2 0.2 0.1)'
            % (image, drawable))
        self.press(dialog, 'Return')
        running.join(harness.GIMP_TIMEOUT_S)
        self.assertEqual(self.state(image), '(56 40 2 1)')
        self.undo_in_window('rgb8.png')
        self.assertEqual(self.gimp.call('(car (gimp-image-get-layers %s))'
                                        % image), '1')
        self.close_image(image)

    def test_one_ctrl_z_undoes_a_super_resolution(self):
        if not self.sr:
            self.skipTest('hfsr:super-resolution is not in this build')
        image, drawable = self.open_image('grey8.png')
        self.gimp.call('(plug-in-hfsr-super-resolution RUN-NONINTERACTIVE '
                       '%s %s 2 0.2 FALSE 0)' % (image, drawable))
        self.assertEqual(self.state(image), '(96 72 1 1)')
        self.undo_in_window('grey8.png')
        # The image and its drawable are back as they were; whether GIMP
        # still counts the image as changed is its business.
        self.assertTrue(self.state(image).startswith('(48 36 1 '))
        self.assertEqual(self.gimp.call('(car (gimp-drawable-width %s))'
                                        % drawable), '48')
        self.close_image(image)

    def test_typed_size_sets_the_scale(self):
        """The dialog's result size, as a user types it: a width of 84
        for the 56 x 40 image makes the scale 1.5 and the height 60; OK
        scales the image to that (a screenshot of the dialog is kept).
        Named to run last: the dialog remembers the scale."""
        if not self.sr:
            self.skipTest('hfsr:super-resolution is not in this build')
        image, drawable = self.open_image('rgb8.png')
        running, dialog = self.open_dialog(
            'HF Super-Resolution',
            '(plug-in-hfsr-super-resolution RUN-INTERACTIVE %s %s 2 0.2 FALSE 0)'
            % (image, drawable))
        self.type_into(dialog, 'z', '84')
        self.screenshot(dialog, 'dialog-result-size.png')
        self.ok(dialog)
        running.join(harness.GIMP_TIMEOUT_S)
        self.assertEqual(self.state(image), '(84 60 1 1)')
        self.close_image(image)

    def test_menu_run_shows_progress_and_its_cancel_leaves_the_image(self):
        if not self.sr:
            self.skipTest('hfsr:super-resolution is not in this build')
        image, drawable = self.open_image('photo.png')
        window = self.window('photo.png')
        idle = self.status_bar(window)
        histogram = '(gimp-drawable-histogram %s HISTOGRAM-VALUE 0 1)' \
            % drawable
        before = (self.state(image), self.gimp.call(histogram))

        # A first run, cancelled from the status bar as soon as its Cancel
        # button shows: while the network renders, GIMP answers clicks; once
        # the plug-in hands the result over, GIMP runs those calls in its
        # own main loop and sees a click only when they are done, too late
        # to cancel (clicking after three states of the bar made that a
        # race once the engine got faster).
        self.run_from_menu(window, 'HF Super-Resolution')
        self.click_cancel(window, idle)
        time.sleep(SETTLE_S)
        self.assertEqual((self.state(image), self.gimp.call(histogram)),
                         before)

        # A second run goes to the end, the bar moving all along.
        started = time.monotonic()
        self.run_from_menu(window, 'HF Super-Resolution')
        seen = self.progress_steps(
            window, idle, lambda: self.state(image) != before[0])
        print(f'\n{PHOTO_SIZE[0]} x {PHOTO_SIZE[1]} upscaled x2 from the '
              f'menu in {time.monotonic() - started:.0f} s; the progress '
              f'bar showed {len(seen)} states', file=sys.stderr)
        # The bar is sampled several times a second, so the states seen follow
        # the run's speed: with the fused engine the render takes a few
        # seconds of the run (the rest is GIMP taking the result), and 3
        # states still show a bar that moves rather than jumps to the end.
        self.assertGreaterEqual(len(seen), 3, f'progress seen: {seen}')
        self.assertEqual(self.state(image), '(%d %d 1 1)'
                         % (2 * PHOTO_SIZE[0], 2 * PHOTO_SIZE[1]))
        self.close_image(image)


def main():
    global PLUGIN_DIRS
    PLUGIN_DIRS = harness.plugin_dirs_from_arguments(__doc__)
    if len(sys.argv) > 3:
        PluginDialogs.screenshot_dir = sys.argv[3]
        os.makedirs(sys.argv[3], exist_ok=True)
    for program in PROGRAMS:
        if shutil.which(program) is None:
            print(f'SKIP: no {program}')
            return 77
    result = unittest.main(argv=sys.argv[:1], exit=False, verbosity=2).result
    return 0 if result.wasSuccessful() else 1


if __name__ == '__main__':
    sys.exit(main())
