# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Shared machinery of the spotting metrics: reading data samples, lexicons,
the confidence sweep and the ``best_thr_on_test`` / ``fixed`` reporting."""
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from ..functional.geometry import gt_centers, polygon_center
from ..functional.lexicon import LEXICON_THR, LexiconSource
from ..functional.text import is_dont_care_text, word_spotting_filter
from ..functional.threshold import (ThrSpec, best_index, build_thresholds,
                                    fmt_thr)

#: tolerance of ``score >= thr`` (float32 scores vs decimal thresholds)
SCORE_EPS = 1e-6


def get_field(obj: Any, key: str, default: Any = None) -> Any:
    """``obj[key]`` for dicts and mmengine data elements alike."""
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(key, default)
    if hasattr(obj, 'get'):
        return obj.get(key, default)
    return getattr(obj, key, default)


def to_numpy(x: Any, dtype=None) -> Optional[np.ndarray]:
    """Tensors, lists and arrays to numpy (``None`` stays ``None``)."""
    if x is None:
        return None
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    return np.asarray(x, dtype=dtype)


def _texts(value: Any, field: str, where: str) -> List[str]:
    """A list of transcriptions, checked (a bare ``str`` is an error)."""
    if value is None:
        return []
    if isinstance(value, str):
        raise TypeError(f'{where}: {field} must be a list of str, got a str')
    out = list(value)
    for t in out:
        if not isinstance(t, str):
            raise TypeError(f'{where}: {field} must hold str, got '
                            f'{type(t).__name__}')
    return out


def _sample_name(data_sample: Any) -> Tuple[Optional[str], str]:
    """The sample's ``img_path`` and how error messages name the sample."""
    img_path = get_field(data_sample, 'img_path')
    if img_path is None:
        img_path = get_field(get_field(data_sample, 'metainfo', {}),
                             'img_path')
    return img_path, f'sample {img_path!r}' if img_path else 'sample'


def _read_predictions(data_sample: Any, where: str, need_locations: bool
                      ) -> Tuple[np.ndarray, List[str], np.ndarray]:
    """Predicted points ``(P, 2)``, texts and scores ``(P,)``.

    Points come from ``pred_instances.points``, else the centres of
    ``pred_instances.polygons``; without either they are NaN (allowed only
    when ``need_locations`` is False). Missing scores are 1.
    """
    pred = get_field(data_sample, 'pred_instances')
    if pred is None:
        raise KeyError(f'{where}: no pred_instances')
    texts = _texts(get_field(pred, 'texts'), 'pred_instances.texts', where)
    points = to_numpy(get_field(pred, 'points'), np.float64)
    if points is None:
        polys = get_field(pred, 'polygons')
        if polys is not None and len(polys):
            points = np.array([polygon_center(p) for p in polys],
                              dtype=np.float64)
        elif len(texts) and need_locations:
            raise KeyError(f'{where}: pred_instances has texts but no '
                           f'`points` (or `polygons`)')
        else:
            points = np.full((len(texts), 2), np.nan)
    points = points.reshape(-1, 2)
    scores = to_numpy(get_field(pred, 'scores'), np.float64)
    if scores is None:
        scores = np.ones(len(points))
    scores = scores.reshape(-1)
    if not len(points) == len(texts) == len(scores):
        raise ValueError(f'{where}: pred_instances points/texts/scores have '
                         f'{len(points)}/{len(texts)}/{len(scores)} entries')
    return points, texts, scores


def _read_gt_locations(
    data_sample: Any, gt: Any, num_gt: int, where: str, gt_coord_frame: str
) -> Tuple[Optional[List[np.ndarray]], Optional[np.ndarray]]:
    """GT polygons (flat float64 arrays, or None) and points ``(G, 2)`` (or
    None) in original image coordinates."""
    polygons = get_field(gt, 'polygons')
    if polygons is not None:
        polygons = [
            np.asarray(to_numpy(p), dtype=np.float64).reshape(-1)
            for p in polygons
        ]
        if len(polygons) == 0 and num_gt:
            polygons = None
    gt_points = to_numpy(get_field(gt, 'points'), np.float64)
    if gt_coord_frame == 'resized':
        scale = get_field(data_sample, 'scale_factor')
        if scale is None:
            raise KeyError(f"{where}: gt_coord_frame='resized' needs "
                           f'scale_factor in the metainfo')
        sx, sy = float(scale[0]), float(scale[1])
        if polygons is not None:
            polygons = [p / np.tile([sx, sy], len(p) // 2) for p in polygons]
        if gt_points is not None:
            gt_points = gt_points.reshape(-1, 2) / np.array([sx, sy])
    elif gt_coord_frame != 'original':
        raise ValueError("gt_coord_frame must be 'original' or 'resized', "
                         f'got {gt_coord_frame!r}')
    return polygons, gt_points


def _gt_ignored(gt: Any, gt_texts: List[str], where: str,
                word_spotting: bool) -> np.ndarray:
    """Don't-care flags ``(G,)``: the ``ignored`` field, don't-care texts
    and, with ``word_spotting``, words the Total-Text filter rejects
    (``gt_texts`` is normalised in place by that filter)."""
    num_gt = len(gt_texts)
    ignored = to_numpy(get_field(gt, 'ignored'), bool)
    ignored = np.zeros(num_gt, bool) if ignored is None else \
        ignored.reshape(-1).astype(bool)
    if len(ignored) != num_gt:
        raise ValueError(f'{where}: gt_instances.ignored has {len(ignored)} '
                         f'entries for {num_gt} texts')
    ignored = ignored | np.array([is_dont_care_text(t) for t in gt_texts],
                                 dtype=bool).reshape(-1)
    if word_spotting:
        for j, t in enumerate(gt_texts):
            norm = word_spotting_filter(t)
            if norm is None:
                ignored[j] = True
            else:
                gt_texts[j] = norm
    return ignored


def extract_sample(data_sample: Any,
                   word_spotting: bool = False,
                   gt_coord_frame: str = 'original',
                   need_locations: bool = True) -> Dict:
    """Read one data sample into a plain, picklable record.

    Args:
        data_sample (Any): A ``TextSpottingDataSample`` or its
            ``to_dict()``.
        word_spotting (bool): Apply the Total-Text word-spotting filter to
            the GT. Defaults to False.
        gt_coord_frame (str): ``'original'`` if GT polygons/points are in
            original image coordinates (mmocr test pipelines load
            annotations after ``Resize``), ``'resized'`` to divide them by
            the sample's ``scale_factor`` first. Predictions are always in
            original coordinates. Defaults to ``'original'``.
        need_locations (bool): If False (location-free metrics),
            predictions and GT may come without points/polygons; missing
            locations are NaN. Defaults to True.

    Returns:
        dict: ``img_path``, ``pred_points`` (P, 2), ``pred_texts``,
        ``pred_scores`` (P,), ``gt_centers`` (G, 2), ``gt_texts``,
        ``gt_ignored`` (G,), ``gt_polygons`` (list of flat arrays or None).
    """
    img_path, where = _sample_name(data_sample)
    points, texts, scores = _read_predictions(data_sample, where,
                                              need_locations)
    gt = get_field(data_sample, 'gt_instances')
    if gt is None:
        raise KeyError(f'{where}: no gt_instances')
    gt_texts = _texts(get_field(gt, 'texts'), 'gt_instances.texts', where)
    num_gt = len(gt_texts)
    polygons, gt_points = _read_gt_locations(data_sample, gt, num_gt, where,
                                             gt_coord_frame)
    if need_locations or polygons is not None or (
            gt_points is not None and np.isfinite(gt_points).all()):
        centers = gt_centers(polygons, gt_points, num_gt, where)
    else:
        centers = np.full((num_gt, 2), np.nan)
    ignored = _gt_ignored(gt, gt_texts, where, word_spotting)
    return dict(img_path=img_path,
                pred_points=points,
                pred_texts=texts,
                pred_scores=scores,
                gt_centers=centers,
                gt_texts=gt_texts,
                gt_ignored=ignored,
                gt_polygons=polygons)


class BaseSpottingMetric(BaseMetric):
    """Base of the spotting metrics: lexicons x confidence sweep.

    For every lexicon setting and every threshold of the sweep the
    subclass's :meth:`match_image` counts are summed over the dataset and
    turned into precision / recall / hmean. Output keys, for a setting named
    ``L`` (the lexicon type unless ``name`` is given):

    * ``L_precision``, ``L_recall``, ``L_hmean``: the best hmean over the
      sweep ON THE TEST SET (what papers report), at ``L_best_thr_on_test``;
    * ``L_fixed_precision``, ``L_fixed_recall``, ``L_fixed_hmean`` at
      ``L_fixed_thr`` when ``fixed_thr`` is given: a threshold chosen
      beforehand on a validation split (see
      :func:`~mmocr_vlp.evaluation.functional.select_threshold_on_val`);
    * with ``report_sweep=True`` also ``L_hmean@0.85``-style keys.

    The whole sweep is kept in ``self.last_sweeps[L]`` (list of dicts).

    Args:
        lexicons: lexicon settings, each a dict with ``lexicon_type``
            (``None``/``'none'``, ``'strong'``, ``'weak'``, ``'generic'``,
            ``'full'``), ``path``, ``pair_path`` (optional),
            ``always_replace`` (default False; True for ICDAR Generic),
            optional ``name``, ``filename_tmpl``, ``pair_filename_tmpl``
            (strong). Defaults to one setting without lexicon.
        pred_score_thrs: the sweep: ``dict(start, stop, step)`` (mmocr
            style), a list or a number; ``None`` = SPTS's 0.80..0.94.
        fixed_thr: validation-chosen threshold reported as ``fixed``.
        lexicon_thr: lexicon acceptance threshold on the normalised edit
            distance (0.4).
        word_spotting_filter: Total-Text word-spotting GT filter.
        best_thr_prefer: tie rule of the sweep, ``'highest'`` (SPTS) or
            ``'lowest'`` (mmocr ``HmeanIOUMetric``).
        report_sweep: also return per-threshold hmeans.
        gt_coord_frame: see :func:`extract_sample`.
        collect_device: see :class:`mmengine.evaluator.BaseMetric`.
        prefix: metric key prefix.
    """
    default_prefix: Optional[str] = 'spotting'

    def __init__(self,
                 lexicons: Optional[Sequence[Dict]] = None,
                 pred_score_thrs: ThrSpec = None,
                 fixed_thr: Optional[float] = None,
                 lexicon_thr: float = LEXICON_THR,
                 word_spotting_filter: bool = False,
                 best_thr_prefer: str = 'highest',
                 report_sweep: bool = False,
                 gt_coord_frame: str = 'original',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.pred_score_thrs = build_thresholds(pred_score_thrs)
        self.fixed_thr = None if fixed_thr is None else float(fixed_thr)
        self.lexicon_thr = float(lexicon_thr)
        self.word_spotting_filter = bool(word_spotting_filter)
        if best_thr_prefer not in ('highest', 'lowest'):
            raise ValueError("best_thr_prefer must be 'highest' or 'lowest'")
        self.best_thr_prefer = best_thr_prefer
        self.report_sweep = report_sweep
        if gt_coord_frame not in ('original', 'resized'):
            raise ValueError("gt_coord_frame must be 'original' or 'resized'")
        self.gt_coord_frame = gt_coord_frame
        self.lexicon_settings = self._build_lexicons(lexicons)
        self.last_sweeps: Dict[str, List[Dict]] = {}

    @staticmethod
    def _build_lexicons(lexicons: Optional[Sequence[Dict]]) -> List[Dict]:
        if lexicons is None:
            lexicons = [dict(lexicon_type=None)]
        if isinstance(lexicons, dict):
            lexicons = [lexicons]
        settings, names = [], set()
        for cfg in lexicons:
            cfg = dict(cfg)
            unknown = set(cfg) - {
                'lexicon_type', 'path', 'pair_path', 'always_replace', 'name',
                'filename_tmpl', 'pair_filename_tmpl'
            }
            if unknown:
                raise KeyError(f'unknown lexicon setting keys {unknown}')
            always = bool(cfg.pop('always_replace', False))
            name = cfg.pop('name', None)
            source = LexiconSource(**cfg)
            name = name or source.lexicon_type
            if name in names:
                raise ValueError(f'two lexicon settings named {name!r}; give '
                                 f'one a `name`')
            names.add(name)
            settings.append(
                dict(name=name, source=source, always_replace=always))
        return settings

    # ------------------------------------------------------------------ api
    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Store one plain record per data sample (see
        :func:`extract_sample`)."""
        for data_sample in data_samples:
            self.results.append(
                extract_sample(data_sample, self.word_spotting_filter,
                               self.gt_coord_frame, self.needs_locations))

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        logger: MMLogger = MMLogger.get_current_instance()
        out: Dict[str, float] = {}
        self.last_sweeps = {}
        thrs = list(self.pred_score_thrs)
        eval_thrs = thrs + ([self.fixed_thr]
                            if self.fixed_thr is not None else [])
        self._warn_if_below_sweep(results, min(eval_thrs), logger)
        for setting in self.lexicon_settings:
            name = setting['name']
            counts = [dict() for _ in eval_thrs]
            for rec in results:
                points, texts, scores = self._apply_lexicon(rec, setting)
                for k, thr in enumerate(eval_thrs):
                    keep = scores >= thr - SCORE_EPS
                    res = self.match_image(
                        rec, points[keep],
                        [t for t, m in zip(texts, keep) if m], scores[keep])
                    for key, v in res.items():
                        counts[k][key] = counts[k].get(key, 0) + v
            summaries = []
            for thr, cnt in zip(eval_thrs, counts):
                summary = dict(thr=thr, **cnt, **self.summarize(cnt))
                summaries.append(summary)
            sweep = summaries[:len(thrs)]
            self.last_sweeps[name] = sweep
            for s in sweep:
                logger.info(f'[{self.__class__.__name__}] lexicon {name}, '
                            f'score thr {fmt_thr(s["thr"])}: ' +
                            ', '.join(f'{k}: {s[k]:.4f}'
                                      for k in self.summary_keys))
            best = sweep[best_index([s['hmean'] for s in sweep],
                                    self.best_thr_prefer)]
            for key in self.summary_keys:
                out[f'{name}_{key}'] = best[key]
            out[f'{name}_best_thr_on_test'] = best['thr']
            if self.fixed_thr is not None:
                fixed = summaries[-1]
                for key in self.summary_keys:
                    out[f'{name}_fixed_{key}'] = fixed[key]
                out[f'{name}_fixed_thr'] = self.fixed_thr
            if self.report_sweep:
                for s in sweep:
                    out[f'{name}_hmean@{fmt_thr(s["thr"])}'] = s['hmean']
            msg = (f'[{self.__class__.__name__}] lexicon {name}: best over '
                   f'the test sweep (thr {fmt_thr(best["thr"])}) hmean '
                   f'{best["hmean"]:.4f}')
            if self.fixed_thr is not None:
                msg += (f'; fixed validation-chosen thr '
                        f'{fmt_thr(self.fixed_thr)} hmean '
                        f'{summaries[-1]["hmean"]:.4f}')
            logger.info(msg)
        return out

    # ------------------------------------------------------------ subclass
    #: whether predictions and GT must carry locations
    needs_locations = True

    #: keys of :meth:`summarize` copied into the output
    summary_keys = ('precision', 'recall', 'hmean')

    def match_image(self, record: Dict, points: np.ndarray, texts: List[str],
                    scores: np.ndarray) -> Dict[str, float]:
        """Counts of one image for the given (kept) predictions."""
        raise NotImplementedError

    def summarize(self, counts: Dict[str, float]) -> Dict[str, float]:
        """Metric values from the dataset-level sums of the counts."""
        raise NotImplementedError

    # -------------------------------------------------------------- helpers
    def _warn_if_below_sweep(self, results: List[Dict], lowest: float,
                             logger: MMLogger) -> None:
        """Say so when every non-empty prediction scores below the lowest
        threshold: the metric is then 0 whatever the texts are (e.g. a
        briefly trained model under SPTS's 0.80..0.94 sweep)."""
        scores = [
            float(s) for rec in results
            for s, t in zip(rec['pred_scores'], rec['pred_texts']) if t
        ]
        if scores and max(scores) < lowest - SCORE_EPS:
            logger.warning(
                f'[{self.__class__.__name__}] all {len(scores)} non-empty '
                f'predictions score below the lowest threshold '
                f'{fmt_thr(lowest)} (max score {max(scores):.3f}), so every '
                f'result is 0; widen `pred_score_thrs` (e.g. '
                f'dict(start=0.05, stop=0.95, step=0.05)) to see them.')

    def _apply_lexicon(self, rec: Dict, setting: Dict):
        """Lexicon-corrected predictions of one record.

        Empty predictions are dropped first; with a lexicon, a prediction
        whose closest lexicon word is too far is dropped too.
        """
        points, texts, scores = (rec['pred_points'], rec['pred_texts'],
                                 rec['pred_scores'])
        keep = [i for i, t in enumerate(texts) if len(t) > 0]
        lexicon = setting['source'].get(rec['img_path'])
        new_texts = []
        if lexicon is None:
            new_texts = [texts[i] for i in keep]
        else:
            kept = []
            for i in keep:
                word = lexicon.correct(texts[i], self.lexicon_thr,
                                       setting['always_replace'])
                if word is not None:
                    kept.append(i)
                    new_texts.append(word)
            keep = kept
        keep = np.asarray(keep, dtype=np.int64)
        return (points.reshape(-1,
                               2)[keep], new_texts, scores.reshape(-1)[keep])
