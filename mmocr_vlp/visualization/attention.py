# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Draw oCLIP attention maps (paper Fig. 3 and Fig. 4)."""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np


def _to_numpy(x) -> np.ndarray:
    if hasattr(x, 'detach'):
        x = x.detach().cpu().float().numpy()
    return np.asarray(x, dtype=np.float32)


def overlay_heatmap(img: np.ndarray,
                    attn,
                    alpha: float = 0.5,
                    valid_hw: Optional[Sequence[int]] = None) -> np.ndarray:
    """Overlay an attention grid on an image as a JET heatmap.

    Args:
        img (np.ndarray): ``(H, W, 3)`` uint8 BGR image.
        attn: ``(h, w)`` attention weights (tensor or array).
        alpha (float): Heatmap opacity.
        valid_hw (tuple, optional): If the model input was padded, the
            ``(H, W)`` of the valid region in model-input pixels relative
            to the full grid ``(h*32, w*32)``; the heatmap is cropped to it.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 BGR image.
    """
    a = _to_numpy(attn)
    if a.ndim != 2:
        raise ValueError(f'attention must be (h, w), got shape {a.shape}')
    if valid_hw is not None:
        gh, gw = a.shape
        vh = max(1, int(np.ceil(valid_hw[0] / 32)))
        vw = max(1, int(np.ceil(valid_hw[1] / 32)))
        a = a[:min(vh, gh), :min(vw, gw)]
    a = a - a.min()
    a = a / max(float(a.max()), 1e-12)
    h, w = img.shape[:2]
    a = cv2.resize(a, (w, h), interpolation=cv2.INTER_CUBIC)
    heat = cv2.applyColorMap(
        np.clip(a * 255, 0, 255).astype(np.uint8), cv2.COLORMAP_JET)
    return cv2.addWeighted(img, 1 - alpha, heat, alpha, 0)


def _caption(panel: np.ndarray, lines: List[str]) -> np.ndarray:
    h, w = panel.shape[:2]
    line_h = 22
    bar = np.full((line_h * len(lines) + 6, w, 3), 255, np.uint8)
    for i, text in enumerate(lines):
        cv2.putText(bar, text, (4, line_h * (i + 1) - 4),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1,
                    cv2.LINE_AA)
    return np.concatenate([panel, bar], axis=0)


def _hstack(panels: List[np.ndarray], gap: int = 6) -> np.ndarray:
    h = max(p.shape[0] for p in panels)
    out = []
    for i, p in enumerate(panels):
        if p.shape[0] < h:
            p = np.concatenate(
                [p, np.full((h - p.shape[0], ) + p.shape[1:], 255, np.uint8)])
        out.append(p)
        if i < len(panels) - 1:
            out.append(np.full((h, gap, 3), 255, np.uint8))
    return np.concatenate(out, axis=1)


def draw_pool_attention(img: np.ndarray,
                        attn,
                        title: Sequence[str] = ('attention pool',
                                                '(global token)'),
                        **kw) -> np.ndarray:
    """Fig. 3: the image and the attention-pool's global-token attention
    over the spatial tokens, side by side."""
    return _hstack([
        _caption(img.copy(), ['input', '']),
        _caption(overlay_heatmap(img, attn, **kw), list(title))
    ])


def draw_decoder_attention(img: np.ndarray,
                           attn,
                           masked_words: Sequence[str],
                           pred_chars: Sequence[str],
                           gt_chars: Optional[Sequence[str]] = None,
                           per_row: int = 4,
                           **kw) -> np.ndarray:
    """Fig. 4: one panel per masked word: the decoder's attention of that
    word's query over the image, captioned ``word [M] -> predicted``."""
    attn = _to_numpy(attn)
    if len(attn) != len(masked_words) or len(pred_chars) != len(attn):
        raise ValueError(f'{len(attn)} attention maps, {len(masked_words)} '
                         f'words and {len(pred_chars)} predictions differ')
    panels = [_caption(img.copy(), ['input', ''])]
    for k, (a, word, pc) in enumerate(zip(attn, masked_words, pred_chars)):
        line2 = f'[M] -> {pc!r}'
        if gt_chars is not None:
            line2 += f' (gt {gt_chars[k]!r})'
        panels.append(_caption(overlay_heatmap(img, a, **kw), [word, line2]))
    rows = [
        _hstack(panels[i:i + per_row])
        for i in range(0, len(panels), per_row)
    ]
    width = max(r.shape[1] for r in rows)
    rows = [
        np.concatenate(
            [r, np.full((r.shape[0], width - r.shape[1], 3), 255, np.uint8)],
            axis=1) if r.shape[1] < width else r for r in rows
    ]
    return np.concatenate(rows, axis=0)


def decode_masked_words(masked_tokens, mask_labels,
                        dictionary) -> Tuple[List[str], List[str]]:
    """Captions of oCLIP's masked words (Sec. 3.3).

    Args:
        masked_tokens: ``(N, L)`` token rows with one character replaced by
            the dictionary's mask index.
        mask_labels: ``(N, )`` index of each masked character (``<= 0``:
            none).
        dictionary: The :class:`VLPDictionary` of the tokens.

    Returns:
        tuple: The words with ``[M]`` for the masked character, and the
        masked characters (``''`` where none).
    """
    d = dictionary
    words = [
        ''.join('[M]' if int(t) == d.mask_idx else d.decode([int(t)])
                for t in row if int(t) not in (d.pad_idx, d.eos_idx))
        for row in _to_numpy(masked_tokens).astype(np.int64)
    ]
    chars = [d.decode([int(c)]) if int(c) > 0 else ''
             for c in _to_numpy(mask_labels).astype(np.int64)]
    return words, chars


def draw_oclip_sample(img: np.ndarray,
                      data_sample,
                      dictionary,
                      max_words: int = 6,
                      per_row: int = 4) -> np.ndarray:
    """Fig. 4 for an oCLIP prediction: :func:`draw_decoder_attention` of
    its first ``max_words`` masked words.

    Args:
        img (np.ndarray): ``(H, W, 3)`` BGR image (the whole picture the
            model saw, any resolution).
        data_sample: A prediction of ``OCLIP.predict`` made with
            ``test_cfg.return_attn``: ``gt_instances.masked_tokens`` /
            ``mask_labels`` and ``pred_instances.decoder_attn`` /
            ``mask_pred_chars``.
        dictionary: The model's :class:`VLPDictionary`.
        max_words (int): Panels drawn. Defaults to 6.
        per_row (int): Panels per row. Defaults to 4.

    Returns:
        np.ndarray: The BGR drawing.
    """
    pred, gi = data_sample.pred_instances, data_sample.gt_instances
    if 'decoder_attn' not in pred:
        raise KeyError('draw_oclip_sample: no pred_instances.decoder_attn '
                       '(predict with test_cfg.return_attn=True)')
    words, chars = decode_masked_words(gi.masked_tokens, gi.mask_labels,
                                       dictionary)
    n = min(max_words, len(words))
    return draw_decoder_attention(
        img, pred.decoder_attn[:n], words[:n], pred.mask_pred_chars[:n],
        chars[:n], per_row=per_row,
        valid_hw=data_sample.metainfo.get('img_shape'))
