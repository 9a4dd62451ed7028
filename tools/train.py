"""Trains a model (mmdet 3.x command line).

Usage: python tools/train.py CONFIG [--work-dir DIR] [--resume [auto|PATH]] [--amp]
                             [--cfg-options k=v ...] [--launcher {none,pytorch,slurm,mpi}]
"""
import argparse
import logging
import os

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from mmflowrvs.utils.preflight import check_paths, check_strategy
from mmflowrvs.utils.tool_config import load_tool_config
from mmflowrvs.utils.work_dir_checkpoints import prepare_work_dir


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train an mmflowrvs model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument('--amp', action='store_true', default=False,
                        help='enable automatic mixed precision training')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the real batch size (auto_scale_lr in the config)')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from the given checkpoint; without a path, resume from '
                        'the latest checkpoint in the work dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config, key=value (xxx=yyy format)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    # torch.distributed.launch passes --local-rank; torchrun sets LOCAL_RANK
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def setup_amp(cfg: Config) -> None:
    """bf16/fp16 AMP on GPUs (AmpOptimWrapper); bf16 autocast on CPU machines."""
    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if wrapper in ('AmpOptimWrapper', 'AutocastOptimWrapper'):
        print_log(f'AMP training is already enabled in the config ({wrapper}).',
                  logger='current', level=logging.WARNING)
        return
    if torch.cuda.is_available():
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    else:
        cfg.optim_wrapper.type = 'AutocastOptimWrapper'
        cfg.optim_wrapper.setdefault('dtype', 'bfloat16')


def main() -> None:
    args = parse_args()
    cfg = load_tool_config(args)
    if args.amp:
        setup_amp(cfg)
    if args.auto_scale_lr:
        if 'auto_scale_lr' in cfg and 'enable' in cfg.auto_scale_lr \
                and 'base_batch_size' in cfg.auto_scale_lr:
            cfg.auto_scale_lr.enable = True
        else:
            raise RuntimeError('the config has no "auto_scale_lr" with "enable" and '
                               '"base_batch_size"')
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    check_paths(cfg, mode='train')
    check_strategy(cfg)
    prepare_work_dir(cfg)  # stale .tmp, corrupt latest checkpoint, rerun without --resume
    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        runner = RUNNERS.build(cfg)
    runner.train()


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
