# Copyright (c) mmocr_vlp contributors. All rights reserved.
import copy

import cv2
import numpy as np
import pytest
import torch
from mmengine.dataset import Compose

from mmocr_vlp.datasets import VLPDictionary, WeakTextDataset
from mmocr_vlp.datasets.transforms import (ImageLoadError,
                                           LoadWeakAnnotations,
                                           MaskCharacters, PackVLPInputs,
                                           RandomRotateWithPoints, ResizePad,
                                           SafeLoadImageFromFile, SampleWords,
                                           TokenizeTexts)

DICT = dict(type='VLPDictionary', preset='alnum_lower', case='lower',
            max_len=8)


def _results(n=3, h=40, w=80):
    img = np.zeros((h, w, 3), np.uint8)
    inst = []
    for k in range(n):
        x = 10 + 20 * k
        inst.append(dict(text=f'w{k}', polygon=[x, 5, x + 10, 5, x + 10, 15,
                                                 x, 15], point=[x + 5, 10]))
    return dict(img=img, img_shape=(h, w), ori_shape=(h, w), instances=inst,
                img_path='x.jpg')


def test_load_weak_annotations_textonly_and_full():
    r = LoadWeakAnnotations()(dict(instances=[dict(text='a'),
                                              dict(text='###',
                                                   ignore=True)]))
    assert r['gt_texts'] == ['a', '###']
    assert r['gt_ignored'].tolist() == [False, True]
    assert 'gt_polygons' not in r and 'gt_bboxes' not in r
    assert np.isnan(r['gt_points']).all()
    r = LoadWeakAnnotations()(_results())
    assert len(r['gt_polygons']) == 3
    np.testing.assert_allclose(r['gt_bboxes'][1], [30, 5, 40, 15])
    np.testing.assert_allclose(r['gt_points'][2], [55, 10])
    with pytest.raises(KeyError, match="x.jpg.*instances\\[0\\].*bbox"):
        LoadWeakAnnotations(require=('bbox', ))(
            dict(img_path='x.jpg', instances=[dict(text='a')]))


def test_tokenize_drops_ignored_and_invalid_consistently():
    r = LoadWeakAnnotations()(dict(instances=[
        dict(text='ab', point=[1, 1]), dict(text='###', point=[2, 2]),
        dict(text='$$', point=[3, 3]), dict(text='cd', point=[4, 4])]))
    t = TokenizeTexts(DICT)
    out = t(copy.deepcopy(r))
    assert out['gt_texts'] == ['ab', 'cd']
    np.testing.assert_allclose(out['gt_points'][:, 0], [1, 4])
    assert out['gt_tokens'].shape == (2, 9)
    keep = TokenizeTexts(DICT, drop_ignored=False, drop_invalid=False)(
        copy.deepcopy(r))
    assert len(keep['gt_texts']) == 4
    assert (keep['gt_tokens'][1] == 0).all() and (keep['gt_tokens'][2]
                                                   == 0).all()


def test_mask_characters_one_per_word():
    np.random.seed(0)
    d = VLPDictionary(**{k: v for k, v in DICT.items() if k != 'type'})
    r = dict(gt_tokens=d.tokenize(['hello', 'a'])[0])
    r['gt_tokens'] = np.concatenate([r['gt_tokens'],
                                     np.zeros((1, 9), np.int64)])
    for _ in range(20):
        out = MaskCharacters(DICT)(dict(r))
        m = out['gt_masked_tokens']
        assert ((m == d.mask_idx).sum(1) == [1, 1, 0]).all()
        pos = out['gt_mask_positions']
        for k in range(2):
            assert r['gt_tokens'][k, pos[k]] == out['gt_mask_labels'][k]
            assert out['gt_mask_labels'][k] not in (0, d.eos_idx)
        assert out['gt_mask_labels'][2] == -1
    # every character position gets masked sometimes
    seen = {int(MaskCharacters(DICT)(dict(r))['gt_mask_positions'][0])
            for _ in range(200)}
    assert seen == {0, 1, 2, 3, 4}


def test_sample_words():
    np.random.seed(1)
    r = LoadWeakAnnotations()(_results(n=3))
    out = SampleWords(max_words=2)(copy.deepcopy(r))
    assert len(out['gt_texts']) == 2 and len(out['gt_polygons']) == 2
    for t, p in zip(out['gt_texts'], out['gt_points']):
        assert r['gt_points'][r['gt_texts'].index(t)].tolist() == p.tolist()
    out = SampleWords(keep_ratio=0.25)(copy.deepcopy(r))
    assert len(out['gt_texts']) == 1


def test_resize_pad_moves_geometry():
    r = LoadWeakAnnotations()(_results(h=40, w=80))
    out = ResizePad(scale=(160, 160))(copy.deepcopy(r))
    assert out['img'].shape == (160, 160, 3)
    assert out['img_shape'] == (80, 160) and out['pad_shape'] == (160, 160)
    assert out['scale_factor'] == (2.0, 2.0)
    assert out['valid_ratio'] == (1.0, 0.5)
    np.testing.assert_allclose(out['gt_points'][0], [30, 20])
    np.testing.assert_allclose(out['gt_polygons'][0][:4], [20, 10, 40, 10])
    np.testing.assert_allclose(out['gt_bboxes'][0], [20, 10, 40, 30])


def test_resize_short_side_mode():
    r = LoadWeakAnnotations()(_results(h=40, w=80))
    out = ResizePad(short_side=80, pad=False, size_divisor=32)(
        copy.deepcopy(r))
    assert out['img_shape'] == (80, 160) and out['pad_shape'] == (96, 160)
    np.testing.assert_allclose(out['gt_points'][0], [30, 20])
    # the long side cap wins over the short side target
    out = ResizePad(short_side=80, max_long_side=120, pad=False)(
        copy.deepcopy(r))
    assert out['img_shape'] == (60, 120)
    np.random.seed(0)
    sizes = {ResizePad(short_side=(20, 24), pad=False)(
        copy.deepcopy(r))['img_shape'][0] for _ in range(40)}
    assert sizes == {20, 21, 22, 23, 24}
    with pytest.raises(ValueError, match='pad=False'):
        ResizePad(short_side=64)


def test_rotation_keeps_points_on_content():
    np.random.seed(3)
    img = np.zeros((60, 100, 3), np.uint8)
    cv2.circle(img, (30, 20), 3, (255, 255, 255), -1)
    r = dict(img=img, img_shape=(60, 100), gt_points=np.array(
        [[30, 20]], np.float32), gt_polygons=[np.array(
            [25, 15, 35, 15, 35, 25, 25, 25], np.float32)],
        gt_bboxes=np.array([[25, 15, 35, 25]], np.float32))
    out = RandomRotateWithPoints(max_angle=30, prob=1.0)(r)
    x, y = out['gt_points'][0].round().astype(int)
    assert out['img'][y, x].max() > 200  # the dot moved with its point
    b = out['gt_bboxes'][0]
    assert b[0] <= x <= b[2] and b[1] <= y <= b[3]


def test_pack_produces_data_sample():
    pipe = Compose([
        LoadWeakAnnotations(), TokenizeTexts(DICT), MaskCharacters(DICT),
        ResizePad(scale=(64, 64)), PackVLPInputs()
    ])
    out = pipe(_results())
    assert out['inputs'].shape == (3, 64, 64)
    assert out['inputs'].dtype == torch.uint8
    gi = out['data_samples'].gt_instances
    assert gi.texts == ['w0', 'w1', 'w2']
    assert gi.tokens.shape == (3, 9) and gi.tokens.dtype == torch.long
    assert gi.points.shape == (3, 2) and len(gi.polygons) == 3
    assert gi.mask_labels.shape == (3, )
    assert out['data_samples'].metainfo['scale_factor'] == (0.8, 0.8)


def test_safe_image_loading(tmp_path):
    bad = tmp_path / 'bad.jpg'
    bad.write_bytes(b'garbage')
    with pytest.raises(ImageLoadError, match='bad.jpg'):
        SafeLoadImageFromFile(on_error='raise')(dict(img_path=str(bad)))
    with pytest.raises(ImageLoadError, match='missing.jpg'):
        SafeLoadImageFromFile(on_error='raise')(
            dict(img_path=str(tmp_path / 'missing.jpg')))
    SafeLoadImageFromFile.skipped.clear()
    assert SafeLoadImageFromFile()(dict(img_path=str(bad))) is None
    assert SafeLoadImageFromFile.skipped[str(bad)] == 1


def test_dataset_skips_corrupt_image_mid_epoch(tmp_path):
    """A corrupt file is skipped and another sample drawn; no crash."""
    import json
    (tmp_path / 'imgs').mkdir()
    cv2.imwrite(str(tmp_path / 'imgs' / 'ok.jpg'),
                np.zeros((20, 20, 3), np.uint8))
    (tmp_path / 'imgs' / 'bad.jpg').write_bytes(b'garbage')
    data = [dict(img_path=f'imgs/{n}.jpg', height=20, width=20,
                 instances=[dict(text='ab')]) for n in ('bad', 'ok')]
    (tmp_path / 'a.json').write_text(json.dumps(dict(metainfo={},
                                                      data_list=data)))
    ds = WeakTextDataset(
        ann_file='a.json', data_root=str(tmp_path),
        data_prefix=dict(img_path=''),
        pipeline=[dict(type='SafeLoadImageFromFile'),
                  dict(type='LoadWeakAnnotations'),
                  dict(type='PackVLPInputs')])
    for _ in range(3):
        out = ds[0]
        assert out['data_samples'].img_path.endswith('ok.jpg')
