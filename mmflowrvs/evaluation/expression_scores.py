"""Per-expression scores and their one summary (docs/metrics.md).

:func:`score_expression` turns one expression's GT and predicted masks into a row
(j and f over all frames, flags); :func:`summarize_expressions` turns rows into J,
F, J&F, per-video / per-category / per-annotator breakdowns and the MeViS v2
no-target accuracies. ``RVOSMetric``, ``RefDAVISMetric(protocol='per-expression')``
and the offline scorer (``tools/eval_predictions.py``) all use these two.

Rows are keyed by (video id, expression id), never by the sentence: a key seen twice
is an error, since averaging it twice would weigh that expression double.
"""
from collections import defaultdict
from typing import Dict, Optional, Sequence

import numpy as np

from .functional import expression_jf

__all__ = ['score_expression', 'summarize_expressions', 'group_scores']


def score_expression(video_id: str, exp_id: str, gt_masks: np.ndarray,
                     pred_masks: np.ndarray, no_target: bool = False,
                     category: Optional[str] = None,
                     anno_index: Optional[int] = None) -> dict:
    """One expression's row: j, f (in [0, 1]) and the flags the summary needs.

    Args:
        video_id (str): Video id.
        exp_id (str): Expression id (as in the annotation file).
        gt_masks (np.ndarray): (T, H, W) target; nonzero = object.
        pred_masks (np.ndarray): (T, H, W) prediction; nonzero = object.
        no_target (bool): The expression refers to nothing (MeViS v2).
        category (str, optional): For the per-category breakdown.
        anno_index (int, optional): Ref-DAVIS17 annotator, for the per-annotator one.

    Returns:
        dict: ``video_id, exp_id, j, f, no_target, pred_empty, category`` (and
        ``anno_index`` when given).

    Raises:
        ValueError: The two mask stacks differ in shape (names the expression).
    """
    gt = np.asarray(gt_masks).astype(bool)                  # (T, H, W)
    pred = np.asarray(pred_masks).astype(bool)              # (T, H, W)
    if pred.shape != gt.shape:
        raise ValueError(f'{video_id}/{exp_id}: pred_masks {pred.shape} and gt_masks '
                         f'{gt.shape} differ')
    j, f = expression_jf(gt, pred)
    row = dict(video_id=str(video_id), exp_id=str(exp_id), j=j, f=f,
               no_target=bool(no_target), pred_empty=not pred.any(), category=category)
    if anno_index is not None:
        row['anno_index'] = int(anno_index)
    return row


def group_scores(rows: Sequence[dict], key: str) -> Dict[str, dict]:
    """J, F, J&F (x100) and the count of rows per value of ``key`` (rows without a
    value are left out)."""
    groups = defaultdict(list)
    for r in rows:
        if r.get(key) is not None and r.get(key) != '':
            groups[str(r[key])].append(r)
    out = {}
    for name, members in groups.items():
        jm = float(np.mean([r['j'] for r in members]) * 100)
        fm = float(np.mean([r['f'] for r in members]) * 100)
        out[name] = {'J': jm, 'F': fm, 'J&F': (jm + fm) / 2, 'n': len(members)}
    return out


def _check_unique(rows: Sequence[dict]) -> None:
    seen = set()
    for r in rows:
        key = (r['video_id'], r['exp_id'])
        if key in seen:
            raise ValueError(f'expression {key[0]}/{key[1]} was scored twice: results are '
                             'keyed by (video, expression id), each must appear once')
        seen.add(key)


def summarize_expressions(rows: Sequence[dict]) -> Dict[str, dict]:
    """The summary of per-expression rows (all numbers x100).

    J = mean of j over expressions, F = mean of f, J&F = (J + F) / 2. An expression
    is *predicted as no-target* when its prediction is empty on every frame:
    N-acc = % of no-target expressions so predicted, T-acc = % of the others not so
    predicted (only when some expression has no target).

    Args:
        rows (Sequence[dict]): Rows of :func:`score_expression`.

    Returns:
        dict: ``metrics`` (J, F, J&F, and N-acc / T-acc when relevant),
        ``per_video``, ``per_category`` and ``per_annotator`` (``anno_<a>``), each
        {name: {J, F, J&F, n}}, and ``num_expressions``.

    Raises:
        ValueError: No rows, or an expression key twice.
    """
    if not rows:
        raise ValueError('no expression to summarize')
    _check_unique(rows)
    j = np.array([r['j'] for r in rows])
    f = np.array([r['f'] for r in rows])
    metrics = {'J': float(j.mean() * 100), 'F': float(f.mean() * 100)}
    metrics['J&F'] = (metrics['J'] + metrics['F']) / 2
    no_target = np.array([bool(r.get('no_target')) for r in rows])
    empty = np.array([bool(r.get('pred_empty')) for r in rows])
    if no_target.any():
        metrics['N-acc'] = float(empty[no_target].mean() * 100)
        if (~no_target).any():
            metrics['T-acc'] = float((~empty[~no_target]).mean() * 100)
    per_annotator = {f'anno_{k}': v for k, v in sorted(group_scores(rows, 'anno_index').items())}
    return {'metrics': metrics, 'per_video': group_scores(rows, 'video_id'),
            'per_category': group_scores(rows, 'category'), 'per_annotator': per_annotator,
            'num_expressions': len(rows)}

