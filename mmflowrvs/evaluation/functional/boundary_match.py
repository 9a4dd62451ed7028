"""Fast exact boundary F of whole videos (the engine of ``db_eval_boundary``).

How it stays exact and gets fast:

* Crop: each frame is cut to the bounding box of gt | pred plus a one-pixel
  margin. Boundary pixels can sit one pixel above/left of a mask (inside the
  margin); below/right the margin is a zero row/column, so the crop's maps
  equal the frame's. Where the crop reaches the image's bottom/right edge, the
  official special rule for the last row/column is the same as replicating
  the border, which is what the boundary map below does.
* Boundary map: a pixel is on the boundary iff its 2x2 block [y:y+2, x:x+2]
  is not uniform: (2x2 max) - (2x2 min) with OpenCV (anchor (0, 0)) = the
  official ``(m^e) | (m^s) | (m^se)``; its last-row/column rules are the same
  as a replicated border, so crops at the image's bottom/right edge get their
  edge row/column copied once below/right; boundary pixels outside the
  crops (junk from those copies and from crops at the image's top) are cleared.
* Canvas: the crops of many frames (of similar widths) are stacked
  vertically into one image (one for GT, one for the prediction), ``radius``
  zero rows apart, 64-pixel aligned, so a handful of whole-array operations
  serve a whole chunk of the video (boundary maps, J's counts, dilation).
* Dilation: the disk {dx^2 + dy^2 <= r^2} is separable into horizontal
  dilations by the half-widths isqrt(r^2 - dy^2) and a union over dy of
  rows shifted by dy: O(r) per pixel, not O(r^2), done on bit-packed rows
  (64 pixels per word, :func:`packed_disk_dilate`); for r >= 64, as a union of
  rectangle dilations with OpenCV (:func:`disk_dilate`).
"""
import math
from functools import lru_cache
from typing import List, Tuple

import cv2
import numpy as np

__all__ = ['disk_dilate', 'packed_disk_dilate', 'video_boundary_f', 'video_jf']

_BLOCK = np.ones((2, 2), np.uint8)
_MAX_CANVAS = 1 << 24  # pixels per channel in one chunk


@lru_cache(maxsize=64)
def _disk_rectangles(radius: int) -> Tuple[np.ndarray, ...]:
    """Rectangle kernels whose union is the disk {dx^2 + dy^2 <= r^2}.

    For each half-width w = isqrt(r^2 - dy^2) keep the tallest rectangle
    (2h+1) x (2w+1), h being the largest |dy| with that width.
    """
    tallest = {}
    for dy in range(radius + 1):
        tallest[math.isqrt(radius * radius - dy * dy)] = dy
    return tuple(np.ones((2 * h + 1, 2 * w + 1), np.uint8) for w, h in sorted(tallest.items()))


def disk_dilate(bmap: np.ndarray, radius: int) -> np.ndarray:
    """Dilates a (H, W) or (H, W, C) map by the disk of ``radius``.

    Same result as ``cv2.dilate(bmap, skimage.morphology.disk(radius))``
    (nothing comes from outside the image).

    Returns:
        np.ndarray: uint8 map of the input's shape.
    """
    src = np.ascontiguousarray(bmap, dtype=np.uint8)
    out = None
    for kernel in _disk_rectangles(int(radius)):
        dil = cv2.dilate(src, kernel)
        out = dil if out is None else cv2.max(out, dil, dst=out)
    return out.reshape(src.shape)


def _pack(bmap: np.ndarray) -> np.ndarray:
    """(rows, W) uint8 0/1 -> (rows, ceil(W / 64)) uint64, pixel x at bit x % 64."""
    rows, width = bmap.shape
    if width % 64:
        padded = np.zeros((rows, -(-width // 64) * 64), np.uint8)
        padded[:, :width] = bmap
        bmap = padded
    return np.packbits(bmap, axis=1, bitorder='little').view(np.uint64)


def _shifted(words: np.ndarray, k: int, towards_right: bool) -> np.ndarray:
    """Moves every pixel of packed rows by k (0 < k < 64) columns; zeros enter."""
    k_bits, rest = np.uint64(k), np.uint64(64 - k)
    if towards_right:                       # out[x] = in[x - k]
        out = words << k_bits
        out[:, 1:] |= words[:, :-1] >> rest
    else:                                   # out[x] = in[x + k]
        out = words >> k_bits
        out[:, :-1] |= words[:, 1:] << rest
    return out


def packed_disk_dilate(words: np.ndarray, radius: int) -> np.ndarray:
    """Disk dilation of packed rows (see :func:`_pack`), radius < 64.

    Horizontal dilations by every half-width isqrt(r^2 - dy^2), then the
    union of those rows shifted by dy: 8x fewer bytes than uint8 maps.
    """
    widths = [math.isqrt(radius * radius - dy * dy) for dy in range(radius + 1)]
    horizontal = {0: words}
    current = words.copy()
    for k in range(1, radius + 1):
        current |= _shifted(words, k, True)
        current |= _shifted(words, k, False)
        if k in widths:
            horizontal[k] = current.copy()
    out = horizontal[widths[0]].copy()
    for dy in range(1, radius + 1):
        row = horizontal[widths[dy]]
        out[dy:] |= row[:-dy]
        out[:-dy] |= row[dy:]
    return out


def _match_row_counts(target: np.ndarray, source: np.ndarray, radius: int) -> np.ndarray:
    """Per canvas row: # target pixels within the disk of a source pixel."""
    if radius < 64:
        hits = _pack(target) & packed_disk_dilate(_pack(source), radius)
        return np.bitwise_count(hits).sum(axis=1, dtype=np.int64)
    return _row_sums(cv2.bitwise_and(target, disk_dilate(source, radius)))


def _crop_boxes(gt: np.ndarray, pred: np.ndarray) -> List[Tuple[int, int, int, int, int]]:
    """(t, y0, y1, x0, x1) crops with margin of the frames where gt | pred is nonempty."""
    num_frames, height, width = gt.shape
    union = gt | pred                                  # (T, H, W)
    rows = union.any(axis=2)                           # (T, H)
    cols = union.any(axis=1)                           # (T, W)
    boxes = []
    for t in np.flatnonzero(rows.any(axis=1)):
        r, c = rows[t], cols[t]
        y0, y1 = int(r.argmax()), height - int(r[::-1].argmax())
        x0, x1 = int(c.argmax()), width - int(c[::-1].argmax())
        boxes.append((int(t), max(y0 - 1, 0), min(y1 + 1, height), max(x0 - 1, 0),
                      min(x1 + 1, width)))
    return boxes


def _bmap(canvas: np.ndarray) -> np.ndarray:
    """uint8 0/1 boundary map of a canvas: its non-uniform 2x2 blocks."""
    hi = cv2.dilate(canvas, _BLOCK, anchor=(0, 0), borderType=cv2.BORDER_REPLICATE)
    lo = cv2.erode(canvas, _BLOCK, anchor=(0, 0), borderType=cv2.BORDER_REPLICATE)
    return cv2.subtract(hi, lo)


def _row_sums(image: np.ndarray) -> np.ndarray:
    """(rows, W) uint8 -> (rows,) int64 sums over each row."""
    return cv2.reduce(image, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).reshape(-1).astype(np.int64)


def _chunk_counts(gt: np.ndarray, pred: np.ndarray, boxes: list, radius: int) -> np.ndarray:
    """(6, N) [n_gt, n_pred, gt_match, pred_match, inter, union] of ``boxes``' frames."""
    height, width = gt.shape[1:]
    gap = max(radius, 1)
    # + a replicated column, rounded up to whole 64-pixel words for packing
    canvas_w = -(-(max(x1 - x0 for _, _, _, x0, x1 in boxes) + 1) // 64) * 64
    starts = np.cumsum([0] + [y1 - y0 + gap for _, y0, y1, _, _ in boxes])
    m_gt = np.zeros((int(starts[-1]), canvas_w), np.uint8)     # (rows, W') stacked crops
    m_pred = np.zeros_like(m_gt)
    gt8, pred8 = gt.view(np.uint8), pred.view(np.uint8)
    for (t, y0, y1, x0, x1), top in zip(boxes, starts):
        m_gt[top:top + y1 - y0, :x1 - x0] = gt8[t, y0:y1, x0:x1]
        m_pred[top:top + y1 - y0, :x1 - x0] = pred8[t, y0:y1, x0:x1]
    inter = _row_sums(cv2.bitwise_and(m_gt, m_pred))
    union = _row_sums(cv2.bitwise_or(m_gt, m_pred))
    # At the image's bottom/right edge the official rules equal a replicated
    # border: copy the edge row/column once below/right of the crop. Boundary
    # pixels outside a crop are junk (the row above a crop at the image's top,
    # the copied row/column) and are cleared.
    junk = []
    for (t, y0, y1, x0, x1), top in zip(boxes, starts):
        bottom, w = top + y1 - y0, x1 - x0
        if y1 == height:
            m_gt[bottom, :w] = m_gt[bottom - 1, :w]
            m_pred[bottom, :w] = m_pred[bottom - 1, :w]
            junk.append((slice(bottom, bottom + 1), slice(0, canvas_w)))
        if x1 == width:
            end = bottom + (y1 == height)
            m_gt[top:end, w] = m_gt[top:end, w - 1]
            m_pred[top:end, w] = m_pred[top:end, w - 1]
            junk.append((slice(top, end), slice(w, w + 1)))
    b_gt, b_pred = _bmap(m_gt), _bmap(m_pred)
    for b in (b_gt, b_pred):
        b[starts[1:-1] - 1] = 0                  # the gap row right above each crop
        for rows, cols in junk:
            b[rows, cols] = 0
    counts = np.stack([_row_sums(b_gt), _row_sums(b_pred),
                       _match_row_counts(b_gt, b_pred, radius),
                       _match_row_counts(b_pred, b_gt, radius),
                       inter, union])                                 # (6, rows)
    return np.add.reduceat(counts, starts[:-1], axis=1)


def video_jf(gt: np.ndarray, pred: np.ndarray, radius: int) -> Tuple[np.ndarray, np.ndarray]:
    """J and boundary F of every frame of a video (bool (T, H, W) gt and pred).

    Both come from the same crops (all pixels of gt | pred lie in them), so J
    costs almost nothing on top of F.

    Returns:
        tuple[np.ndarray, np.ndarray]: (T,) float64 J and F; frames where both
        masks are empty get 1.
    """
    j = np.ones(gt.shape[0], np.float64)
    f = np.ones(gt.shape[0], np.float64)
    boxes = _crop_boxes(gt, pred)
    # chunks of frames with similar crop widths (the canvas is as wide as the
    # widest crop of its chunk) and a bounded canvas size
    boxes.sort(key=lambda box: box[4] - box[3])
    chunks, current, area = [], [], 0
    for box in boxes:
        width = box[4] - box[3]
        box_area = (box[2] - box[1] + radius) * width
        if current and (area + box_area > _MAX_CANVAS
                        or width > 1.25 * (current[0][4] - current[0][3]) + 16):
            chunks.append(current)
            current, area = [], 0
        current.append(box)
        area += box_area
    if current:
        chunks.append(current)
    for chunk in chunks:
        n_gt, n_pred, gt_match, pred_match, inter, union = _chunk_counts(gt, pred, chunk, radius)
        frames = [box[0] for box in chunk]
        precision = np.ones(len(chunk))
        recall = np.ones(len(chunk))
        # n_pred = 0 -> P = 1 (R = 0 if n_gt > 0); n_gt = 0 -> R = 1 (P = 0 if n_pred > 0)
        np.divide(pred_match, n_pred, out=precision, where=n_pred > 0)
        np.divide(gt_match, n_gt, out=recall, where=n_gt > 0)
        denom = precision + recall
        frame_f = np.zeros(len(chunk))
        np.divide(2 * precision * recall, denom, out=frame_f, where=denom > 0)
        f[frames] = frame_f
        frame_j = np.ones(len(chunk))
        np.divide(inter, union, out=frame_j, where=union > 0)
        j[frames] = frame_j
    return j, f


def video_boundary_f(gt: np.ndarray, pred: np.ndarray, radius: int) -> np.ndarray:
    """Boundary F of every frame of a video (bool (T, H, W) gt and pred)."""
    return video_jf(gt, pred, radius)[1]
