"""RVOSVisualizer draws masks in their colours and the text; browse_dataset writes files."""
import os
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import torch

from mmflowrvs.datasets.synthetic_rvos import make_synthetic_rvos
from mmflowrvs.registry import VISUALIZERS
from mmflowrvs.structures import RVOSDataSample
from mmflowrvs.visualization import MASK_COLORS, RVOSVisualizer

ROOT = osp.join(osp.dirname(__file__), '..', '..')


def _sample():
    s = RVOSDataSample(metainfo=dict(expression='the red circle'))
    gt = torch.zeros(2, 20, 30, dtype=torch.bool)
    gt[:, 10:20, 0:10] = True
    pred = torch.zeros(2, 20, 30, dtype=torch.bool)
    pred[:, 10:20, 20:30] = True
    s.gt_masks, s.pred_masks = gt, pred
    return s


def test_draw_clip_colours_each_mask():
    vis = VISUALIZERS.build(dict(type='RVOSVisualizer', name='t_draw', alpha=0.5))
    assert isinstance(vis, RVOSVisualizer)
    frames = torch.full((2, 3, 40, 60), 100, dtype=torch.uint8)  # masks get upsampled x2
    s = _sample()
    drawn = vis.draw_clip(frames, [s.gt_masks, s.pred_masks], text=None)
    assert len(drawn) == 2 and drawn[0].shape == (40, 60, 3)
    expect_gt = (0.5 * 100 + 0.5 * np.array(MASK_COLORS[0])).astype(np.uint8)
    expect_pred = (0.5 * 100 + 0.5 * np.array(MASK_COLORS[1])).astype(np.uint8)
    assert np.array_equal(drawn[1][30, 10], expect_gt)
    assert np.array_equal(drawn[1][30, 50], expect_pred)
    assert np.array_equal(drawn[1][30, 30], [100, 100, 100])  # untouched
    with_text = vis.draw_clip(frames, [], text='the red circle')
    assert not np.array_equal(with_text[0][:8], drawn[0][:8])  # text band on top


def test_add_datasample_writes_strip_and_mp4(tmp_path):
    vis = RVOSVisualizer.get_instance('t_add', max_cols=2)
    frames = torch.zeros(2, 3, 20, 30, dtype=torch.uint8)
    png = str(tmp_path / 'a.png')
    vis.add_datasample('x', frames, _sample(), out_file=png)
    assert cv2.imread(png).shape == (20, 60, 3)
    mp4 = str(tmp_path / 'a.mp4')
    vis.add_datasample('x', frames, _sample(), out_file=mp4, draw_pred=False)
    assert osp.getsize(mp4) > 0


def test_browse_dataset_tool(tmp_path):
    data = str(tmp_path / 'syn')
    make_synthetic_rvos(data, seed=0, num_train=2, num_valid=1, size=(48, 64), frames=(9, 10))
    out = str(tmp_path / 'browse')
    cfg = osp.join(ROOT, 'configs', '_base_', 'datasets', 'synthetic_rvos.py')
    tool = osp.join(ROOT, 'tools', 'analysis_tools', 'browse_dataset.py')
    for extra in ([], ['--mp4', '--split', 'val']):
        res = subprocess.run(
            [sys.executable, tool, cfg, '--output-dir', out, '--show-number', '2',
             '--cfg-options', f'train_dataloader.dataset.data_root={data}',
             f'val_dataloader.dataset.data_root={data}'] + extra,
            capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        assert '100%' in res.stderr  # the tqdm bar ran to the end
    files = sorted(os.listdir(out))
    assert len([f for f in files if f.endswith('.jpg')]) == 2
    assert len([f for f in files if f.endswith('.mp4')]) == 2
