# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Deterministic weights for an official-layout WeCromCL state dict.

The parity fixture stores numbers only: the official key names and shapes,
the inputs and the official outputs. Both the fixture generator and the
parity test fill the official state dict with this rule, so no checkpoint
(tens of MB even for the tiny model) needs to be stored.
"""
import math
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
