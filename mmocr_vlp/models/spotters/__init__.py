# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SRSTS-A single-point text spotter (WeCromCL Sec. 3.3, supp. Sec. 1)."""
from .anchor_estimator import (AnchorEstimator, build_anchor_targets,
                               decode_anchors)
from .ctc_recognizer import CTCRecognizer
from .point_sampler import PointSampler, bilinear_sample
from .srsts_a import SRSTSA
from .srsts_a_head import SRSTSAHead
from .srsts_a_module_loss import SRSTSAModuleLoss
from .srsts_a_neck import SRSTSANeck
from .srsts_a_postprocessor import SRSTSAPostprocessor

__all__ = [
    'AnchorEstimator', 'build_anchor_targets', 'decode_anchors', 'CTCRecognizer',
    'PointSampler', 'bilinear_sample', 'SRSTSA', 'SRSTSAHead',
    'SRSTSAModuleLoss', 'SRSTSANeck', 'SRSTSAPostprocessor'
]
