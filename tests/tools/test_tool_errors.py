"""Tools refuse to overwrite, refuse foreign checkpoints and name users' mistakes without a
traceback (issue 20, items 1, 6 and 9); subprocesses, as a user runs them."""
import os
import subprocess
import sys

import pytest
import torch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONVERTER = 'tools/model_converters/flowrvs_official_to_mmflowrvs.py'
CONFIG = os.path.join(REPO, 'configs', 'quickstart', 'flowrvs_tiny_synthetic.py')


def _run(args, env_extra=None):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''),
               PYTHONWARNINGS='ignore', OMP_NUM_THREADS='1')
    env.pop('MMFLOWRVS_DEBUG', None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)


def test_converter_refuses_out_equal_to_an_input(tmp_path, tiny_wan_dir):
    from tests.models.test_official_checkpoint import _official_files
    _, _, dit, vae = _official_files(tmp_path, tiny_wan_dir, use_dvi=True)
    before = open(vae, 'rb').read()
    proc = _run([CONVERTER, '--dit', dit, '--vae', vae, '--out', vae])
    assert proc.returncode != 0 and 'refusing to overwrite an input' in proc.stderr
    assert open(vae, 'rb').read() == before
    link = tmp_path / 'same.pth'
    link.symlink_to(dit)
    proc = _run([CONVERTER, '--dit', dit, '--vae', vae, '--out', str(link)])
    assert proc.returncode != 0 and 'refusing to overwrite' in proc.stderr
    assert os.path.islink(link) and not os.path.exists(str(link) + '.tmp')


def test_eval_predictions_refuses_duplicate_names(tmp_path):
    from tests.datasets.rvos_fixtures import make_mevis
    make_mevis(str(tmp_path / 'mevis'))
    a, b = tmp_path / 'a', tmp_path / 'b'
    a.mkdir()
    b.mkdir()
    out = tmp_path / 's.json'
    proc = _run(['tools/eval_predictions.py', '--dataset', 'mevis', '--data-root',
                 str(tmp_path / 'mevis' / 'train'), '--pred', str(a), str(b),
                 '--names', 'x', 'x', '--json', str(out), '--nproc', '1'])
    assert proc.returncode == 2 and '--names must differ' in proc.stderr and 'x' in proc.stderr
    assert not out.exists()


def test_user_mistakes_print_the_named_error_without_traceback(tmp_path):
    missing = str(tmp_path / 'no_such_config.py')
    proc = _run(['tools/train.py', missing])
    assert proc.returncode == 1
    assert 'error: FileNotFoundError' in proc.stderr and 'no_such_config.py' in proc.stderr
    assert 'Traceback' not in proc.stderr and '--debug' in proc.stderr
    debug = _run(['tools/train.py', missing, '--debug'])
    assert debug.returncode != 0 and 'Traceback' in debug.stderr
    env = _run(['tools/train.py', missing], env_extra=dict(MMFLOWRVS_DEBUG='1'))
    assert env.returncode != 0 and 'Traceback' in env.stderr


@pytest.fixture(scope='module')
def synth_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synth'))
    proc = _run(['tools/dataset_converters/make_synthetic_rvos.py', root, '--num-train', '1',
                 '--num-valid', '1', '--frames', '5-6', '--size', '32x32', '--max-exps', '1'])
    assert proc.returncode == 0, proc.stderr
    return root


def test_test_py_refuses_a_foreign_checkpoint(tmp_path, tiny_wan_dir, synth_root):
    ckpt = str(tmp_path / 'other_model.pth')
    torch.save(dict(state_dict={'conv1.weight': torch.zeros(4, 3, 3, 3),
                                'layer1.0.bn1.weight': torch.ones(4)}, meta={}), ckpt)
    proc = _run(['tools/test.py', CONFIG, ckpt, '--work-dir', str(tmp_path / 'w'),
                 '--cfg-options', f'model.pretrained={tiny_wan_dir}',
                 f'test_dataloader.dataset.data_root={synth_root}'])
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert 'error: CheckpointMismatchError' in proc.stderr and ckpt in proc.stderr
    assert 'missing' in proc.stderr and 'backbone.transformer' in proc.stderr
    assert 'unexpected 2 keys' in proc.stderr and 'Traceback' not in proc.stderr
    assert 'J&F' not in proc.stdout
