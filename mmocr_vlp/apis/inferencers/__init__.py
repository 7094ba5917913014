# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .wecromcl_inferencer import WeCromCLInferencer

__all__ = ['WeCromCLInferencer']
