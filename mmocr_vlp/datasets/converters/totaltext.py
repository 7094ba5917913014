# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Total-Text txt ground truth (``poly_gt_img11.txt`` / ``gt_img11.txt``).

One record per word, possibly wrapped over several lines (a continuation
line does not start with ``x:``)::

    x: [[115 503 494 115]], y: [[322 346 426 404]], ornt: [u'c'],
    transcriptions: [u'the']

``#`` is a don't-care word: it becomes ``text='###'`` and ``ignore=True``.
An empty transcription list is treated the same way. A list of several
strings (a comma inside the word split by the exporter) is joined with
``','``.
"""
import ast
import os.path as osp
import re
from typing import List, Optional, Tuple

from .base import (IGNORE_TEXT, ConversionError, ConvertReport,
                   convert_per_image_files, list_ann_files, make_instance)
from .icdar import read_lines

_RECORD = re.compile(
    r'^\s*x:\s*\[\[(?P<x>[^\]]*)\]\]\s*,\s*y:\s*\[\[(?P<y>[^\]]*)\]\]\s*,'
    r'\s*ornt:\s*\[(?P<ornt>[^\]]*)\]\s*,\s*transcriptions:\s*'
    r'(?P<text>\[.*\])\s*$', re.S)
TOTALTEXT_IGNORE = '#'


def records(lines: List[str]) -> List[Tuple[int, str]]:
    """Join wrapped lines: ``(first line number, record text)`` pairs."""
    out: List[Tuple[int, str]] = []
    for i, line in enumerate(lines, start=1):
        s = line.strip()
        if not s:
            continue
        if s.startswith('x:') or not out:
            out.append((i, s))
        else:
            out[-1] = (out[-1][0], out[-1][1] + ' ' + s)
    return out


def _numbers(s: str, where: str, field: str) -> List[float]:
    vals = [v for v in re.split(r'[\s,]+', s.strip()) if v]
    try:
        return [float(v) for v in vals]
    except ValueError:
        raise ConversionError(
            f'{where}: field {field} = [[{s.strip()}]] holds a value that is '
            f'not a number') from None


def parse_totaltext_record(rec: str, where: str,
                           add_point: bool = False) -> dict:
    """One Total-Text record -> instance.

    Raises:
        ConversionError: naming ``where`` and the field.
    """
    m = _RECORD.match(rec)
    if m is None:
        raise ConversionError(
            f"{where}: expected \"x: [[...]], y: [[...]], ornt: [...], "
            f"transcriptions: [u'...']\", got {rec[:120]!r}")
    xs = _numbers(m.group('x'), where, 'x')
    ys = _numbers(m.group('y'), where, 'y')
    if len(xs) != len(ys):
        raise ConversionError(f'{where}: fields x and y have different '
                              f'lengths ({len(xs)} vs {len(ys)})')
    if len(xs) < 3:
        raise ConversionError(f'{where}: field x has {len(xs)} points, a '
                              f'polygon needs at least 3')
    try:
        texts = ast.literal_eval(m.group('text'))
        if not isinstance(texts, list) or not all(
                isinstance(t, str) for t in texts):
            raise ValueError
    except (ValueError, SyntaxError):
        raise ConversionError(
            f'{where}: field transcriptions = {m.group("text")!r} is not a '
            f'list of strings') from None
    text = ','.join(texts)
    ignore = text in ('', TOTALTEXT_IGNORE, IGNORE_TEXT)
    if ignore:
        text = IGNORE_TEXT
    poly = [v for xy in zip(xs, ys) for v in xy]
    try:
        return make_instance(polygon=poly, text=text, ignore=ignore,
                             add_point=add_point)
    except ValueError as e:
        raise ConversionError(f'{where}: {e}') from None


def parse_totaltext_file(path: str, report: ConvertReport,
                         add_point: bool = False) -> List[dict]:
    """All instances of one Total-Text gt file."""
    instances = []
    for lineno, rec in records(read_lines(path)):
        try:
            instances.append(
                parse_totaltext_record(rec, f'{path}:{lineno}', add_point))
        except ConversionError as e:
            report.error('bad_line', str(e))
    return instances


def totaltext_image_stem(ann_path: str) -> str:
    """``poly_gt_img11.txt`` / ``gt_img11.txt`` -> ``img11``."""
    stem = osp.splitext(osp.basename(ann_path))[0]
    for prefix in ('poly_gt_', 'gt_'):
        if stem.startswith(prefix):
            return stem[len(prefix):]
    return stem


def convert_totaltext(ann_dir: str,
                      img_dir: str,
                      data_root: Optional[str] = None,
                      check_images: bool = True,
                      on_error: str = 'raise',
                      add_points: bool = False,
                      report: Optional[ConvertReport] = None):
    """Convert a directory of Total-Text txt files.

    Args: see :func:`mmocr_vlp.datasets.converters.icdar.convert_icdar`.

    Returns:
        tuple[list[dict], ConvertReport]
    """
    report = report or ConvertReport(on_error)
    data_list = convert_per_image_files(
        list_ann_files(ann_dir, '.txt'),
        lambda p, r: parse_totaltext_file(p, r, add_points),
        totaltext_image_stem,
        img_dir,
        data_root,
        report,
        check_images,
        desc='Total-Text')
    return data_list, report
