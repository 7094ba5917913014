# Copyright (c) mmocr_vlp contributors. All rights reserved.
import json

import cv2
import numpy as np
import pytest

from mmocr_vlp.datasets import AnnotationError, WeakTextDataset


def _write(tmp_path, data_list, n_imgs=2, corrupt=()):
    (tmp_path / 'imgs').mkdir(exist_ok=True)
    for i in range(n_imgs):
        p = tmp_path / 'imgs' / f'{i}.jpg'
        if i in corrupt:
            p.write_bytes(b'not a jpeg')
        else:
            cv2.imwrite(str(p), np.full((32, 48, 3), 127, np.uint8))
    ann = tmp_path / 'ann.json'
    ann.write_text(json.dumps(dict(metainfo={}, data_list=data_list)))
    return str(ann)


def _entry(i, instances):
    return dict(img_path=f'imgs/{i}.jpg', height=32, width=48,
                instances=instances)


def _ds(tmp_path, ann, **kw):
    return WeakTextDataset(ann_file=ann, data_root=str(tmp_path),
                           data_prefix=dict(img_path=''), pipeline=[], **kw)


def test_textonly_partial_and_full(tmp_path):
    ann = _write(tmp_path, [
        _entry(0, [dict(text='hello'), dict(text='###')]),
        _entry(1, [dict(text='a', polygon=[0, 0, 4, 0, 4, 4, 0, 4],
                        point=[2, 2], point_score=0.5)]),
    ])
    ds = _ds(tmp_path, ann)
    assert len(ds) == 2
    inst = ds.get_data_info(0)['instances']
    assert inst[0]['ignore'] is False and inst[1]['ignore'] is True
    assert ds.texts() == ['hello', 'a']
    assert ds.texts(include_ignored=True) == ['hello', '###', 'a']


def test_min_instances_and_skip_counts(tmp_path):
    ann = _write(tmp_path, [_entry(0, []), _entry(1, [dict(text='ok')])])
    ds = _ds(tmp_path, ann)
    assert len(ds) == 1 and ds.skip_counts['too_few_words'] == 1
    assert len(_ds(tmp_path, ann, min_instances=0)) == 2


@pytest.mark.parametrize('inst,field', [
    (dict(text=''), 'text'),
    (dict(), 'text'),
    (dict(text=3), 'text'),
    (dict(text='a', polygon=[0, 0, 1]), 'polygon'),
    (dict(text='a', bbox=[0, 0, 1]), 'bbox'),
    (dict(text='a', point=['x', 1]), 'point'),
])
def test_malformed_instance_named(tmp_path, inst, field):
    ann = _write(tmp_path, [_entry(0, [inst]), _entry(1, [dict(text='b')])])
    with pytest.raises(AnnotationError) as e:
        _ds(tmp_path, ann)
    msg = str(e.value)
    assert 'ann.json' in msg and 'imgs/0.jpg' in msg
    assert f'"{field}"' in msg and 'instances[0]' in msg
    ds = _ds(tmp_path, ann, on_error='skip')
    assert len(ds) == 1 and sum(ds.skip_counts.values()) == 2


def test_missing_image(tmp_path):
    ann = _write(tmp_path, [_entry(0, [dict(text='a')]),
                            _entry(5, [dict(text='b')])])
    with pytest.raises(AnnotationError, match='5.jpg.*not found'):
        _ds(tmp_path, ann)
    ds = _ds(tmp_path, ann, on_error='skip')
    assert len(ds) == 1 and ds.skip_counts['missing_image'] == 1


def test_dictionary_scan_counts(tmp_path):
    ann = _write(tmp_path, [_entry(0, [dict(text='abc'), dict(text='a$'),
                                       dict(text='x' * 30)])])
    ds = _ds(tmp_path, ann,
             dictionary=dict(preset='alnum_lower', max_len=25))
    assert ds.text_stats['words'] == 3
    assert ds.text_stats['oov_chars'] == 1
    assert ds.text_stats['overlong_words'] == 1
