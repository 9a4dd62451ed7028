"""What every mmflowrvs model shares: the preprocessor, GT masks, output masks."""
from abc import ABCMeta, abstractmethod
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel

from mmflowrvs.structures import RVOSDataSample

from .frozen_state import exclude_from_checkpoints

ForwardResults = Union[Dict[str, torch.Tensor], List[RVOSDataSample], torch.Tensor]
# resize(logits (1, 1, T, h, w), (H, W)) -> (1, T, H, W)
ResizeFn = Callable[[torch.Tensor, Tuple[int, int]], torch.Tensor]


def resize_frames_bilinear(logits: torch.Tensor, size: Sequence[int]) -> torch.Tensor:
    """Bilinear (align_corners False) resize of (N, 1, T, h, w) logits to (N, T, H, W)."""
    frames = logits[:, 0]  # (N, T, h, w): frames as channels, resized independently
    if tuple(frames.shape[-2:]) == tuple(size):
        return frames
    return F.interpolate(frames, size=tuple(size), mode='bilinear', align_corners=False)


class BaseRVOSModel(BaseModel, metaclass=ABCMeta):
    """Base of mmflowrvs's models (FlowRVS, its stage-1 and stage-0 trainers, and the
    discriminative ReferFormer baseline).

    As mmdet's ``BaseDetector``: ``forward`` dispatches the three modes to
    :meth:`loss`, :meth:`predict` and :meth:`_forward`; it also holds the steps
    the models share: the default :class:`RVOSDataPreprocessor`, the batch's GT
    masks padded as the frames, masks as VAE input, and logits at the padded input
    size turned into each sample's masks at its original size. Components named in
    ``frozen_components`` are read from the Wan folder and kept out of checkpoints.

    Args:
        pretrained (str, optional): The diffusers-format Wan folder of the Wan-based
            models (ReferFormer has none: its parts name their own weights).
        data_preprocessor (dict, optional): Defaults to ``RVOSDataPreprocessor``.
        init_cfg (dict, optional): MMEngine init config.
    """

    frozen_components: Tuple[str, ...] = ()

    def __init__(self, pretrained: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='RVOSDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.pretrained = pretrained
        if self.frozen_components:
            exclude_from_checkpoints(self, self.frozen_components)

    def forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None,
                mode: str = 'tensor') -> ForwardResults:
        """``loss``: dict of losses; ``predict``: data samples with ``pred_masks``;
        ``tensor``: the model's raw output (see :meth:`_forward`)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'invalid mode {mode!r}; use loss, predict or tensor')

    @abstractmethod
    def loss(self, inputs: torch.Tensor, data_samples: List[RVOSDataSample]) -> dict:
        """Losses of a batch."""

    @abstractmethod
    def predict(self, inputs: torch.Tensor,
                data_samples: List[RVOSDataSample]) -> List[RVOSDataSample]:
        """The samples with ``pred_masks`` (T, H_ori, W_ori) bool."""

    @abstractmethod
    def _forward(self, inputs: torch.Tensor,
                 data_samples: Optional[List[RVOSDataSample]] = None) -> torch.Tensor:
        """The raw output, without post-processing."""

    # ------------------------------------------------------------ shared steps
    def gt_masks(self, inputs: torch.Tensor,
                 data_samples: List[RVOSDataSample]) -> torch.Tensor:
        """The samples' ``gt_masks``, padded as the frames: float (B, T, H, W).

        Args:
            inputs (Tensor): (B, 3, T, H, W) frames of the batch.
            data_samples (list[RVOSDataSample]): With ``gt_masks`` (T, h, w), at
                ``img_shape`` or (test pipelines) at the original size.
        """
        if data_samples is None:
            raise ValueError(f'{type(self).__name__} needs data samples with gt_masks')
        if not isinstance(inputs, torch.Tensor):
            raise ValueError(f'{type(self).__name__} takes per-expression batches, not '
                             'video-level ones: set video_level=False on its test dataset')
        _, _, t, h, w = inputs.shape
        return self.data_preprocessor.pad_masks(
            [s.gt_masks for s in data_samples], (t, h, w),
            [s.metainfo.get('img_shape', s.gt_masks.shape[-2:]) for s in data_samples]
        ).to(inputs.device)

    @staticmethod
    def masks_as_images(masks: torch.Tensor) -> torch.Tensor:
        """(B, T, H, W) masks in {0, 1} -> (B, 3, T, H, W) images in [-1, 1] (VAE input)."""
        return masks.float().unsqueeze(1).repeat(1, 3, 1, 1, 1) * 2 - 1

    @staticmethod
    def original_size_logits(logits: torch.Tensor, index: int, sample: RVOSDataSample,
                             resize: ResizeFn) -> torch.Tensor:
        """One sample's logits cut from the padded batch and resized to its frames.

        Args:
            logits (Tensor): (B, 1, T, H, W) at the padded input size.
            index (int): The sample's position in the batch.
            sample (RVOSDataSample): ``num_frames``, ``img_shape`` (its unpadded
                size) and ``ori_shape`` (its original size) in the metainfo.
            resize (callable): ``resize(logits (1, 1, T, h, w), (H, W))`` ->
                (1, T, H, W), e.g. the mask decoder's ``resize_logits``.

        Returns:
            Tensor: (T, H_ori, W_ori) logits.
        """
        num_frames = sample.metainfo.get('num_frames', logits.shape[2])
        h, w = sample.metainfo.get('img_shape', logits.shape[-2:])
        ori = tuple(sample.metainfo.get('ori_shape', (h, w)))
        return resize(logits[index:index + 1, :, :num_frames, :h, :w], ori)[0]
