# Copyright (c) mmocr_vlp contributors. All rights reserved.
import numpy as np
import pytest

from mmocr_vlp.evaluation.functional import (gt_centers, point_in_polygon,
                                             points_in_polygons,
                                             polygon_center)


def test_quad_center_is_mean_of_side_midpoints():
    # top side (0,0)-(10,0) midpoint (5,0); bottom (10,4)-(0,4) -> (5,4)
    assert polygon_center([0, 0, 10, 0, 10, 4, 0, 4]) == \
        pytest.approx((5.0, 2.0))
    # a skewed quad: midpoints (6,0) and (4,4)
    assert polygon_center([0, 0, 12, 0, 8, 4, 0, 4]) == \
        pytest.approx((5.0, 2.0))


def test_curved_center_uses_arc_length_midpoints():
    # top polyline (0,0)-(6,0)-(6,8): length 6 + 8, half 7 -> (6,1)
    # bottom polyline (8,10)-(0,10)-(0,4): length 8 + 6, half 7 -> (1,10)
    poly = [0, 0, 6, 0, 6, 8, 8, 10, 0, 10, 0, 4]
    assert polygon_center(poly) == pytest.approx((3.5, 5.5))
    # NOT the vertex mean, which would be (3.33, 5.33)
    assert polygon_center(poly) != pytest.approx(
        tuple(np.array(poly).reshape(-1, 2).mean(0)))


def test_gt_centers_prefers_polygons_then_points():
    polys = [np.array([0, 0, 10, 0, 10, 10, 0, 10.])]
    np.testing.assert_allclose(gt_centers(polys, np.array([[100., 100.]]), 1),
                               [[5, 5]])
    np.testing.assert_allclose(gt_centers(None, np.array([[1., 2.]]), 1),
                               [[1, 2]])
    assert gt_centers(None, None, 0).shape == (0, 2)
    with pytest.raises(ValueError, match='img_9'):
        gt_centers(None, np.array([[np.nan, 1.]]), 1, where='img_9')
    with pytest.raises(ValueError, match='polygons` or `points'):
        gt_centers(None, None, 2)
    with pytest.raises(ValueError, match='2 entries for 3'):
        gt_centers(polys * 2, None, 3)


def test_point_in_polygon_includes_boundary():
    sq = [0, 0, 10, 0, 10, 10, 0, 10]
    assert point_in_polygon((5, 5), sq)
    assert point_in_polygon((10, 5), sq)  # on the edge
    assert not point_in_polygon((10.5, 5), sq)
    # a self-intersecting "bow tie" is repaired instead of crashing
    assert point_in_polygon((2, 5), [0, 0, 10, 10, 10, 0, 0, 10])
    m = points_in_polygons(np.array([[5, 5], [15, 5], [10, 5]]),
                           [sq, [10, 0, 20, 0, 20, 10, 10, 10]])
    np.testing.assert_array_equal(m, [[1, 0], [0, 1], [1, 1]])
