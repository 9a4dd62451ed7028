"""Loading of a clip's frames (JPEG) and masks (COCO RLE or palette PNG), lazily per clip."""
import os.path as osp
from typing import List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from PIL import Image

from mmflowrvs.registry import TRANSFORMS
from mmflowrvs.utils.lru_cache import LRUCache

from ..data_errors import RVOSDataError, describe
from .base import RVOSTransform
from .frame_file import read_rgb_frame
from .resize_backends import resize_masks_nearest
from .rle_decoding import decode_rle

_REDUCED_FLAGS = {2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
                  8: cv2.IMREAD_REDUCED_COLOR_8}


def clip_indices(results: dict) -> List[int]:
    """The clip's frame indices (all listed frames when no sampler ran)."""
    inds = results.get('frame_inds')
    if inds is None:
        inds = list(range(len(results['frame_ids'])))
        results['frame_inds'] = inds
    return list(inds)


@TRANSFORMS.register_module()
class LoadRVOSFrames(RVOSTransform):
    """Reads the clip's frames ``<frame_dir>/<frame_id><ext>`` as RGB uint8.

    Required keys: ``frame_dir``, ``frame_ids``, ``frame_inds`` (optional: all
    frames). Added keys: ``imgs`` (list of (H, W, 3) RGB uint8), ``ori_shape``
    (H, W of the files), ``img_shape`` (H, W of ``imgs``).

    Args:
        ext (str): Frame file extension. Defaults to ``'.jpg'``.
        min_size (tuple[int, int], optional): (h, w) the later resize needs at
            least. When set, frames are decoded at 1/2, 1/4 or 1/8 scale by
            libjpeg (``cv2.IMREAD_REDUCED_COLOR_*``, much faster) as long as
            the reduced frame stays >= ``min_size``. Masks keep ``ori_shape``;
            the geometric transforms bring them to ``img_shape``.
        cache_frames (int): Keep up to this many decoded frames in memory (least
            recently used dropped first; 0: none). For small datasets read many
            times over (the quickstart's 1024 videos of 9 frames of 64x64: 113 MB),
            where decoding is a large part of an iteration. Each dataloader worker
            holds its own cache; the transforms after this one get copies.
    """

    def __init__(self, ext: str = '.jpg', min_size: Optional[Sequence[int]] = None,
                 cache_frames: int = 0) -> None:
        if cache_frames < 0:
            raise ValueError(f'cache_frames must be >= 0, got {cache_frames}')
        self.ext = ext
        self.min_size = tuple(min_size) if min_size is not None else None
        self.cache_frames = cache_frames
        self._frames: LRUCache[np.ndarray] = LRUCache(cache_frames)

    @staticmethod
    def _decode(path: str, flag: int, results: dict) -> np.ndarray:
        """(H, W, 3) RGB uint8 of one frame file."""
        try:
            return read_rgb_frame(path, flag)
        except (OSError, ValueError) as err:  # missing, corrupt or truncated
            raise RVOSDataError(f'{describe(results)}: {err}') from err

    def _read(self, paths: List[str], flag: int, results: dict) -> List[np.ndarray]:
        """The frames of ``paths``, decoded or from the cache; the caller owns them."""
        if not self.cache_frames:
            return [self._decode(path, flag, results) for path in paths]
        imgs = self._frames.get_or_compute(
            [(path, flag) for path in paths],
            lambda idx: [self._decode(paths[i], flag, results) for i in idx])
        # copies: a later transform writing in place must not reach the cache (or a
        # repeated frame of the same clip)
        return [img.copy() for img in imgs]

    def _factor(self, ori_hw: Tuple[int, int]) -> int:
        if self.min_size is None:
            return 1
        for f in (8, 4, 2):
            if -(-ori_hw[0] // f) >= self.min_size[0] and -(-ori_hw[1] // f) >= self.min_size[1]:
                return f
        return 1

    def transform(self, results: dict) -> dict:
        inds = clip_indices(results)
        paths = [osp.join(results['frame_dir'], results['frame_ids'][i] + self.ext)
                 for i in inds]
        ori_hw = None
        factor = 1
        if self.min_size is not None and paths:
            try:
                with Image.open(paths[0]) as im:
                    ori_hw = (im.height, im.width)
            except (OSError, ValueError) as err:
                raise RVOSDataError(f'{describe(results)}: cannot read frame {paths[0]} '
                                    f'({err})') from err
            factor = self._factor(ori_hw)
        flag = _REDUCED_FLAGS.get(factor, cv2.IMREAD_COLOR)
        imgs = self._read(paths, flag, results)
        for path, img in zip(paths, imgs):
            if img.shape != imgs[0].shape:
                raise RVOSDataError(f'{describe(results)}: frame {path} is {img.shape[:2]}, '
                                    f'the clip\'s first frame {imgs[0].shape[:2]}')
        if not imgs:
            raise RVOSDataError(f"{describe(results)}: no frames in {results['frame_dir']}")
        results['imgs'] = imgs
        results['img_shape'] = imgs[0].shape[:2]
        results['ori_shape'] = ori_hw if factor > 1 else imgs[0].shape[:2]
        results['frame_paths'] = paths
        return results


def decode_rle_union(rles: Sequence[Optional[dict]], hw: Tuple[int, int],
                     where: str) -> np.ndarray:
    """Union of COCO RLEs (None = empty) as an (H, W) bool mask.

    Raises:
        RVOSDataError: If an RLE's ``size`` differs from ``hw``.
    """
    out = np.zeros(hw, dtype=bool)
    for rle in rles:
        if rle is None:
            continue
        if not isinstance(rle, dict) or 'size' not in rle or 'counts' not in rle:
            raise RVOSDataError(f'{where}: not a COCO RLE (a dict with size and counts): '
                                f'{str(rle)[:60]!r}')
        if tuple(rle['size']) != tuple(hw):
            raise RVOSDataError(f"{where}: RLE size {list(rle['size'])} differs from the "
                                f'frame size {list(hw)}')
        try:
            out |= decode_rle(rle).astype(bool)
        except (ValueError, TypeError, UnicodeEncodeError) as err:
            raise RVOSDataError(f"{where}: invalid RLE counts {str(rle['counts'])[:40]!r} "
                                f'({err})') from err
    return out


def read_palette_png(path: str, where: str) -> np.ndarray:
    """Reads a palette ('P') or grey PNG's index values as (H, W) uint8."""
    if not osp.isfile(path):
        raise RVOSDataError(f'{where}: mask file missing: {path}')
    try:
        with Image.open(path) as im:
            if im.mode not in ('P', 'L'):
                raise RVOSDataError(f'{where}: {path} is a {im.mode!r} PNG, expected a '
                                    'palette (P) PNG of object ids')
            return np.array(im)
    except OSError as err:
        raise RVOSDataError(f'{where}: cannot read mask {path} ({err})') from err


@TRANSFORMS.register_module()
class LoadRVOSMasks(RVOSTransform):
    """Decodes the clip's target masks at ``ori_shape`` (run after the frames).

    ``mask_type='rle'`` (MeViS): union over ``anno_ids`` of ``mask_rles[a][i]``;
    ``'png'`` (Ref-YTVOS / Ref-DAVIS): ``<mask_dir>/<frame_id>.png`` in
    ``obj_ids``; ``no_target`` gives all-empty masks; no ``mask_type`` (server
    splits): nothing is added.

    Added keys: ``gt_masks`` ((T, H, W) bool ndarray at ``ori_shape``). On a
    video-level item (``expressions``: one dict per expression, see
    ``BaseRVOSDataset(video_level=True)``) each expression dict gets its own
    ``gt_masks`` instead.
    """

    def transform(self, results: dict) -> dict:
        if 'expressions' in results:
            inds = clip_indices(results)
            for exp in results['expressions']:
                masks = self._decode(dict(results, **exp, frame_inds=inds))
                if masks is not None:
                    exp['gt_masks'] = masks
            return results
        masks = self._decode(results)
        if masks is not None:
            results['gt_masks'] = masks  # (T, H, W) bool
        return results

    @staticmethod
    def _decode(results: dict) -> Optional[np.ndarray]:
        """(T, H, W) bool masks of one expression, None without ``mask_type``."""
        mtype = results.get('mask_type')
        if mtype is None:
            return None
        inds = clip_indices(results)
        hw = tuple(results['ori_shape'])
        where = describe(results)
        if results.get('no_target'):
            masks = np.zeros((len(inds), *hw), dtype=bool)
        elif mtype == 'rle':
            src = results.get('mask_file', 'mask_dict')
            masks = np.stack([
                decode_rle_union([r[i] for r in results['mask_rles']], hw,
                                 f"{where} frame '{results['frame_ids'][i]}' ({src})")
                for i in inds])
        elif mtype == 'png':
            ids = np.array(results['obj_ids'], dtype=np.int64)
            frames = []
            for i in inds:
                path = osp.join(results['mask_dir'], results['frame_ids'][i] + '.png')
                png = read_palette_png(path, where)
                if png.shape != hw:
                    raise RVOSDataError(f'{where}: mask {path} is {list(png.shape)}, the '
                                        f'frames {list(hw)}')
                frames.append(np.isin(png, ids))
            masks = np.stack(frames)
        else:
            raise ValueError(f'unknown mask_type {mtype!r}')
        return masks


def masks_to_img_shape(results: dict) -> None:
    """Resizes ``gt_masks`` (nearest) to ``img_shape`` if frames were decoded reduced."""
    masks: Union[np.ndarray, None] = results.get('gt_masks')
    if masks is None or tuple(masks.shape[1:]) == tuple(results['img_shape']):
        return
    results['gt_masks'] = resize_masks_nearest(masks, tuple(results['img_shape']))
