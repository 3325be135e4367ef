# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The reliability suite's GIMP 3 side, run inside gimp-console-3.0 by
test_gimp3_reliability.py (python-fu-eval, with JOB, a JSON file, in its
globals): each file loaded by GIMP 3's own loaders, each hfsr op applied to
a copy of it as GIMP 3's generated filter (Gimp.DrawableFilter, merged into
the layer) and each procedure of the GIMP 3 plug-in called on a copy (a
case whose operation is a plug-in-hfsr-* procedure), as a user or a
Python-Fu script would.

GIMP's exit code says nothing, so every outcome goes to the results file
as "KEY<TAB>VALUE" lines, written and flushed one at a time: per file
"FILE.loaded" (size, base type and precision, or why it failed) and
"FILE.input" (its values, counted as ".values" below); per case
"FILE|CASE.begin" before the filter runs (a begin with nothing after it is
where GIMP crashed or hung), then ".size" (the layer's), ".canvas" (the
image's), ".type" (the image's base type), ".values" (how many of the
layer's values, read back as RGBA float, are not finite, and the range of
those that are) and last ".status" (ok, or the error GIMP gave).
"""
import json
import math
import os
import traceback

import gi
gi.require_version('Gimp', '3.0')
gi.require_version('Gegl', '0.4')
from gi.repository import Gegl, Gimp, Gio  # noqa: E402

try:
    import numpy
except ImportError:  # the values are then counted in Python
    numpy = None


def size_of(item):
    return f'{item.get_width()}x{item.get_height()}'


def read_values(layer):
    """'non-finite N of M, range LO..HI' of the layer's pixels as RGBA
    float, read through its GEGL buffer."""
    buffer = layer.get_buffer()
    extent = buffer.get_extent()
    data = buffer.get(extent, 1.0, 'RGBA float', Gegl.AbyssPolicy.NONE)
    if numpy is not None:
        values = numpy.frombuffer(bytes(data), dtype=numpy.float32)
        finite = values[numpy.isfinite(values)]
        bad = values.size - finite.size
        low, high = ((float(finite.min()), float(finite.max()))
                     if finite.size else (math.nan, math.nan))
        total = values.size
    else:
        import array
        values = array.array('f', bytes(data))
        finite = [v for v in values if math.isfinite(v)]
        bad, total = len(values) - len(finite), len(values)
        low, high = (min(finite), max(finite)) if finite else (math.nan, math.nan)
    return f'non-finite {bad} of {total}, range {low:.6g}..{high:.6g}'


def apply_filter(target, operation, settings, aux):
    """OPERATION as GIMP 3's filter, merged into TARGET."""
    drawable_filter = Gimp.DrawableFilter.new(target, operation, '')
    config = drawable_filter.get_config()
    for prop, value in settings.items():
        config.set_property(prop, value)
    if aux:
        # the layer itself as the reference: GMS of an image against
        # itself is defined (1 everywhere)
        drawable_filter.set_aux_input('aux', target)
    drawable_filter.update()
    target.merge_filter(drawable_filter)


def run_procedure(image, target, name, settings, reference):
    """The plug-in's procedure NAME on TARGET, as a script calls it; 'ok'
    or 'error: ' and the message it gave."""
    procedure = Gimp.get_pdb().lookup_procedure(name)
    if procedure is None:
        return f'error: no procedure {name}'
    config = procedure.create_config()
    config.set_property('run-mode', Gimp.RunMode.NONINTERACTIVE)
    config.set_property('image', image)
    config.set_core_object_array('drawables', [target])
    for prop, value in settings.items():
        config.set_property(prop, value)
    if reference:
        config.set_property('reference', target)
    result = procedure.run(config)
    if result.index(0) == Gimp.PDBStatusType.SUCCESS:
        return 'ok'
    return 'error: ' + (str(result.index(1)) if result.length() > 1 else
                        result.index(0).value_nick)


def run(job):
    with open(job) as f:
        spec = json.load(f)
    results = open(spec['results'], 'a', encoding='utf-8')

    def note(key, value):
        # one line per write, flushed: what GIMP did before a crash stays
        results.write(f'{key}\t{value}'.replace('\n', ' ') + '\n')
        results.flush()
        os.fsync(results.fileno())

    # The cases in order, grouped by file: each file is loaded once.
    for name, cases in spec['work']:
        path = os.path.join(spec['directory'], name)
        try:
            image = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE,
                                   Gio.File.new_for_path(path))
            layer = image.get_layers()[0]
        except Exception as error:  # GLib.Error from the loader
            note(f'{name}.loaded', f'failed: {error}')
            continue
        note(f'{name}.loaded', f'{size_of(layer)} {image.get_base_type().value_nick} '
                               f'{image.get_precision().value_nick}')
        # what the filters get: the non-finite files must reach them as such
        note(f'{name}.input', read_values(layer))
        for case in cases:
            key = f'{name}|{case}'
            operation, settings, aux = spec['cases'][case]
            note(key + '.begin', '1')
            copy = image.duplicate()
            target = copy.get_layers()[0]
            try:
                if operation.startswith('plug-in-'):
                    status = run_procedure(copy, target, operation, settings, aux)
                else:
                    apply_filter(target, operation, settings, aux)
                    status = 'ok'
            except Exception as error:
                status = 'error: ' + (str(error) or type(error).__name__)
            # A PDB call: when GIMP's core died in the filter, libgimp ends
            # this script here and the case has no status.
            target = copy.get_layers()[0]
            note(key + '.size', size_of(target))
            note(key + '.canvas', size_of(copy))
            # an indexed image stays indexed: the result is in its palette
            note(key + '.type', copy.get_base_type().value_nick)
            try:
                note(key + '.values', read_values(target))
            except Exception as error:
                note(key + '.values', f'unreadable: {error}')
            note(key + '.status', status)
            copy.delete()
        image.delete()
    note('done', '1')
    results.close()


try:
    run(JOB)  # noqa: F821 (given by the caller)
except Exception:
    # python-fu-eval prints little; the driver shows GIMP's log
    traceback.print_exc()
    raise
