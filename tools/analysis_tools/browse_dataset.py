"""Writes what a config's pipeline produces: frames with the target mask and the expression.

Usage::

    python tools/analysis_tools/browse_dataset.py CONFIG [--split train|val|test]
        [--output-dir DIR] [--show-number N] [--mp4] [--cfg-options k=v ...]

One file per sample, ``<video>_<exp>_<index>.jpg`` (a strip of the clip's frames) or
``.mp4`` with ``--mp4``.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from tqdm import tqdm

from mmflowrvs.registry import DATASETS, VISUALIZERS
from mmflowrvs.structures import RVOSVideoDataSample
from mmflowrvs.utils import register_all_modules


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description='Browse a dataset pipeline\'s output')
    p.add_argument('config')
    p.add_argument('--split', default='train', choices=['train', 'val', 'test'],
                   help='which dataloader\'s dataset and pipeline to use')
    p.add_argument('--output-dir', default='work_dirs/browse_dataset')
    p.add_argument('--show-number', type=int, default=20, help='samples to write')
    p.add_argument('--mp4', action='store_true', help='write mp4s instead of frame strips')
    p.add_argument('--fps', type=int, default=5)
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    return p.parse_args()


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    register_all_modules()
    init_default_scope(cfg.get('default_scope', 'mmflowrvs'))
    dataset = DATASETS.build(cfg[f'{args.split}_dataloader']['dataset'])
    vis_cfg = dict(type='RVOSVisualizer', name='browse_dataset')
    visualizer = VISUALIZERS.build(vis_cfg)
    os.makedirs(args.output_dir, exist_ok=True)
    n = 0  # expressions drawn (a video-level item holds several)
    ext = '.mp4' if args.mp4 else '.jpg'
    total = min(args.show_number, len(dataset)) if not getattr(dataset, 'video_level', False) \
        else args.show_number
    bar = tqdm(total=total, desc='browse', unit='sample')
    for i in range(len(dataset)):
        if n >= args.show_number:
            break
        item = dataset[i]
        samples = item['data_samples']  # every expression of a video-level item
        for sample in (samples if isinstance(samples, RVOSVideoDataSample) else [samples]):
            if n >= args.show_number:
                break
            n += 1
            bar.update(1)
            name = f"{sample.video_id}_{sample.exp_id}_{i}".replace(os.sep, '_')
            visualizer.add_datasample(name, item['inputs'], sample,
                                      out_file=osp.join(args.output_dir, name + ext),
                                      fps=args.fps)
    bar.close()
    print(f'{n} samples written to {args.output_dir}')


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
