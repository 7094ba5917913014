# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Export one annotated ``data_list`` as several supervision *views*.

- ``full``: every key (polygon, bbox, point, chars, text ...).
- ``textonly``: transcriptions only (no location keys).
- ``partial<P>``: per image, a deterministic random subset of
  ``max(1, floor(P% * n + 0.5))`` of its ``n`` legible words, texts only
  (oCLIP Table 3's partial annotation).
- ``points``: text + one point per instance (``point``, ``point_score``,
  ``point_source``), no polygon/bbox/chars.

Works for synthetic data and for converted real datasets alike.
"""
import copy
import json
import math
import os
import os.path as osp
import re
import zlib
from typing import Dict, List, Optional, Sequence

import numpy as np

from mmocr_vlp.utils.polygon_utils import polygon_center
from ..schema import is_ignored

DEFAULT_VIEWS = ('full', 'textonly', 'partial25', 'partial50', 'partial75',
                 'points')
#: keys that carry a location; removed by the text-only views
LOCATION_KEYS = ('polygon', 'bbox', 'point', 'point_score', 'point_source',
                 'chars')
DEFAULT_METAINFO = dict(
    dataset_type='TextDetDataset',
    task_name='textdet',
    category=[dict(id=0, name='text')])

_PARTIAL = re.compile(r'^partial(\d+)$')


def parse_view(view: str):
    """``'partial50'`` -> ``('partial', 50)``; ``'full'`` -> ``('full',
    None)``.

    Raises:
        ValueError: For an unknown view name or a percentage outside 1..100.
    """
    if view in ('full', 'textonly', 'points'):
        return view, None
    m = _PARTIAL.match(view)
    if m:
        p = int(m.group(1))
        if not 1 <= p <= 100:
            raise ValueError(f'view {view!r}: percentage must be in 1..100')
        return 'partial', p
    raise ValueError(f'unknown view {view!r}; use full, textonly, points or '
                     f'partial<P> (e.g. partial50)')


def _legible(inst: dict) -> bool:
    t = inst.get('text')
    return bool(t) and not is_ignored(inst)


def _text_only(inst: dict) -> dict:
    return {k: v for k, v in inst.items() if k not in LOCATION_KEYS}


def _point_of(inst: dict, img_path: str, i: int) -> List[float]:
    if inst.get('point') is not None:
        return [float(v) for v in inst['point']]
    if inst.get('polygon'):
        return polygon_center(inst['polygon'])
    if inst.get('bbox'):
        x1, y1, x2, y2 = inst['bbox']
        return [(x1 + x2) / 2.0, (y1 + y2) / 2.0]
    raise ValueError(f'points view: instance {i} of {img_path!r} has no '
                     f'point, polygon or bbox')


def keep_count(n: int, percent: int) -> int:
    """Words kept by ``partial<percent>`` out of ``n`` legible words:
    ``max(1, floor(n * percent / 100 + 0.5))`` (0 if ``n == 0``)."""
    if n <= 0:
        return 0
    return min(n, max(1, int(math.floor(n * percent / 100.0 + 0.5))))


def make_view(data_list: Sequence[dict], view: str,
              seed: int = 0) -> List[dict]:
    """Return a new data list holding ``view`` of ``data_list``.

    Args:
        data_list (Sequence[dict]): OCRDataset ``data_list`` entries.
        view (str): ``full``, ``textonly``, ``points`` or ``partial<P>``.
        seed (int): Seed of the partial subsets; the subset of an image
            depends only on ``(seed, P, img_path)``.
    """
    kind, p = parse_view(view)
    out = []
    for info in data_list:
        if 'instances' not in info or 'img_path' not in info:
            raise ValueError(f'data_list entry without img_path/instances: '
                             f'{str(info)[:200]}')
        img_path = info['img_path']
        new = {k: v for k, v in info.items() if k != 'instances'}
        insts = info['instances']
        if kind == 'full':
            new['instances'] = copy.deepcopy(insts)
        elif kind == 'textonly':
            new['instances'] = [_text_only(x) for x in insts]
        elif kind == 'points':
            pts = []
            for i, x in enumerate(insts):
                y = _text_only(x)
                y['point'] = [round(v, 2) for v in _point_of(x, img_path, i)]
                y['point_score'] = float(x.get('point_score', 1.0))
                y['point_source'] = x.get('point_source', 'gt')
                pts.append(y)
            new['instances'] = pts
        else:  # partial
            legible = [i for i, x in enumerate(insts) if _legible(x)]
            k = keep_count(len(legible), p)
            rng = np.random.default_rng(
                [seed, p, zlib.crc32(img_path.encode('utf-8'))])
            keep = sorted(rng.choice(legible, k, replace=False).tolist()
                          ) if k else []
            new['instances'] = [_text_only(insts[i]) for i in keep]
        out.append(new)
    return out


def dump_json(obj, path: str) -> None:
    """Write JSON atomically (tmp file + rename), compact and stable."""
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(obj, f, ensure_ascii=False, separators=(',', ':'))
    os.replace(tmp, path)


def write_views(data_list: Sequence[dict],
                out_dir: str,
                split: str,
                views: Sequence[str] = DEFAULT_VIEWS,
                seed: int = 0,
                metainfo: Optional[dict] = None) -> Dict[str, str]:
    """Write ``OUT/<split>_<view>.json`` for every view.

    Args:
        data_list (Sequence[dict]): OCRDataset entries with full
            annotations (``img_path`` relative to ``out_dir``).
        out_dir (str): Output folder.
        split (str): Split name (``train``, ``val`` ...).
        views (Sequence[str]): Views to write (see :func:`make_view`).
        seed (int): Seed of the partial subsets.
        metainfo (dict, optional): OCRDataset metainfo; defaults to
            :data:`DEFAULT_METAINFO`.

    Returns:
        dict[str, str]: view -> written path.
    """
    for v in views:
        parse_view(v)
    os.makedirs(out_dir, exist_ok=True)
    meta = dict(metainfo or DEFAULT_METAINFO)
    paths = {}
    for v in views:
        path = osp.join(out_dir, f'{split}_{v}.json')
        dump_json(
            dict(metainfo=meta, data_list=make_view(data_list, v, seed)),
            path)
        paths[v] = path
    return paths
