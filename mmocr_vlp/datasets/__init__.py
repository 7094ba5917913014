# Copyright (c) mmocr_vlp contributors. All rights reserved.
from . import transforms  # noqa: F401
from .dictionary import PRESETS, TokenizeError, VLPDictionary, build_dictionary
from .weak_text_dataset import AnnotationError, WeakTextDataset

__all__ = [
    'VLPDictionary', 'build_dictionary', 'PRESETS', 'TokenizeError',
    'WeakTextDataset', 'AnnotationError'
]
