"""Gradient-norm clipping over the whole gradient when FSDP shards it."""
from contextlib import contextmanager
from typing import Optional

import torch
from mmengine.optim import OptimWrapper

from mmflowrvs.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class ShardedClipOptimWrapper(OptimWrapper):
    """An ``OptimWrapper`` whose ``clip_grad`` norm is that of the full gradient.

    Under FSDP each rank holds a shard of every gradient, and MMEngine's
    ``OptimWrapper`` clips with ``torch.nn.utils.clip_grad_norm_`` on the local
    shards: every rank would scale its shard by a different factor, computed from a
    fraction of the gradient - not the recipe's clip at a global norm of 1.0, and
    not what data-parallel training does. Here the norm comes from
    ``FullyShardedDataParallel.clip_grad_norm_`` on the root module the training
    step runs under (a collective over all ranks). Without FSDP it is MMEngine's
    ``OptimWrapper``.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._fsdp_root: Optional[torch.nn.Module] = None

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        from torch.distributed.fsdp import FullyShardedDataParallel
        if isinstance(model, FullyShardedDataParallel):
            self._fsdp_root = model
        with super().optim_context(model):
            yield

    def _clip_grad(self) -> None:
        if self._fsdp_root is None or self.clip_func is not torch.nn.utils.clip_grad_norm_:
            return super()._clip_grad()
        kwargs = {k: v for k, v in self.clip_grad_kwargs.items()
                  if k in ('max_norm', 'norm_type')}
        norm = self._fsdp_root.clip_grad_norm_(**kwargs)
        self.message_hub.update_scalar(f'train/{self.grad_name}', float(norm))
