#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Convert a checkpoint of an official implementation to mmocr_vlp.

Examples::

    # bytedance/oclip training checkpoint (state_dict, with or without the
    # DDP 'module.' prefix) -> our OCLIP checkpoint, checked against the
    # paper config (or the config the weights were trained with)
    python tools/convert_official_checkpoint.py oclip epoch_100.pt \\
        oclip_synthtext.pth [--config configs/oclip/oclip_resnet50_100e_synthtext.py]
    # official WeCromCL (ZhengyaoFang/WeCromCL) -> the paper configs
    python tools/convert_official_checkpoint.py wecromcl wecromcl.pth \\
        work_dirs/wecromcl_official.pth
    # then label a user's images with it
    python tools/generate_pseudo_labels.py \\
        configs/wecromcl/wecromcl_resnet50_bifpn-deform_200k_synthtext.py \\
        work_dirs/wecromcl_official.pth ...

The output ``{'state_dict': ..., 'meta': ...}`` is accepted by ``load_from``,
``mim test``, ``tools/export_backbone.py`` (oCLIP) and
``tools/generate_pseudo_labels.py`` (WeCromCL). An unknown, missing or
mis-shaped key is an error that names it.
"""
import argparse
import os
import os.path as osp
import sys
from typing import Dict, Optional

import torch
from mmengine.config import Config
from torch import Tensor

import mmocr_vlp  # noqa: F401  (registers; checkpoint allow-list)
from mmocr_vlp.models.wecromcl.official_checkpoint import \
    convert_official_wecromcl
from mmocr_vlp.utils.ckpt_convert import (load_state_dict_file,
                                          official_oclip_to_ours)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _oclip(sd: dict, cfg: Config) -> Dict[str, Tensor]:
    """oCLIP: keys and shapes checked against the config's model."""
    from mmengine.registry import init_default_scope
    from mmocr.registry import MODELS
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    return official_oclip_to_ours(sd, MODELS.build(cfg.model).state_dict())


def _wecromcl(sd: dict, cfg: Optional[Config]) -> Dict[str, Tensor]:
    """WeCromCL: character rows reordered to the config's dictionary (the
    paper dictionary without ``--config``)."""
    return convert_official_wecromcl(
        sd, cfg.model.get('dictionary') if cfg is not None else None)


#: name -> converter(official state dict, config or None) -> our state dict.
CONVERTERS = {'oclip': _oclip, 'wecromcl': _wecromcl}
#: name -> config used when --config is not given (None: no config needed).
DEFAULT_CONFIGS = {
    'oclip': 'configs/oclip/oclip_resnet50_100e_synthtext.py',
    'wecromcl': None,
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('model', choices=sorted(CONVERTERS),
                   help='which official implementation wrote the checkpoint')
    p.add_argument('checkpoint', help='the official checkpoint')
    p.add_argument('out', help='output .pth')
    p.add_argument('--config', default=None,
                   help='mmocr_vlp config whose model the weights must fit '
                   '(default: the paper config)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg_path = args.config
    if cfg_path is None and DEFAULT_CONFIGS[args.model] is not None:
        cfg_path = osp.join(ROOT, DEFAULT_CONFIGS[args.model])
    cfg = Config.fromfile(cfg_path) if cfg_path else None
    try:
        official = load_state_dict_file(args.checkpoint)
    except (OSError, RuntimeError) as e:  # missing, truncated, not torch
        print(f'convert_official_checkpoint: {e}', file=sys.stderr)
        return 1
    try:
        sd = CONVERTERS[args.model](official, cfg)
    except (KeyError, ValueError) as e:
        print(f'{args.checkpoint}: {e}', file=sys.stderr)
        return 1
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(
        dict(state_dict={k: v.detach().cpu().clone() for k, v in sd.items()},
             meta=dict(source=osp.abspath(args.checkpoint),
                       converter=args.model,
                       config=cfg_path)), args.out)
    print(f'{args.out}: {len(sd)} tensors ({args.model}' +
          (f', checked against {cfg_path})' if cfg_path else ')'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
