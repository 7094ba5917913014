# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""TextBPN head (Zhang et al., "Adaptive Boundary Proposal Network for
Arbitrary Shape Text Detection", ICCV 2021)."""
import math
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmocr.models.textdet.heads import BaseTextDetHead
from mmocr.registry import MODELS
from mmocr.utils import fill_hole
from mmocr.utils.typing_utils import DetSampleList
from torch import Tensor

from ..utils import mask_to_control_points


@MODELS.register_module()
class TextBPNHead(BaseTextDetHead):
    """Boundary proposal head + adaptive boundary deformation of TextBPN.

    Pipeline: the neck's stride-``in_stride`` shared feature is reduced to
    ``feat_channels`` and upsampled ``upsample_ratio`` times (transposed
    convs); dilated convs predict 4 maps: text classification (logits),
    normalised distance field (sigmoid) and direction field (2 channels).
    The deformation model samples node features from
    ``[shared feature, sigmoid(cls), distance, direction]``.

    - Training (:meth:`loss`): proposals come from the ground truth (shrunk
      and jittered GT regions made by the module loss).
    - Inference (:meth:`forward`/:meth:`predict`): proposals are the
      connected components of ``distance / max(distance) > dis_thr`` (holes
      filled) whose area is at least ``min_area`` input pixels and whose mean
      text probability is at least ``cls_thr``; each component's outer
      contour is resampled to ``num_points`` control points.

    Polygons leave the head in input-image pixels; the postprocessor maps
    them back to the original image.

    Args:
        in_channels (int): Channels of the neck output.
        feat_channels (int): Shared feature channels. Defaults to 32.
        in_stride (int): Stride of the neck output. Defaults to 4.
        upsample_ratio (int): Power of two; maps have stride
            ``in_stride / upsample_ratio``. Defaults to 4 (full resolution,
            as the official implementation).
        num_points (int): Control points per proposal. Defaults to 20.
        deformation (dict): Config of the deformation model; its
            ``in_channels`` and ``num_points`` are filled in. Defaults to
            ``dict(type='AdaptiveBoundaryDeformation', num_iters=3)``.
        dis_thr (float): Distance-field threshold (relative to the image
            maximum) for proposals. Defaults to 0.3.
        cls_thr (float): Minimum mean text probability of a proposal.
            Defaults to 0.8.
        min_area (float): Minimum proposal area in input pixels. Defaults
            to 150.
        approx_factor (float): Contour simplification factor. Defaults to
            0.007.
        max_proposals (int): Most proposals kept per image (largest first).
            Defaults to 300.
        module_loss (dict): Defaults to ``dict(type='TextBPNModuleLoss')``.
        postprocessor (dict): Defaults to
            ``dict(type='TextBPNPostprocessor')``.
        init_cfg (dict or list[dict], optional): Initialization configs.
    """

    def __init__(
        self,
        in_channels: int,
        feat_channels: int = 32,
        in_stride: int = 4,
        upsample_ratio: int = 4,
        num_points: int = 20,
        deformation: Dict = dict(
            type='AdaptiveBoundaryDeformation', num_iters=3),
        dis_thr: float = 0.3,
        cls_thr: float = 0.8,
        min_area: float = 150.,
        approx_factor: float = 0.007,
        max_proposals: int = 300,
        module_loss: Dict = dict(type='TextBPNModuleLoss'),
        postprocessor: Dict = dict(type='TextBPNPostprocessor'),
        init_cfg: Optional[Union[Dict, List[Dict]]] = [
            dict(type='Kaiming', layer=['Conv2d', 'ConvTranspose2d']),
            dict(type='Constant', layer='BatchNorm2d', val=1., bias=1e-4)
        ]
    ) -> None:
        module_loss = dict(module_loss)
        module_loss.setdefault('num_points', num_points)
        if module_loss['num_points'] != num_points:
            raise ValueError('TextBPNHead: module_loss.num_points '
                             f'({module_loss["num_points"]}) != num_points '
                             f'({num_points})')
        super().__init__(
            module_loss=module_loss,
            postprocessor=postprocessor,
            init_cfg=init_cfg)
        n_up = int(round(math.log2(upsample_ratio)))
        if upsample_ratio < 1 or 2**n_up != upsample_ratio:
            raise ValueError(
                f'upsample_ratio must be a power of 2, got {upsample_ratio}')
        self.in_channels = in_channels
        self.feat_channels = feat_channels
        self.stride = in_stride / upsample_ratio
        self.num_points = num_points
        self.dis_thr = dis_thr
        self.cls_thr = cls_thr
        self.min_area = min_area
        self.approx_factor = approx_factor
        self.max_proposals = max_proposals

        self.reduce = ConvModule(
            in_channels, feat_channels, 3, padding=1,
            norm_cfg=dict(type='BN'), act_cfg=dict(type='ReLU'))
        ups = []
        for _ in range(n_up):
            ups += [
                nn.ConvTranspose2d(feat_channels, feat_channels, 2, 2),
                nn.BatchNorm2d(feat_channels),
                nn.ReLU(inplace=True)
            ]
        self.upsample = nn.Sequential(*ups)
        mid = max(feat_channels // 2, 4)
        self.seg_head = nn.Sequential(
            nn.Conv2d(feat_channels, mid, 3, padding=2, dilation=2),
            nn.PReLU(),
            nn.Conv2d(mid, mid, 3, padding=4, dilation=4), nn.PReLU(),
            nn.Conv2d(mid, 4, 1))
        deformation = dict(deformation)
        deformation.setdefault('in_channels', feat_channels + 4)
        deformation.setdefault('num_points', num_points)
        self.deformation = MODELS.build(deformation)

    # -------------------------------------------------------------- forward
    def forward_maps(self, x: Union[Tensor, Sequence[Tensor]]
                     ) -> Tuple[Tensor, Dict[str, Tensor]]:
        """Shared feature and boundary-proposal maps.

        Args:
            x (Tensor or tuple[Tensor]): Neck output (the first level is
                used if a sequence is given).

        Returns:
            tuple: ``node_source`` ``(B, C + 4, H, W)`` and a dict with
            ``cls_logits`` ``(B, H, W)``, ``dis_map`` ``(B, H, W)``,
            ``dir_map`` ``(B, 2, H, W)``.
        """
        if isinstance(x, (list, tuple)):
            x = x[0]
        shared = self.upsample(self.reduce(x))
        out = self.seg_head(shared)
        cls_logits = out[:, 0]
        dis_map = torch.sigmoid(out[:, 1])
        dir_map = out[:, 2:4]
        node_source = torch.cat(
            [shared, torch.sigmoid(out[:, 0:1]), dis_map[:, None], dir_map],
            dim=1)
        return node_source, dict(
            cls_logits=cls_logits, dis_map=dis_map, dir_map=dir_map)

    def forward(self,
                x: Union[Tensor, Sequence[Tensor]],
                data_samples: Optional[DetSampleList] = None,
                proposals: Optional[Tuple[Tensor, Tensor]] = None) -> Dict:
        """Maps, proposals and their deformation.

        Args:
            x (Tensor or tuple[Tensor]): Neck output.
            data_samples (list[TextDetDataSample], optional): Used for the
                valid (unpadded) image area at inference.
            proposals (tuple(Tensor, Tensor), optional): ``(K, N, 2)``
                proposals in map pixels and their ``(K,)`` image indices. If
                None they are extracted from the predicted maps.

        Returns:
            dict: The maps of :meth:`forward_maps` plus ``init_polys``,
            ``py_preds`` (list, one ``(K, N, 2)`` per iteration, map pixels),
            ``inds``, ``scores`` ``(K,)``, ``polygons`` (last iteration in
            input-image pixels), ``stride`` and ``batch_size``.
        """
        node_source, maps = self.forward_maps(x)
        if proposals is None:
            init_polys, inds, scores = self.get_proposals(
                torch.sigmoid(maps['cls_logits']), maps['dis_map'],
                data_samples)
        else:
            init_polys, inds = proposals
            scores = init_polys.new_ones(init_polys.shape[0])
        init_polys = init_polys.to(node_source.device)
        inds = inds.to(node_source.device)
        py_preds = self.deformation(node_source, init_polys, inds)
        final = py_preds[-1] if len(py_preds) else init_polys
        maps.update(
            init_polys=init_polys,
            py_preds=py_preds,
            inds=inds,
            scores=scores.to(node_source.device),
            polygons=final * self.stride,
            stride=self.stride,
            batch_size=node_source.shape[0])
        return maps

    @torch.no_grad()
    def get_proposals(self,
                      cls_prob: Tensor,
                      dis_map: Tensor,
                      data_samples: Optional[DetSampleList] = None
                      ) -> Tuple[Tensor, Tensor, Tensor]:
        """Boundary proposals from the predicted maps.

        Args:
            cls_prob (Tensor): ``(B, H, W)`` text probability.
            dis_map (Tensor): ``(B, H, W)`` distance field.
            data_samples (list[TextDetDataSample], optional): Their
                ``img_shape`` limits the search to the unpadded area.

        Returns:
            tuple: proposals ``(K, N, 2)`` (map pixels), image indices
            ``(K,)`` and scores ``(K,)`` (mean text probability).
        """
        cls_np = cls_prob.detach().float().cpu().numpy()
        dis_np = dis_map.detach().float().cpu().numpy()
        min_area = self.min_area / (self.stride**2)
        polys, inds, scores = [], [], []
        for b in range(cls_np.shape[0]):
            dis = dis_np[b]
            if data_samples is not None and 'img_shape' in data_samples[b]:
                ih, iw = data_samples[b].img_shape[:2]
                valid = np.zeros_like(dis)
                valid[:int(math.ceil(ih / self.stride)),
                      :int(math.ceil(iw / self.stride))] = 1
                dis = dis * valid
            peak = float(dis.max())
            if peak <= 0:
                continue
            mask = fill_hole(dis / peak > self.dis_thr).astype(np.uint8)
            num, labels, stats, _ = cv2.connectedComponentsWithStats(
                mask, connectivity=8)
            order = np.argsort(-stats[1:, cv2.CC_STAT_AREA]) + 1
            kept = 0
            for lab in order:
                if kept >= self.max_proposals:
                    break
                if stats[lab, cv2.CC_STAT_AREA] < min_area:
                    continue
                comp = labels == lab
                score = float(cls_np[b][comp].mean())
                if score < self.cls_thr:
                    continue
                pts = mask_to_control_points(comp, self.num_points,
                                             self.approx_factor)
                if pts is None:
                    continue
                polys.append(pts)
                inds.append(b)
                scores.append(score)
                kept += 1
        n = self.num_points
        polys_t = torch.from_numpy(
            np.stack(polys) if polys else np.zeros((0, n, 2), np.float32))
        return (polys_t.float(), torch.tensor(inds, dtype=torch.long),
                torch.tensor(scores, dtype=torch.float32))

    # ---------------------------------------------------------- train/test
    def loss(self, x: Union[Tensor, Sequence[Tensor]],
             data_samples: DetSampleList) -> Dict:
        """Losses with the deformation run on GT-derived proposals.

        Args:
            x (Tensor or tuple[Tensor]): Neck output.
            data_samples (list[TextDetDataSample]): Batch with GT.

        Returns:
            dict: Losses of :class:`TextBPNModuleLoss`.
        """
        outs, targets = self._forward_train(x, data_samples)
        return self.module_loss(outs, data_samples, targets=targets)

    def _forward_train(self, x, data_samples) -> Tuple[Dict, Dict]:
        node_source, maps = self.forward_maps(x)
        targets = self.module_loss.get_targets(
            data_samples, tuple(node_source.shape[-2:]), self.stride)
        init_polys = targets['proposals'].to(node_source.device)
        inds = targets['proposal_inds'].to(node_source.device)
        py_preds = self.deformation(node_source, init_polys, inds)
        maps.update(
            init_polys=init_polys, py_preds=py_preds, inds=inds,
            stride=self.stride)
        return maps, targets

    def loss_and_predict(self, x: Union[Tensor, Sequence[Tensor]],
                         data_samples: DetSampleList
                         ) -> Tuple[Dict, DetSampleList]:
        """Losses (GT proposals) and predictions (predicted proposals)."""
        outs, targets = self._forward_train(x, data_samples)
        losses = self.module_loss(outs, data_samples, targets=targets)
        preds = self.postprocessor(
            self(x, data_samples), data_samples, self.training)
        return losses, preds

    def predict(self, x: Union[Tensor, Sequence[Tensor]],
                data_samples: DetSampleList) -> DetSampleList:
        """Detect text: maps -> proposals -> deformation -> polygons."""
        outs = self(x, data_samples)
        return self.postprocessor(outs, data_samples)
