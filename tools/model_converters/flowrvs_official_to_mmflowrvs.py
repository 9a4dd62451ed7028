"""Converts the authors' FlowRVS checkpoints into one mmflowrvs checkpoint.

Usage:
    python tools/model_converters/flowrvs_official_to_mmflowrvs.py \
        --dit FlowRVS_dit_mevis.pth --vae tuned_vae.pth --out flowrvs_mevis.pth \
        [--no-ema] [--release {2510,2602}]

``--dit`` takes the released file (``{'model', 'ema_model'}`` or a bare state dict)
or a checkpoint of the authors' training script. The EMA weights are applied when the
file has them (unless ``--no-ema``). Whether the DiT was trained with direct video
injection is read from its patch embedding (32 input channels) and recorded in the
output's metadata: ``init_model`` and tools/test.py set ``model.backbone.use_dvi``
from it. ``--release`` also records that release's frame and mask-latent
normalisation (not visible in the weights); without it, pick the config:
configs/flowrvs_mevis_release-2510.py for the Oct-2025 release, configs/flowrvs_mevis.py
for the current one.
"""
import argparse
import os

import torch

from mmflowrvs.models.official_checkpoint import RELEASES, convert_official


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Convert official FlowRVS checkpoints')
    parser.add_argument('--dit', required=True, help='FlowRVS_dit_*.pth')
    parser.add_argument('--vae', required=True, help='tuned_vae.pth (fine-tuned mask decoder)')
    parser.add_argument('--out', required=True, help='output checkpoint')
    parser.add_argument('--no-ema', action='store_true', help='keep the raw (non-EMA) weights')
    parser.add_argument('--release', choices=sorted(RELEASES),
                        help="record this release's frame / mask-latent normalisation")
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
    ckpt = convert_official(args.dit, args.vae, use_ema=not args.no_ema, release=args.release)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    tmp = args.out + '.tmp'
    try:  # atomic: a failed or killed write leaves no half-written --out
        torch.save(ckpt, tmp)
        os.replace(tmp, args.out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    meta = ckpt['meta']
    ema = meta['ema_applied'] if meta['ema_present'] else 'no (the file has no EMA)'
    print(f"wrote {args.out}: {len(ckpt['state_dict'])} tensors, "
          f"DVI={'yes' if meta['use_dvi'] else 'no'} (recorded; model.backbone.use_dvi is "
          f"set from it), EMA applied={ema}")
    if args.release is None:
        print('frame / mask-latent normalisation not recorded (pass --release): test with '
              + ('configs/flowrvs_mevis_release-2510.py if this is the Oct-2025 release'
                 if meta['use_dvi'] else 'configs/flowrvs_mevis.py'))


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
