# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""oCLIP differential pre-training: the official training step vs ours.

Both implementations see the same batches (our pipeline of ``CONFIG``'s
training set, the same images, words and masked characters per step, CLIP
normalisation), the same seed, batch size, iteration budget and learning-
rate schedule (the official ``cosine_lr``: linear warm-up from lr/W, cosine
to 0). What differs is the step itself:

- ``--impl official``: the model of github.com/bytedance/oclip (imported from
  a checkout given with ``--official``; nothing of it is copied) with the
  shapes of ``CONFIG``, its ``get_loss`` and its AdamW parameter groups (no
  weight decay on names containing bn/ln/bias/logit_scale);
- ``--impl ours``: ``CONFIG``'s :class:`OCLIP`, its ``loss`` and the
  config's ``optim_wrapper`` (mmengine paramwise rules), lr taken from it.

Every ``--interval`` iterations one row: the mean contrastive loss
``L_bc`` = (CE_i2t + CE_t2i) / 2 over those iterations (chance = ln batch),
the masked-character loss, and on a fixed probe (the split's first
``--probe`` images, fixed masks, eval mode): masked-character accuracy with
each image's own words and with another image (images rolled by one), and
the mean pairwise cosine of the image embeddings.

Usage::

    python -m studies.oclip_differential CONFIG --official /path/to/oclip \\
        [--impl both|official|ours] [--iters 1000] [--seed 0] [--out JSON] \\
        [--same-init] [--cfg-options KEY=VALUE ...]
    python -m studies.oclip_differential --table JSON [JSON ...] [--md MD]

With ``--impl both`` (default) the two models are trained in one process,
alternating on the same batch, so both columns always cover the same
iterations. Rows go to ``--out`` (default
``studies/results/oclip_differential.json``) as they come.
"""
import argparse
import json
import math
import os.path as osp
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
from studies.feature_collapse import mean_offdiag_cos  # noqa: E402

RESULTS = osp.join(ROOT, 'studies', 'results')
NUM_SLOTS = 32  # the official data loader's word slots per image


def cosine_lr(step: int, base_lr: float, warmup: int, total: int) -> float:
    """The official schedule: linear warm-up, then cosine to 0."""
    if step < warmup:
        return base_lr * (step + 1) / warmup
    e, es = step - warmup, total - warmup
    return 0.5 * (1 + math.cos(math.pi * e / es)) * base_lr


def to_official(data_samples, width: int):
    """Our packed words -> the official (B, 32, width) masked token rows
    and (B, 32) masked-character labels (0 = none)."""
    b = len(data_samples)
    texts = torch.zeros(b, NUM_SLOTS, width, dtype=torch.long)
    chars = torch.zeros(b, NUM_SLOTS, dtype=torch.long)
    for i, ds in enumerate(data_samples):
        gi = ds.gt_instances
        m = torch.as_tensor(gi.masked_tokens).long()
        n = min(len(m), NUM_SLOTS)
        texts[i, :n, :m.shape[1]] = m[:n]
        chars[i, :n] = torch.as_tensor(gi.mask_labels).long()[:n].clamp(min=0)
    return texts, chars


class Official:
    """The official model and step, built with the shapes of our config."""

    def __init__(self, cfg, path: str, lr: float, wd: float) -> None:
        sys.path.insert(0, osp.abspath(path))
        from src.clip.model import oCLIP
        from src.training.train import get_loss
        self.get_loss = get_loss
        m = cfg.model
        te = m.text_encoder
        self.width = m.dictionary.max_len + 1
        from mmocr_vlp.datasets.dictionary import build_dictionary
        vocab = len(build_dictionary(m.dictionary))
        self.model = oCLIP(
            first_stage=False, embed_dim=m.image_encoder.out_dims,
            image_resolution=m.image_encoder.input_size,
            vision_layers=(3, 4, 6, 3),
            vision_width=m.image_encoder.backbone.base_channels,
            vision_patch_size=None, context_length=self.width,
            vocab_size=vocab, transformer_width=te.embed_dims,
            transformer_heads=te.num_heads,
            transformer_layers=te.num_layers,
            transformer_decoder_layers=m.decoder.num_layers)
        excl = ('bn', 'ln', 'bias', 'logit_scale')
        named = list(self.model.named_parameters())
        self.opt = torch.optim.AdamW(
            [dict(params=[p for n, p in named if any(e in n for e in excl)],
                  weight_decay=0.),
             dict(params=[p for n, p in named
                          if not any(e in n for e in excl)],
                  weight_decay=wd)],
            lr=lr, betas=(0.9, 0.999), eps=1e-8)
        self.ce = torch.nn.CrossEntropyLoss()
        from types import SimpleNamespace
        self.args = SimpleNamespace(distributed=False, aggregate=False,
                                    gpu=None, char_loss_weight=1.0)

    def step(self, inputs, data_samples):
        texts, chars = to_official(data_samples, self.width)
        s = inputs.shape[-1] // 32
        masks = torch.zeros(len(inputs), s, s, dtype=torch.bool)
        char_loss, clip_loss = self.get_loss(self.model, inputs, texts, chars,
                                             masks, self.ce, self.ce, self.ce,
                                             self.args)
        self.opt.zero_grad()
        (char_loss + clip_loss).backward()
        self.opt.step()
        return float(clip_loss), float(char_loss)

    @torch.no_grad()
    def probe(self, inputs, data_samples):
        texts, chars = to_official(data_samples, self.width)
        s = inputs.shape[-1] // 32
        masks = torch.zeros(len(inputs), s, s, dtype=torch.bool)
        ok = chars > 0
        accs = []
        for imgs in (inputs, inputs.roll(1, 0)):
            img_f, _, logits, _, _, _ = self.model(imgs, texts, masks)
            accs.append(float((logits.argmax(-1)[ok] == chars[ok]).float()
                              .mean()))
            if len(accs) == 1:
                cos = mean_offdiag_cos(img_f)
        return accs[0], accs[1], cos


class Ours:
    """Our OCLIP from the config, its loss and its optimizer."""

    def __init__(self, cfg, lr: float) -> None:
        from mmengine.optim import build_optim_wrapper
        from mmocr.registry import MODELS
        self.model = MODELS.build(cfg.model)
        self.model.init_weights()
        ow = cfg.optim_wrapper.copy()
        ow.optimizer.lr = lr
        self.opt = build_optim_wrapper(self.model, ow).optimizer

    def step(self, inputs, data_samples):
        losses = self.model.loss(inputs, data_samples)
        self.opt.zero_grad()
        (losses['loss_cls'] + losses['loss_bc']).backward()
        self.opt.step()
        # loss_bc is (i2t + t2i) * loss_weight; report the mean form.
        w = self.model.loss_contrastive.loss_weight
        return float(losses['loss_bc']) / (2 * w), float(losses['loss_cls'])

    @torch.no_grad()
    def probe(self, inputs, data_samples):
        accs = []
        for imgs in (inputs, inputs.roll(1, 0)):
            out = self.model._run(imgs, data_samples, training=True)
            lab = out['words'].labels
            ok = lab >= 0
            accs.append(float((out['mask_logits'].argmax(-1)[ok] == lab[ok])
                              .float().mean()))
            if len(accs) == 1:
                cos = mean_offdiag_cos(out['img_embeds'])
        return accs[0], accs[1], cos


def batch(dataset, preprocessor, indices, seed):
    from mmengine.dataset import pseudo_collate
    np.random.seed(seed)  # SampleWords / MaskCharacters draw from numpy
    random.seed(seed)
    data = preprocessor(pseudo_collate([dataset[i] for i in indices]), False)
    return data['inputs'], data['data_samples']


def run(args) -> None:
    import mmocr_vlp  # noqa: F401
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmocr.registry import DATASETS, MODELS
    init_default_scope('mmocr')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:  # e.g. one option of docs/oclip.md's table
        cfg.merge_from_dict(args.cfg_options)
    ds_cfg = cfg.train_dataloader.dataset
    train = DATASETS.build(ds_cfg)
    probe_cfg = ds_cfg.copy()
    probe_cfg.ann_file = f'{args.probe_split}_textonly.json'
    probe_set = DATASETS.build(probe_cfg)
    prep = MODELS.build(cfg.model.data_preprocessor)
    lr = args.lr or cfg.optim_wrapper.optimizer.lr
    wd = cfg.optim_wrapper.optimizer.weight_decay
    names = ['official', 'ours'] if args.impl == 'both' else [args.impl]
    impls = {}
    for name in names:
        torch.manual_seed(args.seed)
        impls[name] = Official(cfg, args.official, lr, wd) \
            if name == 'official' else Ours(cfg, lr)
    if args.same_init and len(impls) == 2:
        # Our model starts from the official model's initial weights
        # (same function, so any later gap comes from the step).
        from mmocr_vlp.utils.ckpt_convert import official_oclip_to_ours
        ours = impls['ours'].model
        ours.load_state_dict(official_oclip_to_ours(
            impls['official'].model.state_dict(), ours.state_dict()))
    probe_in, probe_ds = batch(
        probe_set, prep, range(min(args.probe, len(probe_set))), 12345)
    order = np.random.RandomState(args.seed)
    perm, pos = order.permutation(len(train)), 0
    bs = args.batch_size or cfg.train_dataloader.batch_size
    out = args.out or osp.join(RESULTS, 'oclip_differential.json')
    rows = []
    acc = {n: dict(bc=[], cls=[], sec=0.) for n in impls}
    for it in range(args.iters):
        if pos + bs > len(perm):
            perm, pos = order.permutation(len(train)), 0
        idx, pos = perm[pos:pos + bs], pos + bs
        inputs, samples = batch(train, prep, idx, args.seed * 1000003 + it)
        for name, impl in impls.items():
            t0 = time.time()
            for g in impl.opt.param_groups:
                g['lr'] = cosine_lr(it, lr, args.warmup, args.iters)
            impl.model.train()
            b, c = impl.step(inputs, samples)
            acc[name]['sec'] += time.time() - t0
            acc[name]['bc'].append(b)
            acc[name]['cls'].append(c)
        if (it + 1) % args.interval and it + 1 != args.iters:
            continue
        for name, impl in impls.items():
            impl.model.eval()
            own, other, cos = impl.probe(probe_in, probe_ds)
            a = acc[name]
            rows.append(dict(
                impl=name, iter=it + 1, L_bc=float(np.mean(a['bc'])),
                L_cls=float(np.mean(a['cls'])), acc_own=own,
                acc_other=other, image_cos=cos, chance=math.log(bs),
                sec_per_iter=a['sec'] / len(a['bc']), config=args.config,
                seed=args.seed, lr=lr, warmup=args.warmup, iters=args.iters,
                batch_size=bs, same_init=args.same_init,
                cfg_options=args.cfg_options or {}))
            acc[name] = dict(bc=[], cls=[], sec=0.)
            print(json.dumps(rows[-1]), flush=True)
        with open(out, 'w') as f:
            json.dump(rows, f, indent=1)


COLS = (('L_bc', 'L_bc'), ('acc_own', 'acc own'),
        ('acc_other', 'acc other'), ('image_cos', 'img cos'))


def _cell(vals: list) -> str:
    """One number, or the mean and the spread (max - min) of several."""
    if len(vals) == 1:
        return f'{vals[0]:.3f}'
    return f'{np.mean(vals):.3f} ({min(vals):.3f}-{max(vals):.3f})'


def table(paths: list, md: str = None) -> str:
    """Write the side-by-side table of one or more result files (one file
    per run; several seeds give means with their range) to ``md`` (default:
    the first file's ``.md``) and return it."""
    rows = []
    for path in paths:
        with open(path) as f:
            rows += json.load(f)
    if not rows:
        raise SystemExit(f'no rows in {paths}')
    impls = list(dict.fromkeys(r['impl'] for r in rows))
    seeds = sorted({r['seed'] for r in rows})
    by = {}  # (impl, iter) -> rows of every seed
    for r in rows:
        by.setdefault((r['impl'], r['iter']), []).append(r)
    its = sorted({r['iter'] for r in rows})
    head = '| iter |' + ''.join(f' {i} {c} |' for i in impls for _, c in COLS)
    lines = [head, '|' + '---|' * (1 + len(COLS) * len(impls))]
    for it in its:
        cells = []
        for impl in impls:
            got = by.get((impl, it), [])
            cells += [_cell([g[k] for g in got]) if got else ''
                      for k, _ in COLS]
        lines.append(f'| {it} | ' + ' | '.join(cells) + ' |')
    r0 = rows[0]
    init = ('ours starts from the official initial weights (`--same-init`)'
            if r0.get('same_init') else 'each its own random initialisation')
    what = (f'seed {seeds[0]}' if len(seeds) == 1 else
            f'seeds {", ".join(map(str, seeds))} (mean and range over '
            'seeds)')
    note = (f"\n`{r0['config']}`, {what}, {init}; batch "
            f"{r0['batch_size']}, lr {r0['lr']}, warm-up {r0['warmup']}, "
            f"cosine over {r0['iters']} iterations. L_bc = (CE_i2t + "
            f"CE_t2i) / 2 averaged over the iterations since the previous "
            f"row (chance {r0['chance']:.3f}); masked-character accuracy "
            "with each probe image's own words and with another image, and "
            "the mean pairwise cosine of the image embeddings, on the probe "
            "split in eval mode.\n")
    if len(seeds) > 1:  # the last row of every run
        last = max(its)
        lines_s = ['', f'Per seed at iteration {last}:', '',
                   '| seed |' + ''.join(f' {i} {c} |' for i in impls
                                        for _, c in COLS),
                   '|' + '---|' * (1 + len(COLS) * len(impls))]
        for s in seeds:
            cells = []
            for impl in impls:
                got = [g for g in by.get((impl, last), []) if g['seed'] == s]
                cells += [f'{got[0][k]:.3f}' if got else '' for k, _ in COLS]
            lines_s.append(f'| {s} | ' + ' | '.join(cells) + ' |')
        note += '\n'.join(lines_s) + '\n'
    text = '\n'.join(lines) + '\n' + note
    md = md or osp.splitext(paths[0])[0] + '.md'
    with open(md, 'w') as f:
        f.write(text)
    print(text)
    return text


def main() -> None:
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config', nargs='?')
    p.add_argument('--impl', choices=['official', 'ours', 'both'],
                   default='both')
    p.add_argument('--official', help='path of a bytedance/oclip checkout')
    p.add_argument('--iters', type=int, default=1000)
    p.add_argument('--interval', type=int, default=100)
    p.add_argument('--warmup', type=int, default=50)
    p.add_argument('--lr', type=float, default=None,
                   help="default: the config's")
    p.add_argument('--batch-size', type=int, default=None)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--probe', type=int, default=40)
    p.add_argument('--probe-split', default='val')
    p.add_argument('--out', default=None)
    p.add_argument('--same-init', action='store_true',
                   help='with --impl both: start ours from the official '
                   "model's initial weights")
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override CONFIG entries (key=value), as in '
                   'tools/train.py')
    p.add_argument('--table', metavar='JSON', nargs='+',
                   help='only write the .md table of one or more results '
                   'files (e.g. one per seed)')
    p.add_argument('--md', default=None,
                   help="with --table: the page to write (default: the "
                   "first file's .md)")
    args = p.parse_args()
    if args.table:
        table(args.table, args.md)
        return
    if not args.config:
        p.error('CONFIG is required')
    if args.impl != 'ours' and not args.official:
        p.error('--impl official needs --official PATH')
    run(args)


if __name__ == '__main__':
    main()
