# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""How long does a CNN trained from scratch on this machine take to *read*?

The weakly supervised objectives of this package (oCLIP's contrastive term,
WeCromCL's atomistic loss, SRSTS-A's CTC recogniser) only start to localise
or transcribe once the image encoder can tell words apart. This probe
measures that prerequisite with the strongest possible signal: a plain
7-layer CNN is trained, fully supervised, to say *which vocabulary words are
in an image* (multi-label BCE, the image-level labels WeCromCL gets for
free), on a synthetic set rendered by ``tools/render_synth.py`` with a word
list. Reported per epoch: train loss and precision@n (the image's ``n`` top
scoring words vs its ``n`` true words) on the held-out test split, next to
chance (``mean n / vocabulary size``).

If this supervised probe is still at chance after ``E`` epochs, a weakly
supervised model of the same size cannot be expected to localise within the
same budget either (docs/wecromcl.md, "Localising on CPU").

Usage::

    OMP_NUM_THREADS=1 python -m studies.reading_probe \
        --data-root data/synth_vocab24 \
        --word-list mmocr_vlp/datasets/synth/assets/words_tiny.txt --epochs 12

Writes ``studies/results/reading_probe.{json,md}`` (rows are appended
per data set, keyed by ``--data-root``).
"""
import argparse
import json
import os
import os.path as osp
import time

import cv2
import numpy as np
import torch
from torch import nn

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def load_split(data_root: str, ann: str, vocab: dict, size: int):
    """Images ``(N, 3, size, size)`` (normalised later) and labels."""
    with open(osp.join(data_root, ann)) as f:
        data_list = json.load(f)['data_list']
    xs = np.zeros((len(data_list), size, size, 3), np.float32)
    ys = torch.zeros(len(data_list), len(vocab))
    for i, entry in enumerate(data_list):
        path = osp.join(data_root, entry['img_path'])
        img = cv2.imread(path)
        if img is None:
            raise FileNotFoundError(f'reading_probe: cannot read {path}')
        xs[i] = cv2.resize(img, (size, size))
        for inst in entry['instances']:
            word = inst['text'].lower()
            if word not in vocab:
                raise ValueError(f'reading_probe: {ann} image {i}: word '
                                 f'{inst["text"]!r} is not in the word list')
            ys[i, vocab[word]] = 1
    return xs, ys


def make_net(num_words: int, width: int = 32) -> nn.Module:
    """7 conv-BN-ReLU layers (4 stride-2), global max pool, linear."""

    def block(cin, cout, stride):
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride, 1, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU(inplace=True))

    w = width
    return nn.Sequential(
        block(3, w, 2), block(w, w, 1), block(w, 2 * w, 2),
        block(2 * w, 2 * w, 1), block(2 * w, 4 * w, 2),
        block(4 * w, 4 * w, 1), block(4 * w, 4 * w, 2),
        nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(4 * w, num_words))


def make_resnet(num_words: int, width: int = 32,
                init: str = 'mmdet') -> nn.Module:
    """mmdet's ResNet-18 (``base_channels=width``), global average pool,
    linear: the backbone family of the WeCromCL CPU configs. ``init``:
    ``'mmdet'`` = its ``init_weights()`` (Kaiming fan-out, last BN of every
    block zeroed), ``'torch'`` = PyTorch's default layer init."""
    from mmdet.models.backbones import ResNet
    backbone = ResNet(depth=18, base_channels=width, out_indices=(3, ),
                      norm_eval=False)
    if init == 'mmdet':
        backbone.init_weights()

    class Net(nn.Module):

        def __init__(self):
            super().__init__()
            self.backbone = backbone
            self.fc = nn.Linear(width * 8, num_words)

        def forward(self, x):
            return self.fc(self.backbone(x)[0].mean((2, 3)))

    return Net()


def precision_at_n(logits: torch.Tensor, labels: torch.Tensor) -> float:
    hits = total = 0
    for lo, y in zip(logits, labels):
        n = int(y.sum())
        if n == 0:
            continue
        hits += int(y[lo.topk(n).indices].sum())
        total += n
    return hits / max(total, 1)


def write_tables(store: dict, out: str) -> None:
    """Write ``store`` (row key -> result) as ``out``.json and ``out``.md."""
    os.makedirs(osp.dirname(out), exist_ok=True)
    with open(out + '.json', 'w') as f:
        json.dump(store, f, indent=1)
    lines = [
        '# Reading probe: supervised word-presence CNN trained from scratch',
        '', 'Command: `OMP_NUM_THREADS=1 python -m studies.reading_probe '
        '--data-root <set> --word-list <list> --epochs <E> [--arch resnet18 '
        '--loss ce --name <row>]`. Test P@n: the '
        "image's n top-scoring words against its n true words (held-out "
        'test split).', ''
    ]
    for key, r in store.items():
        lines += [
            f'## {key} ({r["data_root"]}: {r["vocabulary"]} words, '
            f'{r["train_images"]} train images at {r["size"]} px; '
            f'{r.get("arch", "plain")} width {r.get("width", 32)}, '
            f'{r.get("init", "torch")} init, '
            f'{r.get("loss", "bce")} loss, batch {r["batch_size"]}, '
            f'{r["threads"]} thread(s)); chance P@n = '
            f'{r["chance"]:.3f}', '',
            '| epoch | iters | train loss | test P@n | seconds |',
            '|---|---|---|---|---|'
        ]
        lines += [
            f'| {e["epoch"]} | {e["iters"]} | {e["train_loss"]:.3f} | '
            f'{e["test_precision"]:.3f} | {e["seconds"]:.0f} |'
            for e in r['epochs']
        ]
        lines.append('')
    with open(out + '.md', 'w') as f:
        f.write('\n'.join(lines))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data-root', required=True)
    p.add_argument('--word-list', required=True)
    p.add_argument('--epochs', type=int, default=12)
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--size', type=int, default=160)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--arch', choices=('plain', 'resnet18'), default='plain',
                   help='plain: 7-layer CNN with max pooling; resnet18: '
                   "mmdet's ResNet-18 with average pooling")
    p.add_argument('--width', type=int, default=32,
                   help='base width (resnet18: base_channels)')
    p.add_argument('--init', choices=('mmdet', 'torch'), default='mmdet',
                   help='resnet18 initialisation (see make_resnet)')
    p.add_argument('--loss', choices=('bce', 'ce'), default='bce',
                   help='bce: multi-label word presence; ce: 24-way '
                   'cross-entropy, needs exactly one word per image')
    p.add_argument('--name', default=None,
                   help='row key in the results (default: --data-root)')
    p.add_argument('--out', default=osp.join(ROOT, 'studies', 'results',
                                             'reading_probe'))
    args = p.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '1')))
    with open(args.word_list) as f:
        words = [w.strip().lower() for w in f
                 if w.strip() and not w.startswith('#')]
    vocab = {w: i for i, w in enumerate(dict.fromkeys(words))}
    xtr, ytr = load_split(args.data_root, 'train_textonly.json', vocab,
                          args.size)
    xte, yte = load_split(args.data_root, 'test_full.json', vocab,
                          args.size)
    mean, std = xtr.mean((0, 1, 2)), xtr.std((0, 1, 2))
    xtr = torch.from_numpy((xtr - mean) / std).permute(0, 3, 1, 2)
    xte = torch.from_numpy((xte - mean) / std).permute(0, 3, 1, 2)
    chance = float((yte.sum(1) / len(vocab)).mean())
    if args.loss == 'ce':
        for split, y in (('train_textonly.json', ytr), ('test_full.json',
                                                          yte)):
            bad = (y.sum(1) != 1).nonzero().flatten().tolist()
            if bad:
                raise SystemExit(
                    f'reading_probe: --loss ce needs one word per image; '
                    f'{args.data_root}/{split} images {bad[:5]} have '
                    f'{[int(y[i].sum()) for i in bad[:5]]} words')
    net = (make_net(len(vocab), args.width) if args.arch == 'plain' else
           make_resnet(len(vocab), args.width, args.init))
    opt = torch.optim.Adam(net.parameters(), args.lr)
    rows = []
    t0 = time.time()
    n_iter = 0
    for ep in range(1, args.epochs + 1):
        net.train()
        perm = torch.randperm(len(xtr))
        losses = []
        for j in range(0, len(xtr), args.batch_size):
            b = perm[j:j + args.batch_size]
            logits = net(xtr[b])
            if args.loss == 'ce':
                loss = nn.functional.cross_entropy(logits, ytr[b].argmax(1))
            else:
                loss = nn.functional.binary_cross_entropy_with_logits(
                    logits, ytr[b], reduction='sum') / len(b)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            n_iter += 1
        net.eval()
        with torch.no_grad():
            test_logits = torch.cat(
                [net(xte[j:j + 64]) for j in range(0, len(xte), 64)])
        row = dict(epoch=ep, iters=n_iter, train_loss=float(np.mean(losses)),
                   test_precision=precision_at_n(test_logits, yte),
                   seconds=time.time() - t0)
        rows.append(row)
        print(f'[probe] epoch {ep}/{args.epochs} iters {n_iter} loss '
              f'{row["train_loss"]:.3f} test P@n {row["test_precision"]:.3f}'
              f' (chance {chance:.3f}) {row["seconds"]:.0f}s'
              f' eta {row["seconds"] / ep * (args.epochs - ep):.0f}s',
              flush=True)
    result = dict(data_root=args.data_root, word_list=args.word_list,
                  arch=args.arch, width=args.width, loss=args.loss,
                  init=args.init if args.arch == 'resnet18' else 'torch',
                  vocabulary=len(vocab), train_images=len(xtr),
                  test_images=len(xte), size=args.size,
                  batch_size=args.batch_size, lr=args.lr, chance=chance,
                  threads=torch.get_num_threads(), epochs=rows)
    store = {}
    if osp.exists(args.out + '.json'):
        with open(args.out + '.json') as f:
            store = json.load(f)
    store[args.name or args.data_root] = result
    write_tables(store, args.out)
    print(f'wrote {args.out}.json / .md')


if __name__ == '__main__':
    main()
