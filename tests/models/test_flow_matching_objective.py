import math

import pytest
import torch

from mmflowrvs.models.objectives import FlowMatchingObjective


@pytest.mark.parametrize('batch,p', [(8, 0.5), (7, 0.5), (16, 0.25), (5, 0.75), (4, 0.0)])
def test_bbs_puts_floor_bp_samples_at_1000(batch, p):
    objective = FlowMatchingObjective(boundary_prob=p)
    g = torch.Generator().manual_seed(1)
    for _ in range(50):
        t = objective.sample_timesteps(batch, generator=g)
        assert t.dtype == torch.int64 and t.shape == (batch,)
        assert int((t == 1000).sum()) == math.floor(batch * p)
        assert t.min() >= 1 and t.max() <= 1000


@pytest.mark.parametrize('beta,mean', [(0.0, 0.5), (1.0, 2 / 3), (3.0, 0.8)])
def test_regular_times_follow_u_pow_one_over_beta_plus_one(beta, mean):
    objective = FlowMatchingObjective(boundary_prob=0.0, beta=beta)
    t = objective.sample_timesteps(200000, generator=torch.Generator().manual_seed(0)).float()
    # E[floor(1000 u^(1/(b+1)))] / 1000 = (b+1)/(b+2) - ~0.0005
    assert abs(t.mean().item() / 1000 - mean) < 5e-3
    assert (t < 1000).all()


def test_batch_of_one_is_bernoulli_p():
    objective = FlowMatchingObjective(boundary_prob=0.5)
    g = torch.Generator().manual_seed(0)
    hits = sum(int(objective.sample_timesteps(1, generator=g)[0] == 1000) for _ in range(4000))
    assert 0.46 < hits / 4000 < 0.54


def test_interpolation_target_and_loss():
    objective = FlowMatchingObjective(boundary_prob=0.0)
    z_v, z_m = torch.randn(3, 16, 2, 4, 4), torch.randn(3, 16, 2, 4, 4)
    t = torch.tensor([1000, 500, 1])
    x = objective.interpolate(z_v, z_m, t)
    torch.testing.assert_close(x[0], z_v[0])
    torch.testing.assert_close(x[1], 0.5 * z_v[1] + 0.5 * z_m[1])
    torch.testing.assert_close(x[2], 0.001 * z_v[2] + 0.999 * z_m[2])
    target = objective.target(z_v, z_m)
    perfect = objective.loss(lambda x, t: target, z_v, z_m)['loss_flow']
    assert perfect.item() == 0.0
    zero = objective.loss(lambda x, t: torch.zeros_like(x), z_v, z_m)['loss_flow']
    torch.testing.assert_close(zero, (target ** 2).mean())


def test_bad_probability():
    with pytest.raises(ValueError):
        FlowMatchingObjective(boundary_prob=1.5)
