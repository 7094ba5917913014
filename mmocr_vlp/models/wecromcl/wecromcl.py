# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""WeCromCL: weakly supervised cross-modality contrastive learning that
locates each transcription of an image by an anchor point (ECCV 2024)."""
import random
from collections import OrderedDict
from contextlib import nullcontext
from typing import Dict, List, Optional, Sequence, Tuple

import mmdet.models  # noqa: F401  (registers mmdet.ResNet & co.)
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from torch import Tensor, nn

from mmocr_vlp.datasets.dictionary import build_dictionary
from mmocr_vlp.datasets.schema import IGNORE_TEXT
from mmocr_vlp.datasets.transforms.negatives import NegativeSampler
from ..common.deformable_encoder import masks_from_img_shapes
from ..common.peaks import cell_to_point, find_peaks, window_mass
from ..common.text_encoder import text_encoder_cfg



@MODELS.register_module()
class WeCromCL(BaseModel):
    """WeCromCL (Sec. 3.2): image encoder, character-wise text encoder, soft
    activation map and atomistic contrastive loss.

    Image encoder: ``backbone`` (e.g. ``mmdet.ResNet``) -> ``neck``
    (:class:`BiFPN`, or a list of necks applied in turn, e.g. BiFPN then
    :class:`LevelConcat` as the official code) -> optional 1x1 projection to
    the encoder width -> ``encoder`` (:class:`DeformableEncoder`, all neck
    levels jointly) -> one level (``feature_level``, the official stride 8)
    or all levels upsampled to the finest one and summed -> 1x1 conv to
    ``embed_dims``: the per-pixel features ``F_I``.
    Text encoder: ``text_encoder`` (:class:`CharTextEncoder` with
    ``pooling='mean'``, WeCromCL Eq. 3) gives ``F_T``.
    ``head`` (:class:`SoftActivationHead`) gives the activation map (Eq. 4)
    and the correlated visual feature (Eq. 5); ``loss``
    (:class:`AtomisticContrastiveLoss`) is Eq. 6-8.

    Every distinct (after the dictionary's case folding) non-ignored word of
    an image is a positive query; a word occurring ``k`` times is queried
    once in training and yields ``k`` anchors at inference.

    Extra negatives (Eq. 7) come from data-sample metainfo ``neg_texts``
    (written by the ``SampleNegativeTexts`` transform) or, when absent, from
    the model's own ``negative_sampler`` (kwargs of
    :class:`NegativeSampler`; without a vocabulary it grows one from the
    training batches). ``use_negatives=False`` disables them (ablation).

    Args:
        backbone, neck, text_encoder (dict): Sub-module configs.
            ``text_encoder.num_tokens`` / ``eos_idx`` / ``pad_idx`` /
            ``out_dims`` default to the dictionary's / ``embed_dims``.
        dictionary (dict): :class:`VLPDictionary` config (same as the
            pipeline's).
        encoder (dict, optional): :class:`DeformableEncoder` config; None
            skips the transformer (ablation / speed).
        head (dict): :class:`SoftActivationHead` config; ``text_dims`` and
            ``img_dims`` are filled in.
        loss (dict): :class:`AtomisticContrastiveLoss` config.
        embed_dims (int): Channels of ``F_I`` and ``F_T`` (512 in the paper).
        use_negatives (bool): Use the ``N_aug`` extra negatives.
        negative_sampler (dict, optional): Model-side sampler kwargs.
        max_words_per_image (int): Cap of positive queries per image in
            training (random subset).
        text_warmup_iters (int): Keep the text encoder fixed (no gradient)
            for this many training iterations, then train it. Not in the
            paper, which starts from a pre-trained image backbone: from
            scratch, the image features carry no word identity at first, and
            the quickest way for Eq. 6-8 to stop penalising random logits is
            to map every word to the same feature - after which no gradient
            reaches the image side and training stays at chance (measured in
            docs/results.md, "Text-feature collapse"). Fixed, distinct word
            features act as class vectors until the image side can read.
            Uses the runner's iteration (``MessageHub`` ``'iter'``, so it
            survives a resume); under DDP set ``find_unused_parameters``.
            Defaults to 0 (off).
        positives (str): ``'all'`` (every distinct word of an image, up to
            ``max_words_per_image``) or ``'one_new'`` (official code: one
            word per image, not a word of an earlier image of the batch).
            Defaults to ``'all'``.
        filter_negatives (bool): Drop negatives whose key (after the
            dictionary's case folding) equals one of the image's words. The
            official code excludes them case-sensitively only, upstream
            (``SampleNegativeTexts(lower=False)``). Defaults to True.
        feature_level (int, optional): Encoder level used as ``F_I``
            (official: 1, stride 8); None sums all levels at the finest.
            Defaults to None.
        out_proj_bias (bool): Bias of the 1x1 conv to ``embed_dims``
            (official: none). Defaults to True.
        mask_padding (bool): Mask batch padding in the encoder and the
            activation map (the official code masks nothing). Defaults to
            True.
        test_cfg (dict): ``nms_kernel`` (5), ``scales`` (``(1.0,)``; several
            values average the maps of an enlarged input - for small text),
            ``return_maps`` (False): attach maps to the data samples,
            ``score`` (``'mass'``: map mass in the NMS window around the
            peak; ``'peak'``: the peak value, as the official code).
        data_preprocessor (dict, optional): e.g. ``TextDetDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 text_encoder: dict,
                 dictionary: dict,
                 encoder: Optional[dict] = None,
                 head: dict = dict(type='SoftActivationHead'),
                 loss: dict = dict(type='AtomisticContrastiveLoss'),
                 embed_dims: int = 512,
                 use_negatives: bool = True,
                 negative_sampler: Optional[dict] = None,
                 max_words_per_image: int = 32,
                 text_warmup_iters: int = 0,
                 positives: str = 'all',
                 filter_negatives: bool = True,
                 feature_level: Optional[int] = None,
                 out_proj_bias: bool = True,
                 mask_padding: bool = True,
                 test_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        if positives not in ('all', 'one_new'):
            raise ValueError(f"WeCromCL: positives must be 'all' or "
                             f"'one_new', got {positives!r}")
        self.dictionary = build_dictionary(dictionary)
        self.backbone = MODELS.build(backbone)
        if isinstance(neck, (list, tuple)):
            self.neck = nn.Sequential(*[MODELS.build(n) for n in neck])
            neck_dims = getattr(self.neck[-1], 'out_channels', None)
        else:
            self.neck = MODELS.build(neck)
            neck_dims = getattr(self.neck, 'out_channels', None)
        self.encoder = MODELS.build(encoder) if encoder else None
        enc_dims = self.encoder.embed_dims if self.encoder else neck_dims
        if neck_dims is None:
            raise ValueError('WeCromCL: the neck must expose out_channels')
        self.input_proj = None
        if enc_dims != neck_dims:
            self.input_proj = nn.Conv2d(neck_dims, enc_dims, 1)
        self.out_proj = nn.Conv2d(enc_dims, embed_dims, 1, bias=out_proj_bias)
        self.feature_level = feature_level
        self.mask_padding = mask_padding
        self.positives = positives
        self.filter_negatives = filter_negatives

        self.text_encoder = MODELS.build(
            text_encoder_cfg(text_encoder, self.dictionary, embed_dims))
        text_dims = self.text_encoder.out_dims

        head = dict(head)
        head.setdefault('text_dims', text_dims)
        head.setdefault('img_dims', embed_dims)
        self.head = MODELS.build(head)
        self.loss_module = MODELS.build(loss)
        self.embed_dims = embed_dims
        self.use_negatives = use_negatives
        sampler_cfg = dict(negative_sampler or {})
        sampler_cfg.setdefault('lower', self.dictionary.case == 'lower')
        sampler_cfg.setdefault(
            'alphabet',
            ''.join(c for c in self.dictionary.chars if c.isalnum())
            or ''.join(self.dictionary.chars))
        self.negative_sampler = NegativeSampler(**sampler_cfg)
        self.max_words_per_image = max_words_per_image
        self.text_warmup_iters = int(text_warmup_iters)
        self.test_cfg = dict(nms_kernel=5,
                             scales=(1.0, ),
                             return_maps=False,
                             score='mass')
        self.test_cfg.update(test_cfg or {})
        if self.test_cfg['score'] not in ('mass', 'peak'):
            raise ValueError(f"WeCromCL: test_cfg.score must be 'mass' or "
                             f"'peak', got {self.test_cfg['score']!r}")
        self._rng = random.Random(0)

    # ------------------------------------------------------------ text side
    def word_key(self, text: str) -> Optional[Tuple[int, ...]]:
        """The dictionary indices of a word (its identity), or None if the
        word is a don't-care or the dictionary drops it."""
        if not isinstance(text, str) or text == IGNORE_TEXT:
            return None
        idx = self.dictionary.encode(text)
        return tuple(idx) if idx else None

    def text_locked(self) -> bool:
        """Whether the text encoder is still in its warm-up (no gradient):
        training mode and the runner's iteration below
        ``text_warmup_iters``."""
        if not self.training or self.text_warmup_iters <= 0:
            return False
        it = MessageHub.get_current_instance().get_info('iter')
        return it is not None and int(it) < self.text_warmup_iters

    def keys_to_tokens(self, keys: Sequence[Tuple[int, ...]]) -> Tensor:
        """``(N, max_len + 1)`` token rows with EOS, on the model device."""
        width = self.dictionary.max_len + 1
        out = torch.zeros((len(keys), width), dtype=torch.long)
        for i, k in enumerate(keys):
            row = list(k)[:self.dictionary.max_len] + [self.dictionary.eos_idx]
            out[i, :len(row)] = torch.as_tensor(row)
        return out.to(self.out_proj.weight.device)

    def encode_text(self, keys: Sequence[Tuple[int, ...]]) -> Tensor:
        """Text features ``F_T`` (WeCromCL Eq. 3) of words given as keys."""
        if len(keys) == 0:
            return self.out_proj.weight.new_zeros(
                (0, self.text_encoder.out_dims))
        return self.text_encoder(self.keys_to_tokens(keys))[0]

    # ----------------------------------------------------------- image side
    def extract_feat(
            self,
            inputs: Tensor,
            data_samples: Optional[list] = None) -> Tuple[Tensor, Tensor]:
        """Per-pixel features ``F_I`` ``(B, C, h, w)`` and their padding mask
        ``(B, h, w)`` (True = padding)."""
        x = self.backbone(inputs)
        feats = list(self.neck(x))
        if self.input_proj is not None:
            feats = [self.input_proj(f) for f in feats]
        B = inputs.shape[0]
        img_shapes = []
        for i in range(B):
            shape = None
            if data_samples is not None and self.mask_padding:
                shape = data_samples[i].metainfo.get('img_shape')
            img_shapes.append(shape[:2] if shape else inputs.shape[-2:])
        masks = masks_from_img_shapes(img_shapes,
                                      inputs.shape[-2:],
                                      [f.shape[-2:] for f in feats],
                                      device=inputs.device)
        if self.encoder is not None:
            feats = self.encoder(
                feats, masks,
                out_levels=None if self.feature_level is None else
                [self.feature_level])
        if self.feature_level is not None:
            return (self.out_proj(feats[self.feature_level]),
                    masks[self.feature_level])
        fused = feats[0]
        for f in feats[1:]:
            fused = fused + F.interpolate(
                f, size=fused.shape[-2:], mode='bilinear', align_corners=False)
        return self.out_proj(fused), masks[0]

    def _pixels(self, feat: Tensor, mask: Tensor):
        pix = feat.flatten(2).transpose(1, 2)
        keys, values = self.head.project_pixels(pix)
        return keys, values, mask.flatten(1)

    @staticmethod
    def _cos(a: Tensor, b: Tensor) -> Tensor:
        return (F.normalize(a, dim=-1) * F.normalize(b, dim=-1)).sum(-1)

    # --------------------------------------------------------------- modes
    def forward(self,
                inputs: Tensor,
                data_samples: Optional[list] = None,
                mode: str = 'tensor'):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs, data_samples)[0]
        raise RuntimeError(f'WeCromCL: invalid mode {mode!r}')

    def _image_words(self, sample) -> 'OrderedDict[tuple, List[int]]':
        """Distinct word keys of an image -> indices of their instances."""
        gi = sample.gt_instances
        texts = list(gi.get('texts', []))
        ignored = gi.get('ignored', None)
        words: 'OrderedDict[tuple, List[int]]' = OrderedDict()
        for i, t in enumerate(texts):
            if ignored is not None and len(ignored) > i and bool(ignored[i]):
                continue
            k = self.word_key(t)
            if k is not None:
                words.setdefault(k, []).append(i)
        return words

    def _sample_positives(
            self, data_samples: list
    ) -> Tuple[List[tuple], List[int], List[set]]:
        """Positive queries: ``(keys, owner image of each, word set of every
        image)``. ``positives='all'``: every distinct word of an image (a
        random subset of ``max_words_per_image``); ``'one_new'``: one word
        per image that no earlier image of the batch contains (official
        code); an image without such a word gives no query."""
        pos_keys: List[tuple] = []
        owner: List[int] = []
        image_keys: List[set] = []
        seen: set = set()
        for b, s in enumerate(data_samples):
            ks = list(self._image_words(s).keys())
            image_keys.append(set(ks))
            if self.positives == 'one_new':
                fresh = [k for k in ks if k not in seen]
                seen.update(ks)
                ks = [self._rng.choice(fresh)] if fresh else []
            elif len(ks) > self.max_words_per_image:
                ks = self._rng.sample(ks, self.max_words_per_image)
            pos_keys += ks
            owner += [b] * len(ks)
        return pos_keys, owner, image_keys

    def _sample_negatives(self, data_samples: list,
                          image_keys: List[set]) -> List[List[tuple]]:
        """The ``N_aug`` extra negatives of every image (WeCromCL Eq. 7), as
        word keys; with ``filter_negatives`` never one of its own words."""
        if not self.use_negatives:
            return [[] for _ in data_samples]
        neg_keys: List[List[tuple]] = []
        for b, s in enumerate(data_samples):
            texts = s.metainfo.get('neg_texts')
            if texts is None:
                own = [t for t in s.gt_instances.get('texts', [])]
                texts = self.negative_sampler.sample(own)
            ks = []
            for t in texts:
                k = self.word_key(t)
                if k is not None and not (self.filter_negatives
                                          and k in image_keys[b]):
                    ks.append(k)
            neg_keys.append(ks)
        if not any(s.metainfo.get('neg_texts') is not None
                   for s in data_samples):
            for s in data_samples:
                self.negative_sampler.observe(s.gt_instances.get('texts', []))
        return neg_keys

    def _local_term(self, agg_pos: Tensor, text_pos: Tensor,
                    text_neg: Optional[Tensor], neg_valid: Optional[Tensor],
                    pos_keys: List[tuple],
                    owner_t: Tensor) -> Tuple[Tensor, Tensor]:
        """Inputs of the localisation term: ``F^c`` of each positive pair vs.
        every batch word (co-occurring words included) and the owner's
        negatives; equal texts other than the target are excluded."""
        Q = len(pos_keys)
        agg_own = agg_pos[owner_t, torch.arange(Q, device=agg_pos.device)]
        sim_local = self._cos(agg_own[:, None], text_pos[None])  # (Q, Q)
        local_excl = torch.tensor(
            [[pos_keys[i] == pos_keys[j] and i != j for j in range(Q)]
             for i in range(Q)],
            dtype=torch.bool,
            device=agg_pos.device)
        if text_neg is not None:
            sim_local = torch.cat(
                [sim_local,
                 self._cos(agg_own[:, None], text_neg[owner_t])], 1)
            local_excl = torch.cat([local_excl, ~neg_valid[owner_t]], 1)
        return sim_local, local_excl

    def _text_features(
        self, pos_keys: List[tuple], neg_keys: List[List[tuple]]
    ) -> Tuple[Tensor, Optional[Tensor], Optional[Tensor]]:
        """``F_T`` (Eq. 3) of the positives ``(Q, C)`` and of every image's
        negatives ``(B, N, C)`` in one text-encoder pass (images with fewer
        negatives are padded; ``neg_valid`` ``(B, N)`` marks the real
        ones)."""
        n_neg = max((len(k) for k in neg_keys), default=0)
        all_keys = list(pos_keys)
        for ks in neg_keys:
            all_keys += ks + [ks[0] if ks else pos_keys[0]] * (n_neg - len(ks))
        with torch.no_grad() if self.text_locked() else nullcontext():
            text = self.encode_text(all_keys)
        Q = len(pos_keys)
        if n_neg == 0:
            return text[:Q], None, None
        neg_valid = torch.tensor([[j < len(ks) for j in range(n_neg)]
                                  for ks in neg_keys],
                                 dtype=torch.bool,
                                 device=text.device)
        return text[:Q], text[Q:].view(len(neg_keys), n_neg, -1), neg_valid

    def loss(self, inputs: Tensor, data_samples: list) -> Dict[str, Tensor]:
        """Atomistic contrastive loss of a batch (WeCromCL Eq. 6-8): sample
        the positive and negative words, encode them, aggregate the image
        features with each query (Eq. 4-5), compare by cosine, contrast."""
        B = inputs.shape[0]
        pos_keys, owner, image_keys = self._sample_positives(data_samples)
        neg_keys = self._sample_negatives(data_samples, image_keys)

        feat, mask = self.extract_feat(inputs, data_samples)
        keys, values, pad = self._pixels(feat, mask)
        if len(pos_keys) == 0:
            # No word: a zero loss that still reaches every parameter, so
            # DDP without find_unused_parameters sees all of them used.
            zero = feat.sum() * 0 + sum(
                p.sum() * 0 for p in self.parameters() if p.requires_grad)
            return dict(loss_t2i=zero, loss_i2t=zero)
        text_pos, text_neg, neg_valid = self._text_features(
            pos_keys, neg_keys)
        _, agg_pos = self.head(text_pos, keys, values, pad)  # (B, Q, C)
        sim_pos = self._cos(agg_pos, text_pos[None])
        sim_neg = None
        if text_neg is not None:
            _, agg_neg = self.head(text_neg, keys, values, pad)
            sim_neg = self._cos(agg_neg, text_neg)
        same = torch.tensor([[k in image_keys[b] for k in pos_keys]
                             for b in range(B)],
                            dtype=torch.bool,
                            device=feat.device)
        owner_t = torch.as_tensor(owner, dtype=torch.long, device=feat.device)
        extra = {}
        if getattr(self.loss_module, 'local_weight', 0) > 0:
            sim_local, local_excl = self._local_term(agg_pos, text_pos,
                                                     text_neg, neg_valid,
                                                     pos_keys, owner_t)
            extra = dict(sim_local=sim_local, local_excl=local_excl)
        losses = self.loss_module(sim_pos, owner_t, same, sim_neg, neg_valid,
                                  **extra)
        losses['logit_scale'] = self.loss_module.scale().detach()
        return losses

    # ----------------------------------------------------------- inference
    def activation_maps(
        self,
        inputs: Tensor,
        data_samples: list,
        words: List[List[tuple]],
        scales: Sequence[float] = (1.0, )
    ) -> Tuple[List[Tensor], float]:
        """Activation maps of the given words, averaged over input scales.

        Args:
            inputs: ``(B, 3, H, W)`` pre-processed batch.
            data_samples: Their data samples (for ``img_shape``).
            words: Per image the word keys to query.
            scales: Input scale factors (``1.0`` = as given); maps of the
                other scales are resampled onto the largest scale's grid.

        Returns:
            tuple: per image a ``(T_b, h, w)`` map tensor (each map sums to
            1 over the valid region) cropped to the valid region, and the
            stride (input pixels per map cell at scale 1).
        """
        scales = sorted(float(s) for s in scales)
        s_max = scales[-1]
        per_scale = []
        stride = None
        for s in scales:
            x = inputs
            samples = data_samples
            if s != 1.0:
                x = F.interpolate(inputs,
                                  scale_factor=s,
                                  mode='bilinear',
                                  align_corners=False)
                H, W = x.shape[-2:]
                x = F.pad(x, (0, (-W) % 32, 0, (-H) % 32))
                samples = [_ScaledShape(d, s) for d in data_samples]
            feat, mask = self.extract_feat(x, samples)
            st = x.shape[-1] / feat.shape[-1] / s  # input px per cell
            if s == s_max:
                stride = st
            keys, values, pad = self._pixels(feat, mask)
            maps = []
            for b, ks in enumerate(words):
                h, w = feat.shape[-2:]
                valid = ~mask[b]
                vh = int(valid[:, 0].sum().clamp(min=1))
                vw = int(valid[0, :].sum().clamp(min=1))
                if len(ks) == 0:
                    maps.append(feat.new_zeros((0, vh, vw)))
                    continue
                text = self.encode_text(ks)
                m, _ = self.head(text, keys[b:b + 1], values[b:b + 1],
                                 pad[b:b + 1])
                maps.append(m[0].view(-1, h, w)[:, :vh, :vw])
            per_scale.append(maps)
        out = []
        for b in range(len(words)):
            target = per_scale[-1][b]
            if len(scales) == 1 or target.shape[0] == 0:
                out.append(target)
                continue
            acc = torch.zeros_like(target)
            for maps in per_scale:
                m = F.interpolate(maps[b][None],
                                  size=target.shape[-2:],
                                  mode='bilinear',
                                  align_corners=False)[0]
                acc += m / m.sum((1, 2), keepdim=True).clamp(min=1e-12)
            out.append(acc / acc.sum((1, 2), keepdim=True).clamp(min=1e-12))
        return out, stride

    @torch.no_grad()
    def predict(self, inputs: Tensor, data_samples: list) -> list:
        """Anchor points for every transcription (WeCromCL Sec. 3.3).

        For each distinct word of an image (``gt_instances.texts``, the
        given transcriptions) the activation map is max-pool NMS'ed and its
        ``k`` strongest peaks (``k`` = occurrences of the word) become
        anchors, mapped back to original image coordinates.

        Returns:
            list: The data samples with ``pred_instances``: ``points``
            ``(K, 2)`` float, ``texts`` (list[str], one per anchor),
            ``scores`` ``(K,)`` (``test_cfg.score``: activation mass in the
            NMS window around the peak, in [0, 1], or the peak value),
            ``instance_ids`` ``(K,)`` (the ``gt_instances`` index each
            anchor is assigned to). With
            ``test_cfg.return_maps`` the metainfo also holds
            ``activation_maps`` (``(T, h, w)`` numpy, one per distinct
            word), ``activation_texts`` and ``activation_stride``.
        """
        words = [self._image_words(s) for s in data_samples]
        keys = [list(w.keys()) for w in words]
        maps, stride = self.activation_maps(inputs, data_samples, keys,
                                            self.test_cfg['scales'])
        nms = int(self.test_cfg['nms_kernel'])
        for s, wd, ks, m in zip(data_samples, words, keys, maps):
            texts = list(s.gt_instances.get('texts', []))
            sf = s.metainfo.get('scale_factor', (1.0, 1.0))
            pts, scores, out_texts, ids = [], [], [], []
            for t, k in enumerate(ks):
                inst = wd[k]
                xy, peak = find_peaks(m[t], k=len(inst), nms_kernel=nms,
                                      fill=True)
                pts.append(cell_to_point(xy, stride, sf))
                scores.append(peak if self.test_cfg['score'] == 'peak' else
                              window_mass(m[t], xy, nms))
                out_texts += [texts[i] for i in inst[:len(xy)]]
                ids += inst[:len(xy)]
            pred = InstanceData()
            dev = inputs.device
            pred.points = (torch.cat(pts).float() if pts else torch.zeros(
                (0, 2), device=dev))
            ori = s.metainfo.get('ori_shape')
            if ori is not None and len(pred.points):
                # Cells straddling the valid border map slightly outside.
                pred.points[:, 0].clamp_(0, float(ori[1]))
                pred.points[:, 1].clamp_(0, float(ori[0]))
            pred.scores = (torch.cat(scores).float()
                           if scores else torch.zeros((0, ), device=dev))
            pred.texts = out_texts
            pred.instance_ids = torch.as_tensor(ids, dtype=torch.long)
            s.pred_instances = pred
            if self.test_cfg.get('return_maps', False):
                s.set_metainfo(
                    dict(activation_maps=m.detach().cpu().numpy(),
                         activation_texts=[texts[wd[k][0]] for k in ks],
                         activation_stride=float(stride)))
        return data_samples


class _ScaledShape:
    """A data sample view whose ``img_shape`` is scaled (multi-scale test)."""

    def __init__(self, sample, scale: float) -> None:
        self.metainfo = {}
        shape = sample.metainfo.get('img_shape')
        if shape:
            h, w = shape[:2]
            self.metainfo['img_shape'] = (int(round(h * scale)),
                                          int(round(w * scale)))
