"""Ref-DAVIS17 scoring: the davis2017 unsupervised protocol on id maps.

The one GT reader (:func:`load_davis_gt`), video scorer
(:func:`score_ref_davis_video`) and summary (:func:`summarize_ref_davis`) of this
protocol, used by :class:`RefDAVISMetric` and ``tools/eval_predictions.py``
(docs/metrics.md). GT: ``<davis_root>/Annotations_unsupervised/480p/<video>/
<frame>.png`` (palette PNGs of object ids, 255 = void).
"""
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import numpy as np

from .functional import db_statistics, evaluate_unsupervised, split_ids
from .prediction_io import read_id_png

__all__ = ['davis_gt_frames', 'load_davis_gt', 'score_davis_video', 'summarize_davis',
           'davis_val_videos', 'score_ref_davis_video', 'summarize_ref_davis']

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


def score_ref_davis_video(video: str, gt_frames: Sequence[str], gt_ids: np.ndarray,
                          pred_frames: Sequence[str], pred_ids: np.ndarray
                          ) -> Tuple[List[Tuple[np.ndarray, np.ndarray]], List[str]]:
    """Scores one annotator's id maps of one video against its GT.

    GT frames without a predicted frame count as empty predictions.

    Args:
        video (str): Video id (for messages).
        gt_frames (Sequence[str]): GT frame stems, in order.
        gt_ids (np.ndarray): (T, H, W) GT ids, 255 = void.
        pred_frames (Sequence[str]): Stems of the predicted frames.
        pred_ids (np.ndarray): (T', H, W) predicted ids of ``pred_frames``.

    Returns:
        tuple: per GT object, its (J series (T,), F series (T,)); and the GT frames
        that had no prediction.

    Raises:
        ValueError: The predicted frames are not the GT's size.
    """
    if len(pred_frames) and tuple(pred_ids.shape[1:]) != tuple(gt_ids.shape[1:]):
        raise ValueError(f'{video}: predictions {tuple(pred_ids.shape[1:])} vs GT '
                         f'{tuple(gt_ids.shape[1:])}')
    index = {f: i for i, f in enumerate(pred_frames)}
    aligned = np.zeros(gt_ids.shape, np.int64)
    missing = []
    for t, frame in enumerate(gt_frames):
        if frame in index:
            aligned[t] = pred_ids[index[frame]]
        else:
            missing.append(frame)
    j, f = score_davis_video(gt_ids, aligned)
    return list(zip(j, f)), missing


def summarize_ref_davis(per_annotator: Dict[int, Sequence[Tuple[np.ndarray, np.ndarray]]]
                        ) -> Dict[str, float]:
    """The reported numbers: each annotator's summary and their means (x100).

    Args:
        per_annotator (dict): annotator -> (J series, F series) per (video, object).

    Returns:
        dict: ``anno_<a>/<key>`` for every annotator with pairs and key of
        :func:`summarize_davis`, the mean of each key over those annotators
        (``J&F``, ``J-Mean``, ...) and ``J`` / ``F`` (= ``J-Mean`` / ``F-Mean``);
        empty when no annotator has a pair.
    """
    summaries = {a: summarize_davis(pairs) for a, pairs in sorted(per_annotator.items())
                 if len(pairs)}
    if not summaries:
        return {}
    metrics = {}
    for anno, summary in summaries.items():
        metrics.update({f'anno_{anno}/{k}': v for k, v in summary.items()})
    for key in next(iter(summaries.values())):
        metrics[key] = float(np.mean([s[key] for s in summaries.values()]))
    metrics['J'] = metrics['J-Mean']
    metrics['F'] = metrics['F-Mean']
    return metrics


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
