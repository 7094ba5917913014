# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Small polygon helpers shared by the renderer and the views."""
from typing import List, Sequence

import numpy as np


def _polyline_midpoint(pts: np.ndarray) -> np.ndarray:
    """Point at half the arc length of a polyline (k, 2)."""
    if len(pts) == 1:
        return pts[0]
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    total = seg.sum()
    if total <= 0:
        return pts.mean(0)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    half = total / 2
    i = int(np.searchsorted(cum, half, side='right') - 1)
    i = min(max(i, 0), len(seg) - 1)
    f = (half - cum[i]) / max(seg[i], 1e-12)
    return pts[i] + f * (pts[i + 1] - pts[i])


def polygon_center(polygon: Sequence[float]) -> List[float]:
    """SPTS word centre of a flat polygon ``[x0, y0, x1, y1, ...]``.

    The polygon follows the Total-Text/CTW1500 order: the first half of the
    points is the top side (left -> right), the second half the bottom side
    (right -> left); a quad is ``TL, TR, BR, BL``. The centre is the mean of
    the arc-length mid points of the two sides, the GT centre of the SPTS
    evaluation (for ``n`` points the sides are ``pts[:n // 2]`` and
    ``pts[n // 2:]``, odd ``n`` included). For a quad that is the mean of
    the top and bottom edge mid points (= the vertex mean).

    Raises:
        ValueError: If ``polygon`` has an odd length or fewer than 3 points.
    """
    pts = np.asarray(polygon, dtype=np.float64)
    if pts.ndim != 1 or len(pts) % 2 or len(pts) < 6:
        raise ValueError(f'polygon must be a flat list of >= 3 (x, y) '
                         f'points, got length {len(pts)}')
    pts = pts.reshape(-1, 2)
    n = len(pts)
    top, bottom = pts[:n // 2], pts[n // 2:]
    c = (_polyline_midpoint(top) + _polyline_midpoint(bottom)) / 2
    return [float(c[0]), float(c[1])]


def polygon_bbox(polygon: Sequence[float]) -> List[float]:
    """``[x1, y1, x2, y2]`` bounds of a flat polygon."""
    pts = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    return [
        float(pts[:, 0].min()),
        float(pts[:, 1].min()),
        float(pts[:, 0].max()),
        float(pts[:, 1].max())
    ]
