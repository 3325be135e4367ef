# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""What a GIMP 3 test does when something it needs is missing: skip (exit
77), as on a Debian 12 host without GIMP 3, or fail where GIMP 3 must be
there (HFSR_GIMP3_REQUIRED=1: scripts/test.sh's step in the Debian 13
chroot).  No imports beyond the standard library, so that it works when
the test's own imports fail."""
import os
import sys

REQUIRED = os.environ.get('HFSR_GIMP3_REQUIRED') == '1'


def skip(why):
    print(('FAIL: ' if REQUIRED else 'SKIP: ') + why)
    sys.exit(1 if REQUIRED else 77)
