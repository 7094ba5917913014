# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Polygon helpers of the renderer: the one definition of the SPTS word
centre lives in :mod:`mmocr_vlp.datasets.converters.geometry` (annotations,
views and metrics all use it)."""
from ..converters.geometry import polygon_center
from ..converters.geometry import polygon_to_bbox as polygon_bbox

__all__ = ['polygon_center', 'polygon_bbox']
