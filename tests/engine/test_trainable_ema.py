import torch
import torch.nn as nn

from mmflowrvs.engine import TrainableFP32EMA


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.frozen = nn.Linear(4, 4)
        self.frozen.requires_grad_(False)
        self.train_me = nn.Linear(4, 4).to(torch.bfloat16)


def test_shares_frozen_and_keeps_an_fp32_shadow_of_trainable():
    net = Net()
    ema = TrainableFP32EMA(net, momentum=1e-4)
    assert ema.module.frozen.weight is net.frozen.weight  # shared, not copied
    assert ema.module.train_me.weight.dtype == torch.float32
    assert set(ema.avg_parameters) == {'train_me.weight', 'train_me.bias'}
    assert not net.frozen.weight.requires_grad and net.train_me.weight.requires_grad
    ema.update_parameters(net)  # step 0: copy
    start = ema.module.train_me.weight.clone()
    with torch.no_grad():
        net.train_me.weight.add_(1.0)
    for _ in range(10):
        ema.update_parameters(net)
    # 10 updates of momentum 1e-4 towards +1: ~1e-3, invisible in bf16 near 0.5
    delta = (ema.module.train_me.weight - start).mean().item()
    assert abs(delta - (1 - (1 - 1e-4) ** 10)) < 1e-5


def test_decay_warmup_follows_diffusers_closed_form():
    """The shadow after n updates towards a moving target equals the recursion with
    diffusers EMAModel's decay (first update copies; then min(d, (1+t)/(10+t)))."""
    from diffusers.training_utils import EMAModel
    torch.manual_seed(0)
    net = nn.Linear(3, 2)
    ema = TrainableFP32EMA(net, momentum=1e-4, decay_warmup=True)
    ref = EMAModel(net.parameters(), decay=1 - 1e-4)  # the reference's EMA, defaults
    expected = net.weight.detach().clone().double()
    for n in range(1, 41):
        with torch.no_grad():
            net.weight.add_(torch.randn_like(net.weight))
        t = n - 1
        decay = 0.0 if t <= 0 else min(1 - 1e-4, (1 + t) / (10 + t))
        expected = decay * expected + (1 - decay) * net.weight.detach().double()
        ema.update_parameters(net)
        ref.step(net.parameters())
        assert torch.allclose(ema.module.weight.double(), expected, atol=1e-6)
        assert torch.allclose(ema.module.weight, ref.shadow_params[0], atol=1e-6)
    assert abs(ema.momentum_at(40) - (1 - 41 / 50)) < 1e-12  # warm-up decay at t = 40
    assert abs(ema.momentum_at(10 ** 6) - 1e-4) < 1e-12  # capped by the decay later


def test_without_warmup_the_decay_is_constant():
    ema = TrainableFP32EMA(nn.Linear(2, 2), momentum=1e-4)
    assert [ema.momentum_at(t) for t in (1, 10, 1000)] == [1e-4] * 3


def _run_ema(values, **kwargs):
    """The shadow after one update per entry of ``values`` (the weight at that step)."""
    net = nn.Linear(1, 1, bias=False)
    ema = TrainableFP32EMA(net, momentum=0.05, **kwargs)
    for v in values:
        with torch.no_grad():
            net.weight.fill_(v)
        ema.update_parameters(net)
    return ema.module.weight.item()


def test_interval_one_is_the_every_step_recursion_bitwise():
    torch.manual_seed(0)
    values = torch.randn(50).tolist()
    for warmup in (False, True):
        expected = torch.tensor([[values[0]]])  # the first update copies
        ema = TrainableFP32EMA(nn.Linear(1, 1, bias=False), momentum=0.05, interval=1,
                               decay_warmup=warmup)
        for n, v in enumerate(values[1:], start=1):
            expected = expected.lerp(torch.tensor([[v]]), ema.momentum_at(n))
        assert _run_ema(values, interval=1, decay_warmup=warmup) == expected.item()


def test_every_k_steps_equals_every_step_when_weights_hold_within_a_window():
    """Weights that change only at the start of each window of k steps: the update
    every k-th step (k decays at once) gives the every-step EMA; without the
    compensation the average lags (a k-fold longer horizon)."""
    torch.manual_seed(0)
    k = 10
    levels = torch.randn(8).tolist()
    values = [levels[0]] + [levels[1 + (j - 1) // k] for j in range(1, 7 * k + 1)]
    for warmup in (False, True):
        every = _run_ema(values, interval=1, decay_warmup=warmup)
        sparse = _run_ema(values, interval=k, decay_warmup=warmup)
        lagging = _run_ema(values, interval=k, decay_warmup=warmup,
                           compensate_interval=False)
        assert abs(sparse - every) < 1e-6, (sparse, every)
        assert abs(lagging - every) > 1e-2, (lagging, every)
