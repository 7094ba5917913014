# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Drawing helpers shared by the inferencer, the hook and the tools."""
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from mmocr.structures import TextSpottingDataSample

import mmocr_vlp  # noqa: F401
from mmocr_vlp.datasets.dictionary import build_dictionary
from mmocr_vlp.visualization import (ActivationLocalVisualizer,
                                     draw_activation_sample)
from mmocr_vlp.visualization.attention import decode_masked_words


def test_decode_masked_words():
    d = build_dictionary(dict(type='VLPDictionary', preset='lower_punct_space',
                              max_len=25))
    tokens, _ = d.tokenize(['cab', 'x'])
    masked = tokens.copy()
    masked[0, 1] = d.mask_idx
    labels = np.array([tokens[0, 1], -1])
    words, chars = decode_masked_words(masked, torch.as_tensor(labels), d)
    assert words == ['c[M]b', 'x']
    assert chars == ['a', '']


def _sample(maps, texts, points, pred_texts, sf=(1.0, 1.0)):
    ds = TextSpottingDataSample()
    ds.set_metainfo(dict(activation_maps=maps, activation_texts=texts,
                         activation_stride=8.0, scale_factor=sf))
    ds.pred_instances = InstanceData(points=torch.tensor(points),
                                     texts=pred_texts)
    return ds


def test_draw_activation_sample_puts_heat_where_the_map_peaks():
    img = np.full((64, 96, 3), 128, np.uint8)
    maps = np.zeros((2, 8, 12), np.float32)
    maps[0, 1, 10] = 1.  # 'ab': top right
    maps[1, 6, 1] = 1.  # 'cd': bottom left
    ds = _sample(maps, ['ab', 'cd'], [[60., 30.], [30., 30.]], ['ab', 'cd'])
    grid = draw_activation_sample(img, ds, panel_width=96, ncols=2)
    assert grid.shape == (64 + 8, 2 * 100 + 4, 3)
    left, right = grid[4:68, 4:100], grid[4:68, 104:200]
    # JET: red (BGR channel 2) where the map is hot, blue elsewhere.
    assert left[10, 82, 2] > left[50, 10, 2] + 50
    assert right[50, 10, 2] > right[10, 82, 2] + 50
    # The anchors: green crosses.
    assert tuple(left[30, 60]) == (0, 255, 0)
    assert tuple(right[30, 30]) == (0, 255, 0)
    with pytest.raises(KeyError, match='return_maps'):
        draw_activation_sample(img, TextSpottingDataSample())


def test_activation_visualizer_draws_gt_polygons(tmp_path):
    vis = ActivationLocalVisualizer(name='act_vis_test', panel_width=96)
    img = np.full((64, 96, 3), 128, np.uint8)
    ds = _sample(np.full((1, 8, 12), 1 / 96, np.float32), ['ab'],
                 [[40., 30.]], ['ab'])
    no_gt = vis.add_datasample('x', img, ds, out_file=str(tmp_path / 'a.png'))
    ds.gt_instances = InstanceData(
        texts=['AB'], polygons=[np.array([10, 10, 80, 10, 80, 50, 10, 50.])])
    gt = vis.add_datasample('x', img, ds, out_file=str(tmp_path / 'b.png'))
    assert no_gt.shape == gt.shape == (72, 104, 3)
    # White outline along the polygon's top edge (frame offset 4 px).
    assert (gt[14, 40] > 240).all() and not (no_gt[14, 40] > 240).all()
    assert (tmp_path / 'b.png').is_file()
