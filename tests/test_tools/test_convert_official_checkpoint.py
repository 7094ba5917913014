# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""tools/convert_official_checkpoint.py: an official WeCromCL checkpoint
labels a user's images with tools/generate_pseudo_labels.py."""
import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import torch
from mmengine.config import Config

import mmocr_vlp  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _parity():
    spec = importlib.util.spec_from_file_location(
        'parity', osp.join(REPO, 'tests', 'data', 'wecromcl_parity',
                           'parity.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _official_state_dict():
    p = _parity()
    return p.official_state_dict(p.load_fixture())


def _tiny_paper_config(path):
    cfg = Config.fromfile(
        osp.join(REPO, 'configs', 'wecromcl',
                 'wecromcl_resnet50_bifpn-deform_200k_synthtext.py'))
    cfg.model = _parity().tiny_paper_model_cfg()
    cfg.test_pipeline[1]['scale'] = (64, 64)
    cfg.dump(path)


def test_convert_then_label_images(tmp_path, capsys, load_tool):
    sd = _official_state_dict()
    official = str(tmp_path / 'official.pth')
    # As the official trainer saves it: DataParallel's 'module.' prefix.
    torch.save({'module.' + k: v for k, v in sd.items()}, official)
    out = str(tmp_path / 'converted.pth')
    tool = load_tool('convert_official_checkpoint')
    assert tool.main(['wecromcl', official, out]) == 0
    assert len(torch.load(out, weights_only=True)['state_dict']) == len(sd) - 2

    (tmp_path / 'imgs').mkdir()
    data_list = []
    for i, words in enumerate([['shop', 'open'], ['exit']]):
        img = np.full((64, 96, 3), 30, np.uint8)
        for j, w in enumerate(words):
            cv2.putText(img, w, (4, 20 + 25 * j), cv2.FONT_HERSHEY_SIMPLEX,
                        0.6, (220, 220, 220), 2)
        cv2.imwrite(str(tmp_path / 'imgs' / f'{i}.png'), img)
        data_list.append(dict(img_path=f'imgs/{i}.png', height=64, width=96,
                              instances=[dict(text=w) for w in words]))
    (tmp_path / 'textonly.json').write_text(
        json.dumps(dict(metainfo={}, data_list=data_list)))
    cfg = str(tmp_path / 'cfg.py')
    _tiny_paper_config(cfg)
    stats = load_tool('generate_pseudo_labels').main([
        cfg, out, '--data-root', str(tmp_path), '--ann-file',
        'textonly.json', '--out', str(tmp_path / 'pseudo.json')
    ])
    assert stats['points'] == 3


def test_unknown_and_missing_keys_are_named(tmp_path, capsys, load_tool):
    sd = _official_state_dict()
    sd['visual.proj'] = torch.zeros(2)
    del sd['attn_pool.c_proj.bias']
    path = str(tmp_path / 'bad.pth')
    torch.save(sd, path)
    tool = load_tool('convert_official_checkpoint')
    assert tool.main(['wecromcl', path, str(tmp_path / 'o.pth')]) == 1
    err = capsys.readouterr().err
    assert 'visual.proj' in err and 'attn_pool.c_proj.bias' in err
    assert not osp.exists(tmp_path / 'o.pth')
