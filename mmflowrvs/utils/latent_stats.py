"""Per-channel statistics of a Wan VAE's video latents (its config's
``latents_mean`` / ``latents_std``).

Wan's VAE config carries the mean and std of its latents over video data; FlowRVS
normalises the video latent with them (z_v = (E(x) - mean) / std). A VAE trained
here (the quickstart's stage 0) needs its own: the real Wan's values describe a
different latent space.
"""
import os
import os.path as osp
from typing import Iterable, List, Tuple

import numpy as np
import torch
from PIL import Image

FRAME_EXTENSIONS = ('.jpg', '.jpeg', '.png')


def read_frame_folder(folder: str, temporal_ratio: int, max_frames: int = 33) -> torch.Tensor:
    """Reads one video's frames as a VAE input clip.

    Args:
        folder (str): A folder of frame images (sorted by name).
        temporal_ratio (int): The VAE's temporal compression; the clip keeps the
            first 1 + k * temporal_ratio frames.
        max_frames (int): At most this many frames.

    Returns:
        Tensor: (3, T, H, W) in [-1, 1], H and W cropped to multiples of 16.
    """
    names = sorted(n for n in os.listdir(folder) if n.lower().endswith(FRAME_EXTENSIONS))
    if not names:
        raise ValueError(f'{folder}: no frame images ({", ".join(FRAME_EXTENSIONS)})')
    count = min(len(names), max_frames)
    count = 1 + (count - 1) // temporal_ratio * temporal_ratio
    frames = []
    for name in names[:count]:
        path = osp.join(folder, name)
        try:
            frames.append(np.asarray(Image.open(path).convert('RGB')))
        except OSError as err:
            raise ValueError(f'{path}: cannot be decoded as an image ({err})') from err
    if len({f.shape for f in frames}) != 1:
        raise ValueError(f'{folder}: frames of different sizes')
    h, w = frames[0].shape[0] // 16 * 16, frames[0].shape[1] // 16 * 16
    if not h or not w:
        raise ValueError(f'{folder}: frames smaller than 16x16')
    clip = torch.from_numpy(np.stack(frames)[:, :h, :w]).permute(3, 0, 1, 2)  # (3, T, H, W)
    return clip.float() / 127.5 - 1


@torch.no_grad()
def video_latent_stats(vae, clips: Iterable[torch.Tensor]) -> Tuple[List[float], List[float]]:
    """Per-channel mean and std of the posterior means of ``clips``.

    Args:
        vae (AutoencoderKLWan): The VAE.
        clips (iterable[Tensor]): Each (3, T, H, W) in [-1, 1]; consumed one at a
            time (a generator keeps only one clip in memory).

    Returns:
        tuple[list[float], list[float]]: ``latents_mean`` and ``latents_std``
        (z_dim values each), over every latent position of every clip.
    """
    total = total_sq = None
    count = 0
    for clip in clips:  # the VAE's dtype is looked up per clip: O(1)
        dtype = next(vae.parameters()).dtype
        mean = vae.encode(clip[None].to(dtype)).latent_dist.mean.double()  # (1, C, T', h, w)
        flat = mean.transpose(0, 1).reshape(mean.shape[1], -1)  # (C, N)
        total = flat.sum(1) if total is None else total + flat.sum(1)
        total_sq = flat.square().sum(1) if total_sq is None else total_sq + flat.square().sum(1)
        count += flat.shape[1]
    if not count:
        raise ValueError('no clips to compute latent statistics from')
    mu = total / count
    std = (total_sq / count - mu.square()).clamp_min(1e-12).sqrt()
    return [round(v, 4) for v in mu.tolist()], [round(v, 4) for v in std.tolist()]


def folder_latent_stats(vae, frames_root: str, num_videos: int, temporal_ratio: int,
                        max_frames: int = 33) -> Tuple[List[float], List[float]]:
    """:func:`video_latent_stats` over the first ``num_videos`` videos of a folder
    laid out as ``frames_root/<video>/<frame>.jpg`` (MeViS / Ref-YouTube-VOS
    ``JPEGImages``)."""
    if not osp.isdir(frames_root):
        raise ValueError(f'{frames_root}: not a folder of video frame folders')
    videos = sorted(d for d in os.listdir(frames_root) if osp.isdir(osp.join(frames_root, d)))
    if not videos:
        raise ValueError(f'{frames_root}: no video folders in it')
    clips = (read_frame_folder(osp.join(frames_root, v), temporal_ratio, max_frames)
             for v in videos[:num_videos])  # read one at a time
    return video_latent_stats(vae, clips)
