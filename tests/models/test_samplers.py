import pytest
import torch

from mmflowrvs.models.task_modules import FlowEulerSampler, FlowHeunSampler, shifted_schedule


@pytest.mark.parametrize('n,expected', [(1, [1000]), (2, [1000, 750]), (3, [1000, 857, 601]),
                                        (4, [1000, 900, 750, 501])])
def test_reference_timesteps(n, expected):
    timesteps, sigmas = shifted_schedule(n, shift=3.0)
    assert timesteps == expected
    assert sigmas == [t / 1000 for t in expected] + [0.0]
    assert FlowEulerSampler(num_steps=n).timesteps == expected


def test_one_step_euler_is_z_minus_velocity_at_1000():
    calls = []

    def f(z, t):
        calls.append(t.clone())
        return torch.sin(z) * 0.5 + 0.1

    z_v = torch.randn(2, 16, 3, 4, 4)
    out = FlowEulerSampler(num_steps=1).sample(f, z_v)
    assert torch.equal(out, z_v - f(z_v, torch.full((2,), 1000.0)))
    assert len(calls) == 2 and torch.equal(calls[0], torch.full((2,), 1000.0))


def test_nfe_counts():
    for n in (1, 2, 3):
        count = [0]

        def f(z, t):
            count[0] += 1
            return z
        FlowHeunSampler(num_steps=n).sample(f, torch.ones(1, 2))
        assert count[0] == FlowHeunSampler(num_steps=n).nfe == 2 * n
        count[0] = 0
        FlowEulerSampler(num_steps=n).sample(f, torch.ones(1, 2))
        assert count[0] == FlowEulerSampler(num_steps=n).nfe == n


def test_heun_beats_euler_on_a_curved_flow():
    # dz/ds = z  =>  z(0) = z(1) * exp(-1)
    def f(z, t):
        return z
    z1 = torch.ones(1, 1)
    exact = torch.exp(torch.tensor(-1.0))
    err_euler = (FlowEulerSampler(num_steps=4).sample(f, z1) - exact).abs().item()
    err_heun = (FlowHeunSampler(num_steps=4).sample(f, z1) - exact).abs().item()
    assert err_heun < err_euler / 2


def test_constant_velocity_is_exact_for_any_steps():
    u = torch.randn(1, 16, 2, 3, 3)
    z_v = torch.randn_like(u)
    for sampler in (FlowEulerSampler(num_steps=3), FlowHeunSampler(num_steps=3)):
        out = sampler.sample(lambda z, t: u, z_v)
        torch.testing.assert_close(out, z_v - u, rtol=0, atol=1e-6)


def test_bad_num_steps():
    with pytest.raises(ValueError, match='num_steps'):
        FlowEulerSampler(num_steps=0)
