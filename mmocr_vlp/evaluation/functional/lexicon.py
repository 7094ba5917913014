# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Lexicon loading and lexicon-based correction of recognised words.

Protocol facts (SPTS ``evaluation/eval.py``, read for facts only):

* the prediction is upper-cased and compared with every upper-cased lexicon
  word by the normalised edit distance ``ED / max(len(pred), len(word))``;
  the first word with the smallest distance wins;
* the prediction is replaced by that word (or, with a pair list, by the GT
  spelling the pair list maps it to) if the distance is ``< 0.4``, otherwise
  the prediction is **dropped** (it counts neither as TP nor as FP);
* for ICDAR 2013/2015 with the *Generic* lexicon the replacement is done
  whatever the distance (``always_replace=True``);
* a pair list line is ``<LEXICON_WORD> <gt spelling>``; the key is the first
  space-separated token upper-cased, the value the rest of the line.

Edit distances come from :mod:`rapidfuzz`.
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .text import fold_case

#: lexicon correction threshold on the normalised edit distance
LEXICON_THR = 0.4

#: lexicon kinds of the protocol
LEXICON_TYPES = ('none', 'strong', 'weak', 'generic', 'full')


def _read_lines(path: str, what: str) -> List[str]:
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} file not found: {path}')
    try:
        with open(path, encoding='utf-8-sig') as f:
            return f.read().splitlines()
    except UnicodeDecodeError as e:
        raise ValueError(f'{what} file {path} is not UTF-8: {e}') from e


def load_lexicon(path: str) -> List[str]:
    """Read a lexicon file: one word per line, surrounding spaces stripped,
    empty lines skipped."""
    words = [w.strip() for w in _read_lines(path, 'lexicon')]
    words = [w for w in words if w]
    if not words:
        raise ValueError(f'lexicon file {path} holds no word')
    return words


def load_pair_list(path: str) -> Dict[str, str]:
    """Read a pair-list file mapping upper-cased lexicon words to GT spelling.

    Each non-empty line is ``<WORD> <gt spelling>``: the key is the first
    space-separated token upper-cased, the value everything after the first
    space (the GT spelling may itself contain spaces). A line with a single
    token maps the word to itself.
    """
    pairs: Dict[str, str] = {}
    for line in _read_lines(path, 'pair list'):
        line = line.strip()
        if not line:
            continue
        key, _, value = line.partition(' ')
        pairs[fold_case(key)] = value if value else key
    return pairs


def find_match_word(
        word: str,
        lexicon: Sequence[str],
        lexicon_folded: Optional[Sequence[str]] = None) -> Tuple[int, float]:
    """Closest lexicon entry by normalised edit distance.

    Args:
        word: the recognised word (case is folded here).
        lexicon: lexicon words.
        lexicon_folded: optional pre-folded copy of ``lexicon`` (speed).

    Returns:
        ``(index, distance)``; the first index among equally close words
        (the lexicon order decides ties, as in SPTS).
    """
    if len(lexicon) == 0:
        raise ValueError('empty lexicon')
    if lexicon_folded is None:
        lexicon_folded = [fold_case(w) for w in lexicon]
    dists = process.cdist([fold_case(word)],
                          lexicon_folded,
                          scorer=Levenshtein.normalized_distance,
                          dtype=np.float64,
                          workers=1)[0]
    idx = int(np.argmin(dists))
    return idx, float(dists[idx])


def correct_with_lexicon(word: str,
                         lexicon: Sequence[str],
                         pairs: Optional[Dict[str, str]] = None,
                         thr: float = LEXICON_THR,
                         always_replace: bool = False) -> Optional[str]:
    """Lexicon correction of one recognised word (SPTS protocol).

    Args:
        word: the recognised word.
        lexicon: lexicon words.
        pairs: optional pair list (upper-cased lexicon word -> GT spelling).
        thr: accept the closest word if its normalised edit distance is
            strictly below ``thr``.
        always_replace: replace whatever the distance (ICDAR Generic).

    Returns:
        The corrected word (upper-cased lexicon word, or its GT spelling from
        ``pairs``), or ``None`` when the prediction must be dropped.
    """
    return Lexicon(lexicon, pairs).correct(word, thr, always_replace)


class Lexicon:
    """A lexicon with an optional pair list and a correction cache.

    Args:
        words: lexicon words.
        pairs: optional pair list, see :func:`load_pair_list`.
        name: a label for error messages (usually the file path).
    """

    def __init__(self,
                 words: Sequence[str],
                 pairs: Optional[Dict[str, str]] = None,
                 name: str = '<lexicon>') -> None:
        if len(words) == 0:
            raise ValueError(f'{name}: empty lexicon')
        self.words = list(words)
        self.folded = [fold_case(w) for w in self.words]
        self.pairs = pairs
        self.name = name
        # words grouped by length (indices ascending), for pruned searches
        by_len: Dict[int, List[int]] = {}
        for i, w in enumerate(self.folded):
            by_len.setdefault(len(w), []).append(i)
        self._by_len = {
            n: (np.asarray(idx), [self.folded[i] for i in idx])
            for n, idx in by_len.items()
        }
        self._cache: Dict[Tuple[str, Optional[float]], Tuple[int, float]] = {}

    @classmethod
    def from_files(cls,
                   path: str,
                   pair_path: Optional[str] = None) -> 'Lexicon':
        pairs = load_pair_list(pair_path) if pair_path else None
        return cls(load_lexicon(path), pairs, name=path)

    def _nearest(self,
                 key: str,
                 max_dist: Optional[float] = None) -> Tuple[int, float]:
        """``(index, distance)`` of the first closest word; with
        ``max_dist`` only words that can be closer than it are searched
        (``ED >= |len difference|``), and ``(-1, inf)`` means none is."""
        ck = (key, max_dist)
        if ck in self._cache:
            return self._cache[ck]
        q = len(key)
        best = (float('inf'), -1)  # (distance, index): ties -> lower index
        # rapidfuzz stops early beyond the cutoff (reports 1.0 there)
        cutoff = max_dist if max_dist is not None and max_dist < 1 else None
        for n, (idx, words) in self._by_len.items():
            # ED >= |len difference|, so this bucket cannot reach max_dist
            if max_dist is not None and max(q, n) > 0 and \
                    abs(q - n) >= max_dist * max(q, n):
                continue
            dists = process.cdist([key],
                                  words,
                                  scorer=Levenshtein.normalized_distance,
                                  dtype=np.float64,
                                  workers=1,
                                  score_cutoff=cutoff)[0]
            j = int(np.argmin(dists))
            best = min(best, (float(dists[j]), int(idx[j])))
        dist, i = best
        if max_dist is not None and not dist < max_dist:
            i, dist = -1, float('inf')
        res = (i, dist)
        self._cache[ck] = res
        return res

    def _output(self, idx: int) -> str:
        folded = self.folded[idx]
        if self.pairs is not None:
            if folded not in self.pairs:
                raise KeyError(f'{self.name}: lexicon word {folded!r} has no '
                               f'entry in the pair list')
            return self.pairs[folded]
        return folded

    def match(self, word: str) -> Tuple[str, float]:
        """Closest entry (mapped through the pair list) and its distance."""
        idx, dist = self._nearest(fold_case(word))
        return self._output(idx), dist

    def correct(self,
                word: str,
                thr: float = LEXICON_THR,
                always_replace: bool = False) -> Optional[str]:
        """See :func:`correct_with_lexicon`."""
        key = fold_case(word)
        if always_replace:
            return self._output(self._nearest(key)[0])
        idx, _ = self._nearest(key, float(thr))
        return None if idx < 0 else self._output(idx)


class LexiconSource:
    """Resolves the lexicon to use for an image.

    Args:
        lexicon_type: one of :data:`LEXICON_TYPES` (``None`` = ``'none'``).
        path: for ``'weak'``, ``'generic'`` and ``'full'`` one lexicon file;
            for ``'strong'`` the directory of per-image lexicons.
        pair_path: optional pair-list file (a directory for ``'strong'``).
        filename_tmpl: per-image lexicon file name for ``'strong'``;
            ``{stem}`` is the image file name without extension
            (``img_1.jpg`` -> ``voc_img_1.txt``).
        pair_filename_tmpl: per-image pair-list file name for ``'strong'``.
    """

    def __init__(self,
                 lexicon_type: Optional[str] = None,
                 path: Optional[str] = None,
                 pair_path: Optional[str] = None,
                 filename_tmpl: str = 'voc_{stem}.txt',
                 pair_filename_tmpl: str = 'pair_voc_{stem}.txt') -> None:
        lexicon_type = 'none' if lexicon_type is None else \
            str(lexicon_type).lower()
        if lexicon_type not in LEXICON_TYPES:
            raise ValueError(f'lexicon_type must be one of {LEXICON_TYPES} '
                             f'or None, got {lexicon_type!r}')
        self.lexicon_type = lexicon_type
        self.path = path
        self.pair_path = pair_path
        self.filename_tmpl = filename_tmpl
        self.pair_filename_tmpl = pair_filename_tmpl
        self._shared: Optional[Lexicon] = None
        self._per_image: Dict[str, Lexicon] = {}
        if lexicon_type == 'none':
            return
        if not path:
            raise ValueError(f'lexicon_type={lexicon_type!r} needs `path`')
        if lexicon_type == 'strong':
            if not osp.isdir(path):
                raise FileNotFoundError(
                    f'strong lexicon directory not found: {path}')
            if pair_path and not osp.isdir(pair_path):
                raise FileNotFoundError(
                    f'strong pair-list directory not found: {pair_path}')
        else:
            self._shared = Lexicon.from_files(path, pair_path)

    @property
    def enabled(self) -> bool:
        return self.lexicon_type != 'none'

    def get(self, img_path: Optional[str]) -> Optional[Lexicon]:
        """The lexicon for ``img_path`` (``None`` without lexicon)."""
        if not self.enabled:
            return None
        if self._shared is not None:
            return self._shared
        if not img_path:
            raise ValueError('a strong lexicon needs `img_path` in the data '
                             'sample metainfo')
        stem = osp.splitext(osp.basename(img_path))[0]
        if stem not in self._per_image:
            lex_file = os.path.join(self.path,
                                    self.filename_tmpl.format(stem=stem))
            pair_file = None
            if self.pair_path:
                pair_file = os.path.join(
                    self.pair_path, self.pair_filename_tmpl.format(stem=stem))
            self._per_image[stem] = Lexicon.from_files(lex_file, pair_file)
        return self._per_image[stem]
