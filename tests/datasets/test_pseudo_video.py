"""Joint training: RefCOCO images as pseudo-videos (ImageToPseudoVideo), concatenated
with Ref-YouTube-VOS; the decoder fine-tuning pipeline resizes only."""
import os.path as osp
import random
import shutil

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from test_refcoco import _make_refcoco

from mmflowrvs.datasets.transforms import ImageToPseudoVideo, affine_matrix, short_side_size
from mmflowrvs.registry import DATASETS

CONFIGS = osp.join(osp.dirname(__file__), '..', '..', 'configs')


def _blob_results(hw=(60, 80)):
    """A smooth off-centre blob; its mask is its own intensity > 128."""
    h, w = hw
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    blob = 255 * np.exp(-(((xx - 0.3 * w) / (0.15 * w)) ** 2 + ((yy - 0.35 * h) / (0.2 * h)) ** 2))
    img = np.repeat(blob.astype(np.uint8)[..., None], 3, axis=2)
    mask = img[..., 0] > 128
    return dict(imgs=[img], gt_masks=mask[None], frame_ids=['COCO_9'], frame_inds=[0],
                img_shape=hw, video_id='9', expression='the blob')


def _iou(a, b):
    return (a & b).sum() / max((a | b).sum(), 1)


def test_mask_and_image_move_together():
    random.seed(1)
    src = _blob_results()
    t = ImageToPseudoVideo(num_frames=9, rotation=(-30, 30), translate=(-0.2, 0.2),
                           scale=(0.8, 1.2), shear=(-10, 10), shuffle=False)
    out = t(_blob_results())
    moved = 0
    for k in range(9):
        frame, mask = out['imgs'][k], out['gt_masks'][k]
        # the warped image, thresholded as the source mask was, is the warped mask
        # (bilinear vs nearest differ only along the boundary)
        assert _iou(frame[..., 0] > 128, mask) > 0.9, k
        # and the mask is exactly the source mask under the recorded matrix
        want = cv2.warpAffine(src['gt_masks'][0].astype(np.uint8), out['pseudo_video_affines'][k]
                              .astype(np.float64), (80, 60), flags=cv2.INTER_NEAREST)
        assert (want.astype(bool) != mask).mean() < 0.002, k
        moved += _iou(mask, src['gt_masks'][0]) < 0.8
    assert moved >= 6  # the frames really are warped
    # frame 0 is the source unchanged (identity_first, no shuffle)
    assert np.array_equal(out['imgs'][0], src['imgs'][0])
    assert np.array_equal(out['gt_masks'][0], src['gt_masks'][0])
    assert np.allclose(out['pseudo_video_affines'][0], [[1, 0, 0], [0, 1, 0]])


def test_shapes_dtypes_and_frame_order():
    random.seed(0)
    out = ImageToPseudoVideo(num_frames=5)(_blob_results())
    assert len(out['imgs']) == 5 and all(
        f.shape == (60, 80, 3) and f.dtype == np.uint8 for f in out['imgs'])
    assert out['gt_masks'].shape == (5, 60, 80) and out['gt_masks'].dtype == bool
    assert out['pseudo_video_affines'].shape == (5, 2, 3)
    assert out['pseudo_video_affines'].dtype == np.float32
    assert out['frame_inds'] == [0, 1, 2, 3, 4]
    assert sorted(out['frame_ids']) == [f'COCO_9_{k}' for k in range(5)]
    # shuffled: the unchanged source lands where its id says
    src = _blob_results()['imgs'][0]
    pos = out['frame_ids'].index('COCO_9_0')
    assert np.array_equal(out['imgs'][pos], src)
    assert sum(np.array_equal(f, src) for f in out['imgs']) == 1
    assert np.allclose(out['pseudo_video_affines'][pos], [[1, 0, 0], [0, 1, 0]])
    src_mask = _blob_results()['gt_masks'][0].astype(np.uint8)
    for mat, mask in zip(out['pseudo_video_affines'], out['gt_masks']):  # shuffled alike
        want = cv2.warpAffine(src_mask, mat.astype(np.float64), (80, 60),
                              flags=cv2.INTER_NEAREST)
        assert (want.astype(bool) != mask).mean() < 0.002


def test_deterministic_under_a_seed():
    t = ImageToPseudoVideo(num_frames=5)
    random.seed(7)
    a = t(_blob_results())
    random.seed(7)
    b = t(_blob_results())
    random.seed(8)
    c = t(_blob_results())
    assert a['frame_ids'] == b['frame_ids']
    assert np.array_equal(a['pseudo_video_affines'], b['pseudo_video_affines'])
    assert all(np.array_equal(x, y) for x, y in zip(a['imgs'], b['imgs']))
    assert np.array_equal(a['gt_masks'], b['gt_masks'])
    assert not np.array_equal(a['pseudo_video_affines'], c['pseudo_video_affines'])


def test_affine_matrix_geometry():
    hw = (11, 21)  # centre (10, 5)
    m = affine_matrix(hw, angle=90, scale=1, shear=0, translate=(0, 0))
    assert np.allclose(m @ [11, 5, 1], [10, 4])  # right of the centre -> above it
    m = affine_matrix(hw, angle=0, scale=2, shear=0, translate=(3, -1))
    assert np.allclose(m @ [12, 6, 1], [14 + 3, 7 - 1])
    m = affine_matrix(hw, angle=0, scale=1, shear=45, translate=(0, 0))
    assert np.allclose(m @ [10, 7, 1], [12, 7])  # x += tan(45) * (y - cy)


def test_without_identity_frame_the_target_is_kept():
    random.seed(0)
    # translations of 3 widths move the object out of every warped frame
    out = ImageToPseudoVideo(num_frames=3, translate=(3, 3), identity_first=False,
                             shuffle=False)(_blob_results())
    assert out['gt_masks'][0].any() and not out['gt_masks'][1:].any()


def test_bad_parameters_and_inputs():
    with pytest.raises(ValueError, match='rotation must be a'):
        ImageToPseudoVideo(rotation=(20, -20))
    with pytest.raises(ValueError, match='num_frames'):
        ImageToPseudoVideo(num_frames=0)
    with pytest.raises(ValueError, match='scale must be positive'):
        ImageToPseudoVideo(scale=(0, 1))
    two = _blob_results()
    two['imgs'] = two['imgs'] * 2
    with pytest.raises(ValueError, match="1-frame clip, got 2 frames \\(video '9'\\)"):
        ImageToPseudoVideo()(two)


def test_joint_config_concatenates_ref_ytvos_and_pseudo_videos(tmp_path, ytvos):
    random.seed(0)
    yt_root, _ = ytvos
    coco = str(tmp_path / 'coco')
    _make_refcoco(coco)
    for name in ('refcoco+', 'refcocog'):
        shutil.copytree(osp.join(coco, 'refcoco'), osp.join(coco, name))
    shutil.copy(osp.join(coco, 'refcocog', 'refs(unc).p'),
                osp.join(coco, 'refcocog', 'refs(umd).p'))
    cfg = Config.fromfile(osp.join(CONFIGS, 'flowrvs_ref-ytvos_joint.py'))
    joint = cfg.train_dataloader.dataset
    assert joint.type == 'ConcatDataset'
    yt = joint.datasets[0]
    yt.update(data_root=yt_root, min_num_frames=1)  # the fixture video has 3 frames
    yt.pipeline[0].short_video = 'repeat'
    for ds_cfg in joint.datasets[1:]:
        ds_cfg.data_root = coco
    ds = DATASETS.build(joint)
    sizes = [len(d) for d in ds.datasets]
    assert [type(d).__name__ for d in ds.datasets] == \
        ['RefYTVOSDataset'] + ['PlainRefCocoDataset'] * 3
    assert len(ds) == sum(sizes) and sizes[1:] == [1, 1, 1]
    video = ds[0]
    assert video['inputs'].shape[:2] == (17, 3)
    for i in range(sizes[0], len(ds)):
        out = ds[i]
        s = out['data_samples']
        assert out['inputs'].shape[:2] == (17, 3) and s.num_frames == 17
        h, w = s.img_shape
        assert h % 32 == 0 and w % 32 == 0 and s.gt_masks.shape == (17, h, w)
        assert s.gt_masks.any(dim=(1, 2)).sum() >= 1
        assert len(set(s.frame_ids)) == 17


def test_decoder_finetune_pipeline_resizes_only(mevis):
    random.seed(0)
    root, _ = mevis
    cfg = Config.fromfile(osp.join(CONFIGS, 'flowrvs_decoder-finetune_mevis.py'))
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.data_root = root
    ds_cfg.pipeline[0].short_video = 'repeat'  # the fixture's videos are short
    ds = DATASETS.build(ds_cfg)
    want = short_side_size((24, 32), 480, 832, 16)
    for _ in range(3):
        for i in range(len(ds)):
            s = ds[i]['data_samples']
            assert not s.flip and 'crop_box' not in s
            assert tuple(s.img_shape) == want
