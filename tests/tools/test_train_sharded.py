"""The FSDP and DeepSpeed configs at toy size: FSDP trains with 2 processes (gloo) to
the parameters data parallelism reaches; DeepSpeed, which needs CUDA and its package,
is refused at start with a one-line error."""
import socket
import subprocess
import sys

import pytest
import torch
import torch.nn as nn

from mmflowrvs.engine.fsdp import dtype_uniform_wrap_policy
from mmflowrvs.utils.compat import apply_compat_patches

from .toy_mevis_config import REPO, make_synthetic, tool_env, write_toy_config


def _free_port() -> str:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


def _train(cfg: str, work: str, procs: int, **env_overrides: str):
    env = dict(tool_env(), PORT=_free_port(), **env_overrides)
    cmd = (['bash', 'tools/dist_train.sh', cfg, str(procs)] if procs > 1
           else [sys.executable, 'tools/train.py', cfg])
    return subprocess.run(cmd + ['--work-dir', work], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def _backbone(path: str) -> dict:
    apply_compat_patches()  # MMEngine checkpoints load with weights_only=True
    state = torch.load(path, map_location='cpu', weights_only=True)['state_dict']
    return {k: v for k, v in state.items() if k.startswith('backbone.')}


def _backbone_init(cfg_path: str) -> dict:
    from mmengine.config import Config

    from mmflowrvs.registry import MODELS
    model = MODELS.build(Config.fromfile(cfg_path).model)
    return {k: v for k, v in model.state_dict().items() if k.startswith('backbone.')}


def test_fsdp_two_processes_reach_the_data_parallel_parameters(tiny_wan_dir, tmp_path):
    """Same seed, data and recipe (grad clip at 1.0 active: the toy's norm is ~1.9)
    under FSDP and DDP, fp32 DiT: the trained parameters agree to fp32 rounding.
    (With per-shard clipping, MMEngine's OptimWrapper under FSDP, they differed by
    up to 7.6e-6 in 88082 of 88912 values.)"""
    root = make_synthetic(str(tmp_path / 'synth'))
    seed = "randomness = dict(seed=0)\n"
    fsdp = write_toy_config(tmp_path / 'fsdp.py', 'flowrvs_mevis_fsdp.py', tiny_wan_dir, root,
                            model_extra='backbone=dict(dtype=None)', extra=seed)
    ddp = write_toy_config(tmp_path / 'ddp.py', 'flowrvs_mevis.py', tiny_wan_dir, root,
                           model_extra='backbone=dict(dtype=None)',
                           extra=seed + 'custom_hooks = []\n')
    runs = {}
    for name, cfg in (('fsdp', fsdp), ('ddp', ddp)):
        proc = _train(cfg, str(tmp_path / name), 2)
        assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-3000:])
        runs[name] = _backbone(str(tmp_path / name / 'iter_3.pth'))
    a, b = runs['fsdp'], runs['ddp']
    assert a.keys() == b.keys() and len(a) > 10
    init = _backbone_init(ddp)
    moved = sum(int((a[k].float() != init[k].float()).sum()) for k in init if k in a)
    assert moved > 0.5 * sum(v.numel() for v in a.values())  # it did train
    for k in a:
        assert a[k].dtype == b[k].dtype == torch.float32, k
        assert torch.allclose(a[k], b[k], rtol=0, atol=1e-6), (k, (a[k] - b[k]).abs().max())


def test_deepspeed_config_is_refused_at_start_in_one_line(tiny_wan_dir, tmp_path):
    cfg = write_toy_config(tmp_path / 'ds.py', 'flowrvs_mevis_deepspeed-zero2.py',
                           tiny_wan_dir, make_synthetic(str(tmp_path / 'synth')))
    # CUDA hidden: the machine this config cannot run on (no GPU, with or without deepspeed)
    proc = _train(cfg, str(tmp_path / 'work'), 1, CUDA_VISIBLE_DEVICES='')
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith('error: ValueError: ') and 'DeepSpeedStrategy' in lines[0]
    assert 'Traceback' not in proc.stderr


def test_fsdp_with_an_ema_hook_is_refused_at_start(tiny_wan_dir, tmp_path):
    cfg = write_toy_config(tmp_path / 'fsdp_ema.py', 'flowrvs_mevis_fsdp.py', tiny_wan_dir,
                           make_synthetic(str(tmp_path / 'synth')),
                           extra="custom_hooks = [dict(type='EMAHook', "
                           "ema_type='TrainableFP32EMA')]\n")
    proc = _train(cfg, str(tmp_path / 'work'), 1)
    assert proc.returncode == 1 and 'Traceback' not in proc.stderr
    assert 'EMAHook' in proc.stderr and 'FSDPStrategy' in proc.stderr


class _Mixed(nn.Module):
    def __init__(self):
        super().__init__()
        self.dit = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4)).to(torch.bfloat16)
        self.vae = nn.Linear(4, 4)  # fp32


def test_wrap_policy_gives_each_dtype_its_own_unit():
    m = _Mixed()
    assert dtype_uniform_wrap_policy(m, True, 999)  # looks inside (and marks the children)
    assert not dtype_uniform_wrap_policy(m, False, 999)  # mixed: never one unit
    # the single-dtype children of a mixed parent are units, however small
    assert dtype_uniform_wrap_policy(m.dit, False, 1, min_num_params=10 ** 9)
    assert dtype_uniform_wrap_policy(m.vae, False, 1, min_num_params=10 ** 9)
    # inside a single-dtype part: by size
    dtype_uniform_wrap_policy(m.dit, True, 40)
    assert not dtype_uniform_wrap_policy(m.dit[0], False, 20, min_num_params=30)
    assert dtype_uniform_wrap_policy(m.dit[0], False, 20, min_num_params=10)
    lin = nn.Linear(2, 2)
    lin.bias = nn.Parameter(lin.bias.data.to(torch.bfloat16))
    with pytest.raises(ValueError, match='several dtypes'):
        dtype_uniform_wrap_policy(lin, False, 6)
