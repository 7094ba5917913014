# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Adaptive boundary deformation of TextBPN (Zhang et al., ICCV 2021).

Each boundary proposal is a closed ring of ``N`` control points. Per control
point a node feature is sampled from the shared feature + predicted maps
(bilinear), the point's position relative to its proposal is appended, an
encoder made of a GCN (ring graph) and a bidirectional LSTM in parallel
encodes the ring, and a 1x1-conv decoder regresses an ``(dx, dy)`` offset per
point. The deformation is applied ``num_iters`` times with one encoder per
iteration.
"""
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmocr.models.textdet.heads.drrg_head import GraphConv
from mmocr.registry import MODELS
from torch import Tensor


def ring_adjacency(num_points: int, num_neighbors: int) -> Tensor:
    """Symmetrically normalised adjacency ``D^-1/2 (A + I) D^-1/2`` of a ring
    where every node links to ``num_neighbors // 2`` nodes on each side.

    Args:
        num_points (int): Number of nodes ``N``.
        num_neighbors (int): Neighbours per node (even).

    Returns:
        Tensor: ``(N, N)`` float adjacency.
    """
    adj = torch.eye(num_points)
    half = max(num_neighbors // 2, 1)
    idx = torch.arange(num_points)
    for k in range(1, half + 1):
        adj[idx, (idx + k) % num_points] = 1
        adj[idx, (idx - k) % num_points] = 1
    d_inv_sqrt = adj.sum(1).pow(-0.5)
    return d_inv_sqrt[:, None] * adj * d_inv_sqrt[None, :]


class GCNRNNEncoder(BaseModule):
    """Boundary encoder: GCN branch + bidirectional LSTM branch + 1x1 conv
    shortcut, concatenated and decoded to per-point offsets.

    Args:
        in_channels (int): Node feature channels.
        num_points (int): Control points per proposal.
        state_dim (int): Width of the LSTM (per direction), of the GCN output
            and of the shortcut. Defaults to 128.
        gcn_dims (Sequence[int]): Hidden widths of the GCN layers. Defaults
            to (256, 1024, 512).
        num_neighbors (int): Ring neighbours per node in the graph.
            Defaults to 4.
        decoder_dims (Sequence[int]): Hidden widths of the offset decoder.
            Defaults to (128, 64).
        dropout (float): Dropout in the decoder. Defaults to 0.1.
        init_cfg (dict or list[dict], optional): Initialization configs.
    """

    def __init__(self,
                 in_channels: int,
                 num_points: int,
                 state_dim: int = 128,
                 gcn_dims: Sequence[int] = (256, 1024, 512),
                 num_neighbors: int = 4,
                 decoder_dims: Sequence[int] = (128, 64),
                 dropout: float = 0.1,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.norm = nn.BatchNorm1d(in_channels, affine=False)
        self.rnn = nn.LSTM(
            in_channels, state_dim, num_layers=1, bidirectional=True,
            batch_first=True)
        dims = [in_channels, *gcn_dims, state_dim]
        self.gcn = nn.ModuleList(
            GraphConv(dims[i], dims[i + 1]) for i in range(len(dims) - 1))
        self.shortcut = nn.Conv1d(in_channels, state_dim, 1)
        self.register_buffer(
            'adj', ring_adjacency(num_points, num_neighbors), persistent=False)
        layers = []
        prev = 4 * state_dim
        for d in decoder_dims:
            layers += [nn.Conv1d(prev, d, 1), nn.ReLU(inplace=True),
                       nn.Dropout(dropout)]
            prev = d
        layers.append(nn.Conv1d(prev, 2, 1))
        self.decoder = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """
        Args:
            x (Tensor): Node features ``(K, C, N)``.

        Returns:
            Tensor: Offsets ``(K, 2, N)``.
        """
        x = self.norm(x)
        seq = x.permute(0, 2, 1)  # (K, N, C)
        y_rnn, _ = self.rnn(seq)  # (K, N, 2 * state)
        y_gcn = seq
        adj = self.adj.expand(seq.shape[0], -1, -1)
        for layer in self.gcn:
            y_gcn = layer(y_gcn, adj)
        feats = torch.cat(
            [y_rnn.permute(0, 2, 1),
             y_gcn.permute(0, 2, 1),
             self.shortcut(x)], dim=1)
        return self.decoder(feats)


@MODELS.register_module()
class AdaptiveBoundaryDeformation(BaseModule):
    """Iterative boundary deformation (TextBPN, "adaptive boundary
    deformation model"): ``p_{t+1} = p_t + clip(f_t(F(p_t)))``.

    Args:
        in_channels (int): Channels of the feature map the nodes are sampled
            from (shared feature + the 4 predicted map channels).
        num_points (int): Control points per proposal. Defaults to 20.
        num_iters (int): Deformation iterations. Defaults to 3.
        with_rel_pos (bool): Append each point's position relative to its
            proposal centre, divided by the proposal's longer side, to the
            node feature. Defaults to True.
        clip_dis (float): Maximum offset per point and iteration, in map
            pixels. Defaults to 16 (TextBPN's value at stride 1).
        encoder_cfg (dict, optional): Extra kwargs of
            :class:`GCNRNNEncoder` (``state_dim``, ``gcn_dims``,
            ``num_neighbors``, ``decoder_dims``, ``dropout``).
        init_cfg (dict or list[dict], optional): Initialization configs.
            Defaults to N(0, 0.01) for the 1x1 convs so that the first
            offsets are small.
    """

    def __init__(self,
                 in_channels: int,
                 num_points: int = 20,
                 num_iters: int = 3,
                 with_rel_pos: bool = True,
                 clip_dis: float = 16.,
                 encoder_cfg: Optional[Dict] = None,
                 init_cfg: Optional[Union[Dict, List[Dict]]] = dict(
                     type='Normal', layer='Conv1d', std=0.01)) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.num_points = num_points
        self.num_iters = num_iters
        self.with_rel_pos = with_rel_pos
        self.clip_dis = clip_dis
        node_channels = in_channels + (2 if with_rel_pos else 0)
        encoder_cfg = encoder_cfg or {}
        self.encoders = nn.ModuleList(
            GCNRNNEncoder(node_channels, num_points, **encoder_cfg)
            for _ in range(num_iters))

    @staticmethod
    def sample_node_features(feat: Tensor, polys: Tensor,
                             inds: Tensor) -> Tensor:
        """Bilinearly sample features at control points.

        Args:
            feat (Tensor): ``(B, C, H, W)`` feature map.
            polys (Tensor): ``(K, N, 2)`` points in map pixels (x, y).
            inds (Tensor): ``(K,)`` image index of each proposal.

        Returns:
            Tensor: ``(K, C, N)`` node features.
        """
        _, c, h, w = feat.shape
        k, n, _ = polys.shape
        grid = torch.stack([
            polys[..., 0] / max(w - 1, 1) * 2 - 1,
            polys[..., 1] / max(h - 1, 1) * 2 - 1
        ], dim=-1)
        out = feat.new_zeros((k, c, n))
        for b in inds.unique().tolist():
            sel = inds == b
            sampled = F.grid_sample(
                feat[b:b + 1], grid[sel][None], mode='bilinear',
                padding_mode='border', align_corners=True)  # (1, C, k_b, N)
            out[sel] = sampled[0].permute(1, 0, 2)
        return out

    @staticmethod
    def relative_positions(polys: Tensor) -> Tensor:
        """Positions relative to the proposal centre over its longer side.

        Args:
            polys (Tensor): ``(K, N, 2)`` points.

        Returns:
            Tensor: ``(K, 2, N)``.
        """
        centre = polys.mean(dim=1, keepdim=True)
        extent = (polys.max(dim=1)[0] - polys.min(dim=1)[0]).max(
            dim=1)[0].clamp(min=1.)
        rel = (polys - centre) / extent[:, None, None]
        return rel.permute(0, 2, 1)

    def forward(self, feat: Tensor, init_polys: Tensor,
                inds: Tensor) -> List[Tensor]:
        """Deform proposals ``num_iters`` times.

        Args:
            feat (Tensor): ``(B, C, H, W)`` node feature source.
            init_polys (Tensor): ``(K, N, 2)`` proposals in map pixels.
            inds (Tensor): ``(K,)`` image index of each proposal.

        Returns:
            list[Tensor]: ``num_iters`` tensors ``(K, N, 2)``, one per
            iteration (the last one is the prediction).
        """
        if feat.shape[1] != self.in_channels:
            raise ValueError(
                f'AdaptiveBoundaryDeformation expects {self.in_channels} '
                f'feature channels, got {feat.shape[1]}')
        h, w = feat.shape[-2:]
        polys = init_polys.float()
        if polys.shape[0] == 0:
            return [polys for _ in range(self.num_iters)]
        outs = []
        for encoder in self.encoders:
            node = self.sample_node_features(feat, polys, inds)
            if self.with_rel_pos:
                node = torch.cat([node, self.relative_positions(polys)], 1)
            offset = encoder(node).permute(0, 2, 1)
            offset = offset.clamp(-self.clip_dis, self.clip_dis)
            polys = polys + offset
            polys = torch.stack([
                polys[..., 0].clamp(0, w - 1), polys[..., 1].clamp(0, h - 1)
            ], dim=-1)
            outs.append(polys)
        return outs
