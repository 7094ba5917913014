# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Word sources: a bundled English word list plus random alphanumerics,
numbers and punctuation-bearing tokens."""
import os.path as osp
import string
from functools import lru_cache
from typing import Dict, List, Optional, Sequence

#: Default character set: printable ASCII 33-126 (oCLIP's SynthText dict).
DEFAULT_CHARSET = ''.join(chr(c) for c in range(33, 127))
WORDS_FILE = osp.join(osp.dirname(__file__), 'assets', 'words.txt')

DEFAULT_SOURCE_PROBS = dict(dict=0.62, punct=0.14, number=0.12, alnum=0.12)
DEFAULT_CASE_PROBS = dict(lower=0.45, title=0.3, upper=0.25)

_ALNUM = string.ascii_letters + string.digits
_UNITS = ('km', 'kg', 'ml', 'cm', 'mm', 'm', 'g', 'h', 'min', 'GB', 'MB',
          'mph', 'L')
_TRAIL = '.,!?:;'
_SYMBOLS = '#$%&*+-/<=>@\\^_`|~'


@lru_cache(maxsize=8)
def load_word_list(path: str = WORDS_FILE) -> tuple:
    """Read a word list (one word per line, ``#`` comments allowed).

    Raises:
        FileNotFoundError: If ``path`` does not exist.
        ValueError: If it holds no word.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'word list {path!r} not found')
    with open(path, encoding='utf-8') as f:
        words = [w.strip() for w in f]
    words = tuple(w for w in words if w and not w.startswith('#'))
    if not words:
        raise ValueError(f'word list {path!r} is empty')
    return words


def _norm_probs(probs: Dict[str, float], allowed: Sequence[str],
                what: str):
    bad = set(probs) - set(allowed)
    if bad:
        raise ValueError(f'{what}: unknown keys {sorted(bad)}; allowed '
                         f'{list(allowed)}')
    keys = [k for k in allowed if probs.get(k, 0) > 0]
    tot = sum(probs[k] for k in keys)
    if not keys or tot <= 0:
        raise ValueError(f'{what}: no positive probability in {probs}')
    return keys, [probs[k] / tot for k in keys]


class WordSampler:
    """Draw scene-text-like tokens.

    Args:
        words (Sequence[str], optional): Word list; defaults to the bundled
            ``assets/words.txt``.
        source_probs (dict, optional): Mix of sources ``dict`` (word list),
            ``punct`` (word with punctuation), ``number`` (prices, years,
            times ...) and ``alnum`` (random letters/digits).
        case_probs (dict, optional): Mix of ``lower``/``title``/``upper``
            for list words.
        charset (str): Allowed characters; tokens are filtered to it.
            Defaults to printable ASCII 33-126.
        max_len (int): Longest token. Defaults to 18.
    """

    def __init__(self,
                 words: Optional[Sequence[str]] = None,
                 source_probs: Optional[Dict[str, float]] = None,
                 case_probs: Optional[Dict[str, float]] = None,
                 charset: str = DEFAULT_CHARSET,
                 max_len: int = 18) -> None:
        self.charset = frozenset(charset)
        if ' ' in self.charset:
            raise ValueError('charset must not contain a space (words are '
                             'annotated one by one)')
        words = load_word_list() if words is None else words
        self.words = [
            w for w in words
            if 0 < len(w) <= max_len and set(w) <= self.charset
        ]
        if not self.words:
            raise ValueError('no word of the word list fits the charset')
        self.src_keys, self.src_p = _norm_probs(
            source_probs or DEFAULT_SOURCE_PROBS,
            ('dict', 'punct', 'number', 'alnum'), 'word_source_probs')
        self.case_keys, self.case_p = _norm_probs(
            case_probs or DEFAULT_CASE_PROBS, ('lower', 'title', 'upper'),
            'case_probs')
        self.max_len = max_len
        self._alnum = [c for c in _ALNUM if c in self.charset]

    # ---------------------------------------------------------------- parts
    def _word(self, rng) -> str:
        w = self.words[rng.integers(len(self.words))]
        case = self.case_keys[rng.choice(len(self.case_keys), p=self.case_p)]
        if case == 'upper':
            return w.upper()
        if case == 'title':
            return w[:1].upper() + w[1:]
        return w

    def _alnum_token(self, rng) -> str:
        n = int(rng.integers(2, 9))
        kind = rng.integers(3)
        if kind == 0:  # code-like: letters then digits
            k = int(rng.integers(1, n))
            up = string.ascii_uppercase
            return ''.join(up[i] for i in rng.integers(0, 26, k)) + ''.join(
                str(d) for d in rng.integers(0, 10, n - k))
        pool = self._alnum
        return ''.join(pool[i] for i in rng.integers(0, len(pool), n))

    def _number(self, rng) -> str:
        r = rng.integers
        kind = int(r(12))
        if kind == 0:
            return str(int(r(0, 10**int(r(1, 5)))))
        if kind == 1:
            return str(int(r(1900, 2031)))
        if kind == 2:
            return f'${int(r(1, 1000))}.{int(r(0, 100)):02d}'
        if kind == 3:
            return f'{int(r(1, 100))}%'
        if kind == 4:
            return f'{int(r(0, 24))}:{int(r(0, 60)):02d}'
        if kind == 5:
            return f'{int(r(100, 1000))}-{int(r(1000, 10000))}'
        if kind == 6:
            return f'No.{int(r(1, 100))}'
        if kind == 7:
            return f'#{int(r(1, 1000))}'
        if kind == 8:
            return f'{int(r(1, 500))}{_UNITS[int(r(len(_UNITS)))]}'
        if kind == 9:
            return f'{int(r(0, 100))}.{int(r(0, 10))}'
        if kind == 10:
            n = int(r(1, 32))
            suf = 'th' if 10 <= n % 100 <= 20 else {
                1: 'st',
                2: 'nd',
                3: 'rd'
            }.get(n % 10, 'th')
            return f'{n}{suf}'
        return f'{int(r(1, 50))}-{int(r(50, 100))}'

    def _punct(self, rng) -> str:
        w = self._word(rng)
        kind = int(rng.integers(12))
        if kind <= 2:
            return w + _TRAIL[rng.integers(len(_TRAIL))]
        if kind == 3:
            o, c = ('()', '[]', '{}', '""', "''", '<>')[rng.integers(6)]
            return o + w + c
        if kind == 4:
            return w + "'s"
        if kind == 5:
            return w + '-' + self._word(rng).lower()
        if kind == 6:
            return '#@'[rng.integers(2)] + w
        if kind == 7:
            return 'www.' + w.lower() + ('.com', '.org', '.net')[rng.integers(
                3)]
        if kind == 8:
            letters = string.ascii_uppercase
            n = int(rng.integers(2, 4))
            return '.'.join(letters[i] for i in rng.integers(0, 26, n)) + '.'
        if kind == 9:
            return w + '&' + self._word(rng)
        if kind == 10:
            s = _SYMBOLS[rng.integers(len(_SYMBOLS))]
            return s + w if rng.random() < 0.5 else w + s
        return w + '/' + self._word(rng)

    # ---------------------------------------------------------------- public
    def sample(self, rng, source: Optional[str] = None) -> str:
        """One token (no space), within ``charset`` and ``max_len``."""
        for _ in range(20):
            src = source or self.src_keys[rng.choice(
                len(self.src_keys), p=self.src_p)]
            tok = {
                'dict': self._word,
                'punct': self._punct,
                'number': self._number,
                'alnum': self._alnum_token
            }[src](rng)
            tok = ''.join(c for c in tok if c in self.charset)
            if 0 < len(tok) <= self.max_len:
                return tok
        return self._word(rng)

    def sample_line(self, rng, n: int) -> List[str]:
        """``n`` tokens for one text line (mostly list words)."""
        case = self.case_keys[rng.choice(len(self.case_keys), p=self.case_p)]
        out = []
        for _ in range(n):
            src = 'dict' if rng.random() < 0.8 else None
            tok = self.sample(rng, src)
            if src == 'dict':  # one case for a whole line looks natural
                tok = tok.upper() if case == 'upper' else (
                    tok.lower() if case == 'lower' else tok[:1].upper() +
                    tok[1:].lower())
                tok = ''.join(c for c in tok if c in self.charset) or tok
            out.append(tok)
        return out
