# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Keep the per-instance fields of a pipeline result index-aligned."""
from typing import Dict, Sequence

import numpy as np

#: Every per-instance key a transform of mmocr_vlp may carry (see
#: ``docs/architecture.md``). Lists and arrays alike are indexed together.
INSTANCE_KEYS = (
    'gt_texts', 'gt_ignored', 'gt_polygons', 'gt_bboxes', 'gt_bboxes_labels',
    'gt_points', 'gt_point_scores', 'gt_tokens', 'gt_masked_tokens',
    'gt_mask_labels', 'gt_mask_positions', 'gt_chars')


def num_instances(results: Dict) -> int:
    """Number of instances in a pipeline result (0 when it carries none)."""
    for key in INSTANCE_KEYS:
        if key in results:
            return len(results[key])
    return 0


def select_instances(results: Dict, keep: Sequence[int]) -> Dict:
    """Subset every per-instance field of ``results`` to ``keep``, in place.

    Args:
        results: A pipeline result dict.
        keep: Indices (or a boolean mask) of the instances to keep, in the
            order they should appear.

    Returns:
        dict: ``results``, for chaining.
    """
    keep = np.asarray(keep)
    if keep.dtype == bool:
        keep = np.flatnonzero(keep)
    keep = keep.astype(np.int64)
    for key in INSTANCE_KEYS:
        if key not in results:
            continue
        value = results[key]
        if isinstance(value, np.ndarray):
            results[key] = value[keep]
        else:
            results[key] = [value[i] for i in keep]
    return results
