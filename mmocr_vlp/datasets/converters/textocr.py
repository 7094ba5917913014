# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""TextOCR json (``TextOCR_0.1_train.json`` / ``..._val.json``)::

    {"imgs": {img_id: {"id", "width", "height", "file_name", "set"}},
     "anns": {ann_id: {"id", "image_id", "bbox": [x, y, w, h],
                       "points": [x1, y1, ..., xN, yN],
                       "utf8_string": "...", "area"}},
     "imgToAnns": {img_id: [ann_id, ...]}}

``img2Anns`` is accepted for ``imgToAnns``; without either, annotations are
grouped by their ``image_id``. ``utf8_string == "."`` marks an illegible
word: ``text='###'``, ``ignore=True``. The polygon is ``points`` (the box's
corners when ``points`` has fewer than 3 points). Image sizes come from the
json. Images are looked up as ``img_dir/file_name``, then
``img_dir/basename(file_name)`` (the official ``train_val_images/
train_images/`` folder).
"""
import os.path as osp
from typing import Optional

from .base import (IGNORE_TEXT, ConversionError, ConvertReport,
                   make_data_info, make_instance, progress)
from .lsvt import load_json

TEXTOCR_IGNORE = '.'


def parse_textocr_ann(ann, where: str, add_point: bool = False) -> dict:
    """One TextOCR annotation -> instance."""
    if not isinstance(ann, dict):
        raise ConversionError(f'{where}: must be an object')
    text = ann.get('utf8_string')
    if not isinstance(text, str):
        raise ConversionError(f'{where}: field "utf8_string" must be a '
                              f'string, got {text!r}')
    ignore = text in (TEXTOCR_IGNORE, IGNORE_TEXT, '')
    if ignore:
        text = IGNORE_TEXT
    bbox = ann.get('bbox')
    points = ann.get('points')
    try:
        xyxy = None
        if bbox is not None:
            x, y, w, h = (float(v) for v in bbox)
            xyxy = [x, y, x + w, y + h]
    except (TypeError, ValueError):
        raise ConversionError(f'{where}: field "bbox" must be [x, y, w, h], '
                              f'got {bbox!r}') from None
    if points is not None and not (isinstance(points, list)
                                   and len(points) >= 6):
        points = None  # degenerate: fall back to the box
    if points is None and xyxy is None:
        raise ConversionError(f'{where}: neither "points" nor "bbox"')
    try:
        if points is not None:
            # the polygon defines the bbox (TextOCR boxes are its bounds)
            return make_instance(polygon=points, text=text, ignore=ignore,
                                 add_point=add_point)
        return make_instance(bbox=xyxy, text=text, ignore=ignore,
                             add_point=add_point)
    except ValueError as e:
        field = 'points' if points is not None else 'bbox'
        raise ConversionError(f'{where}: field "{field}": {e}') from None


def convert_textocr(ann_file: str,
                    img_dir: str,
                    data_root: Optional[str] = None,
                    check_images: bool = True,
                    on_error: str = 'raise',
                    add_points: bool = False,
                    keep_empty: bool = True,
                    report: Optional[ConvertReport] = None):
    """Convert a TextOCR json file.

    Args:
        ann_file (str): ``TextOCR_0.1_{train,val}.json``.
        img_dir (str): Image folder.
        keep_empty (bool): Keep images without annotations (empty
            ``instances``). Defaults to True.
        data_root, check_images, on_error, add_points: see
            :func:`mmocr_vlp.datasets.converters.icdar.convert_icdar`.

    Returns:
        tuple[list[dict], ConvertReport]
    """
    report = report or ConvertReport(on_error)
    data_root = img_dir if data_root is None else data_root
    d = load_json(ann_file)
    if not isinstance(d, dict) or not isinstance(d.get('imgs'), dict) \
            or not isinstance(d.get('anns'), dict):
        raise ConversionError(f'{ann_file}: expected an object with "imgs" '
                              f'and "anns" objects')
    imgs, anns = d['imgs'], d['anns']
    img2anns = d.get('imgToAnns', d.get('img2Anns'))
    if img2anns is None:
        img2anns = {}
        for aid, a in anns.items():
            if isinstance(a, dict) and 'image_id' in a:
                img2anns.setdefault(str(a['image_id']), []).append(aid)
    if not isinstance(img2anns, dict):
        raise ConversionError(f'{ann_file}: field "imgToAnns" must be an '
                              f'object')
    data_list = []
    for img_id in progress(list(imgs), desc='TextOCR'):
        img = imgs[img_id]
        where = f'{ann_file}: imgs["{img_id}"]'
        if not isinstance(img, dict) or not isinstance(
                img.get('file_name', img.get('filename')), str):
            report.error('bad_image', f'{where}: field "file_name" missing',
                         image_level=True)
            continue
        file_name = img.get('file_name', img.get('filename'))
        instances = []
        for aid in img2anns.get(img_id, []):
            a_where = f'{ann_file}: anns["{aid}"]'
            ann = anns.get(str(aid))
            if ann is None:
                report.error('missing_ann', f'{where}: annotation id {aid!r} '
                             f'listed in imgToAnns is not in "anns"')
                continue
            try:
                instances.append(parse_textocr_ann(ann, a_where, add_points))
            except ConversionError as e:
                report.error('bad_ann', str(e))
        if not instances and not keep_empty:
            continue
        img_file = osp.join(img_dir, file_name)
        if check_images and not osp.isfile(img_file):
            alt = osp.join(img_dir, osp.basename(file_name))
            if osp.isfile(alt):
                img_file = alt
        elif not check_images:
            img_file = osp.join(img_dir, osp.basename(file_name))
        size = None
        h, w = img.get('height'), img.get('width')
        if isinstance(h, (int, float)) and isinstance(w, (int, float)):
            size = (int(h), int(w))
        info = make_data_info(img_file, instances, data_root, report,
                              check_images, size=size, where=where)
        if info is not None:
            data_list.append(info)
    return data_list, report
