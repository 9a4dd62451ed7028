"""Narrow fixes for MMEngine 0.10.7 on torch >= 2.6 and on CPU-only machines.

Each patch changes one behaviour and leaves the rest of MMEngine untouched:

* ``torch.load`` defaults to ``weights_only=True`` since torch 2.6, and MMEngine's
  checkpoints hold a few non-tensor objects (the message hub's ``HistoryBuffer``
  with numpy arrays, numpy scalars and dtypes). We *allow-list* exactly those
  globals, so checkpoints keep loading with ``weights_only=True``, and keep
  ``HistoryBuffer``'s method table (pickled through ``getattr``) out of them.
* ``mmengine.dist`` calls ``torch.cuda.set_device`` and defaults to NCCL even when
  no GPU exists: on a CPU-only machine the PyTorch launcher falls back to gloo.
* ``MMDistributedDataParallel`` receives ``device_ids=[LOCAL_RANK]`` from the
  runner: on CPU, DDP needs ``device_ids=None``.
* ``FSDPStrategy`` passes ``device_id=LOCAL_RANK`` (an accelerator index) to
  ``MMFullyShardedDataParallel``: on CPU, FSDP (gloo) needs ``device_id=cpu``; and
  its ``state_dict_cfg='full'`` offloads to CPU, which on a CPU-only machine makes
  torch 2.13's FSDP crash (SIGSEGV) while gathering the checkpoint: there is
  nothing to offload there, so the offload is turned off.
* The runner writes checkpoints in place: a kill while saving leaves a truncated
  file that resume then picks. Checkpoints are written to a temporary file and
  renamed (atomic on POSIX).
"""
import os

import numpy as np
import torch

_APPLIED = False


def _safe_globals() -> list:
    from mmengine.logging.history_buffer import HistoryBuffer
    globs = [HistoryBuffer, np.ndarray, np.dtype]
    try:
        from numpy._core.multiarray import _reconstruct, scalar
        globs += [_reconstruct, scalar]
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct, scalar
        globs += [_reconstruct, scalar]
    # numpy dtype classes (np.dtypes.Float64DType, ...) are pickled by numpy >= 1.25.
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        globs += [getattr(dtypes, n) for n in dir(dtypes) if n.endswith('DType')]
    return globs


def _patch_torch_load_allowlist() -> None:
    torch.serialization.add_safe_globals(_safe_globals())
    # HistoryBuffer.__getstate__ pickles the class-level table of statistics
    # *methods*, which goes through ``getattr`` - a global that must never be
    # allow-listed. The table is class state (methods registered at import, and
    # __setstate__ restores the defaults): leave it out of the pickle.
    from mmengine.logging.history_buffer import HistoryBuffer
    if not getattr(HistoryBuffer.__getstate__, '_mmflowrvs', False):
        def __getstate__(self) -> dict:
            return {k: v for k, v in self.__dict__.items()
                    if k not in ('statistics_methods', '_statistics_methods')}
        __getstate__._mmflowrvs = True
        HistoryBuffer.__getstate__ = __getstate__


def _patch_dist_launcher() -> None:
    import torch.distributed as torch_dist
    from mmengine.dist import utils as dist_utils

    original = dist_utils._init_dist_pytorch

    def _init_dist_pytorch(backend, init_backend='torch', **kwargs) -> None:
        if torch.cuda.is_available() or init_backend != 'torch':
            return original(backend, init_backend=init_backend, **kwargs)
        # CPU-only: no device to select, and NCCL does not exist without CUDA.
        torch_dist.init_process_group(backend='gloo', **kwargs)

    dist_utils._init_dist_pytorch = _init_dist_pytorch


def _patch_ddp_device_ids() -> None:
    from mmengine.model.wrappers import distributed as ddp_module

    cls = ddp_module.MMDistributedDataParallel
    original_init = cls.__init__
    if getattr(original_init, '_mmflowrvs_cpu', False):
        return

    def __init__(self, module, detect_anomalous_params=False, **kwargs):
        if not torch.cuda.is_available():
            kwargs['device_ids'] = None
            kwargs.pop('output_device', None)
        original_init(self, module, detect_anomalous_params=detect_anomalous_params, **kwargs)

    __init__._mmflowrvs_cpu = True
    cls.__init__ = __init__


def _patch_fsdp_device_id() -> None:
    from mmengine.model.wrappers import fully_sharded_distributed as fsdp_module

    cls = fsdp_module.MMFullyShardedDataParallel
    original_init = cls.__init__
    if getattr(original_init, '_mmflowrvs_cpu', False):
        return

    def __init__(self, module, *args, **kwargs):
        if not torch.cuda.is_available() and isinstance(kwargs.get('device_id'), int):
            kwargs['device_id'] = torch.device('cpu')
        original_init(self, module, *args, **kwargs)

    __init__._mmflowrvs_cpu = True
    cls.__init__ = __init__

    from mmengine._strategy.fsdp import FSDPStrategy
    original_cfg = FSDPStrategy._init_state_dict_cfg
    if getattr(original_cfg, '_mmflowrvs_cpu', False):
        return

    def _init_state_dict_cfg(self, state_dict_cfg) -> None:
        original_cfg(self, state_dict_cfg)
        if not torch.cuda.is_available():
            for c in (self.state_dict_config, self.optim_state_dict_config):
                if getattr(c, 'offload_to_cpu', False):
                    c.offload_to_cpu = False

    _init_state_dict_cfg._mmflowrvs_cpu = True
    FSDPStrategy._init_state_dict_cfg = _init_state_dict_cfg


def _patch_atomic_checkpoints() -> None:
    """Runner checkpoints go to ``<file>.tmp`` first, then are renamed: a run killed
    while saving leaves the previous checkpoint intact, never a half-written file."""
    from mmengine.runner import runner as runner_module

    original = runner_module.save_checkpoint
    if getattr(original, '_mmflowrvs_atomic', False):
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

    save_checkpoint._mmflowrvs_atomic = True
    runner_module.save_checkpoint = save_checkpoint


def apply_compat_patches() -> None:
    """Applies the patches once per process (idempotent)."""
    global _APPLIED
    if _APPLIED:
        return
    _patch_torch_load_allowlist()
    _patch_dist_launcher()
    _patch_ddp_device_ids()
    _patch_fsdp_device_id()
    _patch_atomic_checkpoints()
    os.environ.setdefault('MMFLOWRVS_COMPAT', '1')
    _APPLIED = True
