# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Soft activation map and correlated-feature aggregation.

WeCromCL Eq. 4-5.
"""
import math
from typing import Optional, Tuple

import torch
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor, nn

from ..common.amp import fp32_forward


@MODELS.register_module()
class SoftActivationHead(BaseModule):
    """Cross-modality single-head cross-attention of WeCromCL.

    WeCromCL Eq. 4: ``M = softmax_pixels((W_T^T F_T) . (W_I^T F_I(i,j)))``;
    WeCromCL Eq. 5: ``F^c_{I,T} = sum_ij M(i,j) W_V^T F_I(i,j)``. The text
    feature is the query, the pixels are keys and values. The similarity
    is scaled by ``1/sqrt(proj_dims)`` (``sim='dot'``, standard attention,
    as the official code) or is the cosine of the two projections times a
    learnable scale (``sim='cosine'``). Padded pixels get no mass.

    Args:
        text_dims (int): Channels of the text feature ``F_T``.
        img_dims (int): Channels of the pixel features ``F_I``.
        proj_dims (int, optional): Channels of the projected query/key.
            Defaults to ``img_dims``.
        out_dims (int, optional): Channels of ``W_V^T F_I``. Defaults to
            ``text_dims`` (Eq. 6-7 compare it with ``F_T`` by cosine).
        sim (str): ``'dot'`` or ``'cosine'``.
        init_cosine_scale (float): Initial scale for ``sim='cosine'``.
        out_proj (bool): A linear layer (with bias) after the weighted sum,
            ``c_proj(sum M W_V F_I)``, as the official code
            (``F.multi_head_attention_forward``'s output projection). It
            is exactly foldable into ``w_v`` because each map sums to 1,
            but kept as a module so official weights import unchanged.
            Defaults to False.
    """

    def __init__(self,
                 text_dims: int,
                 img_dims: int,
                 proj_dims: Optional[int] = None,
                 out_dims: Optional[int] = None,
                 sim: str = 'dot',
                 init_cosine_scale: float = 10.0,
                 out_proj: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if sim not in ('dot', 'cosine'):
            raise ValueError(f"SoftActivationHead: sim must be 'dot' or "
                             f"'cosine', got {sim!r}")
        proj_dims = proj_dims or img_dims
        out_dims = out_dims or text_dims
        self.sim = sim
        self.proj_dims = proj_dims
        self.w_t = nn.Linear(text_dims, proj_dims)
        self.w_i = nn.Linear(img_dims, proj_dims)
        self.w_v = nn.Linear(img_dims, out_dims)
        self.c_proj = nn.Linear(out_dims, out_dims) if out_proj else None
        if sim == 'cosine':
            self.log_scale = nn.Parameter(
                torch.tensor(math.log(init_cosine_scale)))

    def project_pixels(self, pix: Tensor) -> Tuple[Tensor, Tensor]:
        """Keys ``W_I^T F_I`` and values ``W_V^T F_I`` of ``(B, P, C)``."""
        keys = self.w_i(pix)
        if self.sim == 'cosine':
            keys = nn.functional.normalize(keys, dim=-1)
        return keys, self.w_v(pix)

    @fp32_forward
    def forward(self,
                text: Tensor,
                keys: Tensor,
                values: Tensor,
                pad_mask: Optional[Tensor] = None) -> Tuple[Tensor, Tensor]:
        """Activation maps and aggregated features.

        Args:
            text: ``(T, C_t)`` queries shared by every image or ``(B, T, C_t)``
                queries per image.
            keys, values: From :meth:`project_pixels`, ``(B, P, *)``.
            pad_mask: ``(B, P)`` bool, True = padded pixel (no mass).

        Returns:
            tuple: ``maps`` ``(B, T, P)`` (each row sums to 1; Eq. 4) and
            ``agg`` ``(B, T, out_dims)`` (Eq. 5, then ``c_proj`` when
            enabled).
        """
        q = self.w_t(text)
        if self.sim == 'cosine':
            q = nn.functional.normalize(q, dim=-1) * self.log_scale.exp()
        else:
            q = q / math.sqrt(self.proj_dims)
        if q.dim() == 2:
            logits = torch.einsum('tc,bpc->btp', q, keys)
        else:
            logits = torch.einsum('btc,bpc->btp', q, keys)
        if pad_mask is not None:
            logits = logits.masked_fill(pad_mask[:, None, :],
                                        torch.finfo(logits.dtype).min)
        maps = logits.softmax(-1)
        agg = torch.bmm(maps, values)
        if self.c_proj is not None:
            agg = self.c_proj(agg)
        return maps, agg
