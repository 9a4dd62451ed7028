"""Batches video clips for the Wan VAE: normalised, sizes multiple of 16, T = 1 (mod 4)."""
import math
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmengine.model import BaseDataPreprocessor

from mmflowrvs.registry import MODELS
from mmflowrvs.structures import RVOSVideoDataSample

# ImageNet statistics of RGB in [0, 1], which the Oct-2025 release fed to the VAE.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
FRAME_NORMS = ('wan', 'imagenet')


@MODELS.register_module()
class RVOSDataPreprocessor(BaseDataPreprocessor):
    """Turns packed clips into a normalised (B, 3, T, H, W) float batch.

    Frames (uint8 RGB x) are normalised by ``frame_norm``: ``'wan'`` gives
    x / 127.5 - 1 in [-1, 1] (what the Wan VAE was trained on; the current
    release); ``'imagenet'`` gives (x / 255 - mean) / std per channel with
    ImageNet's mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225) (what the
    Oct-2025 release fed the VAE, in training and inference). H and W are padded
    (bottom/right, value ``pad_value`` after normalisation) to the batch maximum
    rounded up to ``size_divisor``; T is
    padded to the batch maximum and then to 1 (mod ``temporal_divisor``) by repeating
    the last frame (the VAE silently drops frames past 1 + 4k). Training masks
    (``gt_masks`` at the clip size) are padded alike (zeros in space, repeated last
    frame in time) into ``batch_gt_masks``-ready tensors on each data sample.

    Metainfo added to every data sample: ``batch_input_shape`` (H, W) and
    ``pad_num_frames`` (T after padding).

    Video-level batches (each item's ``data_samples`` an
    :class:`RVOSVideoDataSample`: one sample per expression of the video, see
    ``PackRVOSInputs``) stay uint8 (T, 3, H, W), one per video: the model
    normalises and pads each chunk or window of frames with :meth:`clip_to_batch`
    when it needs it, so a long video never exists as one float tensor. Each of
    their expression samples also gets ``input_index``, the index of its video in
    ``inputs``.

    Args:
        size_divisor (int): Defaults to 16.
        temporal_divisor (int): Defaults to 4.
        pad_value (float): Spatial padding value, in the normalised space.
            Defaults to 0.
        frame_norm (str): ``'wan'`` (default) or ``'imagenet'``, see above.
    """

    def __init__(self, size_divisor: int = 16, temporal_divisor: int = 4,
                 pad_value: float = 0.0, non_blocking: bool = False,
                 frame_norm: str = 'wan') -> None:
        super().__init__(non_blocking=non_blocking)
        if frame_norm not in FRAME_NORMS:
            raise ValueError(f'RVOSDataPreprocessor: frame_norm must be one of {FRAME_NORMS}, '
                             f'got {frame_norm!r}')
        self.size_divisor = size_divisor
        self.temporal_divisor = temporal_divisor
        self.pad_value = pad_value
        self.frame_norm = frame_norm
        self.register_buffer('_mean', torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), False)
        self.register_buffer('_std', torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), False)

    def normalize_frames(self, x: torch.Tensor) -> torch.Tensor:
        """uint8 (T, 3, H, W) RGB -> float32 (T, 3, H, W) as ``frame_norm`` says."""
        x = x.float()
        if self.frame_norm == 'wan':
            return x / 127.5 - 1.0
        mean, std = self._mean.to(x.device), self._std.to(x.device)
        return (x / 255.0 - mean) / std

    def padded_num_frames(self, t: int) -> int:
        """Smallest T' >= t with T' = 1 (mod temporal_divisor)."""
        return 1 + math.ceil((t - 1) / self.temporal_divisor) * self.temporal_divisor

    @staticmethod
    def _pad_time(x: torch.Tensor, t: int, dim: int) -> torch.Tensor:
        if x.shape[dim] == t:
            return x
        last = x.narrow(dim, x.shape[dim] - 1, 1)
        reps = [1] * x.dim()
        reps[dim] = t - x.shape[dim]
        return torch.cat([x, last.repeat(*reps)], dim=dim)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Normalises, pads and stacks.

        Args:
            data (dict): ``inputs``: list of uint8 (T, 3, H, W) tensors (or a
                stacked (B, T, 3, H, W) tensor); ``data_samples``: RVOSDataSamples.

        Returns:
            dict: ``inputs`` (B, 3, T_pad, H_pad, W_pad) float32, ``data_samples``.
        """
        data = self.cast_data(data)
        inputs: Sequence[torch.Tensor] = data['inputs']
        samples: Optional[List] = data.get('data_samples')
        if isinstance(inputs, torch.Tensor) and inputs.dim() == 4:
            inputs = [inputs]
        if len(inputs) == 0 or any(x.shape[0] == 0 for x in inputs):
            raise ValueError('a video with no frames reached the model')
        for x in inputs:
            if x.dim() != 4 or x.shape[1] != 3:
                raise ValueError(f'each input must be (T, 3, H, W) RGB, got {tuple(x.shape)}')
        if samples is not None and any(isinstance(s, RVOSVideoDataSample) for s in samples):
            return self._video_level(inputs, samples)
        d = self.size_divisor
        h = math.ceil(max(x.shape[2] for x in inputs) / d) * d
        w = math.ceil(max(x.shape[3] for x in inputs) / d) * d
        t = self.padded_num_frames(max(x.shape[0] for x in inputs))
        batch = []
        for i, x in enumerate(inputs):
            x = self.normalize_frames(x)  # (T, 3, H, W)
            x = F.pad(x, (0, w - x.shape[3], 0, h - x.shape[2]), value=self.pad_value)
            batch.append(self._pad_time(x, t, 0).permute(1, 0, 2, 3))  # (3, T, H, W)
            if samples is not None:
                samples[i].set_metainfo(dict(batch_input_shape=(h, w), pad_num_frames=t))
        return dict(inputs=torch.stack(batch), data_samples=samples)

    def _video_level(self, inputs: Sequence[torch.Tensor],
                     samples: List[RVOSVideoDataSample]) -> dict:
        """Video-level batch: frames stay uint8, metainfo on every expression."""
        if not all(isinstance(s, RVOSVideoDataSample) for s in samples):
            raise ValueError('a batch mixes video-level items (RVOSVideoDataSample) with '
                             'per-expression samples')
        if len(inputs) != len(samples):
            raise ValueError(f'a video-level batch has {len(inputs)} videos but '
                             f'{len(samples)} RVOSVideoDataSamples')
        d = self.size_divisor
        for i, (x, video) in enumerate(zip(inputs, samples)):
            shape = (math.ceil(x.shape[2] / d) * d, math.ceil(x.shape[3] / d) * d)
            for s in video:
                s.set_metainfo(dict(batch_input_shape=shape, input_index=i,
                                    pad_num_frames=self.padded_num_frames(x.shape[0])))
        return dict(inputs=list(inputs), data_samples=list(samples))

    def clip_to_batch(self, frames: torch.Tensor, pad_time: bool = True) -> torch.Tensor:
        """One clip as the model's input, exactly as :meth:`forward` makes a batch of one.

        Args:
            frames (Tensor): (T, 3, H, W) uint8 (or float in [0, 255]).
            pad_time (bool): Pad T to 1 (mod ``temporal_divisor``); False for a
                chunk of a longer clip (T_pad = T).

        Returns:
            Tensor: (1, 3, T_pad, H_pad, W_pad) float32, normalised by ``frame_norm``.
        """
        d = self.size_divisor
        h, w = math.ceil(frames.shape[2] / d) * d, math.ceil(frames.shape[3] / d) * d
        x = self.normalize_frames(frames)  # (T, 3, H, W)
        x = F.pad(x, (0, w - x.shape[3], 0, h - x.shape[2]), value=self.pad_value)
        if pad_time:
            x = self._pad_time(x, self.padded_num_frames(x.shape[0]), 0)
        return x.permute(1, 0, 2, 3).unsqueeze(0)  # (1, 3, T_pad, H_pad, W_pad)

    def pad_masks(self, masks: Sequence[torch.Tensor], shape,
                  img_shapes: Optional[Sequence] = None) -> torch.Tensor:
        """Pads (T, H, W) masks to (B, T_pad, H_pad, W_pad) like the frames.

        Args:
            masks (list[Tensor]): (T, H, W) masks.
            shape (tuple): (T_pad, H_pad, W_pad) of the batch.
            img_shapes (list, optional): Each clip's (H, W) after the pipeline; masks
                of another size (test pipelines keep them at the original size) are
                first resized to it (nearest).
        """
        t, h, w = shape
        out = []
        for i, m in enumerate(masks):
            m = m.float()
            if img_shapes is not None and tuple(m.shape[-2:]) != tuple(img_shapes[i]):
                m = F.interpolate(m[None], size=tuple(img_shapes[i]), mode='nearest')[0]
            if m.shape[1] > h or m.shape[2] > w:
                raise ValueError(f'mask of size {tuple(m.shape[1:])} is larger than the '
                                 f'batch ({h}, {w}): pass img_shapes to resize it')
            m = F.pad(m, (0, w - m.shape[2], 0, h - m.shape[1]))
            out.append(self._pad_time(m, t, 0))
        return torch.stack(out)
