"""EMA of a model's trainable parameters only, in fp32."""
from copy import deepcopy
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import ExponentialMovingAverage

from mmflowrvs.registry import MODELS


@MODELS.register_module()
class TrainableFP32EMA(ExponentialMovingAverage):
    """Exponential moving average of the *trainable* parameters, kept in fp32.

    MMEngine's EMA deep-copies the whole model: for FlowRVS that would duplicate the
    frozen 5.7 B text encoder and keep the shadow in the DiT's bf16, where a 1e-4
    update is below bf16's resolution. Here frozen parameters are shared with the
    source model (not copied, not averaged), and the trainable ones get an fp32
    shadow (the reference keeps an fp32 EMA, decay 0.9999 = momentum 1e-4).

    Args:
        model (nn.Module): The model to average.
        momentum (float): 1 - decay. Defaults to 1e-4.
        interval (int): Update every n steps. Defaults to 1.
        compensate_interval (bool): With ``interval`` k > 1, an update applies the
            k per-step decays of its window at once (``1 - prod(decay_j)``), so the
            average spans the same number of iterations as updating every step (and
            equals it when the weights do not change within a window); without it
            (MMEngine's behaviour) the average's horizon grows k-fold. No effect at
            k = 1. Defaults to True.
        device (torch.device, optional): Where to keep the shadow (e.g. ``'cpu'``
            to keep the 5.7 GB fp32 shadow off the GPU; the shared frozen parameters
            stay where they are).
        update_buffers (bool): Not supported (buffers are kept in sync).
        decay_warmup (bool): diffusers ``EMAModel``'s default warm-up, as the
            reference trains: the n-th update (``steps`` = n - 1 before it) uses
            ``decay = min(1 - momentum, (1 + steps) / (10 + steps))``; the first
            update copies the parameters (decay 0) in both. Without it the decay
            is ``1 - momentum`` from the second update on, and the shadow keeps a
            share ``(1 - momentum) ** n`` of the initial weights. Defaults to False.
    """

    def __init__(self, model: nn.Module, momentum: float = 1e-4, interval: int = 1,
                 device: Optional[torch.device] = None, update_buffers: bool = False,
                 decay_warmup: bool = False, compensate_interval: bool = True) -> None:
        if update_buffers:
            raise ValueError('TrainableFP32EMA averages parameters only (update_buffers=False)')
        frozen = {id(p): p for p in model.parameters() if not p.requires_grad}
        trainable_ids = {id(p) for p in model.parameters() if p.requires_grad}
        nn.Module.__init__(self)
        copy = deepcopy(model, memo=dict(frozen))  # frozen tensors shared, not copied
        with torch.no_grad():
            for p in copy.parameters():
                if id(p) not in frozen:
                    p.data = p.data.float()
        self.module = copy.requires_grad_(False)
        for p in frozen.values():  # requires_grad_(False) above touched shared params
            p.requires_grad_(False)
        self.interval = interval
        if device is not None:  # the shadow only: frozen tensors are shared with ``model``
            for p in self.module.parameters():
                if id(p) not in frozen:
                    p.data = p.data.to(device)
        self.register_buffer('steps', torch.tensor(0, dtype=torch.long, device=device))
        self.update_buffers = False
        names = [n for n, p in model.named_parameters() if id(p) in trainable_ids]
        own = dict(self.module.named_parameters())
        self.avg_parameters = {n: own[n] for n in names}
        self.momentum = momentum
        self.decay_warmup = decay_warmup
        self.compensate_interval = compensate_interval

    def avg_func(self, averaged_param: torch.Tensor, source_param: torch.Tensor,
                 steps: int) -> None:
        """shadow <- shadow + (1 - decay) (param - shadow), in fp32."""
        averaged_param.lerp_(source_param.float(), self.update_momentum(int(steps)))

    def update_momentum(self, steps: int) -> float:
        """``1 - decay`` of the update made at ``steps`` (a multiple of the interval)."""
        if self.interval == 1 or not self.compensate_interval:
            return self.momentum_at(steps)
        keep = 1.0
        for j in range(steps - self.interval + 1, steps + 1):
            keep *= 1.0 - self.momentum_at(j)
        return 1.0 - keep

    def momentum_at(self, steps: int) -> float:
        """``1 - decay`` of the update made when ``steps`` updates were made before."""
        if not self.decay_warmup:
            return self.momentum
        if steps <= 0:
            return 1.0
        return 1.0 - min(1.0 - self.momentum, (1 + steps) / (10 + steps))
