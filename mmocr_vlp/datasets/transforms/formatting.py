# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Pack a pipeline result into model inputs and a data sample."""
from typing import Dict, Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform
from mmengine.structures import InstanceData
from mmocr.registry import TRANSFORMS
from mmocr.structures import TextSpottingDataSample

#: pipeline key -> (gt_instances field, tensor dtype or None for a list)
_FIELDS = (
    ('gt_texts', 'texts', None),
    ('gt_ignored', 'ignored', torch.bool),
    ('gt_polygons', 'polygons', None),
    ('gt_bboxes', 'bboxes', torch.float32),
    ('gt_bboxes_labels', 'labels', torch.long),
    ('gt_points', 'points', torch.float32),
    ('gt_point_scores', 'point_scores', torch.float32),
    ('gt_tokens', 'tokens', torch.long),
    ('gt_masked_tokens', 'masked_tokens', torch.long),
    ('gt_mask_labels', 'mask_labels', torch.long),
    ('gt_mask_positions', 'mask_positions', torch.long),
)


@TRANSFORMS.register_module()
class PackVLPInputs(BaseTransform):
    """Pack an image and its (weak) annotations for every mmocr_vlp model.

    Produces ``inputs`` (a ``(C, H, W)`` uint8 tensor, as mmocr's packers)
    and a :class:`mmocr.structures.TextSpottingDataSample` whose
    ``gt_instances`` hold whatever the pipeline produced among ``texts``,
    ``ignored``, ``polygons``, ``bboxes``, ``labels``, ``points``,
    ``point_scores``, ``tokens``, ``masked_tokens``, ``mask_labels`` and
    ``mask_positions`` (see ``docs/architecture.md``).

    Args:
        meta_keys (Sequence[str]): Metainfo copied into the data sample
            when present.
    """

    def __init__(self,
                 meta_keys: Sequence[str] = ('img_path', 'ori_shape',
                                             'img_shape', 'pad_shape',
                                             'scale_factor', 'valid_ratio')
                 ) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: Dict) -> Dict:
        packed = {}
        img = results['img']
        if img.ndim == 2:
            img = img[..., None]
        packed['inputs'] = torch.from_numpy(
            np.ascontiguousarray(img.transpose(2, 0, 1)))
        sample = TextSpottingDataSample()
        inst = InstanceData()
        for key, field, dtype in _FIELDS:
            if key not in results:
                continue
            value = results[key]
            if dtype is None:
                inst[field] = list(value)
            else:
                inst[field] = torch.as_tensor(np.asarray(value), dtype=dtype)
        sample.gt_instances = inst
        meta = {k: results[k] for k in self.meta_keys if k in results}
        if 'pad_shape' not in meta and 'img_shape' in results:
            meta['pad_shape'] = results['img_shape']
        sample.set_metainfo(meta)
        packed['data_samples'] = sample
        return packed

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(meta_keys={self.meta_keys})'
