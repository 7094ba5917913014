# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .adaptive_deformation import AdaptiveBoundaryDeformation, GCNRNNEncoder
from .textbpn_head import TextBPNHead

__all__ = ['AdaptiveBoundaryDeformation', 'GCNRNNEncoder', 'TextBPNHead']
