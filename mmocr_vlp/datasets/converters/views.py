# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Annotation *views*: the same images with less supervision.

- ``full``: unchanged (polygons, boxes, texts).
- ``textonly``: transcriptions only: each legible instance keeps ``text``
  and ``ignore``; locations are dropped, and so are don't-care instances
  (``###`` without a location carries no information).
- ``partial<P>`` (e.g. ``partial50``): ``textonly`` with a random ``P``
  percent of each image's legible words (rounded, at least one when the
  image has any), order kept, seeded per image.
- ``points``: ``text``, ``ignore`` and one ``point`` per word (its existing
  ``point``, else the SPTS centre of its polygon,
  :func:`~mmocr_vlp.datasets.converters.geometry.polygon_center`); instances
  without either are dropped.

Each view goes to ``<out_dir>/<split>_<view>.json``.
"""
import copy
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence

import numpy as np

from .base import dump_ocr_json
from .geometry import polygon_center

_PARTIAL = re.compile(r'^partial(\d+(?:\.\d+)?)$')
_TEXT_KEYS = ('text', 'ignore')


def _check_view(view: str) -> None:
    if view in ('full', 'textonly', 'points'):
        return
    m = _PARTIAL.match(view)
    if m is None or not 0 < float(m.group(1)) <= 100:
        raise ValueError(
            f'unknown view {view!r}: use full, textonly, points or '
            f'partial<P> with 0 < P <= 100 (e.g. partial50)')


def _text_only(inst: dict) -> dict:
    return {k: inst[k] for k in _TEXT_KEYS if k in inst}


def make_view(data_list: List[dict], view: str, seed: int = 0) -> List[dict]:
    """Return a new data list holding ``view`` of ``data_list``."""
    _check_view(view)
    out = []
    for i, info in enumerate(data_list):
        new = {k: v for k, v in info.items() if k != 'instances'}
        insts = info.get('instances', [])
        if view == 'full':
            new['instances'] = copy.deepcopy(insts)
        elif view == 'points':
            pts = []
            for inst in insts:
                p = inst.get('point')
                src = inst.get('point_source', 'gt')
                if p is None and inst.get('polygon'):
                    p, src = list(polygon_center(inst['polygon'])), 'gt'
                if p is None:
                    continue
                d = _text_only(inst)
                d.update(point=[float(p[0]), float(p[1])], point_source=src)
                if 'point_score' in inst:
                    d['point_score'] = inst['point_score']
                pts.append(d)
            new['instances'] = pts
        else:
            legible = [
                _text_only(x) for x in insts
                if not x.get('ignore') and x.get('text') not in (None, '###')
            ]
            if view != 'textonly' and legible:
                p = float(_PARTIAL.match(view).group(1))
                k = max(1, int(round(len(legible) * p / 100.0)))
                rng = np.random.default_rng([seed, i])
                keep = sorted(
                    rng.choice(len(legible), size=k, replace=False).tolist())
                legible = [legible[j] for j in keep]
            new['instances'] = legible
        out.append(new)
    return out


def write_views(data_list: List[dict],
                out_dir: str,
                split: str,
                views: Sequence[str],
                seed: int = 0,
                metainfo: Optional[dict] = None) -> Dict[str, str]:
    """Write each view of ``data_list`` to ``<out_dir>/<split>_<view>.json``.

    Args:
        data_list (list[dict]): OCRDataset ``data_list`` (full annotations).
        out_dir (str): Output folder (created).
        split (str): Split name used in file names (``train``, ``test``).
        views (Sequence[str]): ``full``, ``textonly``, ``partial<P>``,
            ``points``.
        seed (int): Seed of the ``partial`` sampling.
        metainfo (dict, optional): Written as ``metainfo``.

    Returns:
        dict[str, str]: view -> written file.
    """
    for v in views:
        _check_view(v)
    written = {}
    for v in views:
        path = osp.join(out_dir, f'{split}_{v}.json')
        dump_ocr_json(make_view(data_list, v, seed), path, metainfo)
        written[v] = path
    return written
