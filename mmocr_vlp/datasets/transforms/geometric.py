# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Geometric transforms that move polygons, boxes and points together."""
import math
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmocr.registry import TRANSFORMS


def _affine_points(pts: np.ndarray, mat: np.ndarray) -> np.ndarray:
    """Apply a 2x3 affine matrix to an (N, 2) array (NaN rows stay NaN)."""
    return pts @ mat[:, :2].T + mat[:, 2]


def _apply_to_geometry(results: Dict, mat: np.ndarray) -> None:
    """Transform ``gt_polygons``, ``gt_bboxes`` and ``gt_points`` by ``mat``.

    Boxes become the bounds of their transformed corners (or of the
    transformed polygon when polygons are present).
    """
    if 'gt_polygons' in results:
        results['gt_polygons'] = [
            _affine_points(p.reshape(-1, 2), mat).reshape(-1).astype(
                np.float32) for p in results['gt_polygons']
        ]
    if 'gt_bboxes' in results and len(results['gt_bboxes']):
        if 'gt_polygons' in results:
            boxes = [[*p.reshape(-1, 2).min(0), *p.reshape(-1, 2).max(0)]
                     for p in results['gt_polygons']]
        else:
            b = results['gt_bboxes']
            corners = np.stack([b[:, [0, 1]], b[:, [2, 1]], b[:, [2, 3]],
                                b[:, [0, 3]]], axis=1)  # (N, 4, 2)
            c = _affine_points(corners.reshape(-1, 2), mat).reshape(-1, 4, 2)
            boxes = np.concatenate([c.min(1), c.max(1)], axis=1)
        results['gt_bboxes'] = np.asarray(
            boxes, dtype=np.float32).reshape(-1, 4)
    if 'gt_points' in results and len(results['gt_points']):
        results['gt_points'] = _affine_points(results['gt_points'],
                                              mat).astype(np.float32)


@TRANSFORMS.register_module()
class ResizePad(BaseTransform):
    """Aspect-preserving resize, then pad to a fixed canvas.

    The image is scaled by ``min(W / w, H / h)`` (times a random factor
    from ``ratio_range`` during training) so that it fits ``scale`` = (W, H),
    then padded at the bottom/right to exactly (W, H) with ``pad_val``.
    Polygons, boxes and points follow. Adds ``img_shape`` (the resized,
    unpadded size, i.e. the valid region), ``pad_shape``, ``scale_factor``
    (w, h) and ``valid_ratio`` (valid width / canvas width, valid height /
    canvas height) so models can build padding masks.

    With ``short_side`` set, the scale is instead chosen the DeepSolo /
    WeCromCL way: the short side becomes ``short_side`` (an int, or a
    random int in ``[lo, hi]`` for a (lo, hi) pair), then the image is shrunk
    if its long side would exceed ``max_long_side``; there is no fixed canvas
    (use ``pad=False`` with ``size_divisor``).

    Args:
        scale (tuple[int, int], optional): Canvas size (W, H). Required
            unless ``short_side`` is given.
        keep_ratio (bool): Keep the aspect ratio. If False the image is
            stretched to the canvas. Defaults to True.
        short_side (int | tuple[int, int], optional): Target short side
            (fixed or a random range), e.g. (640, 896).
        max_long_side (int, optional): Cap of the long side in
            ``short_side`` mode, e.g. 1280.
        pad (bool): Pad to the canvas. If False, only resize (the data
            preprocessor pads the batch). Defaults to True.
        pad_val (int | tuple): Padding value. Defaults to 0.
        ratio_range (tuple[float, float], optional): Random scale jitter of
            the fitted size, clipped so the image still fits the canvas.
        size_divisor (int, optional): With ``pad=False``, pad the image to
            a multiple of this (e.g. 32).
        interpolation (str): cv2 interpolation. Defaults to 'bilinear'.
    """

    _INTERP = dict(
        nearest=cv2.INTER_NEAREST,
        bilinear=cv2.INTER_LINEAR,
        bicubic=cv2.INTER_CUBIC,
        area=cv2.INTER_AREA)

    def __init__(self,
                 scale: Optional[Tuple[int, int]] = None,
                 keep_ratio: bool = True,
                 pad: bool = True,
                 pad_val=0,
                 ratio_range: Optional[Tuple[float, float]] = None,
                 size_divisor: Optional[int] = None,
                 interpolation: str = 'bilinear',
                 short_side=None,
                 max_long_side: Optional[int] = None) -> None:
        if short_side is not None:
            lo, hi = (short_side, short_side) if isinstance(
                short_side, int) else tuple(short_side)
            if not 0 < lo <= hi:
                raise ValueError(f'short_side must be > 0 (or a (lo, hi) '
                                 f'range), got {short_side}')
            if pad and scale is None:
                raise ValueError('short_side mode has no fixed canvas: use '
                                 'pad=False (with size_divisor)')
            self.short_range = (int(lo), int(hi))
            scale = scale or (1, 1)  # unused in short-side mode
        else:
            self.short_range = None
            if scale is None:
                raise ValueError('ResizePad needs scale=(W, H) or '
                                 'short_side')
        if len(scale) != 2 or min(scale) <= 0:
            raise ValueError(f'scale must be (W, H) > 0, got {scale}')
        self.max_long_side = max_long_side
        if interpolation not in self._INTERP:
            raise ValueError(f'interpolation must be one of '
                             f'{list(self._INTERP)}, got {interpolation!r}')
        self.scale = tuple(int(s) for s in scale)
        self.keep_ratio = keep_ratio
        self.pad = pad
        self.pad_val = pad_val
        self.ratio_range = ratio_range
        self.size_divisor = size_divisor
        self.interpolation = interpolation

    def transform(self, results: Dict) -> Dict:
        img = results['img']
        h, w = img.shape[:2]
        W, H = self.scale
        if self.short_range is not None:
            lo, hi = self.short_range
            target = lo if lo == hi else np.random.randint(lo, hi + 1)
            s = target / min(h, w)
            if self.max_long_side and max(h, w) * s > self.max_long_side:
                s = self.max_long_side / max(h, w)
            sx = sy = s
        elif self.keep_ratio:
            s = min(W / w, H / h)
            sx = sy = s
            if self.ratio_range is not None:
                r = np.random.uniform(*self.ratio_range)
                sx = sy = min(s * r, s)  # never overflow the canvas
        else:
            sx, sy = W / w, H / h
        nw, nh = max(1, int(round(w * sx))), max(1, int(round(h * sy)))
        sx, sy = nw / w, nh / h
        img = cv2.resize(img, (nw, nh),
                         interpolation=self._INTERP[self.interpolation])
        mat = np.array([[sx, 0, 0], [0, sy, 0]], dtype=np.float64)
        _apply_to_geometry(results, mat)
        if self.pad:
            pw, ph = W, H
        elif self.size_divisor:
            d = self.size_divisor
            pw, ph = int(math.ceil(nw / d) * d), int(math.ceil(nh / d) * d)
        else:
            pw, ph = nw, nh
        if (pw, ph) != (nw, nh):
            img = cv2.copyMakeBorder(
                img, 0, ph - nh, 0, pw - nw, cv2.BORDER_CONSTANT,
                value=self.pad_val)
        results['img'] = img
        results['img_shape'] = (nh, nw)
        results['pad_shape'] = (ph, pw)
        old = results.get('scale_factor', (1.0, 1.0))
        results['scale_factor'] = (old[0] * sx, old[1] * sy)
        results['valid_ratio'] = (nw / pw, nh / ph)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.scale}, '
                f'keep_ratio={self.keep_ratio}, pad={self.pad}, '
                f'ratio_range={self.ratio_range}, '
                f'short_side={self.short_range}, '
                f'max_long_side={self.max_long_side})')


@TRANSFORMS.register_module()
class RandomRotateWithPoints(BaseTransform):
    """Rotate the image, polygons, boxes and points by a random angle.

    The canvas grows to hold the whole rotated image (``expand=True``), so
    no word is cut - the augmentation SRSTS-A / WeCromCL use instead of
    random cropping.

    Args:
        max_angle (float): Angle drawn uniformly in [-max_angle, max_angle]
            degrees. Defaults to 10.
        prob (float): Probability of rotating. Defaults to 0.5.
        expand (bool): Grow the canvas to fit. Defaults to True.
        pad_val (int | tuple): Fill value. Defaults to 0.
    """

    def __init__(self,
                 max_angle: float = 10.,
                 prob: float = 0.5,
                 expand: bool = True,
                 pad_val=0) -> None:
        self.max_angle = max_angle
        self.prob = prob
        self.expand = expand
        self.pad_val = pad_val

    def transform(self, results: Dict) -> Dict:
        if np.random.rand() >= self.prob:
            return results
        angle = np.random.uniform(-self.max_angle, self.max_angle)
        img = results['img']
        h, w = img.shape[:2]
        mat = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        nw, nh = w, h
        if self.expand:
            c, s = abs(mat[0, 0]), abs(mat[0, 1])
            nw, nh = int(math.ceil(h * s + w * c)), int(math.ceil(h * c +
                                                                 w * s))
            mat[0, 2] += nw / 2 - w / 2
            mat[1, 2] += nh / 2 - h / 2
        results['img'] = cv2.warpAffine(
            img, mat, (nw, nh), borderValue=self.pad_val)
        results['img_shape'] = (nh, nw)
        _apply_to_geometry(results, mat)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_angle={self.max_angle}, '
                f'prob={self.prob}, expand={self.expand})')


@TRANSFORMS.register_module()
class RandomGaussianBlur(BaseTransform):
    """Gaussian blur with a random odd kernel size (photometric only).

    Args:
        kernel_sizes (Sequence[int]): Odd kernel sizes to draw from.
        prob (float): Probability of blurring. Defaults to 0.3.
    """

    def __init__(self, kernel_sizes: Sequence[int] = (3, 5),
                 prob: float = 0.3) -> None:
        if any(k % 2 == 0 or k < 1 for k in kernel_sizes):
            raise ValueError(f'kernel sizes must be odd, got {kernel_sizes}')
        self.kernel_sizes = tuple(kernel_sizes)
        self.prob = prob

    def transform(self, results: Dict) -> Dict:
        if np.random.rand() < self.prob:
            k = int(np.random.choice(self.kernel_sizes))
            results['img'] = cv2.GaussianBlur(results['img'], (k, k), 0)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(kernel_sizes='
                f'{self.kernel_sizes}, prob={self.prob})')
