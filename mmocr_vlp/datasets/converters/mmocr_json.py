# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""mmocr 1.x textdet / textspotting OCRDataset JSON: validate and normalise.

Input is already our format (``{"metainfo", "data_list"}``); this checks
every field and rewrites it in the normalised form: ``polygon`` and
``bbox`` fill each other in, ``bbox_label`` defaults to 0, ``ignore`` is
set (``text == '###'`` implies it), coordinates become floats, extra keys
(``point``, ``point_score``, ``point_source``, ``chars``, ...) are kept.
A textdet file (no ``text``) stays text-less; the summary counts it.
"""
import os.path as osp
from typing import Optional

from .base import (ConversionError, ConvertReport, make_data_info,
                   make_instance, progress)
from .lsvt import load_json

_KNOWN = {'polygon', 'bbox', 'bbox_label', 'ignore', 'text'}


def normalise_instance(inst, where: str, add_point: bool = False) -> dict:
    """Validate one mmocr instance; raises ConversionError naming the field.
    """
    if not isinstance(inst, dict):
        raise ConversionError(f'{where}: must be an object, got '
                              f'{type(inst).__name__}')
    text = inst.get('text')
    if text is not None and not isinstance(text, str):
        raise ConversionError(f'{where}: field "text" must be a string, got '
                              f'{text!r}')
    ignore = inst.get('ignore', False)
    if not isinstance(ignore, (bool, int)):
        raise ConversionError(f'{where}: field "ignore" must be a bool, got '
                              f'{ignore!r}')
    for key in ('polygon', 'bbox'):
        v = inst.get(key)
        if v is not None and not isinstance(v, (list, tuple)):
            raise ConversionError(f'{where}: field "{key}" must be a list, '
                                  f'got {v!r}')
    polygon, bbox = inst.get('polygon'), inst.get('bbox')
    if polygon is not None and len(polygon) == 0:
        polygon = None
    if bbox is not None and len(bbox) == 0:
        bbox = None
    try:
        out = make_instance(polygon=polygon, bbox=None, text=text,
                            ignore=bool(ignore), add_point=False)
    except (ValueError, TypeError) as e:
        raise ConversionError(f'{where}: field "polygon": {e}') from None
    if bbox is not None:
        try:
            b = make_instance(bbox=bbox)
        except (ValueError, TypeError) as e:
            raise ConversionError(f'{where}: field "bbox": {e}') from None
        out['bbox'] = b['bbox']
        out.setdefault('polygon', b['polygon'])
    if 'polygon' in out:
        label = inst.get('bbox_label', 0)
        if not isinstance(label, int) or isinstance(label, bool):
            raise ConversionError(f'{where}: field "bbox_label" must be an '
                                  f'int, got {label!r}')
        out['bbox_label'] = label
    for k, v in inst.items():
        if k not in _KNOWN:
            out[k] = v
    if add_point and 'point' not in out and 'polygon' in out:
        out.update(
            {k: v
             for k, v in make_instance(polygon=out['polygon'],
                                       add_point=True).items()
             if k in ('point', 'point_source')})
    return out


def convert_mmocr_json(ann_file: str,
                       data_root: Optional[str] = None,
                       check_images: bool = False,
                       on_error: str = 'raise',
                       add_points: bool = False,
                       report: Optional[ConvertReport] = None):
    """Validate and normalise an mmocr textdet/textspotting JSON.

    Args:
        ann_file (str): The JSON file.
        data_root (str, optional): Folder the ``img_path`` values are
            relative to (needed only with ``check_images`` or to fill in
            missing ``height``/``width``). Defaults to the JSON's folder.
        check_images (bool): Require each image (and read missing sizes).
            Defaults to False (the input already names its images).
        on_error, add_points: see
            :func:`mmocr_vlp.datasets.converters.icdar.convert_icdar`.

    Returns:
        tuple[list[dict], ConvertReport, dict]: data list, report and the
        input's metainfo.
    """
    report = report or ConvertReport(on_error)
    data_root = osp.dirname(ann_file) if data_root is None else data_root
    d = load_json(ann_file)
    if not isinstance(d, dict) or not isinstance(d.get('data_list'), list):
        raise ConversionError(f'{ann_file}: expected an object with a '
                              f'"data_list" list')
    metainfo = d.get('metainfo', {})
    data_list = []
    for i, entry in enumerate(progress(d['data_list'], desc='mmocr json')):
        where = f'{ann_file}: data_list[{i}]'
        if not isinstance(entry, dict) or not isinstance(
                entry.get('img_path'), str):
            report.error('bad_entry', f'{where}: field "img_path" missing or '
                         f'not a string', image_level=True)
            continue
        where = f'{where} ({entry["img_path"]})'
        raw = entry.get('instances', [])
        if not isinstance(raw, list):
            report.error('bad_entry', f'{where}: field "instances" must be a '
                         f'list', image_level=True)
            continue
        instances = []
        for k, inst in enumerate(raw):
            try:
                instances.append(
                    normalise_instance(inst, f'{where}.instances[{k}]',
                                       add_points))
            except ConversionError as e:
                report.error('bad_instance', str(e))
        h, w = entry.get('height'), entry.get('width')
        size = (h, w) if isinstance(h, int) and isinstance(w, int) else None
        img_file = osp.join(data_root, entry['img_path'])
        info = make_data_info(img_file, instances, data_root, report,
                              check_images, size=size, where=where)
        if info is None:
            continue
        info['img_path'] = entry['img_path']  # keep it exactly as given
        for k, v in entry.items():
            if k not in info:
                info[k] = v
        data_list.append(info)
    return data_list, report, metainfo
