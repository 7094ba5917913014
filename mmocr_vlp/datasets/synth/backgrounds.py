# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Procedural, non-flat backgrounds: gradients, multi-octave value noise,
stripes/tiles/bricks, wood/marble, blobs; plus clutter shapes and tiny
distractor glyph strings that are *not* annotated."""
from typing import Sequence, Tuple

import cv2
import numpy as np

BACKGROUND_KINDS = ('gradient', 'noise', 'pattern', 'marble', 'blobs')


def _rand_color(rng, lo: int = 0, hi: int = 256) -> np.ndarray:
    return rng.integers(lo, hi, 3).astype(np.float32)


def _value_noise(rng, h: int, w: int, octaves: Sequence[int] = (4, 8, 16),
                 persistence: float = 0.5) -> np.ndarray:
    """Smooth noise in [0, 1], shape (h, w), float32."""
    out = np.zeros((h, w), np.float32)
    amp, tot = 1.0, 0.0
    for cells in octaves:
        gh = max(2, int(round(cells * h / max(h, w))))
        gw = max(2, int(round(cells * w / max(h, w))))
        grid = rng.random((gh, gw), dtype=np.float32)
        out += amp * cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)
        tot += amp
        amp *= persistence
    out /= tot
    lo, hi = out.min(), out.max()
    return (out - lo) / max(hi - lo, 1e-6)


def _ramp(t: np.ndarray, colors: Sequence[np.ndarray]) -> np.ndarray:
    """Map t in [0, 1] (h, w) to a piecewise linear colour ramp (256-entry
    look-up table, float32 BGR output)."""
    cols = np.stack(colors).astype(np.float32)  # (k, 3)
    knots = np.linspace(0, 255, len(cols))
    x = np.arange(256)
    lut = np.stack([np.interp(x, knots, cols[:, c]) for c in range(3)], 1)
    lut = np.clip(lut + 0.5, 0, 255).astype(np.uint8).reshape(256, 1, 3)
    t8 = np.clip(t * 255 + 0.5, 0, 255).astype(np.uint8)
    return cv2.LUT(cv2.merge([t8, t8, t8]), lut).astype(np.float32)


def _palette(rng, n: int) -> list:
    """``n`` related colours (a base colour with moderate variation)."""
    base = _rand_color(rng, 20, 236)
    spread = rng.uniform(30, 110)
    return [
        np.clip(base + rng.uniform(-spread, spread, 3), 0, 255)
        for _ in range(n)
    ]


def gradient(rng, h: int, w: int) -> np.ndarray:
    c0, c1 = _palette(rng, 2)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if rng.random() < 0.7:
        a = rng.uniform(0, 2 * np.pi)
        t = xx * np.cos(a) + yy * np.sin(a)
    else:
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        t = np.sqrt((xx - cx)**2 + (yy - cy)**2)
    t = (t - t.min()) / max(t.max() - t.min(), 1e-6)
    return _ramp(t, [c0, c1])


def noise(rng, h: int, w: int) -> np.ndarray:
    oct0 = int(rng.integers(2, 8))
    t = _value_noise(rng, h, w, (oct0, oct0 * 3, oct0 * 9),
                     rng.uniform(0.3, 0.7))
    return _ramp(t, _palette(rng, int(rng.integers(2, 4))))


def pattern(rng, h: int, w: int) -> np.ndarray:
    c0, c1 = _palette(rng, 2)
    kind = int(rng.integers(3))
    if kind == 0:  # stripes
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        a = rng.uniform(0, np.pi)
        period = rng.uniform(0.03, 0.2) * max(h, w)
        t = 0.5 + 0.5 * np.sin(
            (xx * np.cos(a) + yy * np.sin(a)) * 2 * np.pi / period)
        if rng.random() < 0.5:
            t = (t > 0.5).astype(np.float32)
        img = _ramp(t, [c0, c1])
    elif kind == 1:  # checker / tiles
        s = max(4, int(rng.uniform(0.04, 0.2) * max(h, w)))
        yy, xx = np.mgrid[0:h, 0:w]
        t = (((xx // s) + (yy // s)) % 2).astype(np.float32)
        img = _ramp(t, [c0, c1])
    else:  # bricks / grid lines
        img = np.empty((h, w, 3), np.float32)
        img[:] = c0
        bh = max(6, int(rng.uniform(0.04, 0.12) * h))
        bw = bh * int(rng.integers(2, 4))
        th = max(1, bh // 8)
        col = tuple(float(v) for v in c1)
        for r, y in enumerate(range(0, h, bh)):
            cv2.line(img, (0, y), (w, y), col, th)
            off = (bw // 2) * (r % 2)
            for x in range(-off, w, bw):
                cv2.line(img, (x, y), (x, y + bh), col, th)
    return img


def marble(rng, h: int, w: int) -> np.ndarray:
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    turb = _value_noise(rng, h, w, (4, 8, 16))
    a = rng.uniform(0, np.pi)
    freq = rng.uniform(2, 10) * 2 * np.pi / max(h, w)
    t = 0.5 + 0.5 * np.sin((xx * np.cos(a) + yy * np.sin(a)) * freq +
                           rng.uniform(3, 10) * turb)
    return _ramp(t, _palette(rng, 3))


def blobs(rng, h: int, w: int) -> np.ndarray:
    img = np.empty((h, w, 3), np.float32)
    img[:] = _rand_color(rng, 30, 226)
    s = max(h, w)
    for _ in range(int(rng.integers(6, 20))):
        c = tuple(float(v) for v in _rand_color(rng))
        ctr = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        ax = (int(rng.uniform(0.03, 0.3) * s), int(rng.uniform(0.03, 0.3) * s))
        cv2.ellipse(img, ctr, ax, float(rng.uniform(0, 180)), 0, 360, c, -1)
    k = int(0.04 * s) | 1
    return cv2.GaussianBlur(img, (k, k), 0)


_KIND_FN = dict(
    gradient=gradient, noise=noise, pattern=pattern, marble=marble,
    blobs=blobs)


def add_clutter(img: np.ndarray, rng, n: int) -> None:
    """Draw ``n`` semi-transparent shapes (lines, boxes, circles, polylines)
    in place on a float32 BGR image (blended inside each shape's box)."""
    h, w = img.shape[:2]
    s = max(h, w)
    for _ in range(n):
        col = tuple(float(v) for v in _rand_color(rng))
        kind = int(rng.integers(4))
        th = int(rng.integers(1, max(2, s // 100)))
        p = np.array([rng.integers(0, w), rng.integers(0, h)])
        if kind == 0:
            pts = np.stack([p, [rng.integers(0, w), rng.integers(0, h)]])
        elif kind == 1:
            q = p + (rng.uniform(-0.3, 0.3, 2) * s).astype(int)
            pts = np.stack([p, q])
        elif kind == 2:
            r = int(rng.uniform(0.01, 0.12) * s)
            pts = np.stack([p - r, p + r])
        else:
            pts = rng.integers(0, [w, h], (int(rng.integers(3, 7)), 2))
        fill = rng.random() < 0.5
        a = float(rng.uniform(0.2, 0.7))
        x0, y0 = np.clip(pts.min(0) - th - 2, 0, [w, h])
        x1, y1 = np.clip(pts.max(0) + th + 3, 0, [w, h])
        if x1 <= x0 or y1 <= y0:
            continue
        sub = img[y0:y1, x0:x1]
        layer = sub.copy()
        loc = (pts - [x0, y0]).astype(np.int32)
        if kind == 0:
            cv2.line(layer, tuple(map(int, loc[0])), tuple(map(int, loc[1])),
                     col, th, cv2.LINE_AA)
        elif kind == 1:
            cv2.rectangle(layer, tuple(map(int, loc[0])),
                          tuple(map(int, loc[1])), col, -1 if fill else th)
        elif kind == 2:
            ctr = (loc[0] + loc[1]) // 2
            cv2.circle(layer, tuple(map(int, ctr)),
                       int((loc[1][0] - loc[0][0]) // 2), col,
                       -1 if fill else th, cv2.LINE_AA)
        else:
            cv2.polylines(layer, [loc], bool(fill), col, th, cv2.LINE_AA)
        sub[:] = cv2.addWeighted(layer, a, sub, 1 - a, 0)


_DISTRACT_CHARS = ''.join(chr(c) for c in range(33, 127))


def add_distractor_glyphs(img: np.ndarray, rng, n: int) -> None:
    """Tiny (unreadable) random glyph strings, drawn in place; they are part
    of the background and are not annotated."""
    h, w = img.shape[:2]
    scale = min(h, w) / 512.0
    for _ in range(n):
        k = int(rng.integers(2, 10))
        txt = ''.join(_DISTRACT_CHARS[i] for i in rng.integers(0, 94, k))
        fs = float(rng.uniform(0.2, 0.32)) * scale
        col = tuple(float(v) for v in _rand_color(rng))
        org = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        cv2.putText(img, txt, org, int(rng.choice([0, 1, 2, 3, 4])), fs, col,
                    1, cv2.LINE_AA)


def make_background(rng,
                    size: Tuple[int, int],
                    kinds: Sequence[str] = BACKGROUND_KINDS,
                    clutter_range: Tuple[int, int] = (0, 6),
                    distractor_range: Tuple[int, int] = (0, 8)) -> np.ndarray:
    """A random non-flat background.

    Args:
        rng (np.random.Generator): Random source.
        size (tuple[int, int]): ``(width, height)``.
        kinds (Sequence[str]): Texture kinds to draw from
            (:data:`BACKGROUND_KINDS`).
        clutter_range (tuple[int, int]): Inclusive range of clutter shapes.
        distractor_range (tuple[int, int]): Inclusive range of tiny,
            unannotated glyph strings.

    Returns:
        np.ndarray: float32 BGR image (h, w, 3) in [0, 255].
    """
    w, h = size
    bad = set(kinds) - set(_KIND_FN)
    if bad or not kinds:
        raise ValueError(f'background kinds {sorted(bad)} unknown; choose '
                         f'from {BACKGROUND_KINDS}')
    kind = kinds[int(rng.integers(len(kinds)))]
    img = np.ascontiguousarray(_KIND_FN[kind](rng, h, w), dtype=np.float32)
    if rng.random() < 0.5:  # fine grain on top of the coarse texture
        grain = _value_noise(rng, h, w, (max(h, w) // 8, ), 1.0)
        img += (grain[..., None] - 0.5) * rng.uniform(10, 40)
    add_clutter(img, rng, int(rng.integers(clutter_range[0],
                                           clutter_range[1] + 1)))
    add_distractor_glyphs(
        img, rng, int(rng.integers(distractor_range[0],
                                   distractor_range[1] + 1)))
    np.clip(img, 0, 255, out=img)
    return img
