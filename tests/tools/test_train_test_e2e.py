"""tools/train.py, tools/test.py, the dist scripts and eval_predictions.py end to end on a
tiny Wan folder and a small synthetic benchmark (subprocesses, as a user runs them)."""
import glob
import json
import os
import re
import socket
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(REPO, 'configs', 'quickstart', 'flowrvs_tiny_synthetic.py')


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return str(s.getsockname()[1])


def _env():
    return dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''),
                PYTHONWARNINGS='ignore', OMP_NUM_THREADS='1', PORT=_free_port())


def _run(args, timeout=600, check=True):
    proc = subprocess.run(args, cwd=REPO, env=_env(), capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f'{args} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


def _metrics(text):
    found = re.findall(r'J: ([\d.]+)\s+F: ([\d.]+)\s+J&F: ([\d.]+)', text)
    assert found, text[-2000:]
    return tuple(map(float, found[-1]))


@pytest.fixture(scope='module')
def synth_root(tmp_path_factory):
    # 3 valid videos (odd: 2 ranks pad the sampler) of several expressions each
    root = str(tmp_path_factory.mktemp('synth'))
    _run([sys.executable, 'tools/dataset_converters/make_synthetic_rvos.py', root,
          '--num-train', '4', '--num-valid', '3', '--frames', '9-12', '--size', '64x64',
          '--max-exps', '3'])
    return root


def _valid_expressions(root):
    """{(video, exp_id): number of frames} of the synthetic valid_u split."""
    with open(os.path.join(root, 'valid_u', 'meta_expressions.json')) as f:
        videos = json.load(f)['videos']
    return {(v, e): len(meta['frames']) for v, meta in videos.items()
            for e in meta['expressions']}


def _written(pred):
    """{(video, exp_id): number of PNGs} of a MeViS-layout prediction folder."""
    return {tuple(os.path.relpath(d, pred).split(os.sep)): len(os.listdir(d))
            for d in glob.glob(os.path.join(pred, '*', '*'))}


def _expressions_scored(text):
    """Sum of the per-video expression counts the metric logs."""
    return sum(int(n) for n in re.findall(r': [\d.]+ \((\d+) exp\)', text))


def _options(wan, root, iters, extra=()):
    return ['--cfg-options', f'model.pretrained={wan}',
            f'train_dataloader.dataset.data_root={root}',
            f'val_dataloader.dataset.data_root={root}',
            f'test_dataloader.dataset.data_root={root}',
            'train_dataloader.batch_size=2',
            f'train_cfg.max_iters={iters}',
            'train_cfg.val_interval=100000', 'default_hooks.logger.interval=1',
            'log_processor.window_size=1',
            f'default_hooks.checkpoint.interval={iters}',
            'optim_wrapper.optimizer.lr=0.002', 'randomness.seed=0', *extra]


def _losses(work_dir):
    path = sorted(glob.glob(os.path.join(work_dir, '*', 'vis_data', 'scalars.json')))[-1]
    with open(path) as f:
        return [json.loads(line)['loss'] for line in f if '"loss"' in line]


@pytest.fixture(scope='module')
def trained(tmp_path_factory, tiny_wan_dir, synth_root):
    work = str(tmp_path_factory.mktemp('train'))
    _run([sys.executable, 'tools/train.py', CONFIG, '--work-dir', work,
          *_options(tiny_wan_dir, synth_root, 6)])
    ckpt = os.path.join(work, 'iter_6.pth')
    assert os.path.isfile(ckpt)
    return work, ckpt


def test_test_py_j_and_f_equal_eval_predictions_on_the_written_pngs(
        trained, tiny_wan_dir, synth_root, tmp_path):
    """Video-level testing (the config's default) writes and scores every (video,
    expression), its J&F is eval_predictions' on its PNGs, and it equals the
    per-expression path (video_level=False): the same PNGs, the same numbers."""
    _, ckpt = trained
    expected = _valid_expressions(synth_root)
    assert len(expected) > 3, 'the fixture needs several expressions per video'
    runs = {}
    for mode, extra in (('video', []), ('per-expression',
                                        ['test_dataloader.dataset.video_level=False'])):
        pred = str(tmp_path / mode)
        out = _run([sys.executable, 'tools/test.py', CONFIG, ckpt,
                    '--work-dir', str(tmp_path / f'w_{mode}'), '--pred-dir', pred,
                    *(['--show-dir', 'overlays'] if mode == 'video' else []),
                    *_options(tiny_wan_dir, synth_root, 6, extra)])
        text = out.stdout + out.stderr
        assert _written(pred) == expected, mode  # one folder per expression, every frame
        assert _expressions_scored(text) == len(expected), mode
        runs[mode] = (_metrics(text), pred)
    assert glob.glob(str(tmp_path / 'w_video' / '*' / 'overlays' / '*.mp4'))
    (j, f, jf), pred = runs['video']
    assert 0 < jf < 100  # the masks are neither all empty nor all perfect
    assert runs['per-expression'][0] == (j, f, jf)
    for png in glob.glob(os.path.join(pred, '*', '*', '*.png')):
        other = os.path.join(runs['per-expression'][1], os.path.relpath(png, pred))
        with open(png, 'rb') as a, open(other, 'rb') as b:
            assert a.read() == b.read(), png
    js = str(tmp_path / 'scores.json')
    _run([sys.executable, 'tools/eval_predictions.py', '--dataset', 'mevis', '--data-root',
          os.path.join(synth_root, 'valid_u'), '--pred', pred, '--names', 'ours', '--json', js])
    with open(js) as fh:
        scores = json.load(fh)['ours']
    assert abs(scores['J'] - j) < 1e-2 and abs(scores['F'] - f) < 1e-2
    assert abs(scores['J&F'] - jf) < 1e-2


def test_two_process_training_stays_in_sync_and_its_loss_falls(tiny_wan_dir, synth_root,
                                                                 tmp_path):
    work = str(tmp_path / 'dist')
    config = tmp_path / 'dist_config.py'
    config.write_text(f"_base_ = {CONFIG!r}\n"
                      "custom_hooks = [dict(type='DistributedSyncCheckHook', interval=1)]\n")
    proc = _run(['bash', 'tools/dist_train.sh', str(config), '2', '--work-dir', work,
                 *_options(tiny_wan_dir, synth_root, 24)])
    text = proc.stdout + proc.stderr
    assert 'ranks in sync after iteration 1 (2 ranks' in text
    losses = _losses(work)
    assert len(losses) == 24
    assert sum(losses[-6:]) / 6 < 0.8 * sum(losses[:6]) / 6, losses


def test_two_process_testing_equals_one_process(trained, tiny_wan_dir, synth_root, tmp_path):
    """Video-level testing on 2 gloo processes shards by video (3 videos: the sampler
    pads one, which the evaluator drops) and scores every expression once, as 1 process."""
    _, ckpt = trained
    expected = _valid_expressions(synth_root)
    one = _run([sys.executable, 'tools/test.py', CONFIG, ckpt, '--work-dir', str(tmp_path / 'a'),
                *_options(tiny_wan_dir, synth_root, 6)])
    two = _run(['bash', 'tools/dist_test.sh', CONFIG, ckpt, '2', '--work-dir',
                str(tmp_path / 'b'), '--pred-dir', str(tmp_path / 'pred'),
                *_options(tiny_wan_dir, synth_root, 6)])
    one_text, two_text = one.stdout + one.stderr, two.stdout + two.stderr
    assert _metrics(one_text) == _metrics(two_text)
    assert _expressions_scored(one_text) == _expressions_scored(two_text) == len(expected)
    assert _written(str(tmp_path / 'pred')) == expected  # each rank wrote its videos


def test_missing_paths_fail_at_start(tiny_wan_dir, synth_root, tmp_path):
    missing_data = _run([sys.executable, 'tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                         *_options(tiny_wan_dir, str(tmp_path / 'no_data'), 2)], check=False)
    assert missing_data.returncode != 0
    assert 'no_data' in missing_data.stderr and 'data root' in missing_data.stderr
    missing_wan = _run([sys.executable, 'tools/train.py', CONFIG, '--work-dir', str(tmp_path),
                        *_options(str(tmp_path / 'no_wan'), synth_root, 2)], check=False)
    assert missing_wan.returncode != 0
    assert 'no_wan' in missing_wan.stderr and 'Wan folder not found' in missing_wan.stderr
