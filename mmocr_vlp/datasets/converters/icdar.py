# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""ICDAR 2013 and ICDAR 2015 (Robust Reading) txt ground truth.

ICDAR 2015 (``gt_img_N.txt``, UTF-8, often with a BOM), one word a line::

    377,117,463,117,465,130,378,130,Genaxis Theatre
    374,155,409,155,409,170,374,170,###

The transcription is everything after the 8th comma (it may contain
commas). ``###`` marks a don't-care word.

ICDAR 2013 (``gt_img_N.txt``), axis-aligned boxes with a quoted
transcription; the test GT separates fields with commas, the train GT with
spaces::

    38, 43, 920, 215, "Tiredness"
    158 128 411 181 "Footpath"
"""
import os.path as osp
import re
from typing import List, Optional

from .base import (ConversionError, ConvertReport, convert_per_image_files,
                   list_ann_files, make_instance)


def read_lines(path: str) -> List[str]:
    """Lines of a UTF-8 text file (BOM stripped, newline chars removed).

    Raises:
        ConversionError: naming the file if it is not valid UTF-8 (or
            cannot be read).
    """
    try:
        with open(path, encoding='utf-8-sig') as f:
            return [line.rstrip('\r\n') for line in f]
    except UnicodeDecodeError as e:
        raise ConversionError(f'{path}: not valid UTF-8 text ({e})') from e
    except OSError as e:
        raise ConversionError(f'{path}: cannot read ({e})') from e


def _floats(fields: List[str], where: str, names: List[str]) -> List[float]:
    out = []
    for name, v in zip(names, fields):
        try:
            out.append(float(v))
        except ValueError:
            raise ConversionError(
                f'{where}: field {name} = {v.strip()!r} is not a number'
            ) from None
    return out


_XY_NAMES = [f'{a}{i}' for i in range(1, 5) for a in 'xy']


def parse_icdar2015_line(line: str, where: str,
                         add_point: bool = False) -> Optional[dict]:
    """One ICDAR 2015 line -> instance (None for a blank line).

    Raises:
        ConversionError: naming ``where`` (``file:line``) and the field.
    """
    if not line.strip():
        return None
    fields = line.split(',')
    if len(fields) < 9:
        raise ConversionError(
            f'{where}: expected "x1,y1,x2,y2,x3,y3,x4,y4,transcription" '
            f'(9 comma-separated fields), got {len(fields)}: {line!r}')
    coords = _floats(fields[:8], where, _XY_NAMES)
    text = ','.join(fields[8:]).strip()
    if not text:
        raise ConversionError(f'{where}: field transcription is empty')
    try:
        return make_instance(polygon=coords, text=text, add_point=add_point)
    except ValueError as e:
        raise ConversionError(f'{where}: {e}') from None


# x1 y1 x2 y2 separated by commas and/or spaces, then the transcription
_IC13 = re.compile(r'^\s*([^\s,]+)[\s,]+([^\s,]+)[\s,]+([^\s,]+)[\s,]+'
                   r'([^\s,]+)(?:[\s,]+(.*))?$')


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1].replace('\\"', '"').replace('\\\\', '\\')
    return text


def parse_icdar2013_line(line: str, where: str,
                         add_point: bool = False) -> Optional[dict]:
    """One ICDAR 2013 line -> instance (None for a blank line).

    Accepts ``x1, y1, x2, y2, "text"`` and ``x1 y1 x2 y2 "text"``; the
    surrounding quotes are removed. The instance gets ``bbox`` and its
    4-point polygon (clockwise from the top-left corner).
    """
    if not line.strip():
        return None
    m = _IC13.match(line)
    if m is None or m.group(5) is None:
        raise ConversionError(
            f'{where}: expected "x1, y1, x2, y2, \\"text\\"" (or space '
            f'separated), got {line!r}')
    x1, y1, x2, y2 = _floats(
        list(m.groups()[:4]), where, ['x1', 'y1', 'x2', 'y2'])
    text = _unquote(m.group(5))
    if not text:
        raise ConversionError(f'{where}: field transcription is empty')
    try:
        return make_instance(bbox=[x1, y1, x2, y2], text=text,
                             add_point=add_point)
    except ValueError as e:
        raise ConversionError(f'{where}: {e}') from None


def parse_icdar_file(path: str,
                     report: Optional[ConvertReport] = None,
                     year: int = 2015,
                     add_point: bool = False) -> List[dict]:
    """All instances of one ICDAR ``gt_*.txt`` file.

    The one ICDAR 2013/2015 ground-truth reader of the package (converters,
    visualisation tools and studies use it).

    Args:
        path (str): The annotation file.
        report (ConvertReport, optional): Error policy and counts; bad lines
            raise or are counted and skipped. Defaults to None (raise at
            the first malformed line, naming file, line and field).
        year (int): 2015 (``x1,y1,...,x4,y4,text``) or 2013
            (``x1, y1, x2, y2, "text"``). Defaults to 2015.
        add_point (bool): Add the GT centre ``point``. Defaults to False.

    Returns:
        list[dict]: Instances of the OCRDataset schema (``polygon``,
        ``bbox``, ``text``, ``ignore``).
    """
    report = report or ConvertReport('raise')
    parse_line = {2015: parse_icdar2015_line,
                  2013: parse_icdar2013_line}[year]
    instances = []
    for i, line in enumerate(read_lines(path), start=1):
        try:
            inst = parse_line(line, f'{path}:{i}', add_point)
        except ConversionError as e:
            report.error('bad_line', str(e))
            continue
        if inst is not None:
            instances.append(inst)
    return instances


def icdar_image_stem(ann_path: str) -> str:
    """``gt_img_12.txt`` -> ``img_12`` (``gt_`` prefix removed)."""
    stem = osp.splitext(osp.basename(ann_path))[0]
    return stem[3:] if stem.startswith('gt_') else stem


def convert_icdar(ann_dir: str,
                  img_dir: str,
                  year: int = 2015,
                  data_root: Optional[str] = None,
                  check_images: bool = True,
                  on_error: str = 'raise',
                  add_points: bool = False,
                  report: Optional[ConvertReport] = None):
    """Convert a directory of ICDAR 2013/2015 ``gt_*.txt`` files.

    Args:
        ann_dir (str): Folder with ``gt_<image stem>.txt`` files.
        img_dir (str): Folder with the images (searched recursively).
        year (int): 2013 or 2015.
        data_root (str, optional): ``img_path`` is relative to it
            (default ``img_dir``).
        check_images (bool): Require each image, read its size.
        on_error (str): ``'raise'`` or ``'skip'``.
        add_points (bool): Add the GT centre ``point`` to each instance.
        report (ConvertReport, optional): Use this report (else a new one).

    Returns:
        tuple[list[dict], ConvertReport]: ``data_list`` and the report.
    """
    if year not in (2013, 2015):
        raise ValueError(f'year must be 2013 or 2015, got {year}')
    report = report or ConvertReport(on_error)
    data_list = convert_per_image_files(
        list_ann_files(ann_dir, '.txt'),
        lambda p, r: parse_icdar_file(p, r, year, add_points),
        icdar_image_stem,
        img_dir,
        data_root,
        report,
        check_images,
        desc=f'ICDAR {year}')
    return data_list, report
