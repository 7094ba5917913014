# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""oCLIP: weakly supervised scene-text vision-language pre-training."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from torch import Tensor

from mmocr_vlp.datasets.dictionary import build_dictionary
from ..common.text_encoder import text_encoder_cfg

_REQUIRED = ('tokens', 'masked_tokens', 'mask_labels')


class _Words:
    """The words of a batch, flattened: ``(M, L)`` token rows plus the image
    index and the slot (rank within its image) of every row."""

    def __init__(self, tokens: Tensor, masked: Tensor, labels: Tensor,
                 img_idx: Tensor, slot: Tensor, num_imgs: int) -> None:
        self.tokens, self.masked, self.labels = tokens, masked, labels
        self.img_idx, self.slot, self.num_imgs = img_idx, slot, num_imgs

    @property
    def num(self) -> int:
        return self.tokens.shape[0]

    @property
    def max_per_img(self) -> int:
        return int(self.slot.max()) + 1 if self.num else 0


@MODELS.register_module()
class OCLIP(BaseModel):
    """oCLIP (Xue et al., ECCV 2022).

    Image encoder (CLIP modified ResNet + attention pooling), character-aware
    text encoder (Eq. 1, shared :class:`CharTextEncoder`), visual-textual
    decoder (cross-attention only) and the objective
    ``L = w_cls * L_cls (Eq. 2) + w_bc * L_bc (Eq. 3-4)`` (Eq. 5).

    Which text features does the contrastive branch see? oCLIP Sec. 3.1
    ("a randomly selected character in each text instance is masked during
    training") and Fig. 2 use one text encoder pass on the masked words whose
    embeddings feed both the decoder and the contrastive loss; that is the
    default ``contrastive_tokens='masked'``. ``'unmasked'`` runs the
    encoder a second time on the clean words for the contrastive branch.

    The image-level text embedding of Eq. 3 is the mean of the image's word
    embeddings. With ``num_word_slots=S`` (the official code, S = 32) it is
    the mean over S slots, the empty ones holding the encoder's embedding of
    an all-PAD row. With ``num_word_slots=None`` it is the mean over the real
    (non-ignored) words only, and images without any word take no part in
    the contrastive loss (and add no NaN).

    Data samples carry ``gt_instances`` with ``tokens``, ``masked_tokens``,
    ``mask_labels`` (and ``ignored``); any subset of an image's words may be
    given (partial annotations).

    Args:
        dictionary (dict): :class:`VLPDictionary` config.
        image_encoder (dict): :class:`CLIPImageEncoder` config.
        text_encoder (dict): :class:`CharTextEncoder` config; ``num_tokens``,
            ``max_len``, ``pad_idx``, ``eos_idx`` default from the dictionary
            and ``out_dims`` from the image encoder.
        decoder (dict): :class:`VisualTextualDecoder` config; ``num_classes``,
            ``embed_dims`` and ``spatial_dim`` default from the rest.
        loss_contrastive (dict): :class:`SymmetricContrastiveLoss` config
            (its ``loss_weight`` is ``w_bc``).
        loss_cls_weight (float): ``w_cls``.
        contrastive_tokens (str): ``'masked'`` or ``'unmasked'``.
        num_word_slots (int, optional): Word slots averaged into the
            image-level text embedding (32 in the official code), or None
            for the mean over real words. Defaults to None.
        test_cfg (dict, optional): ``return_attn`` (bool) adds attention maps
            to predictions.
        data_preprocessor (dict, optional): e.g. mmocr
            ``TextDetDataPreprocessor``.
    """

    def __init__(self,
                 dictionary: Dict,
                 image_encoder: Dict,
                 text_encoder: Dict,
                 decoder: Dict,
                 loss_contrastive: Dict = dict(
                     type='SymmetricContrastiveLoss'),
                 loss_cls_weight: float = 1.0,
                 contrastive_tokens: str = 'masked',
                 num_word_slots: Optional[int] = None,
                 test_cfg: Optional[Dict] = None,
                 data_preprocessor: Optional[Dict] = None,
                 init_cfg=None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if contrastive_tokens not in ('masked', 'unmasked'):
            raise ValueError(f"OCLIP: contrastive_tokens must be 'masked' "
                             f"or 'unmasked', got {contrastive_tokens!r}")
        self.dictionary = build_dictionary(dictionary)
        self.image_encoder = MODELS.build(image_encoder)
        width = self.image_encoder.out_dims
        self.text_encoder = MODELS.build(
            text_encoder_cfg(text_encoder, self.dictionary, width))
        decoder = dict(decoder)
        decoder.setdefault('type', 'VisualTextualDecoder')
        decoder.setdefault('num_classes', len(self.dictionary))
        decoder.setdefault('embed_dims', width)
        decoder.setdefault('spatial_dim',
                           self.image_encoder.attnpool.spatial_dim)
        decoder.setdefault('init_width', self.text_encoder.embed_dims)
        decoder.setdefault('init_layers',
                           len(self.text_encoder.transformer.layers))
        self.decoder = MODELS.build(decoder)
        self.loss_contrastive = MODELS.build(loss_contrastive)
        self.loss_cls_weight = loss_cls_weight
        self.contrastive_tokens = contrastive_tokens
        self.num_word_slots = num_word_slots
        self.test_cfg = dict(test_cfg or {})

    # ------------------------------------------------------------ helpers
    def _collect(self, data_samples: Sequence, drop_ignored: bool,
                 need_labels: bool) -> _Words:
        device = self.text_encoder.positional_embedding.device
        width = self.text_encoder.max_len
        tok, msk, lab, img_idx, slot = [], [], [], [], []
        for i, ds in enumerate(data_samples):
            gi = ds.gt_instances
            keys = _REQUIRED if need_labels else ('tokens', )
            missing = [k for k in keys if k not in gi]
            if missing:
                raise KeyError(
                    f'OCLIP: gt_instances of {ds.metainfo.get("img_path")} '
                    f'lack {missing}; add TokenizeTexts and MaskCharacters to '
                    f'the pipeline')
            t = torch.as_tensor(gi.tokens).long()
            m = torch.as_tensor(gi.masked_tokens).long() \
                if 'masked_tokens' in gi else t
            lb = torch.as_tensor(gi.mask_labels).long() \
                if 'mask_labels' in gi else torch.zeros(len(t)).long()
            if t.dim() != 2 or t.shape[1] > width or m.shape != t.shape:
                raise ValueError(
                    f'OCLIP: {ds.metainfo.get("img_path")}: tokens '
                    f'{tuple(t.shape)} / masked_tokens {tuple(m.shape)} must '
                    f'be (N, <= {width})')
            if drop_ignored and 'ignored' in gi and len(t):
                keep = ~torch.as_tensor(gi.ignored).bool()
                t, m, lb = t[keep], m[keep], lb[keep]
            n = t.shape[0]
            if t.shape[1] < width:
                pad = (0, width - t.shape[1])
                t, m = F.pad(t, pad), F.pad(m, pad)
            tok.append(t)
            msk.append(m)
            lab.append(lb)
            img_idx.append(torch.full((n, ), i, dtype=torch.long))
            slot.append(torch.arange(n))
        cat = (lambda xs: torch.cat(xs).to(device)) if tok else None
        if not tok:
            z = torch.zeros(0, width, dtype=torch.long, device=device)
            e = torch.zeros(0, dtype=torch.long, device=device)
            return _Words(z, z, e, e, e, 0)
        return _Words(
            cat(tok), cat(msk), cat(lab), cat(img_idx), cat(slot),
            len(data_samples))

    def _image_text_embeds(self, word_embeds: Tensor, words: _Words
                           ) -> Tuple[Tensor, Tensor]:
        """Mean of word embeddings per image (Eq. 3) -> ``(B, D)``, valid."""
        b = words.num_imgs
        out = word_embeds.new_zeros(b, word_embeds.shape[-1])
        out = out.index_add(0, words.img_idx, word_embeds)
        cnt = torch.bincount(words.img_idx, minlength=b).to(out.dtype)
        if self.num_word_slots is None:
            return out / cnt.clamp(min=1.).unsqueeze(-1), cnt > 0
        slots = self.num_word_slots
        if bool((cnt > slots).any()):
            raise ValueError(f'OCLIP: an image has {int(cnt.max())} words > '
                             f'num_word_slots={slots}; lower max_words of '
                             f'SampleWords')
        empty = self.text_encoder(words.tokens.new_full(
            (1, self.text_encoder.max_len), self.text_encoder.pad_idx))[0]
        out = out + (slots - cnt).unsqueeze(-1) * empty
        return out / slots, torch.ones_like(cnt, dtype=torch.bool)

    def _decode(self, word_embeds: Tensor, words: _Words, glob: Tensor,
                spatial: Tensor, hw: Tuple[int, int], need_weights: bool
                ) -> Tuple[Tensor, Optional[Tensor]]:
        """Run the decoder; returns ``(M, V)`` logits and ``(M, hw)``."""
        b = glob.shape[0]
        k = max(words.max_per_img, 1)
        queries = word_embeds.new_zeros(b, k, word_embeds.shape[-1])
        queries = queries.index_put((words.img_idx, words.slot), word_embeds)
        logits, attn = self.decoder(queries, spatial, hw, need_weights)
        logits = logits[words.img_idx, words.slot]
        if attn is not None:
            attn = attn[words.img_idx, words.slot]
        return logits, attn

    def _run(self, inputs: Tensor, data_samples: Sequence, training: bool,
             need_weights: bool = False) -> Dict:
        words = self._collect(data_samples, drop_ignored=training,
                              need_labels=training)
        if inputs.shape[0] != words.num_imgs and words.num_imgs:
            raise ValueError(f'OCLIP: {inputs.shape[0]} images but '
                             f'{words.num_imgs} data samples')
        if not words.num_imgs:
            words.num_imgs = inputs.shape[0]
        glob, spatial, hw, pool_attn = self.image_encoder(
            inputs, need_weights=need_weights)
        masked_embeds, _, _ = self.text_encoder(words.masked)
        if self.contrastive_tokens == 'masked':
            clean_embeds = masked_embeds
        else:
            clean_embeds, _, _ = self.text_encoder(words.tokens)
        text_embeds, valid = self._image_text_embeds(clean_embeds, words)
        logits, dec_attn = self._decode(masked_embeds, words, glob, spatial,
                                        hw, need_weights)
        return dict(
            words=words,
            img_embeds=glob,
            img_tokens=spatial,
            hw=hw,
            pool_attn=pool_attn,
            word_embeds=clean_embeds,
            text_embeds=text_embeds,
            text_valid=valid,
            mask_logits=logits,
            dec_attn=dec_attn)

    # ------------------------------------------------------------ modes
    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor') -> Union[Dict, List]:
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            out = self._run(inputs, data_samples or [], training=False,
                            need_weights=self.test_cfg.get(
                                'return_attn', False))
            out.pop('words')
            return out
        raise RuntimeError(f'OCLIP: invalid mode {mode!r}')

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        """Eq. 5: ``loss_cls`` (Eq. 2) and ``loss_bc`` (Eq. 3-4)."""
        out = self._run(inputs, data_samples, training=True)
        words = out['words']
        logits = out['mask_logits']
        # A word without a maskable character has label -1 (MaskCharacters).
        has_label = words.labels >= 0
        if bool(has_label.any()):
            lg, lb = logits[has_label], words.labels[has_label]
            loss_cls = F.cross_entropy(lg, lb)
            acc = (lg.detach().argmax(-1) == lb).float().mean()
        else:  # no word in the batch: keep the graph, add nothing
            loss_cls = logits.sum() * 0. + sum(
                p.sum() * 0. for p in self.parameters() if p.requires_grad)
            acc = logits.new_zeros(())
        loss_bc = self.loss_contrastive(out['img_embeds'], out['text_embeds'],
                                        out['text_valid'])
        return dict(
            loss_cls=self.loss_cls_weight * loss_cls,
            loss_bc=loss_bc,
            acc_mask=acc,
            logit_scale=self.loss_contrastive.get_logit_scale().detach())

    def predict(self, inputs: Tensor, data_samples: List) -> List:
        """Fill each data sample with the embeddings and masked-character
        predictions (and attention maps if ``test_cfg.return_attn``).

        Sets ``img_embedding`` (D,), ``text_embedding`` (D,),
        ``pred_instances`` (aligned with ``gt_instances``: ``embeddings``,
        ``mask_pred_labels``, ``mask_pred_chars``, ``mask_scores``,
        ``pred_texts`` = the word with its mask filled in) and, if asked,
        ``pool_attn`` (h, w) and ``pred_instances.decoder_attn`` (N, h, w).
        """
        need = self.test_cfg.get('return_attn', False)
        out = self._run(inputs, data_samples, training=False,
                        need_weights=need)
        words = out['words']
        h, w = out['hw']
        # The predicted character is the best *character* class (never
        # PAD / MASK / EOS).
        probs = out['mask_logits'].softmax(-1)
        scores, labels = probs[:, 1:self.dictionary.num_chars + 1].max(-1)
        labels = labels + 1
        img_embeds = F.normalize(out['img_embeds'], dim=-1)
        text_embeds = F.normalize(out['text_embeds'], dim=-1)
        word_embeds = F.normalize(out['word_embeds'], dim=-1)
        for i, ds in enumerate(data_samples):
            sel = words.img_idx == i
            pred = InstanceData()
            pred.embeddings = word_embeds[sel].detach()
            pred.mask_pred_labels = labels[sel]
            pred.mask_scores = scores[sel].detach()
            chars, texts = [], []
            for m_row, lab in zip(words.masked[sel], labels[sel]):
                c = self.dictionary.decode([int(lab)]) if int(lab) > 0 else ''
                chars.append(c)
                row = [int(lab) if int(t) == self.dictionary.mask_idx
                       else int(t) for t in m_row]
                texts.append(self.dictionary.decode(row))
            pred.mask_pred_chars = chars
            pred.pred_texts = texts
            if need:
                pred.decoder_attn = out['dec_attn'][sel].reshape(
                    -1, h, w).detach()
                ds.pool_attn = out['pool_attn'][i, 0, 1:].reshape(
                    h, w).detach()
            ds.img_embedding = img_embeds[i].detach()
            ds.text_embedding = text_embeds[i].detach()
            ds.pred_instances = pred
        return data_samples
