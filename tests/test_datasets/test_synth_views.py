# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Annotation views, the dataset writer (cache, determinism, layout) and
the ``tools/render_synth.py`` CLI."""
import copy
import hashlib
import json
import os
import os.path as osp
import sys

import cv2
import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from mmocr_vlp.datasets.synth import (DEFAULT_VIEWS, LOCATION_KEYS,
                                      ensure_synth_dataset, keep_count,
                                      make_view, parse_view, render_dataset,
                                      write_views)

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SMALL = dict(img_size=(160, 160), max_words=5)


def _inst(text, x, y, **kw):
    d = dict(
        text=text,
        polygon=[x, y, x + 20, y, x + 20, y + 10, x, y + 10],
        bbox=[x, y, x + 20, y + 10],
        chars=[dict(char=c, polygon=[x, y, x + 5, y, x + 5, y + 10, x,
                                     y + 10]) for c in text],
        ignore=False,
        bbox_label=0)
    d.update(kw)
    return d


@pytest.fixture
def data_list():
    return [
        dict(img_path='imgs/a.jpg', height=100, width=100,
             instances=[_inst(f'w{i}', 5 * i, 3 * i) for i in range(4)]),
        dict(img_path='imgs/b.jpg', height=100, width=100,
             instances=[_inst('solo', 10, 10)]),
        dict(img_path='imgs/c.jpg', height=100, width=100,
             instances=[_inst('x', 1, 1), _inst('###', 30, 30, ignore=True),
                        _inst('y', 50, 50), _inst('z', 70, 70)]),
        dict(img_path='imgs/d.jpg', height=100, width=100, instances=[]),
    ]


def test_parse_view():
    assert parse_view('full') == ('full', None)
    assert parse_view('partial25') == ('partial', 25)
    for bad in ('partial0', 'partial101', 'boxes', 'partial'):
        with pytest.raises(ValueError):
            parse_view(bad)


def test_keep_count():
    assert keep_count(0, 50) == 0
    assert keep_count(1, 25) == 1  # at least one word
    assert keep_count(4, 50) == 2
    assert keep_count(3, 50) == 2  # 1.5 rounds half up
    assert keep_count(8, 25) == 2
    assert keep_count(8, 75) == 6
    assert keep_count(5, 100) == 5


def test_full_view_is_a_copy(data_list):
    orig = copy.deepcopy(data_list)
    full = make_view(data_list, 'full')
    assert full == orig
    full[0]['instances'][0]['text'] = 'changed'
    assert data_list == orig


def test_textonly_view(data_list):
    v = make_view(data_list, 'textonly')
    for a, b in zip(data_list, v):
        assert [i['text'] for i in a['instances']] == [
            i['text'] for i in b['instances']
        ]
        assert b['img_path'] == a['img_path'] and b['height'] == 100
        for inst in b['instances']:
            assert not set(inst) & set(LOCATION_KEYS)
            assert 'ignore' in inst and 'bbox_label' in inst


def test_partial_view(data_list):
    v = make_view(data_list, 'partial50', seed=0)
    assert [len(d['instances']) for d in v] == [2, 1, 2, 0]
    for a, b in zip(data_list, v):
        legible = [i['text'] for i in a['instances'] if not i['ignore']]
        kept = [i['text'] for i in b['instances']]
        # a subset, in the original order, texts only, never '###'
        assert kept == [t for t in legible if t in kept]
        assert '###' not in kept
        for inst in b['instances']:
            assert not set(inst) & set(LOCATION_KEYS)
    # deterministic for a seed, depends on the seed
    assert make_view(data_list, 'partial50', seed=0) == v
    subsets = {
        tuple(i['text'] for i in make_view(data_list, 'partial50', seed=s)[0]
              ['instances'])
        for s in range(20)
    }
    assert len(subsets) > 1
    # other percentages
    assert [len(d['instances'])
            for d in make_view(data_list, 'partial25')] == [1, 1, 1, 0]
    assert [len(d['instances'])
            for d in make_view(data_list, 'partial75')] == [3, 1, 2, 0]


def test_points_view(data_list):
    v = make_view(data_list, 'points')
    for a, b in zip(data_list, v):
        assert len(a['instances']) == len(b['instances'])
        for ia, ib in zip(a['instances'], b['instances']):
            assert set(ib) == {
                'text', 'point', 'point_score', 'point_source', 'ignore',
                'bbox_label'
            }
            assert ib['point_score'] == 1.0 and ib['point_source'] == 'gt'
            poly = Polygon(np.array(ia['polygon']).reshape(-1, 2))
            assert poly.contains(Point(ib['point']))
    # existing points / scores / sources are kept
    dl = [dict(img_path='p.jpg', instances=[dict(
        text='a', point=[3.0, 4.0], point_score=0.4,
        point_source='wecromcl')])]
    inst = make_view(dl, 'points')[0]['instances'][0]
    assert inst['point'] == [3.0, 4.0] and inst['point_score'] == 0.4
    assert inst['point_source'] == 'wecromcl'
    # no location at all: a clear error naming the image
    with pytest.raises(ValueError, match='noloc.jpg'):
        make_view([dict(img_path='noloc.jpg', instances=[dict(text='a')])],
                  'points')


def test_write_views(tmp_path, data_list):
    paths = write_views(data_list, str(tmp_path), 'val')
    assert set(paths) == set(DEFAULT_VIEWS)
    for view, path in paths.items():
        assert osp.basename(path) == f'val_{view}.json'
        with open(path) as f:
            d = json.load(f)
        assert d['metainfo']['task_name'] == 'textdet'
        assert d['metainfo']['category'] == [dict(id=0, name='text')]
        assert len(d['data_list']) == len(data_list)
    with pytest.raises(ValueError):
        write_views(data_list, str(tmp_path), 'val', ['bogus'])


def _digest(d):
    out = {}
    for root, _, files in os.walk(d):
        for f in files:
            if f == 'meta.json':
                continue
            p = osp.join(root, f)
            with open(p, 'rb') as fh:
                out[osp.relpath(p, d)] = hashlib.md5(fh.read()).hexdigest()
    return out


@pytest.fixture(scope='module')
def synth_dir(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('synth'))
    meta = render_dataset(
        out, {'train': 6, 'val': 2}, seed=1, progress=False, **SMALL)
    return out, meta


def test_dataset_layout(synth_dir):
    out, meta = synth_dir
    assert meta['counts']['train']['images'] == 6
    assert meta['settings']['seed'] == 1
    for split, n in (('train', 6), ('val', 2)):
        for v in DEFAULT_VIEWS:
            assert osp.isfile(osp.join(out, f'{split}_{v}.json'))
        with open(osp.join(out, f'{split}_full.json')) as f:
            d = json.load(f)
        assert d['metainfo']['dataset_type'] == 'TextDetDataset'
        assert len(d['data_list']) == n
        for i, info in enumerate(d['data_list']):
            assert info['img_path'] == f'imgs/{split}/{split}_{i:06d}.jpg'
            img = cv2.imread(osp.join(out, info['img_path']))
            assert img.shape == (info['height'], info['width'], 3)
            assert (info['width'], info['height']) == SMALL['img_size']
            assert len(info['instances']) >= 1
        with open(osp.join(out, f'{split}_partial25.json')) as f:
            part = json.load(f)['data_list']
        for a, b in zip(d['data_list'], part):
            assert len(b['instances']) == keep_count(len(a['instances']), 25)
    with open(osp.join(out, 'meta.json')) as f:
        assert json.load(f)['counts'] == meta['counts']


def test_dataset_deterministic_and_cached(synth_dir, tmp_path):
    out, meta = synth_dir
    # same seed in another folder, with 2 worker processes: same bytes
    other = str(tmp_path / 'again')
    render_dataset(
        other, {'train': 6, 'val': 2}, seed=1, num_workers=2,
        progress=False, **SMALL)
    assert _digest(out) == _digest(other)
    # cache hit: nothing rendered
    mtime = os.path.getmtime(osp.join(other, 'train_full.json'))
    m = ensure_synth_dataset(
        other, {'train': 6, 'val': 2}, seed=1, progress=False, **SMALL)
    assert m['cached'] is True
    assert os.path.getmtime(osp.join(other, 'train_full.json')) == mtime
    # different settings: re-rendered, different content
    m = ensure_synth_dataset(
        other, {'train': 6, 'val': 2}, seed=2, progress=False, **SMALL)
    assert m['cached'] is False
    assert _digest(out) != _digest(other)
    # a missing file invalidates the cache
    os.remove(osp.join(other, 'val_points.json'))
    m = ensure_synth_dataset(
        other, {'train': 6, 'val': 2}, seed=2, progress=False, **SMALL)
    assert m['cached'] is False
    assert osp.isfile(osp.join(other, 'val_points.json'))


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError):
        render_dataset(str(tmp_path), {'bad/name': 1}, progress=False)
    with pytest.raises(ValueError):
        render_dataset(str(tmp_path), {'train': 1}, views=['nope'],
                       progress=False)
    with pytest.raises(TypeError, match='bad renderer option'):
        render_dataset(str(tmp_path), {'train': 1}, progress=False,
                       not_an_option=3)


def test_views_load_in_weak_text_dataset(synth_dir):
    """Each view loads through WeakTextDataset (data_root=OUT,
    data_prefix img_path='')."""
    pytest.importorskip('mmocr')
    from mmocr_vlp.datasets import WeakTextDataset
    out, _ = synth_dir
    for v in DEFAULT_VIEWS:
        ds = WeakTextDataset(
            ann_file=f'train_{v}.json',
            data_root=out,
            data_prefix=dict(img_path=''),
            pipeline=[])
        assert len(ds) == 6
        info = ds.get_data_info(0)
        assert osp.isfile(info['img_path'])
        assert all(i['text'] for i in info['instances'])
        if v == 'full':
            assert len(info['instances'][0]['polygon']) >= 8
        if v == 'points':
            assert len(info['instances'][0]['point']) == 2


def test_cli(tmp_path, capsys):
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    try:
        import render_synth
    finally:
        sys.path.pop(0)
    out = str(tmp_path / 'cli')
    meta = render_synth.main([
        '--out', out, '--train', '3', '--val', '1', '--test', '1', '--size',
        '128x96', '--views', 'full,partial50,points', '--no-progress',
        '--seed', '5', '--max-words', '3', '--preview',
        str(tmp_path / 'prev.png')
    ])
    printed = capsys.readouterr().out
    prev = cv2.imread(str(tmp_path / 'prev.png'))
    assert prev is not None and prev.shape[1] > prev.shape[0]
    assert 'train: 3 images' in printed
    assert sorted(meta['counts']) == ['test', 'train', 'val']
    assert sorted(f for f in os.listdir(out) if f.endswith('.json')) == [
        'meta.json', 'test_full.json', 'test_partial50.json',
        'test_points.json', 'train_full.json', 'train_partial50.json',
        'train_points.json', 'val_full.json', 'val_partial50.json',
        'val_points.json'
    ]
    img = cv2.imread(osp.join(out, 'imgs', 'train', 'train_000002.jpg'))
    assert img.shape == (96, 128, 3)
    meta2 = render_synth.main(
        ['--out', out, '--train', '3', '--val', '1', '--test', '1', '--size',
         '128x96', '--views', 'full,partial50,points', '--no-progress',
         '--seed', '5', '--max-words', '3'])
    assert meta2['cached'] is True


def test_cli_easy_regime_flags(tmp_path):
    """--fonts, --case and --clean reach the renderer and its cache key."""
    sys.path.insert(0, osp.join(ROOT, 'tools'))
    try:
        import render_synth
    finally:
        sys.path.pop(0)
    from mmocr_vlp.datasets.synth.fonts import find_fonts
    font = osp.basename(find_fonts()[0].path)
    out = str(tmp_path / 'easy')
    args = ['--out', out, '--train', '4', '--val', '0', '--size', '128',
            '--views', 'full', '--no-progress', '--word-sources', 'dict=1',
            '--max-words', '3']
    meta = render_synth.main(args + ['--fonts', font, '--case', 'lower=1',
                                     '--clean'])
    settings = meta['settings']
    assert settings['fonts'] == [font]
    cfg = settings['render_cfg']
    assert cfg['case_probs'] == {'lower': 1.0}
    assert cfg['clutter_range'] == [0, 0] and cfg['noise_prob'] == 0.0
    with open(osp.join(out, 'train_full.json')) as f:
        texts = [i['text'] for e in json.load(f)['data_list']
                 for i in e['instances']]
    assert texts and all(t == t.lower() for t in texts)
    # other settings: not a cache hit
    assert render_synth.main(args)['cached'] is False
    with pytest.raises(ValueError, match='not usable fonts'):
        render_synth.main(args + ['--fonts', 'no_such_font.ttf'])
