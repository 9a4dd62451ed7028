"""The data sample that carries one (video, expression) pair through mmflowrvs."""
from typing import Optional

import torch
from mmengine.structures import BaseDataElement


class RVOSDataSample(BaseDataElement):
    """One referring expression on one video clip: the unit of data in mmflowrvs.

    Datasets' pipelines pack it, the model reads and fills it, metrics,
    visualisers and submission writers consume it.

    Metainfo keys (set by the packing transform; a dataset may add more):
        video_id (str): video folder name.
        exp_id (str): expression id as in the dataset's json (a string).
        expression (str): the referring sentence.
        frame_ids (list[str]): file stems of the clip's frames, in clip order.
        frame_inds (list[int]): indices of those frames in the video's frame list.
        num_frames (int): T, the number of frames in the clip.
        ori_shape (tuple[int, int]): (H, W) of the original frames.
        img_shape (tuple[int, int]): (H, W) of ``inputs`` after the pipeline.
        no_target (bool): True if the expression refers to nothing (MeViS v2).
        anno_index (int, optional): Ref-DAVIS annotator ``a`` in 0..3.
        obj_ids (list[int], optional): object ids the expression refers to.

    Data fields:
        gt_masks (torch.BoolTensor): (T, H, W) target mask. At ``img_shape`` in
            training pipelines; test pipelines keep it at ``ori_shape``.
        pred_masks (torch.BoolTensor): (T, H, W) predicted mask at ``ori_shape``.
        pred_scores (torch.Tensor, optional): (T, H, W) float16 foreground
            probability at ``ori_shape`` (only when the model is asked for it).
    """

    @property
    def gt_masks(self) -> torch.Tensor:
        return self._gt_masks

    @gt_masks.setter
    def gt_masks(self, value: torch.Tensor) -> None:
        self.set_field(value, '_gt_masks', dtype=torch.Tensor)

    @gt_masks.deleter
    def gt_masks(self) -> None:
        del self._gt_masks

    @property
    def pred_masks(self) -> torch.Tensor:
        return self._pred_masks

    @pred_masks.setter
    def pred_masks(self, value: torch.Tensor) -> None:
        self.set_field(value, '_pred_masks', dtype=torch.Tensor)

    @pred_masks.deleter
    def pred_masks(self) -> None:
        del self._pred_masks

    @property
    def pred_scores(self) -> Optional[torch.Tensor]:
        return self._pred_scores

    @pred_scores.setter
    def pred_scores(self, value: torch.Tensor) -> None:
        self.set_field(value, '_pred_scores', dtype=torch.Tensor)

    @pred_scores.deleter
    def pred_scores(self) -> None:
        del self._pred_scores
