"""Resizing, cropping and flipping of clips (all frames of a clip alike)."""
import random
from typing import Optional, Sequence, Tuple

import numpy as np

from mmflowrvs.registry import TRANSFORMS

from ..text_utils import swap_left_right
from .base import RVOSTransform
from .loading import masks_to_img_shape
from .resize_backends import check_backend, resize_frames, resize_masks_nearest


def short_side_size(hw: Tuple[int, int], short: int, max_size: Optional[int],
                    divisor: int = 1) -> Tuple[int, int]:
    """(h, w) with the short side ``short`` (long side capped at ``max_size``), floored.

    Args:
        hw (tuple[int, int]): Input (h, w).
        short (int): Target short side.
        max_size (int, optional): Cap on the long side (the short side shrinks).
        divisor (int): Sizes are floored to multiples of it (>= divisor).

    Returns:
        tuple[int, int]: Output (h, w).
    """
    h, w = hw
    lo, hi = min(h, w), max(h, w)
    if max_size is not None and hi / lo * short > max_size:
        short = int(round(max_size * lo / hi))
    if w < h:
        ow, oh = short, int(short * h / w)
    else:
        oh, ow = short, int(short * w / h)
    return max(divisor, oh // divisor * divisor), max(divisor, ow // divisor * divisor)


@TRANSFORMS.register_module()
class ReferenceTrainResize(RVOSTransform):
    """The reference training resize/crop (docs/datasets.md, "Training clips and resizing").

    With probability ``1 - crop_prob``: short side ``random(short_sizes)`` with
    the long side <= ``max_size``. Otherwise, as the reference does it, in
    three steps: resize to short side ``random(pre_sizes)``; crop a random
    h x w window, each side in U[crop_min, min(side, crop_max)]; resize the
    crop as in the first branch. Every resize floors its output size to
    multiples of ``size_divisor`` (the crop sizes are not floored), so the
    pre-resized frames, not the original ones, are cropped. Frames bilinear,
    masks nearest, all frames of the clip alike.

    Args:
        short_sizes (Sequence[int]): Defaults to (480, ).
        max_size (int): Defaults to 832.
        crop_prob (float): Probability of the crop branch. Defaults to 0.5.
        pre_sizes (Sequence[int]): Defaults to (400, 500, 600).
        crop_range (tuple[int, int]): Defaults to (384, 600). A side shorter
            than ``crop_range[0]`` is kept whole.
        size_divisor (int): Defaults to 32.
        interpolation (str): Frames' interpolation. Defaults to 'bilinear'.
        backend (str): Frames' resize backend, ``'pil'`` (the reference's, bit
            for bit) or ``'cv2'``. Defaults to 'cv2'. Masks: torch's nearest rule.
        keep_target (bool): Our addition (not specified by the reference):
            draw up to ``max_crop_tries`` crops and keep the first where a
            target visible before the crop stays visible in some frame; if none
            does, take the branch without crop. Defaults to True.
        max_crop_tries (int): Defaults to 10.

    Modified keys: ``imgs``, ``gt_masks``, ``img_shape``; added ``crop_box``
    ((x1, y1, x2, y2) in pixels of the pre-resized frames, or None) and
    ``pre_resize_shape`` ((h, w) of the pre-resized frames, or None).
    """

    def __init__(self, short_sizes: Sequence[int] = (480, ), max_size: int = 832,
                 crop_prob: float = 0.5, pre_sizes: Sequence[int] = (400, 500, 600),
                 crop_range: Tuple[int, int] = (384, 600), size_divisor: int = 32,
                 interpolation: str = 'bilinear', keep_target: bool = True,
                 max_crop_tries: int = 10, backend: str = 'cv2') -> None:
        check_backend(backend, interpolation)
        self.backend = backend
        self.keep_target = keep_target
        self.max_crop_tries = max_crop_tries
        self.short_sizes = tuple(short_sizes)
        self.max_size = max_size
        self.crop_prob = crop_prob
        self.pre_sizes = tuple(pre_sizes)
        self.crop_range = tuple(crop_range)
        self.size_divisor = size_divisor
        self.interpolation = interpolation

    def _crop_box(self, hw: Tuple[int, int]) -> Tuple[int, int, int, int]:
        """A random (x1, y1, x2, y2) window of an (h, w) frame."""
        h, w = hw
        lo, hi = self.crop_range
        cw = random.randint(min(lo, w), min(w, hi))
        ch = random.randint(min(lo, h), min(h, hi))
        top, left = random.randint(0, h - ch), random.randint(0, w - cw)
        return left, top, left + cw, top + ch

    def _choose_box(self, hw: Tuple[int, int],
                    masks: Optional[np.ndarray]) -> Optional[Tuple[int, int, int, int]]:
        if not self.keep_target or masks is None or not masks.any():
            return self._crop_box(hw)
        for _ in range(self.max_crop_tries):
            x1, y1, x2, y2 = box = self._crop_box(hw)
            if masks[:, y1:y2, x1:x2].any():
                return box
        return None

    def transform(self, results: dict) -> dict:
        masks_to_img_shape(results)
        hw = tuple(results['img_shape'])
        imgs, masks = results['imgs'], results.get('gt_masks')
        box = pre_hw = None
        if random.random() < self.crop_prob:
            pre_hw = short_side_size(hw, random.choice(self.pre_sizes), None,
                                     self.size_divisor)
            pre_masks = resize_masks_nearest(masks, pre_hw) if masks is not None else None
            box = self._choose_box(pre_hw, pre_masks)
            if box is None:  # no crop keeps the target: the branch without crop
                pre_hw = None
            else:
                x1, y1, x2, y2 = box
                imgs = [img[y1:y2, x1:x2]
                        for img in resize_frames(imgs, pre_hw, self.interpolation, self.backend)]
                masks = pre_masks[:, y1:y2, x1:x2] if pre_masks is not None else None
                hw = (y2 - y1, x2 - x1)
        out = short_side_size(hw, random.choice(self.short_sizes), self.max_size,
                              self.size_divisor)
        results['imgs'] = resize_frames(imgs, out, self.interpolation, self.backend)
        if masks is not None:
            results['gt_masks'] = resize_masks_nearest(masks, out)
        results['img_shape'] = out
        results['crop_box'] = box
        results['pre_resize_shape'] = pre_hw
        return results


@TRANSFORMS.register_module()
class InferenceResize(RVOSTransform):
    """Fits the frames inside ``max_hw`` keeping the aspect ratio, floored to ``size_divisor``.

    The reference inference size: inside 480 x 832 (h x w), multiples of 16.
    Only the frames are resized; ``gt_masks`` stay at ``ori_shape`` (metrics
    compare at the original size) unless ``resize_masks``.

    Args:
        max_hw (tuple[int, int]): Defaults to (480, 832).
        size_divisor (int): Defaults to 16.
        allow_upscale (bool): Whether smaller videos are enlarged to fit.
            Defaults to True (the reference scales to the box either way).
        resize_masks (bool): Defaults to False.
        interpolation (str): Defaults to 'bilinear'.
        backend (str): Frames' resize backend, ``'pil'`` (the reference's, bit
            for bit) or ``'cv2'``. Defaults to 'cv2'.
    """

    def __init__(self, max_hw: Tuple[int, int] = (480, 832), size_divisor: int = 16,
                 allow_upscale: bool = True, resize_masks: bool = False,
                 interpolation: str = 'bilinear', backend: str = 'cv2') -> None:
        check_backend(backend, interpolation)
        self.backend = backend
        self.max_hw = tuple(max_hw)
        self.size_divisor = size_divisor
        self.allow_upscale = allow_upscale
        self.resize_masks = resize_masks
        self.interpolation = interpolation

    def out_size(self, hw: Tuple[int, int]) -> Tuple[int, int]:
        """Output (h, w) for an input (h, w)."""
        scale = min(self.max_hw[0] / hw[0], self.max_hw[1] / hw[1])
        if not self.allow_upscale:
            scale = min(scale, 1.0)
        d = self.size_divisor
        return (max(d, int(hw[0] * scale) // d * d), max(d, int(hw[1] * scale) // d * d))

    def transform(self, results: dict) -> dict:
        out = self.out_size(tuple(results['ori_shape']))
        results['imgs'] = resize_frames(results['imgs'], out, self.interpolation, self.backend)
        if self.resize_masks and results.get('gt_masks') is not None:
            results['gt_masks'] = resize_masks_nearest(results['gt_masks'], out)
        results['img_shape'] = out
        return results


@TRANSFORMS.register_module()
class RVOSRandomFlip(RVOSTransform):
    """Horizontal flip of the whole clip; swaps "left"/"right" in the expression.

    Args:
        prob (float): Defaults to 0.5.

    Modified keys: ``imgs``, ``gt_masks``, ``expression``; added ``flip``.
    """

    def __init__(self, prob: float = 0.5) -> None:
        self.prob = prob

    def transform(self, results: dict) -> dict:
        flip = random.random() < self.prob
        results['flip'] = flip
        if not flip:
            return results
        masks_to_img_shape(results)
        results['imgs'] = [np.ascontiguousarray(img[:, ::-1]) for img in results['imgs']]
        if results.get('gt_masks') is not None:
            results['gt_masks'] = np.ascontiguousarray(results['gt_masks'][:, :, ::-1])
        results['expression'] = swap_left_right(results['expression'])
        return results
