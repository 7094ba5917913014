# Copyright (c) mmocr_vlp contributors. All rights reserved.
import copy

import pytest

from mmocr_vlp.utils.pipeline import replace_transform

TV = dict(type='TorchVisionWrapper', op='ColorJitter')


def test_replaces_by_type_and_keys_anywhere():
    jitter = dict(type='mmocr.TorchVisionWrapper',
                  op='ColorJitter',
                  brightness=0.1,
                  saturation=0.5)
    other = dict(type='TorchVisionWrapper', op='Grayscale')
    pipeline = [
        dict(type='LoadImageFromFile'),
        other,
        jitter,
        dict(type='RandomApply', transforms=[copy.deepcopy(jitter)], prob=.5),
        dict(type='RandomChoice',
             transforms=[[dict(type='Resize', scale=8), jitter],
                         [dict(type='Resize', scale=16)]]),
    ]
    before = copy.deepcopy(pipeline)
    out = replace_transform(pipeline, TV, 'ColorJitter')
    new = dict(type='ColorJitter', brightness=0.1, saturation=0.5)
    assert out == [
        dict(type='LoadImageFromFile'),
        other,
        new,
        dict(type='RandomApply', transforms=[new], prob=.5),
        dict(type='RandomChoice',
             transforms=[[dict(type='Resize', scale=8), new],
                         [dict(type='Resize', scale=16)]]),
    ]
    assert pipeline == before  # not modified
    out[2]['brightness'] = 9
    assert pipeline[2]['brightness'] == 0.1  # no shared dicts


def test_no_match_is_an_error_unless_not_strict():
    pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=8)]
    with pytest.raises(ValueError, match="no step matching.*'Resize'"):
        replace_transform(pipeline, TV, 'ColorJitter')
    assert replace_transform(pipeline, TV, 'ColorJitter',
                             strict=False) == pipeline
    with pytest.raises(ValueError, match='needs a "type"'):
        replace_transform(pipeline, dict(op='ColorJitter'), 'ColorJitter')
