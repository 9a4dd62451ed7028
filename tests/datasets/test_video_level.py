"""Video-level test mode: one item per video, the same expressions and targets."""
import pytest
import torch
from mmengine.dataset import pseudo_collate

from mmflowrvs.datasets import MeViSDataset
from mmflowrvs.structures import RVOSVideoDataSample

PIPELINE = [dict(type='UniformSampleFrames', num_frames=None), dict(type='LoadRVOSFrames'),
            dict(type='LoadRVOSMasks'), dict(type='InferenceResize', max_hw=(32, 32)),
            dict(type='PackRVOSInputs')]


def _dataset(root, video_level):
    return MeViSDataset(data_root=root, split='train', test_mode=True,
                        video_level=video_level, pipeline=PIPELINE)


def test_one_item_per_video_with_every_expression(mevis):
    root, _ = mevis
    per_exp, per_video = _dataset(root, False), _dataset(root, True)
    assert len(per_exp) == 4 and len(per_video) == 2
    flat = []
    for i in range(len(per_video)):
        item = per_video[i]
        assert isinstance(item['data_samples'], RVOSVideoDataSample)
        assert item['data_samples'].video_id == item['data_samples'][0].video_id
        assert all(s.video_level for s in item['data_samples'])
        flat.extend((item['inputs'], s) for s in item['data_samples'])
    assert len(flat) == len(per_exp)
    for k, (inputs, sample) in enumerate(flat):
        ref = per_exp[k]
        assert torch.equal(inputs, ref['inputs'])
        r = ref['data_samples']
        for key in ('video_id', 'exp_id', 'expression', 'obj_ids', 'no_target', 'frame_ids',
                    'ori_shape', 'img_shape'):
            assert sample.metainfo[key] == r.metainfo[key], key
        assert torch.equal(sample.gt_masks, r.gt_masks)
    # the union and the no-target expression keep their own targets
    masks = [s.gt_masks for _, s in flat[:3]]
    assert not torch.equal(masks[0], masks[1]) and not masks[2].any()


def test_video_level_is_a_test_mode(mevis):
    root, _ = mevis
    with pytest.raises(ValueError, match='test_mode=True'):
        MeViSDataset(data_root=root, split='train', video_level=True, pipeline=PIPELINE)


def test_collate_keeps_each_video_whole(mevis):
    """MMEngine's pseudo_collate transposes nested lists: a video's expressions must
    reach the model as one element per video, all of them, in order."""
    root, _ = mevis
    per_video = _dataset(root, True)
    items = [per_video[i] for i in range(len(per_video))]
    for batch in (pseudo_collate(items[:1]), pseudo_collate(items)):
        assert len(batch['data_samples']) == len(batch['inputs'])
        for item, video in zip(items, batch['data_samples']):
            assert isinstance(video, RVOSVideoDataSample)
            assert [s.exp_id for s in video] == [s.exp_id for s in item['data_samples']]
    assert sum(len(v) for v in pseudo_collate(items)['data_samples']) == 4
