#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Convert a checkpoint of an official implementation to mmocr_vlp.

Examples::

    # bytedance/oclip training checkpoint (state_dict, with or without the
    # DDP 'module.' prefix) -> our OCLIP checkpoint, checked against the
    # paper config (or the config the weights were trained with)
    python tools/convert_official_checkpoint.py oclip epoch_100.pt \\
        oclip_synthtext.pth [--config configs/oclip/oclip_resnet50_100e_synthtext.py]

The output ``{'state_dict': ..., 'meta': ...}`` is accepted by ``load_from``,
``mim test`` and ``tools/export_backbone.py``. An unknown, missing or
mis-shaped key is an error that names it.
"""
import argparse
import os
import os.path as osp
import sys

import torch

import mmocr_vlp  # noqa: F401  (registers the models)
from mmocr_vlp.utils.ckpt_convert import (load_state_dict_file,
                                          official_oclip_to_ours)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

# name: converter(official_state_dict, reference=None) -> our state dict;
# ``reference`` is the target model's state dict (keys/shapes checked).
CONVERTERS = {
    'oclip': official_oclip_to_ours,
}
# name: config checked against when --config is not given.
DEFAULT_CONFIGS = {
    'oclip': 'configs/oclip/oclip_resnet50_100e_synthtext.py',
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('model', choices=sorted(CONVERTERS))
    p.add_argument('checkpoint', help='official checkpoint')
    p.add_argument('out', help='output .pth')
    p.add_argument('--config', default=None,
                   help='mmocr_vlp config whose model the weights must fit '
                   '(default: the paper config)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmocr.registry import MODELS
    convert = CONVERTERS[args.model]
    cfg_path = args.config or osp.join(ROOT, DEFAULT_CONFIGS[args.model])
    cfg = Config.fromfile(cfg_path)
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    reference = MODELS.build(cfg.model).state_dict()
    try:
        sd = convert(load_state_dict_file(args.checkpoint), reference)
    except (KeyError, ValueError) as e:
        print(f'{args.checkpoint}: {e}', file=sys.stderr)
        return 1
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(
        dict(state_dict={k: v.detach().cpu().clone() for k, v in sd.items()},
             meta=dict(source=osp.abspath(args.checkpoint),
                       converter=args.model,
                       config=cfg_path)), args.out)
    print(f'{args.out}: {len(sd)} tensors ({args.model}, checked against '
          f'{cfg_path})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
