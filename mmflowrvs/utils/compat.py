"""Narrow fixes for MMEngine 0.10.7 on torch >= 2.6 and on CPU-only machines.

Nothing here runs when ``mmflowrvs`` is imported: :func:`apply_compat_patches`
applies the fixes, and :func:`~mmflowrvs.utils.register_all_modules` calls it (so the
tools, ``init_model`` and the test suite get them). Code that builds an MMEngine
``Runner`` by hand should call ``register_all_modules()`` first, as with mmdet.

Each fix changes one behaviour and leaves the rest of MMEngine untouched. Each
:class:`CompatFix` names the versions that need it and has a probe that shows the
bug in the unfixed libraries; ``tests/utils/test_compat.py`` runs every probe in a
fresh process without that fix and fails when the bug is gone, so a fix that a
new pinned version no longer needs is noticed and removed.
"""
import os
from dataclasses import dataclass
from typing import Callable, Iterable, Tuple

import numpy as np
import torch

from .compat_probes import (
    ddp_rejects_cpu_device_ids,
    dist_launcher_fails_without_cuda,
    fsdp_full_state_dict_fails_on_cpu,
    fsdp_rejects_cpu_device_id,
    runner_checkpoint_fails_to_load,
    runner_writes_checkpoint_in_place,
)


@dataclass(frozen=True)
class CompatFix:
    """One fix of a third-party behaviour.

    Attributes:
        name (str): Short identifier (used to skip the fix in the probe test).
        needed_by (str): The library versions (and machines) that need the fix.
        apply (Callable[[], None]): Applies the fix; idempotent.
        probe (Callable[[], bool]): True while the libraries show the bug the fix
            works around (run without the fix: True means the fix is still needed;
            run with it: False means the fix works).
    """
    name: str
    needed_by: str
    apply: Callable[[], None]
    probe: Callable[[], bool]


def _safe_globals() -> list:
    from mmengine.logging.history_buffer import HistoryBuffer
    globs = [HistoryBuffer, np.ndarray, np.dtype]
    try:
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct, scalar
    globs += [_reconstruct, scalar]
    # numpy dtype classes (np.dtypes.Float64DType, ...) are pickled by numpy >= 1.25.
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        globs += [getattr(dtypes, n) for n in dir(dtypes) if n.endswith('DType')]
    return globs


def _allow_checkpoint_globals() -> None:
    """Allow-lists exactly the non-tensor globals of MMEngine's checkpoints (the
    message hub's ``HistoryBuffer``, numpy arrays, scalars and dtypes), so that
    checkpoints keep loading with ``weights_only=True``."""
    torch.serialization.add_safe_globals(_safe_globals())


def _history_buffer_without_method_table() -> None:
    """``HistoryBuffer.__getstate__`` pickles the class-level table of statistics
    *methods*, which goes through ``getattr`` - a global that must never be
    allow-listed. The table is class state (methods registered at import, and
    ``__setstate__`` restores the defaults): it is left out of the pickle."""
    from mmengine.logging.history_buffer import HistoryBuffer
    if getattr(HistoryBuffer.__getstate__, '_mmflowrvs', False):
        return

    def __getstate__(self) -> dict:
        return {k: v for k, v in self.__dict__.items()
                if k not in ('statistics_methods', '_statistics_methods')}

    __getstate__._mmflowrvs = True
    HistoryBuffer.__getstate__ = __getstate__


def _gloo_launcher_without_cuda() -> None:
    """On a machine without CUDA the PyTorch launcher selects no device and uses gloo."""
    import torch.distributed as torch_dist
    from mmengine.dist import utils as dist_utils

    original = dist_utils._init_dist_pytorch
    if getattr(original, '_mmflowrvs', False):
        return

    def _init_dist_pytorch(backend, init_backend='torch', **kwargs) -> None:
        if torch.cuda.is_available() or init_backend != 'torch':
            return original(backend, init_backend=init_backend, **kwargs)
        # CPU-only: no device to select, and NCCL does not exist without CUDA.
        torch_dist.init_process_group(backend='gloo', **kwargs)

    _init_dist_pytorch._mmflowrvs = True
    dist_utils._init_dist_pytorch = _init_dist_pytorch


def _ddp_without_device_ids_on_cpu() -> None:
    """On a machine without CUDA, ``MMDistributedDataParallel`` drops the runner's
    ``device_ids=[LOCAL_RANK]`` (DDP over CPU modules needs ``device_ids=None``)."""
    from mmengine.model.wrappers import distributed as ddp_module

    cls = ddp_module.MMDistributedDataParallel
    original_init = cls.__init__
    if getattr(original_init, '_mmflowrvs', False):
        return

    def __init__(self, module, detect_anomalous_params=False, **kwargs):
        if not torch.cuda.is_available():
            kwargs['device_ids'] = None
            kwargs.pop('output_device', None)
        original_init(self, module, detect_anomalous_params=detect_anomalous_params, **kwargs)

    __init__._mmflowrvs = True
    cls.__init__ = __init__


def _fsdp_cpu_device_id() -> None:
    """On a machine without CUDA, ``MMFullyShardedDataParallel`` gets
    ``device_id=cpu`` instead of ``FSDPStrategy``'s accelerator index."""
    from mmengine.model.wrappers import fully_sharded_distributed as fsdp_module

    cls = fsdp_module.MMFullyShardedDataParallel
    original_init = cls.__init__
    if getattr(original_init, '_mmflowrvs', False):
        return

    def __init__(self, module, *args, **kwargs):
        if not torch.cuda.is_available() and isinstance(kwargs.get('device_id'), int):
            kwargs['device_id'] = torch.device('cpu')
        original_init(self, module, *args, **kwargs)

    __init__._mmflowrvs = True
    cls.__init__ = __init__


def _fsdp_no_cpu_offload_without_cuda() -> None:
    """On a machine without CUDA, ``FSDPStrategy(state_dict_cfg='full')`` gathers the
    checkpoint without ``offload_to_cpu`` (the tensors already live on the CPU, and
    the offload makes the gather fail)."""
    from mmengine._strategy.fsdp import FSDPStrategy

    original = FSDPStrategy._init_state_dict_cfg
    if getattr(original, '_mmflowrvs', False):
        return

    def _init_state_dict_cfg(self, state_dict_cfg) -> None:
        original(self, state_dict_cfg)
        if not torch.cuda.is_available():
            for cfg in (self.state_dict_config, self.optim_state_dict_config):
                if getattr(cfg, 'offload_to_cpu', False):
                    cfg.offload_to_cpu = False

    _init_state_dict_cfg._mmflowrvs = True
    FSDPStrategy._init_state_dict_cfg = _init_state_dict_cfg


def _atomic_runner_checkpoints() -> None:
    """Runner checkpoints go to ``<file>.tmp`` first, then are renamed (atomic on
    POSIX): a run killed while saving leaves the previous checkpoint intact, never a
    half-written file that ``--resume`` would pick."""
    from mmengine.runner import runner as runner_module

    original = runner_module.save_checkpoint
    if getattr(original, '_mmflowrvs', False):
        return

    def save_checkpoint(checkpoint, filename, *args, **kwargs):
        local = '://' not in str(filename) and not kwargs.get('backend_args') \
            and not kwargs.get('file_client_args')
        if not local:
            return original(checkpoint, filename, *args, **kwargs)
        tmp = f'{filename}.tmp'
        try:
            original(checkpoint, tmp, *args, **kwargs)
            os.replace(tmp, filename)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    save_checkpoint._mmflowrvs = True
    runner_module.save_checkpoint = save_checkpoint


COMPAT_FIXES: Tuple[CompatFix, ...] = (
    CompatFix('checkpoint_globals',
              'torch >= 2.6 (torch.load defaults to weights_only=True) with mmengine 0.10.7 '
              '(load_checkpoint calls torch.load without weights_only on checkpoints that '
              'hold numpy values and HistoryBuffer)',
              _allow_checkpoint_globals, runner_checkpoint_fails_to_load),
    CompatFix('history_buffer_state',
              'torch >= 2.6 with mmengine 0.10.7 (HistoryBuffer.__getstate__ pickles its '
              'method table, which weights_only=True cannot load)',
              _history_buffer_without_method_table, runner_checkpoint_fails_to_load),
    CompatFix('gloo_launcher',
              'mmengine 0.10.7 (_init_dist_pytorch calls torch.cuda.set_device and uses the '
              'config backend, nccl by default) on machines without CUDA',
              _gloo_launcher_without_cuda, dist_launcher_fails_without_cuda),
    CompatFix('ddp_device_ids',
              'mmengine 0.10.7 (Runner.wrap_model passes device_ids=[LOCAL_RANK]) with '
              'torch DDP, which refuses device_ids for CPU modules (checked with torch 2.13)',
              _ddp_without_device_ids_on_cpu, ddp_rejects_cpu_device_ids),
    CompatFix('fsdp_cpu_device_id',
              'mmengine 0.10.7 (FSDPStrategy passes device_id=LOCAL_RANK) with torch FSDP, '
              'which needs an accelerator for an integer device_id (checked with torch 2.13)',
              _fsdp_cpu_device_id, fsdp_rejects_cpu_device_id),
    CompatFix('fsdp_cpu_state_dict',
              "mmengine 0.10.7 (FSDPStrategy's state_dict_cfg='full' sets offload_to_cpu) "
              'with torch 2.13 FSDP, whose full-state gather fails on CPU-only machines '
              'when offloading',
              _fsdp_no_cpu_offload_without_cuda, fsdp_full_state_dict_fails_on_cpu),
    CompatFix('atomic_checkpoints',
              'mmengine 0.10.7 (save_checkpoint writes the final file in place)',
              _atomic_runner_checkpoints, runner_writes_checkpoint_in_place),
)

_APPLIED = False


def apply_compat_patches(skip: Iterable[str] = ()) -> None:
    """Applies every fix of :data:`COMPAT_FIXES` (idempotent).

    Args:
        skip (Iterable[str]): Names of fixes to leave out (for the probe test).
    """
    global _APPLIED
    skip = set(skip)
    unknown = skip - {fix.name for fix in COMPAT_FIXES}
    if unknown:
        raise ValueError(f'unknown compat fixes {sorted(unknown)}; '
                         f'known: {[fix.name for fix in COMPAT_FIXES]}')
    if _APPLIED and not skip:
        return
    for fix in COMPAT_FIXES:
        if fix.name not in skip:
            fix.apply()
    _APPLIED = not skip
