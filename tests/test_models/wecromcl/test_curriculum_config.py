# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The easy -> hard CPU curriculum: stage 2 (the hard-set config) loads
what stage 1 (the easy config, command in the hard config's header) saves,
and trains the text encoder from its first iteration, at 1/20 of the rate."""
import os.path as osp
import re

import torch
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim import build_optim_wrapper
from mmengine.runner import load_checkpoint
from mmocr.registry import MODELS

import mmocr_vlp  # noqa: F401

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
EASY = osp.join(REPO, 'configs', 'wecromcl',
                'wecromcl_resnet-tiny_bifpn-deform_3k_synth-vocab24-easy-cpu.py')
HARD = osp.join(REPO, 'configs', 'wecromcl',
                'wecromcl_resnet-tiny_bifpn-deform_2k_synth-vocab24-hard-cpu.py')


def test_stage_two_loads_the_checkpoint_stage_one_writes(tmp_path):
    with open(HARD) as f:
        header = f.read()
    work_dir = re.search(r'--work-dir (\S+)', header).group(1)
    iters = int(re.search(r'train_cfg\.max_iters=(\d+)', header).group(1))
    hard = Config.fromfile(HARD)
    assert hard.load_from == f'{work_dir}/iter_{iters}.pth'
    # Stage 1 keeps the text encoder locked for all its iterations.
    assert Config.fromfile(EASY).model.text_warmup_iters >= iters

    torch.manual_seed(0)
    easy_model = MODELS.build(Config.fromfile(EASY).model)
    ckpt = tmp_path / 'iter.pth'
    torch.save({'state_dict': easy_model.state_dict()}, ckpt)
    hard_model = MODELS.build(hard.model)
    load_checkpoint(hard_model, str(ckpt), strict=True)
    for k, v in easy_model.state_dict().items():
        assert torch.equal(hard_model.state_dict()[k], v), k

    # Every data path points at the hard set.
    root = hard.train_dataloader.dataset.data_root
    assert root.endswith('synth_vocab24_hard')
    assert hard.val_dataloader.dataset.data_root == root
    assert hard.test_dataloader.dataset.data_root == root
    neg = [t for t in hard.train_dataloader.dataset.pipeline
           if t['type'] == 'SampleNegativeTexts']
    assert neg and neg[0]['ann_file'] == root + '/train_textonly.json'


def test_stage_two_trains_the_text_encoder_from_its_first_iteration():
    cfg = Config.fromfile(HARD)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    lr_of = {id(p): g['lr'] for g in optim.optimizer.param_groups
             for p in g['params']}
    base = cfg.optim_wrapper.optimizer.lr
    text = {lr_of[id(p)] for p in model.text_encoder.parameters()}
    image = {lr_of[id(p)] for p in model.backbone.parameters()}
    assert text == {base * 0.05} and image == {base}

    model.train()
    MessageHub.get_current_instance().update_info('iter', 0)
    assert not model.text_locked()
