# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Draw WeCromCL activation maps and anchors (WeCromCL supp. Fig. 1)."""
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import mmcv
import numpy as np
from mmengine.visualization import Visualizer
from mmocr.registry import VISUALIZERS


def overlay_activation(
        img: np.ndarray,
        act_map: np.ndarray,
        points: Optional[Sequence[Tuple[float, float]]] = None,
        title: Optional[str] = None,
        alpha: float = 0.5,
        colormap: int = cv2.COLORMAP_JET,
        gt_polygons: Optional[Sequence[np.ndarray]] = None) -> np.ndarray:
    """Overlay one activation map and its anchor(s) on a BGR image.

    Args:
        img: ``(H, W, 3)`` uint8 BGR image (original coordinates).
        act_map: ``(h, w)`` map covering the whole image (any resolution;
            resized bilinearly), min-max normalised for display.
        points: Anchor points ``(x, y)`` in image coordinates, drawn as
            green crosses (the paper's green '+').
        title: Text drawn in the top-left corner (the query word).
        alpha: Heat-map opacity.
        colormap: OpenCV colour map.
        gt_polygons: Optional polygons drawn in white (where the word is).

    Returns:
        np.ndarray: The drawing, same size as ``img``.
    """
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    H, W = img.shape[:2]
    m = np.asarray(act_map, dtype=np.float32)
    m = cv2.resize(m, (W, H), interpolation=cv2.INTER_LINEAR)
    lo, hi = float(m.min()), float(m.max())
    m = (m - lo) / (hi - lo) if hi > lo else np.zeros_like(m)
    heat = cv2.applyColorMap((m * 255).astype(np.uint8), colormap)
    out = cv2.addWeighted(img.astype(np.uint8), 1 - alpha, heat, alpha, 0)
    if gt_polygons is not None:
        for poly in gt_polygons:
            p = np.asarray(poly, dtype=np.float32).reshape(-1, 2)
            cv2.polylines(out, [np.round(p).astype(np.int32)], True,
                          (255, 255, 255), 1, cv2.LINE_AA)
    size = max(6, int(round(min(H, W) * 0.03)))
    for x, y in (points if points is not None else []):
        c = (int(round(x)), int(round(y)))
        cv2.drawMarker(out, c, (0, 0, 0), cv2.MARKER_CROSS, size + 2, 4)
        cv2.drawMarker(out, c, (0, 255, 0), cv2.MARKER_CROSS, size, 2)
    if title:
        scale = max(0.4, min(H, W) / 600)
        (tw, th), base = cv2.getTextSize(title, cv2.FONT_HERSHEY_SIMPLEX,
                                         scale, 1)
        cv2.rectangle(out, (0, 0), (tw + 8, th + base + 8), (0, 0, 0), -1)
        cv2.putText(out, title, (4, th + 4), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (255, 255, 255), 1, cv2.LINE_AA)
    return out


def make_grid(panels: List[np.ndarray],
              ncols: int = 3,
              pad: int = 4) -> np.ndarray:
    """Tile equally sized panels into one image (row-major)."""
    if not panels:
        raise ValueError('make_grid: no panels')
    h, w = panels[0].shape[:2]
    ncols = max(1, min(ncols, len(panels)))
    nrows = (len(panels) + ncols - 1) // ncols
    grid = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad, 3), 255,
                   np.uint8)
    for i, p in enumerate(panels):
        r, c = divmod(i, ncols)
        if p.shape[:2] != (h, w):
            p = cv2.resize(p, (w, h))
        y, x = pad + r * (h + pad), pad + c * (w + pad)
        grid[y:y + h, x:x + w] = p
    return grid


def full_image_map(act_map: np.ndarray, stride: float,
                   scale_factor: Sequence[float],
                   ori_shape: Tuple[int, int]) -> np.ndarray:
    """Resample a valid-region map (``(h, w)`` cells of ``stride`` input px
    in the resized frame) onto the original image grid ``ori_shape``."""
    H, W = ori_shape[:2]
    h, w = act_map.shape
    # Cell centres in original coordinates -> sample by remapping.
    xs = (np.arange(W, dtype=np.float32) * scale_factor[0]) / stride - 0.5
    ys = (np.arange(H, dtype=np.float32) * scale_factor[1]) / stride - 0.5
    mx, my = np.meshgrid(np.clip(xs, 0, w - 1), np.clip(ys, 0, h - 1))
    return cv2.remap(act_map.astype(np.float32), mx, my, cv2.INTER_LINEAR)


def draw_activation_sample(img: np.ndarray,
                           data_sample,
                           max_words: int = 9,
                           ncols: int = 3,
                           panel_width: int = 480,
                           gt_polygons: Optional[Dict[str, list]] = None
                           ) -> np.ndarray:
    """One panel per query word of a WeCromCL prediction, tiled (WeCromCL
    supp. Fig. 1): the word's activation map over the image and its
    anchors.

    Args:
        img (np.ndarray): ``(H, W, 3)`` BGR image in the original frame.
        data_sample: A prediction of ``WeCromCL.predict`` made with
            ``test_cfg.return_maps``: metainfo ``activation_maps``,
            ``activation_texts``, ``activation_stride``, ``scale_factor``
            and ``pred_instances`` (``points``, ``texts``).
        max_words (int): Panels drawn (the first words). Defaults to 9.
        ncols (int): Panels per row. Defaults to 3.
        panel_width (int): Width of a panel in pixels. Defaults to 480.
        gt_polygons (dict, optional): Lower-cased word -> polygons in the
            original frame, drawn in white. Defaults to None.

    Returns:
        np.ndarray: The BGR grid; a single panel of the image when the
        sample has no query word.
    """
    meta = data_sample.metainfo
    if 'activation_maps' not in meta:
        raise KeyError('draw_activation_sample: the data sample has no '
                       'activation_maps (predict with '
                       'test_cfg.return_maps=True)')
    maps = meta['activation_maps']
    texts = meta.get('activation_texts', [])
    stride = meta.get('activation_stride', 8.0)
    sf = meta.get('scale_factor', (1.0, 1.0))
    pred = data_sample.pred_instances
    points = pred.points.tolist() if len(pred) else []
    gt_polygons = gt_polygons or {}
    H, W = img.shape[:2]
    ph = max(1, int(round(H * panel_width / W)))
    panels = []
    for t, text in enumerate(texts[:max_words]):
        m = full_image_map(maps[t], stride, sf, (H, W))
        pts = [p for p, tt in zip(points, pred.texts)
               if tt.lower() == text.lower()]
        panel = overlay_activation(img, m, pts, title=text,
                                   gt_polygons=gt_polygons.get(text.lower()))
        panels.append(cv2.resize(panel, (panel_width, ph)))
    if not panels:
        panels = [cv2.resize(img, (panel_width, ph))]
    return make_grid(panels, ncols=ncols)


@VISUALIZERS.register_module()
class ActivationLocalVisualizer(Visualizer):
    """Visualiser of WeCromCL predictions (used by ``WeCromCLInferencer``):
    draws :func:`draw_activation_sample` panels; with ``draw_gt`` the
    ``gt_instances.polygons`` of each word, if any, in white (in the
    original frame: the test pipelines load annotations after the resize,
    as mmocr's do).

    Args:
        name (str): Instance name. Defaults to ``'visualizer'``.
        max_words (int): Panels per image. Defaults to 9.
        ncols (int): Panels per row. Defaults to 3.
        panel_width (int): Width of a panel. Defaults to 480.
        **kwargs: Passed to mmengine's ``Visualizer``.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 max_words: int = 9,
                 ncols: int = 3,
                 panel_width: int = 480,
                 **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.max_words = max_words
        self.ncols = ncols
        self.panel_width = panel_width

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample=None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: int = 0,
                       out_file: Optional[str] = None,
                       pred_score_thr: float = 0.,
                       step: int = 0) -> np.ndarray:
        """Draw one sample; save to ``out_file`` or the vis backends.

        ``image`` is RGB (mmengine's convention for visualisers); returns
        the RGB drawing.
        """
        bgr = np.ascontiguousarray(image[..., ::-1])
        polys: Dict[str, list] = {}
        gi = data_sample.get('gt_instances') if data_sample else None
        if draw_gt and gi is not None and 'polygons' in gi:
            for text, p in zip(gi.texts, gi.polygons):
                polys.setdefault(str(text).lower(), []).append(p)
        if draw_pred and data_sample is not None:
            drawn = draw_activation_sample(
                bgr, data_sample, max_words=self.max_words, ncols=self.ncols,
                panel_width=self.panel_width, gt_polygons=polys)
        else:
            drawn = bgr
        rgb = np.ascontiguousarray(drawn[..., ::-1])
        self.set_image(rgb)
        if show:
            self.show(rgb, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(drawn, out_file)
        else:
            self.add_image(name, rgb, step)
        return rgb
