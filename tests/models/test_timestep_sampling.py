"""The alternative training-time samplers of FlowMatchingObjective: their distributions."""
import pytest
import torch

from mmflowrvs.models.objectives import FlowMatchingObjective
from mmflowrvs.models.objectives.timestep_sampling import karras_timesteps


def _draw(head, batch, times, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.stack([head.sample_timesteps(batch, generator=g) for _ in range(times)])


def test_uniform_has_no_repeats_in_a_batch_and_is_uniform():
    t = _draw(FlowMatchingObjective(time_sampling='uniform'), 64, 500)
    assert t.dtype == torch.int64 and t.min() >= 1 and t.max() <= 1000
    assert all(len(set(row.tolist())) == 64 for row in t)
    counts = torch.bincount(t.flatten() - 1, minlength=1000).float()  # 32 per value expected
    s = torch.sort(t.flatten().float() / 1000).values  # Kolmogorov-Smirnov vs U(0, 1]
    ks = (s - torch.arange(1, len(s) + 1) / len(s)).abs().max()
    assert ks < 0.01 and counts.min() > 5
    with pytest.raises(ValueError, match='batch 1001 > 1000'):
        FlowMatchingObjective(time_sampling='uniform').sample_timesteps(1001)


@pytest.mark.parametrize('bias', [0.0, 1.0, 3.0])
def test_mask_biased_mean_and_skew(bias):
    t = _draw(FlowMatchingObjective(time_sampling='mask_biased', mask_bias=bias), 1000, 100)
    s = t.float() / 1000
    assert abs(s.mean().item() - 1 / (bias + 2)) < 5e-3  # E[1 - u^(1/(b+1))] = 1/(b+2)
    if bias > 0:
        assert (s < 0.5).float().mean() > 0.5 + 0.2 * bias / (bias + 1)


def test_karras_draws_only_and_evenly_from_the_schedule():
    table = karras_timesteps(10, 1000, rho=7.0)
    assert table[0] == 1000 and table[-1] == 1 and (table[:-1] >= table[1:]).all()
    s_mid = (1 + 0.5 * (1e-3 ** (1 / 7) - 1)) ** 7  # the schedule's formula at i/(K-1)=1/2
    assert karras_timesteps(3, 1000)[1] == round(1000 * s_mid)
    head = FlowMatchingObjective(time_sampling='karras', karras_steps=10)
    t = _draw(head, 100, 200).flatten()
    values, counts = torch.unique(t, return_counts=True)
    assert set(values.tolist()) == set(table.tolist())
    assert counts.min() > 0.8 * len(t) / len(values)  # distinct values uniformly (no repeats)


def test_fixed_list_and_bad_options():
    head = FlowMatchingObjective(time_sampling='fixed', fixed_timesteps=[1000, 750])
    t = _draw(head, 50, 40).flatten()
    assert set(t.tolist()) == {1000, 750} and abs((t == 750).float().mean() - 0.5) < 0.05
    with pytest.raises(ValueError, match='fixed_timesteps'):
        FlowMatchingObjective(time_sampling='fixed', fixed_timesteps=[0, 10])
    with pytest.raises(ValueError, match="time_sampling must be one of"):
        FlowMatchingObjective(time_sampling='logit_normal')


def test_boundary_biased_stays_the_default():
    head, g = FlowMatchingObjective(), torch.Generator().manual_seed(3)
    assert head.time_sampling == 'boundary_biased'
    assert int((head.sample_timesteps(8, generator=g) == 1000).sum()) == 4
