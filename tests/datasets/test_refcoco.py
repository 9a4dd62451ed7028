"""RefCOCO pre-training: mmdet's RefCocoDataset composed with ImageToRVOSClip (T = 1)."""
import json
import os
import os.path as osp
import pickle
import random

import numpy as np
import pytest
from mmengine.config import Config
from rvos_fixtures import write_jpg

from mmflowrvs.datasets import RVOSDataError, load_plain_pickle
from mmflowrvs.registry import DATASETS

CONFIG = osp.join(osp.dirname(__file__), '..', '..', 'configs', '_base_', 'datasets',
                  'refcoco.py')


def _make_refcoco(root: str) -> None:
    write_jpg(osp.join(root, 'train2014', 'COCO_train2014_000000000009.jpg'), 90, hw=(40, 60))
    boxes = {100: (5, 5, 20, 15), 101: (30, 10, 55, 35)}  # x1, y1, x2, y2
    anns = [dict(id=a, image_id=9, category_id=1, iscrowd=0, area=float((x2 - x1) * (y2 - y1)),
                 bbox=[x1, y1, x2 - x1, y2 - y1],
                 segmentation=[[x1, y1, x2, y1, x2, y2, x1, y2]])
            for a, (x1, y1, x2, y2) in boxes.items()]
    inst = dict(images=[dict(id=9, file_name='COCO_train2014_000000000009.jpg', height=40,
                             width=60)], annotations=anns, categories=[dict(id=1, name='x')])
    refs = [dict(ref_id=0, ann_id=100, image_id=9, split='train', category_id=1,
                 sentences=[dict(raw='The man on the LEFT', sent='the man on the left')]),
            dict(ref_id=1, ann_id=101, image_id=9, split='train', category_id=1,
                 sentences=[dict(raw='the dog', sent='the dog')])]
    os.makedirs(osp.join(root, 'refcoco'), exist_ok=True)
    with open(osp.join(root, 'refcoco', 'instances.json'), 'w') as f:
        json.dump(inst, f)
    with open(osp.join(root, 'refcoco', 'refs(unc).p'), 'wb') as f:
        pickle.dump(refs, f)


def test_refcoco_config_builds_one_frame_clips(tmp_path):
    random.seed(0)
    root = str(tmp_path / 'coco')
    _make_refcoco(root)
    cfg = Config.fromfile(CONFIG)
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.data_root = root
    ds = DATASETS.build(ds_cfg)
    assert type(ds).__name__ == 'PlainRefCocoDataset' and len(ds) == 1
    seen = set()
    for _ in range(40):
        out = ds[0]
        s = out['data_samples']
        assert out['inputs'].shape[:2] == (1, 3) and s.num_frames == 1
        h, w = s.img_shape
        assert h % 32 == 0 and w % 32 == 0 and s.gt_masks.shape == (1, h, w)
        assert s.gt_masks.any() and s.ori_shape == (40, 60)
        seen.add(s.expression)
        if s.expression in ('the dog', 'the man on the right') or s.flip or 'crop_box' in s:
            continue
        # unflipped, uncropped "the man on the left": box x in [5, 20] of 60
        cols = np.nonzero(s.gt_masks[0].numpy().any(0))[0]
        assert cols.min() < w * 0.1 and cols.max() < w * 0.4
    assert 'the dog' in seen and seen & {'the man on the left', 'the man on the right'}


class _RunsCode:
    """A pickle payload that would create a marker file when unpickled."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def test_refcoco_split_file_is_read_as_plain_values(tmp_path):
    root = str(tmp_path / 'coco')
    _make_refcoco(root)
    split = osp.join(root, 'refcoco', 'refs(unc).p')
    with open(split, 'rb') as f:
        assert load_plain_pickle(split) == pickle.load(f)
    marker = str(tmp_path / 'ran')
    with open(split, 'wb') as f:  # a crafted split file
        pickle.dump([_RunsCode(marker)], f)
    cfg = Config.fromfile(CONFIG).train_dataloader.dataset
    cfg.data_root = root
    with pytest.raises(RVOSDataError, match=r'refs\(unc\)\.p names (io|builtins)\.open'):
        DATASETS.build(cfg)
    assert not osp.exists(marker)
    with open(split, 'wb') as f:
        f.write(b'not a pickle')
    with pytest.raises(RVOSDataError, match=r'refs\(unc\)\.p is not a readable pickle'):
        load_plain_pickle(split)
    from mmengine.fileio.handlers.registry_utils import file_handlers
    assert type(file_handlers['pkl']).__name__ == 'PickleHandler'  # restored after use
