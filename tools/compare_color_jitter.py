# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Compare mmocr_vlp's ColorJitter with torchvision's own code, without
importing torchvision (its PyPI build does not import beside our torch).

torchvision's PIL path is loaded from its source files: the loop of
``transforms.ColorJitter.forward`` is repeated here over the functions of
``transforms/_functional_pil.py`` (loaded by path), fed the order and
factors ColorJitter drew, on RGB copies of the BGR images. Prints how many
outputs are bit-identical and the largest difference.

Example::

    pip download torchvision==0.29.1 --no-deps -d /tmp/tv
    unzip -q -o /tmp/tv/torchvision-*.whl 'torchvision/*' -d /tmp/tv
    python tools/compare_color_jitter.py /tmp/tv/torchvision \\
        --images '../shared/data/icdar2015_toy/imgs/*.jpg'
"""
import argparse
import glob
import importlib.util
import os.path as osp
import sys
import types

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

# DBNet/PSENet and FCENet in mmocr's ICDAR 2015 configs, and all four.
SETTINGS = (dict(brightness=32 / 255, saturation=0.5),
            dict(brightness=32 / 255, saturation=0.5, contrast=0.5),
            dict(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.5))


def load_functional_pil(tv_dir: str) -> types.ModuleType:
    """``torchvision/transforms/_functional_pil.py`` as a module; its one
    torchvision import, ``utils._Image_fromarray`` (used by ``adjust_hue``
    on a 2-D uint8 array, mode 'L'), is ``PIL.Image.fromarray`` there."""
    from PIL import Image
    pkg, sub, utils = (types.ModuleType(n)
                       for n in ('_tv', '_tv.transforms', '_tv.utils'))
    pkg.__path__, sub.__path__ = [], []
    utils._Image_fromarray = lambda obj, mode: Image.fromarray(obj)
    sys.modules.update({'_tv': pkg, '_tv.transforms': sub, '_tv.utils': utils})
    spec = importlib.util.spec_from_file_location(
        '_tv.transforms._functional_pil',
        osp.join(tv_dir, 'transforms', '_functional_pil.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('torchvision_dir', help='torchvision source folder')
    p.add_argument('--images', required=True, help='glob of images')
    p.add_argument('--draws', type=int, default=4, help='per image, setting')
    args = p.parse_args(argv)

    import mmcv
    import numpy as np
    from PIL import Image

    from mmocr_vlp.datasets.transforms import ColorJitter
    F = load_functional_pil(args.torchvision_dir)
    adjust = (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation,
              F.adjust_hue)
    paths = sorted(glob.glob(args.images))
    if not paths:
        p.error(f'--images {args.images!r}: no file')
    n = same = worst = 0
    for k, kw in enumerate(SETTINGS):
        t = ColorJitter(**kw)
        for i, path in enumerate(paths):
            bgr = mmcv.imread(path)
            for d in range(args.draws):
                seed = (k * len(paths) + i) * args.draws + d
                np.random.seed(seed)
                order, factors = t._random_params()
                np.random.seed(seed)
                ours = t(dict(img=bgr.copy()))['img']
                img = Image.fromarray(np.ascontiguousarray(bgr[..., ::-1]))
                for fn_id in order:  # transforms.ColorJitter.forward
                    if factors[fn_id] is not None:
                        img = adjust[fn_id](img, factors[fn_id])
                want = np.asarray(img)[..., ::-1]
                diff = int(np.abs(ours.astype(int) - want).max())
                n, same, worst = n + 1, same + (diff == 0), max(worst, diff)
    print(f'{len(paths)} images, {len(SETTINGS)} settings, {args.draws} '
          f'draws each: {same} of {n} outputs bit-identical to torchvision, '
          f'max abs difference {worst}')
    return 0 if same == n else 1


if __name__ == '__main__':
    sys.exit(main())
