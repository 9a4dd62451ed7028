"""Clip samplers, resize/crop/flip, packing and RefCOCO image -> clip."""
import os
import random

import cv2
import numpy as np
import pytest
import torch
from rvos_fixtures import rle, write_jpg

from mmflowrvs.datasets.data_errors import RVOSDataError
from mmflowrvs.datasets.transforms import (
    ImageToRVOSClip,
    InferenceResize,
    LoadRVOSFrames,
    LoadRVOSMasks,
    PackRVOSInputs,
    ReferenceSampleFrames,
    ReferenceTrainResize,
    RVOSRandomFlip,
    UniformSampleFrames,
    short_side_size,
)


def _results(n, present=None, **kw):
    res = dict(video_id='v', exp_id='0', expression='the cat on the left',
               frame_ids=[f'{i:05d}' for i in range(n)], mask_type='png', obj_ids=[1])
    res['target_frame_ids'] = {f'{i:05d}' for i in (present if present is not None
                                                   else range(n))}
    res.update(kw)
    return res


def test_reference_sampler_structure():
    random.seed(0)
    sampler = ReferenceSampleFrames(num_frames=17)
    for anchor in (0, 17, 34, 50):
        for _ in range(20):
            inds = sampler(_results(60, anchor=anchor))['frame_inds']
            assert len(inds) == 17 and inds == sorted(inds) and anchor in inds
            near = [i for i in inds if 0 < abs(i - anchor) <= 3]
            assert len(near) >= 1 and all(0 <= i < 60 for i in inds)
            if 3 <= anchor <= 56:  # both local frames exist, and 14 distinct global ones
                assert len(set(inds)) == 17


def test_reference_sampler_random_anchor_is_a_multiple_of_the_clip():
    random.seed(1)
    sampler = ReferenceSampleFrames(num_frames=17, local_max=3)
    anchors = set()
    for _ in range(50):
        inds = sampler(_results(40))['frame_inds']
        anchors |= {a for a in (0, 17, 34) if a in inds}
    assert anchors == {0, 17, 34}


def test_reference_sampler_resamples_until_target_present():
    random.seed(2)
    sampler = ReferenceSampleFrames(num_frames=3, max_tries=200)
    for _ in range(20):
        inds = sampler(_results(60, present=[41]))['frame_inds']
        assert 41 in inds
    assert ReferenceSampleFrames(num_frames=3, max_tries=5)(_results(60, present=[])) is None


def test_reference_sampler_rle_presence_and_reverse():
    random.seed(3)
    empty, full = np.zeros((4, 4), bool), np.ones((4, 4), bool)
    rles = [[None, rle(empty), rle(full), None, None, None, None, None]]
    res = dict(video_id='v', exp_id='0', frame_ids=[str(i) for i in range(8)],
               mask_type='rle', mask_rles=rles)
    sampler = ReferenceSampleFrames(num_frames=2, local_max=1, max_tries=500, reverse_prob=1.0)
    out = sampler(dict(res))
    assert 2 in out['frame_inds'] and out['reversed']
    assert out['frame_inds'] == sorted(out['frame_inds'], reverse=True)


def test_short_video_policies():
    with pytest.raises(Exception, match="video 'v' exp '0'.*5 frames.*17-frame"):
        ReferenceSampleFrames(num_frames=17)(_results(5))
    inds = ReferenceSampleFrames(num_frames=17, short_video='repeat')(_results(5))['frame_inds']
    assert len(inds) == 17 and set(inds) <= set(range(5))
    with pytest.raises(Exception, match='shorter than the 8-frame clip'):
        UniformSampleFrames(num_frames=8)(_results(5))


def test_uniform_sampler_modes():
    assert UniformSampleFrames()(_results(7))['frame_inds'] == list(range(7))
    assert UniformSampleFrames(4, test_mode=True)(_results(8))['frame_inds'] == [1, 3, 5, 7]
    cons = UniformSampleFrames(3, mode='consecutive')(_results(10))['frame_inds']
    assert cons == list(range(cons[0], cons[0] + 3))
    uni = UniformSampleFrames(4)(_results(8))['frame_inds']
    assert [i // 2 for i in uni] == [0, 1, 2, 3]


def test_short_side_size_reference_numbers():
    assert short_side_size((720, 1280), 480, 832, 32) == (448, 832)
    assert short_side_size((480, 640), 480, 832, 32) == (480, 640)
    assert short_side_size((1280, 720), 480, 832, 32) == (832, 448)


def _clip(t=3, h=72, w=128):
    imgs = [np.random.randint(0, 255, (h, w, 3), dtype=np.uint8) for _ in range(t)]
    masks = np.zeros((t, h, w), bool)
    masks[:, :, : w // 4] = True  # the left quarter
    return dict(imgs=imgs, gt_masks=masks, img_shape=(h, w), ori_shape=(h, w),
                expression='the dog left of the right cat', frame_inds=list(range(t)))


def test_reference_train_resize_sizes_and_masks():
    random.seed(4)
    tr = ReferenceTrainResize(short_sizes=[48], max_size=96, pre_sizes=[60, 72],
                              crop_range=(40, 60), size_divisor=16)
    seen_crop = seen_plain = False
    for _ in range(30):
        out = tr(_clip())
        h, w = out['img_shape']
        assert h % 16 == 0 and w % 16 == 0 and min(h, w) <= 48 and max(h, w) <= 96
        assert all(img.shape == (h, w, 3) for img in out['imgs'])
        assert out['gt_masks'].shape == (3, h, w) and out['gt_masks'].dtype == bool
        if out['crop_box'] is None:
            seen_plain = True
            assert (h, w) == (48, 80)  # 72x128 -> short 48 (85.3 floored to 80)
            assert out['gt_masks'][:, :, :20].all() and not out['gt_masks'][:, :, 21:].any()
        else:
            seen_crop = True
    assert seen_crop and seen_plain


def test_inference_resize_keeps_masks_at_ori_shape():
    assert InferenceResize().out_size((720, 1280)) == (464, 832)
    assert InferenceResize().out_size((480, 854)) == (464, 832)
    assert InferenceResize(allow_upscale=False).out_size((64, 96)) == (64, 96)
    out = InferenceResize(max_hw=(48, 64))(_clip())
    assert out['img_shape'] == (32, 64) and out['imgs'][0].shape == (32, 64, 3)
    assert out['gt_masks'].shape == (3, 72, 128)


def test_flip_swaps_words_and_pixels():
    clip = _clip()
    left = clip['imgs'][0].copy()
    out = RVOSRandomFlip(prob=1.0)(clip)
    assert out['flip'] and out['expression'] == 'the dog right of the left cat'
    assert np.array_equal(out['imgs'][0], left[:, ::-1])
    assert out['gt_masks'][:, :, -32:].all() and not out['gt_masks'][:, :, :-32].any()
    assert not RVOSRandomFlip(prob=0.0)(_clip())['flip']


def test_pack_contract():
    res = dict(_clip(t=2), video_id='v', exp_id='3', frame_ids=['a', 'b', 'c'],
               frame_inds=[2, 0], no_target=False, obj_ids=[1], anno_index=3)
    res['imgs'] = res['imgs'][:2]
    res['gt_masks'] = res['gt_masks'][:2]
    out = PackRVOSInputs()(res)
    x, s = out['inputs'], out['data_samples']
    assert x.dtype == torch.uint8 and x.shape == (2, 3, 72, 128)
    assert torch.equal(x[0].permute(1, 2, 0), torch.from_numpy(res['imgs'][0]))
    assert s.frame_ids == ['c', 'a'] and s.frame_inds == [2, 0] and s.num_frames == 2
    assert s.img_shape == (72, 128) and s.anno_index == 3 and s.exp_id == '3'
    assert s.gt_masks.dtype == torch.bool and s.gt_masks.shape == (2, 72, 128)


def test_reduced_decoding_keeps_ori_shape(tmp_path):
    for i in range(2):
        write_jpg(str(tmp_path / f'{i:05d}.jpg'), 100, hw=(160, 320))
    res = dict(video_id='v', exp_id='0', frame_dir=str(tmp_path), frame_ids=['00000', '00001'])
    out = LoadRVOSFrames(min_size=(40, 80))(dict(res))
    assert out['ori_shape'] == (160, 320) and out['img_shape'] == (40, 80)
    out = LoadRVOSFrames(min_size=(100, 100))(dict(res))
    assert out['img_shape'] == (160, 320)


def test_frame_cache_serves_decoded_frames_and_stays_bounded(tmp_path):
    for i in range(3):
        write_jpg(str(tmp_path / f'{i:05d}.jpg'), 60 * i, hw=(16, 24))
    res = dict(video_id='v', exp_id='0', frame_dir=str(tmp_path),
               frame_ids=['00000', '00001', '00002'])
    plain = LoadRVOSFrames()(dict(res))['imgs']
    load = LoadRVOSFrames(cache_frames=2)
    first = load(dict(res, frame_inds=[0, 1]))['imgs']
    first[0][:] = 255  # a later transform writing in place must not reach the cache
    os.remove(tmp_path / '00000.jpg')  # frames 0 and 1 now come from the cache only
    again = load(dict(res, frame_inds=[0, 1]))['imgs']
    assert all(np.array_equal(a, b) for a, b in zip(again, plain[:2]))
    repeated = load(dict(res, frame_inds=[1, 1]))['imgs']  # a short video's repeats
    assert repeated[0] is not repeated[1]
    load(dict(res, frame_inds=[2]))  # evicts frame 0, the least recently used
    assert len(load._frames) == 2
    with pytest.raises(RVOSDataError, match='frame file missing'):
        load(dict(res, frame_inds=[0]))
    with pytest.raises(ValueError, match='cache_frames'):
        LoadRVOSFrames(cache_frames=-1)


def test_refcoco_item_becomes_one_frame_clip(tmp_path):
    path = str(tmp_path / 'COCO_train2014_000000000009.jpg')
    write_jpg(path, 128, hw=(40, 60))
    poly = [[10.0, 10.0, 30.0, 10.0, 30.0, 20.0, 10.0, 20.0]]
    res = dict(img_path=path, img_id=9, instances=[dict(mask=poly, ignore_flag=0)],
               text=[['The  Man on the LEFT', 'a man']])
    out = ImageToRVOSClip(test_mode=True)(res)
    assert out['expression'] == 'the man on the left'
    assert out['frame_ids'] == ['COCO_train2014_000000000009']
    assert out['gt_masks'].shape == (1, 40, 60) and out['gt_masks'][0, 15, 20]
    assert not out['gt_masks'][0, 30, 50]
    packed = PackRVOSInputs()(out)
    assert packed['inputs'].shape == (1, 3, 40, 60) and packed['data_samples'].video_id == '9'
    assert cv2.countNonZero(packed['data_samples'].gt_masks[0].numpy().astype(np.uint8)) > 150


def test_train_crop_keeps_a_visible_target():
    random.seed(5)
    tr = ReferenceTrainResize(short_sizes=[48], max_size=96, crop_prob=1.0, pre_sizes=[72],
                              crop_range=(40, 44), size_divisor=16)
    for _ in range(30):
        clip = _clip()
        clip['gt_masks'][:] = False
        clip['gt_masks'][1, 0:4, 0:4] = True  # a tiny target in one corner of one frame
        out = tr(clip)
        assert out['gt_masks'].any()
    off = ReferenceTrainResize(short_sizes=[48], max_size=96, crop_prob=1.0, pre_sizes=[72],
                               crop_range=(40, 44), size_divisor=16, keep_target=False)
    lost = 0
    for _ in range(30):
        clip = _clip()
        clip['gt_masks'][:] = False
        clip['gt_masks'][1, 0:4, 0:4] = True
        lost += not off(clip)['gt_masks'].any()
    assert lost > 0


def test_reduced_frames_with_full_size_masks_through_train_resize(tmp_path):
    random.seed(6)
    for i in range(2):
        write_jpg(str(tmp_path / f'{i:05d}.jpg'), 100, hw=(160, 320))
    left = np.zeros((160, 320), bool)
    left[:, :80] = True
    res = dict(video_id='v', exp_id='0', frame_dir=str(tmp_path), frame_ids=['00000', '00001'],
               mask_type='rle', mask_rles=[[rle(left), rle(left)]], expression='x')
    out = LoadRVOSMasks()(LoadRVOSFrames(min_size=(40, 80))(res))
    assert out['img_shape'] == (40, 80) and out['gt_masks'].shape == (2, 160, 320)
    out = ReferenceTrainResize(short_sizes=[32], max_size=64, crop_prob=0.0,
                               size_divisor=16)(out)
    assert out['img_shape'] == (32, 64) and out['gt_masks'].shape == (2, 32, 64)
    assert out['gt_masks'][:, :, :16].all() and not out['gt_masks'][:, :, 16:].any()
