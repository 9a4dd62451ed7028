"""ODE samplers that carry the video latent to the mask latent."""
from typing import Callable, List, Tuple

import numpy as np
import torch

from mmflowrvs.registry import MODELS

VelocityFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def shifted_schedule(num_steps: int, shift: float = 3.0,
                     num_train_timesteps: int = 1000) -> Tuple[List[int], List[float]]:
    """The reference timestep schedule.

    s_k = linspace(1, 0.001, N + 1); sigma_k = shift s_k / (1 + (shift - 1) s_k);
    the last is dropped; t_k = round(1000 sigma_k); sigmas = t_k / 1000, then 0.

    Returns:
        tuple: ``timesteps`` (N ints) and ``sigmas`` (N + 1 floats, ending at 0).
    """
    if num_steps < 1:
        raise ValueError(f'num_steps must be >= 1, got {num_steps}')
    s = np.linspace(1.0, 0.001, num_steps + 1)[:-1]
    sigma = shift * s / (1 + (shift - 1) * s)
    timesteps = [int(round(num_train_timesteps * x)) for x in sigma]
    sigmas = [t / num_train_timesteps for t in timesteps] + [0.0]
    return timesteps, sigmas


@MODELS.register_module()
class FlowEulerSampler:
    """Euler integration of dz/ds = f(z, s) from s = 1 (video) to 0 (mask).

    N = 1 (the default, the paper's) gives z_m = z_v - f(z_v, 1000).

    Args:
        num_steps (int): N. Defaults to 1.
        shift (float): Schedule shift. Defaults to 3.
        num_train_timesteps (int): Defaults to 1000.
    """

    def __init__(self, num_steps: int = 1, shift: float = 3.0,
                 num_train_timesteps: int = 1000) -> None:
        self.num_steps = num_steps
        self.shift = shift
        self.num_train_timesteps = num_train_timesteps
        self.timesteps, self.sigmas = shifted_schedule(num_steps, shift, num_train_timesteps)

    @property
    def nfe(self) -> int:
        """Number of function (velocity network) evaluations per sample."""
        return self.num_steps

    def _t(self, t: float, z: torch.Tensor) -> torch.Tensor:
        return torch.full((z.shape[0],), t, device=z.device, dtype=torch.float32)

    @torch.no_grad()
    def sample(self, velocity_fn: VelocityFn, z: torch.Tensor) -> torch.Tensor:
        """Integrates from ``z`` = z_v (B, C, T', h, w); returns the mask latent."""
        for k, t in enumerate(self.timesteps):
            z = z + (self.sigmas[k + 1] - self.sigmas[k]) * velocity_fn(z, self._t(t, z))
        return z


@MODELS.register_module()
class FlowHeunSampler(FlowEulerSampler):
    """Heun's second-order method (explicit trapezoid) on the same schedule.

    Each step evaluates f at its start and at the Euler prediction of its end, and
    averages. The network is trained for timesteps 1..1000, so the end of the last
    step (sigma = 0) is evaluated at timestep 1 (s = 0.001). NFE = 2 N.
    """

    @property
    def nfe(self) -> int:
        return 2 * self.num_steps

    @torch.no_grad()
    def sample(self, velocity_fn: VelocityFn, z: torch.Tensor) -> torch.Tensor:
        n_max = self.num_train_timesteps
        for k, t in enumerate(self.timesteps):
            s0, s1 = self.sigmas[k], self.sigmas[k + 1]
            d0 = velocity_fn(z, self._t(t, z))
            z_euler = z + (s1 - s0) * d0
            d1 = velocity_fn(z_euler, self._t(max(s1 * n_max, 1.0), z))
            z = z + (s1 - s0) * 0.5 * (d0 + d1)
        return z
