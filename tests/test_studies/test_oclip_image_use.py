# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""studies/oclip_image_use.py: the cosine measure on hand cases and the
table it writes."""
import importlib.util
import os.path as osp

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def mod():
    spec = importlib.util.spec_from_file_location(
        'oclip_image_use', osp.join(ROOT, 'studies', 'oclip_image_use.py'))
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    return m


def test_mean_offdiag_cos_hand_cases(mod):
    same = torch.tensor([[1., 2.], [2., 4.], [3., 6.]])
    assert mod.mean_offdiag_cos(same) == pytest.approx(1.0)
    ortho = torch.eye(3)
    assert mod.mean_offdiag_cos(ortho) == pytest.approx(0.0)
    # pair cosines 0.7071, -1, -0.7071: mean -1/3
    x = torch.tensor([[1., 0.], [1., 1.], [-1., 0.]])
    expect = 2 * (1 / 2**0.5 + (-1) + (-1 / 2**0.5)) / 6
    assert mod.mean_offdiag_cos(x) == pytest.approx(expect)


def test_write_tables(mod, tmp_path):
    row = dict(name='r', checkpoint='c.pth', data='d.json', images=40,
               words=141, mask_acc=0.293, mask_acc_rolled=0.25,
               i2t_acc=0.1, image_cos=0.5, trunk_abs=0.0068, trunk_cos=0.99)
    mod.write_tables([row], str(tmp_path / 'out'))
    md = (tmp_path / 'out.md').read_text()
    assert ('| r | `c.pth` | `d.json` | 40 / 141 | 0.293 | 0.250 | '
            '0.100 (0.025) | 0.500 | 0.0068 | 0.990 |') in md
