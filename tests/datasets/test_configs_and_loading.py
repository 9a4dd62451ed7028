"""Base dataset configs build on official-format data; workers; text cleaning."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from mmflowrvs.datasets import clean_expression, swap_left_right
from mmflowrvs.datasets.synthetic_rvos import make_synthetic_rvos
from mmflowrvs.registry import DATASETS

CFG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs', '_base_', 'datasets')


def _dataset(name, loader, root, **overrides):
    cfg = Config.fromfile(osp.join(CFG_DIR, name))
    ds_cfg = cfg[loader].dataset
    ds_cfg.data_root = root
    ds_cfg.update(overrides)
    return DATASETS.build(ds_cfg)


def test_mevis_config_train_and_val(mevis):
    root, masks = mevis
    train = _dataset('mevis.py', 'train_dataloader', root, anchor_stride=2)
    train.pipeline.transforms[0].num_frames = 3  # fixture videos are short
    out = train[0]
    s = out['data_samples']
    assert out['inputs'].shape[0] == 3 and s.gt_masks.shape[1:] == s.img_shape
    assert s.img_shape[0] % 32 == 0 and s.img_shape[1] % 32 == 0
    val = _dataset('mevis.py', 'val_dataloader', root, split='train')
    video = val[0]['data_samples']  # video-level: one item per video
    assert len(video) >= 1 and all(e.video_id == video.video_id for e in video)
    s = video[0]
    assert s.img_shape == (480, 640) and s.gt_masks.shape == (4, 24, 32)  # GT at ori_shape
    assert s.num_frames == 4  # every listed frame


def test_ytvos_and_davis_configs(ytvos):
    root, _ = ytvos
    train = _dataset('ref_ytvos.py', 'train_dataloader', root, min_num_frames=3)
    train.pipeline.transforms[0].num_frames = 3
    assert train[0]['inputs'].shape[0] == 3
    test = _dataset('ref_ytvos.py', 'test_dataloader', root)
    assert all('gt_masks' not in e for e in test[0]['data_samples'])  # video-level items
    assert sum(len(test[i]['data_samples']) for i in range(len(test))) == 2
    davis = _dataset('ref_davis.py', 'test_dataloader', root, split='train')
    assert davis[0]['data_samples'][0].anno_index == 0


def test_synthetic_config_and_forked_workers(tmp_path):
    root = str(tmp_path / 'syn')
    make_synthetic_rvos(root, seed=0, num_train=3, num_valid=1)
    train = _dataset('synthetic_rvos.py', 'train_dataloader', root)
    first = train[0]  # the parent process runs OpenCV before forking workers
    # 9 frames, short side 64 (the random crop branch may make the clip tall or wide)
    assert first['inputs'].shape[0] == 9 and min(first['inputs'].shape[2:]) == 64
    loader = torch.utils.data.DataLoader(train, batch_size=2, num_workers=2,
                                         collate_fn=pseudo_collate, timeout=60)
    batch = next(iter(loader))
    assert len(batch['inputs']) == 2 and len(batch['data_samples']) == 2
    val = _dataset('synthetic_rvos.py', 'val_dataloader', root)
    s = val[0]['data_samples'][0]  # video-level: the video's first expression
    assert s.img_shape == (64, 64) and s.gt_masks.shape[1:] == (96, 96)


@pytest.mark.parametrize('raw,clean', [
    ('  The  "Red"\\ car &amp; its\tdriver ', 'the red car & its driver'),
    ('A&amp;quot;B', 'a&quot;b'),  # unescaped once, as the reference
])
def test_clean_expression(raw, clean):
    assert clean_expression(raw) == clean


def test_swap_left_right():
    assert swap_left_right('the left one, right of Left-most') == \
        'the right one, left of Right-most'
    assert swap_left_right('leftover bright') == 'leftover bright'
