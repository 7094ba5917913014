# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Polygon helpers that :mod:`mmocr.utils.polygon_utils` does not have.

The single definition of a word's *point* lives here: :func:`polygon_center`
(the SPTS centre), used by the converters, the synthetic engine, the views
and the metrics, so that ground-truth points and evaluation agree. Box <->
polygon conversion is mmocr's ``bbox2poly``; :func:`polygon_to_bbox` stays
ours because mmocr's ``poly2bbox`` rounds to float32, which would change the
coordinates written to annotation files.
"""
from typing import List, Sequence, Tuple, Union

import numpy as np
from mmocr.utils import bbox2poly

ArrayLike = Union[Sequence[float], np.ndarray]


def as_points(polygon: ArrayLike) -> np.ndarray:
    """Return a polygon as an ``(N, 2)`` float64 array.

    Args:
        polygon: flat ``[x0, y0, x1, y1, ...]`` (even length) or ``(N, 2)``.

    Raises:
        ValueError: if the input is not an even-length flat list or an
            ``(N, 2)`` array, or holds non-finite values.
    """
    pts = np.asarray(polygon, dtype=np.float64)
    if pts.ndim == 1:
        if pts.size % 2:
            raise ValueError(f'a flat polygon needs an even number of '
                             f'values, got {pts.size}')
        pts = pts.reshape(-1, 2)
    if pts.ndim != 2 or pts.shape[1] != 2 or pts.shape[0] == 0:
        raise ValueError(f'polygon must be flat [x0, y0, ...] or (N, 2), got '
                         f'shape {np.asarray(polygon).shape}')
    if not np.isfinite(pts).all():
        raise ValueError('polygon holds NaN or infinite values')
    return pts


def _polyline_midpoint(pts: np.ndarray) -> np.ndarray:
    """Point halfway along a polyline (by arc length)."""
    if len(pts) == 1:
        return pts[0]
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    total = seg.sum()
    if total <= 0:
        return pts.mean(axis=0)
    half = total / 2.0
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    k = int(np.searchsorted(cum, half, side='right') - 1)
    k = min(max(k, 0), len(seg) - 1)
    t = 0.0 if seg[k] == 0 else (half - cum[k]) / seg[k]
    return pts[k] + t * (pts[k + 1] - pts[k])


def polygon_center(polygon: ArrayLike) -> Tuple[float, float]:
    """The SPTS centre point of a word polygon.

    A word polygon with ``2K`` vertices is read as two long sides: the first
    ``K`` vertices trace the top side, the last ``K`` the bottom side (the
    order of ICDAR quads, Total-Text/CTW1500 curves and SynthText boundaries).
    The centre is the mean of the two sides' midpoints, each midpoint taken
    halfway along the side's polyline. For a quad this is the mean of the
    top-edge midpoint and the bottom-edge midpoint, i.e. the mean of the four
    corners.

    With an odd number ``n`` of vertices the sides are ``pts[:n // 2]``
    and ``pts[n // 2:]``, as the SPTS evaluation script splits them; fewer
    than 3 vertices give their mean.

    Args:
        polygon: flat ``[x0, y0, x1, y1, ...]`` or an ``(N, 2)`` array.

    Returns:
        tuple[float, float]: ``(x, y)``.
    """
    pts = as_points(polygon)
    n = len(pts)
    if n < 3:
        c = pts.mean(axis=0)
        return float(c[0]), float(c[1])
    k = n // 2
    c = (_polyline_midpoint(pts[:k]) + _polyline_midpoint(pts[k:])) / 2
    return float(c[0]), float(c[1])


def polygon_to_bbox(polygon: ArrayLike) -> List[float]:
    """``[x1, y1, x2, y2]`` bounds of a polygon, in float64.

    Args:
        polygon (ArrayLike): Flat ``[x0, y0, x1, y1, ...]`` or ``(N, 2)``.

    Returns:
        list[float]: The bounds.
    """
    pts = as_points(polygon)
    return [
        float(pts[:, 0].min()),
        float(pts[:, 1].min()),
        float(pts[:, 0].max()),
        float(pts[:, 1].max())
    ]


def bbox_to_polygon(bbox: ArrayLike) -> List[float]:
    """Clockwise 4-point polygon (top-left first) of an ``[x1, y1, x2, y2]``
    box, as python floats (mmocr's ``bbox2poly``).

    Args:
        bbox (ArrayLike): ``[x1, y1, x2, y2]``.

    Returns:
        list[float]: ``[x1, y1, x2, y1, x2, y2, x1, y2]``.
    """
    return [float(v) for v in bbox2poly(bbox)]
