# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Render a whole synthetic dataset to disk (images + OCRDataset JSON views).

Layout::

    OUT/imgs/<split>/<split>_000000.jpg
    OUT/<split>_full.json  <split>_textonly.json  <split>_partial<P>.json
    OUT/<split>_points.json
    OUT/meta.json          settings, seed, counts, version

Image ``i`` of split ``s`` is drawn from
``np.random.default_rng([seed, crc32(s), i])``, so the output is identical
for a seed whatever ``num_workers`` is.
"""
import hashlib
import json
import multiprocessing as mp
import os
import os.path as osp
import re
import sys
import time
import zlib
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np

from .fonts import find_fonts
from .renderer import SynthTextRenderer
from .views import DEFAULT_METAINFO, DEFAULT_VIEWS, dump_json, parse_view
from .views import write_views
from .words import WORDS_FILE

#: bump when the renderer's output for a given seed changes
SYNTH_VERSION = '1.0'
DEFAULT_SPLITS = {'train': 200, 'val': 50}
_SPLIT_RE = re.compile(r'^[A-Za-z0-9_-]+$')


# ----------------------------------------------------------------- progress
class _SimpleBar:
    """Fallback progress bar (stderr) when tqdm is not installed."""

    def __init__(self, total: int, desc: str) -> None:
        self.total, self.desc, self.n = total, desc, 0
        self.t0 = self.last = time.time()

    def set_description(self, desc: str) -> None:
        self.desc = desc

    def update(self, k: int = 1) -> None:
        self.n += k
        now = time.time()
        if now - self.last >= 1.0 or self.n == self.total:
            self.last = now
            rate = self.n / max(now - self.t0, 1e-9)
            eta = (self.total - self.n) / max(rate, 1e-9)
            sys.stderr.write(f'\r{self.desc}: {self.n}/{self.total} '
                             f'[{rate:.1f} img/s, ETA {eta:.0f}s]')
            sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write('\n')


def _progress(total: int, enabled: bool, desc: str):
    if not enabled:
        return None
    try:
        from tqdm import tqdm
        return tqdm(total=total, desc=desc, unit='img', dynamic_ncols=True)
    except ImportError:
        return _SimpleBar(total, desc)


# ------------------------------------------------------------------ workers
_WORKER: dict = {}


def _init_worker(cfg: dict) -> None:
    cv2.setNumThreads(1)
    _WORKER['renderer'] = SynthTextRenderer(**cfg)


def _render_one(task: Tuple[str, str, int, int, int, int]) -> dict:
    out_dir, split, idx, seed, quality, _ = task
    renderer = _WORKER['renderer']
    rng = image_rng(seed, split, idx)
    img, instances = renderer.render(rng)
    rel = f'imgs/{split}/{split}_{idx:06d}.jpg'
    ok = cv2.imwrite(
        osp.join(out_dir, rel), img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise OSError(f'could not write {osp.join(out_dir, rel)}')
    h, w = img.shape[:2]
    return dict(img_path=rel, height=h, width=w, instances=instances)


def image_rng(seed: int, split: str, idx: int) -> np.random.Generator:
    """The random generator of image ``idx`` of ``split``."""
    return np.random.default_rng(
        [int(seed), zlib.crc32(split.encode('utf-8')),
         int(idx)])


# ----------------------------------------------------------------- settings
def _jsonable(x):
    return json.loads(json.dumps(x))


def _norm_size(img_size) -> Tuple[int, int]:
    if isinstance(img_size, (int, np.integer)):
        return int(img_size), int(img_size)
    if len(img_size) != 2:
        raise ValueError(f'img_size must be an int or (width, height), got '
                         f'{img_size!r}')
    return int(img_size[0]), int(img_size[1])


def _check_splits(splits: Dict[str, int]) -> Dict[str, int]:
    if not isinstance(splits, dict) or not splits:
        raise ValueError(f'splits must be a non-empty dict name -> count, '
                         f'got {splits!r}')
    out = {}
    for k, v in splits.items():
        if not _SPLIT_RE.match(str(k)):
            raise ValueError(f'bad split name {k!r} (use [A-Za-z0-9_-])')
        if int(v) < 0:
            raise ValueError(f'split {k!r}: count must be >= 0, got {v}')
        out[str(k)] = int(v)
    return out


def _words_digest(render_cfg: dict) -> str:
    wl = render_cfg.get('word_list')
    h = hashlib.sha1()
    if wl is None or isinstance(wl, str):
        with open(wl or WORDS_FILE, 'rb') as f:
            h.update(f.read())
    else:
        h.update('\n'.join(wl).encode('utf-8'))
    return h.hexdigest()


def synth_settings(splits: Dict[str, int],
                   seed: int,
                   img_size,
                   views: Sequence[str],
                   jpeg_quality: int = 90,
                   **render_cfg) -> dict:
    """Everything that determines the rendered files (the cache key)."""
    fonts = find_fonts(
        render_cfg.get('font_dirs'),
        use_system=render_cfg.get('use_system_fonts', True),
        names=render_cfg.get('font_names'))
    cfg = dict(render_cfg)
    if cfg.get('word_list') is not None and not isinstance(
            cfg['word_list'], str):
        cfg['word_list'] = f'<{len(cfg["word_list"])} words>'
    return _jsonable(
        dict(
            version=SYNTH_VERSION,
            seed=int(seed),
            splits=_check_splits(splits),
            img_size=list(_norm_size(img_size)),
            views=list(views),
            jpeg_quality=int(jpeg_quality),
            render_cfg=cfg,
            fonts=[osp.basename(f.path) for f in fonts],
            words_sha1=_words_digest(render_cfg)))


# ------------------------------------------------------------------- public
def render_dataset(out_dir: str,
                   splits: Optional[Dict[str, int]] = None,
                   seed: int = 0,
                   img_size=(512, 512),
                   views: Sequence[str] = DEFAULT_VIEWS,
                   num_workers: int = 0,
                   progress: bool = True,
                   jpeg_quality: int = 90,
                   **render_cfg) -> dict:
    """Render a synthetic scene-text dataset and its annotation views.

    Args:
        out_dir (str): Output folder (created).
        splits (dict[str, int]): Images per split. Defaults to
            ``{'train': 200, 'val': 50}``.
        seed (int): Global seed; same seed -> identical files.
        img_size (int | tuple[int, int]): ``(width, height)``.
        views (Sequence[str]): Annotation views to write, see
            :func:`mmocr_vlp.datasets.synth.make_view`.
        num_workers (int): Worker processes (0 = render in this process).
        progress (bool): Show a progress bar (tqdm if installed).
        jpeg_quality (int): JPEG quality of the images.
        **render_cfg: Options of :class:`SynthTextRenderer`.

    Returns:
        dict: The content of ``meta.json`` (settings, counts, timing).
    """
    splits = _check_splits(DEFAULT_SPLITS if splits is None else splits)
    views = list(views)
    for v in views:
        parse_view(v)
    img_size = _norm_size(img_size)
    cfg = dict(render_cfg, img_size=img_size)
    try:  # built here even with workers: bad options fail loudly, early
        renderer = SynthTextRenderer(**cfg)
    except TypeError as e:
        raise TypeError(f'render_dataset: bad renderer option ({e})') from e
    settings = synth_settings(splits, seed, img_size, views, jpeg_quality,
                              **render_cfg)
    os.makedirs(out_dir, exist_ok=True)
    meta_path = osp.join(out_dir, 'meta.json')
    if osp.exists(meta_path):  # a half-written dataset is never "cached"
        os.remove(meta_path)

    total = sum(splits.values())
    bar = _progress(total, progress, 'render')
    pool = None
    if num_workers > 0:
        ctx = mp.get_context(
            'fork' if 'fork' in mp.get_all_start_methods() else 'spawn')
        pool = ctx.Pool(num_workers, _init_worker, (cfg, ))
    else:
        _WORKER['renderer'] = renderer
    counts, files = {}, {}
    t0 = time.time()
    try:
        for split, n in splits.items():
            os.makedirs(osp.join(out_dir, 'imgs', split), exist_ok=True)
            if bar is not None:
                bar.set_description(f'render {split}')
            tasks = [(out_dir, split, i, seed, jpeg_quality, 0)
                     for i in range(n)]
            it = pool.imap(_render_one, tasks, chunksize=4) if pool else map(
                _render_one, tasks)
            data_list = []
            for info in it:
                data_list.append(info)
                if bar is not None:
                    bar.update(1)
            paths = write_views(data_list, out_dir, split, views, seed,
                                DEFAULT_METAINFO)
            files[split] = {v: osp.basename(p) for v, p in paths.items()}
            insts = [x for d in data_list for x in d['instances']]
            counts[split] = dict(
                images=n,
                instances=len(insts),
                curved=sum(len(x['polygon']) > 8 for x in insts),
                chars=sum(len(x['chars']) for x in insts),
                words_per_image=round(len(insts) / max(n, 1), 3))
    finally:
        if bar is not None:
            bar.close()
        if pool is not None:
            pool.close()
            pool.join()
        _WORKER.pop('renderer', None)
    elapsed = time.time() - t0
    meta = dict(
        generator='mmocr_vlp.datasets.synth',
        settings=settings,
        counts=counts,
        files=files,
        elapsed_s=round(elapsed, 2),
        images_per_s=round(total / max(elapsed, 1e-9), 2),
        num_workers=int(num_workers))
    dump_json(meta, meta_path)
    return meta


def _complete(out_dir: str, meta: dict) -> bool:
    for split, views in meta.get('files', {}).items():
        for name in views.values():
            if not osp.isfile(osp.join(out_dir, name)):
                return False
        n = meta['settings']['splits'].get(split, 0)
        if n and not osp.isfile(
                osp.join(out_dir, 'imgs', split, f'{split}_{n - 1:06d}.jpg')):
            return False
    return True


def ensure_synth_dataset(out_dir: str,
                         splits: Optional[Dict[str, int]] = None,
                         seed: int = 0,
                         img_size=(512, 512),
                         views: Sequence[str] = DEFAULT_VIEWS,
                         num_workers: int = 0,
                         progress: bool = True,
                         jpeg_quality: int = 90,
                         **render_cfg) -> dict:
    """Return the cached dataset in ``out_dir`` if its ``meta.json`` matches
    the requested settings (and its files exist), else render it.

    Same arguments as :func:`render_dataset`. The returned summary has
    ``cached=True`` when nothing was rendered.
    """
    splits = _check_splits(DEFAULT_SPLITS if splits is None else splits)
    meta_path = osp.join(out_dir, 'meta.json')
    if osp.isfile(meta_path):
        want = synth_settings(splits, seed, img_size, list(views),
                              jpeg_quality, **render_cfg)
        try:
            with open(meta_path, encoding='utf-8') as f:
                meta = json.load(f)
        except (OSError, ValueError):
            meta = {}
        if meta.get('settings') == want and _complete(out_dir, meta):
            return dict(meta, cached=True)
    meta = render_dataset(out_dir, splits, seed, img_size, views,
                          num_workers, progress, jpeg_quality, **render_cfg)
    return dict(meta, cached=False)
