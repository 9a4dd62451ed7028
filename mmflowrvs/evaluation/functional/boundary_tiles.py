"""Only the tiles of a crop that hold boundary pixels, for large objects.

A large object's boundary covers little of its bounding box (an object that
fills the frame has boundary pixels only where it leaves the frame), yet the
disk dilation and the counts cost per byte of the plane. So the crop is cut
into square tiles of ``TILE`` pixels; each tile holding a boundary pixel of
gt or pred becomes a *window*: the tile (its *core*) plus ``r`` pixels on
every side, the only sources a dilation of radius ``r`` can bring into the
core. The windows are gathered, one fancy-indexing copy per plane, into a
stack of (win, win) blocks, win = TILE + 2 r, which is then one flat plane
with rows of ``win`` bytes:

* a dilation moves a byte by at most ``r`` columns and ``r`` rows, so what
  lands in a core comes from its own window only: a byte moved past a row's
  end lands in the margin columns of the next row, one moved past a window's
  last row in the next window's margin rows, never in a core;
* the targets (the pixels that are counted) are the cores, with the margins
  zeroed, so each pixel of the crop is counted exactly once.

Stacking pays when the windows hold at most ``MAX_SHARE`` of the bytes of
the crop; otherwise the whole crop is dilated.
"""
from functools import lru_cache
from typing import List, Optional, Tuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .bit_planes import round8

__all__ = ['tile_side', 'occupied_tiles', 'stack_windows']

TILE = 32          # tile side in pixels for radii up to 8 (4 r beyond)
MAX_SHARE = 0.75   # stack only when the windows are at most this share of the crop

Stacked = Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]


def tile_side(radius: int) -> int:
    """Tile side for a dilation radius: the windows are at most (1.5)^2 tiles."""
    return max(TILE, 4 * radius)


def occupied_tiles(union: np.ndarray, tile: int) -> np.ndarray:
    """Which ``tile`` x ``tile`` tiles of a (h, w) map hold non-zero bytes.

    Row bands are reduced with vectorised maxima over whole rows, then the
    (few) band rows per tile column.

    Returns:
        np.ndarray: bool (ceil(h / tile), ceil(w / tile)).
    """
    height, width = union.shape
    full = height // tile
    bands = [union[:full * tile].reshape(full, tile, width).max(axis=1)] if full else []
    if height > full * tile:
        bands.append(union[full * tile:].max(axis=0, keepdims=True))
    bands = np.concatenate(bands) if len(bands) > 1 else bands[0]      # (nby, w)
    return np.maximum.reduceat(bands, np.arange(0, width, tile), axis=1) != 0


@lru_cache(maxsize=8)
def _core_mask(tile: int, radius: int) -> np.ndarray:
    """(win, win) uint8: 0xFF on a window's core, 0 on its margins (read-only)."""
    mask = np.zeros((tile + 2 * radius, ) * 2, np.uint8)
    mask[radius:radius + tile, radius:radius + tile] = 0xFF
    mask.flags.writeable = False
    return mask


def stack_windows(b_gt: np.ndarray, b_pred: np.ndarray, origin: int, stride: int,
                  occupied: np.ndarray, tile: int, radius: int, bufs: List[np.ndarray],
                  crop_size: int) -> Optional[Stacked]:
    """Stacks the windows of the occupied tiles of two boundary planes.

    Args:
        b_gt, b_pred (np.ndarray): flat uint8 planes with rows of ``stride``
            bytes, crop pixel (0, 0) at index ``origin``; every byte a window
            reaches outside the crop must be zero (at least ``r`` zero rows
            and ``r`` zero bytes before the origin, ``stride >= r + (number
            of tile columns) * tile``, zero rows down to the last window).
        origin (int): flat index of the crop's pixel (0, 0).
        stride (int): bytes per row.
        occupied (np.ndarray): bool (nby, nbx) tiles holding boundary pixels.
        tile (int): tile side.
        radius (int): dilation radius (>= 1).
        bufs (list): four uint8 buffers for the results, each as long as
            ``b_gt`` (longer results get new arrays).
        crop_size (int): bytes of the crop's rows, the unstacked plane.

    Returns:
        (src_gt, src_pred, core_gt, core_pred, win): flat uint8 planes of
        (win, win) windows (sources with margins, targets without), length a
        multiple of 8; or None where stacking would not save enough.
    """
    win = tile + 2 * radius
    rows, cols = np.nonzero(occupied)
    size = len(rows) * win * win
    if size > MAX_SHARE * crop_size:
        return None
    length = round8(size)
    planes = [buf[:length] if len(buf) >= length else np.empty(length, np.uint8)
              for buf in bufs]
    blocks = [plane[:size].reshape(len(rows), win, win) for plane in planes]
    for plane in planes:
        plane[size:] = 0
    steps = (tile * stride, tile, stride, 1)
    start = origin - radius * stride - radius
    for source, block in ((b_gt, blocks[0]), (b_pred, blocks[1])):
        windows = as_strided(source[start:], shape=occupied.shape + (win, win), strides=steps,
                             writeable=False)
        block[:] = windows[rows, cols]
    mask = _core_mask(tile, radius)
    np.bitwise_and(blocks[0], mask, out=blocks[2])
    np.bitwise_and(blocks[1], mask, out=blocks[3])
    return (*planes, win)
