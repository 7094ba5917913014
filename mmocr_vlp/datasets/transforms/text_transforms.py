# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Tokenisation, character masking and word sampling."""
from typing import Dict, Optional, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmocr.registry import TRANSFORMS

from ..dictionary import VLPDictionary, build_dictionary
from .instance_utils import num_instances, select_instances


@TRANSFORMS.register_module()
class TokenizeTexts(BaseTransform):
    """Tokenise ``gt_texts`` into ``gt_tokens`` with a :class:`VLPDictionary`.

    Words the dictionary's policies drop (empty, out-of-dictionary under
    ``oov='skip'``, over-long under ``overlong='skip'``) and don't-care words
    are removed from every per-instance field (training), or kept as an
    all-PAD row that models skip (``drop_invalid=False``, evaluation).
    The dictionary counts what its policies did (``dictionary.stats()``);
    :class:`WeakTextDataset` given the same ``dictionary`` logs the counts
    for the whole annotation file once at load time.

    Args:
        dictionary (dict | VLPDictionary): The dictionary (config).
        add_eos (bool): Append ``<EOS>``. Defaults to True.
        drop_ignored (bool): Remove don't-care instances. Defaults to True.
        drop_invalid (bool): Remove words the dictionary drops. Defaults
            to True.
    """

    def __init__(self,
                 dictionary: Union[dict, VLPDictionary],
                 add_eos: bool = True,
                 drop_ignored: bool = True,
                 drop_invalid: bool = True) -> None:
        self.dictionary = build_dictionary(dictionary)
        self.add_eos = add_eos
        self.drop_ignored = drop_ignored
        self.drop_invalid = drop_invalid

    def transform(self, results: Dict) -> Dict:
        texts = results.get('gt_texts', [])
        n = len(texts)
        ignored = results.get('gt_ignored', np.zeros(n, bool))
        if self.drop_ignored and n:
            select_instances(results, ~np.asarray(ignored, bool))
            texts = results['gt_texts']
            ignored = results['gt_ignored']
        width = self.dictionary.max_len + int(self.add_eos)
        tokens = np.zeros((len(texts), width), dtype=np.int64)
        valid = np.zeros(len(texts), dtype=bool)
        for k, t in enumerate(texts):
            if ignored[k]:
                continue
            row, kept = self.dictionary.tokenize([t], add_eos=self.add_eos)
            if len(kept):
                tokens[k] = row[0]
                valid[k] = True
        results['gt_tokens'] = tokens
        if self.drop_invalid:
            select_instances(results, valid)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(dictionary={self.dictionary!r}, '
                f'add_eos={self.add_eos}, drop_ignored={self.drop_ignored}, '
                f'drop_invalid={self.drop_invalid})')


@TRANSFORMS.register_module()
class MaskCharacters(BaseTransform):
    """Mask one random character per word (oCLIP Sec. 3.1, Eq. 2).

    Adds ``gt_masked_tokens`` (``gt_tokens`` with one character replaced by
    ``<MASK>``), ``gt_mask_labels`` (the dictionary index of the masked
    character, the target of the masked-character prediction) and
    ``gt_mask_positions``. All-PAD rows get label ``-1`` (ignored by the
    loss).

    Args:
        dictionary (dict | VLPDictionary): The dictionary (config); only
            its special indices are used.
        num_masks (int): Characters masked per word (oCLIP masks exactly
            one). Only the first one is the prediction target. Defaults
            to 1.
    """

    def __init__(self, dictionary: Union[dict, VLPDictionary],
                 num_masks: int = 1) -> None:
        self.dictionary = build_dictionary(dictionary)
        if num_masks < 1:
            raise ValueError(f'num_masks must be >= 1, got {num_masks}')
        self.num_masks = num_masks

    def transform(self, results: Dict) -> Dict:
        tokens = results['gt_tokens']
        d = self.dictionary
        masked = tokens.copy()
        labels = np.full(len(tokens), -1, dtype=np.int64)
        positions = np.zeros(len(tokens), dtype=np.int64)
        is_char = (tokens > 0) & (tokens != d.eos_idx) & (tokens != d.mask_idx)
        for k in range(len(tokens)):
            cand = np.flatnonzero(is_char[k])
            if len(cand) == 0:
                continue
            pick = np.random.choice(
                cand, size=min(self.num_masks, len(cand)), replace=False)
            labels[k] = tokens[k, pick[0]]
            positions[k] = pick[0]
            masked[k, pick] = d.mask_idx
        results['gt_masked_tokens'] = masked
        results['gt_mask_labels'] = labels
        results['gt_mask_positions'] = positions
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(num_masks={self.num_masks})'


@TRANSFORMS.register_module()
class SampleWords(BaseTransform):
    """Keep at most ``max_words`` instances, a uniform random subset.

    oCLIP uses up to 32 words per image; a random subset per step also
    simulates partial annotation (oCLIP Sec. 4.4).

    Args:
        max_words (int): Maximum number of instances kept. Defaults to 32.
        shuffle (bool): Shuffle the kept instances. Defaults to True.
        keep_ratio (float, optional): If set, additionally keep only
            ``ceil(keep_ratio * N)`` of the N words (at least one).
    """

    def __init__(self,
                 max_words: int = 32,
                 shuffle: bool = True,
                 keep_ratio: Optional[float] = None) -> None:
        if max_words < 1:
            raise ValueError(f'max_words must be >= 1, got {max_words}')
        if keep_ratio is not None and not 0 < keep_ratio <= 1:
            raise ValueError(f'keep_ratio must be in (0, 1], got '
                             f'{keep_ratio}')
        self.max_words = max_words
        self.shuffle = shuffle
        self.keep_ratio = keep_ratio

    def transform(self, results: Dict) -> Dict:
        n = num_instances(results)
        k = n
        if self.keep_ratio is not None and n:
            k = max(1, int(np.ceil(self.keep_ratio * n)))
        k = min(k, self.max_words)
        if k == n and not self.shuffle:
            return results
        idx = np.random.permutation(n)[:k]
        if not self.shuffle:
            idx = np.sort(idx)
        return select_instances(results, idx)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(max_words={self.max_words}, '
                f'shuffle={self.shuffle}, keep_ratio={self.keep_ratio})')
