"""Named protocols: MeViS expression counts per version, Ref-DAVIS17 per-expression vs
davis2017-unsupervised, and one summary keyed by (video, expression id)."""
import json

import numpy as np
import pytest
import torch

from mmflowrvs.evaluation import (
    RefDAVISMetric,
    RVOSMetric,
    check_expression_count,
    summarize_expressions,
)
from mmflowrvs.structures.rvos_data_sample import RVOSDataSample
from mmflowrvs.testing.reference_measures import ref_f, ref_iou

from .test_ref_davis_metric import H, T, W, make_davis_tree


@pytest.mark.parametrize('version,split,n,expected', [
    ('v1', 'valid_u', 793, None), ('v1', 'valid', 2236, None),
    ('v2', 'valid_u', 907, None), ('v2', 'valid', 2523, None),
    ('v1', 'valid_u', 790, 'MeViS v1 valid_u has 793 expressions but 790 were scored '
                           '(3 fewer)'),
    ('v2', 'valid_u', 793, 'MeViS v2 valid_u has 907 expressions but 793 were scored '
                           '(114 fewer)'),
    ('v1', 'valid', 2523, 'MeViS v1 valid has 2236 expressions but 2523 were scored '
                          '(287 more)'),
    ('v1', 'train', 5, None)])
def test_expression_count_check_names_the_difference(version, split, n, expected):
    message = check_expression_count(n, split, version)
    if expected is None:
        assert message is None
    else:
        assert message.startswith(expected)


def _sample(video, exp, gt, pred=None, **meta):
    sample = RVOSDataSample(metainfo=dict(
        video_id=video, exp_id=exp, frame_ids=[f'{i:05d}' for i in range(len(gt))],
        ori_shape=tuple(gt.shape[1:]), **meta))
    sample.gt_masks = torch.as_tensor(gt)
    sample.pred_masks = torch.as_tensor(gt if pred is None else pred)
    return sample.to_dict()


def test_rvos_metric_records_the_version_and_warns_about_the_count(tmp_path):
    metric = RVOSMetric(outfile_prefix=str(tmp_path / 'scores'))
    metric.dataset_meta = dict(dataset_name='mevis', mevis_version='v2', split='valid_u')
    gt = np.zeros((2, 8, 8), bool)
    gt[:, 2:5, 2:5] = True
    # the same sentence twice is two expressions: results are keyed by (video, exp id)
    metric.process({}, [_sample('v', '0', gt, expression='the box'),
                        _sample('v', '1', gt, expression='the box'),
                        _sample('w', '0', gt)])
    res = metric.evaluate(3)
    assert res['J&F'] == pytest.approx(100.0)
    out = json.loads((tmp_path / 'scores.json').read_text())
    assert out['dataset']['mevis_version'] == 'v2' and out['dataset']['split'] == 'valid_u'
    assert out['dataset']['num_expressions'] == 3
    assert out['warnings'] == [check_expression_count(3, 'valid_u', 'v2')]
    assert '904 fewer' in out['warnings'][0]


def test_data_in_the_mevis_layout_under_another_name_are_not_count_checked(tmp_path):
    """The synthetic benchmark is in the MeViS layout but names itself: no warning."""
    metric = RVOSMetric(outfile_prefix=str(tmp_path / 'scores'))
    metric.dataset_meta = dict(dataset_name='synthetic_rvos', mevis_version='v2',
                               split='valid_u')
    gt = np.ones((2, 8, 8), bool)
    metric.process({}, [_sample('v', '0', gt)])
    metric.evaluate(1)
    out = json.loads((tmp_path / 'scores.json').read_text())
    assert out['warnings'] == []
    assert out['dataset']['description'] == 'synthetic_rvos: 1 expressions scored'


def test_an_expression_scored_twice_is_an_error():
    row = dict(video_id='v', exp_id='0', j=1.0, f=1.0, no_target=False, pred_empty=False)
    with pytest.raises(ValueError, match='v/0 was scored twice'):
        summarize_expressions([row, dict(row)])


def _davis_samples(gts, with_gt=True):
    """Annotator 0: right objects, object 1's mask spills onto object 2 with a lower
    probability; annotator 1: the two objects swapped. Returns samples and the masks."""
    samples, masks = [], {}
    for video, ids in gts.items():
        obj1, obj2 = ids == 1, ids == 2
        for anno in (0, 1):
            for obj in (1, 2):
                if anno == 0:
                    scores = np.where(obj1 if obj == 1 else obj2, 0.9, 0.0)
                    if obj == 1:
                        scores = np.where(obj2, 0.6, scores)      # spill, lower probability
                else:
                    scores = np.where(obj2 if obj == 1 else obj1, 0.9, 0.0)   # swapped
                meta = dict(video_id=video, exp_id=str(4 * (obj - 1) + anno), anno_index=anno,
                            obj_ids=[obj], frame_ids=[f'{t:05d}' for t in range(T)],
                            ori_shape=(H, W))
                s = RVOSDataSample(metainfo=meta)
                s.pred_masks = torch.as_tensor(scores > 0.5)
                s.pred_scores = torch.as_tensor(scores, dtype=torch.float16)
                if with_gt:
                    s.gt_masks = torch.as_tensor(ids == obj)
                masks[(video, meta['exp_id'])] = (ids == obj, scores > 0.5, anno)
                samples.append(s.to_dict())
    return samples, masks


def test_per_expression_protocol_differs_from_davis2017_where_it_should(tmp_path):
    gts = make_davis_tree(tmp_path / 'DAVIS')
    samples, masks = _davis_samples(gts)
    unsup = RefDAVISMetric(davis_root=str(tmp_path / 'DAVIS'))
    unsup.process({}, samples)
    res_u = unsup.evaluate(len(samples))
    per_exp = RefDAVISMetric(protocol='per-expression')
    per_exp.process({}, samples)
    res_e = per_exp.evaluate(len(samples))
    # davis2017: the merge keeps object 2's pixels for object 2 (higher probability) and
    # the Hungarian matching undoes the swap: every annotator is perfect
    assert res_u['anno_0/J&F'] == pytest.approx(100.0)
    assert res_u['anno_1/J&F'] == pytest.approx(100.0)
    # per expression: each binary mask against its own object, j and f over all frames
    expected = {}
    for (video, exp), (gt, pred, anno) in masks.items():
        j = np.mean([ref_iou(gt[t], pred[t]) for t in range(T)])
        f = np.mean([ref_f(gt[t], pred[t]) for t in range(T)])
        expected.setdefault(anno, []).append((j, f))
    all_jf = np.array([jf for rows in expected.values() for jf in rows])
    assert res_e['J'] == pytest.approx(all_jf[:, 0].mean() * 100, abs=1e-9)
    assert res_e['F'] == pytest.approx(all_jf[:, 1].mean() * 100, abs=1e-9)
    j0, f0 = np.mean(expected[0], axis=0) * 100
    assert res_e['anno_0/J'] == pytest.approx(j0, abs=1e-9)
    assert res_e['anno_0/J&F'] == pytest.approx((j0 + f0) / 2, abs=1e-9)
    assert 50 < res_e['anno_0/J&F'] < 100                 # the spill costs object 1
    assert res_e['anno_1/J&F'] == pytest.approx(0.0)      # swapped: nothing right
    assert res_e['J&F'] < res_u['J&F'] - 40


def test_protocol_names_are_checked_and_per_expression_needs_gt(tmp_path):
    with pytest.raises(ValueError, match='unknown Ref-DAVIS17 protocol'):
        RefDAVISMetric(davis_root=str(tmp_path), protocol='unsupervised')
    gts = make_davis_tree(tmp_path / 'DAVIS')
    samples, _ = _davis_samples(gts, with_gt=False)
    metric = RefDAVISMetric(protocol='per-expression')
    with pytest.raises(ValueError, match='needs gt_masks'):
        metric.process({}, samples[:1])
