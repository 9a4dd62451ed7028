"""Checks that data-parallel ranks hold identical weights."""
import torch
import torch.distributed as dist
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmflowrvs.registry import HOOKS


@HOOKS.register_module()
class DistributedSyncCheckHook(Hook):
    """After every ``interval`` training iterations, all-gathers a checksum of the
    trainable parameters and raises if the ranks disagree (a desynchronised
    data-parallel run trains several different models without any error).

    Args:
        interval (int): Check every n iterations. Defaults to 1.
        atol (float): Tolerance on the checksums. Defaults to 0 (bitwise equal).
    """

    priority = 'VERY_LOW'

    def __init__(self, interval: int = 1, atol: float = 0.0) -> None:
        self.interval = interval
        self.atol = atol
        self.num_checks = 0

    @staticmethod
    def checksum(model: torch.nn.Module) -> torch.Tensor:
        """(2,) float64: sum and sum of squares of the trainable parameters."""
        if is_model_wrapper(model):
            model = model.module
        total = torch.zeros(2, dtype=torch.float64)
        for p in model.parameters():
            if p.requires_grad:
                v = p.detach().double().cpu()
                total += torch.stack([v.sum(), (v * v).sum()])
        return total

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if not (dist.is_available() and dist.is_initialized()):
            return
        if (runner.iter + 1) % self.interval:
            return
        local = self.checksum(runner.model)
        gathered = [torch.zeros_like(local) for _ in range(dist.get_world_size())]
        dist.all_gather(gathered, local)
        ref = gathered[0]
        for rank, value in enumerate(gathered):
            if not torch.allclose(value, ref, rtol=0, atol=self.atol):
                raise RuntimeError(f'rank {rank} weights differ from rank 0 after iteration '
                                   f'{runner.iter + 1}: {value.tolist()} vs {ref.tolist()}')
        self.num_checks += 1
        if (runner.iter + 1) % 50 == 0 or self.num_checks == 1:
            runner.logger.info(f'ranks in sync after iteration {runner.iter + 1} '
                               f'({dist.get_world_size()} ranks, {self.num_checks} checks)')
