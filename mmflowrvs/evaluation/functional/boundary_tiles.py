"""Only the parts of a boundary plane that hold boundary pixels.

A large object's boundary covers little of its bounding box (an object that
fills the frame has boundary pixels only where it leaves the frame), yet the
disk dilation and the per-frame counts cost per byte of the plane. Here the
plane is cut into tiles; tiles holding boundary pixels, merged into runs of
at most 3 tiles per band of tiles, are stacked into a smaller plane:

* a run's *core* (its tiles) is copied once, for the pixels counted (targets
  and boundary sizes: each pixel lies in exactly one core);
* the sources of the dilation get the core plus ``r`` pixels of margin on
  every side (sources within ``r`` of a core can reach its targets);
* runs are stacked ``r`` rows apart from one core to the next and each row
  ends with ``2 r`` zero bytes, so what a dilation moves (at most ``r``)
  out of a run reaches no other run's core.
"""
from typing import List, Optional, Tuple

import numpy as np

__all__ = ['stack_boundary_runs']

TILE = 64          # tile side in pixels
MAX_RUN = 3        # tiles per run at most (the stacked plane is as wide as the widest run)
MAX_SHARE = 0.85   # stack only when the stacked plane is at most this share of the plane


def _runs(occupied: np.ndarray) -> List[Tuple[int, int, int]]:
    """(band, first tile, end tile) of the runs of occupied tiles in each band.

    Runs longer than ``MAX_RUN`` tiles are cut into pieces of ``MAX_RUN``.
    """
    runs = []
    for band, row in enumerate(occupied):
        cols = np.flatnonzero(row)
        if not len(cols):
            continue
        breaks = np.flatnonzero(np.diff(cols) > 1)
        starts = np.concatenate([[cols[0]], cols[breaks + 1]])
        ends = np.concatenate([cols[breaks], [cols[-1]]]) + 1
        for start, end in zip(starts.tolist(), ends.tolist()):   # at most MAX_RUN tiles each
            runs += [(band, s, min(s + MAX_RUN, end)) for s in range(start, end, MAX_RUN)]
    return runs


def stack_boundary_runs(b_gt: np.ndarray, b_pred: np.ndarray, union: np.ndarray, radius: int
                        ) -> Optional[Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                            int]]:
    """Stacks the runs of tiles holding boundary pixels of two planes.

    Args:
        b_gt (np.ndarray): uint8 (h, w) boundary plane (a view of the crop).
        b_pred (np.ndarray): uint8 (h, w) boundary plane.
        union (np.ndarray): uint8 (h, w) scratch.
        radius (int): dilation radius (>= 1).

    Returns:
        (src_gt, src_pred, core_gt, core_pred, stride): flat uint8 planes with
        rows of ``stride`` bytes, or None where stacking would not save
        enough (most tiles hold boundary pixels).
    """
    height, width = b_gt.shape
    np.bitwise_or(b_gt, b_pred, out=union)
    row_starts, col_starts = np.arange(0, height, TILE), np.arange(0, width, TILE)
    bands = np.bitwise_or.reduceat(union, row_starts, axis=0)                # (nby, w)
    occupied = np.bitwise_or.reduceat(bands, col_starts, axis=1) != 0       # (nby, nbx)
    runs = _runs(occupied)
    if not runs:
        return None
    pieces = []                         # core (y0, y1, x0, x1) of each run
    for band, first, end in runs:
        pieces.append((band * TILE, min(band * TILE + TILE, height),
                       first * TILE, min(end * TILE, width)))
    stride = max(x1 - x0 for _, _, x0, x1 in pieces) + 4 * radius
    rows = sum(y1 - y0 + 2 * radius for y0, y1, _, _ in pieces)
    if rows * stride > MAX_SHARE * height * width:
        return None
    planes = [np.zeros((rows, stride), np.uint8) for _ in range(4)]
    src_gt, src_pred, core_gt, core_pred = planes
    top = 0
    for y0, y1, x0, x1 in pieces:
        # cores at rows [top + r, top + r + h), columns [r, r + w)
        h, w = y1 - y0, x1 - x0
        core_gt[top + radius:top + radius + h, radius:radius + w] = b_gt[y0:y1, x0:x1]
        core_pred[top + radius:top + radius + h, radius:radius + w] = b_pred[y0:y1, x0:x1]
        sy0, sy1 = max(y0 - radius, 0), min(y1 + radius, height)
        sx0, sx1 = max(x0 - radius, 0), min(x1 + radius, width)
        rows_at = slice(top + radius - (y0 - sy0), top + radius + (sy1 - y0))
        cols_at = slice(radius - (x0 - sx0), radius + (sx1 - x0))
        src_gt[rows_at, cols_at] = b_gt[sy0:sy1, sx0:sx1]
        src_pred[rows_at, cols_at] = b_pred[sy0:sy1, sx0:sx1]
        top += h + 2 * radius
    return src_gt.reshape(-1), src_pred.reshape(-1), core_gt.reshape(-1), \
        core_pred.reshape(-1), stride
