# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""ICDAR 2019 LSVT (Large-scale Street View Text) json labels.

Full labels (``train_full_labels.json``), keyed by image stem::

    {"gt_0": [{"transcription": "...", "points": [[x, y], ...],
               "illegibility": false}, ...], ...}

Weak labels (``train_weak_labels.json``): the same keys with only the
transcriptions of the images' text of interest (no locations)::

    {"gt_30000": [{"transcription": "..."}], ...}

Weak labels give transcription-only instances (``text`` and ``ignore``).
``illegibility: true`` or ``"###"`` gives ``text='###'``, ``ignore=True``.
Images (``gt_N.jpg``) are looked up by stem under ``img_dir`` recursively,
so the official ``train_full_images_0/`` and ``train_full_images_1/``
folders can both sit under it.
"""
import json
import os.path as osp
from typing import Any, Optional

from .base import (IGNORE_TEXT, ConversionError, ConvertReport, ImageIndex,
                   make_data_info, make_instance, progress)


def load_json(path: str) -> Any:
    """Load a json file; errors name the file (and line/column)."""
    try:
        with open(path, encoding='utf-8-sig') as f:
            return json.load(f)
    except json.JSONDecodeError as e:
        raise ConversionError(f'{path}:{e.lineno}: not valid json '
                              f'({e.msg}, column {e.colno})') from None
    except OSError as e:
        raise ConversionError(f'{path}: cannot read ({e})') from None


def parse_lsvt_instance(ann: Any, where: str, weak: bool,
                        add_point: bool = False) -> dict:
    """One LSVT label -> instance. Raises ConversionError naming the field."""
    if not isinstance(ann, dict):
        raise ConversionError(f'{where}: must be an object, got '
                              f'{type(ann).__name__}')
    text = ann.get('transcription')
    if not isinstance(text, str):
        raise ConversionError(f'{where}: field "transcription" must be a '
                              f'string, got {text!r}')
    ignore = bool(ann.get('illegibility', False)) or text.strip() in (
        '', IGNORE_TEXT)
    if ignore:
        text = IGNORE_TEXT
    polygon = None
    if not weak:
        pts = ann.get('points')
        if pts is None:
            raise ConversionError(f'{where}: field "points" missing (pass '
                                  f'mode="weak" for transcription-only '
                                  f'labels)')
        polygon = pts
    try:
        return make_instance(polygon=polygon, text=text, ignore=ignore,
                             add_point=add_point)
    except ValueError as e:
        raise ConversionError(f'{where}: field "points": {e}') from None


def convert_lsvt(ann_file: str,
                 img_dir: str,
                 mode: str = 'auto',
                 data_root: Optional[str] = None,
                 check_images: bool = True,
                 on_error: str = 'raise',
                 add_points: bool = False,
                 img_ext: str = '.jpg',
                 report: Optional[ConvertReport] = None):
    """Convert LSVT ``train_full_labels.json`` / ``train_weak_labels.json``.

    Args:
        ann_file (str): The json file.
        img_dir (str): Image folder (searched recursively by stem).
        mode (str): ``'full'`` (polygons required), ``'weak'``
            (transcriptions only, any ``points`` dropped) or ``'auto'``
            (``'full'`` if any label has ``points``).
        data_root, check_images, on_error, add_points: see
            :func:`mmocr_vlp.datasets.converters.icdar.convert_icdar`.
        img_ext (str): Extension assumed when images are not checked.

    Returns:
        tuple[list[dict], ConvertReport]
    """
    if mode not in ('auto', 'full', 'weak'):
        raise ValueError(f"mode must be 'auto', 'full' or 'weak', got "
                         f'{mode!r}')
    report = report or ConvertReport(on_error)
    data_root = img_dir if data_root is None else data_root
    labels = load_json(ann_file)
    if not isinstance(labels, dict):
        raise ConversionError(f'{ann_file}: expected an object keyed by '
                              f'image name, got {type(labels).__name__}')
    if mode == 'auto':
        mode = 'full' if any(
            isinstance(a, dict) and 'points' in a
            for anns in labels.values() if isinstance(anns, list)
            for a in anns) else 'weak'
    weak = mode == 'weak'
    index = ImageIndex(img_dir)
    data_list = []
    for key in progress(list(labels), desc='LSVT'):
        anns = labels[key]
        where = f'{ann_file}: "{key}"'
        if not isinstance(anns, list):
            report.error('bad_entry', f'{where}: must be a list of labels, '
                         f'got {type(anns).__name__}', image_level=True)
            continue
        instances = []
        for k, ann in enumerate(anns):
            try:
                instances.append(
                    parse_lsvt_instance(ann, f'{where}[{k}]', weak,
                                        add_points))
            except ConversionError as e:
                report.error('bad_label', str(e))
        stem = osp.splitext(key)[0]
        img_file = index.find(stem) if check_images else None
        if img_file is None:  # unchecked, or reported missing below
            img_file = osp.join(img_dir, stem + img_ext)
        info = make_data_info(img_file, instances, data_root, report,
                              check_images, where=where)
        if info is not None:
            data_list.append(info)
    return data_list, report
