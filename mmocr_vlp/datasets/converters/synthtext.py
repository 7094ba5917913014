# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SynthText ``gt.mat`` (Gupta et al., CVPR 2016).

Keys (MATLAB cell arrays of shape ``1 x N``, one cell per image):

- ``imnames``: image path relative to the SynthText folder
  (``8/ballet_106_0.jpg``);
- ``wordBB``: ``2 x 4 x W`` word quads (``2 x 4`` when ``W == 1``), row 0 =
  x, row 1 = y, corners clockwise from the top-left;
- ``txt``: the rendered text instances, each a string of words separated by
  spaces and newlines. Splitting all of them on whitespace, in order, gives
  the ``W`` words of ``wordBB``;
- ``charBB`` (optional): ``2 x 4 x C`` character quads, one per non-space
  character, in the same order.

Uses :func:`scipy.io.loadmat` (the whole file is loaded; the official
``gt.mat`` needs a few GB of memory).
"""
import os.path as osp
from typing import Any, List, Optional

import numpy as np

from .base import (ConversionError, ConvertReport, make_data_info,
                   make_instance, progress)


def _strings(x: Any) -> List[str]:
    """Flatten the nested arrays scipy makes of MATLAB strings/cells."""
    if isinstance(x, str):
        return [x]
    if isinstance(x, bytes):
        return [x.decode('utf-8')]
    if isinstance(x, np.ndarray):
        out: List[str] = []
        for v in x.reshape(-1, order='F') if x.dtype == object else x.ravel():
            out.extend(_strings(v))
        return out
    raise TypeError(f'expected strings, got {type(x).__name__}')


def _quads(bb: Any, where: str, field: str) -> np.ndarray:
    """``2 x 4 (x W)`` -> ``(W, 4, 2)``."""
    a = np.asarray(bb, dtype=np.float64)
    if a.ndim == 2:
        a = a[:, :, None]
    if a.ndim != 3 or a.shape[:2] != (2, 4):
        raise ConversionError(f'{where}: field {field} must be 2x4xW (or '
                              f'2x4), got shape {a.shape}')
    return a.transpose(2, 1, 0)


def _cell(gt: dict, key: str, path: str) -> np.ndarray:
    if key not in gt:
        raise ConversionError(
            f'{path}: key {key!r} missing (keys: '
            f'{sorted(k for k in gt if not k.startswith("__"))})')
    v = gt[key]
    return v.reshape(-1) if isinstance(v, np.ndarray) else np.asarray([v])


def convert_synthtext(gt_file: str,
                      img_dir: Optional[str] = None,
                      data_root: Optional[str] = None,
                      check_images: bool = True,
                      on_error: str = 'raise',
                      add_points: bool = False,
                      with_chars: bool = False,
                      limit: Optional[int] = None,
                      report: Optional[ConvertReport] = None):
    """Convert SynthText ``gt.mat``.

    Args:
        gt_file (str): Path of ``gt.mat``.
        img_dir (str, optional): SynthText image folder (the one holding
            ``1/``, ``2/``, ...). Defaults to the folder of ``gt_file``.
        data_root (str, optional): ``img_path`` is relative to it (default
            ``img_dir``).
        check_images (bool): Require each image and read its size.
        on_error (str): ``'raise'`` or ``'skip'`` (a bad image entry is
            skipped as a whole).
        add_points (bool): Add the GT centre ``point`` to each word.
        with_chars (bool): Add ``chars`` (``{'char', 'polygon'}`` per
            character) from ``charBB`` when its count matches.
        limit (int, optional): Convert only the first ``limit`` images.

    Returns:
        tuple[list[dict], ConvertReport]
    """
    from scipy.io import loadmat
    report = report or ConvertReport(on_error)
    img_dir = osp.dirname(gt_file) if img_dir is None else img_dir
    data_root = img_dir if data_root is None else data_root
    try:
        gt = loadmat(gt_file)
    except Exception as e:  # noqa: BLE001 - scipy raises many types
        raise ConversionError(f'{gt_file}: cannot load as a MATLAB file '
                              f'({e})') from None
    imnames = _cell(gt, 'imnames', gt_file)
    word_bbs = _cell(gt, 'wordBB', gt_file)
    txts = _cell(gt, 'txt', gt_file)
    char_bbs = _cell(gt, 'charBB', gt_file) if with_chars else None
    n = len(imnames)
    if not len(word_bbs) == len(txts) == n:
        raise ConversionError(
            f'{gt_file}: imnames, wordBB and txt have different lengths '
            f'({n}, {len(word_bbs)}, {len(txts)})')
    if limit is not None:
        n = min(n, limit)
    data_list = []
    for i in progress(range(n), desc='SynthText'):
        try:
            names = _strings(imnames[i])
            if len(names) != 1:
                raise ConversionError(f'{gt_file}: imnames[{i}] must hold '
                                      f'one string, got {names!r}')
            name = names[0].strip()
            where = f'{gt_file}: image {i} ({name})'
            quads = _quads(word_bbs[i], where, 'wordBB')
            try:
                words = [w for s in _strings(txts[i]) for w in s.split()]
            except TypeError as e:
                raise ConversionError(f'{where}: field txt: {e}') from None
            if len(words) != len(quads):
                raise ConversionError(
                    f'{where}: field txt has {len(words)} words but wordBB '
                    f'has {len(quads)} boxes')
            chars = None
            if char_bbs is not None:
                cq = _quads(char_bbs[i], where, 'charBB')
                if len(cq) == sum(len(w) for w in words):
                    chars = cq
            instances = []
            c0 = 0
            for k, (word, quad) in enumerate(zip(words, quads)):
                try:
                    inst = make_instance(polygon=quad, text=word,
                                         add_point=add_points)
                except ValueError as e:
                    raise ConversionError(
                        f'{where}: field wordBB[:, :, {k}]: {e}') from None
                if chars is not None:
                    inst['chars'] = [
                        dict(char=ch, polygon=[float(v) for v in q.ravel()])
                        for ch, q in zip(word, chars[c0:c0 + len(word)])
                    ]
                    c0 += len(word)
                instances.append(inst)
        except ConversionError as e:
            report.error('bad_entry', str(e), image_level=True)
            continue
        info = make_data_info(osp.join(img_dir, name), instances, data_root,
                              report, check_images, where=where)
        if info is not None:
            data_list.append(info)
    return data_list, report
