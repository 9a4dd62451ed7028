"""Writes a Wan folder whose vae/ holds the weights of a WanVAEPretrainer checkpoint.

Usage: python tools/misc/export_wan_vae.py SRC_WAN_DIR CHECKPOINT OUT_WAN_DIR \
    [--latent-stats FRAMES_ROOT [--stats-videos 64]]

The other subfolders are copied from SRC_WAN_DIR unchanged. With --latent-stats the
VAE config's ``latents_mean`` / ``latents_std`` (which normalise FlowRVS's video
latent) are recomputed from the trained VAE's posterior means on the videos under
FRAMES_ROOT (``FRAMES_ROOT/<video>/<frame>.jpg``, e.g. a benchmark's train/JPEGImages);
without it they stay those of SRC_WAN_DIR.
"""
import argparse
import os
import shutil

import torch

from mmflowrvs.utils import apply_compat_patches


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
        from mmflowrvs.utils.latent_stats import folder_latent_stats
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
