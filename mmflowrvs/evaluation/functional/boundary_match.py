"""Fast exact J and boundary F of whole videos (the engine of ``db_eval_*``).

How it stays exact and gets fast (per group of 8 frames):

* Frame planes (:mod:`.bit_planes`): the 8 frames of a mask share one byte
  per pixel, frame ``i`` of the group in bit ``i``, so every bitwise
  operation serves 8 frames and every spatial shift is a plain slice.
* Crop: the group is cut to the bounding box of gt | pred plus a one-pixel
  margin; nothing outside it counts for J or F.
* J: |gt| and |pred| of each frame are OpenCV non-zero counts taken while
  packing; the intersection comes from the lane counts of ``gt ^ pred`` (a
  sparse plane when the prediction is good): |gt & pred| = (|gt| + |pred| -
  |gt ^ pred|) / 2, all integers, so J is the same division as the
  reference's.
* Boundary map: the crop is laid out row after row with at least ``r`` zero
  columns after each row (``r`` the dilation radius), one flat array. A pixel is on
  the boundary iff its 2x2 block [y:y+2, x:x+2] is not uniform, which is
  the official ``(m^e) | (m^s) | (m^se)``; the official last-row/column
  rules equal a replicated border, so a crop at the image's bottom/right
  edge gets its edge row/column copied once below/right. Boundary bits in
  the padding are cleared.
* Boundary tiles (:mod:`.boundary_tiles`): for large objects only the tiles
  of the crop that hold boundary pixels are dilated and counted.
* Dilation (:mod:`.plane_dilation`): the disk as horizontal segments, slices
  only; nothing a dilation moves past a row's end (at most ``r`` pixels)
  reaches the next row's pixels.
* F counts: the boundary sizes and the matches ``b_gt & dil(b_pred)`` and
  ``b_pred & dil(b_gt)`` are lane counts of the non-zero words of the
  boundary planes only (:func:`.bit_planes.sparse_lane_counts`).
"""
from typing import List, Optional, Tuple

import numpy as np

from .bit_planes import pack_frames, round8, sparse_lane_counts
from .boundary_tiles import occupied_tiles, stack_windows, tile_side
from .plane_dilation import plane_disk_dilate

__all__ = ['video_counts', 'video_j', 'video_jf', 'video_boundary_f']

GROUP = 8                                  # frames per byte plane (at most 8)

Box = Tuple[int, int, int, int]            # y0, y1, x0, x1


def _crop_box(union: np.ndarray) -> Optional[Box]:
    """(y0, y1, x0, x1) bounding box plus a one-pixel margin of a (H, W) map."""
    rows = np.flatnonzero(union.max(axis=1))
    if not len(rows):
        return None
    first, last = int(rows[0]), int(rows[-1])
    cols = np.flatnonzero(union[first:last + 1].max(axis=0))
    height, width = union.shape
    return (max(first - 1, 0), min(last + 2, height),
            max(int(cols[0]) - 1, 0), min(int(cols[-1]) + 2, width))


def _intersections(planes: Tuple[np.ndarray, np.ndarray], n_gt: np.ndarray,
                   n_pred: np.ndarray, box: Box, tmp: np.ndarray) -> np.ndarray:
    """|gt & pred| of each frame of a group: (|gt| + |pred| - |gt ^ pred|) / 2.

    Args:
        planes (tuple): (H, W) uint8 bit planes of gt and pred.
        n_gt, n_pred (np.ndarray): (n,) set pixels of each frame.
        box (tuple): the crop, holding every non-zero pixel of the group.
        tmp (np.ndarray): uint8 scratch of at least round8(crop size) bytes.
    """
    y0, y1, x0, x1 = box
    size = (y1 - y0) * (x1 - x0)
    diff = tmp[:round8(size)]
    np.bitwise_xor(planes[0][y0:y1, x0:x1], planes[1][y0:y1, x0:x1],
                   out=diff[:size].reshape(y1 - y0, x1 - x0))
    diff[size:] = 0
    return (n_gt + n_pred - sparse_lane_counts(diff, len(n_gt))[0]) // 2


def _canvas(plane: np.ndarray, box: Box, stride: int, out: np.ndarray) -> np.ndarray:
    """The crop of a (H, W) plane as (crop_h + 1) rows of ``stride`` bytes.

    Zero after each row's pixels, zero below (or, at the image's bottom/right
    edge, the edge row/column copied once: the official border rules), and
    zero after the last row up to ``len(out)``.
    """
    height, width = plane.shape
    y0, y1, x0, x1 = box
    crop_h, crop_w = y1 - y0, x1 - x0
    used = (crop_h + 1) * stride
    grid = out[:used].reshape(crop_h + 1, stride)
    grid[:crop_h, :crop_w] = plane[y0:y1, x0:x1]
    grid[:, crop_w:] = 0
    grid[crop_h] = 0
    out[used:] = 0
    if x1 == width:
        grid[:crop_h, crop_w] = grid[:crop_h, crop_w - 1]
    if y1 == height:
        grid[crop_h, :crop_w + 1] = grid[crop_h - 1, :crop_w + 1]
    return out


def _boundary_plane(canvas: np.ndarray, stride: int, rows: int, width: int, out: np.ndarray,
                    tmp: np.ndarray) -> np.ndarray:
    """Boundary plane of a canvas: its non-uniform 2x2 blocks, padding cleared."""
    np.bitwise_xor(canvas[:-1], canvas[1:], out=tmp[:-1])          # pixel vs right
    tmp[-1] = 0
    np.bitwise_xor(canvas[:-stride], canvas[stride:], out=out[:-stride])  # vs below
    out[-stride:] = 0
    np.bitwise_or(out[:-stride], tmp[:-stride], out=out[:-stride])
    np.bitwise_or(out[:-stride], tmp[stride:], out=out[:-stride])  # below vs below-right
    used = (rows + 1) * stride
    grid = out[:used].reshape(rows + 1, stride)
    grid[:, width:] = 0
    grid[rows] = 0
    out[used:] = 0
    return out


def _boundary_counts(planes: Tuple[np.ndarray, np.ndarray], box: Box, radius: int, n: int,
                     work: List[np.ndarray]) -> np.ndarray:
    """(4, n) [|b_gt|, |b_pred|, |b_gt & dil(b_pred)|, |b_pred & dil(b_gt)|].

    Layout of every plane here: ``front`` zero bytes (at least ``r`` rows and
    ``r`` bytes, a multiple of 8, for the windows of :mod:`.boundary_tiles`),
    the crop's ``crop_h + 1`` rows of ``stride`` bytes, zero bytes down to
    the last window; ``stride`` leaves at least ``r`` zero bytes after each
    row (nothing a dilation moves reaches another row's pixels).

    Args:
        planes (tuple): (H, W) uint8 bit planes of gt and pred.
        box (tuple): the crop, holding every non-zero pixel of the group.
        radius (int): boundary tolerance in pixels (>= 0).
        n (int): frames in the planes.
        work (list): seven uint8 scratch planes, at least as long as
            :func:`_boundary_layout` says.
    """
    y0, y1, x0, x1 = box
    crop_h, crop_w = y1 - y0, x1 - x0
    margin, tile, stride, front, length = _boundary_layout(crop_h, crop_w, radius)
    c_gt, c_pred, tmp, b_gt, b_pred, dil, spare = (buf[:length] for buf in work)
    body = slice(front, front + round8((crop_h + 1) * stride))       # the crop's rows
    for canvas, plane, bmap in ((c_gt, planes[0], b_gt), (c_pred, planes[1], b_pred)):
        _canvas(plane, box, stride, canvas[body])
        _boundary_plane(canvas[body], stride, crop_h, crop_w, bmap[body], tmp[body])
        bmap[:body.start] = 0
        bmap[body.stop:] = 0
    used = crop_h * stride
    union = np.bitwise_or(b_gt[front:front + used], b_pred[front:front + used], out=tmp[:used])
    occupied = occupied_tiles(union.reshape(crop_h, stride), tile)[:, :-(-crop_w // tile)]
    if not occupied.any():
        return np.zeros((4, n), np.int64)            # no boundary pixel at all
    stacked = stack_windows(b_gt, b_pred, front, stride, occupied, tile, margin,
                            [c_gt, c_pred, tmp, dil], (crop_h + 1) * stride)
    if stacked is None:          # the crop's rows only
        b_gt, b_pred, dil, c_gt, c_pred = (buf[body] for buf in (b_gt, b_pred, dil, c_gt, c_pred))
        src_gt, src_pred, core_gt, core_pred = b_gt, b_pred, b_gt, b_pred
    else:                        # only the windows of the tiles holding boundary pixels
        src_gt, src_pred, core_gt, core_pred, stride = stacked
        size = len(src_gt)
        dil, c_gt, c_pred = (buf[:size] if len(buf) >= size else np.empty(size, np.uint8)
                             for buf in (spare, b_gt, b_pred))
    counts = np.empty((4, n), np.int64)
    plane_disk_dilate(src_pred, stride, radius, dil, (c_gt, c_pred))
    counts[0], counts[2] = sparse_lane_counts(core_gt, n, cover=dil)
    plane_disk_dilate(src_gt, stride, radius, dil, (c_gt, c_pred))
    counts[1], counts[3] = sparse_lane_counts(core_pred, n, cover=dil)
    return counts


def _boundary_layout(crop_h: int, crop_w: int, radius: int) -> Tuple[int, int, int, int, int]:
    """(margin, tile, stride, front, length) of the boundary planes of a crop."""
    margin = max(radius, 1)
    tile = tile_side(margin)
    tiles_y, tiles_x = -(-crop_h // tile), -(-crop_w // tile)
    stride = tiles_x * tile + margin       # >= crop_w + r
    front = round8(margin * stride + margin)
    rows = max(crop_h + 1, tiles_y * tile + margin)
    return margin, tile, stride, front, round8(front + rows * stride + 8)


def video_counts(gt: np.ndarray, pred: np.ndarray, radius: Optional[int] = None) -> np.ndarray:
    """Per-frame pixel counts behind J and F of a video.

    Args:
        gt (np.ndarray): bool (T, H, W) GT masks.
        pred (np.ndarray): bool (T, H, W) predicted masks.
        radius (int, optional): boundary tolerance in pixels (>= 0); None
            counts only what J needs.

    Returns:
        np.ndarray: int64 (3, T) [|gt|, |pred|, |gt & pred|], or with a
        radius (7, T), followed by [|b_gt|, |b_pred|, |b_gt & dil(b_pred)|,
        |b_pred & dil(b_gt)|] (b: boundary maps, dil: disk dilation).
    """
    gt = np.ascontiguousarray(gt, dtype=bool)
    pred = np.ascontiguousarray(pred, dtype=bool)
    num_frames, height, width = gt.shape
    counts = np.zeros((3 if radius is None else 7, num_frames), np.int64)
    if gt.size == 0:
        return counts
    plane_gt, plane_pred, union = (np.empty(height * width, np.uint8) for _ in range(3))
    planes = (plane_gt.reshape(height, width), plane_pred.reshape(height, width))
    size = round8(height * width) if radius is None else \
        _boundary_layout(height + 2, width + 2, radius)[-1]     # the largest crop and more
    work = [np.empty(size, np.uint8) for _ in range(1 if radius is None else 7)]
    flat_gt, flat_pred = gt.reshape(num_frames, -1), pred.reshape(num_frames, -1)
    for t0 in range(0, num_frames, GROUP):
        n = min(GROUP, num_frames - t0)
        frames = slice(t0, t0 + n)
        counts[0, frames] = pack_frames(flat_gt[frames], plane_gt)
        counts[1, frames] = pack_frames(flat_pred[frames], plane_pred)
        np.bitwise_or(plane_gt, plane_pred, out=union)
        box = _crop_box(union.reshape(height, width))
        if box is None:
            continue                                   # every frame empty
        counts[2, frames] = _intersections(planes, counts[0, frames], counts[1, frames], box,
                                           work[0])
        if radius is not None:
            counts[3:, frames] = _boundary_counts(planes, box, radius, n, work)
    return counts


def video_jf(gt: np.ndarray, pred: np.ndarray, radius: int) -> Tuple[np.ndarray, np.ndarray]:
    """J and boundary F of every frame of a video (bool (T, H, W) gt and pred).

    Returns:
        tuple[np.ndarray, np.ndarray]: (T,) float64 J and F; frames where both
        masks are empty get 1.
    """
    n_gt, n_pred, inter, b_gt, b_pred, gt_match, pred_match = video_counts(gt, pred, radius)
    return _j_from_counts(n_gt, n_pred, inter), _f_from_counts(b_gt, b_pred, gt_match,
                                                               pred_match)


def video_j(gt: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """J of every frame of a video (bool (T, H, W)); 1 where the union is empty."""
    return _j_from_counts(*video_counts(gt, pred))


def video_boundary_f(gt: np.ndarray, pred: np.ndarray, radius: int) -> np.ndarray:
    """Boundary F of every frame of a video (bool (T, H, W) gt and pred)."""
    return video_jf(gt, pred, radius)[1]


def _j_from_counts(n_gt: np.ndarray, n_pred: np.ndarray, inter: np.ndarray) -> np.ndarray:
    union = n_gt + n_pred - inter
    j = np.ones(len(union), np.float64)
    np.divide(inter, union, out=j, where=union > 0)
    return j


def _f_from_counts(n_gt: np.ndarray, n_pred: np.ndarray, gt_match: np.ndarray,
                   pred_match: np.ndarray) -> np.ndarray:
    # n_pred = 0 -> P = 1 (R = 0 if n_gt > 0); n_gt = 0 -> R = 1 (P = 0 if n_pred > 0)
    precision = np.ones(len(n_gt), np.float64)
    recall = np.ones(len(n_gt), np.float64)
    np.divide(pred_match, n_pred, out=precision, where=n_pred > 0)
    np.divide(gt_match, n_gt, out=recall, where=n_gt > 0)
    denom = precision + recall
    f = np.zeros(len(n_gt), np.float64)
    np.divide(2 * precision * recall, denom, out=f, where=denom > 0)
    return f
