# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""A virtual X display (Xvfb) and xdotool, for the tests that drive GIMP's
real user interface: GIMP 2.10's (test_plugin_gui.py) and GIMP 3's
(test_gimp3_gui.py).  DisplayTest is a TestCase that starts the display
and stops, at the end, every process it was given; its subclasses find
windows by title, press keys, open a menu item as a user does and keep
screenshots.

A subclass sets work (a folder holding gimp.log, GIMP's output) and
screenshot_dir, and appends what it starts to processes.
"""
import os
import signal
import subprocess
import time
import unittest

import numpy as np
from PIL import Image

# How long a dialog may take to appear, a preview to draw.
WINDOW_TIMEOUT_S = 60
SETTLE_S = 3


class DisplayTest(unittest.TestCase):
    processes = []
    display = None
    work = None
    screenshot_dir = None

    @classmethod
    def start_xvfb(cls):
        """A virtual display of its own; Xvfb picks a free number and
        writes it to the pipe."""
        read_end, write_end = os.pipe()
        cls.processes.append(subprocess.Popen(
            ['Xvfb', '-displayfd', str(write_end), '-screen', '0',
             '1280x960x24', '-nolisten', 'tcp'],
            pass_fds=(write_end,), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True))
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            cls.display = ':' + pipe.readline().strip()
        return cls.display

    @classmethod
    def stop_processes(cls):
        for process in reversed(cls.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()

    def xdotool(self, *arguments):
        process = subprocess.run(['xdotool'] + list(arguments),
                                 env=dict(os.environ, DISPLAY=self.display),
                                 stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, timeout=30)
        return process.stdout.decode().split()

    def window(self, name, timeout=WINDOW_TIMEOUT_S, program=None):
        """The visible window whose title matches NAME (a regular
        expression), and that the process PROGRAM owns when given (a
        plug-in's dialogs are its own process's windows), waited for."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [window for window in
                     self.xdotool('search', '--onlyvisible', '--name', name)
                     if program is None or self.program_of(window) == program]
            if found:
                return found[0]
            time.sleep(0.5)
        titles = [' '.join(self.xdotool('getwindowname', window))
                  for window in self.xdotool('search', '--onlyvisible', '--name', '.')]
        self.fail(f'no window "{name}" appeared (the windows: {titles}); '
                  f'GIMP said:\n{self.log()}')

    def program_of(self, window):
        """The name of the process that owns WINDOW (its _NET_WM_PID)."""
        pid = self.xdotool('getwindowpid', window)
        try:
            with open(f'/proc/{pid[0]}/comm') as f:
                return f.read().strip()
        except (IndexError, OSError):
            return None

    def gone(self, window):
        deadline = time.monotonic() + WINDOW_TIMEOUT_S
        while time.monotonic() < deadline:
            if window not in self.xdotool('search', '--onlyvisible',
                                          '--name', '.'):
                return
            time.sleep(0.5)
        self.fail(f'window {window} is still open')

    def press(self, window, key):
        self.xdotool('windowfocus', '--sync', window)
        self.xdotool('key', key)

    def screenshot(self, window, name):
        path = os.path.join(self.screenshot_dir or self.work, name)
        subprocess.run(['import', '-window', window, path], check=True,
                       env=dict(os.environ, DISPLAY=self.display),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=30)
        return np.asarray(Image.open(path).convert('RGB')).astype(float)

    def assert_drawn(self, pixels, size=250):
        """A drawn dialog: more than SIZE pixels a side, and not one flat
        colour."""
        self.assertGreater(pixels.shape[0], size)
        self.assertGreater(pixels.shape[1], size)
        self.assertGreater(pixels.std(), 10.0)

    def log(self):
        with open(os.path.join(self.work, 'gimp.log'), 'rb') as f:
            return f.read().decode('utf-8', 'replace')[-5000:]

    def open_from_menu(self, window, label, title=None, program=None):
        """Opens the dialog of the menu item LABEL as a user would, with
        GIMP's action search ('/' in the image window); returns the dialog
        (titled TITLE, LABEL unless given, a window of PROGRAM when given)
        once its preview had time to draw."""
        before = set(self.xdotool('search', '--onlyvisible', '--class', '.'))
        self.press(window, 'slash')
        deadline = time.monotonic() + WINDOW_TIMEOUT_S
        while True:
            search = set(self.xdotool('search', '--onlyvisible', '--class',
                                      '.')) - before
            if search:
                break
            self.assertLess(time.monotonic(), deadline,
                            'the action search did not open')
            time.sleep(0.5)
        self.xdotool('windowfocus', '--sync', max(search, key=int))
        self.xdotool('type', '--delay', '50', label)
        time.sleep(1)
        self.xdotool('key', 'Return')
        dialog = self.window(title or label, program=program)
        time.sleep(SETTLE_S)
        return dialog

    def run_from_menu(self, window, label, program=None):
        """open_from_menu, then OK."""
        dialog = self.open_from_menu(window, label, program=program)
        self.press(dialog, 'Return')
        self.gone(dialog)
