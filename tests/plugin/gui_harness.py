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
import sys
import time
import unittest

import numpy as np
from PIL import Image

# How long a dialog may take to appear, a preview to draw.
WINDOW_TIMEOUT_S = 60
SETTLE_S = 3
# How long a run from the menu may take.
RUN_TIMEOUT_S = 600
# The image window's status bar: its bottom rows, where GIMP draws the
# progress bar and its Cancel button.
STATUS_BAR_ROWS = 40
CANCEL_BUTTON_WIDTH = 110
# Clicks on Cancel before it counts as broken, and the wait after each.
CANCEL_CLICKS = 3
CANCEL_WAIT_S = 15


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

    def type_into(self, dialog, mnemonic, text):
        """Types TEXT into the field of DIALOG whose label has MNEMONIC
        (alt+MNEMONIC), replacing what it held, and leaves it with Tab, as
        a user does, so that a spin button takes the value."""
        self.press(dialog, 'alt+' + mnemonic)
        self.xdotool('key', 'ctrl+a')
        self.xdotool('type', '--delay', '50', text)
        self.xdotool('key', 'Tab')
        time.sleep(SETTLE_S)

    def ok(self, dialog):
        """OK (its mnemonic, alt+o, wherever the focus is), then waits for
        the dialog to close."""
        self.press(dialog, 'alt+o')
        self.gone(dialog)

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

    def status_bar(self, window):
        """The bottom rows of WINDOW, where the status bar is."""
        return self.screenshot(window, 'status.png')[-STATUS_BAR_ROWS:]

    def progress_steps(self, window, idle, finished):
        """Watches WINDOW's status bar against IDLE (its pixels before the
        run) until FINISHED() says the run is over; returns the states seen
        (how many status-bar pixels differ from IDLE, growing as the bar
        fills).  It samples as often as a screenshot allows, with a short
        pause: a run whose render takes two or three seconds showed no state
        at all once when sampled every second."""
        seen = []
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while not finished():
            self.assertLess(time.monotonic(), deadline,
                            f'the run did not end in {RUN_TIMEOUT_S} s')
            frame = self.status_bar(window)
            changed = int((np.abs(frame - idle).sum(axis=2) > 30).sum())
            if changed and (not seen or changed != seen[-1]):
                seen.append(changed)
            time.sleep(0.2)
        return seen

    def cancel_button(self, window, idle, deadline):
        """Waits for the Cancel button in WINDOW's status bar: the rightmost
        run of columns that differ from IDLE, if at most
        CANCEL_BUTTON_WIDTH wide (the bar lies to its left, past a gap).
        GIMP first shows the procedure's name across the whole bar, without
        the button, so a wider run means not yet.  Returns the frame and the
        button's rows and columns, or None once the bar has gone."""
        while True:
            self.assertLess(time.monotonic(), deadline,
                            'no Cancel button appeared in the status bar')
            frame = self.status_bar(window)
            changed = np.abs(frame - idle).sum(axis=2) > 30
            columns = np.nonzero(changed.any(axis=0))[0]
            if not len(columns):
                return None
            right = left = columns[-1]
            for column in columns[::-1]:
                if left - column > 2:
                    break
                left = column
            if right - left < CANCEL_BUTTON_WIDTH:
                rows = np.nonzero(changed[:, left:right + 1].any(axis=1))[0]
                return frame, (rows.min(), rows.max()), (left, right)
            time.sleep(0.5)

    def click_cancel(self, window, idle):
        """Clicks the Cancel button of the run in WINDOW's status bar (see
        cancel_button) in its middle and waits for it to go: gone when its
        pixels no longer are what they were at the click (comparing with
        IDLE instead fails when the status text beside it changes, as the
        image's memory size does).  A click can still land while GTK lays
        the bar out, as a user's can; like a user, the test then clicks
        again, a few times, before it calls the button broken.  The frame
        of each click is kept beside the screenshots."""
        geometry = self.xdotool('getwindowgeometry', '--shell', window)
        origin = dict(item.split('=') for item in geometry)
        deadline = time.monotonic() + RUN_TIMEOUT_S
        for attempt in range(CANCEL_CLICKS):
            found = self.cancel_button(window, idle, deadline)
            if found is None:
                return  # the run ended, and its bar with it
            frame, (top, bottom), (left, right) = found
            x = int(origin['X']) + (left + right) // 2
            y = (int(origin['Y']) + int(origin['HEIGHT']) - STATUS_BAR_ROWS
                 + (top + bottom) // 2)
            Image.fromarray(frame.astype(np.uint8)).save(os.path.join(
                self.screenshot_dir or self.work, f'cancel-{attempt + 1}.png'))
            # Moving there first gives GTK the enter event a button needs
            # before it takes a click as its own.
            self.xdotool('mousemove', '--sync', str(x), str(y))
            time.sleep(0.5)
            self.xdotool('click', '1')
            button = np.s_[top:bottom + 1, left:right + 1]
            clicked = frame[button]
            until = time.monotonic() + CANCEL_WAIT_S
            while time.monotonic() < until:
                frame = self.status_bar(window)
                if np.abs(frame[button] - clicked).sum(axis=2).mean() > 30:
                    return
                time.sleep(1)
            print(f'\nclick {attempt + 1} on Cancel at ({x}, {y}), columns '
                  f'{left}-{right}, left the button; clicking again',
                  file=sys.stderr)
        self.fail(f'the Cancel button stayed after {CANCEL_CLICKS} clicks on '
                  'it (the frames are in cancel-*.png and status.png)')

    def wait_for_progress(self, window, idle):
        """Waits until WINDOW's status bar differs from IDLE: the run has
        shown its progress (GIMP 3 shows it a moment after the dialog
        closes)."""
        deadline = time.monotonic() + WINDOW_TIMEOUT_S
        while not (np.abs(self.status_bar(window) - idle).sum(axis=2) > 30).any():
            self.assertLess(time.monotonic(), deadline,
                            'the run showed no progress in the status bar')
            time.sleep(0.2)
