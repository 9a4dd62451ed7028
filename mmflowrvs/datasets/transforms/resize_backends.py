"""Frame and mask resizing with a choice of backend (the reference's PIL or OpenCV).

The reference resizes frames with PIL (``Image.resize(..., BILINEAR)``, which
antialiases when it shrinks) and masks with ``torch.nn.functional.interpolate``
in ``'nearest'`` mode. ``backend='pil'`` reproduces its frames bit for bit;
``'cv2'`` is faster and samples differently. Masks always follow torch's nearest
rule (source index ``floor(dst * in / out)``, computed in float32).
"""
from typing import List, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image

BACKENDS = ('pil', 'cv2')
_CV2 = dict(nearest=cv2.INTER_NEAREST, bilinear=cv2.INTER_LINEAR, area=cv2.INTER_AREA,
            bicubic=cv2.INTER_CUBIC)
_PIL = dict(nearest=Image.NEAREST, bilinear=Image.BILINEAR, bicubic=Image.BICUBIC,
            area=Image.BOX)


def check_backend(backend: str, interpolation: str) -> None:
    """Raises a ValueError naming the option when either value is unknown."""
    if backend not in BACKENDS:
        raise ValueError(f"resize backend must be one of {BACKENDS}, got {backend!r}")
    if interpolation not in _CV2:
        raise ValueError(f'interpolation must be one of {sorted(_CV2)}, got {interpolation!r}')


def resize_frames(imgs: Sequence[np.ndarray], hw: Tuple[int, int], interpolation: str = 'bilinear',
                  backend: str = 'cv2') -> List[np.ndarray]:
    """Resizes (H, W, 3) uint8 frames to ``hw``; frames already at ``hw`` are kept."""
    h, w = hw
    out = []
    for img in imgs:
        if img.shape[:2] == (h, w):
            out.append(img)
        elif backend == 'pil':
            out.append(np.asarray(Image.fromarray(img).resize((w, h), _PIL[interpolation])))
        else:
            out.append(cv2.resize(img, (w, h), interpolation=_CV2[interpolation]))
    return out


def nearest_indices(size_in: int, size_out: int) -> np.ndarray:
    """torch's ``'nearest'`` source indices: ``min(floor(i * (in / out)), in - 1)`` in fp32."""
    scale = np.float32(size_in) / np.float32(size_out)
    idx = np.floor(np.arange(size_out, dtype=np.float32) * scale).astype(np.int64)
    return np.minimum(idx, size_in - 1)


def resize_masks_nearest(masks: np.ndarray, hw: Tuple[int, int]) -> np.ndarray:
    """(N, H, W) bool masks to (N, h, w) as ``F.interpolate(mode='nearest')`` computes."""
    h, w = hw
    if masks.shape[1:] == (h, w):
        return masks
    rows = nearest_indices(masks.shape[1], h)
    cols = nearest_indices(masks.shape[2], w)
    return np.ascontiguousarray(masks[:, rows][:, :, cols])
