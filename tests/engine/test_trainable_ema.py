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
