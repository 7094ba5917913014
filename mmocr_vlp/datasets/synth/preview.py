# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Draw ground truth on images and write a small preview PNG."""
import json
import os
import os.path as osp
from typing import List, Optional

import cv2
import numpy as np


def draw_gt(img: np.ndarray, instances: List[dict],
            chars: bool = True) -> np.ndarray:
    """Copy of a BGR image with word polygons (green), character boxes
    (cyan) and points (red) drawn."""
    v = img.copy()
    for inst in instances:
        if chars:
            for c in inst.get('chars', []):
                q = np.array(c['polygon']).reshape(-1, 2) * 4
                cv2.polylines(v, [np.round(q).astype(np.int32)], True,
                              (255, 200, 0), 1, cv2.LINE_AA, 2)
        if inst.get('polygon'):
            p = np.array(inst['polygon']).reshape(-1, 2) * 4
            cv2.polylines(v, [np.round(p).astype(np.int32)], True,
                          (0, 255, 0), 2, cv2.LINE_AA, 2)
        if inst.get('point'):
            x, y = inst['point']
            cv2.circle(v, (int(round(x)), int(round(y))), 4, (0, 0, 255), -1,
                       cv2.LINE_AA)
    return v


def make_preview(out_dir: str,
                 path: str,
                 split: str = 'train',
                 num: int = 2,
                 scale: float = 0.7) -> str:
    """Write ``path`` (PNG): for the first ``num`` images of
    ``OUT/<split>_full.json``, the image (left) and its ground truth
    (right), scaled by ``scale`` and palette-quantised to stay small."""
    from PIL import Image
    with open(osp.join(out_dir, f'{split}_full.json'), encoding='utf-8') as f:
        data_list = json.load(f)['data_list'][:num]
    if not data_list:
        raise ValueError(f'{split}_full.json in {out_dir} has no image')
    rows = []
    for info in data_list:
        img = cv2.imread(osp.join(out_dir, info['img_path']))
        if img is None:
            raise FileNotFoundError(osp.join(out_dir, info['img_path']))
        sep = np.full((img.shape[0], 6, 3), 255, np.uint8)
        rows.append(np.hstack([img, sep, draw_gt(img, info['instances'])]))
    width = max(r.shape[1] for r in rows)
    grid: Optional[np.ndarray] = None
    for r in rows:
        r = np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)),
                   constant_values=255)
        grid = r if grid is None else np.vstack(
            [grid, np.full((6, width, 3), 255, np.uint8), r])
    pil = Image.fromarray(cv2.cvtColor(grid, cv2.COLOR_BGR2RGB))
    if scale != 1.0:
        pil = pil.resize((int(pil.width * scale), int(pil.height * scale)),
                         Image.LANCZOS)
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    pil.quantize(
        colors=256,
        method=Image.Quantize.MEDIANCUT,
        dither=Image.Dither.NONE).save(
            path, optimize=True)
    return path
