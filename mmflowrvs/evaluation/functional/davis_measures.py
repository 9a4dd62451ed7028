"""Region similarity J and boundary accuracy F with the DAVIS-2017 semantics.

The numbers are those of ``davis2017-evaluation``'s ``db_eval_iou`` and
``db_eval_boundary`` (see ``shared/spec/metrics.md``) to floating-point
precision; only the way they are computed differs:

* whole videos (T, H, W) are handled at once, never pixel by pixel in Python;
* each frame's boundary maps are computed on the bounding box of both masks
  (plus a one-pixel margin), which gives the same maps as on the full frame;
* the disk dilation is an exact union of a few rectangles (separable, so its
  cost per pixel is O(r), not O(r^2)), applied to the bounding box of the
  boundary pixels only: the dilation of a set is only needed at the boundary
  pixels of the other mask, and both sets lie in that box.
"""
import math
from functools import lru_cache
from typing import List, Optional, Tuple

import cv2
import numpy as np

__all__ = ['db_eval_iou', 'db_eval_boundary', 'seg2bmap', 'boundary_radius',
           'disk_dilate']


def _as_bool_video(array: np.ndarray, name: str) -> np.ndarray:
    """Casts a (H, W) or (T, H, W) array to a bool (T, H, W) array."""
    array = np.asarray(array)
    if array.ndim not in (2, 3):
        raise ValueError(f'{name} must be (H, W) or (T, H, W), got shape {array.shape}')
    array = array.astype(bool, copy=False)
    return array[None] if array.ndim == 2 else array


def _check_shapes(annotation: np.ndarray, segmentation: np.ndarray,
                  void_pixels: Optional[np.ndarray]) -> None:
    if np.shape(annotation) != np.shape(segmentation):
        raise ValueError(f'annotation {np.shape(annotation)} and segmentation '
                         f'{np.shape(segmentation)} must have the same shape')
    if void_pixels is not None and np.shape(void_pixels) != np.shape(annotation):
        raise ValueError(f'void_pixels {np.shape(void_pixels)} must have the shape '
                         f'of annotation {np.shape(annotation)}')


def db_eval_iou(annotation: np.ndarray, segmentation: np.ndarray,
                void_pixels: Optional[np.ndarray] = None):
    """Region similarity J (intersection over union) per frame.

    Args:
        annotation (np.ndarray): GT mask, (H, W) or (T, H, W); nonzero = object.
        segmentation (np.ndarray): predicted mask, same shape.
        void_pixels (np.ndarray, optional): pixels to ignore, same shape.

    Returns:
        np.float64 for a (H, W) input, else a float64 array (T,). J = 1 where
        the union (outside void) is empty.
    """
    _check_shapes(annotation, segmentation, void_pixels)
    single = np.ndim(annotation) == 2
    gt = _as_bool_video(annotation, 'annotation')
    pred = _as_bool_video(segmentation, 'segmentation')
    num_frames = gt.shape[0]
    inter = np.empty(num_frames, np.int64)
    union = np.empty(num_frames, np.int64)
    if void_pixels is None:
        for t in range(num_frames):  # count_nonzero per frame is the fastest count
            inter[t] = np.count_nonzero(gt[t] & pred[t])
            union[t] = np.count_nonzero(gt[t] | pred[t])
    else:
        keep = ~_as_bool_video(void_pixels, 'void_pixels')
        for t in range(num_frames):
            inter[t] = np.count_nonzero(gt[t] & pred[t] & keep[t])
            union[t] = np.count_nonzero((gt[t] | pred[t]) & keep[t])
    j = np.ones(num_frames, np.float64)
    nonempty = union > 0
    j[nonempty] = inter[nonempty] / union[nonempty]
    return j[0] if single else j


def boundary_radius(bound_th: float, height: int, width: int) -> int:
    """The dilation radius in pixels: ``ceil(bound_th * diag)`` for bound_th < 1.

    Raises:
        ValueError: for a non-integer ``bound_th >= 1`` (the official code
            would build a disk with fractional offsets).
    """
    if bound_th >= 1:
        if float(bound_th) != int(bound_th):
            raise ValueError(f'bound_th >= 1 must be an integer, got {bound_th}')
        return int(bound_th)
    return int(np.ceil(bound_th * np.linalg.norm((height, width))))


def seg2bmap(mask: np.ndarray) -> np.ndarray:
    """Boundary map of a mask, as the official ``_seg2bmap`` (no resizing).

    Args:
        mask (np.ndarray): (H, W) or (..., H, W) mask; nonzero = object.

    Returns:
        np.ndarray: bool array of the same shape, True on boundary pixels.
    """
    m = np.asarray(mask).astype(bool, copy=False)
    e = np.zeros_like(m)   # one column left
    s = np.zeros_like(m)   # one row up
    se = np.zeros_like(m)  # one row up, one column left
    e[..., :, :-1] = m[..., :, 1:]
    s[..., :-1, :] = m[..., 1:, :]
    se[..., :-1, :-1] = m[..., 1:, 1:]
    b = (m ^ e) | (m ^ s) | (m ^ se)
    b[..., -1, :] = m[..., -1, :] ^ e[..., -1, :]
    b[..., :, -1] = m[..., :, -1] ^ s[..., :, -1]
    b[..., -1, -1] = False
    return b


@lru_cache(maxsize=64)
def _disk_rectangles(radius: int) -> Tuple[np.ndarray, ...]:
    """Rectangle kernels whose union is the disk {dx^2 + dy^2 <= r^2}.

    For each half-width w = isqrt(r^2 - dy^2) keep the tallest rectangle
    (2w+1) x (2h+1) with h the largest |dy| of that width.
    """
    tallest = {}
    for dy in range(radius + 1):
        tallest[math.isqrt(radius * radius - dy * dy)] = dy
    return tuple(np.ones((2 * h + 1, 2 * w + 1), np.uint8) for w, h in sorted(tallest.items()))


def disk_dilate(bmap: np.ndarray, radius: int) -> np.ndarray:
    """Dilates a (H, W) map by the disk of ``radius`` (skimage ``disk`` semantics).

    Same result as ``cv2.dilate(bmap, disk(radius))`` (constant border: nothing
    comes from outside the image), as a union of separable rectangle dilations.

    Returns:
        np.ndarray: (H, W) uint8 map with values 0/1.
    """
    src = np.ascontiguousarray(bmap, dtype=np.uint8)
    out = None
    for kernel in _disk_rectangles(int(radius)):
        dil = cv2.dilate(src, kernel)
        out = dil if out is None else cv2.max(out, dil, dst=out)
    return out


def _bbox(rows: np.ndarray, cols: np.ndarray) -> Optional[Tuple[int, int, int, int]]:
    """First/last-plus-one True index of (H,) rows and (W,) cols, or None."""
    if not rows.any():
        return None
    y0 = int(rows.argmax())
    y1 = rows.size - int(rows[::-1].argmax())
    x0 = int(cols.argmax())
    x1 = cols.size - int(cols[::-1].argmax())
    return y0, y1, x0, x1


def _frame_f(gt: np.ndarray, pred: np.ndarray, rows: np.ndarray, cols: np.ndarray,
             radius: int) -> float:
    """F of one frame; rows/cols: (H,)/(W,) any-maps of gt | pred."""
    box = _bbox(rows, cols)
    if box is None:  # both masks empty: no boundary at all
        return 1.0
    height, width = gt.shape
    y0, y1, x0, x1 = box
    # one-pixel margin: a boundary pixel can sit just above/left of the mask,
    # and a zero row/column below/right makes the crop's maps equal the frame's
    y0, x0 = max(y0 - 1, 0), max(x0 - 1, 0)
    y1, x1 = min(y1 + 1, height), min(x1 + 1, width)
    b_gt = seg2bmap(gt[y0:y1, x0:x1])
    b_pred = seg2bmap(pred[y0:y1, x0:x1])
    n_gt = np.count_nonzero(b_gt)
    n_pred = np.count_nonzero(b_pred)
    if n_gt == 0 or n_pred == 0:
        # (P, R) = (1, 0) or (0, 1) -> F = 0; both empty -> P = R = 1 -> F = 1
        return 1.0 if n_gt == n_pred else 0.0
    # dilations are only read at the other map's boundary pixels: crop to them
    both = b_gt | b_pred
    by0, by1, bx0, bx1 = _bbox(both.any(axis=1), both.any(axis=0))
    b_gt = b_gt[by0:by1, bx0:bx1]
    b_pred = b_pred[by0:by1, bx0:bx1]
    gt_match = np.count_nonzero(b_gt & disk_dilate(b_pred, radius).view(bool))
    pred_match = np.count_nonzero(b_pred & disk_dilate(b_gt, radius).view(bool))
    precision = pred_match / float(n_pred)
    recall = gt_match / float(n_gt)
    if precision + recall == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def db_eval_boundary(annotation: np.ndarray, segmentation: np.ndarray,
                     void_pixels: Optional[np.ndarray] = None,
                     bound_th: float = 0.008):
    """Boundary accuracy F per frame (DAVIS semantics, see the module docstring).

    Args:
        annotation (np.ndarray): GT mask, (H, W) or (T, H, W); nonzero = object.
        segmentation (np.ndarray): predicted mask, same shape.
        void_pixels (np.ndarray, optional): pixels removed from both masks
            before their boundaries are taken, same shape.
        bound_th (float): boundary tolerance; a fraction of the image diagonal
            if < 1, else a radius in pixels. Defaults to 0.008.

    Returns:
        np.float64 for a (H, W) input, else a float64 array (T,).
    """
    _check_shapes(annotation, segmentation, void_pixels)
    single = np.ndim(annotation) == 2
    gt = _as_bool_video(annotation, 'annotation')
    pred = _as_bool_video(segmentation, 'segmentation')
    if void_pixels is not None:
        keep = ~_as_bool_video(void_pixels, 'void_pixels')
        gt, pred = gt & keep, pred & keep
    radius = boundary_radius(bound_th, gt.shape[1], gt.shape[2])
    union = gt | pred                   # (T, H, W)
    rows = union.any(axis=2)            # (T, H)
    cols = union.any(axis=1)            # (T, W)
    f: List[float] = [_frame_f(gt[t], pred[t], rows[t], cols[t], radius)
                      for t in range(gt.shape[0])]
    f_arr = np.asarray(f, dtype=np.float64)
    return f_arr[0] if single else f_arr
