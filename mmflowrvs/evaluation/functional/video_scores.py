"""Per-expression and per-video scores built on J and F.

* :func:`expression_jf` - MeViS-style per-expression j, f (means over all frames).
* :func:`db_statistics` - DAVIS Mean / Recall / Decay of a per-frame series.
* :func:`evaluate_unsupervised` - the davis2017 "unsupervised" protocol for
  one video: proposals x GT objects J/F matrices, Hungarian matching on
  -(mean J + mean F) / 2, the matched per-frame series per GT object.
* :func:`split_ids` - an id map (T, H, W) to per-object masks (N, T, H, W).
"""
import warnings
from typing import Optional, Tuple

import numpy as np
from scipy.optimize import linear_sum_assignment

from .davis_measures import db_eval_jf

__all__ = ['expression_jf', 'db_statistics', 'evaluate_unsupervised', 'split_ids']


def expression_jf(gt_masks: np.ndarray, pred_masks: np.ndarray) -> Tuple[float, float]:
    """j and f of one expression: means over ALL frames (no void, no exclusion).

    Args:
        gt_masks (np.ndarray): (T, H, W) target masks; nonzero = object.
        pred_masks (np.ndarray): (T, H, W) predicted masks.

    Returns:
        tuple[float, float]: (j, f) in [0, 1].
    """
    j, f = db_eval_jf(gt_masks, pred_masks)
    return float(np.mean(j)), float(np.mean(f))


def db_statistics(per_frame_values: np.ndarray) -> Tuple[float, float, float]:
    """DAVIS Mean, Recall (fraction > 0.5) and Decay of a per-frame series.

    Decay splits the frames into 4 bins exactly as davis2017-evaluation does
    (``round(linspace(1, n, 5) + 1e-10) - 1`` bin edges, edges included in
    both neighbours) and is mean(first bin) - mean(last bin). The official
    code casts the edges to uint8, which only matters beyond 256 frames; we
    keep exact integers.

    Args:
        per_frame_values (np.ndarray): (T,) values, NaN allowed.

    Returns:
        tuple[float, float, float]: (mean, recall, decay).
    """
    values = np.asarray(per_frame_values, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', category=RuntimeWarning)
        mean = np.nanmean(values)
        recall = np.nanmean(values > 0.5)
        ids = (np.round(np.linspace(1, len(values), 5) + 1e-10) - 1).astype(np.int64)
        bins = [values[ids[i]:ids[i + 1] + 1] for i in range(4)]
        decay = np.nanmean(bins[0]) - np.nanmean(bins[3])
    return float(mean), float(recall), float(decay)


def split_ids(id_map: np.ndarray, num_objects: Optional[int] = None) -> np.ndarray:
    """Splits an id map into per-object masks for ids 1..N.

    Args:
        id_map (np.ndarray): (T, H, W) integer ids (0 = background).
        num_objects (int, optional): N; defaults to the largest id present.

    Returns:
        np.ndarray: (N, T, H, W) bool masks, mask k for id k + 1.
    """
    id_map = np.asarray(id_map)
    if num_objects is None:
        num_objects = int(id_map.max()) if id_map.size else 0
    return np.stack([id_map == k for k in range(1, num_objects + 1)]) if num_objects \
        else np.zeros((0, ) + id_map.shape, bool)


def evaluate_unsupervised(gt_masks: np.ndarray, pred_masks: np.ndarray,
                          void_pixels: Optional[np.ndarray] = None
                          ) -> Tuple[np.ndarray, np.ndarray]:
    """The davis2017 unsupervised protocol on one video.

    Proposals are padded with empty masks up to the number of GT objects;
    extra proposals are not penalised (unmatched); a GT object without a
    proposal is matched to an empty one (J = F = 0 where it is visible).

    Args:
        gt_masks (np.ndarray): (N_gt, T, H, W) GT object masks.
        pred_masks (np.ndarray): (N_pred, T, H, W) proposal masks.
        void_pixels (np.ndarray, optional): (T, H, W) pixels excluded.

    Returns:
        tuple[np.ndarray, np.ndarray]: J and F per GT object and frame,
        each (N_gt, T), in GT object order.
    """
    n_gt, num_frames = gt_masks.shape[:2]
    if pred_masks.shape[0] < n_gt:
        pad = np.zeros((n_gt - pred_masks.shape[0], ) + gt_masks.shape[1:], bool)
        pred_masks = np.concatenate([np.asarray(pred_masks, bool), pad], axis=0)
    n_pred = pred_masks.shape[0]
    j_res = np.zeros((n_pred, n_gt, num_frames))
    f_res = np.zeros((n_pred, n_gt, num_frames))
    for ii in range(n_gt):
        for jj in range(n_pred):
            j_res[jj, ii], f_res[jj, ii] = db_eval_jf(gt_masks[ii], pred_masks[jj], void_pixels)
    scores = (j_res.mean(axis=2) + f_res.mean(axis=2)) / 2   # (N_pred, N_gt)
    row_ind, col_ind = linear_sum_assignment(-scores)
    order = np.argsort(col_ind)            # GT objects in order
    return j_res[row_ind[order], col_ind[order]], f_res[row_ind[order], col_ind[order]]
