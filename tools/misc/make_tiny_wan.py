"""Writes a tiny, randomly initialised diffusers-format Wan 2.1 folder.

Usage: python tools/misc/make_tiny_wan.py OUT_DIR [--seed 0] [--words w1 w2 ...]
       [--arch tiny|quickstart|wan2.1-t2v-1.3b] [--weights random|none]

``--arch wan2.1-t2v-1.3b --weights none`` writes the real architecture's config files
(and the offline tokenizer) without weights: what
tools/analysis_tools/benchmark_train_step.py builds with random values in memory.
``--weights random`` at the real size writes about 28 GB (the 5.7 B text encoder).
"""
import argparse

from mmflowrvs.testing import TINY_WAN, WAN21_T2V_1_3B, make_tiny_wan

#: The quickstart's toy (``--arch quickstart``): ``TINY_WAN`` with a 4-layer, 128-wide
#: DiT on 4x4 latent patches and a VAE with two down-sampling stages (4x in space and
#: time instead of Wan's 8x / 4x), so that on 64x64 frames a shape covers several latent
#: cells. Why this size: docs/quickstart_notes.md. The models read the compression from
#: the VAE and the patch from the DiT; nothing assumes 8x or 2x2.
QUICKSTART_WAN = dict(
    TINY_WAN,
    transformer=dict(TINY_WAN['transformer'], patch_size=[1, 4, 4], num_attention_heads=4,
                     attention_head_dim=32, ffn_dim=256, num_layers=4),
    vae=dict(TINY_WAN['vae'], dim_mult=[1, 2, 4], temperal_downsample=[True, True]))

ARCHS = {'tiny': TINY_WAN, 'quickstart': QUICKSTART_WAN, 'wan2.1-t2v-1.3b': WAN21_T2V_1_3B}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', help='output folder (transformer/, vae/, ...)')
    parser.add_argument('--seed', type=int, default=0, help='initialisation seed')
    parser.add_argument('--words', nargs='*', default=[], help='extra tokenizer words')
    parser.add_argument('--arch', choices=list(ARCHS), default='tiny',
                        help='tiny (tests), quickstart (a 4-layer, 128-wide DiT, a 4x VAE) '
                        'or wan2.1-t2v-1.3b (the real architecture)')
    parser.add_argument('--weights', choices=['random', 'none'], default='random',
                        help='random weights, or only the config files')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    out = make_tiny_wan(args.out_dir, seed=args.seed, extra_words=args.words,
                        arch=ARCHS[args.arch], weights=args.weights)
    print(f'{args.arch} Wan folder ({args.weights} weights) written to {out}')


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
