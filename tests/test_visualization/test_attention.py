# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""tools/visualize_attention.py and mmocr_vlp.visualization.attention."""
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
import torch

import mmocr_vlp  # noqa: F401
from mmocr_vlp.visualization.attention import (draw_decoder_attention,
                                               draw_pool_attention,
                                               overlay_heatmap)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))
import visualize_attention as va  # noqa: E402

ICDAR_TOY = osp.join(ROOT, '..', 'shared', 'data', 'icdar2015_toy')


def test_overlay_heatmap_highlights_attended_cell():
    img = np.full((64, 64, 3), 128, np.uint8)
    attn = torch.zeros(2, 2)
    attn[0, 1] = 1.  # top-right cell
    out = overlay_heatmap(img, attn, alpha=0.6)
    assert out.shape == img.shape and out.dtype == np.uint8
    # JET: hot = red (BGR channel 2) at the top-right, cold = blue elsewhere.
    assert out[8, 56, 2] > out[56, 8, 2]
    assert out[56, 8, 0] > out[8, 56, 0]
    with pytest.raises(ValueError, match=r'\(h, w\)'):
        overlay_heatmap(img, torch.zeros(4))


def test_figures_have_one_panel_per_word():
    img = np.zeros((32, 48, 3), np.uint8)
    fig3 = draw_pool_attention(img, torch.rand(2, 3))
    assert fig3.shape[1] == 2 * 48 + 6
    fig4 = draw_decoder_attention(img, torch.rand(3, 2, 3),
                                  ['a[M]c', 'x[M]', '[M]yz'],
                                  ['b', 'y', 'x'], per_row=4)
    assert fig4.shape[1] == 4 * 48 + 3 * 6
    with pytest.raises(ValueError):
        draw_decoder_attention(img, torch.rand(2, 2, 3), ['a'], ['b'])


def test_read_icdar_words(tmp_path):
    gt = tmp_path / 'gt_img_1.txt'
    gt.write_text('\ufeff1,2,3,4,5,6,7,8,Hello\n1,2,3,4,5,6,7,8,###\n'
                  '1,2,3,4,5,6,7,8,a,b\n', encoding='utf-8')
    assert va.read_icdar_words(str(gt)) == ['Hello', 'a,b']
    (tmp_path / 'bad.txt').write_text('1,2,3\n')
    with pytest.raises(ValueError, match='bad.txt:1'):
        va.read_icdar_words(str(tmp_path / 'bad.txt'))


def test_tool_writes_pngs(tmp_path):
    img = np.random.default_rng(0).integers(0, 255, (90, 120, 3), np.uint8)
    path = str(tmp_path / 'img.jpg')
    cv2.imwrite(path, img)
    cfg = osp.join(ROOT, 'configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py')
    out = str(tmp_path / 'out')
    assert va.main(['--config', cfg, '--img', path, '--words',
                    'Hello,World,ok', '--out', out]) == 0
    for name in ('img_pool_attn.png', 'img_decoder_attn.png'):
        png = cv2.imread(osp.join(out, name))
        assert png is not None and png.shape[0] > 256


@pytest.mark.skipif(not osp.isdir(ICDAR_TOY), reason='no icdar2015_toy')
def test_tool_on_icdar_toy(tmp_path):
    cfg = osp.join(ROOT, 'configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py')
    out = str(tmp_path / 'ic15')
    assert va.main(['--config', cfg, '--icdar-dir', ICDAR_TOY, '--out', out,
                    '--max-images', '2', '--max-words', '3']) == 0
    pngs = sorted(p for p in __import__('os').listdir(out))
    assert len(pngs) == 4
