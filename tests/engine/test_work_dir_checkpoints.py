"""Work-dir checks at the start of training (issue 20, items 6 and 7)."""
import os

import pytest
import torch
from mmengine.config import Config

from mmflowrvs.utils.work_dir_checkpoints import (
    CorruptCheckpointError,
    checkpoint_problem,
    prepare_work_dir,
)
from tests.engine.test_runner_resume import RecordAtTrainStart, _runner


def _save(path, value):
    torch.save(dict(state_dict={'w': torch.full((64, ), float(value))}, meta={}), path)
    return path


def _truncate(path):
    size = os.path.getsize(path)
    with open(path, 'r+b') as f:
        f.truncate(size // 2)


def _work_dir(tmp_path, iters=(2, 4, 6)):
    work = tmp_path / 'work'
    work.mkdir()
    paths = [_save(str(work / f'iter_{i}.pth'), i) for i in iters]
    (work / 'last_checkpoint').write_text(paths[-1])
    return str(work), paths


def test_checkpoint_problem_names_truncation_and_corruption(tmp_path):
    ok = _save(str(tmp_path / 'ok.pth'), 1)
    assert checkpoint_problem(ok) is None
    cut = _save(str(tmp_path / 'cut.pth'), 1)
    _truncate(cut)
    assert 'truncated' in checkpoint_problem(cut)
    flipped = _save(str(tmp_path / 'flipped.pth'), 1)
    data = bytearray(open(flipped, 'rb').read())
    i = data.find(bytes(torch.full((64, ), 1.0).numpy().tobytes()[:16]))
    data[i + 3] ^= 0xFF  # one byte of the tensor data
    open(flipped, 'wb').write(bytes(data))
    assert 'CRC' in checkpoint_problem(flipped)
    empty = tmp_path / 'empty.pth'
    empty.write_bytes(b'')
    assert 'empty' in checkpoint_problem(str(empty))


def test_auto_resume_falls_back_past_a_truncated_latest(tmp_path):
    work, paths = _work_dir(tmp_path)
    _truncate(paths[-1])
    cfg = Config(dict(work_dir=work, resume=True, load_from=None))
    with pytest.warns(UserWarning, match=r'iter_6\.pth: truncated.*newest intact .*iter_4\.pth'):
        prepare_work_dir(cfg)
    assert cfg.load_from == paths[1]
    _truncate(paths[0])
    _truncate(paths[1])
    with pytest.raises(CorruptCheckpointError,
                       match=r'no intact checkpoint.*iter_6.*iter_4.*iter_2'):
        prepare_work_dir(Config(dict(work_dir=work, resume=True, load_from=None)))
    with pytest.raises(CorruptCheckpointError, match=r'cannot resume from .*iter_2\.pth'):
        prepare_work_dir(Config(dict(work_dir=work, resume=True, load_from=paths[0])))


def test_stale_tmp_removed_and_rerun_without_resume_warns(tmp_path):
    work, paths = _work_dir(tmp_path)
    tmp = os.path.join(work, 'iter_8.pth.tmp')
    with open(tmp, 'wb') as f:
        f.write(b'half a checkpoint')
    with pytest.warns(UserWarning) as record:
        prepare_work_dir(Config(dict(work_dir=work, resume=False, load_from=None)))
    messages = ' | '.join(str(w.message) for w in record)
    assert not os.path.exists(tmp) and 'iter_8.pth.tmp' in messages
    assert 'iter_6.pth' in messages and '--resume' in messages


def test_runner_resumes_from_the_newest_intact_checkpoint(tmp_path, tiny_wan_dir):
    work = str(tmp_path / 'work')
    _runner(work, tiny_wan_dir, max_iters=4).train()  # iter_2.pth, iter_4.pth
    _truncate(os.path.join(work, 'iter_4.pth'))
    cfg = Config(dict(work_dir=work, resume=True, load_from=None))
    with pytest.warns(UserWarning, match='iter_4.pth: truncated'):
        prepare_work_dir(cfg)
    record = RecordAtTrainStart()
    _runner(work, tiny_wan_dir, max_iters=4, resume=True, load_from=cfg.load_from,
            extra_hooks=[record]).train()
    assert record.iter == 2
