"""Ref-DAVIS17 scoring: the davis2017 unsupervised protocol on id maps.

Shared by :class:`RefDAVISMetric` and ``tools/eval_predictions.py``.
GT: ``<davis_root>/Annotations_unsupervised/480p/<video>/<frame>.png``
(palette PNGs of object ids, 255 = void).
"""
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np

from .functional import db_statistics, evaluate_unsupervised, split_ids
from .prediction_io import read_id_png

__all__ = ['davis_gt_frames', 'load_davis_gt', 'score_davis_video', 'summarize_davis',
           'davis_val_videos']

GT_SUBDIR = osp.join('Annotations_unsupervised', '480p')


def davis_gt_frames(davis_root: str, video: str) -> List[str]:
    """Sorted frame stems of a video's GT annotations."""
    folder = osp.join(davis_root, GT_SUBDIR, video)
    if not osp.isdir(folder):
        raise FileNotFoundError(f'no DAVIS GT folder {folder}')
    return sorted(osp.splitext(n)[0] for n in os.listdir(folder) if n.endswith('.png'))


def load_davis_gt(davis_root: str, video: str) -> Tuple[List[str], np.ndarray]:
    """Reads a video's GT id maps.

    Returns:
        tuple[list[str], np.ndarray]: frame stems and (T, H, W) int64 ids
        (255 = void).
    """
    frames = davis_gt_frames(davis_root, video)
    folder = osp.join(davis_root, GT_SUBDIR, video)
    ids = np.stack([read_id_png(osp.join(folder, f'{f}.png')) for f in frames])
    return frames, ids


def davis_val_videos(davis_root: str) -> List[str]:
    """Videos of ``ImageSets/2017/val.txt``."""
    with open(osp.join(davis_root, 'ImageSets', '2017', 'val.txt')) as f:
        return [line.strip() for line in f if line.strip()]


def score_davis_video(gt_ids: np.ndarray, pred_ids: np.ndarray
                      ) -> Tuple[np.ndarray, np.ndarray]:
    """Per-object, per-frame J and F of one video and annotator.

    The number of GT objects is the largest id in the first GT frame (void
    excluded); proposals are ids 1..max over all predicted frames.

    Args:
        gt_ids (np.ndarray): (T, H, W) GT ids, 255 = void.
        pred_ids (np.ndarray): (T, H, W) predicted ids.

    Returns:
        tuple[np.ndarray, np.ndarray]: J and F, each (N_gt, T).
    """
    if gt_ids.shape != pred_ids.shape:
        raise ValueError(f'GT {gt_ids.shape} and prediction {pred_ids.shape} differ')
    void = gt_ids == 255
    gt = np.where(void, 0, gt_ids)
    n_gt = int(gt[0].max())
    gt_masks = split_ids(gt, n_gt)                     # (N_gt, T, H, W)
    pred_masks = split_ids(pred_ids)                   # (N_pred, T, H, W)
    if n_gt == 0:
        empty = np.zeros((0, gt_ids.shape[0]))
        return empty, empty
    return evaluate_unsupervised(gt_masks, pred_masks, void)


def summarize_davis(per_object: Sequence[Tuple[np.ndarray, np.ndarray]]) -> Dict[str, float]:
    """Global numbers of one annotator: objects weighted equally, x100.

    Args:
        per_object: (J series (T,), F series (T,)) per (video, object).

    Returns:
        dict: ``J&F``, ``J-Mean``, ``J-Recall``, ``J-Decay``, ``F-Mean``,
        ``F-Recall``, ``F-Decay``.
    """
    if not per_object:
        raise ValueError('no (video, object) pair to summarize')
    j_stats = np.array([db_statistics(j) for j, _ in per_object])   # (N, 3)
    f_stats = np.array([db_statistics(f) for _, f in per_object])
    j_mean, j_rec, j_dec = j_stats.mean(axis=0) * 100
    f_mean, f_rec, f_dec = f_stats.mean(axis=0) * 100
    return {'J&F': float((j_mean + f_mean) / 2), 'J-Mean': float(j_mean),
            'J-Recall': float(j_rec), 'J-Decay': float(j_dec), 'F-Mean': float(f_mean),
            'F-Recall': float(f_rec), 'F-Decay': float(f_dec)}
