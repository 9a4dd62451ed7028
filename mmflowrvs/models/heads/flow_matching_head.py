"""Flow matching from the video latent (s = 1) to the mask latent (s -> 0)."""
import math
from typing import Callable, Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmflowrvs.registry import MODELS
from . import timestep_sampling as ts

TIME_SAMPLINGS = ('boundary_biased', 'uniform', 'mask_biased', 'karras', 'fixed')


@MODELS.register_module()
class FlowMatchingHead(nn.Module):
    """Time sampling, interpolation, target and loss of FlowRVS.

    Convention (Wan/SD3, checkpoint-compatible): s in (0, 1], x_s = s z_v + (1 - s) z_m,
    target u = z_v - z_m, loss = mean MSE(f(x_s, s_int), u), with the DiT timestep
    s_int = 1000 s in {1..1000}.

    Boundary-biased sampling (BBS): with probability p, s_int = 1000 (the video
    start point itself); otherwise s = u^(1 / (beta + 1)), u ~ U(0, 1), clamped to
    [1e-5, 1], s_int = clamp(floor(1000 s), 1, 1000). A batch of B > 1 gets exactly
    floor(B p) samples at 1000, the rest regular, shuffled; B = 1 draws Bernoulli(p).

    Args:
        boundary_prob (float): p. Defaults to 0.5.
        beta (float): Skew of the regular times towards s = 1. Defaults to 0.
        num_train_timesteps (int): Defaults to 1000.
        loss_weight (float): Defaults to 1.0.
        time_sampling (str): ``'boundary_biased'`` (BBS above, the default) or one
            of the reference's alternatives (:mod:`.timestep_sampling`):
            ``'uniform'`` (distinct timesteps within a batch), ``'mask_biased'``
            (``s = 1 - u^(1/(mask_bias+1))``), ``'karras'`` (uniform over the
            ``karras_steps`` timesteps of Karras' schedule with ``karras_rho``) and
            ``'fixed'`` (uniform over ``fixed_timesteps``).
        mask_bias (float): Skew of ``'mask_biased'``. Defaults to 1.0.
        karras_steps (int): Size of the Karras schedule. Defaults to 50.
        karras_rho (float): Defaults to 7.0.
        fixed_timesteps (Sequence[int], optional): The list for ``'fixed'``.
    """

    def __init__(self, boundary_prob: float = 0.5, beta: float = 0.0,
                 num_train_timesteps: int = 1000, loss_weight: float = 1.0,
                 time_sampling: str = 'boundary_biased', mask_bias: float = 1.0,
                 karras_steps: int = 50, karras_rho: float = 7.0,
                 fixed_timesteps: Optional[Sequence[int]] = None) -> None:
        super().__init__()
        if not 0.0 <= boundary_prob <= 1.0:
            raise ValueError(f'boundary_prob must be in [0, 1], got {boundary_prob}')
        if time_sampling not in TIME_SAMPLINGS:
            raise ValueError(f'time_sampling must be one of {TIME_SAMPLINGS}, got '
                             f'{time_sampling!r}')
        if time_sampling == 'fixed':
            bad = [t for t in (fixed_timesteps or []) if not 1 <= int(t) <= num_train_timesteps]
            if not fixed_timesteps or bad:
                raise ValueError("time_sampling='fixed' needs fixed_timesteps in "
                                 f'[1, {num_train_timesteps}], got {fixed_timesteps}')
        self.time_sampling = time_sampling
        self.mask_bias = mask_bias
        self.fixed_timesteps = list(fixed_timesteps) if fixed_timesteps else None
        self.karras_table = (ts.karras_timesteps(karras_steps, num_train_timesteps, karras_rho)
                             if time_sampling == 'karras' else None)
        self.boundary_prob = boundary_prob
        self.beta = beta
        self.num_train_timesteps = num_train_timesteps
        self.loss_weight = loss_weight

    def sample_timesteps(self, batch_size: int, device=None,
                         generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """Draws integer timesteps with the configured ``time_sampling``.

        Returns:
            Tensor: (B,) int64 in [1, num_train_timesteps].
        """
        n_max = self.num_train_timesteps
        if self.time_sampling == 'uniform':
            return ts.uniform_without_replacement(batch_size, n_max, generator).to(device)
        if self.time_sampling == 'mask_biased':
            return ts.mask_biased(batch_size, n_max, self.mask_bias, generator).to(device)
        if self.time_sampling in ('karras', 'fixed'):
            table = self.karras_table if self.karras_table is not None else self.fixed_timesteps
            return ts.from_list(batch_size, table, generator).to(device)
        u = torch.rand(batch_size, generator=generator)
        s = u.pow(1.0 / (self.beta + 1.0)).clamp(1e-5, 1.0)
        t = torch.floor(n_max * s).long().clamp(1, n_max)
        if batch_size == 1:
            if torch.rand(1, generator=generator).item() < self.boundary_prob:
                t[0] = n_max
        else:
            n_boundary = math.floor(batch_size * self.boundary_prob)
            t[:n_boundary] = n_max
            t = t[torch.randperm(batch_size, generator=generator)]
        return t.to(device)

    def interpolate(self, z_v: torch.Tensor, z_m: torch.Tensor,
                    timesteps: torch.Tensor) -> torch.Tensor:
        """x_s = s z_v + (1 - s) z_m with s = t / 1000; latents (B, C, T', h, w)."""
        s = (timesteps.float() / self.num_train_timesteps).view(-1, 1, 1, 1, 1)
        return s * z_v + (1 - s) * z_m

    @staticmethod
    def target(z_v: torch.Tensor, z_m: torch.Tensor) -> torch.Tensor:
        """The constant velocity u = z_v - z_m."""
        return z_v - z_m

    def loss(self, velocity_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
             z_v: torch.Tensor, z_m: torch.Tensor,
             generator: Optional[torch.Generator] = None) -> Dict[str, torch.Tensor]:
        """Flow-matching loss.

        Args:
            velocity_fn (callable): f(x_s (B, C, T', h, w), t (B,)) -> velocity.
            z_v (Tensor): (B, C, T', h, w) video latents (start points).
            z_m (Tensor): (B, C, T', h, w) mask latents (end points).

        Returns:
            dict: ``loss_flow`` (scalar).
        """
        t = self.sample_timesteps(z_v.shape[0], device=z_v.device, generator=generator)
        x_s = self.interpolate(z_v, z_m, t)
        pred = velocity_fn(x_s, t)
        loss = F.mse_loss(pred.float(), self.target(z_v, z_m).float())
        return dict(loss_flow=loss * self.loss_weight)
