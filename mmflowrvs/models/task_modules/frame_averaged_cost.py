"""A match cost for instance sequences: a per-frame mmdet cost averaged over frames."""
from typing import Optional, Sequence

import torch
from mmengine.structures import InstanceData

from mmflowrvs.registry import TASK_UTILS


@TASK_UTILS.register_module()
class FrameAveragedCost:
    """Averages an mmdet match cost over the frames where the target is visible.

    For video-level (instance sequence) matching as in ReferFormer: a prediction is a
    query across the clip's T frames, a target an object across the same frames. Fields
    named in ``frame_fields`` hold one entry per frame in dim 1 (predictions (Q, T, ...),
    targets (G, T, ...)). The wrapped cost (e.g. ``mmdet.FocalLossCost`` on ``scores``,
    ``mmdet.BBoxL1Cost`` / ``mmdet.IoUCost`` on ``bboxes``) prices every (query, frame)
    against every (target, frame) in one call; the same-frame pairs are averaged over the
    frames where ``gt_instances.valid`` (G, T) is True (0 for a target visible in no
    frame).

    Args:
        cost (dict): The per-frame cost, e.g. ``dict(type='mmdet.IoUCost', weight=2.0)``.
        frame_fields (Sequence[str]): Per-frame fields. Defaults to scores and bboxes.
    """

    def __init__(self, cost: dict, frame_fields: Sequence[str] = ('scores', 'bboxes')) -> None:
        self.cost = TASK_UTILS.build(cost)
        self.frame_fields = tuple(frame_fields)

    def _flatten(self, instances: InstanceData, num_frames: int) -> InstanceData:
        """(K, T, ...) per-frame fields -> (K*T, ...); labels repeated per frame."""
        fields = {k: instances.get(k).flatten(0, 1) for k in self.frame_fields
                  if k in instances}
        if 'labels' in instances:
            fields['labels'] = instances.labels.repeat_interleave(num_frames)
        return InstanceData(**fields)

    def __call__(self, pred_instances: InstanceData, gt_instances: InstanceData,
                 img_meta: Optional[dict] = None, **kwargs) -> torch.Tensor:
        """Returns the (Q, G) cost matrix."""
        if 'valid' not in gt_instances:
            raise KeyError('FrameAveragedCost needs gt_instances.valid (G, T)')
        valid = gt_instances.valid.float()  # (G, T)
        num_q, (num_g, num_t) = len(pred_instances), valid.shape
        # one call on all (query, frame) x (target, frame) pairs; keep same-frame pairs
        cost = self.cost(self._flatten(pred_instances, num_t),
                         self._flatten(gt_instances, num_t), img_meta=img_meta)
        cost = cost.view(num_q, num_t, num_g, num_t).diagonal(dim1=1, dim2=3)  # (Q, G, T)
        return (cost * valid[None]).sum(-1) / valid.sum(1).clamp(min=1)[None]
