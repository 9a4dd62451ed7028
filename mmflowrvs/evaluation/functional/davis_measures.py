"""Region similarity J and boundary accuracy F with the DAVIS-2017 semantics.

The numbers are those of ``davis2017-evaluation``'s ``db_eval_iou`` and
``db_eval_boundary`` (see ``shared/spec/metrics.md``) to floating-point
precision; only the way they are computed differs:

* whole videos (T, H, W) are handled at once, never pixel by pixel in Python;
* 8 frames share one byte per pixel (frame i in bit i), cropped to the
  masks' bounding box, so each bitwise operation serves 8 frames and every
  shift of the disk dilation (O(r) operations, not O(r^2)) is a slice;
  see :mod:`.boundary_match` for how, and why this is exact.
"""
from typing import Optional, Tuple

import numpy as np

from .boundary_match import video_boundary_f, video_j, video_jf
from .plane_dilation import disk_dilate

__all__ = ['db_eval_iou', 'db_eval_boundary', 'db_eval_jf', 'seg2bmap', 'boundary_radius',
           'disk_dilate']


def _as_bool_video(array: np.ndarray, name: str) -> np.ndarray:
    """Casts a (H, W) or (T, H, W) array to a bool (T, H, W) array."""
    array = np.asarray(array)
    if array.ndim not in (2, 3):
        raise ValueError(f'{name} must be (H, W) or (T, H, W), got shape {array.shape}')
    array = array.astype(bool, copy=False)
    return array[None] if array.ndim == 2 else array


def _bool_videos(annotation: np.ndarray, segmentation: np.ndarray,
                 void_pixels: Optional[np.ndarray]) -> Tuple[bool, np.ndarray, np.ndarray]:
    """Checks the shapes and returns (single frame?, gt, pred), void pixels removed.

    gt and pred are bool (T, H, W); a (H, W) input is a video of one frame.
    """
    if np.shape(annotation) != np.shape(segmentation):
        raise ValueError(f'annotation {np.shape(annotation)} and segmentation '
                         f'{np.shape(segmentation)} must have the same shape')
    if void_pixels is not None and np.shape(void_pixels) != np.shape(annotation):
        raise ValueError(f'void_pixels {np.shape(void_pixels)} must have the shape '
                         f'of annotation {np.shape(annotation)}')
    gt = _as_bool_video(annotation, 'annotation')
    pred = _as_bool_video(segmentation, 'segmentation')
    if void_pixels is not None:
        keep = ~_as_bool_video(void_pixels, 'void_pixels')
        gt, pred = gt & keep, pred & keep
    return np.ndim(annotation) == 2, gt, pred


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
    single, gt, pred = _bool_videos(annotation, segmentation, void_pixels)
    j = video_j(gt, pred)                             # (T,)
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
    single, gt, pred = _bool_videos(annotation, segmentation, void_pixels)
    radius = boundary_radius(bound_th, gt.shape[1], gt.shape[2])
    f = video_boundary_f(gt, pred, radius)            # (T,)
    return f[0] if single else f


def db_eval_jf(annotation: np.ndarray, segmentation: np.ndarray,
               void_pixels: Optional[np.ndarray] = None, bound_th: float = 0.008):
    """J and F per frame in one pass: ``(db_eval_iou(...), db_eval_boundary(...))``.

    Args:
        annotation (np.ndarray): GT mask, (H, W) or (T, H, W).
        segmentation (np.ndarray): predicted mask, same shape.
        void_pixels (np.ndarray, optional): pixels to ignore, same shape.
        bound_th (float): boundary tolerance (see :func:`db_eval_boundary`).

    Returns:
        tuple: (J, F), each np.float64 for (H, W) inputs, else (T,) float64.
    """
    single, gt, pred = _bool_videos(annotation, segmentation, void_pixels)
    j, f = video_jf(gt, pred, boundary_radius(bound_th, gt.shape[1], gt.shape[2]))
    return (j[0], f[0]) if single else (j, f)
