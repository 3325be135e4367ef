# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""Python-Fu batch examples for GIMP 3: the hfsr filters on every PNG and
JPEG of a folder, headless.  Results are PNG files in another folder
(made if missing), named after their source.  Run this file in GIMP's
Python and call a function, in one -b:

gimp-console-3.0 -i --batch-interpreter=python-fu-eval -b '
exec(open("/usr/share/hfsr/scripts/hfsr-batch.py").read())
hfsr_batch_upscale("/photos", "/photos/x2", scale=2, alpha=0.2)' --quit

(The Python lines start at the left margin, and each -b command runs in a
Python of its own: run the file and call in one.  The folder is
/usr/local/share/hfsr/scripts for an install to /usr/local, and
~/.local/share/hfsr/scripts for a user install.)

  hfsr_batch_upscale(IN, OUT, scale=2, alpha=0.2)      OUT/<name>-x<scale>.png
  hfsr_batch_hf_map(IN, OUT, mode='selection', alpha=0.2, cutoff=0.1)
                                                       OUT/<name>-hf-<mode>.png
      mode: 'signed', 'magnitude', 'selection' or 'highpass'

Each call prints a line per file and the count of files done and failed.
A file that fails (to load, in the filter, to save) is reported with
GIMP's message and skipped; the others go on.  The call returns the number
of files done, or, when any failed, raises an error after the last file,
so that gimp-console-3.0 exits with status 64 (0 when all were done).
"""
import os

import gi
gi.require_version('Gimp', '3.0')
from gi.repository import Gimp, Gio  # noqa: E402

HFSR_BATCH_EXTENSIONS = ('.png', '.jpg', '.jpeg')
HFSR_BATCH_MAP_MODES = ('signed', 'magnitude', 'selection', 'highpass')


class HfsrBatchError(Exception):
    """A file that could not be done, with GIMP's message."""


def hfsr_batch_files(folder):
    """The PNG and JPEG files of FOLDER, whatever the case of their
    extension, sorted by name."""
    return [os.path.join(folder, name) for name in sorted(os.listdir(folder))
            if name.lower().endswith(HFSR_BATCH_EXTENSIONS)]


def hfsr_batch_call(procedure, image, **arguments):
    """Runs PROCEDURE non-interactively on IMAGE's selected layer with
    ARGUMENTS (PDB names with '_' for '-'); returns its return values."""
    config = procedure.create_config()
    config.set_property('run-mode', Gimp.RunMode.NONINTERACTIVE)
    config.set_property('image', image)
    config.set_core_object_array('drawables', image.get_selected_drawables())
    for name, value in arguments.items():
        config.set_property(name.replace('_', '-'), value)
    result = procedure.run(config)
    if result.index(0) != Gimp.PDBStatusType.SUCCESS:
        raise HfsrBatchError(result.index(1) or Gimp.get_pdb().get_last_error())
    return result


def hfsr_batch_run(name, folder, out, suffix, process):
    """Loads each file of FOLDER, runs PROCESS(procedure NAME, image) on it
    and saves the image as OUT/<name><SUFFIX>.png."""
    pdb = Gimp.get_pdb()
    procedure = pdb.lookup_procedure(name)
    if procedure is None:
        raise HfsrBatchError(f'{name} is missing: is the hfsr plug-in for GIMP 3 installed?')
    os.makedirs(out, exist_ok=True)
    done, failed = 0, 0
    for path in hfsr_batch_files(folder):
        stem = os.path.splitext(os.path.basename(path))[0]
        target = os.path.join(out, stem + suffix + '.png')
        # Both return a failure (None, False) rather than raise it.
        image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(path))
        if image is None:
            failed += 1
            print(f'hfsr-batch: {path} failed to load: {pdb.get_last_error()}', flush=True)
            continue
        try:
            process(procedure, image)
            if not Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, image,
                                  Gio.File.new_for_path(target), None):
                raise HfsrBatchError(f'cannot save {target}: {pdb.get_last_error()}')
            done += 1
            print(f'hfsr-batch: {path} -> {target}', flush=True)
        except HfsrBatchError as error:
            failed += 1
            print(f'hfsr-batch: {path} failed: {error}', flush=True)
        finally:
            image.delete()
    print(f'hfsr-batch: {done} done, {failed} failed', flush=True)
    if failed:
        raise HfsrBatchError(f'{failed} of {done + failed} files failed')
    return done


def hfsr_batch_upscale(folder, out, scale=2, alpha=0.2, variant='fidelity'):
    """Each image upscaled SCALE times (1 to 8, such as 2.5) with detail
    weight ALPHA (0 to 1/3) by the networks for that scale; VARIANT
    'perceptual' for the sharp ones (ALPHA then ignored)."""
    return hfsr_batch_run(
        'plug-in-hfsr-super-resolution', folder, out, f'-x{scale:g}',
        lambda procedure, image: hfsr_batch_call(procedure, image, scale=scale, alpha=alpha,
                                                 new_image=False, variant=variant))


def hfsr_batch_hf_map(folder, out, mode='selection', alpha=0.2, cutoff=0.1):
    """Each image's high-frequency map (MODE, one of HFSR_BATCH_MAP_MODES)
    at band half-width ALPHA (0 to 1) and, for highpass, CUTOFF, alone in the
    saved file."""
    # GIMP 3.0.4 runs a choice argument it does not know with its default.
    if mode not in HFSR_BATCH_MAP_MODES:
        raise ValueError(f'unknown mode {mode!r}: one of {", ".join(HFSR_BATCH_MAP_MODES)}')

    def hf_map(procedure, image):
        source = image.get_selected_drawables()[0]
        hfsr_batch_call(procedure, image, mode=mode, alpha=alpha, cutoff=cutoff)
        # The map is a new layer above the source: the file gets the map.
        image.remove_layer(source)

    return hfsr_batch_run('plug-in-hfsr-hf-map', folder, out, f'-hf-{mode}', hf_map)
