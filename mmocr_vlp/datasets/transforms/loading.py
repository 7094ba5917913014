# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Image and annotation loading that survives bad input."""
import os.path as osp
from collections import Counter
from typing import Dict, Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.logging import print_log
from mmocr.datasets.transforms import LoadImageFromFile
from mmocr.registry import TRANSFORMS


class ImageLoadError(IOError):
    """An image that cannot be read; the message names the file."""


def truncation_error(path: str) -> Optional[str]:
    """Why a local JPEG / PNG file is cut short, or None if it looks whole.

    OpenCV decodes a truncated JPEG without an error (the missing rows come
    out grey, with a libjpeg warning on stderr only), so the loader checks
    the end of the file: a JPEG must end with its EOI marker, a PNG with its
    IEND chunk. A JPEG followed by extra data (some cameras append some) is
    confirmed with Pillow's full decode before it is called truncated. Two
    small reads per image; non-local paths are not checked.
    """
    if not osp.isfile(path):
        return None
    with open(path, 'rb') as f:
        head = f.read(8)
        f.seek(0, 2)
        f.seek(max(f.tell() - 64, 0))
        tail = f.read().rstrip(b'\x00\r\n ')
    if head[:2] == b'\xff\xd8':
        if tail.endswith(b'\xff\xd9'):
            return None
        try:
            from PIL import Image
            with Image.open(path) as im:
                im.load()
        except Exception as e:  # noqa: BLE001  ('image file is truncated')
            return f'truncated JPEG (no end-of-image marker; {e})'
        return None
    if head == b'\x89PNG\r\n\x1a\n' and b'IEND' not in tail:
        return 'truncated PNG (no IEND chunk)'
    return None


@TRANSFORMS.register_module()
class SafeLoadImageFromFile(LoadImageFromFile):
    """mmocr's ``LoadImageFromFile`` with a policy for unreadable images.

    A missing, empty, corrupt or truncated (:func:`truncation_error`) image
    either raises :class:`ImageLoadError` naming the file
    (``on_error='raise'``) or is logged, counted in :attr:`skipped` and
    skipped (``on_error='skip'``): the transform returns ``None`` and
    mmengine's ``BaseDataset`` draws another sample, so an epoch never dies
    on one bad file.

    Args:
        on_error (str): ``'raise'`` or ``'skip'``. Defaults to ``'skip'``.
        **kwargs: Passed to mmocr's ``LoadImageFromFile``.
    """

    #: Per-process count of skipped images, by file name.
    skipped: Counter = Counter()

    def __init__(self, on_error: str = 'skip', **kwargs) -> None:
        if on_error not in ('raise', 'skip'):
            raise ValueError(f"on_error must be 'raise' or 'skip', got "
                             f'{on_error!r}')
        kwargs.pop('ignore_empty', None)
        super().__init__(ignore_empty=False, **kwargs)
        self.on_error = on_error

    def transform(self, results: Dict) -> Optional[Dict]:
        filename = results.get('img_path', '<no img_path>')
        try:
            out = super().transform(results)
            if out is None:  # mmocr returns None for images below min_size
                raise ImageLoadError('smaller than min_size')
            reason = truncation_error(filename)
            if reason is not None:
                raise ImageLoadError(reason)
            return out
        except Exception as e:  # noqa: BLE001  (any decoder error)
            msg = f'cannot load image {filename!r}: {type(e).__name__}: {e}'
            if self.on_error == 'raise':
                raise ImageLoadError(msg) from e
            SafeLoadImageFromFile.skipped[filename] += 1
            n = sum(SafeLoadImageFromFile.skipped.values())
            print_log(f'{msg} -> skipped (skipped images so far: {n})',
                      logger='current', level=30)
            return None


@TRANSFORMS.register_module()
class LoadWeakAnnotations(BaseTransform):
    """Load the instances of a :class:`WeakTextDataset` entry.

    Always loads ``gt_texts`` and ``gt_ignored``; loads locations only when
    present: ``gt_polygons`` (if every instance has a polygon), ``gt_bboxes``
    (from ``bbox``, or polygon bounds), ``gt_points`` (NaN for instances
    without a point) and ``gt_point_scores``. Optionally filters out
    don't-care instances.

    Args:
        with_polygon (bool): Load polygons when available. Defaults to True.
        with_bbox (bool): Load boxes when available. Defaults to True.
        with_point (bool): Load points. Defaults to True.
        require (tuple[str]): Location kinds that must be present for every
            instance (``'polygon'``, ``'bbox'``, ``'point'``); an entry
            without them raises an error naming the image. Defaults to ().
        drop_ignored (bool): Remove don't-care instances. Defaults to False.
    """

    def __init__(self,
                 with_polygon: bool = True,
                 with_bbox: bool = True,
                 with_point: bool = True,
                 require: tuple = (),
                 drop_ignored: bool = False) -> None:
        self.with_polygon = with_polygon
        self.with_bbox = with_bbox
        self.with_point = with_point
        for r in require:
            if r not in ('polygon', 'bbox', 'point'):
                raise ValueError(f'require: unknown location kind {r!r}')
        self.require = tuple(require)
        self.drop_ignored = drop_ignored

    def transform(self, results: Dict) -> Dict:
        instances = results.get('instances', [])
        if self.drop_ignored:
            instances = [i for i in instances if not i.get('ignore', False)]
        for r in self.require:
            for k, inst in enumerate(instances):
                if inst.get(r) is None:
                    raise KeyError(
                        f'image {results.get("img_path")!r}: instances[{k}] '
                        f'has no "{r}" but the pipeline requires it')
        n = len(instances)
        results['gt_texts'] = [i.get('text', '') or '' for i in instances]
        results['gt_ignored'] = np.array(
            [bool(i.get('ignore', False)) for i in instances], dtype=bool)
        results['gt_bboxes_labels'] = np.array(
            [i.get('bbox_label', 0) for i in instances], dtype=np.int64)
        has_poly = n > 0 and all(i.get('polygon') is not None
                                 for i in instances)
        if self.with_polygon and has_poly:
            results['gt_polygons'] = [
                np.asarray(i['polygon'], dtype=np.float32) for i in instances
            ]
        if self.with_bbox and n > 0:
            boxes = []
            for i in instances:
                if i.get('bbox') is not None:
                    boxes.append(i['bbox'])
                elif i.get('polygon') is not None:
                    p = np.asarray(i['polygon'], dtype=np.float32).reshape(
                        -1, 2)
                    boxes.append([*p.min(0), *p.max(0)])
                else:
                    boxes = None
                    break
            if boxes is not None:
                results['gt_bboxes'] = np.asarray(
                    boxes, dtype=np.float32).reshape(-1, 4)
        if self.with_point:
            pts = np.full((n, 2), np.nan, dtype=np.float32)
            scores = np.zeros(n, dtype=np.float32)
            for k, i in enumerate(instances):
                if i.get('point') is not None:
                    pts[k] = i['point']
                    scores[k] = i.get('point_score', 1.0)
            results['gt_points'] = pts
            results['gt_point_scores'] = scores
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(with_polygon={self.with_polygon}, '
                f'with_bbox={self.with_bbox}, with_point={self.with_point}, '
                f'require={self.require}, drop_ignored={self.drop_ignored})')
