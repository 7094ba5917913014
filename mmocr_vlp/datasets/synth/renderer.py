# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SynthText-style scene-text renderer with exact per-word and per-character
ground truth.

One text *line* (1 word, or occasionally 2-3 words) is drawn horizontally
with Pillow, glyph by glyph, so every character box is known. The line is
then optionally bent along a circular arc (curved baseline), stretched,
warped by a random perspective, rotated and placed on a procedural
background with a single resampling (``cv2.warpPerspective`` for straight
lines, ``cv2.remap`` through the analytic inverse of arc + homography for
curved ones). The same analytic maps transform the word and character
boxes, so the ground truth matches the pixels.
"""
import math
from typing import Dict, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from PIL import Image, ImageDraw

from mmocr_vlp.utils.polygon_utils import polygon_center, polygon_to_bbox

from .backgrounds import BACKGROUND_KINDS, make_background
from .fonts import FontBank, find_fonts
from .words import DEFAULT_CHARSET, WordSampler, load_word_list

try:
    from shapely.geometry import Polygon as _ShapelyPolygon
except ImportError:  # pragma: no cover - shapely is a pinned dependency
    _ShapelyPolygon = None

_LUMA = np.array([0.114, 0.587, 0.299], np.float32)  # BGR


def _luma(c: np.ndarray) -> float:
    return float(np.dot(c, _LUMA))


def _contrast_color(rng, bg_lo: float, bg_hi: float, min_contrast: float):
    """A random BGR text colour whose luma is at least ``min_contrast``
    below ``bg_lo`` (dark text) or above ``bg_hi`` (light text), where
    ``[bg_lo, bg_hi]`` is the background's luma range.

    Returns:
        tuple: ``(colour, go_dark, ok)``; ``ok`` is False when neither side
        leaves enough room (the colour then sits at the roomier extreme and
        the caller adds an outline).
    """
    c = rng.uniform(0, 255, 3).astype(np.float32)
    if rng.random() < 0.3:  # near-grey text is common in scenes
        c[:] = c.mean()
    dark_max = bg_lo - min_contrast
    light_min = bg_hi + min_contrast
    dark_ok, light_ok = dark_max >= 0, light_min <= 255
    ok = dark_ok or light_ok
    if dark_ok and light_ok:
        go_dark = (bg_lo + bg_hi) / 2 > 127 or rng.random() < 0.3
    elif ok:
        go_dark = dark_ok
    else:
        go_dark = bg_lo > 255 - bg_hi
    if go_dark:
        target = rng.uniform(0, max(0.0, dark_max)) if ok else 0.0
    else:
        target = rng.uniform(min(255.0, light_min), 255) if ok else 255.0
    lum = _luma(c)
    if lum > target:
        c = c * (target / max(lum, 1e-3))
    else:
        c = 255 - (255 - c) * ((255 - target) / max(255 - lum, 1e-3))
    return np.clip(c, 0, 255), go_dark, ok


class _Line:
    """A horizontally laid out text line on its own canvas."""
    __slots__ = ('words', 'glyph', 'outline', 'shadow', 'word_boxes',
                 'char_boxes', 'cx', 'cy', 'pad', 'px')


class SynthTextRenderer:
    """Render one synthetic scene-text image with full ground truth.

    Args:
        img_size (tuple[int, int]): Output ``(width, height)``.
        min_words (int): Minimum words per image. Defaults to 1.
        max_words (int): Maximum words per image. Defaults to 8.
        curved_prob (float): Fraction of lines bent along an arc.
        curve_angle_range (tuple[float, float]): Arc span in degrees.
        curve_points (int): Points per polygon side for curved words
            (``>= 7``; polygon has ``2 * curve_points`` points).
        rotation_range (tuple[float, float]): Rotation in degrees.
        vertical_prob (float): Probability of an extra +-90 degree turn.
        perspective (float): Corner jitter as a fraction of the line size.
        stretch_range (tuple[float, float]): Horizontal stretch factor.
        multiword_prob (float): Probability that a line holds 2..
            ``max_line_words`` words (each word is one instance).
        max_line_words (int): Most words per line.
        font_size_range (tuple[float, float]): Font size (em, px) as a
            fraction of ``min(width, height)`` (log-uniform), so text stays
            legible at small image sizes.
        min_font_px (int): Lower bound of the font size in px.
        word_source_probs (dict, optional): See :class:`WordSampler`.
        case_probs (dict, optional): See :class:`WordSampler`.
        charset (str): Allowed characters (default printable ASCII 33-126).
        word_list (str | Sequence[str], optional): Path of a word list or a
            list of words; defaults to the bundled ``assets/words.txt``.
        font_dirs (Sequence[str], optional): Extra font folders.
        use_system_fonts (bool): Also use system fonts.
        font_names (Sequence[str], optional): Use only these font files
            (basenames), e.g. one font for an easy regime.
        background_kinds (Sequence[str]): Texture kinds.
        clutter_range (tuple[int, int]): Clutter shapes per image.
        distractor_range (tuple[int, int]): Tiny unannotated glyph strings.
        outline_prob (float): Probability of an outline around glyphs.
        shadow_prob (float): Probability of a drop shadow.
        gradient_fill_prob (float): Probability of a two-colour text fill.
        min_contrast (float): Minimum luma difference text/background.
        blur_prob (float): Probability of a global Gaussian blur.
        noise_prob (float): Probability of global Gaussian noise.
        lighting_prob (float): Probability of a global illumination ramp.
        tracking_prob (float): Probability of extra letter spacing.
        min_gap (float): Minimum distance (px) between word polygons.
    """

    def __init__(self,
                 img_size: Tuple[int, int] = (512, 512),
                 min_words: int = 1,
                 max_words: int = 8,
                 curved_prob: float = 0.25,
                 curve_angle_range: Tuple[float, float] = (40.0, 140.0),
                 curve_points: int = 8,
                 rotation_range: Tuple[float, float] = (-25.0, 25.0),
                 vertical_prob: float = 0.03,
                 perspective: float = 0.08,
                 stretch_range: Tuple[float, float] = (0.85, 1.15),
                 multiword_prob: float = 0.15,
                 max_line_words: int = 3,
                 font_size_range: Tuple[float, float] = (0.055, 0.14),
                 min_font_px: int = 12,
                 word_source_probs: Optional[Dict[str, float]] = None,
                 case_probs: Optional[Dict[str, float]] = None,
                 charset: str = DEFAULT_CHARSET,
                 word_list: Union[str, Sequence[str], None] = None,
                 font_dirs: Optional[Sequence[str]] = None,
                 use_system_fonts: bool = True,
                 font_names: Optional[Sequence[str]] = None,
                 background_kinds: Sequence[str] = BACKGROUND_KINDS,
                 clutter_range: Tuple[int, int] = (0, 6),
                 distractor_range: Tuple[int, int] = (0, 8),
                 outline_prob: float = 0.15,
                 shadow_prob: float = 0.15,
                 gradient_fill_prob: float = 0.2,
                 min_contrast: float = 70.0,
                 blur_prob: float = 0.2,
                 noise_prob: float = 0.3,
                 lighting_prob: float = 0.3,
                 tracking_prob: float = 0.15,
                 min_gap: float = 2.0) -> None:
        if _ShapelyPolygon is None:  # pragma: no cover
            raise ImportError('SynthTextRenderer needs shapely')
        w, h = (int(img_size), int(img_size)) if isinstance(
            img_size, (int, np.integer)) else (int(img_size[0]),
                                               int(img_size[1]))
        if w < 32 or h < 32:
            raise ValueError(f'img_size must be >= 32x32, got {img_size}')
        if not 1 <= min_words <= max_words:
            raise ValueError(f'need 1 <= min_words <= max_words, got '
                             f'{min_words}, {max_words}')
        if curve_points < 7:
            raise ValueError(f'curve_points must be >= 7, got {curve_points}')
        if not 0 < font_size_range[0] <= font_size_range[1]:
            raise ValueError(f'bad font_size_range {font_size_range}')
        self.img_size = (w, h)
        self.min_words, self.max_words = int(min_words), int(max_words)
        self.curved_prob = curved_prob
        self.curve_angle_range = tuple(curve_angle_range)
        self.curve_points = int(curve_points)
        self.rotation_range = tuple(rotation_range)
        self.vertical_prob = vertical_prob
        self.perspective = perspective
        self.stretch_range = tuple(stretch_range)
        self.multiword_prob = multiword_prob
        self.max_line_words = max(1, int(max_line_words))
        self.font_size_range = tuple(font_size_range)
        self.min_font_px = int(min_font_px)
        self.background_kinds = tuple(background_kinds)
        bad = set(self.background_kinds) - set(BACKGROUND_KINDS)
        if bad or not self.background_kinds:
            raise ValueError(f'background_kinds: unknown {sorted(bad)}; '
                             f'choose from {BACKGROUND_KINDS}')
        self.clutter_range = tuple(clutter_range)
        self.distractor_range = tuple(distractor_range)
        self.outline_prob = outline_prob
        self.shadow_prob = shadow_prob
        self.gradient_fill_prob = gradient_fill_prob
        self.min_contrast = min_contrast
        self.blur_prob = blur_prob
        self.noise_prob = noise_prob
        self.lighting_prob = lighting_prob
        self.tracking_prob = tracking_prob
        self.min_gap = float(min_gap)
        if isinstance(word_list, str):
            word_list = load_word_list(word_list)
        self.sampler = WordSampler(word_list, word_source_probs, case_probs,
                                   charset)
        self.fonts = FontBank(
            find_fonts(font_dirs, use_system=use_system_fonts,
                       names=font_names))

    # ------------------------------------------------------------ layout
    def _font_px(self, rng) -> int:
        lo, hi = self.font_size_range
        s = min(self.img_size)
        px = math.exp(rng.uniform(math.log(lo * s), math.log(hi * s)))
        return max(self.min_font_px, int(round(px)))

    def _layout(self, words: List[str], font_idx: int, px: int,
                rng) -> _Line:
        """Draw ``words`` (one line) on a canvas; record glyph boxes."""
        face = self.fonts.face(font_idx, px)
        text = ' '.join(words)
        pad = max(2.0, 0.1 * px)
        chars = []  # (char, word index, x0, y0, x1, y1) in text coords
        wi = 0
        track = 0.0  # extra letter spacing (px) for some lines
        if rng.random() < self.tracking_prob:
            track = rng.uniform(0.03, 0.2) * px
        # words of one line must not touch once padded: widen narrow spaces
        need_gap = 2 * pad + self.min_gap + 1
        shift, word_right, prev_right = 0.0, None, None
        for i, c in enumerate(text):
            if c == ' ':
                if word_right is not None:
                    prev_right, word_right = word_right, None
                    wi += 1
                continue
            x = face.getlength(text[:i]) + i * track + shift
            l, t, r, b = face.getbbox(c, anchor='ls')
            if r <= l:
                r = l + 1
            if b <= t:
                b = t + 1
            if word_right is None and prev_right is not None and \
                    x + l - prev_right < need_gap:
                d = need_gap - (x + l - prev_right)
                shift += d
                x += d
            word_right = x + r if word_right is None else max(
                word_right, x + r)
            chars.append((c, wi, x, x + l, t, x + r, b))
        arr = np.array([c[3:] for c in chars], np.float64)
        x0, y0 = arr[:, 0].min(), arr[:, 1].min()
        x1, y1 = arr[:, 2].max(), arr[:, 3].max()
        margin = int(math.ceil(pad)) + 3
        ox, oy = margin - x0, margin - y0
        cw = int(math.ceil(x1 - x0)) + 2 * margin
        ch = int(math.ceil(y1 - y0)) + 2 * margin
        canvas = Image.new('L', (cw, ch), 0)
        draw = ImageDraw.Draw(canvas)
        for c, _, x, *_ in chars:
            draw.text((ox + x, oy), c, fill=255, font=face, anchor='ls')
        line = _Line()
        line.words = words
        line.px = px
        line.pad = pad
        line.glyph = np.asarray(canvas, np.float32) * (1.0 / 255)
        line.char_boxes = [(c, w, bx0 + ox, by0 + oy, bx1 + ox, by1 + oy)
                           for c, w, _, bx0, by0, bx1, by1 in chars]
        line.word_boxes = []
        for k in range(len(words)):
            b = np.array([cb[2:] for cb in line.char_boxes if cb[1] == k])
            line.word_boxes.append(
                (b[:, 0].min() - pad, b[:, 1].min() - pad,
                 b[:, 2].max() + pad, b[:, 3].max() + pad))
        line.cx, line.cy = cw / 2.0, ch / 2.0
        # effects stay inside the pad so polygons keep covering the ink
        line.outline = None
        line.shadow = None
        if rng.random() < self.outline_prob:
            k = int(max(1, min(pad - 1, round(0.05 * px))))
            ker = cv2.getStructuringElement(cv2.MORPH_ELLIPSE,
                                            (2 * k + 1, 2 * k + 1))
            line.outline = cv2.dilate(line.glyph, ker)
        if rng.random() < self.shadow_prob:
            d = 0.5 * (pad - 1)
            dx, dy = rng.uniform(-d, d), rng.uniform(0, d)
            m = np.float32([[1, 0, dx], [0, 1, dy]])
            sh = cv2.warpAffine(line.glyph, m, (cw, ch))
            line.shadow = cv2.GaussianBlur(sh, (3, 3), 0.8)
        return line

    # ------------------------------------------------------------- curve
    @staticmethod
    def _curve_fwd(x, y, cx, cy, curve):
        """Canvas (x, y) -> centred plane (u, v). ``curve`` = (R, s) bends
        the line along an arc of radius R (s=+1 frown, s=-1 smile)."""
        if curve is None:
            return x - cx, y - cy
        R, s = curve
        th = (x - cx) / R
        r = R - s * (y - cy)
        return r * np.sin(th), s * (R - r * np.cos(th))

    @staticmethod
    def _curve_inv(u, v, cx, cy, curve):
        """Inverse of :meth:`_curve_fwd`."""
        if curve is None:
            return u + cx, v + cy
        R, s = curve
        a = R - s * v
        r = np.hypot(u, a)
        th = np.arctan2(u, a)
        return cx + th * R, cy + s * (R - r)

    def _word_polygon(self, box, curve) -> np.ndarray:
        x0, y0, x1, y1 = box
        if curve is None:
            return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
        xs = np.linspace(x0, x1, self.curve_points)
        top = np.stack([xs, np.full_like(xs, y0)], 1)
        bot = np.stack([xs[::-1], np.full_like(xs, y1)], 1)
        return np.concatenate([top, bot])

    # ------------------------------------------------------------ helpers
    @staticmethod
    def _apply_h(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
        p = pts @ m[:, :2].T + m[:, 2]
        return p[:, :2] / p[:, 2:3]

    def _pose(self, rng, uv: np.ndarray) -> np.ndarray:
        """Random stretch + perspective + rotation about the origin."""
        umin, vmin = uv.min(0)
        umax, vmax = uv.max(0)
        src = np.float32([[umin, vmin], [umax, vmin], [umax, vmax],
                          [umin, vmax]])
        bw, bh = umax - umin, vmax - vmin
        sx = rng.uniform(*self.stretch_range)
        p = self.perspective
        jit = rng.uniform(-p, p, (4, 2)) * np.float32([bw, bh])
        dst = (src * np.float32([sx, 1]) + jit).astype(np.float32)
        persp = cv2.getPerspectiveTransform(src, dst).astype(np.float64)
        a = math.radians(rng.uniform(*self.rotation_range))
        if rng.random() < self.vertical_prob:
            a += math.pi / 2 * (1 if rng.random() < 0.5 else -1)
        ca, sa = math.cos(a), math.sin(a)
        rot = np.array([[ca, -sa, 0], [sa, ca, 0], [0, 0, 1]])
        return rot @ persp

    # ------------------------------------------------------------- place
    def _place_line(self, img, rng, words, placed, alpha,
                    simple: bool = False) -> Optional[List[dict]]:
        W, H = self.img_size
        px = self.min_font_px if simple else self._font_px(rng)
        font_idx = self.fonts.sample(rng, ''.join(words))
        for _shrink in range(3):
            line = self._layout(words, font_idx, px, rng)
            chh, cww = line.glyph.shape
            curve = None
            nchar = sum(len(w) for w in words)
            if not simple and nchar >= 3 and rng.random() < self.curved_prob:
                span = (max(b[2] for b in line.word_boxes) -
                        min(b[0] for b in line.word_boxes))
                phi = math.radians(rng.uniform(*self.curve_angle_range))
                R = max(span / phi, 1.6 * chh)
                if span / R >= math.radians(15):
                    curve = (R, 1 if rng.random() < 0.5 else -1)
            # canvas outline -> centred plane (dense sampling for arcs)
            t = np.linspace(0, 1, 17)
            edges = np.concatenate([
                np.stack([t * cww, np.zeros_like(t)], 1),
                np.stack([np.full_like(t, cww), t * chh], 1),
                np.stack([t * cww, np.full_like(t, chh)], 1),
                np.stack([np.zeros_like(t), t * chh], 1)
            ])
            uv = np.stack(
                self._curve_fwd(edges[:, 0], edges[:, 1], line.cx, line.cy,
                                curve), 1)
            pose = np.eye(3) if simple else self._pose(rng, uv)
            out = self._apply_h(pose, uv)
            lo, hi = out.min(0), out.max(0)
            border = max(2.0, 0.01 * min(W, H))
            avail = np.array([W, H]) - 2 * border - 1
            ext = hi - lo
            if (ext <= avail).all():
                break
            scale = float((avail / ext).min()) * 0.95
            new_px = int(px * scale)
            if new_px < self.min_font_px:
                return None
            px = new_px
        else:
            return None

        # word / char polygons in the centred plane
        word_polys = []
        for box in line.word_boxes:
            p = self._word_polygon(box, curve)
            word_polys.append(
                np.stack(
                    self._curve_fwd(p[:, 0], p[:, 1], line.cx, line.cy,
                                    curve), 1))
        char_polys = []
        for c, wi, x0, y0, x1, y1 in line.char_boxes:
            p = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
            char_polys.append(
                (c, wi,
                 np.stack(
                     self._curve_fwd(p[:, 0], p[:, 1], line.cx, line.cy,
                                     curve), 1)))

        # try a few translations; reject overlaps
        for _ in range(8):
            tx = rng.uniform(border - lo[0], W - 1 - border - hi[0])
            ty = rng.uniform(border - lo[1], H - 1 - border - hi[1])
            m = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]) @ pose
            polys = [self._apply_h(m, p) for p in word_polys]
            shp = [_ShapelyPolygon(p) for p in polys]
            if not all(s.is_valid for s in shp):
                continue
            if any(
                    s.distance(q) < self.min_gap for s in shp
                    for q in placed):
                continue
            break
        else:
            return None

        self._composite(img, rng, line, curve, m, alpha)
        placed.extend(shp)
        insts = []
        for k, (word, poly) in enumerate(zip(words, polys)):
            flat = [round(float(v), 2) for v in poly.reshape(-1)]
            chars = []
            for c, wi, cp in char_polys:
                if wi != k:
                    continue
                q = self._apply_h(m, cp)
                chars.append(
                    dict(
                        char=c,
                        polygon=[round(float(v), 2) for v in q.reshape(-1)]))
            insts.append(
                dict(
                    text=word,
                    polygon=flat,
                    bbox=[round(v, 2) for v in polygon_to_bbox(flat)],
                    point=[round(v, 2) for v in polygon_center(flat)],
                    point_source='gt',
                    chars=chars,
                    ignore=False,
                    bbox_label=0))
        return insts

    def _composite(self, img, rng, line, curve, m, alpha) -> None:
        W, H = self.img_size
        chh, cww = line.glyph.shape
        # ROI = bounds of the warped canvas outline
        t = np.linspace(0, 1, 17)
        edges = np.concatenate([
            np.stack([t * cww, np.zeros_like(t)], 1),
            np.stack([np.full_like(t, cww), t * chh], 1),
            np.stack([t * cww, np.full_like(t, chh)], 1),
            np.stack([np.zeros_like(t), t * chh], 1)
        ])
        uv = np.stack(
            self._curve_fwd(edges[:, 0], edges[:, 1], line.cx, line.cy,
                            curve), 1)
        out = self._apply_h(m, uv)
        x0 = int(max(0, math.floor(out[:, 0].min()) - 1))
        y0 = int(max(0, math.floor(out[:, 1].min()) - 1))
        x1 = int(min(W, math.ceil(out[:, 0].max()) + 2))
        y1 = int(min(H, math.ceil(out[:, 1].max()) + 2))
        if x1 <= x0 or y1 <= y0:
            return
        roi = img[y0:y1, x0:x1]
        # background luma range under the line: mean +- 0.8 std
        luma = cv2.transform(roi, _LUMA.reshape(1, 3))
        mean, std = cv2.meanStdDev(luma)
        bg_luma, bg_std = float(mean[0, 0]), float(std[0, 0])
        bg_lo, bg_hi = bg_luma - 0.8 * bg_std, bg_luma + 0.8 * bg_std
        fill, go_dark, ok = _contrast_color(rng, bg_lo, bg_hi,
                                            self.min_contrast)
        g = line.glyph
        pm = np.zeros((chh, cww, 3), np.float32)
        A = np.zeros((chh, cww), np.float32)
        if line.shadow is not None:
            a = line.shadow * 0.6
            sc = fill * 0.15 if _luma(fill) > 127 else np.float32([20, 20, 20])
            sc = np.float32([20, 20, 20]) if bg_luma > 60 else sc
            pm = a[..., None] * sc
            A = a
        outline = line.outline
        if outline is None and (not ok or bg_std > 45):  # busy: add halo
            k = int(max(1, min(line.pad - 1, round(0.05 * line.px))))
            ker = cv2.getStructuringElement(cv2.MORPH_ELLIPSE,
                                            (2 * k + 1, 2 * k + 1))
            outline = cv2.dilate(g, ker)
        if outline is not None:
            lf = _luma(fill)
            oc = _contrast_color(rng, lf, lf, 90)[0]
            a = outline[..., None]
            pm = oc * a + pm * (1 - a)
            A = outline + A * (1 - outline)
        if rng.random() < self.gradient_fill_prob:
            c2 = np.clip(fill + rng.uniform(-50, 50, 3), 0, 255)
            l2 = _luma(c2)
            if ok and ((go_dark and l2 > bg_lo - self.min_contrast) or
                       (not go_dark and l2 < bg_hi + self.min_contrast)):
                c2 = fill  # the second colour would lose the contrast
            f = np.linspace(0, 1, chh, dtype=np.float32)[:, None, None]
            fillmap = fill * (1 - f) + c2.astype(np.float32) * f
        else:
            fillmap = fill.astype(np.float32)
        a = g[..., None]
        if line.shadow is None and outline is None:
            pm = fillmap * a
            A = g
        else:
            pm = fillmap * a + pm * (1 - a)
            A = g + A * (1 - g)
        patch = np.concatenate([pm, A[..., None]], 2).astype(np.float32)

        t_roi = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64)
        if curve is None:
            cen = np.array([[1, 0, -line.cx], [0, 1, -line.cy], [0, 0, 1]])
            full = t_roi @ m @ cen
            warped = cv2.warpPerspective(
                patch,
                full, (x1 - x0, y1 - y0),
                flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=0)
        else:
            inv = np.linalg.inv(m)
            ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
            den = inv[2, 0] * xs + inv[2, 1] * ys + inv[2, 2]
            u = (inv[0, 0] * xs + inv[0, 1] * ys + inv[0, 2]) / den
            v = (inv[1, 0] * xs + inv[1, 1] * ys + inv[1, 2]) / den
            sx, sy = self._curve_inv(u, v, line.cx, line.cy, curve)
            warped = cv2.remap(
                patch,
                sx.astype(np.float32),
                sy.astype(np.float32),
                cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=0)
        wa = warped[..., 3:4]  # bilinear mix of values in [0, 1]
        roi *= (1 - wa)
        roi += warped[..., :3]
        if alpha is not None:
            np.maximum(alpha[y0:y1, x0:x1], wa[..., 0],
                       out=alpha[y0:y1, x0:x1])

    # ------------------------------------------------------------ render
    def render(self, rng: np.random.Generator, return_aux: bool = False):
        """Render one image.

        Args:
            rng (np.random.Generator): The only source of randomness; the
                same generator state gives the same image.
            return_aux (bool): Also return ``dict(background=float32 BGR
                image before the text, text_alpha=float32 (H, W) coverage
                of text incl. outline/shadow)``.

        Returns:
            tuple: ``(img, instances)`` or ``(img, instances, aux)``; ``img``
            is BGR uint8 (H, W, 3); ``instances`` follow the OCRDataset
            schema (text, polygon, bbox, point, point_source, chars, ignore,
            bbox_label).
        """
        W, H = self.img_size
        img = make_background(rng, self.img_size, self.background_kinds,
                              self.clutter_range, self.distractor_range)
        aux = None
        alpha = None
        if return_aux:
            alpha = np.zeros((H, W), np.float32)
            aux = dict(background=img.copy(), text_alpha=alpha)
        target = int(rng.integers(self.min_words, self.max_words + 1))
        instances: List[dict] = []
        placed: list = []
        tries = 0
        while len(instances) < target and tries < 3 * target + 4:
            tries += 1
            left = target - len(instances)
            n = 1
            if left >= 2 and self.max_line_words >= 2 and \
                    rng.random() < self.multiword_prob:
                n = int(rng.integers(2, min(self.max_line_words, left) + 1))
            words = self.sampler.sample_line(rng, n) if n > 1 else [
                self.sampler.sample(rng)
            ]
            res = self._place_line(img, rng, words, placed, alpha)
            if res:
                instances.extend(res)
        tries = 0
        while not instances and tries < 50:  # at least one word per image
            tries += 1
            words = [self.sampler.sample(rng, 'dict')[:8]]
            res = self._place_line(img, rng, words, placed, alpha, True)
            if res:
                instances.extend(res)
        self._post(img, rng)
        img += 0.5
        np.clip(img, 0, 255, out=img)
        out = img.astype(np.uint8)
        return (out, instances, aux) if return_aux else (out, instances)

    def _post(self, img: np.ndarray, rng) -> None:
        """Global lighting ramp, blur and sensor noise (in place)."""
        H, W = img.shape[:2]
        if rng.random() < self.lighting_prob:
            a = rng.uniform(0, 2 * np.pi)
            xs = np.linspace(-0.5, 0.5, W, dtype=np.float32) * np.cos(a)
            ys = np.linspace(-0.5, 0.5, H, dtype=np.float32) * np.sin(a)
            ramp = 1 + rng.uniform(0.2, 0.5) * (ys[:, None] + xs[None, :])
            img *= ramp[..., None]
        if rng.random() < self.blur_prob:
            sigma = rng.uniform(0.3, 0.9) * max(0.5, min(H, W) / 512)
            cv2.GaussianBlur(img, (0, 0), sigma, dst=img)
        if rng.random() < self.noise_prob:
            # a <= 256x256 noise tile, repeated: cheap and invisible
            th, tw = min(H, 256), min(W, 256)
            tile = rng.standard_normal((th, tw, 3), dtype=np.float32)
            tile *= np.float32(rng.uniform(2, 7))
            reps = (-(-H // th), -(-W // tw), 1)
            img += np.tile(tile, reps)[:H, :W]
