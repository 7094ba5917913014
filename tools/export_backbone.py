#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Export the image-encoder trunk of an oCLIP checkpoint for mmocr.

Examples::

    # our OCLIP training checkpoint -> mmocr CLIPResNet backbone
    python tools/export_backbone.py work_dirs/oclip/epoch_100.pth \
        work_dirs/oclip/backbone_clipresnet.pth
    # an official bytedance/oclip checkpoint -> mmocr CLIPResNet
    python tools/export_backbone.py RN50_synthtext.pt backbone.pth
    # mmocr layout -> official oCLIP layout
    python tools/export_backbone.py backbone.pth visual.pth --format official

The output is ``{'state_dict': {...tensors...}, 'meta': {...}}``; load it in
a detector with ``model.backbone.init_cfg = dict(type='Pretrained',
checkpoint=...)`` (see ``configs/textdet/*/``).
"""
import argparse
import sys

import mmocr_vlp  # noqa: F401  (registers; checkpoint allow-list)
from mmocr_vlp.utils.ckpt_convert import (detect_layout, load_state_dict_file,
                                          save_backbone)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('checkpoint', help='input checkpoint (OCLIP training '
                   'checkpoint, official oCLIP, or mmocr CLIPResNet)')
    p.add_argument('out', help='output .pth')
    p.add_argument('--format', choices=['mmocr', 'official'],
                   default='mmocr', help='output key layout')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    sd = load_state_dict_file(args.checkpoint)
    layout = detect_layout(sd)
    out = save_backbone(sd, args.out, fmt=args.format,
                        source=f'{args.checkpoint} ({layout} layout)')
    print(f'{args.checkpoint} ({layout} layout) -> {args.out}: '
          f'{len(out)} tensors in {args.format} layout')
    return 0


if __name__ == '__main__':
    sys.exit(main())
