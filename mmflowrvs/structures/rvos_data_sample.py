"""The data sample that carries one (video, expression) pair through mmflowrvs."""
import torch
from mmengine.structures import BaseDataElement


def tensor_field(name: str, doc: str) -> property:
    """A data field that only takes tensors, as mmdet's data samples declare theirs.

    Args:
        name (str): The field's name; the value is kept in ``_<name>``.
        doc (str): What the field holds.
    """
    private = f'_{name}'

    def get(self) -> torch.Tensor:
        return getattr(self, private)

    def set(self, value: torch.Tensor) -> None:
        self.set_field(value, private, dtype=torch.Tensor)

    def delete(self) -> None:
        delattr(self, private)

    return property(get, set, delete, doc)


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

    gt_masks = tensor_field('gt_masks', '(T, H, W) target mask (bool).')
    pred_masks = tensor_field('pred_masks', '(T, H, W) predicted mask at ori_shape (bool).')
    pred_scores = tensor_field('pred_scores',
                               '(T, H, W) float16 foreground probability at ori_shape.')
