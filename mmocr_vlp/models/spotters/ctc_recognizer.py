# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SRSTS-A recognition module: CTC over the K sampled points."""
from typing import List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor, nn

from mmocr_vlp.datasets.dictionary import VLPDictionary, build_dictionary


@MODELS.register_module()
class CTCRecognizer(BaseModule):
    """Decode ``K`` sampled features into text with CTC (as SRSTS does).

    The K sampled features (one per sampling point, in point order) get a
    learned position embedding, pass through ``num_layers`` transformer
    encoder layers (0 = none) and a linear classifier over
    ``num_classes = dictionary.num_chars + 1 (+1 with <UNK>)`` classes.

    Class indices are the dictionary's own: the CTC blank is index 0, the
    dictionary's ``<PAD>`` (never a character), characters are ``1..C`` and
    ``<UNK>`` (if the dictionary has one) is ``C + 1``. ``<MASK>``/``<EOS>``
    are never predicted. Targets are the dictionary tokens with PAD and EOS
    stripped.

    Args:
        in_channels (int): Channels of the sampled features.
        dictionary (dict | VLPDictionary): The character dictionary.
            Defaults to case-insensitive alphanumerics (SRSTS' 36 classes).
        num_points (int): K, the CTC input length. Defaults to 25.
        num_layers (int): Transformer layers over the K points. Defaults
            to 1.
        num_heads (int): Attention heads. Defaults to 8.
        ffn_dims (int): Transformer FFN size. Defaults to 1024.
        dropout (float): Transformer dropout. Defaults to 0.1.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 dictionary: Union[dict, VLPDictionary] = dict(
                     type='VLPDictionary', preset='alnum_lower',
                     case='lower'),
                 num_points: int = 25,
                 num_layers: int = 1,
                 num_heads: int = 8,
                 ffn_dims: int = 1024,
                 dropout: float = 0.1,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.dictionary = build_dictionary(dictionary)
        self.num_points = num_points
        self.num_classes = self.dictionary.num_chars + 1 + int(
            self.dictionary.with_unknown)
        self.blank = self.dictionary.pad_idx  # 0
        self.pos_embed = nn.Parameter(torch.zeros(1, num_points, in_channels))
        nn.init.normal_(self.pos_embed, std=0.02)
        if num_layers > 0:
            layer = nn.TransformerEncoderLayer(
                in_channels,
                num_heads,
                dim_feedforward=ffn_dims,
                dropout=dropout,
                batch_first=True)
            self.encoder = nn.TransformerEncoder(
                layer, num_layers, enable_nested_tensor=False)
        else:
            self.encoder = None
        self.norm = nn.LayerNorm(in_channels)
        self.classifier = nn.Linear(in_channels, self.num_classes)

    def forward(self, x: Tensor) -> Tensor:
        """Args: x ``(N, K, C)``. Returns logits ``(N, K, num_classes)``."""
        if x.dim() != 3 or x.shape[1] != self.num_points:
            raise ValueError(f'CTCRecognizer: expected (N, {self.num_points},'
                             f' C) features, got {tuple(x.shape)}')
        x = x + self.pos_embed
        if self.encoder is not None and x.shape[0] > 0:
            x = self.encoder(x)
        return self.classifier(self.norm(x))

    # ----------------------------------------------------------- targets
    def tokens_to_targets(self, tokens: Tensor) -> List[List[int]]:
        """Dictionary tokens ``(N, L)`` -> CTC label lists.

        Strips PAD (0) and everything from EOS on; drops ``<MASK>``.
        """
        d = self.dictionary
        out = []
        for row in tokens.tolist():
            t = []
            for i in row:
                if i == d.eos_idx:
                    break
                if 1 <= i < self.num_classes:
                    t.append(i)
            out.append(t)
        return out

    def texts_to_targets(self, texts: Sequence[str]) -> List[List[int]]:
        """Tokenise texts with the recogniser's own dictionary (no EOS)."""
        out = []
        for t in texts:
            idx = self.dictionary.encode(t)
            out.append([] if idx is None else list(idx))
        return out

    def loss(self, logits: Tensor, targets: Sequence[Sequence[int]],
             reduction: str = 'mean') -> Tensor:
        """CTC loss (``torch.nn.functional.ctc_loss``, blank 0).

        Args:
            logits: ``(N, K, num_classes)``.
            targets: ``N`` label lists (indices in ``1..num_classes-1``).
                Empty targets are allowed (the word is "all blank").
            reduction: ``'mean'`` (PyTorch's: per-word loss divided by the
                target length, then averaged) or ``'sum'``.

        Returns:
            Tensor: Scalar loss. Words that cannot be aligned in K steps
            (longer than K counting repeats) contribute 0
            (``zero_infinity``).
        """
        N, K, _ = logits.shape
        if N != len(targets):
            raise ValueError(f'CTCRecognizer.loss: {N} logits rows, '
                             f'{len(targets)} targets')
        log_probs = logits.float().log_softmax(-1).transpose(0, 1)  # K,N,C
        lengths = torch.as_tensor([len(t) for t in targets], dtype=torch.long)
        flat = torch.as_tensor([i for t in targets for i in t],
                               dtype=torch.long)
        input_lengths = torch.full((N, ), K, dtype=torch.long)
        return F.ctc_loss(
            log_probs,
            flat.to(logits.device),
            input_lengths,
            lengths,
            blank=self.blank,
            reduction=reduction,
            zero_infinity=True)

    # ----------------------------------------------------------- decoding
    def decode(self, logits: Tensor) -> Tuple[List[str], Tensor, List[
            List[int]]]:
        """Greedy CTC decoding: argmax, merge repeats, drop blanks.

        Returns:
            tuple: ``texts`` (list[str]), ``scores`` ``(N,)`` - the mean
            probability of the kept characters, 0 for an empty string - and
            the kept class indices per word.
        """
        if logits.shape[0] == 0:
            return [], logits.new_zeros((0, )), []
        probs = logits.float().softmax(-1)
        best_p, best = probs.max(-1)
        texts, scores, indices = [], [], []
        d = self.dictionary
        for row, prow in zip(best.tolist(), best_p.tolist()):
            prev = self.blank
            keep, ps = [], []
            for i, p in zip(row, prow):
                if i != self.blank and i != prev:
                    keep.append(i)
                    ps.append(p)
                prev = i
            chars = []
            for i in keep:
                if 1 <= i <= d.num_chars:
                    chars.append(d.chars[i - 1])
            texts.append(''.join(chars))
            scores.append(sum(ps) / len(ps) if ps else 0.)
            indices.append(keep)
        return texts, logits.new_tensor(scores), indices
