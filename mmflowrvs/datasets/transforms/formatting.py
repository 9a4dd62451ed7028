"""Packing of a clip into ``dict(inputs, data_samples)`` for the model."""
from typing import Sequence

import numpy as np
import torch

from mmflowrvs.registry import TRANSFORMS
from mmflowrvs.structures import RVOSDataSample, RVOSVideoDataSample

from .base import RVOSTransform
from .loading import clip_indices

_OPTIONAL_KEYS = ('anno_index', 'category', 'reversed', 'crop_box', 'pre_resize_shape',
                  'anchor')


@TRANSFORMS.register_module()
class PackRVOSInputs(RVOSTransform):
    """Packs ``imgs`` / ``gt_masks`` and the metainfo into an :class:`RVOSDataSample`.

    Output: ``dict(inputs=uint8 tensor (T, 3, H, W) RGB, data_samples=RVOSDataSample)``.
    Metainfo: video_id, exp_id, expression, frame_ids (stems in clip order),
    frame_inds, num_frames, ori_shape, img_shape, no_target, obj_ids, flip and,
    when known, anno_index, category, reversed, crop_box, pre_resize_shape, anchor (plus
    ``meta_keys``). ``gt_masks``: torch bool (T, H, W) when the sample has GT.

    A video-level item (``expressions``: one dict per expression, from
    ``BaseRVOSDataset(video_level=True)`` or ``inference_rvos``) packs the frames
    once and ``data_samples`` as one :class:`RVOSVideoDataSample` holding a sample
    per expression in order, each with the metainfo above (its own exp_id,
    expression, obj_ids, masks...) plus ``video_level=True``; the model runs them
    all on the one encoded video.

    Args:
        meta_keys (Sequence[str]): Extra result keys copied into the metainfo.
    """

    def __init__(self, meta_keys: Sequence[str] = ()) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        imgs = np.stack(results['imgs'])  # (T, H, W, 3)
        inputs = torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous()  # (T, 3, H, W)
        if 'expressions' not in results:
            return dict(inputs=inputs, data_samples=self._sample(results, inputs))
        if not results['expressions']:
            raise ValueError(f"video '{results.get('video_id')}' has no expression to pack")
        samples = []
        for exp in results['expressions']:
            sample = self._sample(dict(results, **exp), inputs)
            sample.set_metainfo(dict(video_level=True))
            samples.append(sample)
        video = RVOSVideoDataSample(metainfo=dict(video_id=str(results['video_id']),
                                                  num_expressions=len(samples)))
        video.expression_samples = samples
        return dict(inputs=inputs, data_samples=video)

    def _sample(self, results: dict, inputs: torch.Tensor) -> RVOSDataSample:
        """One expression's data sample (its masks and metainfo)."""
        inds = clip_indices(results)
        meta = dict(
            video_id=str(results['video_id']),
            exp_id=str(results['exp_id']),
            expression=results['expression'],
            frame_ids=[results['frame_ids'][i] for i in inds],
            frame_inds=[int(i) for i in inds],
            num_frames=len(inds),
            ori_shape=tuple(int(s) for s in results['ori_shape']),
            img_shape=tuple(int(s) for s in inputs.shape[2:]),
            no_target=bool(results.get('no_target', False)),
            obj_ids=list(results.get('obj_ids', [])),
            flip=bool(results.get('flip', False)))
        for key in _OPTIONAL_KEYS + self.meta_keys:
            if key in results and results[key] is not None:
                meta[key] = results[key]
        sample = RVOSDataSample(metainfo=meta)
        masks = results.get('gt_masks')
        if masks is not None:
            sample.gt_masks = torch.from_numpy(np.ascontiguousarray(masks, dtype=bool))
        return sample
