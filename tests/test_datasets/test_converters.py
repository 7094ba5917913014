# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Dataset converters: exact parses of hand-written fixtures, malformed
input (errors naming file and line/field, or counted skips), the CLIs, the
ICDAR 2015 toy set and loading the output with WeakTextDataset."""
import json
import os.path as osp
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmocr_vlp.datasets.converters import (
    ConversionError, convert_ctw1500, convert_icdar, convert_lsvt,
    convert_mmocr_json, convert_synthtext, convert_textocr, convert_totaltext,
    make_view, polygon_center, polygon_to_bbox, write_views)
from mmocr_vlp.datasets.converters.cli import main as cli_main
from mmocr_vlp.datasets.converters.cli import views_main

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / 'tests' / 'data' / 'converters'
TOOLS = REPO / 'tools' / 'dataset_converters'
TOY = REPO / '..' / 'shared' / 'data' / 'icdar2015_toy'


def _img(path: Path, w: int, h: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new('RGB', (w, h), (200, 100, 50)).save(path)
    return path


def _texts(info):
    return [i.get('text') for i in info['instances']]


def _weak_dataset(ann_file, data_root, **kw):
    pytest.importorskip('mmocr', reason='mmocr not installed')
    from mmocr_vlp.datasets import WeakTextDataset
    return WeakTextDataset(
        ann_file=str(ann_file),
        data_root=str(data_root),
        data_prefix=dict(img_path=''),
        pipeline=[],
        min_instances=0,
        **kw)


# ------------------------------------------------------------ geometry
def test_polygon_center_quad_and_curves():
    # quad: mean of top-edge and bottom-edge midpoints
    assert polygon_center([60, 20, 100, 22, 98, 42, 58, 40]) == (79.0, 31.0)
    # 14-point CTW1500 curve, straight: (6, 2.5)
    ctw = [0, 0, 2, 0, 4, 0, 6, 0, 8, 0, 10, 0, 12, 0,
           12, 5, 10, 5, 8, 5, 6, 5, 4, 5, 2, 5, 0, 5]
    assert polygon_center(ctw) == pytest.approx((6.0, 2.5))
    # unevenly spaced top side: midpoint by arc length, not vertex mean
    # top (0,0)-(1,0)-(10,0): halfway at x=5; bottom (10,4)-(0,4): x=5
    assert polygon_center([0, 0, 1, 0, 10, 0, 10, 4, 5, 4, 0, 4]) == \
        pytest.approx((5.0, 2.0))
    # (N, 2) input works the same
    assert polygon_center(np.array(ctw).reshape(-1, 2)) == \
        pytest.approx((6.0, 2.5))
    # odd vertex count: SPTS splits the sides at n // 2: top = (0, 0),
    # bottom = (6, 0)-(0, 3) with mid point (3, 1.5)
    assert polygon_center([0, 0, 6, 0, 0, 3]) == pytest.approx((1.5, 0.75))
    assert polygon_to_bbox([3, 1, 5, 2, 4, 7]) == [3.0, 1.0, 5.0, 7.0]
    with pytest.raises(ValueError, match='even'):
        polygon_center([0, 0, 1, 1, 2])


# ------------------------------------------------------------ ICDAR 2015
def test_icdar2015_exact(tmp_path):
    _img(tmp_path / 'img_1.jpg', 40, 30)
    _img(tmp_path / 'img_2.PNG', 20, 10)  # any letter case
    data, rep = convert_icdar(str(FIX / 'icdar2015'), str(tmp_path),
                              add_points=True)
    assert [d['img_path'] for d in data] == ['img_1.jpg', 'img_2.PNG']
    assert [(d['height'], d['width']) for d in data] == [(30, 40), (10, 20)]
    a, b, c = data[0]['instances']
    assert a['polygon'] == [10, 20, 50, 20, 50, 40, 10, 40]
    assert a['bbox'] == [10, 20, 50, 40]
    assert a['text'] == 'Hello' and a['ignore'] is False  # BOM stripped
    assert a['bbox_label'] == 0
    assert a['point'] == [30.0, 30.0] and a['point_source'] == 'gt'
    assert b['text'] == 'a,b' and b['point'] == [79.0, 31.0]  # comma kept
    assert b['bbox'] == [58, 20, 100, 42]
    assert c['text'] == '###' and c['ignore'] is True
    # CRLF and a blank line
    (w,) = data[1]['instances']
    assert w['text'] == 'World'
    assert w['polygon'] == [1.5, 2.5, 11.5, 2.5, 11.5, 8.5, 1.5, 8.5]
    assert rep.as_dict()['images'] == 2
    assert (rep.instances, rep.ignored) == (4, 1)


def test_icdar2015_malformed_raise_and_skip(tmp_path, caplog):
    _img(tmp_path / 'img_1.jpg', 8, 8)
    with pytest.raises(ConversionError) as e:
        convert_icdar(str(FIX / 'icdar2015_bad'), str(tmp_path))
    msg = str(e.value)
    assert 'icdar2015_bad/gt_img_1.txt:2' in msg and 'x2' in msg
    assert "'abc'" in msg
    with caplog.at_level('WARNING', logger='mmocr_vlp.converters'):
        data, rep = convert_icdar(
            str(FIX / 'icdar2015_bad'), str(tmp_path), on_error='skip')
    assert 'gt_img_1.txt:2' in caplog.text  # skips are logged
    assert _texts(data[0]) == ['Good']
    assert rep.skipped_instances == {'bad_line': 2}
    assert any('gt_img_1.txt:3' in m and '9 comma-separated' in m
               for m in rep.messages)


def test_missing_image_raise_skip_and_no_check(tmp_path):
    ann = str(FIX / 'icdar2015')
    _img(tmp_path / 'img_1.jpg', 40, 30)  # img_2 missing
    with pytest.raises(ConversionError, match=r"gt_img_2\.txt: no image "
                       r"named 'img_2' \(any of \.jpg/"):
        convert_icdar(ann, str(tmp_path))
    data, rep = convert_icdar(ann, str(tmp_path), on_error='skip')
    assert len(data) == 1 and rep.skipped_images == {'missing_image': 1}
    data, rep = convert_icdar(ann, str(tmp_path / 'nowhere'),
                              check_images=False,
                              data_root=str(tmp_path))
    assert [d['img_path'] for d in data] == ['nowhere/img_1.jpg',
                                             'nowhere/img_2.jpg']
    assert data[0]['height'] is None and data[0]['width'] is None


def test_icdar2015_toy_set_counts_and_dataset(tmp_path):
    if not TOY.is_dir():
        pytest.skip(f'shared ICDAR 2015 toy set not found at {TOY}')
    data, rep = convert_icdar(
        str(TOY / 'annotations'), str(TOY / 'imgs'), data_root=str(TOY))
    assert len(data) == 10
    assert rep.instances == 82
    assert rep.instances - rep.ignored == 21
    assert sum(not i['ignore'] for d in data for i in d['instances']) == 21
    assert all((d['height'], d['width']) == (720, 1280) for d in data)
    assert all(d['img_path'].startswith('imgs/img_') for d in data)
    # through the CLI, then loaded by WeakTextDataset
    out = tmp_path / 'ic15' / 'textdet_test.json'
    summary = cli_main('icdar2015', [
        '--ann-dir', str(TOY / 'annotations'), '--img-dir',
        str(TOY / 'imgs'), '--data-root', str(TOY), '--out', str(out),
        '--split', 'test', '--quiet'
    ])
    assert (summary['images'], summary['instances'],
            summary['legible']) == (10, 82, 21)
    ds = _weak_dataset(out, TOY)
    assert len(ds) == 10
    assert len(ds.texts()) == 21
    info = ds.get_data_info(0)
    assert osp.isfile(info['img_path'])
    # mmocr's own dataset + annotation loader read it as well
    from mmocr.datasets import OCRDataset
    from mmocr.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    det = OCRDataset(
        ann_file=str(out), data_root=str(TOY), data_prefix=dict(img_path=''),
        pipeline=[
            dict(type='mmocr.LoadImageFromFile'),
            dict(type='mmocr.LoadOCRAnnotations', with_polygon=True,
                 with_bbox=True, with_label=True, with_text=True)
        ])
    item = det[0]
    n = len(info['instances'])
    assert item['img'].shape == (720, 1280, 3)
    assert len(item['gt_polygons']) == n and item['gt_bboxes'].shape == (n, 4)
    assert item['gt_texts'][0] == info['instances'][0]['text']
    assert item['gt_ignored'].sum() == sum(
        i['ignore'] for i in info['instances'])


def test_image_header_size_and_progress(tmp_path):
    from mmocr_vlp.datasets.converters import image_size
    from mmocr_vlp.datasets.converters.base import progress, set_progress
    p = tmp_path / 'r.jpg'
    img = Image.new('RGB', (40, 30))
    exif = img.getexif()
    exif[0x0112] = 6  # rotated 90 degrees: decoders swap width/height
    img.save(p, exif=exif)
    assert image_size(str(p)) == (40, 30)
    assert image_size(str(_img(tmp_path / 'n.png', 40, 30))) == (30, 40)
    items = list(range(300))
    assert progress(items) is not items  # a bar for large inputs
    small = items[:10]
    assert progress(small) is small  # no bar for a handful
    set_progress(False)
    try:
        assert progress(items) is items
    finally:
        set_progress(True)


# ------------------------------------------------------------ ICDAR 2013
def test_icdar2013_both_layouts(tmp_path):
    data, _ = convert_icdar(str(FIX / 'icdar2013'), str(tmp_path), year=2013,
                            check_images=False)
    t1, t2 = data[0]['instances']
    assert t1['text'] == 'Tiredness'
    assert t1['bbox'] == [38, 43, 920, 215]
    assert t1['polygon'] == [38, 43, 920, 43, 920, 215, 38, 215]
    assert t2['text'] == 'kills, fast'
    f1, f2 = data[1]['instances']  # train layout: spaces
    assert (f1['text'], f1['bbox']) == ('Footpath', [158, 128, 411, 181])
    assert (f2['text'], f2['bbox']) == ('To', [443, 128, 501, 169])
    from mmocr_vlp.datasets.converters import parse_icdar2013_line
    with pytest.raises(ConversionError, match=r'f\.txt:7: .*y2'):
        parse_icdar2013_line('1, 2, 3, four, "x"', 'f.txt:7')
    with pytest.raises(ConversionError, match='x1 <= x2'):
        parse_icdar2013_line('9 2 3 4 "x"', 'f.txt:1')


# ------------------------------------------------------------ Total-Text
def test_totaltext_exact(tmp_path):
    _img(tmp_path / 'img1.jpg', 16, 12)
    data, rep = convert_totaltext(str(FIX / 'totaltext'), str(tmp_path))
    assert data[0]['img_path'] == 'img1.jpg'
    a, b, c, d = data[0]['instances']
    assert a['polygon'] == [115, 322, 503, 346, 494, 426, 115, 404]
    assert a['text'] == 'the' and not a['ignore']
    # record wrapped over two lines
    assert b['polygon'] == [259, 542, 313, 462, 389, 417, 427, 459, 354, 507,
                            302, 582]
    assert b['text'] == 'PAUL'
    assert (c['text'], c['ignore']) == ('###', True)  # '#' = don't care
    assert d['text'] == "it's"
    assert rep.ignored == 1


def test_totaltext_malformed(tmp_path):
    with pytest.raises(ConversionError,
                       match=r'poly_gt_img1\.txt:2: fields x and y'):
        convert_totaltext(str(FIX / 'totaltext_bad'), str(tmp_path),
                          check_images=False)
    data, rep = convert_totaltext(
        str(FIX / 'totaltext_bad'), str(tmp_path), check_images=False,
        on_error='skip')
    assert _texts(data[0]) == ['ok']
    assert rep.skipped_instances == {'bad_line': 2}
    assert any('poly_gt_img1.txt:3' in m for m in rep.messages)


# ------------------------------------------------------------ CTW1500
CTW = [0, 0, 2, 0, 4, 0, 6, 0, 8, 0, 10, 0, 12, 0,
       12, 5, 10, 5, 8, 5, 6, 5, 4, 5, 2, 5, 0, 5]


def test_ctw1500_train_xml_and_test_txt(tmp_path):
    _img(tmp_path / 'train' / '0001.jpg', 30, 20)
    _img(tmp_path / 'test' / '1001.jpg', 30, 20)
    data, _ = convert_ctw1500(str(FIX / 'ctw1500' / 'train'),
                              str(tmp_path / 'train'), add_points=True)
    a, b = data[0]['instances']
    assert data[0]['img_path'] == '0001.jpg'
    assert a['polygon'] == CTW and a['text'] == 'abc'
    assert a['bbox'] == [0, 0, 12, 5] and a['point'] == [6.0, 2.5]
    assert b['text'] == '###' and b['ignore']
    assert b['point'] == [15.0, 15.0]
    data, _ = convert_ctw1500(str(FIX / 'ctw1500' / 'test'),
                              str(tmp_path / 'test'))
    assert data[0]['img_path'] == '1001.jpg'  # 0001001.txt -> 1001.jpg
    a, b = data[0]['instances']
    assert a['polygon'] == CTW and a['text'] == 'Latin 9'
    assert b['polygon'] == [10, 10, 20, 10, 20, 20, 10, 20]
    assert (b['text'], b['ignore']) == ('###', True)


def test_ctw1500_malformed(tmp_path):
    with pytest.raises(ConversionError,
                       match=r'0001\.xml: <box> #1: field <segs> needs an '
                       r'even number'):
        convert_ctw1500(str(FIX / 'ctw1500' / 'train_bad'), str(tmp_path),
                        check_images=False)
    data, rep = convert_ctw1500(str(FIX / 'ctw1500' / 'train_bad'),
                                str(tmp_path), check_images=False,
                                on_error='skip')
    assert _texts(data[0]) == ['fine'] and rep.skipped_instances == {
        'bad_box': 1
    }
    from mmocr_vlp.datasets.converters import parse_ctw1500_txt_line
    with pytest.raises(ConversionError, match=r't\.txt:4: .*"####"'):
        parse_ctw1500_txt_line('1,2,3,4,5,6,text', 't.txt:4')


# ------------------------------------------------------------ SynthText
def _write_synthtext_mat(path: Path, bad: bool = False):
    from scipy.io import savemat
    n = 3 if bad else 2
    imnames = np.empty((1, n), dtype=object)
    word_bb = np.empty((1, n), dtype=object)
    char_bb = np.empty((1, n), dtype=object)
    txt = np.empty((1, n), dtype=object)
    quads = np.stack([
        np.array([[10 * k, 10 * k + 8, 10 * k + 8, 10 * k], [0, 0, 5, 5]])
        for k in range(4)
    ], axis=-1).astype(float)  # 2 x 4 x 4
    imnames[0, 0] = np.array(['8/a.jpg'])
    word_bb[0, 0] = quads
    txt[0, 0] = np.array(['Hello world', 'foo\nbar'])  # 4 words
    char_bb[0, 0] = np.zeros((2, 4, 16)) + np.arange(16)[None, None]
    imnames[0, 1] = np.array(['8/b.jpg'])
    word_bb[0, 1] = np.array([[1, 3, 3, 1], [2, 2, 4, 4]], dtype=float)
    txt[0, 1] = np.array(['Solo'])
    char_bb[0, 1] = np.zeros((2, 4, 4))
    if bad:
        imnames[0, 2] = np.array(['8/c.jpg'])
        word_bb[0, 2] = quads[:, :, :1]
        txt[0, 2] = np.array(['two words'])
        char_bb[0, 2] = np.zeros((2, 4, 8))
    savemat(str(path), dict(imnames=imnames, wordBB=word_bb, txt=txt,
                            charBB=char_bb))


def test_synthtext_gt_mat(tmp_path):
    _write_synthtext_mat(tmp_path / 'gt.mat')
    _img(tmp_path / '8' / 'a.jpg', 50, 20)
    _img(tmp_path / '8' / 'b.jpg', 6, 6)
    data, rep = convert_synthtext(str(tmp_path / 'gt.mat'),
                                  with_chars=True)
    assert [d['img_path'] for d in data] == ['8/a.jpg', '8/b.jpg']
    assert (data[0]['height'], data[0]['width']) == (20, 50)
    assert _texts(data[0]) == ['Hello', 'world', 'foo', 'bar']
    for k, inst in enumerate(data[0]['instances']):
        assert inst['polygon'] == [10 * k, 0, 10 * k + 8, 0, 10 * k + 8, 5,
                                   10 * k, 5]
    # chars follow the words in order: 'world' holds char boxes 5..9
    chars = data[0]['instances'][1]['chars']
    assert [c['char'] for c in chars] == list('world')
    assert chars[0]['polygon'] == [5.0] * 8
    (solo,) = data[1]['instances']  # a single word: wordBB is 2 x 4
    assert solo['text'] == 'Solo'
    assert solo['polygon'] == [1, 2, 3, 2, 3, 4, 1, 4]
    assert rep.instances == 5


def test_synthtext_mismatch(tmp_path):
    _write_synthtext_mat(tmp_path / 'gt.mat', bad=True)
    with pytest.raises(ConversionError,
                       match=r'image 2 \(8/c\.jpg\): field txt has 2 words '
                       r'but wordBB has 1 boxes'):
        convert_synthtext(str(tmp_path / 'gt.mat'), check_images=False)
    data, rep = convert_synthtext(str(tmp_path / 'gt.mat'),
                                  check_images=False, on_error='skip')
    assert len(data) == 2 and rep.skipped_images == {'bad_entry': 1}
    (tmp_path / 'x.mat').write_bytes(b'not a mat file')
    with pytest.raises(ConversionError, match='x.mat'):
        convert_synthtext(str(tmp_path / 'x.mat'))


# ------------------------------------------------------------ LSVT
def test_lsvt_full_and_weak(tmp_path):
    _img(tmp_path / 'train_full_images_0' / 'gt_0.jpg', 12, 8)
    _img(tmp_path / 'train_full_images_1' / 'gt_1.jpg', 12, 8)
    data, rep = convert_lsvt(str(FIX / 'lsvt' / 'train_full_labels.json'),
                             str(tmp_path))
    assert [d['img_path'] for d in data] == [
        'train_full_images_0/gt_0.jpg', 'train_full_images_1/gt_1.jpg'
    ]
    a, b = data[0]['instances']
    assert (a['text'], a['ignore']) == ('中国', False)
    assert a['polygon'] == [0, 0, 10, 0, 10, 5, 0, 5]
    assert (b['text'], b['ignore']) == ('###', True)
    (c,) = data[1]['instances']  # illegibility: true
    assert (c['text'], c['ignore']) == ('###', True)
    weak, rep = convert_lsvt(str(FIX / 'lsvt' / 'train_weak_labels.json'),
                             str(tmp_path), check_images=False)
    assert weak[0]['instances'] == [{'text': '银行', 'ignore': False}]
    assert weak[1]['instances'] == [{'text': 'ATM', 'ignore': False},
                                    {'text': '###', 'ignore': True}]
    assert weak[1]['img_path'] == 'gt_6.jpg'
    # text-only output loads with WeakTextDataset
    out = tmp_path / 'weak.json'
    from mmocr_vlp.datasets.converters import dump_ocr_json
    dump_ocr_json(weak, str(out))
    ds = _weak_dataset(out, tmp_path, check_files=False)
    assert sorted(ds.texts()) == ['ATM', '银行']


def test_lsvt_malformed(tmp_path):
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps({'gt_0': [
        {'transcription': 'ok', 'points': [[0, 0], [4, 0], [4, 4], [0, 4]]},
        {'transcription': 'x', 'points': [[0, 0], [4, 0]]},
        {'points': [[0, 0], [4, 0], [4, 4]]}]}))
    with pytest.raises(ConversionError,
                       match=r'bad\.json: "gt_0"\[1\]: field "points"'):
        convert_lsvt(str(bad), str(tmp_path), check_images=False)
    data, rep = convert_lsvt(str(bad), str(tmp_path), check_images=False,
                             on_error='skip')
    assert _texts(data[0]) == ['ok'] and rep.skipped_instances == {
        'bad_label': 2
    }
    (tmp_path / 'broken.json').write_text('{"gt_0": [\n{"transcription": }')
    with pytest.raises(ConversionError, match=r'broken\.json:2: not valid'):
        convert_lsvt(str(tmp_path / 'broken.json'), str(tmp_path))


# ------------------------------------------------------------ TextOCR
def test_textocr(tmp_path):
    _img(tmp_path / 'a1.jpg', 40, 30)  # basename fallback for train/a1.jpg
    _img(tmp_path / 'a2.jpg', 20, 10)
    data, rep = convert_textocr(str(FIX / 'textocr' / 'textocr.json'),
                                str(tmp_path))
    assert [d['img_path'] for d in data] == ['a1.jpg', 'a2.jpg']
    assert (data[0]['height'], data[0]['width']) == (30, 40)
    a, b = data[0]['instances']
    assert a['polygon'] == [1, 2, 11, 2, 11, 7, 1, 7]
    assert a['bbox'] == [1, 2, 11, 7] and a['text'] == 'Hi'
    # '.' = illegible; empty points -> the box [x, y, w, h] corners
    assert (b['text'], b['ignore']) == ('###', True)
    assert b['bbox'] == [20, 5, 24, 9]
    assert b['polygon'] == [20, 5, 24, 5, 24, 9, 20, 9]
    assert data[1]['instances'] == []
    d = json.loads((FIX / 'textocr' / 'textocr.json').read_text())
    d['anns']['a1_1']['utf8_string'] = 7
    (tmp_path / 'bad.json').write_text(json.dumps(d))
    with pytest.raises(ConversionError,
                       match=r'anns\["a1_1"\]: field "utf8_string"'):
        convert_textocr(str(tmp_path / 'bad.json'), str(tmp_path))


# ------------------------------------------------------------ mmocr JSON
def test_mmocr_json_normalise():
    data, rep, meta = convert_mmocr_json(str(FIX / 'mmocr' / 'textdet.json'))
    assert meta['task_name'] == 'textdet'
    a, b = data[0]['instances']
    assert a == {'polygon': [0, 0, 10, 0, 10, 5, 0, 5], 'bbox': [0, 0, 10, 5],
                 'bbox_label': 0, 'ignore': False}
    assert b['polygon'] == [1, 1, 4, 1, 4, 4, 1, 4] and b['ignore']
    assert rep.no_text == 2
    data, rep, _ = convert_mmocr_json(
        str(FIX / 'mmocr' / 'textspotting.json'), add_points=True)
    a, b = data[0]['instances']
    assert a['point'] == [5, 2.5] and a['text'] == 'Hi'  # kept
    assert (b['text'], b['ignore'], b['bbox']) == ('###', True,
                                                   [20, 20, 30, 25])
    assert b['point'] == [25.0, 22.5] and b['bbox_label'] == 0


def test_mmocr_json_malformed():
    bad = str(FIX / 'mmocr' / 'bad.json')
    with pytest.raises(ConversionError,
                       match=r'data_list\[0\] \(img_1\.jpg\)\.instances\[1\]:'
                       r' field "polygon"'):
        convert_mmocr_json(bad)
    data, rep, _ = convert_mmocr_json(bad, on_error='skip')
    assert _texts(data[0]) == ['ok']
    assert rep.skipped_instances == {'bad_instance': 2}
    assert rep.skipped_images == {'bad_entry': 1}
    assert any('instances[2]: field "bbox"' in m for m in rep.messages)


# ------------------------------------------------------------ views
def _full():
    return [{
        'img_path': 'a.jpg', 'height': 10, 'width': 10,
        'instances': [
            {'polygon': [0, 0, 4, 0, 4, 2, 0, 2], 'text': w, 'ignore': False,
             'bbox': [0, 0, 4, 2], 'bbox_label': 0}
            for w in ['w0', 'w1', 'w2', 'w3']
        ] + [{'polygon': [5, 5, 9, 5, 9, 9, 5, 9], 'text': '###',
              'ignore': True}]
    }]


def test_views(tmp_path):
    """The views come from mmocr_vlp.datasets.synth.views (one
    implementation); check they work on converter output."""
    _img(tmp_path / 'img_1.jpg', 40, 30)
    _img(tmp_path / 'img_2.png', 20, 10)
    full, _ = convert_icdar(str(FIX / 'icdar2015'), str(tmp_path))
    assert make_view(full, 'full') == full
    text = make_view(full, 'textonly')
    assert [_texts(d) for d in text] == [['Hello', 'a,b', '###'], ['World']]
    assert not any('polygon' in i or 'bbox' in i for d in text
                   for i in d['instances'])
    p50 = make_view(full, 'partial50', seed=3)
    assert len(p50[0]['instances']) == 1  # 2 legible words -> 1
    assert _texts(p50[0])[0] in ('Hello', 'a,b')
    assert p50 == make_view(full, 'partial50', seed=3)  # deterministic
    pts = make_view(full, 'points')[0]['instances']
    # the points view uses the SPTS centre (same as polygon_center)
    assert pts[0]['point'] == [30.0, 30.0]
    assert pts[1]['point'] == [79.0, 31.0]
    assert pts[1]['point_source'] == 'gt' and 'polygon' not in pts[1]
    with pytest.raises(ValueError):
        make_view(full, 'partial0')
    written = write_views(full, str(tmp_path / 'v'), 'train',
                          ['textonly', 'points'])
    assert written['points'] == str(tmp_path / 'v' / 'train_points.json')
    d = json.loads(Path(written['textonly']).read_text())
    assert d['metainfo']['task_name'] == 'textdet'
    assert len(d['data_list'][0]['instances']) == 3


# ------------------------------------------------------------ CLIs
def test_cli_scripts(tmp_path, capsys, monkeypatch):
    _img(tmp_path / 'imgs' / 'img_1.jpg', 40, 30)
    _img(tmp_path / 'imgs' / 'img_2.jpg', 20, 10)
    out_dir = tmp_path / 'out'
    out_dir.mkdir()
    monkeypatch.setattr(sys, 'argv', [
        'convert.py', 'icdar2015', '--ann-dir', str(FIX / 'icdar2015'),
        '--img-dir', str(tmp_path / 'imgs'), '--out', str(out_dir),
        '--split', 'test', '--data-root', str(tmp_path), '--views',
        'textonly', 'points', '--quiet'
    ])
    runpy.run_path(str(TOOLS / 'convert.py'), run_name='__main__')
    printed = capsys.readouterr().out
    assert 'instances: 4 (ignored: 1, legible: 3)' in printed
    d = json.loads((out_dir / 'textdet_test.json').read_text())
    assert d['data_list'][0]['img_path'] == 'imgs/img_1.jpg'
    assert (out_dir / 'test_points.json').is_file()
    # malformed line in raise mode: exit 1 with file:line, no traceback
    monkeypatch.setattr(sys, 'argv', [
        'icdar2015.py', '--ann-dir', str(FIX / 'icdar2015_bad'),
        '--img-dir', str(tmp_path / 'imgs'), '--out',
        str(tmp_path / 'x.json')
    ])
    with pytest.raises(SystemExit) as e:
        runpy.run_path(str(TOOLS / 'icdar2015.py'), run_name='__main__')
    assert e.value.code == 1
    assert 'gt_img_1.txt:2' in capsys.readouterr().err
    # skip mode: summary lists the reason
    cli_main('icdar2015', [
        '--ann-dir', str(FIX / 'icdar2015_bad'), '--img-dir',
        str(tmp_path / 'imgs'), '--out', str(tmp_path / 'x.json'),
        '--on-error', 'skip', '--quiet'
    ])
    assert 'skipped instances: 2 (bad_line=2)' in capsys.readouterr().out
    # make_views CLI
    monkeypatch.setattr(sys, 'argv', [
        'make_views.py', str(out_dir / 'textdet_test.json'), '--out-dir',
        str(tmp_path / 'views'), '--views', 'partial50', 'full'
    ])
    runpy.run_path(str(TOOLS / 'make_views.py'), run_name='__main__')
    assert (tmp_path / 'views' / 'train_partial50.json').is_file()
    with pytest.raises(SystemExit):
        views_main([str(tmp_path / 'nope.json'), '--out-dir', str(tmp_path)])
