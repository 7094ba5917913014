# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .activation_head import SoftActivationHead
from .loss import AtomisticContrastiveLoss
from .wecromcl import WeCromCL
from .word_encoder import WordTextEncoder

__all__ = [
    'SoftActivationHead', 'AtomisticContrastiveLoss', 'WeCromCL',
    'WordTextEncoder'
]
