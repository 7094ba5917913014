# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""tools/convert_official_checkpoint.py: an official oCLIP checkpoint round-trips
to mmocr's CLIPResNet; an official WeCromCL checkpoint labels a user's images
with tools/generate_pseudo_labels.py. Unknown or missing keys are named."""
import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import load_checkpoint
from mmocr.models import CLIPResNet
from mmocr.registry import MODELS

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


def test_wecromcl_convert_then_label_images(tmp_path, capsys, load_tool):
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


def test_wecromcl_unknown_and_missing_keys_are_named(tmp_path, capsys,
                                                    load_tool):
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


FIXTURE = osp.join(REPO, 'tests', 'data', 'oclip', 'official_tiny.npz')
PAPER_CFG = osp.join(REPO, 'configs', 'oclip',
                     'oclip_resnet50_100e_synthtext.py')


def _official(tmp_path, prefix='module.', extra=None):
    """The fixture's official state dict as the official trainer saves it
    (``{'epoch', 'state_dict', 'optimizer'}``, DDP ``module.`` keys)."""
    data = np.load(FIXTURE)
    sd = {prefix + k[3:]: torch.from_numpy(data[k]).float()
          if data[k].dtype == np.float16 else torch.from_numpy(data[k])
          for k in data.files if k.startswith('sd/')}
    sd.update(extra or {})
    path = tmp_path / 'epoch_1.pt'
    torch.save(dict(epoch=1, state_dict=sd, name='x'), path)
    return path, json.loads(str(data['config']))


def _tiny_config(tmp_path, c):
    path = tmp_path / 'tiny.py'
    path.write_text(
        f"_base_ = [{PAPER_CFG!r}]\n"
        f"model = dict(\n"
        f"    image_encoder=dict(backbone=dict(base_channels="
        f"{c['vision_width']}), input_size={c['image_resolution']},\n"
        f"        num_heads={c['vision_width'] * 32 // 64}, "
        f"out_dims={c['embed_dim']}),\n"
        f"    text_encoder=dict(embed_dims={c['transformer_width']}, "
        f"num_layers={c['transformer_layers']}, "
        f"num_heads={c['transformer_heads']}),\n"
        f"    decoder=dict(num_layers={c['transformer_decoder_layers']}, "
        f"num_heads={c['transformer_heads']}))\n")
    return path


def test_oclip_round_trip_to_mmocr(tmp_path, load_tool):
    tool = load_tool('convert_official_checkpoint')
    export_backbone = load_tool('export_backbone')
    ckpt, c = _official(tmp_path)
    cfg = _tiny_config(tmp_path, c)
    out = tmp_path / 'ours.pth'
    assert tool.main(['oclip', str(ckpt), str(out), '--config',
                      str(cfg)]) == 0
    # load_from-style loading into the configured model: nothing missing.
    model = MODELS.build(Config.fromfile(str(cfg)).model)
    sd = torch.load(out, weights_only=True)['state_dict']
    missing, unexpected = model.load_state_dict(sd, strict=True)
    assert not missing and not unexpected
    load_checkpoint(model, str(out), map_location='cpu', strict=True,
                    logger='silent')
    # ... and export_backbone turns it into an mmocr CLIPResNet checkpoint.
    trunk = tmp_path / 'trunk.pth'
    assert export_backbone.main([str(out), str(trunk)]) == 0
    det = CLIPResNet(base_channels=c['vision_width'])
    res = det.load_state_dict(
        torch.load(trunk, weights_only=True)['state_dict'], strict=True)
    assert not res.missing_keys and not res.unexpected_keys
    data = np.load(FIXTURE)
    torch.testing.assert_close(
        det.state_dict()['layer4.2.conv3.weight'],
        torch.from_numpy(data['sd/visual.layer4.2.conv3.weight']).float())


def test_oclip_unknown_and_missing_keys_are_named(tmp_path, capsys,
                                                 load_tool):
    tool = load_tool('convert_official_checkpoint')
    ckpt, c = _official(tmp_path, extra={'module.visual.head.fc': torch.ones(
        1)})
    cfg = _tiny_config(tmp_path, c)
    out = tmp_path / 'ours.pth'
    assert tool.main(['oclip', str(ckpt), str(out), '--config',
                      str(cfg)]) == 1
    assert 'visual.head.fc' in capsys.readouterr().err
    assert not out.exists()
    # The paper config (6 text/decoder layers) does not fit the tiny
    # weights; with matching depths the widths still differ.
    ckpt, _ = _official(tmp_path, prefix='')
    assert tool.main(['oclip', str(ckpt), str(out)]) == 1
    err = capsys.readouterr().err
    assert 'missing keys' in err and 'decoder.layers.5.ln_2.bias' in err
    deep = tmp_path / 'deep.py'
    deep.write_text(f"_base_ = [{PAPER_CFG!r}]\nmodel = dict(text_encoder="
                    f"dict(num_layers=2), decoder=dict(num_layers=2))\n")
    assert tool.main(['oclip', str(ckpt), str(out), '--config',
                      str(deep)]) == 1
    err = capsys.readouterr().err
    assert 'shape mismatch' in err and 'stem.0.weight (from visual.conv1' \
        in err
    data = dict(torch.load(ckpt, weights_only=True))
    del data['state_dict']['text_class.bias']
    torch.save(data, ckpt)
    assert tool.main(['oclip', str(ckpt), str(out), '--config',
                      str(cfg)]) == 1
    assert 'decoder.text_class.bias' in capsys.readouterr().err


def test_unreadable_checkpoint_is_a_clear_error(tmp_path, capsys, load_tool):
    tool = load_tool('convert_official_checkpoint')
    bad = tmp_path / 'cut.pth'
    torch.save({'w': torch.zeros(1000)}, bad)
    bad.write_bytes(bad.read_bytes()[:200])  # truncated copy
    for path in (bad, tmp_path / 'missing.pth'):
        assert tool.main(['wecromcl', str(path), str(tmp_path / 'o.pth')]) == 1
        assert str(path) in capsys.readouterr().err
    assert not (tmp_path / 'o.pth').exists()
