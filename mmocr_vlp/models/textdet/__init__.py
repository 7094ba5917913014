# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Text detectors built on mmocr's textdet structure (TextBPN)."""
from . import heads, module_losses, postprocessors, utils  # noqa: F401
from .heads import AdaptiveBoundaryDeformation, TextBPNHead
from .module_losses import TextBPNModuleLoss
from .postprocessors import TextBPNPostprocessor

__all__ = [
    'TextBPNHead', 'AdaptiveBoundaryDeformation', 'TextBPNModuleLoss',
    'TextBPNPostprocessor'
]
