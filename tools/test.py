"""Tests (evaluates) a checkpoint (mmdet 3.x command line).

Usage: python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--pred-dir DIR]
           [--show-dir DIR] [--out RESULTS.pkl] [--cfg-options k=v ...]
           [--launcher {none,pytorch,slurm,mpi}]

``--pred-dir`` writes the predictions in the benchmark's official layout (MeViS:
``<video>/<exp_id>/<frame>.png``; Ref-YouTube-VOS: ``Annotations/...``; Ref-DAVIS17:
``anno_<a>/<video>/<frame>.png``), which tools/eval_predictions.py and the
benchmarks' servers read.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from mmflowrvs.engine.hooks import require_matching_checkpoint
from mmflowrvs.evaluation.metrics import DumpRVOSResults
from mmflowrvs.models.checkpoint_meta import apply_checkpoint_meta
from mmflowrvs.utils.preflight import check_paths
from mmflowrvs.utils.tool_config import load_tool_config

LAYOUT_OF_DATASET = {'MeViSDataset': 'mevis', 'SyntheticRVOSDataset': 'mevis',
                     'RefYTVOSDataset': 'ref-ytvos', 'RefDAVISDataset': 'ref-davis'}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test (and evaluate) an mmflowrvs model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='the directory to save the evaluation metrics')
    parser.add_argument('--pred-dir', help='write predictions in the official layout here')
    parser.add_argument('--layout', choices=['mevis', 'ref-ytvos', 'ref-davis'],
                        help='prediction layout (default: from the dataset type)')
    parser.add_argument('--out', type=str, help='dump raw predictions to a pickle file')
    parser.add_argument('--show', action='store_true', help='show overlays in a window')
    parser.add_argument('--show-dir', help='write overlay videos into this folder of the work dir')
    parser.add_argument('--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config, key=value (xxx=yyy format)')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def enable_visualization(cfg: Config, args: argparse.Namespace) -> None:
    hooks = cfg.default_hooks
    if 'visualization' not in hooks:
        hooks.visualization = dict(type='RVOSVisualizationHook')
    hooks.visualization.draw = True
    if args.show_dir:
        hooks.visualization.test_out_dir = args.show_dir
    if args.show:
        hooks.visualization.wait_time = args.wait_time


def enable_pred_dir(cfg: Config, args: argparse.Namespace) -> None:
    layout = args.layout or LAYOUT_OF_DATASET.get(cfg.test_dataloader.dataset.get('type'))
    if layout is None:
        raise SystemExit(f'cannot tell the prediction layout of '
                         f"{cfg.test_dataloader.dataset.get('type')}: pass --layout")
    if layout == 'ref-davis':
        evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) \
            else [cfg.test_evaluator]
        for ev in evaluators:
            if ev.get('type') == 'RefDAVISMetric':
                ev.outfile_prefix = args.pred_dir
        return
    cfg.custom_hooks = list(cfg.get('custom_hooks', [])) + [
        dict(type='PredictionWriterHook', pred_dir=args.pred_dir, layout=layout)]


def main() -> None:
    args = parse_args()
    cfg = load_tool_config(args)
    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'checkpoint not found: {args.checkpoint}')
    cfg.load_from = args.checkpoint
    apply_checkpoint_meta(cfg, args.checkpoint, args.cfg_options)  # e.g. use_dvi of a release
    require_matching_checkpoint(cfg)  # no foreign weights scored
    if args.show or args.show_dir:
        enable_visualization(cfg, args)
    if args.pred_dir:
        enable_pred_dir(cfg, args)
    check_paths(cfg, mode='test')
    if 'runner_type' not in cfg:
        runner = Runner.from_cfg(cfg)
    else:
        runner = RUNNERS.build(cfg)
    if args.out is not None:
        assert args.out.endswith(('.pkl', '.pickle')), 'the output file must be a pkl file.'
        runner.test_evaluator.metrics.append(DumpRVOSResults(out_file_path=args.out))
    runner.test()


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
