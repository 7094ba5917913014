# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Extra negative transcriptions for WeCromCL's image-to-text loss (Eq. 7).

The pipeline transform :class:`SampleNegativeTexts` writes ``neg_texts``
(list[str]) into the results; add ``'neg_texts'`` to ``PackVLPInputs``'s
``meta_keys`` and it reaches the model as data-sample metainfo. The model
tokenises them with its own dictionary.

Two kinds, mixable:

- ``random``: words drawn uniformly from the training vocabulary, never one
  of the image's own words (WeCromCL's negative-sample mining).
- ``edit``: hard negatives made by editing one of the image's positive
  words (substitute, insert or delete one character).

The vocabulary is built once, at model build time, from ``vocab`` (a list),
``vocab_file`` (one word per line) or ``ann_file`` (mmocr OCRDataset JSON,
the training annotation); without any of them the sampler grows a running
vocabulary from the words of the batches it has seen.
"""
import json
import random
from typing import Dict, Iterable, List, Optional, Sequence, Set

import numpy as np
from mmcv.transforms import BaseTransform
from mmocr.registry import TRANSFORMS

from ..schema import IGNORE_TEXT



def load_vocabulary(vocab: Optional[Sequence[str]] = None,
                    vocab_file: Optional[str] = None,
                    ann_file: Optional[str] = None,
                    lower: bool = True) -> List[str]:
    """Unique words (first-seen order) from a list, a text file or a JSON."""
    words: List[str] = []
    if vocab is not None:
        words.extend(vocab)
    if vocab_file is not None:
        try:
            with open(vocab_file, encoding='utf-8') as f:
                words.extend(line.rstrip('\n\r') for line in f)
        except OSError as e:
            raise FileNotFoundError(
                f'NegativeSampler: cannot read vocab_file {vocab_file!r}: {e}'
            ) from e
    if ann_file is not None:
        try:
            with open(ann_file, encoding='utf-8') as f:
                ann = json.load(f)
        except (OSError, ValueError) as e:
            raise ValueError(f'NegativeSampler: cannot read ann_file '
                             f'{ann_file!r}: {e}') from e
        if not isinstance(ann, dict) or 'data_list' not in ann:
            raise ValueError(f'NegativeSampler: {ann_file!r} is not an mmocr '
                             f'OCRDataset JSON (no "data_list")')
        for i, item in enumerate(ann['data_list']):
            for inst in item.get('instances', []):
                t = inst.get('text')
                if isinstance(t, str) and not inst.get('ignore', False):
                    words.append(t)
    out, seen = [], set()
    for w in words:
        w = w.strip()
        if lower:
            w = w.lower()
        if not w or w == IGNORE_TEXT or w in seen:
            continue
        seen.add(w)
        out.append(w)
    return out


class NegativeSampler:
    """Draw extra negative transcriptions for one image.

    Args:
        n_aug (int): Negatives per image (``N_aug`` of WeCromCL Eq. 7).
        mode (str): ``'random'``, ``'edit'`` or ``'mixed'``.
        edit_ratio (float): Fraction of edit negatives in ``'mixed'`` mode.
        alphabet (str): Characters used by edits.
        vocab, vocab_file, ann_file: The vocabulary (see module docstring).
        lower (bool): Lower-case the vocabulary and the exclusion set.
        running_vocab_size (int): Cap of the running vocabulary.
        seed (int, optional): Seed of a private RNG. Defaults to None:
            Python's global ``random`` (seeded by the runner).
        distinct (bool): Random negatives of one image are distinct words
            (the official WeCromCL code). Defaults to False (independent
            draws).
    """

    def __init__(self,
                 n_aug: int = 16,
                 mode: str = 'random',
                 edit_ratio: float = 0.5,
                 alphabet: str = 'abcdefghijklmnopqrstuvwxyz0123456789',
                 vocab: Optional[Sequence[str]] = None,
                 vocab_file: Optional[str] = None,
                 ann_file: Optional[str] = None,
                 lower: bool = True,
                 running_vocab_size: int = 50000,
                 seed: Optional[int] = None,
                 distinct: bool = False) -> None:
        if mode not in ('random', 'edit', 'mixed'):
            raise ValueError(f"NegativeSampler: mode must be 'random', "
                             f"'edit' or 'mixed', got {mode!r}")
        if not alphabet:
            raise ValueError('NegativeSampler: empty alphabet')
        self.n_aug = int(n_aug)
        self.mode = mode
        self.edit_ratio = float(edit_ratio)
        self.alphabet = alphabet
        self.lower = lower
        self.vocab = load_vocabulary(vocab, vocab_file, ann_file, lower)
        self.fixed_vocab = bool(self.vocab)
        self._vocab_set = set(self.vocab)
        self.running_vocab_size = running_vocab_size
        # seed None: Python's global generator, which the runner seeds (and
        # ProgressSeedHook reseeds), so runs and resumes are reproducible; a
        # private random.Random(None) would draw its seed from the OS.
        self._seeded_rng = random.Random(seed) if seed is not None else None
        self.distinct = distinct

    @property
    def rng(self):
        """The private generator of a given seed, else the ``random``
        module (a property, so the sampler stays deep-copyable)."""
        return self._seeded_rng if self._seeded_rng is not None else random

    def _norm(self, w: str) -> str:
        return w.lower() if self.lower else w

    def observe(self, words: Iterable[str]) -> None:
        """Add words to the running vocabulary (no-op for a fixed one)."""
        if self.fixed_vocab:
            return
        for w in words:
            w = self._norm(w)
            if w and w != IGNORE_TEXT and w not in self._vocab_set:
                if len(self.vocab) >= self.running_vocab_size:
                    j = self.rng.randrange(len(self.vocab))
                    self._vocab_set.discard(self.vocab[j])
                    self.vocab[j] = w
                else:
                    self.vocab.append(w)
                self._vocab_set.add(w)

    def edit(self, word: str) -> str:
        """One random substitution, insertion or deletion."""
        ops = ['sub', 'ins'] + (['del'] if len(word) > 1 else [])
        op = self.rng.choice(ops)
        i = self.rng.randrange(len(word) + (op == 'ins'))
        if op == 'del':
            return word[:i] + word[i + 1:]
        c = self.rng.choice(self.alphabet)
        if op == 'ins':
            return word[:i] + c + word[i:]
        if len(self.alphabet) > 1:
            while c == word[i]:
                c = self.rng.choice(self.alphabet)
        return word[:i] + c + word[i + 1:]

    def _random(self, own: Set[str], n: int) -> List[str]:
        out: List[str] = []
        if not self.vocab or n <= 0:
            return out
        tries = 0
        while len(out) < n and tries < 20 * n + 50:
            tries += 1
            w = self.vocab[self.rng.randrange(len(self.vocab))]
            if w not in own and not (self.distinct and w in out):
                out.append(w)
        return out

    def _edits(self, positives: Sequence[str], own: Set[str],
               n: int) -> List[str]:
        out: List[str] = []
        if not positives or n <= 0:
            return out
        tries = 0
        while len(out) < n and tries < 20 * n + 50:
            tries += 1
            w = self.edit(self.rng.choice(list(positives)))
            if w and w not in own:
                out.append(w)
        return out

    def sample(
        self,
        positives: Sequence[str],
        n: Optional[int] = None,
        exclude: Sequence[str] = ()) -> List[str]:
        """``n`` (default ``n_aug``) negatives for an image.

        Args:
            positives: The image's own words (never returned; the sources of
                edit negatives).
            n: Number of negatives. Defaults to ``n_aug``.
            exclude: More words never returned.

        Returns:
            list[str]: Up to ``n`` negatives (fewer only when the vocabulary
            is too small).
        """
        n = self.n_aug if n is None else n
        own = {self._norm(p) for p in list(positives) + list(exclude)}
        pos = [self._norm(p) for p in positives if p]
        if self.mode == 'random':
            return self._random(own, n)
        if self.mode == 'edit':
            return self._edits(pos, own, n)
        n_edit = int(round(n * self.edit_ratio))
        out = self._edits(pos, own, n_edit)
        out += self._random(own, n - len(out))
        return out


@TRANSFORMS.register_module()
class SampleNegativeTexts(BaseTransform):
    """Sample ``N_aug`` negative transcriptions per image (WeCromCL Eq. 7).

    Writes ``results['neg_texts']`` (list[str]), never one of the image's
    own words (``gt_texts``, case-insensitive by default). Pack it with
    ``PackVLPInputs(meta_keys=(..., 'neg_texts'))``.

    Args:
        n_aug (int): Negatives per image. Defaults to 16.
        mode (str): ``'random'`` (vocabulary words), ``'edit'`` (one-edit
            variants of the positives) or ``'mixed'``.
        edit_ratio (float): Share of edits in ``'mixed'`` mode.
        vocab, vocab_file, ann_file: The training vocabulary; ``ann_file``
            is normally the training annotation itself.
        alphabet (str): Characters used by edits.
        lower (bool): Case-insensitive vocabulary and exclusion.
        seed (int, optional): Seed of a private RNG. Defaults to None:
            Python's global ``random`` (seeded by the runner).
        distinct (bool): Distinct random negatives per image.
    """

    def __init__(self,
                 n_aug: int = 16,
                 mode: str = 'random',
                 edit_ratio: float = 0.5,
                 vocab: Optional[Sequence[str]] = None,
                 vocab_file: Optional[str] = None,
                 ann_file: Optional[str] = None,
                 alphabet: str = 'abcdefghijklmnopqrstuvwxyz0123456789',
                 lower: bool = True,
                 seed: Optional[int] = None,
                 distinct: bool = False) -> None:
        self.sampler = NegativeSampler(distinct=distinct,
                                       n_aug=n_aug,
                                       mode=mode,
                                       edit_ratio=edit_ratio,
                                       alphabet=alphabet,
                                       vocab=vocab,
                                       vocab_file=vocab_file,
                                       ann_file=ann_file,
                                       lower=lower,
                                       seed=seed)
        if mode != 'edit' and not self.sampler.vocab:
            raise ValueError('SampleNegativeTexts: empty vocabulary; give '
                             'vocab, vocab_file or ann_file')

    def transform(self, results: Dict) -> Dict:
        texts = list(results.get('gt_texts', []))
        ignored = np.asarray(
            results.get('gt_ignored', np.zeros(len(texts), bool)), bool)
        positives = [t for t, ig in zip(texts, ignored) if not ig]
        # Exclude ignored words too: they may still be in the image.
        results['neg_texts'] = self.sampler.sample(positives, exclude=texts)
        return results

    def __repr__(self) -> str:
        s = self.sampler
        return (f'{self.__class__.__name__}(n_aug={s.n_aug}, mode={s.mode!r}, '
                f'vocab_size={len(s.vocab)})')
