# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SCUT-CTW1500 ground truth (mmocr 1.x layout).

Train split: one xml file per image (``0001.xml`` for ``0001.jpg``)::

    <Annotations>
      <image file="0001.jpg">
        <box height="..." left="..." top="..." width="...">
          <label>TEXT</label>
          <segs>x1,y1,x2,y2,...,x14,y14</segs>
        </box>
      </image>
    </Annotations>

Test split: one txt file per image (``0001001.txt`` for ``1001.jpg``), a
line per text line: 14 points then ``####`` and the transcription
(``########`` = ``####`` + ``###`` is a don't-care line)::

    695,885,866,888,...,696,1143,####Latin 9

Points are absolute pixel coordinates; the first 7 trace the top side, the
last 7 the bottom side. Any even number (>= 6) of coordinates is accepted.
"""
import os.path as osp
import re
import xml.etree.ElementTree as ET
from typing import List, Optional

from .base import (IGNORE_TEXT, ConversionError, ConvertReport,
                   convert_per_image_files, list_ann_files, make_instance)
from .icdar import read_lines


def _coords(fields: List[str], where: str, field: str) -> List[float]:
    out = []
    for k, v in enumerate(fields):
        try:
            out.append(float(v))
        except ValueError:
            raise ConversionError(f'{where}: field {field}[{k}] = '
                                  f'{v.strip()!r} is not a number') from None
    if len(out) < 6 or len(out) % 2:
        raise ConversionError(
            f'{where}: field {field} needs an even number (>= 6) of '
            f'coordinates, got {len(out)}')
    return out


def parse_ctw1500_txt_line(line: str, where: str,
                           add_point: bool = False) -> Optional[dict]:
    """One test-split line -> instance (None for a blank line)."""
    if not line.strip():
        return None
    head, sep, text = line.partition('####')
    if not sep:
        raise ConversionError(
            f'{where}: expected "x1,y1,...,xN,yN,####transcription" (no '
            f'"####" found): {line[:120]!r}')
    fields = [f for f in head.split(',')]
    if fields and fields[-1].strip() == '':
        fields = fields[:-1]
    coords = _coords(fields, where, 'coordinates')
    text = text.strip()
    ignore = text in ('', IGNORE_TEXT)
    if ignore:
        text = IGNORE_TEXT
    try:
        return make_instance(polygon=coords, text=text, ignore=ignore,
                             add_point=add_point)
    except ValueError as e:
        raise ConversionError(f'{where}: {e}') from None


def parse_ctw1500_txt(path: str, report: ConvertReport,
                      add_point: bool = False) -> List[dict]:
    instances = []
    for i, line in enumerate(read_lines(path), start=1):
        try:
            inst = parse_ctw1500_txt_line(line, f'{path}:{i}', add_point)
        except ConversionError as e:
            report.error('bad_line', str(e))
            continue
        if inst is not None:
            instances.append(inst)
    return instances


def parse_ctw1500_xml(path: str, report: ConvertReport,
                      add_point: bool = False) -> List[dict]:
    """All boxes of one train-split xml file (all ``<image>`` elements)."""
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise ConversionError(f'{path}: not well-formed xml ({e})') from None
    except OSError as e:
        raise ConversionError(f'{path}: cannot read ({e})') from None
    instances = []
    for k, box in enumerate(root.iter('box')):
        where = f'{path}: <box> #{k}'
        label, segs = box.find('label'), box.find('segs')
        try:
            if segs is None or not (segs.text or '').strip():
                raise ConversionError(f'{where}: field <segs> is missing')
            coords = _coords(segs.text.strip().split(','), where, '<segs>')
            text = ((label.text if label is not None else None)
                    or '').strip()
            ignore = text in ('', IGNORE_TEXT)
            if ignore:
                text = IGNORE_TEXT
            try:
                inst = make_instance(polygon=coords, text=text,
                                     ignore=ignore, add_point=add_point)
            except ValueError as e:
                raise ConversionError(f'{where}: {e}') from None
        except ConversionError as e:
            report.error('bad_box', str(e))
            continue
        instances.append(inst)
    return instances


def parse_ctw1500_file(path: str, report: ConvertReport,
                       add_point: bool = False) -> List[dict]:
    """Dispatch on the extension (``.xml`` train, ``.txt`` test)."""
    if path.lower().endswith('.xml'):
        return parse_ctw1500_xml(path, report, add_point)
    return parse_ctw1500_txt(path, report, add_point)


def ctw1500_image_stem(ann_path: str) -> str:
    """``0001.xml`` -> ``0001``; ``0001001.txt`` -> ``1001``."""
    stem = osp.splitext(osp.basename(ann_path))[0]
    if ann_path.lower().endswith('.txt') and re.fullmatch(r'000\d{4}', stem):
        return stem[3:]
    return stem


def convert_ctw1500(ann_dir: str,
                    img_dir: str,
                    data_root: Optional[str] = None,
                    check_images: bool = True,
                    on_error: str = 'raise',
                    add_points: bool = False,
                    report: Optional[ConvertReport] = None):
    """Convert a CTW1500 annotation folder (xml files, or txt files).

    If the folder holds ``.xml`` files they are used (train split);
    otherwise its ``.txt`` files (test split).

    Returns:
        tuple[list[dict], ConvertReport]
    """
    report = report or ConvertReport(on_error)
    try:
        files = list_ann_files(ann_dir, '.xml')
    except FileNotFoundError:
        files = list_ann_files(ann_dir, '.txt')
    data_list = convert_per_image_files(
        files,
        lambda p, r: parse_ctw1500_file(p, r, add_points),
        ctw1500_image_stem,
        img_dir,
        data_root,
        report,
        check_images,
        desc='CTW1500')
    return data_list, report
