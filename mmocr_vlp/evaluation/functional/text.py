# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Text normalisation rules of the spotting protocols.

Facts from the SPTS evaluation script (github shannanyinxiang/SPTS,
``evaluation/eval.py``) and the Total-Text word-spotting rules it inherits from
the ICDAR Robust Reading scripts; the code here is our own.
"""
from typing import Optional

from mmocr_vlp.datasets.schema import IGNORE_TEXT

#: characters mapped to spaces by the Total-Text word-spotting filter. The
#: SPTS script also maps the apostrophe (after the trailing "'s" rule), so
#: ``"'abc'"`` becomes ``"abc"`` and ``"o'neil"`` becomes don't care.
WORD_SPOTTING_SPECIAL_CHARS = '\'!?.:,*"()\u00b7[]/'

#: characters rejected even though they fall in an allowed Unicode block
_NOT_ALLOWED = '\u00d7\u00f7\u00b7'  # × ÷ ·

#: inclusive code-point ranges of the "Latin" alphabet accepted by the
#: Total-Text word-spotting filter: a-z, A-Z, Latin-1/Extended-A/B letters,
#: IPA/Extended-B tail, Greek (as in the official script), and the hyphen.
#: Digits are NOT in the set: a word containing a digit becomes don't care.
_ALLOWED_RANGES = (
    (ord('a'), ord('z')),
    (ord('A'), ord('Z')),
    (0x00C0, 0x01BF),  # À .. ƿ
    (0x01C4, 0x027F),  # Ǆ .. ɿ
    (0x0386, 0x03FF),  # Ά .. Ͽ
    (ord('-'), ord('-')),
)


def fold_case(text: str) -> str:
    """Case folding used for every text comparison (SPTS upper-cases)."""
    return text.upper()


def texts_equal(a: str, b: str) -> bool:
    """Case-insensitive exact equality (the SPTS true-positive test)."""
    return fold_case(a) == fold_case(b)


def is_dont_care_text(text: Optional[str]) -> bool:
    """``True`` for the ``"###"`` don't-care transcription (or ``None``)."""
    return text is None or text == IGNORE_TEXT


def normalize_word_spotting(text: str) -> str:
    """Total-Text word-spotting normalisation of a transcription.

    Steps (in this order): drop a trailing ``'s``/``'S``; strip hyphens at
    both ends; map every character of :data:`WORD_SPOTTING_SPECIAL_CHARS` to
    a space; strip surrounding spaces.

    Examples:
        >>> normalize_word_spotting("it's")
        'it'
        >>> normalize_word_spotting('-abc-')
        'abc'
        >>> normalize_word_spotting('a.b')
        'a b'
    """
    if text[-2:] in ("'s", "'S"):
        text = text[:-2]
    text = text.strip('-')
    for ch in WORD_SPOTTING_SPECIAL_CHARS:
        text = text.replace(ch, ' ')
    return text.strip()


def _allowed_char(ch: str) -> bool:
    if ch in _NOT_ALLOWED:
        return False
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in _ALLOWED_RANGES)


def word_spotting_filter(text: str, min_len: int = 3) -> Optional[str]:
    """Apply the Total-Text word-spotting filter to a GT transcription.

    Args:
        text: the ground-truth transcription.
        min_len: minimum length of a care word (3 in the protocol).

    Returns:
        The normalised transcription (see :func:`normalize_word_spotting`)
        if the word is a *care* word, ``None`` if it becomes don't care:
        after normalisation it contains a space, is shorter than ``min_len``
        or has a character outside the allowed Latin/Greek letters and the
        hyphen (digits included).
    """
    if is_dont_care_text(text):
        return None
    norm = normalize_word_spotting(text)
    if ' ' in norm or len(norm) < min_len:
        return None
    if not all(_allowed_char(ch) for ch in norm):
        return None
    return norm
