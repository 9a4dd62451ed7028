"""Flow matching from the video latent (s = 1) to the mask latent (s -> 0)."""
import math
from typing import Callable, Dict, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmflowrvs.registry import MODELS

from . import timestep_sampling as ts

TIME_SAMPLINGS = ('boundary_biased', 'uniform', 'mask_biased', 'karras', 'fixed')
START_POINTS = ('video', 'noise')
PREDICTIONS = ('velocity', 'mask')


def check_paradigm(owner: str, start_point: str, prediction: str) -> None:
    """Raises a clear error for an unknown start point or prediction target."""
    if start_point not in START_POINTS:
        raise ValueError(f'{owner}: start_point must be one of {START_POINTS}, got '
                         f'{start_point!r}')
    if prediction not in PREDICTIONS:
        raise ValueError(f'{owner}: prediction must be one of {PREDICTIONS}, got '
                         f'{prediction!r}')


def check_model_paradigm(objective: nn.Module, sampler: object, use_dvi: bool) -> None:
    """Checks that training (objective) and inference (sampler) share one paradigm.

    Raises:
        ValueError: naming the config keys, when the sampler starts from another
            point or reads another target than the objective trains, or when a noise
            start point leaves the network without the video (no DVI).
    """
    for key, default in (('start_point', 'video'), ('prediction', 'velocity')):
        trained = getattr(objective, key, default)
        sampled = getattr(sampler, key, default)
        if trained != sampled:
            raise ValueError(f'model.objective.{key}={trained!r} but model.sampler.{key}='
                             f'{sampled!r}: inference must use the paradigm training used')
    if getattr(objective, 'start_point', 'video') == 'noise' and not use_dvi:
        raise ValueError("model.objective.start_point='noise' needs model.backbone.use_dvi=True: "
                         'without direct video injection the network never sees the video')


@MODELS.register_module()
class FlowMatchingObjective(nn.Module):
    """Time sampling, interpolation, target and loss of FlowRVS.

    Convention (Wan/SD3, checkpoint-compatible): s in (0, 1], x_s = s z_v + (1 - s) z_m,
    target u = z_v - z_m, loss = mean MSE(f(x_s, s_int), u), with the DiT timestep
    s_int = 1000 s in {1..1000}.

    The paper's paradigm baselines (configs/paradigms/) change the start point x_1
    and the regression target; the defaults are FlowRVS's own (x_1 = z_v, velocity):
    ``start_point='noise'`` draws x_1 ~ N(0, I) instead of z_v (the video then reaches
    the network only through direct video injection), x_s = s x_1 + (1 - s) z_m;
    ``prediction='mask'`` regresses z_m itself instead of the velocity x_1 - z_m.

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
        start_point (str): ``'video'`` (x_1 = z_v, FlowRVS) or ``'noise'``
            (x_1 ~ N(0, I)). Defaults to ``'video'``.
        prediction (str): ``'velocity'`` (x_1 - z_m, FlowRVS) or ``'mask'`` (z_m).
            Defaults to ``'velocity'``. The sampler must name the same two.
    """

    def __init__(self, boundary_prob: float = 0.5, beta: float = 0.0,
                 num_train_timesteps: int = 1000, loss_weight: float = 1.0,
                 time_sampling: str = 'boundary_biased', mask_bias: float = 1.0,
                 karras_steps: int = 50, karras_rho: float = 7.0,
                 fixed_timesteps: Optional[Sequence[int]] = None,
                 start_point: str = 'video', prediction: str = 'velocity') -> None:
        super().__init__()
        check_paradigm('FlowMatchingObjective', start_point, prediction)
        self.start_point = start_point
        self.prediction = prediction
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
        """x_s = s z_v + (1 - s) z_m with s = t / 1000; latents (B, C, T', h, w).

        ``z_v`` is the start point x_1 (Gaussian noise with ``start_point='noise'``).
        """
        s = (timesteps.float() / self.num_train_timesteps).view(-1, 1, 1, 1, 1)
        return s * z_v + (1 - s) * z_m

    @staticmethod
    def target(z_v: torch.Tensor, z_m: torch.Tensor) -> torch.Tensor:
        """The constant velocity u = z_v - z_m."""
        return z_v - z_m

    def start(self, z_v: torch.Tensor,
              generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """The start point x_1 (B, C, T', h, w): z_v itself or Gaussian noise."""
        if self.start_point == 'video':
            return z_v
        noise = torch.randn(z_v.shape, generator=generator, dtype=torch.float32)
        return noise.to(device=z_v.device, dtype=z_v.dtype)

    def regression_target(self, x_1: torch.Tensor, z_m: torch.Tensor) -> torch.Tensor:
        """What the network regresses: the velocity x_1 - z_m, or z_m itself."""
        return self.target(x_1, z_m) if self.prediction == 'velocity' else z_m

    def loss(self, velocity_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
             z_v: torch.Tensor, z_m: torch.Tensor,
             generator: Optional[torch.Generator] = None) -> Dict[str, torch.Tensor]:
        """Flow-matching loss.

        Args:
            velocity_fn (callable): f(x_s (B, C, T', h, w), t (B,)) -> the
                prediction (the velocity, or the mask latent with
                ``prediction='mask'``).
            z_v (Tensor): (B, C, T', h, w) video latents (the start points, unless
                ``start_point='noise'``).
            z_m (Tensor): (B, C, T', h, w) mask latents (end points).
            generator (torch.Generator, optional): For the timesteps and the noise.

        Returns:
            dict: ``loss_flow`` (scalar).
        """
        t = self.sample_timesteps(z_v.shape[0], device=z_v.device, generator=generator)
        x_1 = self.start(z_v, generator)
        x_s = self.interpolate(x_1, z_m, t)
        pred = velocity_fn(x_s, t)
        loss = F.mse_loss(pred.float(), self.regression_target(x_1, z_m).float())
        return dict(loss_flow=loss * self.loss_weight)
