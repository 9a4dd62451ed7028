"""Probes of the third-party bugs that :mod:`mmflowrvs.utils.compat` fixes.

Each probe returns True while the installed libraries show the bug (for this
process: with or without the fix applied) and cleans up after itself. The
distributed probes set up a one-process gloo group on a free local port; run them
with CUDA hidden (``CUDA_VISIBLE_DEVICES=''``) to probe the CPU-only behaviour on
any machine.
"""
import builtins
import os
import os.path as osp
import pickle
import socket
import tempfile
from contextlib import contextmanager
from typing import Iterator, List


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@contextmanager
def _single_process_env() -> Iterator[None]:
    env = dict(RANK='0', WORLD_SIZE='1', LOCAL_RANK='0', MASTER_ADDR='127.0.0.1',
               MASTER_PORT=str(_free_port()))
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        yield
    finally:
        import torch.distributed as dist
        if dist.is_initialized():
            dist.destroy_process_group()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def runner_checkpoint_fails_to_load() -> bool:
    """A checkpoint holding the message hub's state, as the runner saves it, fails
    to load through MMEngine's ``_load_checkpoint`` (``torch.load`` with its default
    ``weights_only``)."""
    from mmengine.logging import MessageHub
    from mmengine.runner.checkpoint import _load_checkpoint, save_checkpoint
    hub = MessageHub(name='mmflowrvs_compat_probe')
    hub.update_scalar('train/loss', 0.5)
    hub.update_info('iter', 3)
    with tempfile.TemporaryDirectory() as tmp:
        path = osp.join(tmp, 'probe.pth')
        save_checkpoint({'meta': {'iter': 3}, 'message_hub': hub.state_dict()}, path)
        try:
            _load_checkpoint(path, map_location='cpu')
        except pickle.UnpicklingError:
            return True
    return False


def dist_launcher_fails_without_cuda() -> bool:
    """MMEngine's PyTorch launcher raises on a machine without CUDA."""
    import torch
    from mmengine.dist import utils as dist_utils
    if torch.cuda.is_available():
        raise RuntimeError('run this probe with CUDA hidden (CUDA_VISIBLE_DEVICES=)')
    with _single_process_env():
        try:
            dist_utils._init_dist_pytorch('nccl')
        except (AssertionError, AttributeError, RuntimeError, ValueError):
            return True
    return False


def ddp_rejects_cpu_device_ids() -> bool:
    """``MMDistributedDataParallel`` over a CPU module raises when given
    ``device_ids=[0]``, as the runner gives it."""
    import torch
    import torch.distributed as dist
    from mmengine.model.wrappers import MMDistributedDataParallel
    if torch.cuda.is_available():
        raise RuntimeError('run this probe with CUDA hidden (CUDA_VISIBLE_DEVICES=)')
    with _single_process_env():
        dist.init_process_group('gloo')
        try:
            MMDistributedDataParallel(module=torch.nn.Linear(1, 1), device_ids=[0])
        except ValueError:
            return True
    return False


def runner_writes_checkpoint_in_place() -> bool:
    """The save function the runner calls opens the checkpoint's final path for
    writing (a kill mid-write leaves a truncated file there)."""
    from mmengine.runner import runner as runner_module
    opened: List[str] = []
    real_open = builtins.open

    def recording_open(file, mode='r', *args, **kwargs):
        if any(c in mode for c in 'wax'):
            opened.append(osp.abspath(os.fspath(file)))
        return real_open(file, mode, *args, **kwargs)

    with tempfile.TemporaryDirectory() as tmp:
        path = osp.join(tmp, 'iter_1.pth')
        builtins.open = recording_open
        try:
            runner_module.save_checkpoint({'meta': {'iter': 1}}, path)
        finally:
            builtins.open = real_open
    return osp.abspath(path) in opened


def fsdp_rejects_cpu_device_id() -> bool:
    """``MMFullyShardedDataParallel`` over a CPU module raises when given
    ``device_id=0`` (an accelerator index), as ``FSDPStrategy`` gives it."""
    import torch
    import torch.distributed as dist
    from mmengine.model.wrappers import MMFullyShardedDataParallel
    if torch.cuda.is_available():
        raise RuntimeError('run this probe with CUDA hidden (CUDA_VISIBLE_DEVICES=)')
    with _single_process_env():
        dist.init_process_group('gloo')
        try:
            MMFullyShardedDataParallel(module=torch.nn.Linear(2, 2), device_id=0)
        except RuntimeError:
            return True
    return False


def _gather_full_state_dict(rank: int, port: int, offload: bool, optim_offload: bool) -> None:
    """Worker of :func:`fsdp_full_state_dict_fails_on_cpu` (two gloo processes)."""
    import torch
    import torch.distributed as dist
    from torch.distributed.fsdp import FullOptimStateDictConfig, FullStateDictConfig, StateDictType
    from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=2)
    try:
        model = FSDP(torch.nn.Linear(4, 4), device_id=torch.device('cpu'))
        optim = torch.optim.AdamW(model.parameters())
        model(torch.ones(2, 4)).sum().backward()
        optim.step()
        with FSDP.state_dict_type(model, StateDictType.FULL_STATE_DICT,
                                  FullStateDictConfig(rank0_only=True, offload_to_cpu=offload),
                                  FullOptimStateDictConfig(rank0_only=True,
                                                           offload_to_cpu=optim_offload)):
            model.state_dict()
            FSDP.optim_state_dict(model, optim)
    finally:
        dist.destroy_process_group()


def fsdp_full_state_dict_fails_on_cpu() -> bool:
    """Two CPU processes under ``FSDPStrategy(state_dict_cfg='full')`` fail to gather
    the checkpoint (torch 2.13's FSDP offloads to CPU tensors it already holds on the
    CPU and errors out, or crashes, while gathering)."""
    import torch
    import torch.multiprocessing as mp
    from mmengine._strategy.fsdp import FSDPStrategy
    if torch.cuda.is_available():
        raise RuntimeError('run this probe with CUDA hidden (CUDA_VISIBLE_DEVICES=)')
    strategy = FSDPStrategy(state_dict_cfg='full')
    offload = strategy.state_dict_config.offload_to_cpu
    optim_offload = strategy.optim_state_dict_config.offload_to_cpu
    try:
        mp.spawn(_gather_full_state_dict, args=(_free_port(), offload, optim_offload),
                 nprocs=2)
    except Exception:  # a worker raised or died (ProcessRaisedException / ProcessExitedException)
        return True
    return False
