# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Find usable TrueType/OpenType fonts at run time and cache loaded faces.

Fonts come from (in this order, first occurrence of a file name wins):
user ``font_dirs``, matplotlib's bundled TTFs (``mpl-data/fonts/ttf``) and
the system font folders. A font is kept only if its character map really
covers ``[A-Za-z0-9]``: code points are checked against the glyph *names*
(Adobe Glyph List), which rejects fonts such as ``cmex10`` or
``LastResortHE`` whose cmap claims ASCII but draws other symbols.
"""
import os
import os.path as osp
import string
from functools import lru_cache
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Tuple

from PIL import ImageFont

ALNUM = frozenset(string.ascii_letters + string.digits)
SYSTEM_FONT_DIRS = ('/usr/share/fonts', '/usr/local/share/fonts',
                    osp.expanduser('~/.fonts'),
                    osp.expanduser('~/.local/share/fonts'))
_FONT_EXTS = ('.ttf', '.otf')
#: glyphs that a font names correctly but draws differently
_QUIRKS = {'cmti10.ttf': {'$'}}


class FontInfo(NamedTuple):
    """A usable font file.

    Attributes:
        path (str): Absolute path of the font file.
        family (str): Family name (name table ID 1, else the file stem).
        coverage (frozenset[str]): Printable ASCII characters (33-126) the
            font really draws.
    """
    path: str
    family: str
    coverage: FrozenSet[str]


def matplotlib_font_dir() -> Optional[str]:
    """Folder of matplotlib's bundled TTFs, or None if matplotlib is
    missing."""
    try:
        import matplotlib
    except ImportError:  # pragma: no cover
        return None
    d = osp.join(matplotlib.get_data_path(), 'fonts', 'ttf')
    return d if osp.isdir(d) else None


def _font_files(folder: str) -> List[str]:
    files = []
    for root, _, names in os.walk(folder):
        for n in names:
            if n.lower().endswith(_FONT_EXTS):
                files.append(osp.join(root, n))
    return sorted(files)


def _inspect(path: str) -> Optional[Tuple[str, FrozenSet[str]]]:
    """Return (family, ASCII coverage) or None if the file can't be read."""
    try:
        from fontTools import agl
        from fontTools.ttLib import TTFont
        font = TTFont(path, lazy=True, fontNumber=0)
        cmap = font.getBestCmap() or {}
        post_fmt = getattr(font['post'], 'formatType',
                           2.0) if 'post' in font else 3.0
        good = set()
        for code, glyph in cmap.items():
            if not 33 <= code <= 126:
                continue
            # post format 3 has no glyph names: trust the cmap
            if post_fmt == 3.0 or agl.toUnicode(glyph) == chr(code):
                good.add(chr(code))
        family = None
        if 'name' in font:
            rec = font['name'].getName(1, 3, 1) or font['name'].getName(
                1, 1, 0)
            if rec is not None:
                family = rec.toUnicode()
        font.close()
    except ImportError:  # pragma: no cover - fontTools ships with mpl
        good = set(chr(c) for c in range(33, 127))
        family = None
    except Exception:  # unreadable/corrupt font file
        return None
    family = family or osp.splitext(osp.basename(path))[0].split('-')[0]
    # TeX OT1 quirk: Computer Modern italic draws '$' as a pound sign
    good -= _QUIRKS.get(osp.basename(path).lower(), set())
    return family, frozenset(good)


@lru_cache(maxsize=16)
def _find_fonts_cached(dirs: Tuple[str, ...]) -> Tuple[FontInfo, ...]:
    seen = set()
    fonts = []
    for d in dirs:
        if not d or not osp.isdir(d):
            continue
        for path in _font_files(d):
            base = osp.basename(path)
            if base in seen:
                continue
            res = _inspect(path)
            if res is None or not ALNUM <= res[1]:
                continue
            seen.add(base)
            fonts.append(FontInfo(osp.abspath(path), res[0], res[1]))
    return tuple(fonts)


def find_fonts(font_dirs: Optional[Sequence[str]] = None,
               use_matplotlib: bool = True,
               use_system: bool = True,
               names: Optional[Sequence[str]] = None) -> List[FontInfo]:
    """Find usable fonts.

    Args:
        font_dirs (Sequence[str], optional): Extra folders (searched first,
            recursively) for ``.ttf``/``.otf`` files.
        use_matplotlib (bool): Include matplotlib's bundled TTFs.
        use_system (bool): Include system font folders.
        names (Sequence[str], optional): Keep only the fonts with these file
            names (e.g. ``['DejaVuSans.ttf']``), in this order.

    Returns:
        list[FontInfo]: Usable fonts, in a deterministic order.

    Raises:
        FileNotFoundError: If a given ``font_dirs`` entry does not exist.
        RuntimeError: If no usable font was found.
        ValueError: If a font of ``names`` is not among the usable fonts.
    """
    if isinstance(font_dirs, str):
        font_dirs = [font_dirs]
    dirs = []
    for d in font_dirs or []:
        if not osp.isdir(d):
            raise FileNotFoundError(f'font_dir {d!r} is not a directory')
        dirs.append(osp.abspath(d))
    if use_matplotlib:
        dirs.append(matplotlib_font_dir())
    if use_system:
        dirs.extend(SYSTEM_FONT_DIRS)
    fonts = list(_find_fonts_cached(tuple(d for d in dirs if d)))
    if names:
        by_name = {osp.basename(f.path): f for f in fonts}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise ValueError(
                f'fonts {missing} are not usable fonts here; choose from '
                f'{sorted(by_name)}')
        fonts = [by_name[n] for n in dict.fromkeys(names)]
    if not fonts:
        raise RuntimeError(
            f'No usable font (a .ttf/.otf covering A-Za-z0-9) found in '
            f'{dirs}; pass font_dirs=[...] / --font-dir')
    return fonts


class FontBank:
    """Fonts grouped by family, with a cache of loaded faces.

    Sampling picks a family uniformly, then a style, so that a family with
    many files (e.g. DejaVu) does not dominate.

    Args:
        fonts (list[FontInfo]): Fonts from :func:`find_fonts`.
    """

    def __init__(self, fonts: Sequence[FontInfo]) -> None:
        if not fonts:
            raise ValueError('FontBank needs at least one font')
        self.fonts = list(fonts)
        fams: Dict[str, List[int]] = {}
        for i, f in enumerate(self.fonts):
            fams.setdefault(f.family, []).append(i)
        self.families = [fams[k] for k in sorted(fams)]
        self._faces: Dict[Tuple[int, int], ImageFont.FreeTypeFont] = {}

    def sample(self, rng, text: str = '') -> int:
        """Index of a random font that draws every character of ``text``."""
        need = set(text) - {' '}
        for _ in range(8):
            fam = self.families[rng.integers(len(self.families))]
            idx = fam[rng.integers(len(fam))]
            if need <= self.fonts[idx].coverage:
                return idx
        ok = [i for i, f in enumerate(self.fonts) if need <= f.coverage]
        if not ok:
            raise ValueError(f'No font covers all characters of {text!r}')
        return ok[rng.integers(len(ok))]

    def face(self, idx: int, size: int) -> ImageFont.FreeTypeFont:
        """Loaded face of font ``idx`` at ``size`` px (cached)."""
        key = (idx, int(size))
        face = self._faces.get(key)
        if face is None:
            face = ImageFont.truetype(
                self.fonts[idx].path,
                int(size),
                layout_engine=ImageFont.Layout.BASIC)
            self._faces[key] = face
        return face
