"""Save and resume through MMEngine's Runner, with torch>=2.6's weights_only loading."""
import copy
import os

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from tests.models._builders import make_batch, tiny_model_cfg


class PackedClips(torch.utils.data.Dataset):
    """A fixed list of packed clips (what a dataset's pipeline yields)."""

    def __init__(self, n=4):
        batch = make_batch(num=n, t=5)
        self.items = [dict(inputs=x, data_samples=s)
                      for x, s in zip(batch['inputs'], batch['data_samples'])]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return copy.deepcopy(self.items[i])


class RecordAtTrainStart(Hook):
    """Records the iteration, weights and lr once loading/resuming is done."""

    def before_train(self, runner):
        self.iter = runner.iter
        self.state = {k: v.clone() for k, v in runner.model.state_dict().items()}
        self.lr = runner.optim_wrapper.get_lr()['lr'][0]


class Killed(RuntimeError):
    pass


class KillAfter(Hook):
    """Stops the run like a kill, right after the checkpoint of iteration ``n``."""
    priority = 'LOWEST'

    def __init__(self, n):
        self.n = n

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if runner.iter + 1 == self.n:
            raise Killed(f'killed after iteration {self.n}')


def _runner(work_dir, wan_dir, max_iters, resume=False, load_from=None, extra_hooks=()):
    return Runner(
        model=tiny_model_cfg(wan_dir),
        work_dir=work_dir,
        train_dataloader=dict(dataset=PackedClips(), batch_size=2, num_workers=0,
                              sampler=dict(type='DefaultSampler', shuffle=True, seed=0),
                              collate_fn=dict(type='pseudo_collate')),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=5e-4),
                           clip_grad=dict(max_norm=1.0)),
        param_scheduler=dict(type='MultiStepLR', milestones=[3], gamma=0.5, by_epoch=False),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False),
                           logger=dict(type='LoggerHook', interval=1)),
        custom_hooks=[dict(type='EMAHook', momentum=1e-4, priority='ABOVE_NORMAL'),
                      *extra_hooks],
        randomness=dict(seed=0),
        resume=resume, load_from=load_from,
        default_scope='mmflowrvs')


def test_save_and_resume(tmp_path, tiny_wan_dir):
    work = str(tmp_path / 'work')
    runner = _runner(work, tiny_wan_dir, max_iters=4, extra_hooks=[KillAfter(2)])
    with pytest.raises(Killed):
        runner.train()
    ckpt_path = os.path.join(work, 'iter_2.pth')
    assert os.path.isfile(ckpt_path)
    ckpt = torch.load(ckpt_path, map_location='cpu', weights_only=True)  # no unsafe pickle
    assert {'state_dict', 'optimizer', 'message_hub', 'ema_state_dict', 'meta'} <= set(ckpt)
    assert not any(k.startswith(('text_encoder.', 'vae.')) for k in ckpt['state_dict'])
    saved = {k: v.clone() for k, v in runner.model.state_dict().items()}

    record = RecordAtTrainStart()
    resumed = _runner(work, tiny_wan_dir, max_iters=4, resume=True, extra_hooks=[record])
    resumed.train()
    assert record.iter == 2
    assert record.state.keys() == saved.keys()
    for k, v in record.state.items():
        assert torch.equal(v, saved[k]), k
    assert resumed.iter == 4 and os.path.isfile(os.path.join(work, 'iter_4.pth'))
    # MultiStepLR(milestone 3) continued from the resumed step: halved once by iter 4
    assert abs(resumed.optim_wrapper.get_lr()['lr'][0] - record.lr * 0.5) < 1e-12


def test_checkpoint_writes_are_atomic(tmp_path, tiny_wan_dir, monkeypatch):
    """A kill in the middle of writing a checkpoint leaves the previous one intact."""
    from mmengine.fileio.backends import LocalBackend
    work = str(tmp_path / 'work')
    runner = _runner(work, tiny_wan_dir, max_iters=4)
    original_put = LocalBackend.put
    calls = []

    def put_then_die(self, obj, filepath):
        calls.append(filepath)
        if len(calls) == 2:  # the second checkpoint: half the bytes, then the kill
            with open(filepath, 'wb') as f:
                f.write(obj[:len(obj) // 2])
            raise Killed('killed while saving')
        return original_put(self, obj, filepath)

    monkeypatch.setattr(LocalBackend, 'put', put_then_die)
    with pytest.raises(Killed):
        runner.train()
    assert calls[0].endswith('iter_2.pth.tmp')
    assert os.path.isfile(os.path.join(work, 'iter_2.pth'))
    assert not os.path.exists(os.path.join(work, 'iter_4.pth'))  # no half-written file
    assert not os.path.exists(os.path.join(work, 'iter_4.pth.tmp'))
    torch.load(os.path.join(work, 'iter_2.pth'), map_location='cpu', weights_only=True)
