# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .contrastive_loss import SymmetricContrastiveLoss  # noqa: F401

__all__ = ['SymmetricContrastiveLoss']
