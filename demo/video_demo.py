"""Segments the objects that prompts refer to in a video and writes an overlay mp4.

Usage:
    python demo/video_demo.py VIDEO "prompt" ["prompt" ...] --config CONFIG \
        [--checkpoint CKPT] --out OUT.mp4 [--save-masks DIR] [--device cpu] [--fps 10] \
        [--window W [--overlap O]]

VIDEO is an mp4 (any container FFmpeg decodes) or a folder of frames. Each prompt
gets a colour; a legend names them. ``--save-masks`` writes one 0/255 PNG per frame
and prompt (``DIR/<prompt index>/<frame:05d>.png``). ``--window W`` runs a long video
as overlapping windows of W frames (4k + 1) whose logits are blended (see
docs/benchmarks/inference.md); without it the whole video is one clip.
"""
import argparse
import os
from typing import Optional

import cv2
import numpy as np
from mmengine.config import DictAction
from tqdm import tqdm

from mmflowrvs.apis import inference_rvos, init_model, read_video
from mmflowrvs.models.detectors.windowed_inference import check_window
from mmflowrvs.visualization import RVOSVisualizer
from mmflowrvs.visualization.rvos_visualizer import MASK_COLORS, write_mp4

DEFAULT_OVERLAP_SHARE = 0.25  # docs/benchmarks/inference.md (quality table)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('video', help='mp4 file or folder of frames')
    parser.add_argument('prompts', nargs='+', help='referring expressions')
    parser.add_argument('--config', required=True, help='model config')
    parser.add_argument('--checkpoint', help='checkpoint (tools/train.py or the converter)')
    parser.add_argument('--out', required=True, help='output overlay mp4')
    parser.add_argument('--save-masks', help='also write the masks as PNGs here')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--fps', type=int, default=10)
    parser.add_argument('--window', type=int,
                        help='run long videos as overlapping windows of W frames (4k + 1)')
    parser.add_argument('--overlap', type=int,
                        help='frames shared by neighbouring windows (with --window; '
                             f'default {DEFAULT_OVERLAP_SHARE} of W, rounded down)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='key=value overrides, e.g. model.pretrained=PATH')
    return parser.parse_args()


def window_option(args: argparse.Namespace) -> Optional[dict]:
    """``dict(frames=W, overlap=O)`` from ``--window`` / ``--overlap``, checked before
    anything is loaded (a bad value names the flag); None without ``--window``."""
    if args.window is None:
        if args.overlap is not None:
            raise ValueError('--overlap needs --window W')
        return None
    overlap = args.overlap if args.overlap is not None else \
        int(args.window * DEFAULT_OVERLAP_SHARE)
    window = dict(frames=args.window, overlap=overlap)
    check_window(window, names=('--window', '--overlap'))
    return window


def draw_legend(frame: np.ndarray, prompts, colors) -> None:
    """Writes each prompt in its colour, bottom-left."""
    scale = max(0.35, frame.shape[1] / 1100)
    line = int(22 * scale / 0.6)
    for i, p in enumerate(prompts):
        y = frame.shape[0] - 6 - (len(prompts) - 1 - i) * line
        cv2.rectangle(frame, (4, y - line + 6), (16, y), colors[i % len(colors)], -1)
        cv2.putText(frame, p, (20, y), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 2,
                    cv2.LINE_AA)
        cv2.putText(frame, p, (20, y), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    colors[i % len(colors)], 1, cv2.LINE_AA)


def main() -> None:
    args = parse_args()
    window = window_option(args)
    frames = read_video(args.video)  # clear error for a missing or undecodable video
    model = init_model(args.config, args.checkpoint, device=args.device,
                       cfg_options=args.cfg_options)
    masks = inference_rvos(model, frames, args.prompts, progress=True, window=window)
    vis = RVOSVisualizer(name='demo')
    drawn = vis.draw_clip(np.stack(frames), masks, text=None, colors=MASK_COLORS)
    for f in drawn:
        draw_legend(f, args.prompts, MASK_COLORS)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    write_mp4(args.out, drawn, fps=args.fps)
    if args.save_masks:
        for k, video_masks in enumerate(masks):
            folder = os.path.join(args.save_masks, str(k))
            os.makedirs(folder, exist_ok=True)
            for t, m in enumerate(tqdm(video_masks, desc=f'masks of prompt {k}', leave=False)):
                cv2.imwrite(os.path.join(folder, f'{t:05d}.png'), m.astype(np.uint8) * 255)
    print(f'wrote {args.out} ({len(frames)} frames, {len(args.prompts)} prompts)')


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
