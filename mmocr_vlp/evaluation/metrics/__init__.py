# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .base_spotting_metric import BaseSpottingMetric, extract_sample
from .edit_distance_spotting_metric import EditDistanceSpottingMetric
from .masked_char_metric import MaskedCharAccuracy
from .pseudo_label_metric import PseudoLabelMetric
from .spts_point_metric import SPTSPointMetric

__all__ = [
    'BaseSpottingMetric', 'extract_sample', 'EditDistanceSpottingMetric',
    'MaskedCharAccuracy',
    'PseudoLabelMetric', 'SPTSPointMetric'
]
