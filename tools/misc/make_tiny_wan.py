"""Writes a tiny, randomly initialised diffusers-format Wan 2.1 folder.

Usage: python tools/misc/make_tiny_wan.py OUT_DIR [--seed 0] [--words w1 w2 ...]
       [--arch tiny|quickstart]
"""
import argparse

from mmflowrvs.models.wan_architectures import QUICKSTART_WAN, TINY_WAN
from mmflowrvs.utils.tiny_wan import make_tiny_wan


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', help='output folder (transformer/, vae/, ...)')
    parser.add_argument('--seed', type=int, default=0, help='initialisation seed')
    parser.add_argument('--words', nargs='*', default=[], help='extra tokenizer words')
    parser.add_argument('--arch', choices=['tiny', 'quickstart'], default='tiny',
                        help='tiny (tests) or quickstart (a 4-layer, 128-wide DiT, a 4x VAE)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    arch = QUICKSTART_WAN if args.arch == 'quickstart' else TINY_WAN
    out = make_tiny_wan(args.out_dir, seed=args.seed, extra_words=args.words, arch=arch)
    print(f'tiny Wan folder written to {out}')


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
