# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""A batch without any word: zero loss, yet a gradient path to every
parameter (DDP without find_unused_parameters needs all of them used).
oCLIP's counterpart: tests/test_models/oclip/test_oclip.py
``test_batch_without_any_word``."""
import torch
from mmengine.structures import InstanceData
from mmocr.registry import MODELS

from test_wecromcl import make_batch, tiny_cfg


def test_wecromcl_batch_without_words_reaches_every_parameter():
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg()).train()
    inputs, samples, _ = make_batch(2)
    for s in samples:  # every word don't-care / no word at all
        s.gt_instances = InstanceData(texts=[], ignored=torch.zeros(
            0, dtype=torch.bool))
    losses = model.loss(inputs, samples)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert total.item() == 0
    total.backward()
    no_grad = [n for n, p in model.named_parameters()
               if p.requires_grad and p.grad is None]
    assert no_grad == []
