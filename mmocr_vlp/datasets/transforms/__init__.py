# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .color_jitter import ColorJitter
from .formatting import PackVLPInputs
from .geometric import RandomGaussianBlur, RandomRotateWithPoints, ResizePad
from .instance_utils import INSTANCE_KEYS, num_instances, select_instances
from .loading import (ImageLoadError, LoadWeakAnnotations,
                      SafeLoadImageFromFile)
from .text_transforms import MaskCharacters, SampleWords, TokenizeTexts
from .negatives import NegativeSampler, SampleNegativeTexts  # noqa: F401

__all__ = [
    'ColorJitter', 'PackVLPInputs', 'ResizePad', 'RandomRotateWithPoints',
    'RandomGaussianBlur', 'INSTANCE_KEYS', 'num_instances',
    'select_instances', 'ImageLoadError', 'LoadWeakAnnotations',
    'SafeLoadImageFromFile', 'MaskCharacters', 'SampleWords', 'TokenizeTexts'
]
