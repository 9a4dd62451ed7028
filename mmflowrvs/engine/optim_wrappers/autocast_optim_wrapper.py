"""Mixed precision without a GPU: bf16 autocast on any device."""
from contextlib import contextmanager
from typing import Union

import torch
from mmengine.optim import OptimWrapper

from mmflowrvs.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(OptimWrapper):
    """An ``OptimWrapper`` that runs forward passes under ``torch.autocast``.

    MMEngine's ``AmpOptimWrapper`` asserts a GPU (it needs a loss scaler for fp16).
    bf16 needs no loss scaling, so this wrapper gives ``--amp`` a meaning on CPU
    machines; on GPUs ``tools/train.py --amp`` keeps using ``AmpOptimWrapper``.

    Args:
        dtype (str | torch.dtype): Autocast dtype. Defaults to ``'bfloat16'``.
    """

    def __init__(self, dtype: Union[str, torch.dtype] = 'bfloat16', **kwargs) -> None:
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        device = next(model.parameters()).device.type
        with super().optim_context(model), torch.autocast(device_type=device,
                                                           dtype=self.cast_dtype):
            yield
