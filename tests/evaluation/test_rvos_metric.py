"""RVOSMetric: known values, breakdowns, no-target accuracies, format-only trees."""
import json
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

from mmflowrvs.evaluation import RVOSMetric
from mmflowrvs.registry import METRICS
from mmflowrvs.structures.rvos_data_sample import RVOSDataSample


def _sample(video, exp, gt, pred, **meta):
    sample = RVOSDataSample(metainfo=dict(
        video_id=video, exp_id=exp, frame_ids=[f'{i:05d}' for i in range(len(pred))],
        ori_shape=tuple(pred.shape[1:]), **meta))
    if gt is not None:
        sample.gt_masks = torch.as_tensor(gt, dtype=torch.bool)
    sample.pred_masks = torch.as_tensor(pred, dtype=torch.bool)
    return sample


def _box(t, h, w, y0, y1, x0, x1):
    m = np.zeros((t, h, w), bool)
    m[:, y0:y1, x0:x1] = True
    return m


def test_registered_and_known_values():
    metric = METRICS.build(dict(type='RVOSMetric'))
    gt = _box(2, 20, 30, 5, 15, 5, 15)
    perfect = _sample('v1', '0', gt, gt, category='cat')
    half = gt.copy()
    half[1] = False                                     # frame 1: J = 0, F = 0
    halfway = _sample('v1', '1', gt, half, category='cat')
    empty_both = _sample('v2', '0', np.zeros_like(gt), np.zeros_like(gt), category='dog')
    # mmengine's Evaluator passes dicts; plain data samples must work too
    metric.process({}, [perfect.to_dict(), halfway])
    metric.process({}, [empty_both.to_dict()])
    res = metric.evaluate(3)
    assert res['J'] == pytest.approx((1 + 0.5 + 1) / 3 * 100)
    assert res['F'] == pytest.approx((1 + 0.5 + 1) / 3 * 100)
    assert res['J&F'] == pytest.approx(res['J'])
    assert res['J&F/cat'] == pytest.approx(75.0)
    assert res['J&F/dog'] == pytest.approx(100.0)
    assert 'N-acc' not in res


def test_no_target_accuracies(tmp_path):
    metric = RVOSMetric(outfile_prefix=str(tmp_path / 'scores'))
    gt = _box(3, 16, 16, 2, 8, 2, 8)
    empty = np.zeros_like(gt)
    samples = [
        _sample('a', '0', empty, empty, no_target=True),        # correct no-target
        _sample('a', '1', empty, gt, no_target=True),           # wrongly predicts something
        _sample('b', '0', gt, gt, no_target=False),             # target found
        _sample('b', '1', gt, empty, no_target=False),          # target predicted empty
        _sample('b', '2', gt, gt[:, ::-1].copy(), no_target=False),
    ]
    metric.process({}, [s.to_dict() for s in samples])
    res = metric.evaluate(len(samples))
    assert res['N-acc'] == pytest.approx(50.0)
    assert res['T-acc'] == pytest.approx(200 / 3)
    breakdown = json.loads((tmp_path / 'scores.json').read_text())
    assert set(breakdown['per_video']) == {'a', 'b'}
    assert breakdown['per_video']['a']['n'] == 2
    assert len(breakdown['per_expression']) == 5


def test_errors_name_the_expression():
    metric = RVOSMetric()
    gt = _box(2, 8, 8, 1, 4, 1, 4)
    with pytest.raises(ValueError, match='vid/3'):
        metric.process({}, [_sample('vid', '3', None, gt).to_dict()])
    with pytest.raises(ValueError, match='vid/4'):
        metric.process({}, [_sample('vid', '4', gt[:1], gt).to_dict()])


@pytest.mark.parametrize('layout,top', [('mevis', 'vid'), ('ref-ytvos', 'Annotations')])
def test_format_only_tree_and_zip(tmp_path, layout, top):
    prefix = str(tmp_path / 'sub')
    metric = RVOSMetric(format_only=True, outfile_prefix=prefix, submission_layout=layout)
    pred = _box(2, 6, 9, 1, 3, 2, 5)
    metric.process({}, [_sample('vid', '7', None, pred).to_dict()])
    assert metric.evaluate(1) == {}
    base = tmp_path / 'sub' / ('Annotations' if layout == 'ref-ytvos' else '') / 'vid' / '7'
    png = np.asarray(Image.open(base / '00001.png'))
    assert Image.open(base / '00001.png').mode == 'L'
    assert png.shape == (6, 9) and set(np.unique(png)) == {0, 255}
    assert np.array_equal(png == 255, pred[1])
    with zipfile.ZipFile(prefix + '.zip') as archive:
        names = sorted(archive.namelist())
    assert names[0].split('/')[0] == top
    expected = ('Annotations/' if layout == 'ref-ytvos' else '') + 'vid/7/00000.png'
    assert expected in names and len(names) == 2


def test_through_mmengine_evaluator():
    from mmengine.evaluator import Evaluator
    evaluator = Evaluator(dict(type='RVOSMetric', prefix='mevis'))
    gt = _box(2, 10, 10, 2, 6, 2, 6)
    pred = gt.copy()
    pred[0] = False
    evaluator.process([_sample('v', '0', gt, gt), _sample('v', '1', gt, pred)])
    res = evaluator.evaluate(2)
    assert res['mevis/J'] == pytest.approx(75.0) and res['mevis/J&F'] == pytest.approx(75.0)


def test_video_level_results_keep_per_expression_counts():
    """Video-level samples of one video are one result (the dataset's item), scored
    per expression: same numbers as the per-expression samples."""
    from mmengine.evaluator import Evaluator
    gt = _box(2, 10, 10, 2, 6, 2, 6)
    pred = gt.copy()
    pred[0] = False
    flat = Evaluator(dict(type='RVOSMetric'))
    flat.process([_sample('v', '0', gt, gt), _sample('v', '1', gt, pred),
                  _sample('w', '0', gt, pred)])
    video = Evaluator(dict(type='RVOSMetric'))
    samples = [_sample('v', '0', gt, gt), _sample('v', '1', gt, pred),
               _sample('w', '0', gt, pred)]
    for s in samples:
        s.set_metainfo(dict(video_level=True))
    video.process(samples[:2])
    video.process(samples[2:])
    assert len(video.metrics[0].results) == 2  # one per video
    ref, got = flat.evaluate(3), video.evaluate(2)
    assert got == pytest.approx(ref)
    assert got['J'] == pytest.approx(100 * (1 + 0.5 + 0.5) / 3)


def test_dump_results_keeps_every_expression_of_video_level_items(tmp_path):
    """tools/test.py --out: the pickle holds every expression, not as many as videos."""
    import pickle

    from mmengine.evaluator import Evaluator
    gt = _box(2, 10, 10, 2, 6, 2, 6)
    out = str(tmp_path / 'preds.pkl')
    evaluator = Evaluator(dict(type='DumpRVOSResults', out_file_path=out))
    for video, exps in (('v', '012'), ('w', '01')):
        evaluator.process([_sample(video, e, gt, gt, video_level=True) for e in exps])
    assert evaluator.evaluate(2) == {}  # size = 2 videos
    with open(out, 'rb') as f:
        dumped = pickle.load(f)
    assert [(d['video_id'], d['exp_id']) for d in dumped] == [
        ('v', '0'), ('v', '1'), ('v', '2'), ('w', '0'), ('w', '1')]
    assert dumped[0]['pred_masks'].shape == (2, 10, 10)
