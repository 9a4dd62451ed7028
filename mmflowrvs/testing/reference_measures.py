"""J and F of one frame, the straightforward way: docs/metrics.md written out.

Independent of ``mmflowrvs.evaluation.functional`` (numpy sums for J; boundary
maps of the full frame, skimage's ``disk`` and ``cv2.dilate`` for F, frame by
frame, as the official davis2017-evaluation code computes them). The tests
check the engine against it and ``benchmark_metrics.py`` times the engine
against it, so it makes no copies the official code does not make.
"""
import math
from typing import Optional

import cv2
import numpy as np
from skimage.morphology import disk


def _keep(mask: np.ndarray, void: Optional[np.ndarray]) -> np.ndarray:
    mask = np.asarray(mask, dtype=bool)
    return mask if void is None else mask & ~np.asarray(void, dtype=bool)


def ref_iou(gt: np.ndarray, pred: np.ndarray, void: Optional[np.ndarray] = None) -> float:
    """J of one (H, W) frame; 1 when both masks are empty (outside ``void``)."""
    gt, pred = _keep(gt, void), _keep(pred, void)
    union = np.sum(gt | pred)
    return 1.0 if union == 0 else np.sum(gt & pred) / union


def ref_bmap(mask: np.ndarray) -> np.ndarray:
    """(H, W) bool boundary map: a pixel differs from its east, south or south-east
    neighbour; the last row and column compare along the border only."""
    m = np.asarray(mask, dtype=bool)
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


def ref_f(gt: np.ndarray, pred: np.ndarray, void: Optional[np.ndarray] = None,
          bound_th: float = 0.008) -> float:
    """F of one (H, W) frame; ``bound_th`` < 1 is a fraction of the diagonal."""
    h, w = gt.shape
    r = bound_th if bound_th >= 1 else math.ceil(bound_th * math.sqrt(h * h + w * w))
    b_pred = ref_bmap(_keep(pred, void))
    b_gt = ref_bmap(_keep(gt, void))
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
