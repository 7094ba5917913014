# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""oCLIP image encoder: CLIP modified ResNet + attention pooling."""
from typing import Dict, Optional, Tuple

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class CLIPImageEncoder(BaseModule):
    """Image encoder of oCLIP (Sec. 3, Fig. 2).

    ``backbone`` (default :class:`OCLIPResNet`, whose state dict is
    mmocr's ``CLIPResNet`` layout) gives the stride-32 map of its last
    stage; :class:`CLIPAttentionPool` turns it into a global image token
    and ``H/32 * W/32`` spatial tokens.

    Args:
        backbone (dict): Backbone config; ``out_indices`` is forced to the
            last stage.
        input_size (int): Design input size; the pooling's positional
            embedding is built for ``input_size // 32`` (interpolated for
            other sizes).
        num_heads (int): Attention-pool heads (32 for RN50).
        out_dims (int): Output width of the tokens (384 in oCLIP).
        pretrained (str, optional): A checkpoint to initialise from after
            the default init: an mmocr ``CLIPResNet`` state dict (what mmocr
            publishes as ``resnet50-oclip-*.pth``, or what
            ``tools/export_backbone.py`` writes), an official oCLIP
            checkpoint (``visual.*`` keys) or a full :class:`OCLIP`
            checkpoint. See :func:`mmocr_vlp.utils.ckpt_convert.to_image_encoder`.
        channels_last (bool): Run the trunk in ``torch.channels_last``
            memory format (its conv weights and the input), a pure speed
            switch: the same outputs up to float rounding, faster
            convolutions on CPU (oneDNN) and GPU (tensor cores), and the
            attention pool's flattening becomes a view. Defaults to False.
    """

    def __init__(self,
                 backbone: Dict = dict(type='OCLIPResNet', depth=50),
                 input_size: int = 512,
                 num_heads: int = 32,
                 out_dims: int = 384,
                 pretrained: Optional[str] = None,
                 channels_last: bool = False,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        backbone = dict(backbone)
        num_stages = backbone.get('num_stages', 4)
        backbone['out_indices'] = (num_stages - 1, )
        self.backbone = MODELS.build(backbone)
        self.feat_dims = self.backbone.feat_dim
        self.attnpool = MODELS.build(
            dict(
                type='CLIPAttentionPool',
                spatial_dim=input_size // 32,
                embed_dims=self.feat_dims,
                num_heads=num_heads,
                out_dims=out_dims))
        self.out_dims = out_dims
        self.pretrained = pretrained
        self.channels_last = channels_last
        if channels_last:
            self.backbone.to(memory_format=torch.channels_last)

    def init_weights(self) -> None:
        super().init_weights()
        if self.pretrained:
            self.load_pretrained(self.pretrained)

    def load_pretrained(self, path: str) -> None:
        """Load weights in any supported layout (see class docstring)."""
        from mmocr_vlp.utils.ckpt_convert import (load_state_dict_file,
                                                  to_image_encoder)
        sd = to_image_encoder(load_state_dict_file(path))
        missing, unexpected = self.load_state_dict(sd, strict=False)
        missing = [k for k in missing if not k.endswith('num_batches_tracked')]
        print_log(
            f'CLIPImageEncoder: loaded {len(sd)} tensors from {path}; '
            f'missing {len(missing)} (e.g. {missing[:3]}), unexpected '
            f'{len(unexpected)} (e.g. {unexpected[:3]})',
            logger='current')
        if unexpected:
            raise KeyError(f'{path}: unexpected keys for CLIPImageEncoder: '
                           f'{unexpected[:5]}')

    def forward(self, inputs: Tensor, need_weights: bool = False
                ) -> Tuple[Tensor, Tensor, Tuple[int, int], Optional[Tensor]]:
        """Encode images.

        Args:
            inputs (Tensor): ``(B, 3, H, W)``.
            need_weights (bool): Return the pooling attention weights.

        Returns:
            tuple: global token ``(B, D)``, spatial tokens ``(B, h*w, D)``,
            the token grid ``(h, w)`` and the attention weights (or None).
        """
        if self.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        feat = self.backbone(inputs)[-1]
        h, w = feat.shape[-2:]
        glob, spatial, attn = self.attnpool(feat, need_weights=need_weights)
        return glob, spatial, (h, w), attn

    def trunk_state_dict(self) -> Dict[str, torch.Tensor]:
        """The backbone's state dict (mmocr ``CLIPResNet`` key layout;
        contiguous tensors also when the trunk runs in channels_last)."""
        return {k: v.detach().clone(memory_format=torch.contiguous_format)
                for k, v in self.backbone.state_dict().items()}
