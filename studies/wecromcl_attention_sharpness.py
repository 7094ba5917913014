# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Does WeCromCL's activation map collapse onto a few pixels before the
image side can read? Dot-product vs cosine similarity in Eq. 4.

Trains a WeCromCL config with its own loss (WeCromCL Eq. 6-8) on a
synthetic set in a plain loop (images preloaded, text encoder fixed, AdamW,
no augmentation) and logs, every ``--log-every`` iterations, the loss, the
image-to-text accuracy of Eq. 7 and two diagnostics of the maps of the
current batch:

- ``max_mass``: mean over (image, word) of the largest pixel mass of the
  activation map (1/P for a uniform map, 1 for one pixel);
- ``mean_dir``: length of the mean of the L2-normalised aggregated features
  ``F^c`` (1 = every image/word pair gives the same direction).

Usage::

    OMP_NUM_THREADS=1 python -m studies.wecromcl_attention_sharpness \
        --sim dot --iters 500
    OMP_NUM_THREADS=1 python -m studies.wecromcl_attention_sharpness \
        --sim cosine --iters 500

Writes ``studies/results/wecromcl_attention_sharpness.{json,md}`` (one
row group per ``--name``, default ``<data>-<sim>``).
"""
import argparse
import json
import os
import os.path as osp
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CFG = 'configs/wecromcl/wecromcl_resnet-tiny_bifpn-deform_3k_synth-vocab24-easy-cpu.py'
WORDS = 'mmocr_vlp/datasets/synth/assets/words_tiny.txt'


def write_tables(store: dict, out: str) -> None:
    """Write ``store`` (row key -> result) as ``out``.json and ``out``.md."""
    os.makedirs(osp.dirname(out), exist_ok=True)
    with open(out + '.json', 'w') as f:
        json.dump(store, f, indent=1)
    lines = [
        '# WeCromCL activation-map sharpness: dot vs cosine (Eq. 4)', '',
        'Command: `OMP_NUM_THREADS=1 python studies/'
        'wecromcl_attention_sharpness.py --sim dot|cosine --iters <N> '
        '[--data-root <set>]`. Plain loop, text encoder fixed, AdamW, no '
        'augmentation. `max mass`: largest pixel mass of a map (uniform = '
        '1/pixels); `mean dir`: length of the mean normalised aggregated '
        'feature (1 = all identical); chance `acc i2t` ~ 1 / (words in the '
        'row).', ''
    ]
    for key, r in store.items():
        lines += [
            f'## {key} ({r["data_root"]}, sim={r["sim"]}, batch '
            f'{r["batch_size"]}, N_aug {r["n_aug"]}, {r["pixels"]} pixels, '
            f'uniform mass {1 / r["pixels"]:.4f})', '',
            '| iter | loss | acc i2t | max mass | mean dir | seconds |',
            '|---|---|---|---|---|---|'
        ]
        lines += [
            f'| {x["iter"]} | {x["loss"]:.3f} | {x["acc_i2t"]:.3f} | '
            f'{x["max_mass"]:.3f} | {x["mean_dir"]:.3f} | '
            f'{x["seconds"]:.0f} |' for x in r['rows']
        ]
        lines.append('')
    with open(out + '.md', 'w') as f:
        f.write('\n'.join(lines))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default=CFG)
    p.add_argument('--data-root', default='data/synth_vocab24_easy')
    p.add_argument('--word-list', default=WORDS)
    p.add_argument('--sim', choices=('dot', 'cosine'), required=True)
    p.add_argument('--iters', type=int, default=500)
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--n-aug', type=int, default=8)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--log-every', type=int, default=50)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--name', default=None)
    p.add_argument('--out', default=osp.join(ROOT, 'studies', 'results',
                                             'wecromcl_attention_sharpness'))
    args = p.parse_args()
    os.chdir(ROOT)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '1')))

    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.structures import InstanceData
    from mmocr.registry import MODELS
    from mmocr.structures import TextDetDataSample

    import mmocr_vlp  # noqa: F401
    from reading_probe import load_split
    init_default_scope('mmocr')

    with open(args.word_list) as f:
        words = [w.strip().lower() for w in f
                 if w.strip() and not w.startswith('#')]
    vocab = {w: i for i, w in enumerate(dict.fromkeys(words))}
    names = list(vocab)
    cfg = Config.fromfile(args.config)
    size = int(cfg.get('img_size', 160))
    xs, ys = load_split(args.data_root, 'train_textonly.json', vocab, size)
    pre = cfg.model.data_preprocessor
    mean = np.array(pre['mean'], np.float32)
    std = np.array(pre['std'], np.float32)
    xs = torch.from_numpy(((xs[..., ::-1] - mean) / std).copy()).permute(
        0, 3, 1, 2).contiguous()

    cfg.model.head = dict(cfg.model.head, sim=args.sim)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    params = [
        p for n, p in model.named_parameters()
        if not n.startswith('text_encoder')
    ]
    opt = torch.optim.AdamW(params, args.lr, weight_decay=1e-4)

    captured = {}

    def capture(module, inputs, out):
        # The positive words' call of the head comes first in a step.
        maps, agg = out
        captured.setdefault('maps', maps.detach())
        captured.setdefault('agg', agg.detach())

    model.head.register_forward_hook(capture)

    def samples_of(idx):
        out = []
        for i in idx:
            s = TextDetDataSample(metainfo=dict(img_shape=(size, size)))
            own = [names[j] for j in ys[i].nonzero().flatten().tolist()]
            s.gt_instances = InstanceData(texts=own)
            others = [w for w in names if w not in own]
            neg = list(rng.choice(others, min(args.n_aug, len(others)),
                                  replace=False))
            s.set_metainfo(dict(neg_texts=neg))
            out.append(s)
        return out

    rows, window = [], []
    t0 = time.time()
    for it in range(1, args.iters + 1):
        idx = torch.randint(0, len(xs), (args.batch_size, )).tolist()
        captured.clear()
        losses = model.loss(xs[idx], samples_of(idx))
        loss = losses['loss_t2i'] + losses['loss_i2t']
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        g = F.normalize(captured['agg'].flatten(0, 1), dim=-1)
        window.append((loss.item(), float(losses['acc_i2t']),
                       float(captured['maps'].max(-1).values.mean()),
                       float(g.mean(0).norm())))
        if it % args.log_every == 0:
            w = np.array(window)
            window = []
            row = dict(iter=it, loss=w[:, 0].mean(), acc_i2t=w[:, 1].mean(),
                       max_mass=w[:, 2].mean(), mean_dir=w[:, 3].mean(),
                       seconds=time.time() - t0)
            rows.append(row)
            print(f'[{args.sim}] iter {it}/{args.iters} loss {row["loss"]:.3f}'
                  f' acc_i2t {row["acc_i2t"]:.3f} max_mass '
                  f'{row["max_mass"]:.3f} mean_dir {row["mean_dir"]:.3f} '
                  f'{row["seconds"]:.0f}s eta '
                  f'{row["seconds"] / it * (args.iters - it):.0f}s',
                  flush=True)
    pixels = int(captured['maps'].shape[-1])
    result = dict(config=args.config, data_root=args.data_root, sim=args.sim,
                  batch_size=args.batch_size, n_aug=args.n_aug, lr=args.lr,
                  pixels=pixels, seed=args.seed,
                  threads=torch.get_num_threads(), rows=rows)
    store = {}
    if osp.exists(args.out + '.json'):
        with open(args.out + '.json') as f:
            store = json.load(f)
    store[args.name or f'{osp.basename(args.data_root)}-{args.sim}'] = result
    write_tables(store, args.out)
    print(f'wrote {args.out}.json / .md')


if __name__ == '__main__':
    main()
