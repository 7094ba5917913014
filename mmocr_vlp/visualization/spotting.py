# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Drawing single-point spotting results (WeCromCL Fig. 5 / supp. Fig. 2).

Anchors are green ``+``, the K sampling points blue dots joined in reading
order, the recognised text red on a white box next to its anchor.
"""
from typing import Optional, Sequence

import cv2
import mmcv
import numpy as np
from mmengine.visualization import Visualizer
from mmocr.registry import VISUALIZERS

GREEN = (0, 200, 0)
BLUE = (255, 80, 0)
RED = (0, 0, 230)
GT_COLOUR = (0, 160, 255)


def _np(x):
    if x is None:
        return None
    if hasattr(x, 'detach'):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def draw_point_spotting(img: np.ndarray,
                        points,
                        texts: Sequence[str],
                        sample_points=None,
                        scores=None,
                        score_thr: float = 0.,
                        gt_points=None,
                        gt_texts: Optional[Sequence[str]] = None,
                        show_scores: bool = True) -> np.ndarray:
    """Draw anchors, sampling points and texts on a copy of ``img``.

    Args:
        img: ``(H, W, 3)`` BGR uint8 image (the original frame).
        points: ``(N, 2)`` anchors (x, y) in the image frame.
        texts: ``N`` recognised strings.
        sample_points: ``(N, K, 2)`` sampling points, optional.
        scores: ``(N,)`` scores; instances below ``score_thr`` are skipped.
        score_thr: Display threshold.
        gt_points: ``(M, 2)`` ground-truth points drawn as orange circles.
        gt_texts: ``M`` ground-truth strings (drawn small, under the point).
        show_scores: Append the score to the text.

    Returns:
        np.ndarray: The drawn BGR image.
    """
    if img.ndim == 2:
        img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    canvas = np.ascontiguousarray(img.copy())
    H, W = canvas.shape[:2]
    unit = max(1, int(round(max(H, W) / 400)))
    points = _np(points).reshape(-1, 2) if points is not None else \
        np.zeros((0, 2))
    sp = _np(sample_points)
    sc = _np(scores)
    if gt_points is not None:
        gp = _np(gt_points).reshape(-1, 2)
        for k, (x, y) in enumerate(gp):
            if not np.isfinite([x, y]).all():
                continue
            cv2.circle(canvas, (int(round(x)), int(round(y))), 3 * unit,
                       GT_COLOUR, unit, cv2.LINE_AA)
            if gt_texts is not None and k < len(gt_texts):
                cv2.putText(canvas, str(gt_texts[k]),
                            (int(x), int(y) + 12 * unit),
                            cv2.FONT_HERSHEY_SIMPLEX, 0.35 * unit, GT_COLOUR,
                            1, cv2.LINE_AA)
    for k in range(len(points)):
        if sc is not None and sc[k] < score_thr:
            continue
        if sp is not None and len(sp) > k:
            pts = np.round(sp[k]).astype(np.int32)
            cv2.polylines(canvas, [pts.reshape(-1, 1, 2)], False, BLUE, 1,
                          cv2.LINE_AA)
            for (px, py) in pts:
                cv2.circle(canvas, (int(px), int(py)), max(1, unit + 1), BLUE,
                           -1, cv2.LINE_AA)
        x, y = int(round(points[k][0])), int(round(points[k][1]))
        cv2.drawMarker(canvas, (x, y), GREEN, cv2.MARKER_CROSS, 10 * unit,
                       2 * unit, cv2.LINE_AA)
        label = str(texts[k]) if k < len(texts) else ''
        if show_scores and sc is not None:
            label = f'{label} {sc[k]:.2f}'
        if label:
            fs = 0.45 * unit
            (tw, th), base = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX,
                                             fs, 1)
            tx = min(max(0, x + 4 * unit), max(0, W - tw - 1))
            ty = max(th + 1, y - 6 * unit)
            cv2.rectangle(canvas, (tx - 1, ty - th - 1),
                          (tx + tw + 1, ty + base), (255, 255, 255), -1)
            cv2.putText(canvas, label, (tx, ty), cv2.FONT_HERSHEY_SIMPLEX,
                        fs, RED, 1, cv2.LINE_AA)
    return canvas


@VISUALIZERS.register_module()
class PointSpottingLocalVisualizer(Visualizer):
    """Visualiser for single-point spotting results (used by mmocr's
    ``VisualizationHook`` and ``tools/spot.py``).

    Draws ``pred_instances`` (``points``, ``texts``, ``scores``,
    ``sample_points``) and optionally ``gt_instances`` (``points``,
    ``texts``) with :func:`draw_point_spotting`.
    """

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample=None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: int = 0,
                       out_file: Optional[str] = None,
                       pred_score_thr: float = 0.3,
                       step: int = 0) -> np.ndarray:
        """Draw one sample; save to ``out_file`` or the vis backends.

        ``image`` is RGB (mmengine's convention for visualisers).
        """
        bgr = np.ascontiguousarray(image[..., ::-1])
        gt_pts = gt_txt = None
        if draw_gt and data_sample is not None and \
                'gt_instances' in data_sample:
            gi = data_sample.gt_instances
            if 'points' in gi:
                gt_pts = gi.points
                sf = data_sample.metainfo.get('scale_factor')
                if sf is not None:
                    gt_pts = _np(gt_pts) / np.asarray(sf[:2], np.float32)
                gt_txt = gi.texts if 'texts' in gi else None
        points, texts, sp, scores = None, [], None, None
        if draw_pred and data_sample is not None and \
                'pred_instances' in data_sample:
            pi = data_sample.pred_instances
            points, texts = pi.points, pi.texts
            sp = pi.get('sample_points')
            scores = pi.get('scores')
        drawn = draw_point_spotting(
            bgr, points, texts, sample_points=sp, scores=scores,
            score_thr=pred_score_thr, gt_points=gt_pts, gt_texts=gt_txt)
        rgb = drawn[..., ::-1]
        self.set_image(rgb)
        if show:
            self.show(rgb, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(drawn, out_file)
        else:
            self.add_image(name, rgb, step)
        return rgb
