"""One image + mask -> a T-frame pseudo-video by random affine warps (joint training)."""
import math
import random
from typing import Tuple

import cv2
import numpy as np

from mmflowrvs.registry import TRANSFORMS

from .base import RVOSTransform
from .loading import masks_to_img_shape

_INTERP = dict(nearest=cv2.INTER_NEAREST, bilinear=cv2.INTER_LINEAR, bicubic=cv2.INTER_CUBIC)


def affine_matrix(hw: Tuple[int, int], angle: float, scale: float, shear: float,
                  translate: Tuple[float, float]) -> np.ndarray:
    """The 2 x 3 matrix (source pixel -> output pixel) of one random warp.

    Scale, then shear along x, then rotation, all about the image centre, then a
    translation: ``p' = R(angle) Sh(shear) S(scale) (p - c) + c + t``.

    Args:
        hw (tuple[int, int]): Image (h, w).
        angle (float): Rotation in degrees (counter-clockwise on screen).
        scale (float): Isotropic scale.
        shear (float): Shear angle in degrees (x += tan(shear) * y).
        translate (tuple[float, float]): (tx, ty) in pixels.

    Returns:
        np.ndarray: float64 (2, 3).
    """
    h, w = hw
    cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
    a = math.radians(angle)
    rot = np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])  # y points down
    shr = np.array([[1.0, math.tan(math.radians(shear))], [0.0, 1.0]])
    lin = rot @ shr * scale
    centre = np.array([cx, cy])
    offset = centre + np.asarray(translate, dtype=np.float64) - lin @ centre
    return np.concatenate([lin, offset[:, None]], axis=1)


@TRANSFORMS.register_module()
class ImageToPseudoVideo(RVOSTransform):
    """Turns a 1-frame clip (e.g. from :class:`ImageToRVOSClip`) into a T-frame one.

    Each new frame is the source image under its own random affine warp (rotation,
    scale, shear, translation drawn independently per frame, about the image
    centre); its mask is the source mask under the *same* matrix (nearest), so the
    object moves with the pixels. Pixels warped in from outside the image are
    ``border_value`` in the frames and background in the masks. This is the
    ReferFormer line's way of joint training on RefCOCO/+/g (their augmenter also
    applies a perspective warp, motion blur and colour jitter, which this does not;
    it holds the scale at 1 and has no shear: ``scale=(1, 1), shear=(0, 0)`` with the
    default rotation and translation gives their affine part).

    Frame order: with ``identity_first`` the first frame is the source image
    unchanged (the reference keeps it as one of the frames); with ``shuffle`` the
    frames are then put in random order (as the reference does), so the unchanged
    frame can be any frame. Without ``identity_first``, when no warped frame keeps
    any of a non-empty source mask, the first frame is replaced by the source.

    Required keys: ``imgs`` (one (H, W, 3) uint8 frame), ``gt_masks`` ((1, H, W)
    bool), ``frame_ids``, ``img_shape``. Modified: ``imgs`` (T frames), ``gt_masks``
    ((T, H, W) bool), ``frame_ids`` (``<id>_<k>``, k the warp's draw index),
    ``frame_inds`` (0..T-1). Added: ``pseudo_video_affines`` (float32 (T, 2, 3), the
    source -> frame matrices in clip order).

    Args:
        num_frames (int): T. Defaults to 17 (the reference clip).
        rotation (tuple[float, float]): Degrees. Defaults to (-20, 20).
        scale (tuple[float, float]): Defaults to (0.9, 1.1).
        shear (tuple[float, float]): Degrees. Defaults to (-5, 5).
        translate (tuple[float, float]): Fraction of the width (x) and the height
            (y), each drawn in this range. Defaults to (-0.1, 0.1).
        identity_first (bool): Defaults to True.
        shuffle (bool): Defaults to True.
        interpolation (str): Frames' interpolation ('bilinear', 'bicubic',
            'nearest'). Masks always use nearest. Defaults to 'bilinear'.
        border_value (int): Fill of the frames outside the source. Defaults to 0.
    """

    def __init__(self, num_frames: int = 17, rotation: Tuple[float, float] = (-20.0, 20.0),
                 scale: Tuple[float, float] = (0.9, 1.1), shear: Tuple[float, float] = (-5.0, 5.0),
                 translate: Tuple[float, float] = (-0.1, 0.1), identity_first: bool = True,
                 shuffle: bool = True, interpolation: str = 'bilinear',
                 border_value: int = 0) -> None:
        if num_frames < 1:
            raise ValueError(f'ImageToPseudoVideo: num_frames must be >= 1, got {num_frames}')
        for name, rng in (('rotation', rotation), ('scale', scale), ('shear', shear),
                          ('translate', translate)):
            if len(rng) != 2 or rng[0] > rng[1]:
                raise ValueError(f'ImageToPseudoVideo: {name} must be a (low, high) range, '
                                 f'got {rng!r}')
        if scale[0] <= 0:
            raise ValueError(f'ImageToPseudoVideo: scale must be positive, got {scale!r}')
        if interpolation not in _INTERP:
            raise ValueError(f'ImageToPseudoVideo: interpolation must be one of '
                             f'{sorted(_INTERP)}, got {interpolation!r}')
        self.num_frames = num_frames
        self.rotation = tuple(rotation)
        self.scale = tuple(scale)
        self.shear = tuple(shear)
        self.translate = tuple(translate)
        self.identity_first = identity_first
        self.shuffle = shuffle
        self.interpolation = interpolation
        self.border_value = border_value

    def random_matrix(self, hw: Tuple[int, int]) -> np.ndarray:
        """Draws one warp (2, 3) for an image of size ``hw``."""
        h, w = hw
        return affine_matrix(
            hw, random.uniform(*self.rotation), random.uniform(*self.scale),
            random.uniform(*self.shear),
            (random.uniform(*self.translate) * w, random.uniform(*self.translate) * h))

    def _warp(self, img: np.ndarray, mask: np.ndarray, mat: np.ndarray):
        h, w = img.shape[:2]
        frame = cv2.warpAffine(img, mat, (w, h), flags=_INTERP[self.interpolation],
                               borderMode=cv2.BORDER_CONSTANT,
                               borderValue=(self.border_value, ) * 3)
        warped = cv2.warpAffine(mask.view(np.uint8), mat, (w, h), flags=cv2.INTER_NEAREST,
                                borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        return frame, warped.astype(bool)

    def transform(self, results: dict) -> dict:
        imgs = results['imgs']
        if len(imgs) != 1:
            raise ValueError(f'ImageToPseudoVideo: expects a 1-frame clip, got {len(imgs)} '
                             f"frames (video '{results.get('video_id')}')")
        masks_to_img_shape(results)
        img = imgs[0]
        hw = img.shape[:2]
        mask = results['gt_masks'][0].astype(bool)
        identity = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
        mats = [self.random_matrix(hw) for _ in range(self.num_frames)]
        if self.identity_first:
            mats[0] = identity
        frames, fmasks = zip(*(self._warp(img, mask, m) for m in mats))
        frames, fmasks = list(frames), list(fmasks)
        if self.identity_first:
            frames[0], fmasks[0] = img.copy(), mask.copy()
        elif mask.any() and not any(m.any() for m in fmasks):
            mats[0], frames[0], fmasks[0] = identity, img.copy(), mask.copy()
        order = list(range(self.num_frames))
        if self.shuffle:
            random.shuffle(order)
        stem = results['frame_ids'][0]
        results.update(
            imgs=[frames[k] for k in order],
            gt_masks=np.stack([fmasks[k] for k in order]),  # (T, H, W) bool
            frame_ids=[f'{stem}_{k}' for k in order],
            frame_inds=list(range(self.num_frames)),
            pseudo_video_affines=np.stack([mats[k] for k in order]).astype(np.float32))
        return results
