# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Does an oCLIP checkpoint use the image at all?

oCLIP's masked-character loss (Eq. 2) can be lowered from the word's other
characters alone: a dictionary word with one character masked is often
unambiguous. And its contrastive loss (Eq. 3-4) sits at chance while every
image gives the same embedding. A pre-training in either state teaches the
image encoder -- the part exported to detectors -- nothing. This script
measures both, on the transcription-only view of a split:

- ``mask acc`` with each image's own words, and ``rolled``: the same words
  decoded against *another* image of the batch (images shifted by one). Equal
  values mean the decoder ignores the image;
- ``i2t acc``: image-to-text retrieval accuracy of Eq. 3 over the split
  (chance = 1 / images);
- ``image cos``: mean pairwise cosine of the image embeddings (1 = every
  image gives the same embedding);
- ``trunk mean abs`` and ``trunk cos``: mean absolute activation of the
  trunk's last stage (the part detectors use) and the mean pairwise cosine
  of its flattened maps across images (1 = image-independent).

Masking is random: each number is the mean over ``--repeats`` draws.

Usage::

    python -m studies.oclip_image_use CONFIG CKPT|none [CKPT ...] \\
        [--data-root data/synth_pre_easy] [--split val] [--name-prefix P]

Appends rows to ``studies/results/oclip_image_use.{json,md}``.
"""
import argparse
import json
import os
import os.path as osp

import numpy as np
import torch
import torch.nn.functional as F

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
from studies.feature_collapse import mean_offdiag_cos  # noqa: E402


def measure(model, dataset, repeats: int) -> dict:
    """The numbers of one checkpoint (see the module docstring)."""
    from mmengine.dataset import pseudo_collate
    acc = {'own': [], 'rolled': []}
    i2t, img_cos, n_words = [], [], 0
    trunk_abs, trunk_cos = [], []
    for rep in range(repeats):
        np.random.seed(rep)  # MaskCharacters / SampleWords draw from numpy
        torch.manual_seed(rep)
        batch = pseudo_collate([dataset[i] for i in range(len(dataset))])
        with torch.no_grad():
            data = model.data_preprocessor(batch, False)
            for key, inputs in (('own', data['inputs']),
                                ('rolled', data['inputs'].roll(1, 0))):
                out = model._run(inputs, data['data_samples'], training=True)
                labels = out['words'].labels
                ok = labels >= 0
                pred = out['mask_logits'].argmax(-1)
                acc[key].append(float((pred[ok] == labels[ok]).float().mean()))
                if key == 'own':
                    n_words = int(ok.sum())
                    img = F.normalize(out['img_embeds'], dim=-1)
                    txt = F.normalize(out['text_embeds'], dim=-1)
                    sim = img @ txt.t()
                    target = torch.arange(len(sim))
                    i2t.append(float((sim.argmax(1) == target).float().mean()))
                    img_cos.append(mean_offdiag_cos(out['img_embeds']))
                    last = model.image_encoder.backbone(inputs)[-1]
                    trunk_abs.append(float(last.abs().mean()))
                    trunk_cos.append(mean_offdiag_cos(last.flatten(1)))
    return dict(mask_acc=float(np.mean(acc['own'])),
                mask_acc_rolled=float(np.mean(acc['rolled'])),
                i2t_acc=float(np.mean(i2t)), image_cos=float(np.mean(img_cos)),
                trunk_abs=float(np.mean(trunk_abs)),
                trunk_cos=float(np.mean(trunk_cos)),
                images=len(dataset), words=n_words)


def write_tables(rows: list, out: str) -> None:
    """Write ``rows`` as ``out``.json and ``out``.md."""
    os.makedirs(osp.dirname(out), exist_ok=True)
    with open(out + '.json', 'w') as f:
        json.dump(rows, f, indent=1)
    lines = [
        '# Does oCLIP use the image? (`python -m studies.oclip_image_use`)',
        '', 'Masked-character accuracy (Eq. 2) with each image\'s own words '
        'and with the words decoded against another image of the split '
        '(equal = the decoder ignores the image); image-to-text retrieval '
        'accuracy of Eq. 3 over the split (chance = 1 / images); mean '
        'pairwise cosine of the image embeddings (1 = all the same); the '
        'trunk\'s last stage: mean absolute activation (eval-mode BN) and '
        'pairwise cosine of its maps across images. Mean of the random '
        'maskings.', '',
        '| run | checkpoint | data | images / words | mask acc | mask acc, '
        'other image | i2t acc (chance) | image cos | trunk mean abs | '
        'trunk cos |',
        '|---|---|---|---|---|---|---|---|---|---|'
    ]
    for r in rows:
        lines.append(
            f'| {r["name"]} | `{r["checkpoint"]}` | `{r["data"]}` | '
            f'{r["images"]} / {r["words"]} | {r["mask_acc"]:.3f} | '
            f'{r["mask_acc_rolled"]:.3f} | {r["i2t_acc"]:.3f} '
            f'({1 / r["images"]:.3f}) | {r["image_cos"]:.3f} | '
            f'{r["trunk_abs"]:.4f} | {r["trunk_cos"]:.3f} |')
    with open(out + '.md', 'w') as f:
        f.write('\n'.join(lines) + '\n')


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config')
    p.add_argument('checkpoints', nargs='+',
                   help="checkpoints, or 'none' (random init)")
    p.add_argument('--data-root', default=None,
                   help="default: the config's training data root")
    p.add_argument('--split', default='val')
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--name-prefix', default='')
    p.add_argument('--out', default=osp.join(ROOT, 'studies', 'results',
                                             'oclip_image_use'))
    args = p.parse_args()

    import mmocr_vlp  # noqa: F401
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmocr.registry import DATASETS, MODELS
    init_default_scope('mmocr')
    cfg = Config.fromfile(args.config)
    ds_cfg = cfg.train_dataloader.dataset
    if args.data_root:
        ds_cfg.data_root = args.data_root
    ds_cfg.ann_file = f'{args.split}_textonly.json'
    dataset = DATASETS.build(ds_cfg)
    rows = []
    if osp.exists(args.out + '.json'):
        with open(args.out + '.json') as f:
            rows = json.load(f)
    for ckpt in args.checkpoints:
        torch.manual_seed(0)
        model = MODELS.build(cfg.model)
        model.init_weights()
        if ckpt != 'none':
            load_checkpoint(model, ckpt, map_location='cpu', logger='silent')
        model.eval()
        name = args.name_prefix + ('untrained' if ckpt == 'none' else
                                   osp.splitext(osp.basename(ckpt))[0])
        row = dict(name=name, config=args.config, checkpoint=ckpt,
                   data=osp.join(ds_cfg.data_root, ds_cfg.ann_file),
                   **measure(model, dataset, args.repeats))
        print(json.dumps(row), flush=True)
        rows = [r for r in rows if r['name'] != name] + [row]
    write_tables(rows, args.out)


if __name__ == '__main__':
    main()
