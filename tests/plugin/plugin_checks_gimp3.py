# hfsr — task-aware super-resolution for GEGL and GIMP.
# Copyright (C) 2026 the hfsr authors
# SPDX-License-Identifier: GPL-3.0-or-later
"""The GIMP 3 plug-in's procedures called from Python-Fu as a script calls
them, inside gimp-console-3.0 (test_gimp3_plugin.py runs this with
python-fu-eval and JOB, a JSON file, in its globals).

GIMP's exit code says nothing, so every case writes what it saw to the
results file ("KEY<TAB>VALUE" lines, flushed one at a time) and the pixels
of its result layers to KEY.raw (R'G'B'A float, as the ops see them);
test_gimp3_plugin.py checks them against the `gegl` command and the inputs.

A case: {key, procedure, file, args}, and optionally reference (a file
loaded as a layer below the drawable and given as the reference
argument), other (a file loaded as a layer below, at offsets 5, 7: the
other layers an in-place upscale must scale) and no-reference (the
reference argument left empty).
"""
import json
import os
import traceback

import gi
gi.require_version('Gimp', '3.0')
gi.require_version('Gegl', '0.4')
from gi.repository import Gegl, Gimp, Gio  # noqa: E402


def size_of(item):
    return f'{item.get_width()}x{item.get_height()}'


def write_pixels(drawable, path):
    buffer = drawable.get_buffer()
    data = buffer.get(buffer.get_extent(), 1.0, "R'G'B'A float",
                      Gegl.AbyssPolicy.NONE)
    with open(path, 'wb') as f:
        f.write(bytes(data))


def load_layer(image, directory, file, position, offsets=None):
    layer = Gimp.file_load_layer(Gimp.RunMode.NONINTERACTIVE, image,
                                 Gio.File.new_for_path(os.path.join(directory, file)))
    image.insert_layer(layer, None, position)
    if offsets:
        layer.set_offsets(*offsets)
    return layer


def profile_bytes(image):
    profile = image.get_color_profile()
    return bytes(profile.get_icc_profile()) if profile is not None else b''


def run(job):
    with open(job) as f:
        spec = json.load(f)
    directory = spec['directory']
    results = open(spec['results'], 'a', encoding='utf-8')
    pdb = Gimp.get_pdb()
    loaded = {}

    def note(key, value):
        results.write(f'{key}\t{value}'.replace('\n', ' ') + '\n')
        results.flush()

    def raw(key, drawable):
        write_pixels(drawable, os.path.join(directory, key + '.raw'))
        note(key + '.raw-size', size_of(drawable))

    for case in spec['cases']:
        key = case['key']
        file = case['file']
        if file not in loaded:
            loaded[file] = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE,
                                          Gio.File.new_for_path(os.path.join(directory, file)))
        image = loaded[file].duplicate()
        drawable = image.get_layers()[0]
        if case.get('other'):
            other = load_layer(image, directory, case['other'], 1, (5, 7))
        procedure = pdb.lookup_procedure(case['procedure'])
        config = procedure.create_config()
        config.set_property('run-mode', Gimp.RunMode.NONINTERACTIVE)
        config.set_property('image', image)
        config.set_core_object_array('drawables', [drawable])
        for name, value in case['args'].items():
            config.set_property(name, value)
        if case.get('reference'):
            config.set_property('reference',
                                load_layer(image, directory, case['reference'], 1))
        profile = profile_bytes(image)
        note(key + '.begin', '1')
        result = procedure.run(config)
        status = result.index(0)
        if status == Gimp.PDBStatusType.SUCCESS:
            note(key + '.status', 'ok')
        else:
            message = result.index(1) if result.length() > 1 else ''
            note(key + '.status', f'{status.value_nick}: {message}')
        layers = image.get_layers()
        note(key + '.size', size_of(image))
        note(key + '.layers', len(layers))
        note(key + '.drawable-position', image.get_item_position(drawable))
        raw(key + '-source', drawable)
        if case.get('other'):
            note(key + '.other.geometry',
                 '%s+%d+%d' % ((size_of(other),) + tuple(other.get_offsets()[1:])))
        if status == Gimp.PDBStatusType.SUCCESS:
            note_result(note, raw, key, image, drawable, result, profile)
        image.delete()
    note('done', '1')
    results.close()


def note_result(note, raw, key, image, drawable, result, profile):
    """What a successful call left: the map layer, or the result image
    with its layers (a DoG-SR layer group level by level)."""
    first = result.index(1)
    if isinstance(first, Gimp.Layer) and result.length() == 2:
        note(key + '.name', first.get_name())
        note(key + '.position', image.get_item_position(first))
        note(key + '.geometry', '%s+%d+%d' % ((size_of(first),) + tuple(first.get_offsets()[1:])))
        raw(key, first)
        return
    result_image, result_drawable = first, result.index(2)
    note(key + '.same-image', int(result_image.get_id() == image.get_id()))
    note(key + '.result.size', size_of(result_image))
    note(key + '.result.layers', len(result_image.get_layers()))
    note(key + '.result.name', result_drawable.get_name())
    note(key + '.result.base-type', result_image.get_base_type().value_nick)
    note(key + '.result.precision', result_image.get_precision().value_nick)
    note(key + '.precision', image.get_precision().value_nick)
    note(key + '.same-profile', int(profile_bytes(result_image) == profile))
    raw(key, result_drawable)
    top = result_image.get_layers()[0]
    if top.is_group_layer():
        children = top.get_children()
        note(key + '.group', top.get_name())
        note(key + '.levels', len(children))
        # level 1 on top
        for level, child in enumerate(children, 1):
            note(f'{key}-level{level}.name', child.get_name())
            note(f'{key}-level{level}.visible', int(child.get_visible()))
            raw(f'{key}-level{level}', child)
    elif top.get_id() != result_drawable.get_id():
        note(key + '-overlay.name', top.get_name())
        raw(key + '-overlay', top)
    if result_image.get_id() != image.get_id():
        result_image.delete()


try:
    run(JOB)  # noqa: F821 (given by the caller)
except Exception:
    traceback.print_exc()
    raise
