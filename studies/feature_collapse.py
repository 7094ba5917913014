# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Have the text features of a WeCromCL / oCLIP checkpoint collapsed?

A contrastive model whose image side cannot yet read can lower Eq. 6-8
(WeCromCL) or Eq. 3-4 (oCLIP) to exactly their chance value by giving every
word the same feature: all logits become equal. Once there, no gradient
reaches the image side (every column of the similarity matrix is the same
text vector) and training stays at chance for good. This script measures it:
the mean pairwise cosine between the text features of a word list (1.0 =
collapsed), and for WeCromCL also between the images' mean pixel values and
the text features.

Usage::

    python -m studies.feature_collapse CONFIG CHECKPOINT|none \\
        --word-list mmocr_vlp/datasets/synth/assets/words_tiny.txt \\
        [--images 'data/synth_vocab24/imgs/val/*.jpg'] [--name RUN]

Appends a row to ``studies/results/feature_collapse.{json,md}``.
"""
import argparse
import glob
import json
import os
import os.path as osp

import cv2
import torch
import torch.nn.functional as F

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def mean_offdiag_cos(x: torch.Tensor) -> float:
    """Mean cosine over all pairs of different rows of ``x``."""
    x = F.normalize(x.float(), dim=-1)
    c = x @ x.t()
    n = len(x)
    return float((c.sum() - c.diagonal().sum()) / max(n * (n - 1), 1))


def text_features(model, words):
    """Per-word text features of a WeCromCL or OCLIP model."""
    if hasattr(model, 'word_key'):  # WeCromCL
        return model.encode_text([model.word_key(w) for w in words])
    tokens, _ = model.dictionary.tokenize(words)
    return model.text_encoder(torch.from_numpy(tokens))[0]


def image_stats(model, paths):
    """Mean pixel value ``W_V F_I`` of each image, through the model's own
    data preprocessor (colour order, normalisation, padding)."""
    imgs = []
    for p in paths:
        img = cv2.imread(p)
        if img is None:
            raise FileNotFoundError(f'feature_collapse: cannot read {p}')
        imgs.append(torch.from_numpy(img).permute(2, 0, 1))
    batch = model.data_preprocessor(dict(inputs=imgs), training=False)
    feat, mask = model.extract_feat(batch['inputs'])
    _, values, _ = model._pixels(feat, mask)
    return values.mean(1)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoint', help="a checkpoint, or 'none' (random)")
    p.add_argument('--word-list', required=True)
    p.add_argument('--images', default=None,
                   help='glob of images for the WeCromCL image statistics')
    p.add_argument('--max-images', type=int, default=16)
    p.add_argument('--name', default=None)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--out', default=osp.join(ROOT, 'studies', 'results',
                                             'feature_collapse'))
    args = p.parse_args()

    import mmocr_vlp  # noqa: F401
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmocr.registry import MODELS
    init_default_scope('mmocr')
    torch.manual_seed(args.seed)
    cfg = Config.fromfile(args.config)
    model = MODELS.build(cfg.model)
    model.init_weights()
    if args.checkpoint != 'none':
        load_checkpoint(model, args.checkpoint, map_location='cpu',
                        logger='silent')
    model.eval()
    with open(args.word_list) as f:
        words = [w.strip() for w in f if w.strip() and not w.startswith('#')]
    default_name = 'untrained' if args.checkpoint == 'none' else \
        osp.basename(osp.dirname(args.checkpoint))
    row = dict(name=args.name or default_name,
               config=args.config, checkpoint=args.checkpoint,
               words=len(words))
    with torch.no_grad():
        text = text_features(model, words)
        row['text_cos'] = mean_offdiag_cos(text)
        if args.images and hasattr(model, 'extract_feat'):
            paths = sorted(glob.glob(args.images))[:args.max_images]
            if not paths:
                raise FileNotFoundError(f'no image matches {args.images}')
            img = image_stats(model, paths)
            row['image_cos'] = mean_offdiag_cos(img)
            row['image_text_cos'] = float(
                (F.normalize(img, dim=-1) @ F.normalize(text, dim=-1).t()
                 ).mean())
    print(json.dumps(row))
    rows = []
    if osp.exists(args.out + '.json'):
        with open(args.out + '.json') as f:
            rows = [r for r in json.load(f) if r['name'] != row['name']]
    rows.append(row)
    os.makedirs(osp.dirname(args.out), exist_ok=True)
    with open(args.out + '.json', 'w') as f:
        json.dump(rows, f, indent=1)

    def fmt(r, k):
        return f'{r[k]:.3f}' if k in r else '-'

    lines = [
        '# Text-feature collapse (`python -m studies.feature_collapse`)',
        '', 'Mean pairwise cosine of the text features of the word list '
        '(1.000 = every word has the same feature); image rows: mean pixel '
        'value per image (eval-mode BN), pairwise and against the text '
        'features.', '',
        '| run | checkpoint | words | text cos | image cos | image-text cos |',
        '|---|---|---|---|---|---|'
    ]
    lines += [
        f'| {r["name"]} | `{r["checkpoint"]}` | {r["words"]} | '
        f'{fmt(r, "text_cos")} | {fmt(r, "image_cos")} | '
        f'{fmt(r, "image_text_cos")} |' for r in rows
    ]
    with open(args.out + '.md', 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
