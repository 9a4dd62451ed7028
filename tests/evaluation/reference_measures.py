"""A straightforward, frame-by-frame implementation of metrics.md, for the tests.

Written directly from the text of ``shared/spec/metrics.md`` (skimage ``disk``,
``cv2.dilate`` per frame), independent of ``mmflowrvs.evaluation.functional``.
"""
import math

import cv2
import numpy as np
from skimage.morphology import disk


def ref_iou(gt: np.ndarray, pred: np.ndarray, void=None) -> float:
    """J of one (H, W) frame."""
    gt, pred = gt.astype(bool), pred.astype(bool)
    keep = np.ones_like(gt) if void is None else ~void.astype(bool)
    inter = np.sum(gt & pred & keep)
    union = np.sum((gt | pred) & keep)
    return 1.0 if union == 0 else inter / union


def ref_bmap(m: np.ndarray) -> np.ndarray:
    """Boundary map as described in metrics.md."""
    m = m.astype(bool)
    h, w = m.shape
    e = np.zeros_like(m)
    s = np.zeros_like(m)
    se = np.zeros_like(m)
    e[:, :-1] = m[:, 1:]
    s[:-1, :] = m[1:, :]
    se[:-1, :-1] = m[1:, 1:]
    b = (m ^ e) | (m ^ s) | (m ^ se)
    b[-1, :] = m[-1, :] ^ e[-1, :]
    b[:, -1] = m[:, -1] ^ s[:, -1]
    b[-1, -1] = 0
    return b


def ref_f(gt: np.ndarray, pred: np.ndarray, void=None, bound_th: float = 0.008) -> float:
    """F of one (H, W) frame."""
    h, w = gt.shape
    r = bound_th if bound_th >= 1 else math.ceil(bound_th * math.sqrt(h * h + w * w))
    keep = np.ones((h, w), bool) if void is None else ~void.astype(bool)
    b_pred = ref_bmap(pred.astype(bool) & keep)
    b_gt = ref_bmap(gt.astype(bool) & keep)
    kernel = disk(r).astype(np.uint8)
    pred_dil = cv2.dilate(b_pred.astype(np.uint8), kernel)
    gt_dil = cv2.dilate(b_gt.astype(np.uint8), kernel)
    n_pred, n_gt = b_pred.sum(), b_gt.sum()
    if n_pred == 0 and n_gt > 0:
        p, rc = 1.0, 0.0
    elif n_pred > 0 and n_gt == 0:
        p, rc = 0.0, 1.0
    elif n_pred == 0 and n_gt == 0:
        p, rc = 1.0, 1.0
    else:
        p = np.sum(b_pred * gt_dil) / float(n_pred)
        rc = np.sum(b_gt * pred_dil) / float(n_gt)
    return 0.0 if p + rc == 0 else 2 * p * rc / (p + rc)
