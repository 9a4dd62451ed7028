"""ODE samplers that carry the video latent to the mask latent."""
from typing import Callable, List, Optional, Tuple

import numpy as np
import torch

from mmflowrvs.registry import TASK_UTILS

from ..objectives.flow_matching_objective import check_paradigm

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


@TASK_UTILS.register_module()
class FlowEulerSampler:
    """Euler integration of dz/ds = f(z, s) from s = 1 (video) to 0 (mask).

    N = 1 (the default, the paper's) gives z_m = z_v - f(z_v, 1000).

    The paradigm baselines (configs/paradigms/, the same two options as
    :class:`FlowMatchingObjective`): ``start_point='noise'`` starts from Gaussian noise
    instead of z_v; ``prediction='mask'`` reads the network's output as the mask
    latent m and steps with the velocity it implies, (z - m) / s, i.e.
    z <- (s' / s) z + (1 - s' / s) m: one step from s = 1 returns m = f(z, 1000).

    Args:
        num_steps (int): N. Defaults to 1.
        shift (float): Schedule shift. Defaults to 3.
        num_train_timesteps (int): Defaults to 1000.
        start_point (str): ``'video'`` (z_v, FlowRVS) or ``'noise'``.
        prediction (str): ``'velocity'`` (FlowRVS) or ``'mask'``.
        noise_seed (int, optional): Seed of the start noise, drawn afresh for each
            call (so a sample's noise depends only on its batch shape and position:
            repeated tests agree); ``None`` draws from torch's global generator.
            Only with ``start_point='noise'``. Defaults to 0.
    """

    def __init__(self, num_steps: int = 1, shift: float = 3.0,
                 num_train_timesteps: int = 1000, start_point: str = 'video',
                 prediction: str = 'velocity', noise_seed: Optional[int] = 0) -> None:
        check_paradigm(type(self).__name__, start_point, prediction)
        self.num_steps = num_steps
        self.shift = shift
        self.num_train_timesteps = num_train_timesteps
        self.start_point = start_point
        self.prediction = prediction
        self.noise_seed = noise_seed
        self.timesteps, self.sigmas = shifted_schedule(num_steps, shift, num_train_timesteps)

    @property
    def nfe(self) -> int:
        """Number of function (velocity network) evaluations per sample."""
        return self.num_steps

    def _t(self, t: float, z: torch.Tensor) -> torch.Tensor:
        return torch.full((z.shape[0],), t, device=z.device, dtype=torch.float32)

    def start(self, z_v: torch.Tensor) -> torch.Tensor:
        """The ODE's start (B, C, T', h, w): z_v, or noise of its shape."""
        if self.start_point == 'video':
            return z_v
        generator = (None if self.noise_seed is None
                     else torch.Generator().manual_seed(self.noise_seed))
        noise = torch.randn(z_v.shape, generator=generator, dtype=torch.float32)
        return noise.to(device=z_v.device, dtype=z_v.dtype)

    def velocity(self, pred: torch.Tensor, z: torch.Tensor, sigma: float) -> torch.Tensor:
        """The velocity at (z, sigma) the network's output stands for."""
        return pred if self.prediction == 'velocity' else (z - pred) / sigma

    @torch.no_grad()
    def sample(self, velocity_fn: VelocityFn, z: torch.Tensor) -> torch.Tensor:
        """Integrates from ``z`` = z_v (B, C, T', h, w) (or from noise, see
        ``start_point``); returns the mask latent."""
        z = self.start(z)
        for k, t in enumerate(self.timesteps):
            s0, s1 = self.sigmas[k], self.sigmas[k + 1]
            pred = velocity_fn(z, self._t(t, z))
            if self.prediction == 'velocity':
                z = z + (s1 - s0) * pred
            else:  # Euler on (z - m) / s0, written so that s1 = 0 returns m exactly
                z = (s1 / s0) * z + (1 - s1 / s0) * pred
        return z


@TASK_UTILS.register_module()
class FlowHeunSampler(FlowEulerSampler):
    """Heun's second-order method (explicit trapezoid) on the same schedule.

    Each step evaluates f at its start and at the Euler prediction of its end, and
    averages. The network is trained for timesteps 1..1000, so the end of the last
    step (sigma = 0) is evaluated at timestep 1 (s = 0.001). NFE = 2 N.

    With ``prediction='mask'`` the velocity at sigma = 0, (z - m) / sigma, does not
    exist: the last step is then an Euler step (it returns the predicted mask
    latent), and NFE = 2 N - 1.
    """

    @property
    def nfe(self) -> int:
        return 2 * self.num_steps - (self.prediction == 'mask')

    @torch.no_grad()
    def sample(self, velocity_fn: VelocityFn, z: torch.Tensor) -> torch.Tensor:
        n_max = self.num_train_timesteps
        z = self.start(z)
        for k, t in enumerate(self.timesteps):
            s0, s1 = self.sigmas[k], self.sigmas[k + 1]
            pred = velocity_fn(z, self._t(t, z))
            if self.prediction == 'mask' and s1 == 0:
                z = pred  # the Euler step to sigma = 0: (0 / s0) z + (1 - 0 / s0) m = m
                break
            d0 = self.velocity(pred, z, s0)
            z_euler = z + (s1 - s0) * d0
            t1 = max(s1 * n_max, 1.0)
            d1 = self.velocity(velocity_fn(z_euler, self._t(t1, z)), z_euler, t1 / n_max)
            z = z + (s1 - s0) * 0.5 * (d0 + d1)
        return z
