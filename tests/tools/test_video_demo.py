"""demo/video_demo.py end to end on a tiny model: windows from the command line."""
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIG = os.path.join(REPO, 'configs', 'quickstart', 'flowrvs_tiny_synthetic.py')


def _demo(*args):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''),
               PYTHONWARNINGS='ignore', OMP_NUM_THREADS='1')
    return subprocess.run([sys.executable, 'demo/video_demo.py', *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize('flags, message', [
    (['--window', '8'], '--window must be of the form 4k + 1'),
    (['--window', '9', '--overlap', '9'], '--overlap must be smaller than --window (9)'),
    (['--window', '9', '--overlap', '-1'], '--overlap must be an integer >= 0'),
    (['--overlap', '2'], '--overlap needs --window'),
])
def test_bad_window_flags_fail_at_start_naming_the_flag(tmp_path, flags, message):
    # the video does not exist: the flags are checked before anything is read or loaded
    proc = _demo(str(tmp_path / 'no_video.mp4'), 'a prompt', '--config', CONFIG,
                 '--out', str(tmp_path / 'o.mp4'), *flags)
    assert proc.returncode != 0
    assert message in proc.stderr and 'no_video' not in proc.stderr, proc.stderr[-2000:]


def test_demo_runs_windows(tiny_wan_dir, tmp_path):
    folder = tmp_path / 'video'
    folder.mkdir()
    rng = np.random.default_rng(0)
    for t in range(11):
        cv2.imwrite(str(folder / f'{t:05d}.jpg'), rng.integers(0, 255, (40, 56, 3), np.uint8))
    proc = _demo(str(folder), 'the red square', 'a blue circle', '--config', CONFIG,
                 '--out', str(tmp_path / 'o.mp4'), '--save-masks', str(tmp_path / 'masks'),
                 '--window', '5', '--cfg-options', f'model.pretrained={tiny_wan_dir}')
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '3 window(s)' in proc.stdout  # 11 frames, W = 5, O = 1 (a quarter of W)
    assert os.path.getsize(tmp_path / 'o.mp4') > 0
    for k in range(2):
        pngs = sorted(os.listdir(tmp_path / 'masks' / str(k)))
        assert len(pngs) == 11
        assert cv2.imread(str(tmp_path / 'masks' / str(k) / pngs[0]), 0).shape == (40, 56)
