# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""BiFPN neck with weighted fast-normalised fusion (EfficientDet).

Tan et al., "EfficientDet: Scalable and Efficient Object Detection",
CVPR 2020, Sec. 3. Used by WeCromCL's image encoder (two stacked BiFPNs)
and available to any detector config as ``dict(type='BiFPN', ...)``.
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmcv.cnn import (ConvModule, DepthwiseSeparableConvModule,
                      build_activation_layer)
from mmengine.model import BaseModule, ModuleList
from mmocr.registry import MODELS
from torch import Tensor, nn


def _resize_to(x: Tensor, size: Tuple[int, int]) -> Tensor:
    """Resize ``x`` to ``size``: max-pool down by 2 or nearest up."""
    h, w = x.shape[-2:]
    if (h, w) == tuple(size):
        return x
    if h > size[0] or w > size[1]:
        x = F.max_pool2d(x, kernel_size=3, stride=2, padding=1)
        if tuple(x.shape[-2:]) == tuple(size):
            return x
    return F.interpolate(x, size=tuple(size), mode='nearest')


class WeightedFusion(nn.Module):
    """Fast normalised fusion ``sum_i relu(w_i) x_i / (eps + sum_j relu(w_j))``
    (EfficientDet Eq. 3) followed by activation + conv (+ norm).

    Args:
        num_inputs (int): Number of fused maps.
        channels (int): Channels of every map.
        norm_cfg / act_cfg: Norm of the fusion conv (None = no norm) and the
            activation before it.
        separable (bool): Depth-wise separable conv (EfficientDet) or a
            plain conv.
        eps (float): Stabiliser of the normalisation.
        kernel_size (int): Kernel of the fusion conv. Defaults to 3.
        bias (bool or str): Bias of the fusion conv; ``'auto'`` = only
            without norm (mmcv's rule).
    """

    def __init__(self,
                 num_inputs: int,
                 channels: int,
                 norm_cfg: Optional[dict],
                 act_cfg: Optional[dict],
                 separable: bool = True,
                 eps: float = 1e-4,
                 kernel_size: int = 3,
                 bias='auto') -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(num_inputs))
        self.act = build_activation_layer(act_cfg) if act_cfg else None
        conv = DepthwiseSeparableConvModule if separable else ConvModule
        kw = dict(padding=kernel_size // 2, norm_cfg=norm_cfg, act_cfg=None)
        if not separable:
            kw['bias'] = bias
        self.conv = conv(channels, channels, kernel_size, **kw)

    def forward(self, inputs: Sequence[Tensor]) -> Tensor:
        w = F.relu(self.weight)
        w = w / (w.sum() + self.eps)
        x = sum(wi * xi for wi, xi in zip(w, inputs))
        if self.act is not None:
            x = self.act(x)
        return self.conv(x)


class BiFPNLayer(nn.Module):
    """One top-down + bottom-up BiFPN pass over ``num_levels`` maps."""

    def __init__(self,
                 num_levels: int,
                 channels: int,
                 norm_cfg: Optional[dict],
                 act_cfg: Optional[dict],
                 separable: bool = True,
                 eps: float = 1e-4,
                 kernel_size: int = 3,
                 bias='auto') -> None:
        super().__init__()
        self.num_levels = num_levels
        kw = dict(channels=channels,
                  norm_cfg=norm_cfg,
                  act_cfg=act_cfg,
                  separable=separable,
                  eps=eps,
                  kernel_size=kernel_size,
                  bias=bias)
        # Top-down nodes for levels L-2 .. 0 (two inputs each).
        self.td = ModuleList(
            [WeightedFusion(2, **kw) for _ in range(num_levels - 1)])
        # Bottom-up nodes for levels 1 .. L-1: three inputs, two at the top.
        self.bu = ModuleList([
            WeightedFusion(2 if i == num_levels - 1 else 3, **kw)
            for i in range(1, num_levels)
        ])

    def forward(self, feats: List[Tensor]) -> List[Tensor]:
        L = self.num_levels
        td = [None] * L
        td[L - 1] = feats[L - 1]
        for k, i in enumerate(range(L - 2, -1, -1)):
            up = _resize_to(td[i + 1], feats[i].shape[-2:])
            td[i] = self.td[k]([feats[i], up])
        outs = [td[0]]
        for i in range(1, L):
            down = _resize_to(outs[i - 1], feats[i].shape[-2:])
            if i == L - 1:
                x = self.bu[i - 1]([feats[i], down])
            else:
                x = self.bu[i - 1]([feats[i], td[i], down])
            outs.append(x)
        return outs


@MODELS.register_module()
class BiFPN(BaseModule):
    """Bidirectional feature pyramid network (EfficientDet, Sec. 3).

    Input levels are projected to ``out_channels`` by a lateral conv + norm
    (1x1, no activation by default; the official WeCromCL code uses 3x3 conv
    + BN + ReLU: ``lateral_kernel_size=3``, ``lateral_act_cfg=ReLU``), extra
    coarser levels (``num_outs > len(in_channels) - start_level``) come from
    stride-2 max-pooling of the coarsest level, then ``num_repeats`` BiFPN
    layers fuse them with learnable non-negative weights (fast normalised
    fusion). Odd sizes are handled by resizing to the exact target shape.

    Args:
        in_channels (list[int]): Channels of the backbone levels.
        out_channels (int): Channels of every output level. Defaults to 256.
        num_outs (int, optional): Number of output levels. Defaults to the
            number of used input levels.
        start_level (int): First backbone level used. Defaults to 0.
        num_repeats (int): Stacked BiFPN layers. Defaults to 2.
        norm_cfg (dict): Normalisation. Defaults to BN (momentum 0.01,
            eps 1e-3, as EfficientDet).
        act_cfg (dict): Activation before each fusion conv. Defaults to Swish.
        separable (bool): Depth-wise separable fusion convs. Defaults to True.
        eps (float): Stabiliser of the fusion weights. Defaults to 1e-4.
        lateral_kernel_size (int): Kernel of the input convs. Defaults to 1.
        lateral_act_cfg (dict, optional): Activation after the input convs.
            Defaults to None.
        fusion_kernel_size (int): Kernel of the fusion convs. Defaults to 3.
        fusion_norm (bool): Norm after the fusion convs. Defaults to True
            (the official WeCromCL code: plain 1x1 convs, no norm, no bias:
            ``separable=False, fusion_kernel_size=1, fusion_norm=False,
            fusion_bias=False``).
        fusion_bias (bool or str): Bias of plain fusion convs. Defaults to
            ``'auto'`` (bias only without norm).
        init_cfg (dict or list[dict], optional): Initialisation config.
    """

    def __init__(
        self,
        in_channels: List[int],
        out_channels: int = 256,
        num_outs: Optional[int] = None,
        start_level: int = 0,
        num_repeats: int = 2,
        norm_cfg: Optional[dict] = dict(type='BN', momentum=0.01, eps=1e-3),
        act_cfg: Optional[dict] = dict(type='Swish'),
        separable: bool = True,
        eps: float = 1e-4,
        lateral_kernel_size: int = 1,
        lateral_act_cfg: Optional[dict] = None,
        fusion_kernel_size: int = 3,
        fusion_norm: bool = True,
        fusion_bias='auto',
        init_cfg=dict(type='Xavier', layer='Conv2d', distribution='uniform')
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if not isinstance(in_channels, (list, tuple)) or not in_channels:
            raise ValueError(f'BiFPN: in_channels must be a non-empty list, '
                             f'got {in_channels!r}')
        if not 0 <= start_level < len(in_channels):
            raise ValueError(f'BiFPN: start_level={start_level} out of range '
                             f'for {len(in_channels)} input levels')
        self.in_channels = list(in_channels)
        self.out_channels = out_channels
        self.start_level = start_level
        n_used = len(in_channels) - start_level
        self.num_outs = n_used if num_outs is None else num_outs
        if self.num_outs < max(n_used, 2):
            raise ValueError(
                f'BiFPN: num_outs={self.num_outs} must be >= the '
                f'number of used input levels ({n_used}) and >= 2')
        if num_repeats < 1:
            raise ValueError('BiFPN: num_repeats must be >= 1')
        self.laterals = ModuleList([
            ConvModule(c,
                       out_channels,
                       lateral_kernel_size,
                       padding=lateral_kernel_size // 2,
                       norm_cfg=norm_cfg,
                       act_cfg=lateral_act_cfg)
            for c in self.in_channels[start_level:]
        ])
        self.num_extra = self.num_outs - n_used
        self.layers = ModuleList([
            BiFPNLayer(self.num_outs, out_channels,
                       norm_cfg if fusion_norm else None, act_cfg, separable,
                       eps, fusion_kernel_size, fusion_bias)
            for _ in range(num_repeats)
        ])

    def forward(self, inputs: Sequence[Tensor]) -> Tuple[Tensor, ...]:
        """Fuse the backbone maps.

        Args:
            inputs: Backbone maps, finest first, ``len(in_channels)`` of them.

        Returns:
            tuple[Tensor]: ``num_outs`` maps ``(B, out_channels, H_l, W_l)``,
            finest first.
        """
        if len(inputs) != len(self.in_channels):
            raise ValueError(f'BiFPN: got {len(inputs)} input levels, built '
                             f'for {len(self.in_channels)}')
        feats = [
            lat(x) for lat, x in zip(self.laterals, inputs[self.start_level:])
        ]
        for _ in range(self.num_extra):
            feats.append(
                F.max_pool2d(feats[-1], kernel_size=3, stride=2, padding=1))
        for layer in self.layers:
            feats = layer(feats)
        return tuple(feats)
