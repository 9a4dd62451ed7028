"""Ref-YouTube-VOS (palette PNGs, valid - test) and Ref-DAVIS17 (converter, exp_id = 4k + a)."""
import json
import os.path as osp
import sys

import numpy as np
import pytest

from mmflowrvs.datasets import RefDAVISDataset, RefYTVOSDataset

sys.path.insert(0, osp.join(osp.dirname(__file__), '..', '..', 'tools', 'dataset_converters'))
import ref_davis as converter  # noqa: E402

TEST_PIPELINE = [dict(type='UniformSampleFrames', num_frames=None),
                 dict(type='LoadRVOSFrames'), dict(type='LoadRVOSMasks'),
                 dict(type='PackRVOSInputs')]


def test_ytvos_train_masks_are_png_equal_obj_id(ytvos):
    root, ids = ytvos
    ds = RefYTVOSDataset(data_root=root, split='train', test_mode=True, pipeline=TEST_PIPELINE)
    assert len(ds) == 3
    for i in range(len(ds)):
        out = ds[i]
        meta = out['data_samples'].metainfo
        obj = meta['obj_ids'][0]
        expected = np.stack([ids[s] == obj for s in ['00000', '00005', '00010']])
        assert np.array_equal(out['data_samples'].gt_masks.numpy(), expected)
        assert meta['category'] == {1: 'cat', 2: 'dog'}[obj]
        assert meta['frame_ids'] == ['00000', '00005', '00010']
    dog = ds.get_data_info(1)
    assert dog['expression'] == 'a dog' and dog['target_frame_ids'] == {'00000', '00005'}


def test_ytvos_valid_is_valid_minus_test_and_has_no_gt(ytvos):
    root, _ = ytvos
    ds = RefYTVOSDataset(data_root=root, split='valid', test_mode=True, pipeline=TEST_PIPELINE)
    assert sorted(ds.get_data_info(i)['video_id'] for i in range(len(ds))) == ['va', 'vb']
    out = ds[0]
    assert 'gt_masks' not in out['data_samples']
    # valid expressions carry no obj_id: unknown target, not "no target"
    assert out['data_samples'].no_target is False and out['data_samples'].obj_ids == []
    assert out['inputs'].shape == (2, 3, 24, 32)


def test_ytvos_reverse_sampling_keeps_frames_and_masks_aligned(ytvos):
    root, ids = ytvos
    pipe = [dict(type='ReferenceSampleFrames', num_frames=3, reverse_prob=1.0, local_max=1),
            dict(type='LoadRVOSFrames'), dict(type='LoadRVOSMasks'), dict(type='PackRVOSInputs')]
    ds = RefYTVOSDataset(data_root=root, split='train', pipeline=pipe)
    s = ds[0]['data_samples']
    assert s.reversed is True and s.frame_ids == sorted(s.frame_ids, reverse=True)
    expected = np.stack([ids[f] == 1 for f in s.frame_ids])
    assert np.array_equal(s.gt_masks.numpy(), expected)


def test_davis_converter_and_dataset(davis, tmp_path):
    droot, troot, ids = davis
    out = str(tmp_path / 'ref-davis')
    counts = converter.convert(droot, troot, out)
    assert counts == dict(train=1, valid=2)
    meta = json.load(open(osp.join(out, 'meta_expressions', 'valid',
                                   'meta_expressions.json')))['videos']
    car = meta['classic-car']  # name fixed from clasic-car
    assert car['frames'] == ['00000', '00001', '00002']
    assert sorted(car['expressions'], key=int) == [str(i) for i in range(8)]
    assert car['expressions']['2'] == dict(exp='the café car', obj_id='1')  # latin-1
    assert car['expressions']['5'] == dict(exp='man walking', obj_id='2')  # 4*1 + 1
    assert 'dogs-scale' in meta
    assert osp.isdir(osp.join(out, 'DAVIS', 'ImageSets'))

    ds = RefDAVISDataset(data_root=out, split='valid', test_mode=True, pipeline=TEST_PIPELINE)
    assert len(ds) == 8 + 4
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        assert info['anno_index'] == int(info['exp_id']) % 4
    idx = next(i for i in range(len(ds)) if ds.get_data_info(i)['video_id'] == 'classic-car'
               and ds.get_data_info(i)['exp_id'] == '6')
    s = ds[idx]['data_samples']
    assert s.anno_index == 2 and s.expression == 'person' and s.obj_ids == [2]
    expected = np.stack([ids[('classic-car', f'{f:05d}')] == 2 for f in range(3)])
    assert np.array_equal(s.gt_masks.numpy(), expected)
    assert ds.get_data_info(next(i for i in range(len(ds)) if ds.get_data_info(i)['exp_id']
                                 == '3'))['expression'] == 'car moving'


def test_davis_bad_text_line(davis, tmp_path):
    droot, troot, _ = davis
    with open(osp.join(troot, 'Davis17_annot1.txt'), 'a') as f:
        f.write('broken-line-without-id\n')
    with pytest.raises(ValueError, match='Davis17_annot1.txt:5'):
        converter.convert(droot, troot, str(tmp_path / 'out'))
