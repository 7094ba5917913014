# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""CLIP modified ResNet with a configurable depth.

The trunk of oCLIP's image encoder *is* mmocr's :class:`CLIPResNet` (mmdet
ResNet with a 3-conv deep stem, average-pool stem downsampling, ``avg_down``
shortcuts and an AvgPool plugin after ``conv2`` of strided bottlenecks). We
only extend its ``arch_settings`` beyond depth 50, so that a trunk's state
dict has exactly the key layout mmocr's detectors load: exporting is a
key-prefix strip, and mmocr-format oCLIP weights load without conversion.
"""
from mmocr.models.common.backbones.clip_resnet import (CLIPBottleneck,
                                                        CLIPResNet)
from mmocr.registry import MODELS
from torch import nn


@MODELS.register_module()
class OCLIPResNet(CLIPResNet):
    """:class:`mmocr.models.CLIPResNet` with more depths.

    Depths: 26 (2, 2, 2, 2 bottlenecks; a small CPU variant), 50 (the
    paper's RN50 and mmocr's only depth), 101 and 152. ``base_channels``
    scales the widths (64 in the paper; e.g. 16 for CPU configs). For depth
    50, any state dict of this class loads into ``mmocr.models.CLIPResNet``
    built with the same ``base_channels`` with no missing/unexpected keys;
    for the other depths use this class in the detector config.

    ``zero_init_residual`` (mmdet's argument, default True) zero-initialises
    the last BatchNorm (``norm3``) of every bottleneck, as CLIP and the
    official oCLIP do; mmdet's own check only recognises its ``Bottleneck``
    class (not ``CLIPBottleneck``) and only without an explicit
    ``init_cfg``, so this class applies it itself after any init that is
    not a ``Pretrained`` checkpoint.
    """
    arch_settings = {
        26: (CLIPBottleneck, (2, 2, 2, 2)),
        50: (CLIPBottleneck, (3, 4, 6, 3)),
        101: (CLIPBottleneck, (3, 4, 23, 3)),
        152: (CLIPBottleneck, (3, 8, 36, 3)),
    }

    def init_weights(self) -> None:
        if getattr(self, '_is_init', False):
            return
        super().init_weights()
        cfgs = self.init_cfg if isinstance(self.init_cfg, list) \
            else [self.init_cfg]
        if not self.zero_init_residual or any(
                isinstance(c, dict) and c.get('type') == 'Pretrained'
                for c in cfgs):
            return
        for m in self.modules():
            if isinstance(m, CLIPBottleneck):
                nn.init.zeros_(m.norm3.weight)
