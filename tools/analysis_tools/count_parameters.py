"""Counts a config's model parameters: in total, trained, and per top-level part.

Usage: python tools/analysis_tools/count_parameters.py CONFIG [--cfg-options k=v ...]
           [--json OUT.json]

The model is built from the config as tools/train.py builds it (weights read from
its folders, e.g. ``model.pretrained``); "trained" counts parameters with
``requires_grad`` (the frozen text encoder and VAE of FlowRVS are not).
"""
import argparse
import json
from typing import Dict

import torch.nn as nn
from mmengine.config import DictAction
from mmengine.registry import init_default_scope

from mmflowrvs.registry import MODELS
from mmflowrvs.utils.tool_config import load_tool_config


def count_parameters(model: nn.Module) -> Dict[str, object]:
    """``{'total', 'trained', 'parts': {child: {'total', 'trained'}}}`` (counts)."""
    def count(module: nn.Module) -> Dict[str, int]:
        params = list(module.parameters())
        return dict(total=sum(p.numel() for p in params),
                    trained=sum(p.numel() for p in params if p.requires_grad))
    parts = {name: count(child) for name, child in model.named_children()}
    return dict(count(model), parts={k: v for k, v in parts.items() if v['total']})


def millions(n: int) -> str:
    return f'{n / 1e6:.2f} M'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config, key=value')
    parser.add_argument('--json', help='also write the counts here')
    args = parser.parse_args(argv)
    args.launcher, args.work_dir = 'none', None
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    cfg = load_tool_config(args)
    init_default_scope(cfg.get('default_scope', 'mmflowrvs'))
    model = MODELS.build(cfg.model)
    counts = count_parameters(model)
    print(f'{"part":<20} {"total":>10} {"trained":>10}')
    for name, c in counts['parts'].items():
        print(f'{name:<20} {millions(c["total"]):>10} {millions(c["trained"]):>10}')
    print(f'{"model":<20} {millions(counts["total"]):>10} {millions(counts["trained"]):>10}')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(counts, f, indent=2)
    return 0


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
