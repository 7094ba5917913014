# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Run the SRSTS-A spotter on a folder of images and draw the results.

For every image writes ``<out>/<name>.png`` with the anchors (green +), the
K sampling points (blue dots, joined in reading order) and the recognised
texts (WeCromCL Fig. 5 / supp. Fig. 2), and ``<out>/results.json`` with the
points, texts, scores and sampling points in original image coordinates.
The model runs through mmocr's ``TextSpotInferencer`` (the config's test
pipeline); an unreadable image is reported and skipped.

    python tools/spot.py CONFIG CHECKPOINT --img-dir DIR --out DIR \
        [--score-thr 0.3] [--device cpu] [--cfg-options k=v ...]
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import List

from mmengine.config import Config, DictAction

IMG_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Spot text with SRSTS-A and draw anchors, sampling '
        'points and texts')
    parser.add_argument('config', help='SRSTS-A config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--img-dir', required=True, help='folder of images')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='anchor confidence threshold (default 0.3)')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--no-samples', action='store_true',
                        help='do not draw the sampling points')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config settings (key=value)')
    return parser.parse_args(argv)


def list_images(img_dir: str) -> List[str]:
    if not osp.isdir(img_dir):
        raise SystemExit(f'--img-dir {img_dir!r} is not a folder')
    files = sorted(f for f in os.listdir(img_dir)
                   if f.lower().endswith(IMG_EXTS))
    if not files:
        raise SystemExit(f'no images ({", ".join(IMG_EXTS)}) in {img_dir!r}')
    return [osp.join(img_dir, f) for f in files]


def build_inferencer(cfg, checkpoint: str, device: str, score_thr: float):
    """mmocr's ``TextSpotInferencer`` on an SRSTS-A config."""
    from mmocr.apis import TextSpotInferencer

    import mmocr_vlp  # noqa: F401  (registers modules, checkpoint allow-list)

    if not osp.isfile(checkpoint):
        raise SystemExit(f'checkpoint not found: {checkpoint}')
    if 'postprocessor' not in cfg.model.get('head', {}):
        raise SystemExit(f'{cfg.filename}: not an SRSTS-A config '
                         f'(model.head.postprocessor missing)')
    cfg.model.head.postprocessor.score_thr = score_thr
    return TextSpotInferencer(model=cfg, weights=checkpoint, device=device)


def main(argv=None) -> None:
    args = parse_args(argv)
    import cv2

    sys.path.insert(0, osp.join(osp.dirname(osp.abspath(__file__)), '..'))
    from mmocr_vlp.visualization.spotting import draw_point_spotting

    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    inferencer = build_inferencer(cfg, args.checkpoint, args.device,
                                  args.score_thr)
    os.makedirs(args.out, exist_ok=True)
    records = []
    for path in list_images(args.img_dir):
        try:
            ds = inferencer(path, return_datasamples=True,
                            progress_bar=False)['predictions'][0]
        except OSError as e:  # mmocr's loader names the file
            print(f'[spot] skipped unreadable image {path}: {e}')
            continue
        pred = ds.pred_instances
        img = cv2.imread(path, cv2.IMREAD_COLOR)
        drawn = draw_point_spotting(
            img, pred.points, pred.texts,
            sample_points=None if args.no_samples else pred.sample_points,
            scores=pred.scores)
        out_png = osp.join(args.out,
                           osp.splitext(osp.basename(path))[0] + '.png')
        cv2.imwrite(out_png, drawn)
        records.append(
            dict(
                img_path=path,
                out=out_png,
                points=pred.points.tolist(),
                texts=list(pred.texts),
                scores=pred.scores.tolist(),
                sample_points=pred.sample_points.tolist()))
        print(f'[spot] {path}: {len(pred.texts)} words '
              f'{list(pred.texts)[:8]} -> {out_png}')
    with open(osp.join(args.out, 'results.json'), 'w') as f:
        json.dump(records, f)


if __name__ == '__main__':
    main()
