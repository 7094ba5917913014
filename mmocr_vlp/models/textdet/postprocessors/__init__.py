# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .textbpn_postprocessor import TextBPNPostprocessor

__all__ = ['TextBPNPostprocessor']
