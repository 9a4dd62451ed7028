"""Writes a Wan folder whose vae/ holds the weights of a WanVAEPretrainer checkpoint.

Usage: python tools/misc/export_wan_vae.py SRC_WAN_DIR CHECKPOINT OUT_WAN_DIR

The other subfolders are copied from SRC_WAN_DIR unchanged.
"""
import argparse
import os
import shutil

import torch

import mmflowrvs  # noqa: F401  (allow-lists MMEngine's checkpoint globals for weights_only)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='the Wan folder the VAE was trained from')
    parser.add_argument('checkpoint', help='WanVAEPretrainer checkpoint (tools/train.py)')
    parser.add_argument('out', help='output Wan folder')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    from diffusers import AutoencoderKLWan
    ckpt = torch.load(args.checkpoint, map_location='cpu', weights_only=True)
    state = ckpt.get('state_dict', ckpt)
    vae_state = {k[len('vae.'):]: v for k, v in state.items() if k.startswith('vae.')}
    if not vae_state:
        raise SystemExit(f'{args.checkpoint}: no vae.* weights (not a WanVAEPretrainer checkpoint)')
    if os.path.abspath(args.out) != os.path.abspath(args.src):
        shutil.copytree(args.src, args.out, dirs_exist_ok=True)
    vae = AutoencoderKLWan.from_pretrained(os.path.join(args.src, 'vae'))
    vae.load_state_dict(vae_state, strict=True)
    vae.save_pretrained(os.path.join(args.out, 'vae'))
    print(f'wrote {args.out} with the VAE of {args.checkpoint}')


if __name__ == '__main__':
    main()
