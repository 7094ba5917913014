# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Overlay WeCromCL activation maps and anchors for each query word
(WeCromCL supp. Fig. 1). One PNG per image: one panel per query word.

Inputs, one of:

- ``--icdar-dir DIR``: an ICDAR 2015 style folder (``imgs/img_N.jpg`` and
  ``annotations/gt_img_N.txt``), e.g. ``../shared/data/icdar2015_toy``;
  the legible transcriptions are the queries;
- ``--ann-file JSON`` (+ ``--data-root``): an mmocr OCRDataset JSON;
- ``--img IMG --texts w1,w2``: one image and explicit words.

Example::

    python tools/visualize_activation.py \
        configs/wecromcl/wecromcl_resnet-tiny_bifpn-deform_2k_synth-cpu.py CKPT \
        --icdar-dir ../shared/data/icdar2015_toy --out-dir work_dirs/act_vis
"""
import argparse
import glob
import os
import os.path as osp
import re
import sys
from typing import List

import cv2


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint', help="checkpoint ('none' = random init)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument('--icdar-dir', help='folder with imgs/ + annotations/')
    src.add_argument('--ann-file', help='mmocr OCRDataset JSON')
    src.add_argument('--img', help='one image (use with --texts)')
    p.add_argument('--texts', help='comma-separated query words for --img')
    p.add_argument('--data-root', default=None)
    p.add_argument('--out-dir', required=True)
    p.add_argument('--scales', default=None, help="e.g. '1.0,2.0'")
    p.add_argument('--max-words', type=int, default=9, help='panels per image')
    p.add_argument('--max-images', type=int, default=None)
    p.add_argument('--panel-width', type=int, default=480)
    p.add_argument('--device', default='cpu')
    return p.parse_args(argv)


def read_icdar_dir(folder: str) -> List[dict]:
    """ICDAR 2015 images + ``gt_img_N.txt`` as OCRDataset entries."""
    img_dir = osp.join(folder, 'imgs') if osp.isdir(osp.join(
        folder, 'imgs')) else folder
    ann_dir = osp.join(folder, 'annotations') if osp.isdir(
        osp.join(folder, 'annotations')) else folder
    entries = []
    imgs = sorted(glob.glob(osp.join(img_dir, '*.jpg')) +
                  glob.glob(osp.join(img_dir, '*.png')),
                  key=lambda p: [
                      int(t) if t.isdigit() else t
                      for t in re.split(r'(\d+)', osp.basename(p))
                  ])
    for img in imgs:
        stem = osp.splitext(osp.basename(img))[0]
        gt = osp.join(ann_dir, f'gt_{stem}.txt')
        instances = []
        if osp.exists(gt):
            with open(gt, encoding='utf-8-sig') as f:
                for ln, line in enumerate(f, 1):
                    line = line.strip()
                    if not line:
                        continue
                    parts = line.split(',', 8)
                    if len(parts) < 9:
                        raise ValueError(f'{gt}:{ln}: expected 8 coordinates '
                                         f'and a transcription')
                    poly = [float(v) for v in parts[:8]]
                    text = parts[8]
                    instances.append(
                        dict(polygon=poly, text=text, ignore=text == '###'))
        entries.append(dict(img_path=img, instances=instances))
    if not entries:
        raise FileNotFoundError(f'no images found in {img_dir!r}')
    return entries


def main(argv=None) -> List[str]:
    args = parse_args(argv)
    import json

    from mmocr_vlp.models.wecromcl.pseudo_labels import (init_wecromcl,
                                                         iter_predictions)
    from mmocr_vlp.visualization.activation import (full_image_map, make_grid,
                                                    overlay_activation)
    if args.icdar_dir:
        entries = read_icdar_dir(args.icdar_dir)
    elif args.ann_file:
        with open(args.ann_file, encoding='utf-8') as f:
            entries = json.load(f)['data_list']
    else:
        if not args.texts:
            sys.exit('visualize_activation: --img needs --texts')
        entries = [
            dict(img_path=args.img,
                 instances=[dict(text=t) for t in args.texts.split(',')])
        ]
    if args.max_images:
        entries = entries[:args.max_images]
    scales = ([float(s)
               for s in args.scales.split(',')] if args.scales else None)
    model, cfg, pipeline = init_wecromcl(args.config,
                                         args.checkpoint,
                                         args.device,
                                         scales=scales,
                                         return_maps=True)
    os.makedirs(args.out_dir, exist_ok=True)
    written = []
    for i, sample in iter_predictions(model, pipeline,
                                      list(enumerate(entries)),
                                      args.data_root):
        if sample is None:
            print(f'skip {entries[i]["img_path"]}: cannot load')
            continue
        from mmocr_vlp.models.wecromcl.pseudo_labels import resolve_img_path
        img = cv2.imread(
            resolve_img_path(entries[i]['img_path'], args.data_root))
        maps = sample.metainfo.get('activation_maps')
        texts = sample.metainfo.get('activation_texts', [])
        stride = sample.metainfo.get('activation_stride', 8.0)
        sf = sample.metainfo.get('scale_factor', (1.0, 1.0))
        pred = sample.pred_instances
        polys = {}
        for inst in entries[i].get('instances', []):
            if inst.get('polygon') is not None:
                polys.setdefault(inst.get('text', '').lower(),
                                 []).append(inst['polygon'])
        panels = []
        H, W = img.shape[:2]
        pw = args.panel_width
        ph = max(1, int(round(H * pw / W)))
        for t, text in enumerate(texts[:args.max_words]):
            m = full_image_map(maps[t], stride, sf, (H, W))
            pts = [
                p for p, tt in zip(pred.points.tolist(), pred.texts)
                if tt.lower() == text.lower()
            ]
            panel = overlay_activation(img,
                                       m,
                                       pts,
                                       title=text,
                                       gt_polygons=polys.get(text.lower()))
            panels.append(cv2.resize(panel, (pw, ph)))
        if not panels:
            print(f'skip {entries[i]["img_path"]}: no legible query word')
            continue
        grid = make_grid(panels, ncols=3)
        name = osp.splitext(osp.basename(entries[i]['img_path']))[0]
        out = osp.join(args.out_dir, f'{name}_activation.png')
        cv2.imwrite(out, grid)
        written.append(out)
        print(f'wrote {out} ({len(panels)} words)')
    return written


if __name__ == '__main__':
    main()
