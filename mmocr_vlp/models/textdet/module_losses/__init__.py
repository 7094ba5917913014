# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .textbpn_module_loss import TextBPNModuleLoss, point_matching_loss

__all__ = ['TextBPNModuleLoss', 'point_matching_loss']
