"""The dist_* and slurm_* scripts compose the launcher's command line as mmdet's do.

``torchrun`` and ``srun`` are replaced by stubs on PATH that print their arguments one per
line, so the test sees exactly what a cluster would run (arguments with spaces intact).
"""
import os
import stat
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(REPO, 'tools')


@pytest.fixture
def stub_path(tmp_path):
    for name in ('torchrun', 'srun'):
        stub = tmp_path / name
        stub.write_text('#!/usr/bin/env bash\necho "%s"\nprintf "%%s\\n" "$@"\n' % name)
        stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    return f'{tmp_path}{os.pathsep}{os.environ["PATH"]}'


def _argv(script, args, path, **env):
    out = subprocess.run(['bash', os.path.join(TOOLS, script), *args], capture_output=True,
                         text=True, check=True, env=dict(os.environ, PATH=path, **env))
    return out.stdout.splitlines()


def test_dist_train(stub_path):
    argv = _argv('dist_train.sh', ['cfg.py', '2', '--work-dir', 'a b'], stub_path, PORT='29600')
    assert argv == ['torchrun', '--nnodes=1', '--node_rank=0', '--master_addr=127.0.0.1',
                    '--nproc_per_node=2', '--master_port=29600',
                    os.path.join(TOOLS, 'train.py'), 'cfg.py', '--launcher', 'pytorch',
                    '--work-dir', 'a b']


def test_dist_test(stub_path):
    argv = _argv('dist_test.sh', ['cfg.py', 'ck.pth', '3', '--out', 'r.pkl'], stub_path,
                 NNODES='2', NODE_RANK='1', MASTER_ADDR='10.0.0.2')
    assert argv == ['torchrun', '--nnodes=2', '--node_rank=1', '--master_addr=10.0.0.2',
                    '--nproc_per_node=3', '--master_port=29500',
                    os.path.join(TOOLS, 'test.py'), 'cfg.py', 'ck.pth', '--launcher', 'pytorch',
                    '--out', 'r.pkl']


def test_slurm_train_and_test(stub_path):
    head = ['srun', '-p', 'part', '--job-name=job', '--gres=gpu:4', '--ntasks=16',
            '--ntasks-per-node=4', '--cpus-per-task=5', '--kill-on-bad-exit=1',
            '--mem=0', '--exclusive', 'python', '-u']
    env = dict(GPUS='16', GPUS_PER_NODE='4', SRUN_ARGS='--mem=0 --exclusive')
    train = _argv('slurm_train.sh', ['part', 'job', 'cfg.py', 'wd', '--amp'], stub_path, **env)
    assert train == head + [os.path.join(TOOLS, 'train.py'), 'cfg.py', '--work-dir=wd',
                            '--launcher=slurm', '--amp']
    test = _argv('slurm_test.sh', ['part', 'job', 'cfg.py', 'ck.pth'], stub_path, **env)
    assert test == head + [os.path.join(TOOLS, 'test.py'), 'cfg.py', 'ck.pth',
                           '--launcher=slurm']
