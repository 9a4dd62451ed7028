"""Fast exact J and boundary F of whole videos (the engine of ``db_eval_*``).

How it stays exact and gets fast:

* Frame planes: 8 frames of a mask share one byte per pixel, frame ``i`` of
  the group in bit ``i``. Every bitwise operation then serves 8 frames, and
  every spatial shift is a plain slice (no bit shifts, no carries), so the
  cost per frame is that of a bit-packed mask with none of its overhead.
* Crop: each group of 8 frames is cut to the bounding box of gt | pred plus a
  one-pixel margin, laid out row after row with ``2 r`` zero columns after
  each row (``r`` the dilation radius) so that the image is one flat array:
  a shift by ``k`` pixels is a slice shifted by ``k``, by ``dy`` rows a slice
  shifted by ``dy * stride``, and nothing a dilation moves past a row's end
  (at most ``r`` pixels) reaches the next row.
* Boundary map: a pixel is on the boundary iff its 2x2 block [y:y+2, x:x+2]
  is not uniform, which is the official ``(m^e) | (m^s) | (m^se)``; the
  official last-row/column rules equal a replicated border, so a crop at the
  image's bottom/right edge gets its edge row/column copied once below/right.
  Boundary bits in the padding (junk of those copies and of the wrap-around
  of the flat layout) are cleared.
* Dilation: the disk {dx^2 + dy^2 <= r^2} is the union over dy of
  horizontal segments of half-width isqrt(r^2 - dy^2): horizontal dilations
  by each distinct half-width (built from one another, 3 slice operations
  each), ORed in at their row offsets (2 slice operations per dy).
* Boundary tiles: for large objects only the tiles of the crop that hold
  boundary pixels are dilated and counted (:mod:`.boundary_tiles`).
* Counts: J's mask sizes and intersection are OpenCV non-zero counts of each
  frame's crop; the boundary sizes and matches are counted per bit (frame) of
  the planes (:func:`lane_counts`), never pixel by pixel in Python.
"""
import math
from functools import lru_cache
from typing import Optional, Tuple

import cv2
import numpy as np

from .boundary_tiles import stack_boundary_runs

__all__ = ['disk_dilate', 'pack_frames', 'lane_counts', 'plane_disk_dilate', 'video_counts',
           'video_j', 'video_jf', 'video_boundary_f']

GROUP = 8                                  # frames per byte plane


@lru_cache(maxsize=64)
def _disk_rectangles(radius: int) -> Tuple[np.ndarray, ...]:
    """Rectangle kernels whose union is the disk {dx^2 + dy^2 <= r^2}."""
    tallest = {}
    for dy in range(radius + 1):
        tallest[math.isqrt(radius * radius - dy * dy)] = dy
    return tuple(np.ones((2 * h + 1, 2 * w + 1), np.uint8) for w, h in sorted(tallest.items()))


def disk_dilate(bmap: np.ndarray, radius: int) -> np.ndarray:
    """Dilates a (H, W) or (H, W, C) map by the disk of ``radius``.

    Same result as ``cv2.dilate(bmap, skimage.morphology.disk(radius))``
    (nothing comes from outside the image), as a union of rectangle dilations.

    Returns:
        np.ndarray: uint8 map of the input's shape.
    """
    src = np.ascontiguousarray(bmap, dtype=np.uint8)
    out = None
    for kernel in _disk_rectangles(int(radius)):
        dil = cv2.dilate(src, kernel)
        out = dil if out is None else cv2.max(out, dil, dst=out)
    return out.reshape(src.shape)


def pack_frames(frames: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> None:
    """Packs up to 8 bool frames into one byte plane: bit i = frame i.

    Args:
        frames (np.ndarray): C-contiguous bool (n, P) frames, n <= 8.
        out (np.ndarray): uint8 (P,) result.
        tmp (np.ndarray): uint8 (P,) scratch.
    """
    if frames.shape[1] % 8 == 0:           # 8 pixels per 64-bit operation
        src, dst, scratch = frames.view(np.uint64), out.view(np.uint64), tmp.view(np.uint64)
        bit = np.uint64
    else:
        src, dst, scratch = frames.view(np.uint8), out, tmp
        bit = np.uint8
    np.copyto(dst, src[0])
    for i in range(1, len(frames)):
        np.left_shift(src[i], bit(i), out=scratch)
        dst |= scratch


@lru_cache(maxsize=2)
def _bit_masks(length: int) -> Tuple[np.ndarray, ...]:
    """Constant (length,) uint8 planes 1 << i, i = 0..7 (read-only)."""
    masks = tuple(np.full(length, 1 << i, np.uint8) for i in range(GROUP))
    for mask in masks:
        mask.flags.writeable = False
    return masks


def lane_counts(plane: np.ndarray, num_frames: int, tmp: np.ndarray) -> np.ndarray:
    """Set bits of each bit position (frame) of a byte plane.

    One AND with a constant plane and one OpenCV non-zero count per frame
    (both vectorised over all bytes).

    Args:
        plane (np.ndarray): uint8 (L,) plane.
        num_frames (int): how many bit positions (frames) to count.
        tmp (np.ndarray): uint8 (L,) scratch.

    Returns:
        np.ndarray: (num_frames,) int64 counts.
    """
    length = len(plane)
    masks = _bit_masks(max(4096, 1 << (length - 1).bit_length()))   # few sizes
    row, scratch = plane.reshape(1, length), tmp.reshape(1, length)    # one OpenCV row
    return np.array([
        cv2.countNonZero(cv2.bitwise_and(row, masks[i][:length].reshape(1, length), dst=scratch))
        for i in range(num_frames)], np.int64)


@lru_cache(maxsize=64)
def _half_width_steps(radius: int) -> Tuple[Tuple[int, Tuple[int, ...]], ...]:
    """(shift, row offsets) steps of the horizontal chain of the disk.

    Each step widens the current horizontal dilation by ``shift`` (valid when
    shift <= 2 * width + 1); the offsets are the dy whose half-width the
    result has (empty for a helper step).
    """
    half = [math.isqrt(radius * radius - dy * dy) for dy in range(radius + 1)]
    steps, width = [], 0
    for target in sorted(set(half)):
        while target > 3 * width + 1:          # helper steps to reach it
            steps.append((2 * width + 1, ()))
            width = 3 * width + 1
        steps.append((target - width, tuple(dy for dy in range(radius + 1)
                                            if half[dy] == target)))
        width = target
    return tuple(steps)


def plane_disk_dilate(src: np.ndarray, stride: int, radius: int, out: np.ndarray,
                      bufs: Tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Disk dilation of a flat plane with rows of ``stride`` bytes.

    Each row must end with at least ``2 * radius`` zero bytes; what falls
    beyond the plane's first/last row is dropped.

    Args:
        src (np.ndarray): uint8 (L,) plane (left unchanged).
        stride (int): bytes per row.
        radius (int): disk radius (>= 1).
        out (np.ndarray): uint8 (L,) result.
        bufs (tuple): two uint8 (L,) scratch planes.

    Returns:
        np.ndarray: ``out``.
    """
    length = len(src)
    out[:] = 0
    current, spare = src, list(bufs)
    for shift, offsets in _half_width_steps(radius):
        if shift:
            nxt = spare.pop(0)
            np.copyto(nxt, current)
            np.bitwise_or(nxt[shift:], current[:-shift], out=nxt[shift:])
            np.bitwise_or(nxt[:-shift], current[shift:], out=nxt[:-shift])
            if current is not src:
                spare.append(current)
            current = nxt
        for dy in offsets:
            k = dy * stride
            if k == 0:
                out |= current
            elif k < length:
                np.bitwise_or(out[k:], current[:-k], out=out[k:])
                np.bitwise_or(out[:-k], current[k:], out=out[:-k])
    return out


def _boundary_plane(canvas: np.ndarray, stride: int, rows: int, width: int, out: np.ndarray,
                    tmp: np.ndarray) -> np.ndarray:
    """Boundary plane of a canvas: its non-uniform 2x2 blocks, padding cleared.

    ``canvas`` holds ``rows`` crop rows of ``width`` pixels (plus the copied
    edge row/column where the crop reaches the image's bottom/right edge).
    """
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


def _region_counts(gt: np.ndarray, pred: np.ndarray, tmp: np.ndarray) -> Tuple[int, int, int]:
    """(|gt|, |pred|, |gt & pred|) of bool (h, w) crops, with OpenCV counts."""
    g, p = gt.view(np.uint8), pred.view(np.uint8)
    return (cv2.countNonZero(g), cv2.countNonZero(p),
            cv2.countNonZero(cv2.bitwise_and(g, p, dst=tmp[:g.size].reshape(g.shape))))


def _crop_box(union: np.ndarray) -> Optional[Tuple[int, int, int, int]]:
    """(y0, y1, x0, x1) bounding box plus a one-pixel margin of a (H, W) map."""
    rows = np.flatnonzero(union.any(axis=1))
    if not len(rows):
        return None
    cols = np.flatnonzero(union.any(axis=0))
    height, width = union.shape
    return (max(int(rows[0]) - 1, 0), min(int(rows[-1]) + 2, height),
            max(int(cols[0]) - 1, 0), min(int(cols[-1]) + 2, width))


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
    pad = 0 if radius is None else 2 * max(radius, 1)
    planes = [np.empty(height * width, np.uint8) for _ in range(3)]
    work = [np.empty((height + 1) * (width + pad), np.uint8) for _ in range(6)]
    flat_gt, flat_pred = gt.reshape(num_frames, -1), pred.reshape(num_frames, -1)
    for t0 in range(0, num_frames, GROUP):
        n = min(GROUP, num_frames - t0)
        frames = slice(t0, t0 + n)
        plane_gt, plane_pred, union = planes
        pack_frames(flat_gt[frames], plane_gt, union)
        pack_frames(flat_pred[frames], plane_pred, union)
        np.bitwise_or(plane_gt, plane_pred, out=union)
        box = _crop_box(union.reshape(height, width))
        if box is None:
            continue                                   # every frame empty
        y0, y1, x0, x1 = box
        for t in range(t0, t0 + n):
            counts[:3, t] = _region_counts(gt[t, y0:y1, x0:x1], pred[t, y0:y1, x0:x1], work[0])
        if radius is None:
            continue
        crop_h, crop_w = y1 - y0, x1 - x0
        stride = crop_w + pad
        length = (crop_h + 1) * stride
        c_gt, c_pred, t1, t2, t3, t4 = (buf[:length] for buf in work)
        for canvas, plane in ((c_gt, plane_gt), (c_pred, plane_pred)):
            grid = canvas.reshape(crop_h + 1, stride)
            grid[:crop_h, :crop_w] = plane.reshape(height, width)[y0:y1, x0:x1]
            grid[:, crop_w:] = 0
            grid[crop_h] = 0
            # the official last row/column rules = a replicated border
            if x1 == width:
                grid[:crop_h, crop_w] = grid[:crop_h, crop_w - 1]
            if y1 == height:
                grid[crop_h, :crop_w + 1] = grid[crop_h - 1, :crop_w + 1]
        b_gt = _boundary_plane(c_gt, stride, crop_h, crop_w, t2, t1)
        b_pred = _boundary_plane(c_pred, stride, crop_h, crop_w, t3, t1)
        src_gt, src_pred, core_gt, core_pred = b_gt, b_pred, b_gt, b_pred
        stacked = stack_boundary_runs(
            b_gt[:crop_h * stride].reshape(crop_h, stride)[:, :crop_w],
            b_pred[:crop_h * stride].reshape(crop_h, stride)[:, :crop_w],
            t4[:crop_h * crop_w].reshape(crop_h, crop_w), radius)
        if stacked is not None:      # only the tiles holding boundary pixels
            src_gt, src_pred, core_gt, core_pred, stride = stacked
        size = len(src_gt)
        t1, t4, c_gt, c_pred = (buf[:size] if len(buf) >= size else np.empty(size, np.uint8)
                                for buf in (t1, t4, c_gt, c_pred))
        counts[3, frames] = lane_counts(core_gt, n, t1)
        counts[4, frames] = lane_counts(core_pred, n, t1)
        for row, src, tgt in ((5, src_pred, core_gt), (6, src_gt, core_pred)):
            dil = plane_disk_dilate(src, stride, radius, t4, (c_gt, c_pred))
            dil &= tgt
            counts[row, frames] = lane_counts(dil, n, t1)
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
