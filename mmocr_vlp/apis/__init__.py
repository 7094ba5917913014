# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .inferencers import WeCromCLInferencer

__all__ = ['WeCromCLInferencer']
