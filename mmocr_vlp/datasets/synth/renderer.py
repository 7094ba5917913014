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
#: Samples per side of a line canvas's outline (the arc of a curved line
#: needs several to bound it).
_OUTLINE_SAMPLES = 17

#: ``(R, s)``: a line bent along an arc of radius ``R`` (``s = +1`` frown,
#: ``-1`` smile); None for a straight line.
Curve = Optional[Tuple[float, int]]


def _luma(color: np.ndarray) -> float:
    """Luma of a BGR colour."""
    return float(np.dot(color, _LUMA))


def _contrast_color(rng: np.random.Generator, bg_lo: float, bg_hi: float,
                    min_contrast: float) -> Tuple[np.ndarray, bool, bool]:
    """A random BGR text colour whose luma is at least ``min_contrast``
    below ``bg_lo`` (dark text) or above ``bg_hi`` (light text), where
    ``[bg_lo, bg_hi]`` is the background's luma range.

    Args:
        rng (np.random.Generator): Random source.
        bg_lo (float): Lower end of the background's luma range.
        bg_hi (float): Upper end of the background's luma range.
        min_contrast (float): Required luma difference.

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


def _halo(glyph: np.ndarray, pad: float, px: int) -> np.ndarray:
    """The glyph coverage dilated by ~5 % of the font size (an outline that
    stays inside the word's padding)."""
    k = int(max(1, min(pad - 1, round(0.05 * px))))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE,
                                       (2 * k + 1, 2 * k + 1))
    return cv2.dilate(glyph, kernel)


def _over(color: np.ndarray, alpha: np.ndarray, below_color: np.ndarray,
          below_alpha: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Porter-Duff *over* of a layer (premultiplied ``color`` and its
    coverage ``alpha``) onto the layers below."""
    a = alpha[..., None]
    return (color * a + below_color * (1 - a),
            alpha + below_alpha * (1 - alpha))


class _Line:
    """One text line laid out horizontally on its own canvas.

    Attributes:
        words (list[str]): The words of the line.
        px (int): Font size in pixels.
        pad (float): Padding of each word box around its glyphs.
        glyph (np.ndarray): ``(h, w)`` float32 glyph coverage in [0, 1].
        outline (np.ndarray | None): Dilated glyph coverage, if outlined.
        shadow (np.ndarray | None): Shifted, blurred glyph coverage.
        word_boxes (list[tuple]): ``(x0, y0, x1, y1)`` per word (padded).
        char_boxes (list[tuple]): ``(char, word index, x0, y0, x1, y1)``.
        cx (float): Canvas centre x (the origin of the centred plane).
        cy (float): Canvas centre y.
    """
    __slots__ = ('words', 'glyph', 'outline', 'shadow', 'word_boxes',
                 'char_boxes', 'cx', 'cy', 'pad', 'px')


class _Fit:
    """A line that fits the image: its layout, arc and pose.

    Attributes:
        line (_Line): The laid out line.
        curve (tuple | None): Its arc (see ``Curve``).
        pose (np.ndarray): ``3 x 3`` stretch + perspective + rotation of the
            centred plane.
        lo (np.ndarray): Lower corner of the posed outline's bounds.
        hi (np.ndarray): Upper corner of the posed outline's bounds.
        border (float): Margin to keep from the image edges (px).
    """
    __slots__ = ('line', 'curve', 'pose', 'lo', 'hi', 'border')


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
    def _font_px(self, rng: np.random.Generator) -> int:
        """A log-uniform font size (px) within ``font_size_range``."""
        lo, hi = self.font_size_range
        s = min(self.img_size)
        px = math.exp(rng.uniform(math.log(lo * s), math.log(hi * s)))
        return max(self.min_font_px, int(round(px)))

    def _glyph_positions(self, text: str, face, px: int, pad: float,
                         rng: np.random.Generator) -> List[tuple]:
        """Pen position and ink box of every character of a line.

        Some lines get extra letter spacing (``tracking_prob``); spaces too
        narrow to keep two padded words ``min_gap`` apart are widened.

        Returns:
            list[tuple]: ``(char, word index, pen x, x0, y0, x1, y1)`` per
            non-space character, in text coordinates (baseline at y = 0).
        """
        track = 0.0
        if rng.random() < self.tracking_prob:
            track = rng.uniform(0.03, 0.2) * px
        need_gap = 2 * pad + self.min_gap + 1
        chars = []
        word_index, shift = 0, 0.0
        word_right, prev_right = None, None
        for i, c in enumerate(text):
            if c == ' ':
                if word_right is not None:
                    prev_right, word_right = word_right, None
                    word_index += 1
                continue
            x = face.getlength(text[:i]) + i * track + shift
            left, top, right, bottom = face.getbbox(c, anchor='ls')
            if right <= left:
                right = left + 1
            if bottom <= top:
                bottom = top + 1
            if word_right is None and prev_right is not None and \
                    x + left - prev_right < need_gap:
                d = need_gap - (x + left - prev_right)
                shift += d
                x += d
            word_right = x + right if word_right is None else max(
                word_right, x + right)
            chars.append((c, word_index, x, x + left, top, x + right, bottom))
        return chars

    def _add_effects(self, line: _Line, rng: np.random.Generator) -> None:
        """Draw the optional outline and drop shadow of a line; both stay
        inside the word padding, so the polygons keep covering the ink."""
        line.outline = None
        line.shadow = None
        if rng.random() < self.outline_prob:
            line.outline = _halo(line.glyph, line.pad, line.px)
        if rng.random() < self.shadow_prob:
            canvas_h, canvas_w = line.glyph.shape
            d = 0.5 * (line.pad - 1)
            dx, dy = rng.uniform(-d, d), rng.uniform(0, d)
            shift = np.float32([[1, 0, dx], [0, 1, dy]])
            shadow = cv2.warpAffine(line.glyph, shift, (canvas_w, canvas_h))
            line.shadow = cv2.GaussianBlur(shadow, (3, 3), 0.8)

    def _layout(self, words: List[str], font_idx: int, px: int,
                rng: np.random.Generator) -> _Line:
        """Draw ``words`` as one horizontal line on its own canvas.

        Args:
            words (list[str]): The words of the line.
            font_idx (int): Font of the line (index into the font bank).
            px (int): Font size in pixels.
            rng (np.random.Generator): Random source.

        Returns:
            _Line: Glyph coverage, effects, word and character boxes.
        """
        face = self.fonts.face(font_idx, px)
        pad = max(2.0, 0.1 * px)
        chars = self._glyph_positions(' '.join(words), face, px, pad, rng)
        ink = np.array([c[3:] for c in chars], np.float64)
        x0, y0 = ink[:, 0].min(), ink[:, 1].min()
        x1, y1 = ink[:, 2].max(), ink[:, 3].max()
        margin = int(math.ceil(pad)) + 3
        ox, oy = margin - x0, margin - y0
        canvas_w = int(math.ceil(x1 - x0)) + 2 * margin
        canvas_h = int(math.ceil(y1 - y0)) + 2 * margin
        canvas = Image.new('L', (canvas_w, canvas_h), 0)
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
        line.cx, line.cy = canvas_w / 2.0, canvas_h / 2.0
        self._add_effects(line, rng)
        return line

    # ------------------------------------------------------------- curve
    @staticmethod
    def _curve_fwd(x, y, cx: float, cy: float, curve: Curve):
        """Canvas (x, y) -> centred plane (u, v), bent along ``curve``."""
        if curve is None:
            return x - cx, y - cy
        R, s = curve
        th = (x - cx) / R
        r = R - s * (y - cy)
        return r * np.sin(th), s * (R - r * np.cos(th))

    @staticmethod
    def _curve_inv(u, v, cx: float, cy: float, curve: Curve):
        """Inverse of :meth:`_curve_fwd`."""
        if curve is None:
            return u + cx, v + cy
        R, s = curve
        a = R - s * v
        r = np.hypot(u, a)
        th = np.arctan2(u, a)
        return cx + th * R, cy + s * (R - r)

    def _to_plane(self, pts: np.ndarray, line: _Line,
                  curve: Curve) -> np.ndarray:
        """``(N, 2)`` canvas points -> the centred plane of the line."""
        return np.stack(
            self._curve_fwd(pts[:, 0], pts[:, 1], line.cx, line.cy, curve), 1)

    def _canvas_outline(self, line: _Line, curve: Curve) -> np.ndarray:
        """The border of the line's canvas in the centred plane, sampled
        densely enough to bound an arc."""
        canvas_h, canvas_w = line.glyph.shape
        t = np.linspace(0, 1, _OUTLINE_SAMPLES)
        edges = np.concatenate([
            np.stack([t * canvas_w, np.zeros_like(t)], 1),
            np.stack([np.full_like(t, canvas_w), t * canvas_h], 1),
            np.stack([t * canvas_w, np.full_like(t, canvas_h)], 1),
            np.stack([np.zeros_like(t), t * canvas_h], 1)
        ])
        return self._to_plane(edges, line, curve)

    def _word_polygon(self, box: tuple, curve: Curve) -> np.ndarray:
        """Canvas polygon of a word box: 4 corners, or ``curve_points``
        points per long side for a curved line (top left -> right, then
        bottom right -> left)."""
        x0, y0, x1, y1 = box
        if curve is None:
            return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
        xs = np.linspace(x0, x1, self.curve_points)
        top = np.stack([xs, np.full_like(xs, y0)], 1)
        bot = np.stack([xs[::-1], np.full_like(xs, y1)], 1)
        return np.concatenate([top, bot])

    # ------------------------------------------------------------ pose
    @staticmethod
    def _apply_h(m: np.ndarray, pts: np.ndarray) -> np.ndarray:
        """Apply the homography ``m`` to ``(N, 2)`` points."""
        p = pts @ m[:, :2].T + m[:, 2]
        return p[:, :2] / p[:, 2:3]

    def _pose(self, rng: np.random.Generator, uv: np.ndarray) -> np.ndarray:
        """Random stretch + perspective + rotation about the origin of the
        centred plane (``uv``: the line's outline there)."""
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

    def _pick_curve(self, rng: np.random.Generator, line: _Line) -> Curve:
        """An arc for the line, or None (straight): a random span within
        ``curve_angle_range``, not tighter than 1.6 x the canvas height,
        and only when it bends by at least 15 degrees."""
        span = (max(b[2] for b in line.word_boxes) -
                min(b[0] for b in line.word_boxes))
        phi = math.radians(rng.uniform(*self.curve_angle_range))
        R = max(span / phi, 1.6 * line.glyph.shape[0])
        if span / R >= math.radians(15):
            return (R, 1 if rng.random() < 0.5 else -1)
        return None

    def _fit_line(self, rng: np.random.Generator, words: List[str],
                  simple: bool) -> Optional[_Fit]:
        """Lay out, bend and pose a line so that it fits the image,
        shrinking the font up to twice.

        Args:
            rng (np.random.Generator): Random source.
            words (list[str]): The words of the line.
            simple (bool): The fallback: smallest font, straight, no pose.

        Returns:
            _Fit | None: None when the line cannot fit above
            ``min_font_px``.
        """
        W, H = self.img_size
        px = self.min_font_px if simple else self._font_px(rng)
        font_idx = self.fonts.sample(rng, ''.join(words))
        nchar = sum(len(w) for w in words)
        for _shrink in range(3):
            line = self._layout(words, font_idx, px, rng)
            curve = None
            if not simple and nchar >= 3 and rng.random() < self.curved_prob:
                curve = self._pick_curve(rng, line)
            uv = self._canvas_outline(line, curve)
            pose = np.eye(3) if simple else self._pose(rng, uv)
            posed = self._apply_h(pose, uv)
            lo, hi = posed.min(0), posed.max(0)
            border = max(2.0, 0.01 * min(W, H))
            avail = np.array([W, H]) - 2 * border - 1
            ext = hi - lo
            if (ext <= avail).all():
                fit = _Fit()
                fit.line, fit.curve, fit.pose = line, curve, pose
                fit.lo, fit.hi, fit.border = lo, hi, border
                return fit
            scale = float((avail / ext).min()) * 0.95
            new_px = int(px * scale)
            if new_px < self.min_font_px:
                return None
            px = new_px
        return None

    def _find_translation(
        self, rng: np.random.Generator, fit: _Fit,
        word_polys: List[np.ndarray], placed: list
    ) -> Optional[Tuple[np.ndarray, List[np.ndarray], list]]:
        """Try 8 random positions of the posed line; keep the first whose
        word polygons are valid and ``min_gap`` away from ``placed``.

        Returns:
            tuple | None: ``(plane-to-image homography, image polygons,
            their shapely polygons)``, or None.
        """
        W, H = self.img_size
        lo, hi, border = fit.lo, fit.hi, fit.border
        for _ in range(8):
            tx = rng.uniform(border - lo[0], W - 1 - border - hi[0])
            ty = rng.uniform(border - lo[1], H - 1 - border - hi[1])
            m = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]]) @ fit.pose
            polys = [self._apply_h(m, p) for p in word_polys]
            shapes = [_ShapelyPolygon(p) for p in polys]
            if not all(s.is_valid for s in shapes):
                continue
            if any(
                    s.distance(q) < self.min_gap for s in shapes
                    for q in placed):
                continue
            return m, polys, shapes
        return None

    @staticmethod
    def _rounded(points: np.ndarray) -> List[float]:
        """Flat list of coordinates rounded to 0.01 px."""
        return [round(float(v), 2) for v in points.reshape(-1)]

    def _instances(self, words: List[str], polys: List[np.ndarray],
                   char_polys: list, m: np.ndarray) -> List[dict]:
        """OCRDataset instances of a placed line (one per word, with its
        character polygons, box and SPTS centre point)."""
        insts = []
        for k, (word, poly) in enumerate(zip(words, polys)):
            flat = self._rounded(poly)
            chars = [
                dict(char=c, polygon=self._rounded(self._apply_h(m, cp)))
                for c, wi, cp in char_polys if wi == k
            ]
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

    def _place_line(self,
                    img: np.ndarray,
                    rng: np.random.Generator,
                    words: List[str],
                    placed: list,
                    alpha: Optional[np.ndarray],
                    simple: bool = False) -> Optional[List[dict]]:
        """Fit a line, find a free position, draw it and return its
        instances.

        Args:
            img (np.ndarray): float32 BGR image, drawn on in place.
            rng (np.random.Generator): Random source.
            words (list[str]): The words of the line.
            placed (list): Shapely polygons of the words already placed
                (extended in place).
            alpha (np.ndarray, optional): Text coverage map to update.
            simple (bool): The fallback line (smallest font, no bending or
                pose). Defaults to False.

        Returns:
            list[dict] | None: The instances, or None if the line did not
            fit anywhere.
        """
        fit = self._fit_line(rng, words, simple)
        if fit is None:
            return None
        line, curve = fit.line, fit.curve
        word_polys = [
            self._to_plane(self._word_polygon(box, curve), line, curve)
            for box in line.word_boxes
        ]
        char_polys = [
            (c, wi,
             self._to_plane(
                 np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]]), line,
                 curve)) for c, wi, x0, y0, x1, y1 in line.char_boxes
        ]
        found = self._find_translation(rng, fit, word_polys, placed)
        if found is None:
            return None
        m, polys, shapes = found
        self._composite(img, rng, line, curve, m, alpha)
        placed.extend(shapes)
        return self._instances(words, polys, char_polys, m)

    # ------------------------------------------------------------ drawing
    def _roi(self, line: _Line, curve: Curve,
             m: np.ndarray) -> Optional[Tuple[int, int, int, int]]:
        """Image region ``(x0, y0, x1, y1)`` covered by the warped canvas
        (None if empty)."""
        W, H = self.img_size
        out = self._apply_h(m, self._canvas_outline(line, curve))
        x0 = int(max(0, math.floor(out[:, 0].min()) - 1))
        y0 = int(max(0, math.floor(out[:, 1].min()) - 1))
        x1 = int(min(W, math.ceil(out[:, 0].max()) + 2))
        y1 = int(min(H, math.ceil(out[:, 1].max()) + 2))
        if x1 <= x0 or y1 <= y0:
            return None
        return x0, y0, x1, y1

    def _text_patch(self, rng: np.random.Generator, line: _Line,
                    roi: np.ndarray) -> np.ndarray:
        """The line's layers on its canvas, drawn over each other: shadow,
        outline (also added when the text colour cannot contrast or the
        background is busy), then the glyph fill (flat or a vertical
        gradient). Colours are chosen against the background under the
        line (its luma mean +- 0.8 std).

        Returns:
            np.ndarray: ``(h, w, 4)`` float32: premultiplied BGR colour and
            coverage.
        """
        canvas_h, canvas_w = line.glyph.shape
        luma = cv2.transform(roi, _LUMA.reshape(1, 3))
        mean, std = cv2.meanStdDev(luma)
        bg_luma, bg_std = float(mean[0, 0]), float(std[0, 0])
        bg_lo, bg_hi = bg_luma - 0.8 * bg_std, bg_luma + 0.8 * bg_std
        fill, go_dark, ok = _contrast_color(rng, bg_lo, bg_hi,
                                            self.min_contrast)
        color = np.zeros((canvas_h, canvas_w, 3), np.float32)
        coverage = np.zeros((canvas_h, canvas_w), np.float32)
        if line.shadow is not None:
            coverage = line.shadow * 0.6
            shadow_color = fill * 0.15 if _luma(fill) > 127 else np.float32(
                [20, 20, 20])
            if bg_luma > 60:
                shadow_color = np.float32([20, 20, 20])
            color = coverage[..., None] * shadow_color
        outline = line.outline
        if outline is None and (not ok or bg_std > 45):  # busy: add halo
            outline = _halo(line.glyph, line.pad, line.px)
        if outline is not None:
            fill_luma = _luma(fill)
            outline_color = _contrast_color(rng, fill_luma, fill_luma, 90)[0]
            color, coverage = _over(outline_color, outline, color, coverage)
        if rng.random() < self.gradient_fill_prob:
            second = np.clip(fill + rng.uniform(-50, 50, 3), 0, 255)
            second_luma = _luma(second)
            if ok and ((go_dark and second_luma > bg_lo - self.min_contrast)
                       or (not go_dark
                           and second_luma < bg_hi + self.min_contrast)):
                second = fill  # the second colour would lose the contrast
            f = np.linspace(0, 1, canvas_h, dtype=np.float32)[:, None, None]
            fill_map = fill * (1 - f) + second.astype(np.float32) * f
        else:
            fill_map = fill.astype(np.float32)
        color, coverage = _over(fill_map, line.glyph, color, coverage)
        return np.concatenate([color, coverage[..., None]],
                              2).astype(np.float32)

    def _warp_patch(self, patch: np.ndarray, line: _Line, curve: Curve,
                    m: np.ndarray, box: Tuple[int, int, int,
                                              int]) -> np.ndarray:
        """Resample the canvas patch into the image region ``box`` once:
        a perspective warp for a straight line, a remap through the
        analytic inverse of arc + homography for a curved one."""
        x0, y0, x1, y1 = box
        to_roi = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], np.float64)
        if curve is None:
            centre = np.array([[1, 0, -line.cx], [0, 1, -line.cy],
                               [0, 0, 1]])
            return cv2.warpPerspective(
                patch,
                to_roi @ m @ centre, (x1 - x0, y1 - y0),
                flags=cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT,
                borderValue=0)
        inv = np.linalg.inv(m)
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        den = inv[2, 0] * xs + inv[2, 1] * ys + inv[2, 2]
        u = (inv[0, 0] * xs + inv[0, 1] * ys + inv[0, 2]) / den
        v = (inv[1, 0] * xs + inv[1, 1] * ys + inv[1, 2]) / den
        sx, sy = self._curve_inv(u, v, line.cx, line.cy, curve)
        return cv2.remap(
            patch,
            sx.astype(np.float32),
            sy.astype(np.float32),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=0)

    def _composite(self, img: np.ndarray, rng: np.random.Generator,
                   line: _Line, curve: Curve, m: np.ndarray,
                   alpha: Optional[np.ndarray]) -> None:
        """Draw a placed line onto ``img`` (in place) and record its
        coverage in ``alpha``.

        Args:
            img (np.ndarray): float32 BGR image.
            rng (np.random.Generator): Random source.
            line (_Line): The line.
            curve (tuple | None): Its arc.
            m (np.ndarray): Centred plane -> image homography.
            alpha (np.ndarray, optional): Text coverage map to update.
        """
        box = self._roi(line, curve, m)
        if box is None:
            return
        x0, y0, x1, y1 = box
        roi = img[y0:y1, x0:x1]
        patch = self._text_patch(rng, line, roi)
        warped = self._warp_patch(patch, line, curve, m, box)
        warped_alpha = warped[..., 3:4]  # bilinear mix of values in [0, 1]
        roi *= (1 - warped_alpha)
        roi += warped[..., :3]
        if alpha is not None:
            np.maximum(alpha[y0:y1, x0:x1], warped_alpha[..., 0],
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
