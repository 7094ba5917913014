# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .activation_head import SoftActivationHead
from .anchors import find_peaks, map_to_image
from .loss import AtomisticContrastiveLoss
from .wecromcl import WeCromCL
from .word_encoder import WordTextEncoder

__all__ = [
    'SoftActivationHead', 'find_peaks', 'map_to_image',
    'AtomisticContrastiveLoss', 'WeCromCL', 'WordTextEncoder'
]
