# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Shared by the WeCromCL parity fixture's generator and its tests.

The fixture stores numbers only: the official key names and shapes, the
inputs and the official outputs. Both the generator and the tests fill the
official state dict with :func:`synthetic_state_dict`, so no checkpoint
(tens of MB even for the tiny model) needs to be stored.
"""
import copy
import json
import math
import os
from collections import OrderedDict
from typing import Dict, List, Sequence, Tuple

import torch


def synthetic_state_dict(spec: Sequence[Tuple[str, List[int], str]],
                         seed: int) -> Dict[str, torch.Tensor]:
    """Fill ``(key, shape, dtype)`` entries, in order, from one generator.

    Matrices ``N(0, fan_in^-1)``; 1-D weights ``1 + N(0, 0.01)``, biases and
    running means ``N(0, 0.01)``, running variances ``U(0.5, 1.5)``,
    BiFPN fusion weights ``U(0.5, 1.5)``, the logit scale ``ln(1/0.07)``,
    integer buffers 0.
    """
    g = torch.Generator().manual_seed(int(seed))
    out = OrderedDict()
    for key, shape, dtype in spec:
        shape = tuple(int(s) for s in shape)
        if not dtype.startswith('torch.float'):
            out[key] = torch.zeros(shape, dtype=getattr(torch,
                                                        dtype.split('.')[1]))
            continue
        name = key.rsplit('.', 1)[-1]
        if key == 'logit_scale':
            t = torch.tensor(math.log(1 / 0.07))
        elif name == 'running_var' or name.startswith('w_'):
            t = 0.5 + torch.rand(shape, generator=g)
        elif len(shape) >= 2:
            fan_in = math.prod(shape[1:])
            t = torch.randn(shape, generator=g) * fan_in**-0.5
        elif name == 'weight':
            t = 1 + 0.1 * torch.randn(shape, generator=g)
        else:
            t = 0.1 * torch.randn(shape, generator=g)
        out[key] = t.float()
    return out


HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))


def load_fixture() -> dict:
    """The fixture's arrays, JSON fields decoded."""
    import numpy as np
    z = np.load(os.path.join(HERE, 'official_tiny.npz'))
    out = {k: z[k] for k in z.files}
    for k in ('layout', 'pos_texts', 'neg_texts'):
        out[k] = json.loads(str(out[k]))
    return out


def official_state_dict(fixture: dict) -> Dict[str, torch.Tensor]:
    """The official-layout state dict the fixture was computed with."""
    return synthetic_state_dict(fixture['layout'], int(fixture['seed']))


def tiny_paper_model_cfg() -> dict:
    """The paper config's model at the fixture's size (ResNet-18, 1
    deformable layer, 1 text layer)."""
    from mmengine.config import Config
    cfg = Config.fromfile(
        os.path.join(REPO, 'configs', 'wecromcl',
                     '_base_wecromcl_resnet50_bifpn-deform.py'))
    cfg = copy.deepcopy(cfg.model.to_dict())
    cfg['backbone'].update(depth=18, init_cfg=None)
    cfg['neck'][0]['in_channels'] = [64, 128, 256, 512]
    cfg['encoder']['num_layers'] = 1
    cfg['text_encoder']['num_layers'] = 1
    return cfg
