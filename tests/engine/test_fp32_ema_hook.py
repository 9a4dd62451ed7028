"""FP32EMAHook: validating with the EMA weights keeps the fp32 shadow exact."""
import copy
from types import SimpleNamespace

import torch
import torch.nn as nn
from mmengine.hooks import EMAHook

from mmflowrvs.engine import FP32EMAHook


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.frozen = nn.Linear(3, 3).requires_grad_(False)
        self.dit = nn.Linear(3, 3).to(torch.bfloat16)


def _hook_after_training(hook_type):
    torch.manual_seed(0)
    net = Net()
    hook = hook_type(ema_type='TrainableFP32EMA', momentum=0.01)
    runner = SimpleNamespace(model=net, iter=0, epoch=0)
    hook.before_run(runner)
    for i in range(20):  # weights move, the fp32 shadow keeps sub-bf16 progress
        with torch.no_grad():
            net.dit.weight.add_(0.01 * torch.randn(3, 3))
        runner.iter = i
        hook.after_train_iter(runner, i)
    return net, hook, runner


def test_validation_swap_leaves_the_shadow_and_the_weights_exact():
    net, hook, runner = _hook_after_training(FP32EMAHook)
    shadow = copy.deepcopy(hook.ema_model.module.dit.weight.data)
    weights = net.dit.weight.data.clone()
    assert shadow.dtype == torch.float32 and not torch.equal(shadow.bfloat16().float(), shadow)
    hook.before_val_epoch(runner)
    assert torch.equal(net.dit.weight.data, shadow.bfloat16())  # validating with the EMA
    assert net.frozen.weight is hook.ema_model.module.frozen.weight
    hook.after_val_epoch(runner)
    assert torch.equal(hook.ema_model.module.dit.weight.data, shadow)
    assert torch.equal(net.dit.weight.data, weights)


def test_mmengine_swap_rounds_the_shadow_to_bf16():
    """Why the hook exists: MMEngine's swap leaves the bf16-rounded EMA in the shadow."""
    net, hook, runner = _hook_after_training(EMAHook)
    shadow = hook.ema_model.module.dit.weight.data.clone()
    hook.before_val_epoch(runner)
    hook.after_val_epoch(runner)
    after = hook.ema_model.module.dit.weight.data
    assert not torch.equal(after, shadow) and torch.equal(after, shadow.bfloat16().float())
