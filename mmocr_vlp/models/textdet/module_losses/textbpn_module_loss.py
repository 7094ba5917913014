# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Targets and losses of TextBPN (Zhang et al., ICCV 2021)."""
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from mmocr.models.textdet.module_losses.seg_based_module_loss import \
    SegBasedModuleLoss
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample
from scipy import ndimage
from torch import Tensor

from ..utils import (cyclic_shift_indices, mask_to_control_points,
                     resample_polygon)


def point_matching_loss(pred: Tensor,
                        gt: Tensor,
                        loss_type: str = 'smooth_l1') -> Tensor:
    """TextBPN point-matching loss between predicted and ground-truth control
    points: the smallest mean point distance over all cyclic shifts of the
    ground truth, averaged over proposals.

    ``L = 1/K sum_k min_s 1/N sum_i d(p_k,i, g_k,(i+s) mod N)`` with ``d`` the
    smooth-L1 (summed over x, y) or the Euclidean distance.

    Args:
        pred (Tensor): ``(K, N, 2)`` predicted points.
        gt (Tensor): ``(K, N, 2)`` ground-truth points, same orientation.
        loss_type (str): ``'smooth_l1'`` or ``'l2'``.

    Returns:
        Tensor: Scalar loss (0 with a graph if ``K == 0``).
    """
    if pred.shape != gt.shape:
        raise ValueError(f'pred {tuple(pred.shape)} and gt '
                         f'{tuple(gt.shape)} differ in shape')
    if pred.shape[0] == 0:
        return pred.sum() * 0.
    n = pred.shape[1]
    shifts = cyclic_shift_indices(n, pred.device)  # (N, N)
    gt_shifted = gt[:, shifts]  # (K, N_shift, N, 2)
    pred_exp = pred[:, None].expand_as(gt_shifted)
    if loss_type == 'smooth_l1':
        dis = F.smooth_l1_loss(
            pred_exp, gt_shifted, reduction='none').sum(-1)
    elif loss_type == 'l2':
        dis = ((pred_exp - gt_shifted)**2).sum(-1).clamp(min=1e-12).sqrt()
    else:
        raise ValueError(f'Unknown loss_type {loss_type}')
    return dis.mean(-1).min(dim=1)[0].mean()


@MODELS.register_module()
class TextBPNModuleLoss(SegBasedModuleLoss):
    """TextBPN loss: ``L = w_cls L_cls + w_dis L_D + w_dir L_V +
    w_point L_BD``.

    - ``L_cls``: BCE on the text classification map with OHEM (negatives
      limited to ``negative_ratio`` x positives, hardest first), via mmocr's
      ``MaskedBalancedBCEWithLogitsLoss``.
    - ``L_D``: MSE on the normalised distance field with per-image OHEM
      (mean over text pixels + mean over the hardest ``3 x`` background
      pixels).
    - ``L_V``: direction field, a norm loss (area-weighted squared error) plus
      an angle loss (``1 - cos``) inside text.
    - ``L_BD``: point-matching loss averaged over deformation iterations
      (:func:`point_matching_loss`).

    Targets are made at the resolution of the predicted maps from mmocr's
    ``gt_instances.polygons`` / ``ignored``; ground-truth control points are
    the polygon resampled to ``num_points`` (clockwise) and training
    proposals are the contour of the instance region whose normalised
    distance exceeds ``shrink_thr``, resampled and jittered (the paper's
    "proposals from GT" used during training).

    Args:
        num_points (int): Control points ``N``. Defaults to 20.
        negative_ratio (float): OHEM negative ratio. Defaults to 3.
        weight_cls (float): Defaults to 1.
        weight_dis (float): Defaults to 3 (official code).
        weight_dir (float): Defaults to 1.
        weight_point (float): Defaults to 0.05 (official code).
        point_loss_type (str): ``'smooth_l1'`` or ``'l2'``.
        min_text_size (float): Instances whose maximal inner distance (map
            pixels) is below this are ignored. Defaults to 4.
        shrink_thr (float): Normalised distance defining the training
            proposal region. Defaults to 0.4.
        jitter (float): Proposal jitter amplitude as a fraction of the shrink
            distance. Defaults to 0.8. Set 0 for deterministic proposals.
        approx_factor (float): Contour simplification. Defaults to 0.007.
    """

    def __init__(self,
                 num_points: int = 20,
                 negative_ratio: float = 3.,
                 weight_cls: float = 1.,
                 weight_dis: float = 3.,
                 weight_dir: float = 1.,
                 weight_point: float = 0.05,
                 point_loss_type: str = 'smooth_l1',
                 min_text_size: float = 4.,
                 shrink_thr: float = 0.4,
                 jitter: float = 0.8,
                 approx_factor: float = 0.007) -> None:
        super().__init__()
        self.num_points = num_points
        self.loss_cls = MODELS.build(
            dict(type='MaskedBalancedBCEWithLogitsLoss',
                 negative_ratio=negative_ratio))
        self.negative_ratio = negative_ratio
        self.weight_cls = weight_cls
        self.weight_dis = weight_dis
        self.weight_dir = weight_dir
        self.weight_point = weight_point
        self.point_loss_type = point_loss_type
        self.min_text_size = min_text_size
        self.shrink_thr = shrink_thr
        self.jitter = jitter
        self.approx_factor = approx_factor

    # ------------------------------------------------------------------ loss
    def forward(self,
                preds: Dict,
                data_samples: Sequence[TextDetDataSample],
                targets: Optional[Dict] = None) -> Dict:
        """Compute the TextBPN losses.

        Args:
            preds (dict): Head outputs: ``cls_logits`` ``(B, H, W)``,
                ``dis_map`` ``(B, H, W)`` (after sigmoid), ``dir_map``
                ``(B, 2, H, W)``, ``py_preds`` (list of ``(K, N, 2)`` in map
                pixels, one per iteration, for the proposals in
                ``targets``).
            data_samples (list[TextDetDataSample]): Batch with
                ``gt_instances.polygons`` and ``gt_instances.ignored``.
            targets (dict, optional): Output of :meth:`get_targets` (the head
                passes the one it deformed); built here if None.

        Returns:
            dict: ``loss_cls``, ``loss_dis``, ``loss_dir``, ``loss_point``.
        """
        cls_logits = preds['cls_logits']
        device = cls_logits.device
        if targets is None:
            stride = preds.get('stride', 1)
            targets = self.get_targets(data_samples,
                                       tuple(cls_logits.shape[-2:]), stride)
        tr_mask = targets['tr_mask'].to(device)
        train_mask = targets['train_mask'].to(device)
        dis_gt = targets['distance_field'].to(device)
        dir_gt = targets['direction_field'].to(device)
        weight = targets['weight_matrix'].to(device)

        loss_cls = self.loss_cls(cls_logits, tr_mask, train_mask)
        loss_dis = self._distance_loss(preds['dis_map'], dis_gt, train_mask)
        loss_norm, loss_angle = self._direction_loss(
            preds['dir_map'], dir_gt, weight, tr_mask, train_mask)
        gt_points = targets['gt_points'].to(device)
        py_preds = preds['py_preds']
        loss_point = sum(
            point_matching_loss(p, gt_points, self.point_loss_type)
            for p in py_preds) / max(len(py_preds), 1)
        if not torch.is_tensor(loss_point):
            loss_point = cls_logits.sum() * 0.
        return dict(
            loss_cls=self.weight_cls * loss_cls,
            loss_dis=self.weight_dis * loss_dis,
            loss_dir=self.weight_dir * (loss_norm + loss_angle),
            loss_point=self.weight_point * loss_point)

    def _distance_loss(self, pred: Tensor, gt: Tensor,
                       train_mask: Tensor) -> Tensor:
        """MSE with per-image OHEM on the distance field."""
        loss = (pred - gt)**2 * train_mask
        total = pred.sum() * 0.
        for b in range(loss.shape[0]):
            li = loss[b].flatten()
            pos = gt[b].flatten() > 1e-3
            n_pos = int(pos.sum())
            if n_pos > 0:
                total = total + li[pos].mean()
                neg = li[~pos]
                k = min(neg.numel(), int(self.negative_ratio * n_pos))
                if k > 0:
                    total = total + torch.topk(neg, k)[0].mean()
            else:
                k = min(li.numel(), 100)
                total = total + torch.topk(li, k)[0].mean()
        return total / loss.shape[0]

    @staticmethod
    def _direction_loss(pred: Tensor, gt: Tensor, weight: Tensor,
                        tr_mask: Tensor,
                        train_mask: Tensor) -> Tuple[Tensor, Tensor]:
        """Direction-field norm loss and angle loss (TextField-style)."""
        # area-weighted squared error, summed along rows and averaged over
        # rows and images (the official reduction)
        norm_loss = (weight * ((pred - gt)**2).sum(1) * train_mask)
        norm_loss = norm_loss.sum(-1).mean()
        inside = (tr_mask * train_mask) > 0
        if inside.any():
            cos = F.cosine_similarity(pred, gt, dim=1, eps=1e-6)
            angle_loss = (1 - cos)[inside].mean()
        else:
            angle_loss = pred.sum() * 0.
        return norm_loss, angle_loss

    # --------------------------------------------------------------- targets
    def get_targets(self,
                    data_samples: Sequence[TextDetDataSample],
                    map_size: Optional[Tuple[int, int]] = None,
                    stride: float = 1.) -> Dict:
        """Make map targets, GT control points and training proposals.

        Args:
            data_samples (list[TextDetDataSample]): The batch.
            map_size (tuple(int, int), optional): ``(H, W)`` of the predicted
                maps. Defaults to the ``batch_input_shape`` (or
                ``img_shape``) divided by ``stride``.
            stride (float): Map stride w.r.t. the input image. Defaults to 1.

        Returns:
            dict: ``tr_mask``, ``train_mask``, ``distance_field``,
            ``weight_matrix`` as ``(B, H, W)`` float tensors;
            ``direction_field`` ``(B, 2, H, W)``; ``gt_points`` and
            ``proposals`` ``(K, N, 2)`` in map pixels; ``proposal_inds``
            ``(K,)`` image index of each.
        """
        if map_size is None:
            shape = data_samples[0].metainfo.get(
                'batch_input_shape', data_samples[0].img_shape)
            map_size = (int(np.ceil(shape[0] / stride)),
                        int(np.ceil(shape[1] / stride)))
        keys = ('tr_mask', 'train_mask', 'distance_field', 'direction_field',
                'weight_matrix')
        maps = {k: [] for k in keys}
        gt_points, proposals, inds = [], [], []
        for b, sample in enumerate(data_samples):
            out = self._get_target_single(sample, map_size, stride)
            for k in keys:
                maps[k].append(torch.from_numpy(out[k]))
            gt_points += out['gt_points']
            proposals += out['proposals']
            inds += [b] * len(out['gt_points'])
        targets = {k: torch.stack(v).float() for k, v in maps.items()}
        n = self.num_points
        targets['gt_points'] = torch.from_numpy(
            np.stack(gt_points) if gt_points else np.zeros((0, n, 2))).float()
        targets['proposals'] = torch.from_numpy(
            np.stack(proposals) if proposals else np.zeros((0, n, 2))).float()
        targets['proposal_inds'] = torch.tensor(inds, dtype=torch.long)
        return targets

    def _get_target_single(self, data_sample: TextDetDataSample,
                           map_size: Tuple[int, int], stride: float) -> Dict:
        """Targets of one image (see :meth:`get_targets`)."""
        h, w = map_size
        gt = data_sample.gt_instances
        if 'polygons' not in gt:
            raise KeyError(
                'TextBPNModuleLoss needs gt_instances.polygons; load them '
                'with LoadOCRAnnotations(with_polygon=True)')
        polygons = gt.polygons
        ignored = gt.ignored if 'ignored' in gt else torch.zeros(
            len(polygons), dtype=torch.bool)
        tr_mask = np.zeros((h, w), np.float32)
        train_mask = np.ones((h, w), np.float32)
        distance_field = np.zeros((h, w), np.float32)
        direction_field = np.zeros((2, h, w), np.float32)
        weight_matrix = np.zeros((h, w), np.float32)
        gt_points, proposals = [], []

        for idx, poly in enumerate(polygons):
            poly = np.asarray(poly, np.float32).reshape(-1, 2) / stride
            if poly.shape[0] < 3:
                raise ValueError(
                    f'{data_sample.metainfo.get("img_path", "?")}: polygon '
                    f'{idx} has {poly.shape[0]} points (< 3)')
            poly[:, 0] = np.clip(poly[:, 0], 0, w - 1)
            poly[:, 1] = np.clip(poly[:, 1], 0, h - 1)
            ipoly = np.round(poly).astype(np.int32)
            x0, y0 = ipoly.min(0)
            x1, y1 = ipoly.max(0)
            # crop with a 1-pixel background border so every text pixel has
            # a nearest boundary (background) pixel
            crop = np.zeros((y1 - y0 + 3, x1 - x0 + 3), np.uint8)
            cv2.fillPoly(crop, [ipoly - [x0 - 1, y0 - 1]], 1)
            region = (slice(y0, y1 + 1), slice(x0, x1 + 1))
            inner = (slice(1, -1), slice(1, -1))
            if crop.sum() == 0:
                continue
            dist, nearest = ndimage.distance_transform_edt(
                crop, return_indices=True)
            max_dist = float(dist.max())
            if bool(ignored[idx]) or max_dist < self.min_text_size:
                train_mask[region][crop[inner] > 0] = 0
                continue
            text = crop[inner] > 0
            tr_mask[region][text] = 1
            norm_dist = dist / (max_dist + 1e-9)
            distance_field[region] = np.maximum(distance_field[region],
                                                norm_dist[inner])
            weight_matrix[region][text] = 1. / np.sqrt(text.sum())
            # unit vector from each text pixel to its nearest boundary pixel
            yy, xx = np.indices(crop.shape)
            vec = np.stack([nearest[1] - xx, nearest[0] - yy]).astype(
                np.float32)
            vec /= np.linalg.norm(vec, axis=0, keepdims=True) + 1e-9
            for c in range(2):
                direction_field[c][region][text] = vec[c][inner][text]

            gt_points.append(resample_polygon(poly, self.num_points))
            proposals.append(
                self._make_proposal(norm_dist, max_dist, (x0 - 1, y0 - 1),
                                    (h, w), gt_points[-1]))
        bg = tr_mask == 0
        if bg.any():
            weight_matrix[bg] = 1. / np.sqrt(bg.sum())
        return dict(
            tr_mask=tr_mask,
            train_mask=train_mask,
            distance_field=distance_field,
            direction_field=direction_field,
            weight_matrix=weight_matrix,
            gt_points=gt_points,
            proposals=proposals)

    def _make_proposal(self, norm_dist: np.ndarray, max_dist: float,
                       origin: Tuple[int, int], map_size: Tuple[int, int],
                       fallback: np.ndarray) -> np.ndarray:
        """Training proposal: contour of ``norm_dist >= shrink_thr``,
        resampled to ``num_points`` and jittered."""
        pts = mask_to_control_points(norm_dist >= self.shrink_thr,
                                     self.num_points, self.approx_factor)
        if pts is None:
            pts = fallback.copy()
        else:
            pts = pts + np.asarray(origin, np.float32)
        if self.jitter > 0:
            amp = self.shrink_thr * max_dist * self.jitter
            pts = pts + (np.random.rand(*pts.shape).astype(np.float32) -
                         0.5) * amp
        h, w = map_size
        pts[:, 0] = np.clip(pts[:, 0], 0, w - 1)
        pts[:, 1] = np.clip(pts[:, 1], 0, h - 1)
        return pts.astype(np.float32)
