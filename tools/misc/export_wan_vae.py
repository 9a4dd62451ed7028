"""Writes a Wan folder whose vae/ holds the weights of a WanVAEPretrainer checkpoint.

Usage: python tools/misc/export_wan_vae.py SRC_WAN_DIR CHECKPOINT OUT_WAN_DIR \
    [--latent-stats FRAMES_ROOT [--stats-videos 64]]

The other subfolders are copied from SRC_WAN_DIR unchanged. With --latent-stats the
VAE config's ``latents_mean`` / ``latents_std`` (which normalise FlowRVS's video
latent) are recomputed from the trained VAE's posterior means on the videos under
FRAMES_ROOT (``FRAMES_ROOT/<video>/<frame>.jpg``, e.g. a benchmark's train/JPEGImages);
without it they stay those of SRC_WAN_DIR. A VAE trained here (the quickstart's stage 0)
needs its own statistics: the real Wan's values describe another latent space
(docs/method.md, Latents).
"""
import argparse
import os
import os.path as osp
import shutil
from typing import Iterable, List, Tuple

import numpy as np
import torch
from PIL import Image

from mmflowrvs.utils import apply_compat_patches

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




def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='the Wan folder the VAE was trained from')
    parser.add_argument('checkpoint', help='WanVAEPretrainer checkpoint (tools/train.py)')
    parser.add_argument('out', help='output Wan folder')
    parser.add_argument('--latent-stats', metavar='FRAMES_ROOT',
                        help='recompute latents_mean / latents_std on these videos')
    parser.add_argument('--stats-videos', type=int, default=64,
                        help='videos used for the statistics (the first N by name)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.stats_videos < 1:
        raise SystemExit(f'--stats-videos must be >= 1, got {args.stats_videos}')
    from diffusers import AutoencoderKLWan
    apply_compat_patches()  # MMEngine's checkpoint globals, for weights_only=True
    ckpt = torch.load(args.checkpoint, map_location='cpu', weights_only=True)
    state = ckpt.get('state_dict', ckpt)
    vae_state = {k[len('vae.'):]: v for k, v in state.items() if k.startswith('vae.')}
    if not vae_state:
        raise SystemExit(f'{args.checkpoint}: no vae.* weights (not a WanVAEPretrainer checkpoint)')
    vae = AutoencoderKLWan.from_pretrained(os.path.join(args.src, 'vae'))
    vae.load_state_dict(vae_state, strict=True)
    if args.latent_stats:
        ratio = 2 ** sum(vae.config.temperal_downsample)
        try:
            mean, std = folder_latent_stats(vae, args.latent_stats, args.stats_videos, ratio)
        except ValueError as err:
            raise SystemExit(f'--latent-stats: {err}') from err
        vae.register_to_config(latents_mean=mean, latents_std=std)
        print(f'latents_mean {mean}\nlatents_std {std}')
    # written only once everything above succeeded: a failure leaves OUT untouched
    if os.path.abspath(args.out) != os.path.abspath(args.src):
        shutil.copytree(args.src, args.out, dirs_exist_ok=True)
    vae.save_pretrained(os.path.join(args.out, 'vae'))
    print(f'wrote {args.out} with the VAE of {args.checkpoint}')


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
