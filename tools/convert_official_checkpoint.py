#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Convert a checkpoint of an official implementation to mmocr_vlp.

Examples::

    # official WeCromCL (ZhengyaoFang/WeCromCL) -> the paper configs
    python tools/convert_official_checkpoint.py wecromcl wecromcl.pth \
        work_dirs/wecromcl_official.pth
    # then label a user's images with it
    python tools/generate_pseudo_labels.py \
        configs/wecromcl/wecromcl_resnet50_bifpn-deform_200k_synthtext.py \
        work_dirs/wecromcl_official.pth ...

The output is ``{'state_dict': {...}, 'meta': {...}}``, loadable by
``load_from`` / ``tools/test.py`` / ``tools/generate_pseudo_labels.py``.
Unknown or missing keys stop the conversion with their names.
"""
import argparse
import os
import sys

import torch

import mmocr_vlp  # noqa: F401  (registers; checkpoint allow-list)
from mmocr_vlp.models.wecromcl.official_checkpoint import \
    convert_official_wecromcl
from mmocr_vlp.utils.ckpt_convert import load_state_dict_file

#: name -> converter(state_dict) -> our state dict.
CONVERTERS = {
    'wecromcl': convert_official_wecromcl,
}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('model', choices=sorted(CONVERTERS),
                   help='which official implementation wrote the checkpoint')
    p.add_argument('checkpoint', help='the official checkpoint')
    p.add_argument('out', help='output .pth')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    sd = load_state_dict_file(args.checkpoint)
    try:
        out = CONVERTERS[args.model](sd)
    except (KeyError, ValueError) as e:
        print(f'{args.checkpoint}: {e}', file=sys.stderr)
        return 1
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(
        dict(state_dict=out,
             meta=dict(converted_from=args.model,
                       source=os.path.basename(args.checkpoint))), args.out)
    print(f'{args.out}: {len(out)} tensors ({args.model})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
