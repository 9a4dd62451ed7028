"""Converts the authors' FlowRVS checkpoints into one mmflowrvs checkpoint.

Usage:
    python tools/model_converters/flowrvs_official_to_mmflowrvs.py \
        --dit FlowRVS_dit_mevis.pth --vae tuned_vae.pth --out flowrvs_mevis.pth [--no-ema]

The EMA weights are applied by default; whether the DiT was trained with direct
video injection is read from its patch embedding (32 input channels) and printed:
set ``model.backbone.use_dvi`` to match (``--cfg-options model.backbone.use_dvi=False``).
"""
import argparse
import os

import torch

from mmflowrvs.models.official_checkpoint import convert_official


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Convert official FlowRVS checkpoints')
    parser.add_argument('--dit', required=True, help='FlowRVS_dit_*.pth')
    parser.add_argument('--vae', required=True, help='tuned_vae.pth (fine-tuned mask decoder)')
    parser.add_argument('--out', required=True, help='output checkpoint')
    parser.add_argument('--no-ema', action='store_true', help='keep the raw (non-EMA) weights')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    for p in (args.dit, args.vae):
        if not os.path.isfile(p):
            raise SystemExit(f'file not found: {p}')
    for p in (args.dit, args.vae):
        if os.path.exists(args.out) and os.path.samefile(p, args.out):
            raise SystemExit(f'--out {args.out} is the input {p}: refusing to overwrite an '
                             'input; choose another output file')
    ckpt = convert_official(args.dit, args.vae, use_ema=not args.no_ema)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + '.tmp'
    try:  # atomic: a failed or killed write leaves no half-written --out
        torch.save(ckpt, tmp)
        os.replace(tmp, args.out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    meta = ckpt['meta']
    print(f"wrote {args.out}: {len(ckpt['state_dict'])} tensors, "
          f"DVI={'yes' if meta['use_dvi'] else 'no'} (set model.backbone.use_dvi="
          f"{meta['use_dvi']}), EMA applied={meta['ema_applied']}")


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
