"""Frames already in memory (a user's video in ``inference_rvos``) entering a test pipeline."""
from mmflowrvs.registry import TRANSFORMS

from ..data_errors import RVOSDataError, describe
from .base import RVOSTransform
from .loading import clip_indices


@TRANSFORMS.register_module()
class LoadRVOSFramesFromNDArray(RVOSTransform):
    """Takes the clip's frames from ``results['frames']`` instead of reading files.

    The in-memory counterpart of :class:`LoadRVOSFrames` (as mmdet's
    ``LoadImageFromNDArray`` is of ``LoadImageFromFile``): ``inference_rvos`` puts
    it in place of the file loader of the config's test pipeline, so a user's video
    goes through the same frame selection, resize and packing as the benchmarks.

    Required keys: ``frames`` (list of (H, W, 3) RGB uint8 arrays, one per listed
    frame), ``frame_ids``, ``frame_inds`` (optional: all frames). Added keys:
    ``imgs`` (the clip's frames; the list holds the caller's arrays, which the
    later transforms do not write into), ``ori_shape``, ``img_shape``.
    """

    def transform(self, results: dict) -> dict:
        frames = results.get('frames')
        if frames is None:
            raise RVOSDataError(f"{describe(results)}: LoadRVOSFramesFromNDArray needs "
                                "results['frames']")
        inds = clip_indices(results)
        if not inds:
            raise RVOSDataError(f'{describe(results)}: the clip has no frames')
        if max(inds) >= len(frames):
            raise RVOSDataError(f'{describe(results)}: frame index {max(inds)} past the '
                                f'{len(frames)} frames given')
        imgs = [frames[i] for i in inds]
        results['imgs'] = imgs
        results['ori_shape'] = imgs[0].shape[:2]
        results['img_shape'] = imgs[0].shape[:2]
        return results
