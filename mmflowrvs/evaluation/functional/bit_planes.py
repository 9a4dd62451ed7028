"""Frame bit planes: 8 frames of a mask in one byte per pixel, and their counts.

A *plane* holds up to 8 frames of a mask in one uint8 array: bit ``i`` of a
byte is the pixel of frame ``i`` of the group. Every bitwise operation on a
plane then serves 8 frames at once, and spatial shifts stay plain slices.

Counting the set pixels of each frame of a plane (the bit positions, or
*lanes*) is the one operation that does not serve 8 frames at once, so it is
done on as few bytes as possible:

* :func:`lane_counts` counts the lanes of a byte array: one AND with a
  constant ``1 << i`` array and one OpenCV non-zero count per lane (both
  vectorised), or one 256-bin histogram for short arrays;
* :func:`sparse_lane_counts` first keeps only the non-zero 8-byte words of
  the planes (boundary maps, differences of masks and the matches between
  boundaries are sparse: 5-10 % of the words of their crop for the
  benchmark's half-frame objects), then
  counts those.
"""
from functools import lru_cache
from typing import Optional, Tuple

import cv2
import numpy as np

__all__ = ['pack_frames', 'lane_counts', 'sparse_lane_counts', 'round8']

LANES = 8            # frames per byte plane (bit positions)
SMALL = 4096         # arrays up to this many bytes are counted with a histogram

# BIT_TABLE[v, i] = bit i of the byte value v
BIT_TABLE = ((np.arange(256)[:, None] >> np.arange(LANES)) & 1).astype(np.int64)


def round8(length: int) -> int:
    """``length`` rounded up to a multiple of 8 (whole uint64 words)."""
    return (length + 7) & ~7


def pack_frames(frames: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Packs up to 8 bool frames into one byte plane: bit i = frame i.

    Horner's scheme from the last frame down, ``out = 2 * out | frame``: one
    pass over each frame, and no byte ever carries into the next (before a
    doubling a byte's highest set bit is at most bit 6), so 8 pixels at a
    time go through 64-bit operations. Each frame is counted just before it is
    packed, so that the packing reads it from the cache: the count is almost
    free, reading the frames being most of the packing's cost.

    Args:
        frames (np.ndarray): C-contiguous bool (n, P) frames, 1 <= n <= 8.
        out (np.ndarray): uint8 (P,) result.

    Returns:
        np.ndarray: (n,) int64 set pixels of each frame.
    """
    wide = frames.shape[1] % 8 == 0
    src = frames.view(np.uint64 if wide else np.uint8)
    dst = out.view(np.uint64) if wide else out
    counts = np.empty(len(frames), np.int64)
    for i in range(len(frames) - 1, -1, -1):
        counts[i] = cv2.countNonZero(frames[i].view(np.uint8).reshape(1, -1))
        if i == len(frames) - 1:
            np.copyto(dst, src[i])
        else:
            np.add(dst, dst, out=dst)
            np.bitwise_or(dst, src[i], out=dst)
    return counts


@lru_cache(maxsize=2)
def _bit_masks(length: int) -> Tuple[np.ndarray, ...]:
    """Constant (1, length) uint8 rows 1 << i, i = 0..7 (read-only)."""
    masks = tuple(np.full((1, length), 1 << i, np.uint8) for i in range(LANES))
    for mask in masks:
        mask.flags.writeable = False
    return masks


def lane_counts(plane: np.ndarray, num_frames: int,
                tmp: Optional[np.ndarray] = None) -> np.ndarray:
    """Set bits of each bit position (frame) of a byte array.

    Args:
        plane (np.ndarray): uint8 (L,) array.
        num_frames (int): how many bit positions (frames) to count.
        tmp (np.ndarray, optional): uint8 (>= L,) scratch.

    Returns:
        np.ndarray: (num_frames,) int64 counts.
    """
    length = len(plane)
    if length <= SMALL:
        return np.bincount(plane, minlength=256) @ BIT_TABLE[:, :num_frames]
    masks = _bit_masks(max(4096, 1 << (length - 1).bit_length()))   # few sizes
    if tmp is None:
        tmp = np.empty(length, np.uint8)
    row, scratch = plane.reshape(1, length), tmp[:length].reshape(1, length)   # one OpenCV row
    return np.array([
        cv2.countNonZero(cv2.bitwise_and(row, masks[i][:, :length], dst=scratch))
        for i in range(num_frames)], np.int64)


def sparse_lane_counts(targets: np.ndarray, num_frames: int,
                       cover: Optional[np.ndarray] = None
                       ) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Lane counts of a sparse plane and, optionally, of its AND with another.

    Only the non-zero 8-byte words of ``targets`` are kept (one comparison and
    one compression of the words), so the counts cost little for sparse
    planes whatever their size.

    Args:
        targets (np.ndarray): uint8 (L,) plane, L a multiple of 8.
        num_frames (int): how many lanes to count.
        cover (np.ndarray, optional): uint8 (L,) plane; ``targets & cover``
            is counted too.

    Returns:
        tuple[np.ndarray, np.ndarray]: (num_frames,) int64 counts of
        ``targets`` and of ``targets & cover`` (None without ``cover``).
    """
    words = targets.view(np.uint64)
    keep = words != 0
    kept = words[keep]
    counts = lane_counts(kept.view(np.uint8), num_frames)
    if cover is None:
        return counts, None
    both = cover.view(np.uint64)[keep]
    both &= kept
    return counts, lane_counts(both.view(np.uint8), num_frames)
