#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Regenerate ``official_tiny.npz``: outputs of the official WeCromCL code.

Runs the official model (a checkout of github ZhengyaoFang/WeCromCL, given
by ``--official``; nothing of it is copied here) on CPU on a tiny
configuration: ResNet-18, 1 deformable layer, 1 text layer (widths 512/256/
192 are hard-coded there), two 64x64 inputs (no padding), eval mode, weights
from ``parity.py``. CPU adaptations, all at run time:
``studies/official_wecromcl.py``.

Usage::

    python tests/data/wecromcl_parity/regenerate.py \
        --official /path/to/WeCromCL \
        --out tests/data/wecromcl_parity/official_tiny.npz
"""
import argparse
import importlib.util
import json
import os.path as osp
import sys
import types

import numpy as np
import torch

HERE = osp.dirname(osp.abspath(__file__))
sys.path.insert(0, osp.abspath(osp.join(HERE, '..', '..', '..')))
from studies.official_wecromcl import (load_official, no_cuda,  # noqa: E402
                                       official_cfgs)

SEED = 0
POS_TEXTS = ['Hello', 'w0rld!']
NEG_TEXTS = [['Cat', 'dog 7', 'a-b'], ['tree', 'HELLO', "it's"]]


def tiny_cfgs(n_neg):
    """ResNet-18, 1 deformable layer, 1 text layer."""
    return official_cfgs(backbone='resnet18', text_layers=1,
                         deformable_layers=1, false_label_num=n_neg)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--official', required=True)
    p.add_argument('--out', default=osp.join(HERE, 'official_tiny.npz'))
    args = p.parse_args()
    spec = importlib.util.spec_from_file_location(
        'parity', osp.join(HERE, 'parity.py'))
    sw = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sw)

    official = load_official(args.official)
    WeCromCL, ContrastiveLoss, converter = (
        official.WeCromCL, official.ContrastiveLoss, official.converter)
    n_neg = len(NEG_TEXTS[0])
    torch.manual_seed(SEED)
    net = WeCromCL(tiny_cfgs(n_neg))
    layout = [(k, list(v.shape), str(v.dtype))
              for k, v in net.state_dict().items()]
    net.load_state_dict(sw.synthetic_state_dict(layout, SEED))
    net.eval()

    g = torch.Generator().manual_seed(SEED)
    images = torch.randn((2, 3, 64, 64), generator=g)
    pos_tokens = torch.tensor([converter.encode(t)[0] for t in POS_TEXTS])
    neg_tokens = torch.tensor(
        [converter.encode(t)[0] for ts in NEG_TEXTS for t in ts])
    with torch.no_grad():
        feat = net.channel_to_512(net.encode_image(images))
        text_pos = net.encode_text(pos_tokens)
        text_neg = net.encode_text(neg_tokens)
        agg = net(images, types.SimpleNamespace(tensor=text_pos), text_neg)
        maps = []
        for b in range(2):
            q = torch.cat([text_pos, text_neg[b * n_neg:(b + 1) * n_neg]])
            maps.append(net.attn_pool(q.unsqueeze(1), feat[b:b + 1])[1][0])
        maps = torch.stack(maps)  # (B, T, h*w)
        texts = [torch.cat([text_pos, text_neg[b * n_neg:(b + 1) * n_neg]])
                 for b in range(2)]
        sims = torch.stack([
            torch.cosine_similarity(agg[b], texts[b], dim=-1)
            for b in range(2)
        ])
        with no_cuda():
            losses, _ = ContrastiveLoss()(net, agg,
                                          types.SimpleNamespace(
                                              tensor=text_pos), text_neg)
    np.savez_compressed(
        args.out,
        layout=np.array(json.dumps(layout)),
        seed=np.array(SEED),
        pos_texts=np.array(json.dumps(POS_TEXTS)),
        neg_texts=np.array(json.dumps(NEG_TEXTS)),
        images=images.numpy(),
        feature=feat.numpy(),
        text_pos=text_pos.numpy(),
        text_neg=text_neg.numpy(),
        maps=maps.numpy(),
        sims=sims.numpy(),
        loss=np.array(float(losses[0])))
    print(f'{args.out}: loss {float(losses[0]):.6f}, feature '
          f'{tuple(feat.shape)}, maps {tuple(maps.shape)}')


if __name__ == '__main__':
    main()
