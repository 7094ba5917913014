# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Per-image matching rules of the spotting / pseudo-label protocols."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmocr.evaluation.functional import compute_hmean
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from scipy.optimize import linear_sum_assignment

from mmocr_vlp.datasets.schema import IGNORE_TEXT
from .text import fold_case, texts_equal


def compute_prf(tp: int, num_pred: int, num_gt: int) -> Dict[str, float]:
    """Precision / recall / hmean with mmocr's conventions.

    ``P = tp / num_pred``, ``R = tp / num_gt``, ``F = 2PR / (P + R)``; this
    calls :func:`mmocr.evaluation.functional.compute_hmean` (the function
    behind ``HmeanIOUMetric``), so zero divisions follow mmocr: no GT gives
    ``R = 1`` (and ``P = 1`` only if there is no prediction either), no
    prediction gives ``P = 0``, ``P + R = 0`` gives ``F = 0``. The SPTS script
    returns zeros whenever ``tp == 0``, which only differs on an empty GT set.
    """
    recall, precision, hmean = compute_hmean(int(tp), int(tp), int(num_gt),
                                             int(num_pred))
    return dict(precision=precision, recall=recall, hmean=hmean)


def score_order(scores: np.ndarray) -> np.ndarray:
    """Indices by descending score; equal scores keep their input order."""
    return np.argsort(-np.asarray(scores, dtype=np.float64), kind='stable')


def match_points_to_centers(pred_points: np.ndarray, pred_texts: Sequence[str],
                            pred_scores: np.ndarray, gt_centers: np.ndarray,
                            gt_texts: Sequence[str],
                            gt_ignored: np.ndarray) -> Dict:
    """Nearest-centre matching of the SPTS single-point metric (one image).

    Rules (SPTS ``evaluation/eval.py``; WeCromCL Sec. 4 "Evaluation
    Protocol"):

    * predictions with an empty text are dropped;
    * predictions are visited by descending score (stable), so of two
      predictions on one GT the higher-scored one is tried first;
    * each prediction goes to the GT with the nearest centre (Euclidean, no
      distance cap; on equal distances the first GT in annotation order);
    * if that GT is don't care the prediction is not counted at all;
    * otherwise the prediction is counted, and it is a true positive if its
      text equals the GT text case-insensitively and the GT is not matched
      yet (a second prediction on a matched GT is a false positive, even if
      it has the right text);
    * an image without GT makes every prediction a false positive.

    Args:
        pred_points: ``(P, 2)`` predicted points.
        pred_texts: ``P`` predicted transcriptions.
        pred_scores: ``(P,)`` confidences.
        gt_centers: ``(G, 2)`` GT centres.
        gt_texts: ``G`` GT transcriptions.
        gt_ignored: ``(G,)`` don't-care flags.

    Returns:
        dict with ``tp``, ``num_pred`` (counted predictions), ``num_gt``
        (care GT), ``pred_gt`` (``(P,)`` index of the nearest GT, -1 if none
        or dropped), ``pred_tp`` (``(P,)`` bool) and ``pred_counted``
        (``(P,)`` bool).
    """
    pred_points = np.asarray(pred_points, dtype=np.float64).reshape(-1, 2)
    gt_centers = np.asarray(gt_centers, dtype=np.float64).reshape(-1, 2)
    gt_ignored = np.asarray(gt_ignored, dtype=bool).reshape(-1)
    num_p, num_g = len(pred_points), len(gt_centers)
    if len(pred_texts) != num_p or len(pred_scores) != num_p:
        raise ValueError('pred points/texts/scores lengths differ: '
                         f'{num_p}/{len(pred_texts)}/{len(pred_scores)}')
    if len(gt_texts) != num_g or len(gt_ignored) != num_g:
        raise ValueError('gt centres/texts/ignored lengths differ: '
                         f'{num_g}/{len(gt_texts)}/{len(gt_ignored)}')
    pred_gt = np.full(num_p, -1, dtype=np.int64)
    pred_tp = np.zeros(num_p, dtype=bool)
    counted = np.zeros(num_p, dtype=bool)
    matched = np.zeros(num_g, dtype=bool)
    if num_g:
        dists = np.linalg.norm(pred_points[:, None, :] -
                               gt_centers[None, :, :],
                               axis=-1)
    for i in score_order(pred_scores):
        if len(pred_texts[i]) == 0:
            continue
        if num_g == 0:
            counted[i] = True
            continue
        j = int(np.argmin(dists[i]))
        pred_gt[i] = j
        if gt_ignored[j]:
            continue
        counted[i] = True
        if not matched[j] and texts_equal(pred_texts[i], gt_texts[j]):
            matched[j] = True
            pred_tp[i] = True
    return dict(tp=int(pred_tp.sum()),
                num_pred=int(counted.sum()),
                num_gt=int((~gt_ignored).sum()),
                pred_gt=pred_gt,
                pred_tp=pred_tp,
                pred_counted=counted)


def normalized_edit_distance_matrix(a: Sequence[str],
                                    b: Sequence[str]) -> np.ndarray:
    """``(len(a), len(b))`` case-insensitive ``ED / max(len)`` matrix."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), dtype=np.float64)
    return process.cdist([fold_case(t) for t in a], [fold_case(t) for t in b],
                         scorer=Levenshtein.normalized_distance,
                         dtype=np.float64,
                         workers=1)


def match_texts_by_edit_distance(pred_texts: Sequence[str],
                                 gt_texts: Sequence[str],
                                 gt_ignored: np.ndarray,
                                 prefer_exact: bool = True) -> Dict:
    """Location-free matching of the edit-distance metric (one image).

    Protocol (SPTS paper, NPTS experiments; restated in WeCromCL Sec. 4
    "Evaluation Protocol": "matching is conducted solely based on the edit
    distance between predicted and groundtruth transcriptions"):

    1. drop predictions with an empty text;
    2. build the cost matrix of case-insensitive normalised edit distances
       ``ED / max(len)`` between predictions and *care* GT texts and solve
       the assignment with the Hungarian algorithm
       (:func:`scipy.optimize.linear_sum_assignment`); with
       ``prefer_exact`` exact pairs get a bonus larger than any possible sum
       of distances, so the assignment first maximises the number of exact
       pairs and then minimises the total distance (without it, solver
       tie-breaks could pair an exact prediction with the wrong GT);
    3. a true positive is an assigned pair whose texts are equal
       case-insensitively;
    4. an unassigned prediction whose text equals (case-insensitively) the
       text of a don't-care GT that has a transcription (e.g. a Total-Text
       word removed by the word-spotting filter) is not counted, each such
       GT absorbing at most one prediction; ``"###"`` GT cannot absorb.

    Returns:
        dict with ``tp``, ``num_pred`` (counted predictions), ``num_gt``
        (care GT), ``ned_sum`` (sum of the NED of assigned pairs, plus 1 for
        each counted unassigned prediction and each unassigned care GT),
        ``ned_count`` (number of terms in ``ned_sum``), ``pairs`` (list of
        ``(pred_idx, gt_idx)``; indices into the inputs).
    """
    gt_ignored = np.asarray(gt_ignored, dtype=bool).reshape(-1)
    if len(gt_texts) != len(gt_ignored):
        raise ValueError('gt texts/ignored lengths differ: '
                         f'{len(gt_texts)}/{len(gt_ignored)}')
    pred_idx = [i for i, t in enumerate(pred_texts) if len(t) > 0]
    care_idx = [j for j in range(len(gt_texts)) if not gt_ignored[j]]
    cost = normalized_edit_distance_matrix([pred_texts[i] for i in pred_idx],
                                           [gt_texts[j] for j in care_idx])
    exact = np.zeros(cost.shape, dtype=bool)
    for r, i in enumerate(pred_idx):
        for c, j in enumerate(care_idx):
            exact[r, c] = texts_equal(pred_texts[i], gt_texts[j])
    rows: np.ndarray = np.zeros(0, dtype=np.int64)
    cols: np.ndarray = np.zeros(0, dtype=np.int64)
    if cost.size:
        solve = cost.copy()
        if prefer_exact:
            solve[exact] -= min(cost.shape) + 1.0
        rows, cols = linear_sum_assignment(solve)
    tp = int(exact[rows, cols].sum())
    assigned = set(int(r) for r in rows)
    # unassigned predictions may be absorbed by named don't-care GT
    absorbers: List[Optional[str]] = [
        fold_case(gt_texts[j]) for j in range(len(gt_texts))
        if gt_ignored[j] and gt_texts[j] not in ('', IGNORE_TEXT)
    ]
    num_absorbed = 0
    for r, i in enumerate(pred_idx):
        if r in assigned:
            continue
        key = fold_case(pred_texts[i])
        if key in absorbers:
            absorbers[absorbers.index(key)] = None
            num_absorbed += 1
    num_pred = len(pred_idx) - num_absorbed
    num_gt = len(care_idx)
    num_pairs = len(rows)
    ned_sum = float(cost[rows, cols].sum()) + (num_pred - num_pairs) + \
        (num_gt - num_pairs)
    return dict(tp=tp,
                num_pred=num_pred,
                num_gt=num_gt,
                ned_sum=ned_sum,
                ned_count=num_pred + num_gt - num_pairs,
                pairs=[(pred_idx[r], care_idx[c]) for r, c in zip(rows, cols)])
