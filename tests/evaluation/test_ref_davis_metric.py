"""RefDAVISMetric: per-annotator protocol, matching, void, merging, format-only."""
import os

import numpy as np
import pytest
import torch
from PIL import Image

from mmflowrvs.evaluation import RefDAVISMetric, merge_object_scores
from mmflowrvs.evaluation.functional import evaluate_unsupervised
from mmflowrvs.evaluation.prediction_io import davis_palette
from mmflowrvs.structures.rvos_data_sample import RVOSDataSample
from mmflowrvs.testing.reference_measures import ref_f, ref_iou

T, H, W = 4, 24, 32


def _gt_video():
    """(T, H, W) ids: object 1 and 2 in every frame, a void band (255)."""
    ids = np.zeros((T, H, W), np.uint8)
    for t in range(T):
        ids[t, 2:10, 2 + t:12 + t] = 1
        ids[t, 14:22, 16:28] = 2
    ids[:, 0:2, 20:30] = 255
    return ids


def make_davis_tree(root, videos=('cat', 'dog')):
    """A DAVIS folder with palette GT PNGs; returns {video: ids}."""
    gts = {}
    for v in videos:
        folder = root / 'Annotations_unsupervised' / '480p' / v
        folder.mkdir(parents=True)
        gts[v] = _gt_video()
        for t in range(T):
            image = Image.fromarray(gts[v][t], mode='P')
            image.putpalette(davis_palette())
            image.save(folder / f'{t:05d}.png')
    (root / 'ImageSets' / '2017').mkdir(parents=True)
    (root / 'ImageSets' / '2017' / 'val.txt').write_text('\n'.join(videos) + '\n')
    return gts


def _sample(video, anno, obj, masks, scores=None):
    sample = RVOSDataSample(metainfo=dict(
        video_id=video, exp_id=str(4 * (obj - 1) + anno), anno_index=anno, obj_ids=[obj],
        frame_ids=[f'{t:05d}' for t in range(T)], ori_shape=(H, W)))
    sample.pred_masks = torch.as_tensor(masks)
    if scores is not None:
        sample.pred_scores = torch.as_tensor(scores, dtype=torch.float16)
    return sample.to_dict()


def test_protocol_per_annotator(tmp_path):
    gts = make_davis_tree(tmp_path / 'DAVIS')
    metric = RefDAVISMetric(davis_root=str(tmp_path / 'DAVIS'),
                            outfile_prefix=str(tmp_path / 'pngs'))
    samples = []
    for v, ids in gts.items():
        obj1, obj2 = ids == 1, ids == 2
        spill = obj1 | (ids == 255)                   # extra pixels only in void
        samples += [_sample(v, 0, 1, spill), _sample(v, 0, 2, obj2)]       # perfect
        samples += [_sample(v, 1, 2, obj2)]                                # object 1 missing
        samples += [_sample(v, 2, 1, obj2), _sample(v, 2, 2, obj1)]       # swapped ids
        blob = np.zeros_like(obj1)
        blob[:, 10:13, 0:3] = True
        samples += [_sample(v, 3, 1, obj1), _sample(v, 3, 2, obj2),
                    _sample(v, 3, 3, blob)]                                # extra proposal
    metric.process({}, samples)
    res = metric.evaluate(len(samples))
    for anno in (0, 2, 3):
        assert res[f'anno_{anno}/J&F'] == pytest.approx(100.0)
        assert res[f'anno_{anno}/J-Recall'] == pytest.approx(100.0)
        assert res[f'anno_{anno}/F-Decay'] == pytest.approx(0.0)
    assert res['anno_1/J-Mean'] == pytest.approx(50.0)
    assert res['anno_1/F-Mean'] == pytest.approx(50.0)
    assert res['anno_1/J-Recall'] == pytest.approx(50.0)
    assert res['J&F'] == pytest.approx(87.5)
    assert res['J'] == pytest.approx(87.5) and res['F'] == pytest.approx(87.5)
    png = Image.open(tmp_path / 'pngs' / 'anno_2' / 'cat' / '00001.png')
    assert png.mode == 'P'
    ids = np.asarray(png)
    assert np.array_equal(ids == 2, gts['cat'][1] == 1)   # swapped ids were written
    assert os.listdir(metric.tmp_dir) == []               # scores cleaned up


def test_matching_against_brute_force():
    rng = np.random.default_rng(3)
    gt = rng.random((2, 3, 12, 14)) < 0.4                 # (N_gt, T, H, W)
    pred = rng.random((3, 3, 12, 14)) < 0.4
    void = rng.random((3, 12, 14)) < 0.1
    j, f = evaluate_unsupervised(gt, pred, void)
    best, best_score = None, -1
    for a in range(3):
        for b in range(3):
            if a == b:
                continue
            score = 0
            rows = []
            for g, p in ((0, a), (1, b)):
                jj = [ref_iou(gt[g, t], pred[p, t], void[t]) for t in range(3)]
                ff = [ref_f(gt[g, t], pred[p, t], void[t]) for t in range(3)]
                score += (np.mean(jj) + np.mean(ff)) / 2
                rows.append((jj, ff))
            if score > best_score:
                best, best_score = rows, score
    for g in range(2):
        assert np.allclose(j[g], best[g][0], atol=1e-12)
        assert np.allclose(f[g], best[g][1], atol=1e-12)


def test_merge_object_scores():
    a = np.array([[[0.9, 0.6, 0.2, 0.5]]], np.float32)        # (T=1, H=1, W=4)
    b = np.array([[[0.7, 0.8, 0.4, 0.5]]], np.float32)
    merged = merge_object_scores({3: b, 1: a})
    assert merged.tolist() == [[[1, 3, 0, 0]]]
    tie = merge_object_scores({2: np.ones((1, 1, 1)), 5: np.ones((1, 1, 1))})
    assert tie.item() == 2


def test_format_only_uses_scores(tmp_path):
    metric = RefDAVISMetric(format_only=True, outfile_prefix=str(tmp_path / 'out'))
    masks = np.ones((T, H, W), bool)
    low = np.full((T, H, W), 0.6)
    high = np.full((T, H, W), 0.9)
    metric.process({}, [_sample('cat', 1, 1, masks, low), _sample('cat', 1, 2, masks, high)])
    assert metric.evaluate(2) == {}
    ids = np.asarray(Image.open(tmp_path / 'out' / 'anno_1' / 'cat' / '00003.png'))
    assert ids.shape == (H, W) and (ids == 2).all()
    with pytest.raises(ValueError, match='davis_root'):
        RefDAVISMetric()


def test_video_level_results_keep_the_numbers(tmp_path):
    """Video-level samples (every annotator's expressions of a video, one dataset item)
    store one result per video and score as the per-expression samples."""
    gts = make_davis_tree(tmp_path / 'DAVIS')
    scores = {}
    for mode in ('flat', 'video'):
        metric = RefDAVISMetric(davis_root=str(tmp_path / 'DAVIS'),
                                outfile_prefix=str(tmp_path / mode))
        for v, ids in gts.items():  # one process() call per dataset item (video)
            samples = [_sample(v, 0, 1, ids == 1), _sample(v, 0, 2, ids == 1),
                       _sample(v, 1, 1, ids == 1), _sample(v, 1, 2, ids == 2)]
            if mode == 'video':
                for s in samples:
                    s['video_level'] = True
            metric.process({}, samples)
        assert len(metric.results) == (2 if mode == 'video' else 8)
        scores[mode] = metric.evaluate(len(metric.results))
    assert scores['video'] == pytest.approx(scores['flat'])
    assert scores['video']['anno_1/J&F'] == pytest.approx(100.0)
    assert scores['video']['anno_0/J&F'] < 100.0
