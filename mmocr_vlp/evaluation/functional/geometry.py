# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Geometry used by the point-based metrics.

The GT centre of a word is :func:`polygon_center` (the SPTS definition: the
mean of the arc-length midpoints of the polygon's two long sides; for ``2K``
vertices the first ``K`` trace the top side and the last ``K`` the bottom
side, so a quad gives the mean of its four corners). There is ONE
implementation in the package, in :mod:`mmocr_vlp.utils.polygon_utils`,
so that the points written into annotations by the converters and the centres
used by the metrics cannot disagree; it is re-exported here.
"""
from typing import Optional, Sequence

import numpy as np
import shapely
from shapely.geometry import Point, Polygon

from mmocr_vlp.utils.polygon_utils import as_points, polygon_center

__all__ = [
    'polygon_center', 'gt_centers', 'point_in_polygon', 'points_in_polygons',
    'polygon_to_shapely'
]


def gt_centers(polygons: Optional[Sequence[np.ndarray]],
               points: Optional[np.ndarray],
               num: int,
               where: str = '<sample>') -> np.ndarray:
    """GT centres of ``num`` instances, ``(num, 2)`` float64.

    Polygons win when present (their SPTS centre); otherwise the GT points
    are used as they are.

    Raises:
        ValueError: when neither is given for every instance, lengths
            disagree, or a point is not finite. ``where`` names the sample.
    """
    if num == 0:
        return np.zeros((0, 2), dtype=np.float64)
    if polygons is not None and len(polygons) > 0:
        if len(polygons) != num:
            raise ValueError(f'{where}: gt_instances.polygons has '
                             f'{len(polygons)} entries for {num} texts')
        try:
            return np.array([polygon_center(p) for p in polygons],
                            dtype=np.float64).reshape(num, 2)
        except ValueError as e:
            raise ValueError(f'{where}: bad gt polygon: {e}') from e
    if points is None:
        raise ValueError(f'{where}: gt_instances needs `polygons` or `points` '
                         f'to locate the {num} GT words')
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts) != num:
        raise ValueError(f'{where}: gt_instances.points has {len(pts)} rows '
                         f'for {num} texts')
    if not np.isfinite(pts).all():
        raise ValueError(f'{where}: gt_instances.points holds NaN/inf (an '
                         f'instance without a point) and there are no '
                         f'polygons to take the centre from')
    return pts


def polygon_to_shapely(polygon: Sequence[float]) -> Optional[Polygon]:
    """A valid shapely geometry of a flat polygon (``None`` if degenerate).

    Self-intersecting polygons (common in curved-text annotations) are
    repaired with :func:`shapely.make_valid`.
    """
    pts = as_points(polygon)
    if len(pts) < 3:
        return None
    poly = Polygon(pts)
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    if poly.is_empty or poly.area <= 0:
        return None
    return poly


def point_in_polygon(point: Sequence[float], polygon: Sequence[float]) -> bool:
    """Whether ``point`` lies inside (or on the boundary of) ``polygon``."""
    poly = polygon_to_shapely(polygon)
    if poly is None:
        return False
    return bool(poly.covers(Point(float(point[0]), float(point[1]))))


def points_in_polygons(points: np.ndarray,
                       polygons: Sequence[Sequence[float]]) -> np.ndarray:
    """``(P, G)`` bool matrix: point ``p`` inside polygon ``g``."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    out = np.zeros((len(points), len(polygons)), dtype=bool)
    if len(points) == 0:
        return out
    for j, polygon in enumerate(polygons):
        poly = polygon_to_shapely(polygon)
        if poly is None:
            continue
        out[:, j] = shapely.intersects_xy(poly, points[:, 0], points[:, 1])
    return out
