# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .contour import (cyclic_shift_indices, mask_to_control_points,
                      orient_clockwise, resample_polygon)

__all__ = [
    'resample_polygon', 'orient_clockwise', 'mask_to_control_points',
    'cyclic_shift_indices'
]
