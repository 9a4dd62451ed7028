"""Generates the built-in synthetic referring-video benchmark in the MeViS layout.

Usage::

    python tools/dataset_converters/make_synthetic_rvos.py data/synthetic_rvos \
        [--seed 0] [--num-train 32] [--num-valid 8] [--size 96x96] [--frames 9-33] [--objects 2-4] \
        [--kinds appearance motion multi relation] [--texture]

Writes ``OUT/{train,valid_u}/{JPEGImages/<video>/<frame>.jpg, meta_expressions.json,
mask_dict.json}``, read by ``MeViSDataset`` (configs/_base_/datasets/synthetic_rvos.py).
"""
import argparse
import time
from typing import Tuple

from mmflowrvs.datasets.synthetic_rvos import EXPRESSION_KINDS, make_synthetic_rvos


def _pair(text: str, sep: str) -> Tuple[int, int]:
    a, b = text.lower().split(sep)
    return int(a), int(b)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('out', help='output folder (the data_root)')
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--num-train', type=int, default=32)
    p.add_argument('--num-valid', type=int, default=8)
    p.add_argument('--size', default='96x96', help='frame HxW, e.g. 720x1280')
    p.add_argument('--frames', default='9-33', help='frames per video, a-b inclusive')
    p.add_argument('--max-exps', type=int, default=6, help='expressions per video (at most)')
    p.add_argument('--ambiguous-ratio', type=float, default=0.5,
                   help='share of videos with two look-alike objects')
    p.add_argument('--radius', default='0.08-0.13',
                   help='shape radius range, fractions of the short side (a-b)')
    p.add_argument('--objects', default='2-4', help='shapes per video (a-b)')
    p.add_argument('--kinds', nargs='+', default=list(EXPRESSION_KINDS),
                   choices=EXPRESSION_KINDS, help='kinds of expression to keep')
    p.add_argument('--max-hidden', type=float, default=1.0,
                   help="largest share of a shape's area another shape may hide in any "
                        'frame (0: shapes never overlap; 1: no limit)')
    p.add_argument('--travel', default='0.45-0.7',
                   help='how far a moving shape travels over the video, fractions of the '
                        'free span along its direction (a-b)')
    p.add_argument('--texture', action='store_true',
                   help='background clutter + noise (natural-JPEG-like decode cost)')
    return p.parse_args()


def main() -> None:
    args = parse_args()
    start = time.time()
    counts = make_synthetic_rvos(args.out, seed=args.seed, num_train=args.num_train,
                                 num_valid=args.num_valid, size=_pair(args.size, 'x'),
                                 frames=_pair(args.frames, '-'), max_exps=args.max_exps,
                                 ambiguous_ratio=args.ambiguous_ratio, texture=args.texture,
                                 radius_range=tuple(map(float, args.radius.split('-'))),
                                 num_objects=_pair(args.objects, '-'), kinds=args.kinds,
                                 max_hidden=args.max_hidden,
                                 travel_range=tuple(map(float, args.travel.split('-'))))
    for split, c in counts.items():
        print(f"{split}: {c['videos']} videos, {c['expressions']} expressions, "
              f"{c['frames']} frames")
    print(f'written to {args.out} in {time.time() - start:.1f}s')


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
