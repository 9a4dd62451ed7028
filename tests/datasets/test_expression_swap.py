import json
import os
import subprocess
import sys

from mmflowrvs.datasets import ExpressionSwapDataset, MeViSDataset

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_swaps_to_an_expression_of_the_same_video_with_another_target(tmp_path):
    root = str(tmp_path / 'synth')
    subprocess.run([sys.executable, 'tools/dataset_converters/make_synthetic_rvos.py', root,
                    '--num-train', '1', '--num-valid', '3', '--frames', '9-10', '--size',
                    '48x48'], cwd=REPO, check=True, capture_output=True)
    pipeline = [dict(type='UniformSampleFrames', num_frames=None), dict(type='LoadRVOSFrames'),
                dict(type='LoadRVOSMasks'), dict(type='PackRVOSInputs')]
    base = MeViSDataset(data_root=root, split='valid_u', test_mode=True, pipeline=pipeline)
    swapped = ExpressionSwapDataset(dict(type='MeViSDataset', data_root=root, split='valid_u',
                                         test_mode=True, pipeline=pipeline))
    assert len(swapped) == len(base)
    meta = json.load(open(os.path.join(root, 'valid_u', 'meta_expressions.json')))['videos']
    changed = 0
    for i in range(len(base)):
        a, b = base.get_data_info(i), swapped.get_data_info(i)
        assert a['video_id'] == b['video_id'] and a['exp_id'] == b['exp_id']
        if b['expression'] == a['expression']:
            continue
        changed += 1
        exps = meta[a['video_id']]['expressions'].values()
        donors = [e for e in exps if e['exp'].lower() == b['expression']]
        assert donors and all(sorted(d['anno_id']) != sorted(a['anno_ids']) for d in donors)
    assert changed == len(base) - swapped.num_unswapped and changed > 0
    item = swapped[0]
    assert item['data_samples'].expression == swapped.get_data_info(0)['expression']
    assert item['data_samples'].gt_masks.shape[0] == len(base.get_data_info(0)['frame_ids'])


def test_a_video_level_dataset_is_refused_naming_the_option(tmp_path):
    root = str(tmp_path / 'synth')
    subprocess.run([sys.executable, 'tools/dataset_converters/make_synthetic_rvos.py', root,
                    '--num-train', '1', '--num-valid', '1', '--frames', '9-9', '--size',
                    '32x32'], cwd=REPO, check=True, capture_output=True)
    import pytest
    with pytest.raises(ValueError, match='video_level=False'):
        ExpressionSwapDataset(dict(type='MeViSDataset', data_root=root, split='valid_u',
                                   test_mode=True, video_level=True, pipeline=[]))
