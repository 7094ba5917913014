# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SRSTS-A image-encoder neck: input projections + deformable encoder."""
from typing import List, Optional, Sequence, Tuple

import torch.nn.functional as F
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor

from mmocr_vlp.models.common.deformable_encoder import masks_from_img_shapes


@MODELS.register_module()
class SRSTSANeck(BaseModule):
    """DeepSolo-like image encoder neck (WeCromCL supp. Sec. 1).

    ResNet stages -> ``mmdet.ChannelMapper`` (1x1 conv + GroupNorm per
    stage, extra 3x3 stride-2 conv + GN levels, as in Deformable DETR) ->
    the shared :class:`~mmocr_vlp.models.common.DeformableEncoder` -> one
    map ``P`` at the finest level's stride. Coarser encoded levels are
    upsampled and summed into the finest one (``fuse='sum'``) or dropped
    (``fuse='first'``).

    Args:
        channel_mapper (dict): Config of ``mmdet.ChannelMapper``; its
            ``out_channels`` must equal the encoder's ``embed_dims``.
        encoder (dict): Config of ``DeformableEncoder``.
        fuse (str): ``'sum'`` or ``'first'``. Defaults to ``'sum'``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 channel_mapper: dict,
                 encoder: dict,
                 fuse: str = 'sum',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if fuse not in ('sum', 'first'):
            raise ValueError(f"SRSTSANeck: fuse must be 'sum' or 'first', "
                             f'got {fuse!r}')
        encoder = dict(encoder)
        encoder.setdefault('type', 'DeformableEncoder')
        self.channel_mapper = MODELS.build(channel_mapper)
        self.encoder = MODELS.build(encoder)
        if channel_mapper['out_channels'] != self.encoder.embed_dims:
            raise ValueError(
                f'SRSTSANeck: channel_mapper.out_channels '
                f'({channel_mapper["out_channels"]}) != encoder.embed_dims '
                f'({self.encoder.embed_dims})')
        self.fuse = fuse
        self.out_channels = self.encoder.embed_dims

    def forward(self,
                feats: Sequence[Tensor],
                img_shapes: Optional[Sequence[Tuple[int, int]]] = None,
                batch_input_shape: Optional[Tuple[int, int]] = None
                ) -> Tensor:
        """Encode backbone stages into the map ``P``.

        Args:
            feats: Backbone outputs, finest first.
            img_shapes: Per image ``(h, w)`` of the un-padded region in the
                batch frame; builds the encoder's padding masks. None = no
                padding.
            batch_input_shape: ``(H, W)`` of the padded batch input;
                required with ``img_shapes``.

        Returns:
            Tensor: ``(B, embed_dims, H_0, W_0)`` at the finest stride.
        """
        levels: List[Tensor] = list(self.channel_mapper(tuple(feats)))
        masks = None
        if img_shapes is not None:
            if batch_input_shape is None:
                raise ValueError('SRSTSANeck: img_shapes needs '
                                 'batch_input_shape')
            masks = masks_from_img_shapes(
                img_shapes, batch_input_shape,
                [lvl.shape[-2:] for lvl in levels], device=levels[0].device)
        levels = self.encoder(levels, masks)
        out = levels[0]
        if self.fuse == 'sum':
            for lvl in levels[1:]:
                out = out + F.interpolate(
                    lvl, size=out.shape[-2:], mode='bilinear',
                    align_corners=False)
        return out
