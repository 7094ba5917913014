# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SRSTS-A: single-point text spotter (WeCromCL Sec. 3.3, supp. Sec. 1)."""
from typing import Dict, Optional, Sequence, Tuple

from mmdet.models.detectors.base import BaseDetector
from mmocr.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class SRSTSA(BaseDetector):
    """SRSTS adapted to single-point supervision ("SRSTS-A").

    Image encoder (ResNet + :class:`SRSTSANeck`: input projections and the
    multi-scale deformable encoder), then :class:`SRSTSAHead` (anchor
    estimator, sampling module, CTC recognition module). Training needs one
    point and one transcription per word; inference returns, per image,
    ``pred_instances`` with ``points`` (original image frame), ``texts``,
    ``scores`` and ``sample_points``.

    Args:
        backbone (dict): Backbone config, e.g. ``dict(type='mmdet.ResNet')``.
        neck (dict): ``SRSTSANeck`` config.
        head (dict): ``SRSTSAHead`` config.
        data_preprocessor (dict, optional): e.g.
            ``dict(type='TextDetDataPreprocessor', ...)``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck)
        head = dict(head)
        head.setdefault('in_channels', self.neck.out_channels)
        self.head = MODELS.build(head)

    @staticmethod
    def _shapes(inputs: Tensor, data_samples: Optional[Sequence]
                ) -> Tuple[Optional[list], Tuple[int, int]]:
        batch_shape = tuple(inputs.shape[-2:])
        if data_samples is None:
            return None, batch_shape
        img_shapes = []
        for ds in data_samples:
            shape = ds.metainfo.get('img_shape', batch_shape)
            img_shapes.append((int(shape[0]), int(shape[1])))
        return img_shapes, batch_shape

    def extract_feat(self,
                     inputs: Tensor,
                     data_samples: Optional[Sequence] = None) -> Tensor:
        """Encode images into the map ``P`` (``(B, C, H/s, W/s)``).

        With ``data_samples`` the deformable encoder masks the padding
        outside each ``img_shape``.
        """
        img_shapes, batch_shape = self._shapes(inputs, data_samples)
        return self.neck(
            self.backbone(inputs), img_shapes, batch_input_shape=batch_shape)

    def loss(self, inputs: Tensor, data_samples: Sequence) -> Dict[str,
                                                                   Tensor]:
        """Focal anchor loss + CTC loss (see :class:`SRSTSAModuleLoss`)."""
        return self.head.loss(self.extract_feat(inputs, data_samples),
                              data_samples)

    def predict(self,
                inputs: Tensor,
                data_samples: Sequence,
                rescale: bool = True) -> Sequence:
        """Spot text; results in ``data_sample.pred_instances``.

        ``rescale`` overrides the postprocessor's ``rescale`` for this call
        (True: points in the original image frame).
        """
        post = self.head.postprocessor
        old, post.rescale = post.rescale, rescale
        try:
            return self.head.predict(
                self.extract_feat(inputs, data_samples), data_samples)
        finally:
            post.rescale = old

    def _forward(self,
                 inputs: Tensor,
                 data_samples: Optional[Sequence] = None) -> Tuple[Tensor]:
        """Network outputs without post-processing: the anchor logits."""
        feat = self.extract_feat(inputs, data_samples)
        return (self.head.anchor_estimator(feat), )
