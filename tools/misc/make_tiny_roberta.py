"""Writes a tiny, randomly initialised RoBERTa folder (model + offline byte-level BPE).

Usage: python tools/misc/make_tiny_roberta.py OUT_DIR [--seed 0] [--words w1 w2 ...]
       [--hidden-size 32] [--layers 2] [--heads 2]

The folder loads with ``AutoTokenizer`` / ``AutoModel.from_pretrained`` like
``roberta-base``; ReferFormer's ``RobertaTextEncoder`` reads it through
``model.text_encoder.pretrained``.
"""
import argparse

from mmflowrvs.testing import TINY_ROBERTA, make_tiny_roberta


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', help='output folder (config.json, weights, vocab.json, ...)')
    parser.add_argument('--seed', type=int, default=0, help='initialisation seed')
    parser.add_argument('--words', nargs='*', default=[], help='extra tokenizer words')
    parser.add_argument('--hidden-size', type=int, default=TINY_ROBERTA['hidden_size'])
    parser.add_argument('--layers', type=int, default=TINY_ROBERTA['num_hidden_layers'])
    parser.add_argument('--heads', type=int, default=TINY_ROBERTA['num_attention_heads'])
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.hidden_size % args.heads:
        raise ValueError(f'--hidden-size {args.hidden_size} is not a multiple of '
                         f'--heads {args.heads}')
    arch = dict(hidden_size=args.hidden_size, num_hidden_layers=args.layers,
                num_attention_heads=args.heads, intermediate_size=2 * args.hidden_size)
    out = make_tiny_roberta(args.out_dir, seed=args.seed, extra_words=args.words, arch=arch)
    print(f'tiny RoBERTa ({args.layers} layers, {args.hidden_size} wide) written to {out}')


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
