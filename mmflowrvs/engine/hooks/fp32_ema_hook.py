"""MMEngine's EMAHook with a swap that keeps an fp32 shadow of bf16 weights exact."""
from typing import List, Optional

import torch
from mmengine.hooks import EMAHook

from mmflowrvs.registry import HOOKS


@HOOKS.register_module()
class FP32EMAHook(EMAHook):
    """``EMAHook`` for an fp32 EMA shadow (``TrainableFP32EMA``) of a bf16 model.

    For validation and testing, MMEngine's hook swaps the model's parameters with the
    shadow's by copying each into the other. With a bf16 DiT and an fp32 shadow the
    shadow then receives the bf16 weights and, swapped back, the bf16-rounded
    average: every validation would round the EMA to bf16, dropping the sub-bf16
    progress that the fp32 shadow exists to keep. Here the model's own weights are
    set aside (on the shadow's device) and the shadow is only read: it stays exact,
    and the model gets its weights back bit for bit. Parameters shared by the model
    and the shadow (frozen parts) are left alone. Arguments as ``EMAHook``.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._set_aside: Optional[List[torch.Tensor]] = None

    def _swap_ema_parameters(self) -> None:
        if self.ema_model.update_buffers:
            raise ValueError('FP32EMAHook swaps parameters only (update_buffers=False)')
        pairs = [(avg, src) for avg, src in zip(self.ema_model.module.parameters(),
                                                self.src_model.parameters())
                 if avg is not src]
        if self._set_aside is None:  # the shadow into the model
            self._set_aside = [src.data.to(avg.device, copy=True) for avg, src in pairs]
            for avg, src in pairs:
                src.data.copy_(avg.data)
        else:  # the model's own weights back
            for (_, src), kept in zip(pairs, self._set_aside):
                src.data.copy_(kept)
            self._set_aside = None
