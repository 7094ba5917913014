# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Render a synthetic scene-text dataset (images + OCRDataset JSON views).

Example::

    python tools/render_synth.py --out data/synth --train 2000 --val 200 \\
        --size 512 --seed 0 --workers 2

Writes ``OUT/imgs/<split>/*.jpg``, ``OUT/<split>_<view>.json`` for each view
(full, textonly, partial25/50/75, points) and ``OUT/meta.json``.
"""
import argparse
import os.path as osp
import sys
from typing import Optional

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def _size(s: str):
    s = s.lower().replace(',', 'x')
    parts = [int(p) for p in s.split('x') if p]
    if len(parts) == 1:
        return parts[0], parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise argparse.ArgumentTypeError(f'--size: use 512 or WxH, got {s!r}')


def _int_in(lo: int, hi: Optional[int] = None):
    """An argparse type: an integer in [lo, hi] (hi None: no upper bound)."""

    def parse(s: str) -> int:
        try:
            v = int(s)
        except ValueError:
            raise argparse.ArgumentTypeError(f'expected an integer, got {s!r}')
        if v < lo or (hi is not None and v > hi):
            raise argparse.ArgumentTypeError(
                f'must be in [{lo}, {hi}], got {v}' if hi is not None else
                f'must be >= {lo}, got {v}')
        return v

    return parse


def _floats(s: str):
    vals = [float(v) for v in s.replace(',', ' ').split()]
    if len(vals) != 2:
        raise argparse.ArgumentTypeError(f'expected two numbers, got {s!r}')
    return tuple(vals)


def _probs(s: str) -> dict:
    out = {}
    for item in s.split(','):
        if not item.strip():
            continue
        k, sep, v = item.partition('=')
        if not sep:
            raise argparse.ArgumentTypeError(
                f'expected key=value pairs, got {s!r}')
        out[k.strip()] = float(v)
    if not out:
        raise argparse.ArgumentTypeError(f'empty source mix {s!r}')
    return out


# ``--clean``: SynthTextRenderer arguments that switch its nuisances off.
CLEAN_RENDER_CFG = dict(
    background_kinds=('gradient', ),
    clutter_range=(0, 0),
    distractor_range=(0, 0),
    outline_prob=0.0,
    shadow_prob=0.0,
    gradient_fill_prob=0.0,
    blur_prob=0.0,
    noise_prob=0.0,
    lighting_prob=0.0,
    tracking_prob=0.0)


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description='Render a SynthText-style dataset (mmocr_vlp).')
    p.add_argument('--out', required=True, help='output folder')
    p.add_argument('--train', type=_int_in(0), default=200,
                   help='train images')
    p.add_argument('--val', type=_int_in(0), default=50, help='val images')
    p.add_argument('--test', type=_int_in(0), default=0, help='test images')
    p.add_argument('--seed', type=_int_in(0), default=0,
                   help='non-negative (numpy SeedSequence)')
    p.add_argument(
        '--size', type=_size, default=(512, 512), help='512 or WxH')
    p.add_argument(
        '--views',
        default='full,textonly,partial25,partial50,partial75,points',
        help='comma-separated: full, textonly, points, partial<P>')
    p.add_argument(
        '--font-dir',
        action='append',
        default=None,
        help='extra font folder (repeatable); matplotlib and system fonts '
        'are always searched')
    p.add_argument('--no-system-fonts', action='store_true')
    p.add_argument(
        '--fonts',
        default=None,
        help='comma-separated font file names to use only, e.g. '
        '"DejaVuSans.ttf" (default: every usable font found)')
    p.add_argument(
        '--workers', type=_int_in(0), default=0,
        help='worker processes (0: none)')
    p.add_argument('--min-words', type=_int_in(0), default=1)
    p.add_argument('--max-words', type=_int_in(1), default=8)
    p.add_argument('--curved', type=float, default=0.25,
                   help='fraction of curved lines')
    p.add_argument('--multiword', type=float, default=0.15,
                   help='probability of a multi-word line')
    p.add_argument('--rotation', type=_floats, default=(-25.0, 25.0),
                   help='rotation range in degrees, e.g. "-25,25"')
    p.add_argument('--perspective', type=float, default=0.08)
    p.add_argument('--font-size', type=_floats, default=(0.055, 0.14),
                   help='font size range as a fraction of min(W, H)')
    p.add_argument('--word-list', default=None,
                   help='word list file (default: bundled words.txt)')
    p.add_argument(
        '--word-sources',
        type=_probs,
        default=None,
        help='token source mix, e.g. "dict=1" (list words only) or '
        '"dict=0.62,punct=0.14,number=0.12,alnum=0.12" (the default)')
    p.add_argument(
        '--case',
        type=_probs,
        default=None,
        help='letter-case mix of list words, e.g. "lower=1" (default '
        '"lower=0.45,title=0.3,upper=0.25")')
    p.add_argument(
        '--clean',
        action='store_true',
        help='plain gradient backgrounds, no clutter, distractor glyphs, '
        'outlines, shadows, two-colour fills, blur, noise, lighting or '
        'letter spacing (an easy regime for small CPU runs)')
    p.add_argument('--jpeg-quality', type=_int_in(0, 100), default=90,
                   help='0-100 (OpenCV JPEG quality)')
    p.add_argument('--force', action='store_true',
                   help='re-render even if OUT/meta.json matches')
    p.add_argument('--no-progress', action='store_true')
    p.add_argument(
        '--preview',
        default=None,
        help='also write a PNG of the first 2 images of the first split '
        'with their ground truth drawn (e.g. docs/images/synth_sample.png)')
    args = p.parse_args(argv)
    if args.min_words > args.max_words:
        p.error(f'--min-words {args.min_words} > --max-words '
                f'{args.max_words}')
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    import cv2

    from mmocr_vlp.datasets.synth import (ensure_synth_dataset, make_preview,
                                          render_dataset)
    cv2.setNumThreads(1)
    splits = {'train': args.train, 'val': args.val}
    if args.test:
        splits['test'] = args.test
    splits = {k: v for k, v in splits.items() if v > 0}
    if not splits:
        raise SystemExit('nothing to render: all split sizes are 0')
    views = [v.strip() for v in args.views.split(',') if v.strip()]
    render_cfg = dict(
        min_words=args.min_words,
        max_words=args.max_words,
        curved_prob=args.curved,
        multiword_prob=args.multiword,
        rotation_range=args.rotation,
        perspective=args.perspective,
        font_size_range=args.font_size,
        use_system_fonts=not args.no_system_fonts)
    if args.font_dir:
        render_cfg['font_dirs'] = [osp.abspath(d) for d in args.font_dir]
    if args.word_list:
        render_cfg['word_list'] = osp.abspath(args.word_list)
    if args.word_sources:
        render_cfg['word_source_probs'] = args.word_sources
    if args.fonts:
        render_cfg['font_names'] = [
            f.strip() for f in args.fonts.split(',') if f.strip()
        ]
    if args.case:
        render_cfg['case_probs'] = args.case
    if args.clean:
        render_cfg.update(CLEAN_RENDER_CFG)
    fn = render_dataset if args.force else ensure_synth_dataset
    meta = fn(
        args.out,
        splits=splits,
        seed=args.seed,
        img_size=args.size,
        views=views,
        num_workers=args.workers,
        progress=not args.no_progress,
        jpeg_quality=args.jpeg_quality,
        **render_cfg)
    print(f'\n{"cached" if meta.get("cached") else "rendered"} synthetic '
          f'dataset in {args.out} (seed {args.seed}, '
          f'{args.size[0]}x{args.size[1]})')
    for split, c in meta['counts'].items():
        print(f'  {split:>5}: {c["images"]} images, {c["instances"]} words '
              f'({c["curved"]} curved), {c["chars"]} chars, '
              f'{c["words_per_image"]} words/image')
        print('         files: ' + ', '.join(meta['files'][split].values()))
    if not meta.get('cached'):
        print(f'  time: {meta["elapsed_s"]} s, {meta["images_per_s"]} '
              f'images/s ({meta["num_workers"]} workers)')
    print(f'  fonts: {len(meta["settings"]["fonts"])}, meta: '
          f'{osp.join(args.out, "meta.json")}')
    if args.preview and 'full' not in views:
        print('  preview skipped: it needs the "full" view')
    elif args.preview:
        first = next(iter(splits))
        make_preview(args.out, args.preview, first, num=2)
        print(f'  preview: {args.preview}')
    return meta


if __name__ == '__main__':
    main()
