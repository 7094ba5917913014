# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Character dictionary and tokeniser shared by every model of mmocr_vlp.

One dictionary object is built from the same config dict by the data
pipeline (to tokenise transcriptions) and by the models (to size embeddings
and the masked-character classifier), so indices always agree.

Index layout (fixed, documented in ``docs/data.md``)::

    0               <PAD>   padding, never predicted
    1 .. C          the C dictionary characters, in dictionary order
    C + 1           <UNK>   only when ``with_unknown=True``
    next            <MASK>  the masked-character token (oCLIP Sec. 3.1)
    next            <EOS>   end of word; its position carries the word feature
"""
import string
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmocr.registry import TASK_UTILS

#: Named character sets. ``printable`` is printable ASCII 33-126, the
#: SynthText dictionary of oCLIP; ``alnum_lower`` is the 36-class
#: case-insensitive alphanumeric set of SRSTS / SPTS evaluation.
PRESETS: Dict[str, str] = {
    'printable': ''.join(chr(c) for c in range(33, 127)),
    'alnum': string.digits + string.ascii_letters,
    'alnum_lower': string.digits + string.ascii_lowercase,
    # WeCromCL: lower-cased alphanumerics + punctuation + space.
    'lower_punct_space': string.digits + string.ascii_lowercase +
    string.punctuation + ' ',
}

_OOV_POLICIES = ('unknown', 'drop', 'skip', 'error')
_OVERLONG_POLICIES = ('truncate', 'skip', 'error')


class TokenizeError(ValueError):
    """Raised for a transcription that the ``error`` policies reject."""


@TASK_UTILS.register_module()
class VLPDictionary:
    """Character dictionary with a tokenisation policy.

    Args:
        chars (str, optional): The characters, in index order. Exclusive
            with ``dict_file``; takes precedence over ``preset``.
        preset (str, optional): A key of :data:`PRESETS`, used when neither
            ``chars`` nor ``dict_file`` is given (so an inherited config
            can switch to a file without deleting the preset). Defaults to
            ``'printable'``.
        dict_file (str, optional): A text file with one character per line
            (mmocr's dictionary file format; a line holding a single space is
            the space character).
        case (str): ``'keep'``, ``'lower'`` or ``'upper'``: case folding
            applied to every transcription before lookup. ``'lower'`` also
            folds the dictionary itself.
        max_len (int): Maximum number of characters per word (25 in both
            papers). Token sequences have ``max_len + 1`` slots with EOS.
        with_unknown (bool): Reserve an ``<UNK>`` index. Required by the
            ``'unknown'`` OOV policy.
        oov (str): What to do with a character outside the dictionary:
            ``'unknown'`` (map to ``<UNK>``), ``'drop'`` (remove the
            character), ``'skip'`` (drop the whole word) or ``'error'``.
        overlong (str): What to do with a word longer than ``max_len``
            after OOV handling: ``'truncate'``, ``'skip'`` or ``'error'``.
        min_len (int): Words with fewer characters (after OOV handling) are
            skipped and counted; oCLIP's LSVT recipe drops words shorter
            than 2. Defaults to 1.
    """

    def __init__(self,
                 chars: Optional[str] = None,
                 preset: Optional[str] = None,
                 dict_file: Optional[str] = None,
                 case: str = 'keep',
                 max_len: int = 25,
                 with_unknown: bool = False,
                 oov: str = 'drop',
                 overlong: str = 'truncate',
                 min_len: int = 1) -> None:
        if chars is not None and dict_file is not None:
            raise ValueError('VLPDictionary: give chars or dict_file, not '
                             'both')
        if chars is not None or dict_file is not None:
            # An explicit character set wins over a preset, so a config can
            # override an inherited preset without `_delete_`.
            preset = None
        elif preset is None:
            preset = 'printable'
        if preset is not None:
            if preset not in PRESETS:
                raise ValueError(f'VLPDictionary: unknown preset {preset!r}; '
                                 f'choose from {sorted(PRESETS)}')
            chars = PRESETS[preset]
        elif dict_file is not None:
            chars = self._read_dict_file(dict_file)
        if case not in ('keep', 'lower', 'upper'):
            raise ValueError(f'VLPDictionary: case must be keep/lower/upper, '
                             f'got {case!r}')
        if oov not in _OOV_POLICIES:
            raise ValueError(f'VLPDictionary: oov must be one of '
                             f'{_OOV_POLICIES}, got {oov!r}')
        if overlong not in _OVERLONG_POLICIES:
            raise ValueError(f'VLPDictionary: overlong must be one of '
                             f'{_OVERLONG_POLICIES}, got {overlong!r}')
        if oov == 'unknown' and not with_unknown:
            raise ValueError("VLPDictionary: oov='unknown' needs "
                             'with_unknown=True')
        if max_len < 1:
            raise ValueError(f'VLPDictionary: max_len must be >= 1, '
                             f'got {max_len}')
        self.case = case
        chars = self._fold(chars)
        # Keep first occurrence of each character, in order.
        self.chars: List[str] = list(dict.fromkeys(chars))
        if not self.chars:
            raise ValueError('VLPDictionary: empty character set')
        self.max_len = max_len
        self.with_unknown = with_unknown
        self.oov = oov
        self.overlong = overlong
        if min_len < 1 or min_len > max_len:
            raise ValueError(f'VLPDictionary: min_len must be in [1, '
                             f'max_len={max_len}], got {min_len}')
        self.min_len = min_len
        self.char2idx = {c: i + 1 for i, c in enumerate(self.chars)}
        nxt = len(self.chars) + 1
        self.unknown_idx: Optional[int] = None
        if with_unknown:
            self.unknown_idx = nxt
            nxt += 1
        self.pad_idx = 0
        self.mask_idx = nxt
        self.eos_idx = nxt + 1
        self.num_tokens = nxt + 2
        #: Counters of what the policies did; read them with :meth:`stats`.
        self.counters: Counter = Counter()

    # ------------------------------------------------------------------ io
    @staticmethod
    def _read_dict_file(path: str) -> str:
        try:
            with open(path, encoding='utf-8') as f:
                lines = f.read().split('\n')
        except OSError as e:
            raise FileNotFoundError(
                f'VLPDictionary: cannot read dict_file {path!r}: {e}') from e
        chars = []
        for lineno, line in enumerate(lines, 1):
            line = line.rstrip('\r')
            if line == '':
                continue
            if len(line) != 1:
                raise ValueError(f'{path}:{lineno}: a dictionary line must '
                                 f'hold exactly one character, got {line!r}')
            chars.append(line)
        return ''.join(chars)

    @classmethod
    def from_texts(cls, texts: Sequence[str], min_count: int = 1,
                   **kwargs) -> 'VLPDictionary':
        """Build a dictionary from the characters seen in ``texts``.

        Characters are ordered by decreasing frequency then code point, so
        the result is deterministic (oCLIP's LSVT dictionary is built this
        way from the training labels).
        """
        case = kwargs.get('case', 'keep')
        cnt: Counter = Counter()
        for t in texts:
            if case == 'lower':
                t = t.lower()
            elif case == 'upper':
                t = t.upper()
            cnt.update(t)
        chars = sorted((c for c, n in cnt.items() if n >= min_count),
                       key=lambda c: (-cnt[c], c))
        return cls(chars=''.join(chars), **kwargs)

    def save(self, path: str) -> None:
        """Write the characters in mmocr's one-per-line dictionary format."""
        with open(path, 'w', encoding='utf-8') as f:
            f.write('\n'.join(self.chars) + '\n')

    # ------------------------------------------------------------ encoding
    def _fold(self, text: str) -> str:
        if self.case == 'lower':
            return text.lower()
        if self.case == 'upper':
            return text.upper()
        return text

    @property
    def num_chars(self) -> int:
        """Number of dictionary characters (without special tokens)."""
        return len(self.chars)

    def encode(self, text: str) -> Optional[List[int]]:
        """Encode one transcription into character indices (no EOS).

        Returns ``None`` when the policies drop the word (an empty
        transcription, one shorter than ``min_len``, ``oov='skip'`` or
        ``overlong='skip'``); the reason is counted in :attr:`counters`.

        Raises:
            TokenizeError: Under the ``'error'`` policies.
        """
        if not isinstance(text, str):
            raise TokenizeError(f'transcription must be str, got '
                                f'{type(text).__name__}: {text!r}')
        folded = self._fold(text)
        idx: List[int] = []
        for c in folded:
            i = self.char2idx.get(c)
            if i is not None:
                idx.append(i)
                continue
            self.counters['oov_chars'] += 1
            if self.oov == 'unknown':
                idx.append(self.unknown_idx)
            elif self.oov == 'drop':
                continue
            elif self.oov == 'skip':
                self.counters['skipped_oov_words'] += 1
                return None
            else:
                raise TokenizeError(
                    f'character {c!r} of {text!r} is not in the dictionary '
                    f"(policy oov='error')")
        if not idx:
            self.counters['skipped_empty_words'] += 1
            return None
        if len(idx) < self.min_len:
            self.counters['skipped_short_words'] += 1
            return None
        if len(idx) > self.max_len:
            self.counters['overlong_words'] += 1
            if self.overlong == 'truncate':
                idx = idx[:self.max_len]
            elif self.overlong == 'skip':
                self.counters['skipped_overlong_words'] += 1
                return None
            else:
                raise TokenizeError(
                    f'{text!r} has {len(idx)} characters > max_len='
                    f"{self.max_len} (policy overlong='error')")
        return idx

    def decode(self, indices: Sequence[int]) -> str:
        """Indices back to text; stops at EOS, skips PAD/MASK/UNK."""
        out = []
        for i in indices:
            i = int(i)
            if i == self.eos_idx:
                break
            if 1 <= i <= self.num_chars:
                out.append(self.chars[i - 1])
        return ''.join(out)

    def tokenize(self, texts: Sequence[str], add_eos: bool = True
                 ) -> Tuple[np.ndarray, np.ndarray]:
        """Tokenise a list of transcriptions into a padded array.

        Args:
            texts: The transcriptions.
            add_eos: Append ``<EOS>`` after the last character.

        Returns:
            tuple: ``tokens`` (int64, ``(N, max_len + add_eos)``, PAD=0) and
            ``keep`` (int64 indices into ``texts`` of the words kept).
        """
        width = self.max_len + int(add_eos)
        rows, keep = [], []
        for i, t in enumerate(texts):
            idx = self.encode(t)
            if idx is None:
                continue
            if add_eos:
                idx = idx + [self.eos_idx]
            row = np.zeros(width, dtype=np.int64)
            row[:len(idx)] = idx
            rows.append(row)
            keep.append(i)
        tokens = np.stack(rows) if rows else np.zeros((0, width), np.int64)
        return tokens, np.asarray(keep, dtype=np.int64)

    def stats(self) -> Dict[str, int]:
        """A copy of the policy counters."""
        return dict(self.counters)

    def __len__(self) -> int:
        return self.num_tokens

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_chars={self.num_chars}, '
                f'num_tokens={self.num_tokens}, case={self.case!r}, '
                f'max_len={self.max_len}, min_len={self.min_len}, '
                f'oov={self.oov!r}, overlong={self.overlong!r})')


def build_dictionary(cfg) -> VLPDictionary:
    """Build a :class:`VLPDictionary` from a config dict or pass one through."""
    if isinstance(cfg, VLPDictionary):
        return cfg
    cfg = dict(cfg)
    cfg.setdefault('type', 'VLPDictionary')
    return TASK_UTILS.build(cfg)
