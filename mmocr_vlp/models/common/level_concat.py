# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Per-level heads concatenated across scales (WeCromCL image encoder).

The official WeCromCL code turns its four BiFPN levels (strides 4-32) into
two encoder inputs: for each output stride, a few source levels each go
through a 3x3 conv + BN + ReLU to a narrow width, are upsampled bilinearly
(``align_corners=True``) to that stride and concatenated; each concatenation
then gets a 1x1 conv + GroupNorm (Deformable DETR's input projection).
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule, ModuleList
from mmocr.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class LevelConcat(BaseModule):
    """Concatenate narrow heads of several levels at each output level.

    Output ``t`` is ``proj_t(cat_s up(head_{t,s}(x_s)))`` for the source
    levels ``s`` of ``groups[t]`` (in the given order), upsampled to the
    finest source level of the group.

    Args:
        in_channels (int): Channels of every input level. Defaults to 256.
        head_channels (int): Channels of each head. Defaults to 64.
        groups (Sequence[Sequence[int]]): Per output, the input levels it
            concatenates, e.g. ``((2, 1, 0), (3, 2, 1))`` for stride 4 and
            stride 8 from C2-C5 (WeCromCL). The output has the size of the
            group's finest (smallest index) level.
        norm_cfg (dict): Norm of the heads. Defaults to BN.
        act_cfg (dict): Activation of the heads. Defaults to ReLU.
        out_norm_cfg (dict, optional): Norm of the 1x1 output projection;
            None skips the projection. Defaults to GroupNorm(32).
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int = 256,
                 head_channels: int = 64,
                 groups: Sequence[Sequence[int]] = ((2, 1, 0), (3, 2, 1)),
                 norm_cfg: dict = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 out_norm_cfg: Optional[dict] = dict(type='GN',
                                                     num_groups=32),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not groups or any(len(g) == 0 for g in groups):
            raise ValueError(f'LevelConcat: groups must be non-empty lists '
                             f'of level indices, got {groups!r}')
        self.groups = [tuple(int(i) for i in g) for g in groups]
        self.num_inputs = max(max(g) for g in self.groups) + 1
        self.out_channels = head_channels * len(self.groups[0])
        if any(len(g) != len(self.groups[0]) for g in self.groups):
            raise ValueError('LevelConcat: every group must have the same '
                             'number of levels (equal output channels)')
        self.heads = ModuleList([
            ModuleList([
                ConvModule(in_channels,
                           head_channels,
                           3,
                           padding=1,
                           norm_cfg=norm_cfg,
                           act_cfg=act_cfg) for _ in g
            ]) for g in self.groups
        ])
        self.projs = None
        if out_norm_cfg is not None:
            self.projs = ModuleList([
                ConvModule(self.out_channels,
                           self.out_channels,
                           1,
                           bias=True,
                           norm_cfg=out_norm_cfg,
                           act_cfg=None) for _ in self.groups
            ])

    def forward(self, inputs: Sequence[Tensor]) -> Tuple[Tensor, ...]:
        """Args: inputs, finest first. Returns one map per group."""
        if len(inputs) < self.num_inputs:
            raise ValueError(f'LevelConcat: got {len(inputs)} levels, the '
                             f'groups use {self.num_inputs}')
        outs = []
        for t, (g, heads) in enumerate(zip(self.groups, self.heads)):
            size = inputs[min(g)].shape[-2:]
            parts = []
            for s, head in zip(g, heads):
                x = head(inputs[s])
                if tuple(x.shape[-2:]) != tuple(size):
                    x = F.interpolate(x,
                                      size=tuple(size),
                                      mode='bilinear',
                                      align_corners=True)
                parts.append(x)
            x = torch.cat(parts, 1)
            outs.append(self.projs[t](x) if self.projs is not None else x)
        return tuple(outs)
