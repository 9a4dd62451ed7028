"""Training-time samplers of the flow time s (as integer DiT timesteps 1..N).

Every sampler returns ``(B,)`` int64 timesteps in ``[1, num_train_timesteps]``
(``t = N s``; ``s = 1`` is the video end, ``s -> 0`` the mask end). Boundary-biased
sampling lives in :class:`FlowMatchingObjective` itself; these are the alternatives the
reference's sampling module offers.
"""
from typing import Optional, Sequence

import torch


def _floor_to_steps(s: torch.Tensor, n_max: int) -> torch.Tensor:
    return torch.floor(n_max * s.clamp(1e-5, 1.0)).long().clamp(1, n_max)


def uniform_without_replacement(batch_size: int, n_max: int,
                                generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """Distinct timesteps drawn uniformly from ``1..n_max`` (no repeats in a batch)."""
    if batch_size > n_max:
        raise ValueError(f'uniform sampling without replacement: batch {batch_size} > '
                         f'{n_max} timesteps')
    return torch.randperm(n_max, generator=generator)[:batch_size] + 1


def mask_biased(batch_size: int, n_max: int, bias: float,
                generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """``s = 1 - u^(1/(bias+1))``: density ``(bias+1)(1-s)^bias``, skewed to the mask end.

    ``bias = 0`` is uniform; ``E[s] = 1 / (bias + 2)``.
    """
    u = torch.rand(batch_size, generator=generator)
    return _floor_to_steps(1.0 - u.pow(1.0 / (bias + 1.0)), n_max)


def karras_timesteps(num_steps: int, n_max: int, rho: float = 7.0,
                     s_min: float = 1e-3, s_max: float = 1.0) -> torch.Tensor:
    """Karras et al.'s schedule on s, as integer timesteps (``num_steps``,) descending.

    ``s_i = (s_max^(1/rho) + i/(K-1) (s_min^(1/rho) - s_max^(1/rho)))^rho``,
    ``i = 0..K-1``, then ``t_i = clamp(round(n_max s_i), 1, n_max)``.
    """
    if num_steps < 2:
        raise ValueError(f'karras_steps must be >= 2, got {num_steps}')
    ramp = torch.linspace(0, 1, num_steps, dtype=torch.float64)
    lo, hi = s_min ** (1 / rho), s_max ** (1 / rho)
    s = (hi + ramp * (lo - hi)) ** rho
    return torch.round(n_max * s).long().clamp(1, n_max)


def from_list(batch_size: int, timesteps: Sequence[int],
              generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """Timesteps drawn uniformly (with replacement) from a fixed list."""
    table = torch.as_tensor(list(timesteps), dtype=torch.long)
    idx = torch.randint(len(table), (batch_size, ), generator=generator)
    return table[idx]
