#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Draw oCLIP attention maps (paper Fig. 3 and Fig. 4) as PNGs.

For an image and its words: the attention of the image encoder's pooling
layer (global token over the spatial tokens, Fig. 3) and, for every word
with one character masked, the visual-textual decoder's attention and the
predicted character (Fig. 4).

Examples::

    python tools/visualize_attention.py \
        --config configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py \
        --checkpoint work_dirs/oclip_resnet-tiny_4e_synth-cpu/epoch_4.pth \
        --img data/synth/imgs/train/000001.jpg --words "hello,world" \
        --out work_dirs/attn
    # every image of an ICDAR-format folder, words from its gt_*.txt:
    python tools/visualize_attention.py --config ... --checkpoint ... \
        --icdar-dir ../shared/data/icdar2015_toy --out work_dirs/attn_ic15
"""
import argparse
import glob
import os
import os.path as osp
import sys
from typing import List, Optional

import cv2
import numpy as np
import torch


def read_icdar_words(path: str) -> List[str]:
    """Transcriptions of an ICDAR 2015 ``gt_*.txt`` (``###`` skipped)."""
    words = []
    with open(path, encoding='utf-8-sig') as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            parts = line.split(',')
            if len(parts) < 9:
                raise ValueError(f'{path}:{lineno}: expected 8 coordinates '
                                 f'and a transcription, got {line!r}')
            text = ','.join(parts[8:])
            if text != '###':
                words.append(text)
    return words


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='oCLIP attention maps')
    p.add_argument('--config', required=True)
    p.add_argument('--checkpoint', default=None,
                   help='OCLIP checkpoint (random weights if omitted)')
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument('--img', help='one image')
    src.add_argument('--icdar-dir', help='folder with imgs/ and '
                     'annotations/gt_<name>.txt (ICDAR 2015 layout)')
    p.add_argument('--words', default=None,
                   help='comma-separated words of --img')
    p.add_argument('--icdar-gt', default=None,
                   help='ICDAR gt txt giving the words of --img')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--max-words', type=int, default=6)
    p.add_argument('--max-images', type=int, default=None)
    p.add_argument('--seed', type=int, default=0,
                   help='seed of the masked-character positions')
    return p.parse_args(argv)


def build_model(config: str, checkpoint: Optional[str]):
    from mmengine.config import Config
    from mmengine.runner import load_checkpoint

    import mmocr_vlp  # noqa: F401
    from mmocr.registry import MODELS
    from mmengine.registry import init_default_scope
    cfg = Config.fromfile(config)
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    model_cfg = cfg.model
    model_cfg['test_cfg'] = dict(return_attn=True)
    model = MODELS.build(model_cfg)
    model.init_weights()
    if checkpoint:
        load_checkpoint(model, checkpoint, map_location='cpu')
    else:
        print('warning: no --checkpoint, using random weights')
    model.eval()
    size = int(cfg.get('img_size', 512))
    return model, size


def make_sample(model, words: List[str], rng: np.random.Generator):
    from mmengine.structures import InstanceData
    from mmocr.structures import TextSpottingDataSample
    d = model.dictionary
    tokens, keep = d.tokenize(words)
    words = [words[i] for i in keep]
    masked = tokens.copy()
    labels = np.zeros(len(words), np.int64)
    for k in range(len(words)):
        cand = np.flatnonzero((tokens[k] > 0) & (tokens[k] != d.eos_idx))
        pos = int(rng.choice(cand))
        labels[k] = tokens[k, pos]
        masked[k, pos] = d.mask_idx
    ds = TextSpottingDataSample()
    inst = InstanceData()
    inst.texts = words
    inst.tokens = torch.from_numpy(tokens)
    inst.masked_tokens = torch.from_numpy(masked)
    inst.mask_labels = torch.from_numpy(labels)
    ds.gt_instances = inst
    return ds, words, masked, labels


def visualize(model, size: int, img_path: str, words: List[str], out: str,
              max_words: int, rng: np.random.Generator) -> List[str]:
    """Write ``<stem>_pool_attn.png`` and ``<stem>_decoder_attn.png``."""
    from mmocr_vlp.visualization.attention import (draw_decoder_attention,
                                                   draw_pool_attention)
    img = cv2.imread(img_path, cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(f'cannot read image {img_path}')
    words = [w for w in words if w.strip()][:max_words]
    if not words:
        raise ValueError(f'{img_path}: no words to visualise')
    resized = cv2.resize(img, (size, size), interpolation=cv2.INTER_LINEAR)
    ds, words, masked, labels = make_sample(model, words, rng)
    if not words:
        raise ValueError(f'{img_path}: no word survives the dictionary')
    ds.set_metainfo(dict(img_path=img_path, img_shape=(size, size),
                         ori_shape=img.shape[:2], pad_shape=(size, size)))
    data = dict(
        inputs=[torch.from_numpy(resized.transpose(2, 0, 1).copy())],
        data_samples=[ds])
    with torch.no_grad():
        data = model.data_preprocessor(data, training=False)
        res = model.predict(data['inputs'], data['data_samples'])[0]
    d = model.dictionary
    masked_words = [
        ''.join('[M]' if int(t) == d.mask_idx else d.decode([int(t)])
                for t in row if int(t) not in (0, d.eos_idx))
        for row in masked
    ]
    gt_chars = [d.decode([int(c)]) for c in labels]
    shown = cv2.resize(img, (size, size))
    stem = osp.splitext(osp.basename(img_path))[0]
    os.makedirs(out, exist_ok=True)
    f3 = osp.join(out, f'{stem}_pool_attn.png')
    f4 = osp.join(out, f'{stem}_decoder_attn.png')
    cv2.imwrite(f3, draw_pool_attention(shown, res.pool_attn))
    cv2.imwrite(
        f4,
        draw_decoder_attention(shown, res.pred_instances.decoder_attn,
                               masked_words,
                               res.pred_instances.mask_pred_chars, gt_chars))
    return [f3, f4]


def main(argv=None) -> int:
    args = parse_args(argv)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    model, size = build_model(args.config, args.checkpoint)
    jobs = []
    if args.img:
        if args.words:
            words = [w for w in args.words.split(',')]
        elif args.icdar_gt:
            words = read_icdar_words(args.icdar_gt)
        else:
            raise SystemExit('--img needs --words or --icdar-gt')
        jobs.append((args.img, words))
    else:
        imgs = sorted(glob.glob(osp.join(args.icdar_dir, 'imgs', '*')))
        if not imgs:
            raise SystemExit(f'no images under {args.icdar_dir}/imgs')
        for img in imgs[:args.max_images]:
            stem = osp.splitext(osp.basename(img))[0]
            gt = osp.join(args.icdar_dir, 'annotations', f'gt_{stem}.txt')
            if not osp.exists(gt):
                print(f'skip {img}: no {gt}')
                continue
            jobs.append((img, read_icdar_words(gt)))
    for img, words in jobs:
        try:
            files = visualize(model, size, img, words, args.out,
                              args.max_words, rng)
        except ValueError as e:
            print(f'skip: {e}')
            continue
        print('\n'.join(files))
    return 0


if __name__ == '__main__':
    sys.exit(main())
