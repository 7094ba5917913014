# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""torchvision's ``ColorJitter`` without torchvision."""
import numbers
import warnings
from typing import Dict, Optional, Sequence, Tuple, Union

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmocr.registry import TRANSFORMS

Jitter = Union[float, Sequence[float]]


def _saturation(img: np.ndarray,
                factor: float,
                backend: str = 'pillow') -> np.ndarray:
    """``mmcv.adjust_color`` (PIL ``ImageEnhance.Color``) without its
    per-call warning about the pillow backend ignoring ``beta``/``gamma``,
    which are not used here."""
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', message="Only use 'alpha'")
        return mmcv.adjust_color(img, factor, backend=backend)


@TRANSFORMS.register_module()
class ColorJitter(BaseTransform):
    """Randomly change brightness, contrast, saturation and hue, exactly as
    ``torchvision.transforms.ColorJitter`` does on the PIL images that
    mmocr's ``TorchVisionWrapper(op='ColorJitter', ...)`` hands it, but
    without torchvision.

    Each call draws the brightness, contrast and saturation factors
    uniformly from their ranges, the hue shift from its range, and applies
    the four adjustments in a random order (a factor of 1 and a shift of 0
    change nothing; a parameter of 0 leaves its adjustment out). The
    adjustments are mmcv's pillow-backend functions, i.e. the PIL operations
    torchvision's ``functional_pil`` uses:

    - brightness: blend with black (``mmcv.adjust_brightness``,
      ``ImageEnhance.Brightness``);
    - contrast: blend with the mean of the grayscale image, rounded
      (``mmcv.adjust_contrast``, ``ImageEnhance.Contrast``);
    - saturation: blend with the grayscale image (``mmcv.adjust_color``,
      ``ImageEnhance.Color``);
    - hue: cyclic shift of the 8-bit H channel in HSV by
      ``uint8(hue * 255)`` (``mmcv.adjust_hue``).

    Images are mmocr's BGR ``uint8`` arrays (H, W, 3); the functions convert
    to RGB and back, so a channel is adjusted as the colour it is. The
    random numbers come from numpy's global generator (seeded by mmengine
    per worker) rather than torch's, so a seed gives other draws than
    torchvision but the same distribution.

    Required Keys:

    - img (ndarray): BGR, uint8, (H, W, 3).

    Modified Keys:

    - img

    Args:
        brightness (float | tuple[float, float]): How much to jitter
            brightness: a factor drawn from ``[max(0, 1 - brightness),
            1 + brightness]``, or from ``[min, max]`` given as a pair.
            Defaults to 0.
        contrast (float | tuple[float, float]): Same for contrast.
            Defaults to 0.
        saturation (float | tuple[float, float]): Same for saturation.
            Defaults to 0.
        hue (float | tuple[float, float]): How much to shift hue: a shift
            drawn from ``[-hue, hue]`` (0 <= hue <= 0.5), or from
            ``[min, max]`` with -0.5 <= min <= max <= 0.5. Defaults to 0.
    """

    def __init__(self,
                 brightness: Jitter = 0.,
                 contrast: Jitter = 0.,
                 saturation: Jitter = 0.,
                 hue: Jitter = 0.) -> None:
        self.brightness = self._check_input(brightness, 'brightness')
        self.contrast = self._check_input(contrast, 'contrast')
        self.saturation = self._check_input(saturation, 'saturation')
        self.hue = self._check_input(hue,
                                     'hue',
                                     center=0.,
                                     bound=(-0.5, 0.5),
                                     clip_first_on_zero=False)

    @staticmethod
    def _check_input(
            value: Jitter,
            name: str,
            center: float = 1.,
            bound: Tuple[float, float] = (0., float('inf')),
            clip_first_on_zero: bool = True) -> Optional[Tuple[float, float]]:
        """The range to draw from, or None for "leave out" (torchvision's
        rules: a number x gives ``[center - x, center + x]``, the lower end
        clipped at 0 for factors; a pair is used as given)."""
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(
                    f'ColorJitter: {name}={value}: a single number must be '
                    f'non-negative')
            lo, hi = center - float(value), center + float(value)
            if clip_first_on_zero:
                lo = max(lo, 0.)
        elif isinstance(value, (tuple, list)) and len(value) == 2:
            lo, hi = float(value[0]), float(value[1])
        else:
            raise TypeError(f'ColorJitter: {name}={value!r}: expected a '
                            f'number or a (min, max) pair')
        if not bound[0] <= lo <= hi <= bound[1]:
            raise ValueError(f'ColorJitter: {name}={value!r}: the range '
                             f'({lo}, {hi}) must be ordered and within '
                             f'{bound}')
        return None if lo == hi == center else (lo, hi)

    @cache_randomness
    def _random_params(self) -> Tuple[np.ndarray, Tuple[Optional[float]]]:
        """The order of the four adjustments (0 brightness, 1 contrast,
        2 saturation, 3 hue) and their factors (None: left out)."""
        order = np.random.permutation(4)
        factors = tuple(None if r is None else float(np.random.uniform(*r))
                        for r in (self.brightness, self.contrast,
                                  self.saturation, self.hue))
        return order, factors

    def transform(self, results: Dict) -> Dict:
        """Jitter ``results['img']``."""
        img = results['img']
        if not isinstance(img, np.ndarray) or img.dtype != np.uint8 or \
                img.ndim != 3 or img.shape[2] != 3:
            desc = (f'{img.dtype} array of shape {img.shape}' if isinstance(
                img, np.ndarray) else type(img).__name__)
            raise TypeError(
                f'ColorJitter: field "img" of {results.get("img_path")!r} '
                f'must be a uint8 BGR array of shape (H, W, 3), got {desc}')
        order, factors = self._random_params()
        adjust = (mmcv.adjust_brightness, mmcv.adjust_contrast, _saturation,
                  mmcv.adjust_hue)
        for i in order:
            if factors[i] is not None:
                img = adjust[i](img, factors[i], backend='pillow')
        results['img'] = np.ascontiguousarray(img)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(brightness={self.brightness}, '
                f'contrast={self.contrast}, saturation={self.saturation}, '
                f'hue={self.hue})')
