"""MeViSDataset: items, lazy RLE masks pixel by pixel, listed frames, no-target, serialisation."""
import json
import os
import pickle
import shutil

import numpy as np
import pytest
import torch

from mmflowrvs.datasets import MeViSDataset

from .rvos_fixtures import edit_json

TEST_PIPELINE = [dict(type='UniformSampleFrames', num_frames=None),
                 dict(type='LoadRVOSFrames'), dict(type='LoadRVOSMasks'),
                 dict(type='PackRVOSInputs')]


def _build(root, **kw):
    kw.setdefault('pipeline', TEST_PIPELINE)
    return MeViSDataset(data_root=root, split='train', **kw)


def _find(ds, video, exp):
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        if info['video_id'] == video and info['exp_id'] == exp:
            return i
    raise AssertionError(f'{video}/{exp} not in the dataset')


def test_items_and_metainfo(mevis):
    root, _ = mevis
    ds = _build(root, test_mode=True)
    assert len(ds) == 4
    assert ds.serialize_data and ds.metainfo['dataset_name'] == 'mevis'
    info = ds.get_data_info(_find(ds, 'vidA', '0'))
    assert info['expression'] == 'The Red car'  # whitespace collapsed, case kept at test
    train = _build(root, test_mode=False)
    assert train.get_data_info(_find(train, 'vidA', '0'))['expression'] == 'the red car'
    assert info['frame_ids'] == ['00000', '00002', '00004', '00006']
    out = ds[_find(ds, 'vidA', '1')]
    meta = out['data_samples'].metainfo
    assert meta['frame_ids'] == ['00000', '00002', '00004', '00006']
    assert meta['frame_inds'] == [0, 1, 2, 3] and meta['num_frames'] == 4
    assert meta['ori_shape'] == (24, 32) and meta['img_shape'] == (24, 32)
    assert meta['obj_ids'] == [0, 1] and meta['no_target'] is False and meta['flip'] is False
    assert out['inputs'].dtype == torch.uint8 and out['inputs'].shape == (4, 3, 24, 32)


def test_listed_frames_are_the_ones_loaded(mevis):
    root, _ = mevis
    ds = _build(root, test_mode=True)
    frames = ds[_find(ds, 'vidA', '0')]['inputs']  # file k has grey value 20k + 10
    for t, k in enumerate([0, 2, 4, 6]):
        assert abs(float(frames[t].float().mean()) - (20 * k + 10)) < 2


def test_masks_pixel_by_pixel(mevis):
    root, masks = mevis
    ds = _build(root, test_mode=True)
    single = ds[_find(ds, 'vidA', '0')]['data_samples'].gt_masks
    union = ds[_find(ds, 'vidA', '1')]['data_samples'].gt_masks
    assert single.dtype == torch.bool and single.shape == (4, 24, 32)
    assert np.array_equal(single.numpy(), masks[10])
    assert np.array_equal(union.numpy(), masks[10] | masks[11])
    # the null RLE frame of anno 11 contributes nothing
    assert np.array_equal(union[1].numpy(), masks[10][1])


def test_no_target_expression(mevis):
    root, _ = mevis
    ds = _build(root, test_mode=True)
    out = ds[_find(ds, 'vidA', '2')]
    assert out['data_samples'].no_target is True
    gt = out['data_samples'].gt_masks
    assert gt.shape == (4, 24, 32) and not gt.any()


def test_server_split_has_no_gt(mevis):
    root, _ = mevis
    ds = _build(root, test_mode=True, with_gt=False)
    assert 'gt_masks' not in ds[0]['data_samples']
    assert ds.get_data_info(_find(ds, 'vidA', '2'))['no_target'] is True


def test_expressions_without_anno_id_are_not_no_target(mevis, tmp_path):
    root, _ = mevis
    valid = os.path.join(root, 'valid')
    shutil.copytree(os.path.join(root, 'train', 'JPEGImages'), os.path.join(valid, 'JPEGImages'))
    meta = json.load(open(os.path.join(root, 'train', 'meta_expressions.json')))
    for v in meta['videos'].values():
        for e in v['expressions'].values():
            e.pop('anno_id'), e.pop('obj_id')
    json.dump(meta, open(os.path.join(valid, 'meta_expressions.json'), 'w'))
    ds = MeViSDataset(data_root=root, split='valid', test_mode=True, pipeline=TEST_PIPELINE)
    assert len(ds) == 4 and not any(ds.get_data_info(i)['no_target'] for i in range(4))
    assert 'gt_masks' not in ds[0]['data_samples']


def test_anchor_items_and_lazy_init(mevis):
    root, _ = mevis
    ds = _build(root, anchor_stride=2, lazy_init=True)
    assert not ds._fully_initialized
    ds.full_init()
    # vidA: 4 frames -> anchors 0, 2 (x3 expressions); vidB: 3 frames -> anchors 0, 2
    assert len(ds) == 3 * 2 + 2
    assert sorted({ds.get_data_info(i)['anchor'] for i in range(len(ds))}) == [0, 2]


def test_rles_are_kept_per_annotation_not_per_item(mevis):
    root, _ = mevis
    ds = _build(root, anchor_stride=1)
    assert len(ds._annos) == 3  # one copy per anno_id, however many items use it
    clone = pickle.loads(pickle.dumps(ds))  # what a spawned worker receives
    assert clone.get_data_info(0)['mask_rles'] == ds.get_data_info(0)['mask_rles']
    assert ds.store_nbytes() > 0


def test_version_is_detected_or_set_and_goes_into_the_metainfo(mevis):
    root, _ = mevis
    ds = _build(root, test_mode=True)  # vidA/2 has an empty anno_id list: v2
    assert ds.metainfo['mevis_version'] == 'v2' and ds.metainfo['split'] == 'train'
    meta_path = os.path.join(root, 'train', 'meta_expressions.json')
    with open(meta_path) as f:
        meta = json.load(f)
    del meta['videos']['vidA']['expressions']['2']
    with open(meta_path, 'w') as f:
        json.dump(meta, f)
    assert _build(root, test_mode=True).metainfo['mevis_version'] == 'v1'
    assert _build(root, test_mode=True, version='v2').metainfo['mevis_version'] == 'v2'
    with pytest.raises(ValueError, match="version must be one of \\('v1', 'v2'\\)"):
        _build(root, test_mode=True, version='2')


def test_expression_is_cleaned_once_by_the_text_encoder(mevis):
    """The dataset only collapses whitespace (and lower-cases in training); the text
    encoder cleans: HTML is unescaped once, as the reference does."""
    from mmflowrvs.models.text_encoders.umt5_text_encoder import UMT5TextEncoder
    root, _ = mevis
    raw = '  Tom &amp;amp; "Jerry"\\ &nbsp;Left '

    def edit(meta):
        meta['videos']['vidA']['expressions']['0']['exp'] = raw

    edit_json(os.path.join(root, 'train', 'meta_expressions.json'), edit)
    for test_mode, want in ((True, 'Tom &amp; Jerry \xa0Left'),
                            (False, 'tom &amp; jerry \xa0left')):
        ds = _build(root, test_mode=test_mode)
        text = ds.get_data_info(_find(ds, 'vidA', '0'))['expression']
        collapsed = ' '.join(raw.split())
        assert text == (collapsed if test_mode else collapsed.lower())
        assert UMT5TextEncoder.clean_prompts([text]) == [want]
