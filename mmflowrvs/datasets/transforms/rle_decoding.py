"""Decoding of one COCO RLE, refusing counts that do not cover the mask.

pycocotools raises "Invalid RLE mask representation" for counts that run past the
mask, but counts that stop short (an empty or cut string) decode without an error
into uninitialised memory: a silently wrong mask. The run lengths are checked to
sum to H x W first.
"""
from typing import List

import numpy as np
from pycocotools import mask as mask_utils


def counts_from_string(counts: bytes) -> List[int]:
    """The run lengths of a compressed COCO RLE string (pycocotools' ``rleFrString``).

    Raises:
        ValueError: The string ends inside a number or holds bytes outside the
            alphabet (``'0'`` .. ``'o'``).
    """
    runs: List[int] = []
    pos = 0
    while pos < len(counts):
        value, shift, more = 0, 0, True
        while more:
            if pos >= len(counts):
                raise ValueError('the counts string ends inside a run length')
            c = counts[pos] - 48
            if not 0 <= c < 64:
                raise ValueError(f'byte {counts[pos]!r} at {pos} is not an RLE character')
            value |= (c & 0x1f) << shift
            more = bool(c & 0x20)
            pos += 1
            shift += 5
            if not more and c & 0x10:
                value |= -1 << shift
        if len(runs) > 2:
            value += runs[-2]
        runs.append(value)
    return runs


def decode_rle(rle: dict) -> np.ndarray:
    """(H, W) uint8 of one COCO RLE (``counts`` a str, bytes or list of ints).

    Raises:
        ValueError: Run lengths that are negative or do not sum to H x W.
        TypeError: ``counts`` of another type.
    """
    h, w = (int(v) for v in rle['size'])
    counts = rle['counts']
    if isinstance(counts, str):
        counts = counts.encode('ascii')
    if isinstance(counts, bytes):
        runs = counts_from_string(counts)
        coco = dict(size=[h, w], counts=counts)
    elif isinstance(counts, list):  # uncompressed RLE
        runs = [int(c) for c in counts]
        coco = mask_utils.frPyObjects(dict(size=[h, w], counts=runs), h, w)
    else:
        raise TypeError(f'RLE counts must be a string or a list, got {type(counts).__name__}')
    if any(r < 0 for r in runs) or sum(runs) != h * w:
        raise ValueError(f'run lengths sum to {sum(runs)} (negative: '
                         f'{sum(r < 0 for r in runs)}), the {h}x{w} mask has {h * w} pixels')
    return mask_utils.decode(coco)
