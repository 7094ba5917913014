# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Shared machinery of the dataset converters.

Every converter turns a dataset's own annotation files into mmocr's
OCRDataset JSON (see ``docs/architecture.md``)::

    {"metainfo": {...}, "data_list": [{"img_path", "height", "width",
                                       "instances": [...]}]}

and reports what it did in a :class:`ConvertReport`: images, instances,
ignored instances and, per reason, what was skipped. Malformed input raises
a :class:`ConversionError` naming the file and the line (or field), or, with
``on_error='skip'``, is logged and counted.
"""
import json
import logging
import os
import os.path as osp
from collections import Counter
from typing import (Callable, Dict, Iterable, List, Optional, Sequence,
                    Tuple)

import numpy as np

from ..schema import IGNORE_TEXT
from mmocr_vlp.utils.polygon_utils import (as_points, bbox_to_polygon,
                                          polygon_center, polygon_to_bbox)

logger = logging.getLogger('mmocr_vlp.converters')

IMG_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.gif', '.tif', '.tiff')
DEFAULT_METAINFO = {
    'dataset_type': 'TextDetDataset',
    'task_name': 'textdet',
    'category': [{
        'id': 0,
        'name': 'text'
    }],
}


class ConversionError(ValueError):
    """Malformed source annotation; the message names file and line/field."""


class ConvertReport:
    """Counts and error policy of one conversion.

    Args:
        on_error (str): ``'raise'`` (default) raises a
            :class:`ConversionError` at the first malformed item;
            ``'skip'`` drops the item (an instance for a bad line, an image
            for a bad file or a missing image), logs the first
            ``max_logged`` messages and counts every skip by reason.
        max_logged (int): How many skip messages to log and keep.
    """

    def __init__(self, on_error: str = 'raise', max_logged: int = 20) -> None:
        if on_error not in ('raise', 'skip'):
            raise ValueError(
                f"on_error must be 'raise' or 'skip', got {on_error!r}")
        self.on_error = on_error
        self.max_logged = max_logged
        self.images = 0
        self.instances = 0
        self.ignored = 0
        self.no_text = 0
        self.skipped_instances: Counter = Counter()
        self.skipped_images: Counter = Counter()
        self.messages: List[str] = []

    # ------------------------------------------------------------ errors
    def error(self, reason: str, msg: str, image_level: bool = False) -> None:
        """Raise, or count and log, one malformed item.

        Args:
            reason (str): Short key for the summary (``bad_coords``, ...).
            msg (str): Full message, naming file and line/field.
            image_level (bool): Whether a whole image is dropped (otherwise
                one instance).
        """
        if self.on_error == 'raise':
            raise ConversionError(msg)
        (self.skipped_images
         if image_level else self.skipped_instances)[reason] += 1
        n = sum(self.skipped_images.values()) + sum(
            self.skipped_instances.values())
        if n <= self.max_logged:
            self.messages.append(msg)
            logger.warning('skipped (%s): %s', reason, msg)
        elif n == self.max_logged + 1:
            logger.warning('more skips follow; only counting them now')

    # ----------------------------------------------------------- counting
    def add_image(self, data_info: dict) -> None:
        self.images += 1
        for inst in data_info['instances']:
            self.instances += 1
            self.ignored += bool(inst.get('ignore'))
            self.no_text += 'text' not in inst

    def as_dict(self) -> dict:
        return dict(
            images=self.images,
            instances=self.instances,
            ignored=self.ignored,
            legible=self.instances - self.ignored,
            instances_without_text=self.no_text,
            skipped_images=dict(self.skipped_images),
            skipped_instances=dict(self.skipped_instances))

    def summary(self) -> str:
        d = self.as_dict()
        lines = [
            f"images: {d['images']}", f"instances: {d['instances']} "
            f"(ignored: {d['ignored']}, legible: {d['legible']})"
        ]
        if self.no_text:
            lines.append(f'instances without text: {self.no_text}')
        for name, c in (('skipped images', self.skipped_images),
                        ('skipped instances', self.skipped_instances)):
            total = sum(c.values())
            detail = ', '.join(f'{k}={v}' for k, v in sorted(c.items()))
            lines.append(f'{name}: {total}' +
                         (f' ({detail})' if total else ''))
        return '\n'.join(lines)


# ------------------------------------------------------------- instances
def make_instance(polygon: Optional[Sequence[float]] = None,
                  text: Optional[str] = None,
                  ignore: bool = False,
                  bbox: Optional[Sequence[float]] = None,
                  add_point: bool = False) -> dict:
    """Build one normalised instance.

    ``polygon`` (flat or ``(N, 2)``, at least 3 points) and ``bbox``
    (``[x1, y1, x2, y2]``) fill each other in: a missing bbox is the polygon
    bounds, a missing polygon is the box's 4 corners. Without either, the
    instance is transcription-only. ``text == '###'`` implies ``ignore``.
    ``add_point`` adds the SPTS centre (:func:`polygon_center`) as
    ``point`` with ``point_source='gt'``.

    Raises:
        ValueError: on a malformed polygon or bbox (the caller adds where).
    """
    inst: dict = {}
    if polygon is not None:
        pts = as_points(polygon)
        if len(pts) < 3:
            raise ValueError(
                f'polygon needs at least 3 points, got {len(pts)}')
        inst['polygon'] = [float(v) for v in pts.reshape(-1)]
    if bbox is not None:
        b = np.asarray(bbox, dtype=np.float64).reshape(-1)
        if b.size != 4 or not np.isfinite(b).all():
            raise ValueError(f'bbox must be 4 finite numbers, got {bbox}')
        if b[2] < b[0] or b[3] < b[1]:
            raise ValueError(f'bbox must satisfy x1 <= x2 and y1 <= y2, got '
                             f'{b.tolist()}')
        inst['bbox'] = [float(v) for v in b]
        if 'polygon' not in inst:
            inst['polygon'] = bbox_to_polygon(inst['bbox'])
    elif 'polygon' in inst:
        inst['bbox'] = polygon_to_bbox(inst['polygon'])
    if 'polygon' in inst or 'bbox' in inst:
        inst['bbox_label'] = 0
    if text is not None:
        if not isinstance(text, str):
            raise ValueError(f'text must be a string, got {text!r}')
        inst['text'] = text
    inst['ignore'] = bool(ignore) or text == IGNORE_TEXT
    if add_point and 'polygon' in inst:
        x, y = polygon_center(inst['polygon'])
        inst['point'] = [x, y]
        inst['point_source'] = 'gt'
    return inst


# ----------------------------------------------------------------- images
def image_size(path: str) -> Tuple[int, int]:
    """``(height, width)`` from the image header (no full decode).

    EXIF orientations that rotate by 90 degrees swap the two, matching what
    OpenCV/mmcv decode.
    """
    from PIL import Image
    with Image.open(path) as img:
        w, h = img.size
        try:
            orient = img.getexif().get(0x0112, 1)
        except Exception:  # noqa: BLE001 - broken EXIF is not our problem
            orient = 1
    if orient in (5, 6, 7, 8):
        w, h = h, w
    return int(h), int(w)


class ImageIndex:
    """Find images under a directory by file stem (recursive, built lazily).

    Args:
        img_dir (str): Root to search.
        exts (Sequence[str]): Image extensions (any letter case), in order
            of preference.
    """

    def __init__(self, img_dir: str, exts: Sequence[str] = IMG_EXTS) -> None:
        self.img_dir = img_dir
        self.exts = tuple(dict.fromkeys(e.lower() for e in exts))
        self._index: Optional[Dict[str, List[str]]] = None

    def _build(self) -> Dict[str, List[str]]:
        if not osp.isdir(self.img_dir):
            raise FileNotFoundError(
                f'image directory {self.img_dir!r} does not exist (pass '
                f'--no-check-images to convert without images)')
        index: Dict[str, List[str]] = {}
        for root, dirs, files in os.walk(self.img_dir, followlinks=True):
            dirs.sort()
            for f in sorted(files):
                stem, ext = osp.splitext(f)
                if ext.lower() in self.exts:
                    index.setdefault(stem, []).append(osp.join(root, f))
        for paths in index.values():
            # top-level first, then by preferred extension
            paths.sort(key=lambda p: (p.count(os.sep), self.exts.index(
                osp.splitext(p)[1].lower()), p))
        return index

    def find(self, stem: str) -> Optional[str]:
        """Path of the image with this stem, or None."""
        if self._index is None:
            self._index = self._build()
        paths = self._index.get(stem)
        return paths[0] if paths else None


def rel_path(path: str, data_root: str) -> str:
    """``path`` relative to ``data_root``, with forward slashes."""
    return osp.relpath(path, data_root).replace(os.sep, '/')


def make_data_info(img_file: str,
                   instances: List[dict],
                   data_root: str,
                   report: ConvertReport,
                   check_images: bool = True,
                   size: Optional[Tuple[int, int]] = None,
                   where: str = '') -> Optional[dict]:
    """One ``data_list`` entry, or None if its image is missing (skip mode).

    Args:
        img_file (str): Image path (absolute or relative to the cwd).
        instances (list[dict]): From :func:`make_instance`.
        data_root (str): ``img_path`` is written relative to it.
        report (ConvertReport): Counts / error policy.
        check_images (bool): Require the image and read its size from the
            header; otherwise ``size`` (or ``None``) is written.
        size (tuple, optional): Known ``(height, width)``.
        where (str): Annotation file the entry comes from (for messages).
    """
    if check_images:
        if not osp.isfile(img_file):
            report.error(
                'missing_image',
                f'{where}: image {img_file!r} not found (pass '
                f'--no-check-images to convert without images)',
                image_level=True)
            return None
        if size is None:
            try:
                size = image_size(img_file)
            except Exception as e:  # noqa: BLE001
                report.error(
                    'unreadable_image',
                    f'{where}: cannot read the header of image '
                    f'{img_file!r}: {e}',
                    image_level=True)
                return None
    height, width = size if size is not None else (None, None)
    info = dict(
        img_path=rel_path(img_file, data_root),
        height=height,
        width=width,
        instances=instances)
    report.add_image(info)
    return info


# ----------------------------------------------------------------- output
def dump_ocr_json(data_list: List[dict],
                  out_file: str,
                  metainfo: Optional[dict] = None) -> None:
    """Write an mmocr OCRDataset JSON file (creating its directory)."""
    out_dir = osp.dirname(osp.abspath(out_file))
    os.makedirs(out_dir, exist_ok=True)
    with open(out_file, 'w', encoding='utf-8') as f:
        json.dump(
            dict(metainfo=dict(metainfo or DEFAULT_METAINFO),
                 data_list=data_list),
            f,
            ensure_ascii=False)


_PROGRESS = {'enabled': True}


def set_progress(enabled: bool) -> None:
    """Turn the converters' progress bars on or off."""
    _PROGRESS['enabled'] = bool(enabled)


def progress(items: Iterable,
             total: Optional[int] = None,
             desc: str = '',
             min_total: int = 200) -> Iterable:
    """Wrap ``items`` in a progress bar (tqdm, else rich) when there are
    many."""
    if not _PROGRESS['enabled']:
        return items
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    if total is not None and total < min_total:
        return items
    try:
        from tqdm import tqdm
    except ImportError:
        try:  # rich ships with mmengine
            from rich.progress import track
        except ImportError:
            return items
        return track(items, total=total, description=desc or 'converting')
    return tqdm(items, total=total, desc=desc, unit='img')


def list_ann_files(ann_dir: str, suffix: str) -> List[str]:
    """Sorted annotation files with ``suffix`` directly in ``ann_dir``."""
    if not osp.isdir(ann_dir):
        raise FileNotFoundError(
            f'annotation directory {ann_dir!r} does not exist')
    files = sorted(
        osp.join(ann_dir, f) for f in os.listdir(ann_dir)
        if f.lower().endswith(suffix.lower())
        and osp.isfile(osp.join(ann_dir, f)))
    if not files:
        raise FileNotFoundError(
            f'no "*{suffix}" annotation files in {ann_dir!r}')
    return files


def convert_per_image_files(
        ann_files: Sequence[str],
        parse_file: Callable[[str, ConvertReport], List[dict]],
        image_stem: Callable[[str], str],
        img_dir: str,
        data_root: Optional[str],
        report: ConvertReport,
        check_images: bool = True,
        img_ext: str = '.jpg',
        desc: str = '') -> List[dict]:
    """Shared driver for datasets with one annotation file per image.

    Args:
        ann_files: Annotation files.
        parse_file: ``(path, report) -> instances``; raises
            :class:`ConversionError` for a file it cannot read at all.
        image_stem: Annotation path -> image file stem (``gt_img_1.txt`` ->
            ``img_1``).
        img_dir: Where the images are (searched recursively by stem).
        data_root: ``img_path`` is written relative to it (default:
            ``img_dir``).
        report: Counts / error policy.
        check_images: See :func:`make_data_info`. Without images the
            path is ``img_dir/<stem><img_ext>``.
        img_ext: Extension assumed when images are not checked.
        desc: Progress bar label.
    """
    data_root = img_dir if data_root is None else data_root
    index = ImageIndex(img_dir)
    data_list = []
    for ann in progress(ann_files, desc=desc):
        try:
            instances = parse_file(ann, report)
        except ConversionError as e:
            report.error('bad_file', str(e), image_level=True)
            continue
        stem = image_stem(ann)
        if check_images:
            img_file = index.find(stem)
            if img_file is None:
                report.error(
                    'missing_image',
                    f'{ann}: no image named {stem!r} (any of '
                    f'{"/".join(IMG_EXTS)}) '
                    f'under {img_dir!r} (pass --no-check-images to convert '
                    f'without images)',
                    image_level=True)
                continue
        else:
            img_file = osp.join(img_dir, stem + img_ext)
        info = make_data_info(img_file, instances, data_root, report,
                              check_images, where=ann)
        if info is not None:
            data_list.append(info)
    return data_list
