"""tools/eval_predictions.py end to end on tiny official-format fixtures."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest
import torch
from PIL import Image
from pycocotools import mask as mask_utils

from mmflowrvs.datasets import RVOSDataError
from mmflowrvs.evaluation import RVOSMetric, write_predictions
from mmflowrvs.evaluation.prediction_io import davis_palette, write_ref_davis_video
from mmflowrvs.structures.rvos_data_sample import RVOSDataSample
from mmflowrvs.testing.reference_measures import ref_f, ref_iou
from tests.evaluation.test_ref_davis_metric import make_davis_tree

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
H, W, T = 20, 28, 3


def _tool():
    spec = importlib.util.spec_from_file_location(
        'eval_predictions', osp.join(ROOT, 'tools', 'eval_predictions.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rle(mask):
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {'size': rle['size'], 'counts': rle['counts'].decode()}


def _object(t, x):
    m = np.zeros((H, W), bool)
    m[4 + t:12 + t, x:x + 8] = True
    return m


@pytest.fixture
def mevis(tmp_path):
    """valid_u-like split: video a (2 objects), video b; GT per expression."""
    root = tmp_path / 'valid_u'
    root.mkdir()
    frames = [f'{i:05d}' for i in range(T)]
    objects = {0: [_object(t, 2) for t in range(T)], 1: [_object(t, 16) for t in range(T)],
               2: [_object(t, 8) for t in range(T)]}
    mask_dict = {str(k): [_rle(m) for m in v] for k, v in objects.items()}
    mask_dict['1'][2] = None                              # object 1 absent in frame 2
    meta = {'videos': {
        'a': {'frames': frames, 'expressions': {
            '0': {'exp': 'left', 'obj_id': [0], 'anno_id': [0]},
            '1': {'exp': 'both', 'obj_id': [0, 1], 'anno_id': [0, 1], 'extra': 1},
            '2': {'exp': 'nothing', 'obj_id': [], 'anno_id': []}}},
        'b': {'frames': frames, 'expressions': {
            '0': {'exp': 'the one', 'obj_id': [0], 'anno_id': [2]}}}}}
    (root / 'meta_expressions.json').write_text(json.dumps(meta))
    (root / 'mask_dict.json').write_text(json.dumps(mask_dict))
    gts = {('a', '0'): np.stack(objects[0]),
           ('a', '1'): np.stack(objects[0]) | np.stack(objects[1][:2] + [np.zeros((H, W), bool)]),
           ('a', '2'): np.zeros((T, H, W), bool), ('b', '0'): np.stack(objects[2])}
    return root, gts


def _samples(gts, preds):
    out = []
    for (video, exp), gt in gts.items():
        s = RVOSDataSample(metainfo=dict(video_id=video, exp_id=exp, ori_shape=(H, W),
                                         frame_ids=[f'{i:05d}' for i in range(T)]))
        s.gt_masks = torch.as_tensor(gt)
        s.pred_masks = torch.as_tensor(preds[(video, exp)])
        out.append(s)
    return out


def test_mevis_end_to_end(tmp_path, mevis, capsys):
    root, gts = mevis
    rng = np.random.default_rng(0)
    noisy = {k: (v ^ (rng.random(v.shape) < 0.05)) for k, v in gts.items()}
    good, bad = tmp_path / 'good', tmp_path / 'bad'
    samples = _samples(gts, noisy)
    for s in samples:
        write_predictions(s, str(good), 'mevis')
        write_predictions(s, str(bad), 'mevis')
    # metric on the masks == tool on the PNGs the same run wrote
    metric = RVOSMetric()
    metric.process({}, [s.to_dict() for s in samples])
    online = metric.evaluate(len(samples))
    # break the second method in every way
    (bad / 'b' / '0' / '00000.png').unlink()                                  # whole folder gone
    for f in (bad / 'b' / '0').iterdir():
        f.unlink()
    (bad / 'b' / '0').rmdir()
    Image.new('L', (W + 1, H)).save(bad / 'a' / '0' / '00001.png')           # wrong size
    Image.new('RGB', (W, H)).save(bad / 'a' / '1' / '00000.png')             # RGB
    (bad / 'a' / '1' / '00002.png').write_bytes(b'not a png')                # unreadable
    (bad / 'a' / '2' / '00001.png').unlink()                                 # missing frame
    out = tmp_path / 'report'
    assert _tool().main(['--dataset', 'mevis', '--data-root', str(root), '--pred', str(good),
                         str(bad), '--names', 'good', 'bad', '--json',
                         str(tmp_path / 's.json'), '--out-dir', str(out), '--nproc', '1']) == 0
    scores = json.loads((tmp_path / 's.json').read_text())
    assert scores['good']['J&F'] == pytest.approx(online['J&F'], abs=1e-9)
    assert scores['good']['J'] == pytest.approx(online['J'], abs=1e-9)
    # expected for 'bad' from the reference: broken frames are empty, missing folder is 0
    expected = []
    for key, gt in gts.items():
        pred = noisy[key].copy()
        if key == ('b', '0'):
            expected.append((0.0, 0.0))
            continue
        for (k, t) in ((('a', '0'), 1), (('a', '1'), 0), (('a', '1'), 2), (('a', '2'), 1)):
            if k == key:
                pred[t] = False
        expected.append((np.mean([ref_iou(gt[t], pred[t]) for t in range(T)]),
                         np.mean([ref_f(gt[t], pred[t]) for t in range(T)])))
    j, f = np.mean(expected, axis=0) * 100
    assert scores['bad']['J'] == pytest.approx(j, abs=1e-9)
    assert scores['bad']['F'] == pytest.approx(f, abs=1e-9)
    assert scores['bad']['num_missing'] == 1 and scores['bad']['num_bad_files'] == 4
    # a/2 is the only no-target expression; the noisy prediction is not empty there
    assert scores['good']['N-acc'] == 0.0 and scores['good']['T-acc'] == 100.0
    # 'bad': b/0 is missing (= empty), so one target expression of three looks empty
    assert scores['bad']['T-acc'] == pytest.approx(200 / 3)
    err = capsys.readouterr().err
    assert osp.join(str(bad), 'b', '0') in err
    for name in ('a/0/00001.png', 'a/1/00000.png', 'a/1/00002.png', 'a/2/00001.png'):
        assert name in err, name
    assert 'RGB' in err and '29x20' in err
    report = (out / 'report.md').read_text()
    assert 'a/2/00001.png' in report and '| b |' in report
    assert (out / 'per_video_jf.png').stat().st_size > 0


def test_ref_ytvos_and_parallel(tmp_path):
    root = tmp_path / 'ytvos'
    ann = root / 'train' / 'Annotations' / 'v'
    ann.mkdir(parents=True)
    frames = ['00000', '00005']
    for i, frame in enumerate(frames):
        ids = np.zeros((H, W), np.uint8)
        ids[_object(i, 2)] = 1
        ids[_object(i, 16)] = 2
        image = Image.fromarray(ids, mode='P')
        image.putpalette(davis_palette())
        image.save(ann / f'{frame}.png')
    (root / 'meta_expressions' / 'train').mkdir(parents=True)
    meta = {'videos': {'v': {'frames': frames, 'expressions': {
        '0': {'exp': 'a', 'obj_id': '1'}, '1': {'exp': 'b', 'obj_id': '2'}}}}}
    (root / 'meta_expressions' / 'train' / 'meta_expressions.json').write_text(json.dumps(meta))
    objects = {'1': {'category': 'cat'}, '2': {'category': 'dog'}}
    (root / 'train' / 'meta.json').write_text(json.dumps({'videos': {'v': {'objects': objects}}}))
    pred = tmp_path / 'pred' / 'Annotations' / 'v'
    for exp, obj_x in (('0', 2), ('1', 2)):                 # expression 1 predicts the wrong one
        (pred / exp).mkdir(parents=True)
        for i, frame in enumerate(frames):
            Image.fromarray(_object(i, obj_x).astype(np.uint8) * 255).save(
                pred / exp / f'{frame}.png')
    out = tmp_path / 'r'
    _tool().main(['--dataset', 'ref-ytvos', '--data-root', str(root), '--pred',
                  str(tmp_path / 'pred'), '--json', str(tmp_path / 's.json'),
                  '--out-dir', str(out), '--nproc', '2'])
    scores = json.loads((tmp_path / 's.json').read_text())['pred']
    assert scores['J'] == pytest.approx(50.0) and scores['F'] == pytest.approx(50.0)
    assert '| cat | 100.00 |' in (out / 'report.md').read_text()


def test_ref_davis_end_to_end(tmp_path):
    gts = make_davis_tree(tmp_path / 'refdavis' / 'DAVIS')
    pred = tmp_path / 'pred'
    for anno in range(4):
        for video, ids in gts.items():
            if anno == 3 and video == 'dog':
                continue                                    # missing video folder -> 0
            folder = pred / f'anno_{anno}' / video
            folder.mkdir(parents=True)
            for t in range(len(ids)):
                out = np.where(ids[t] == 255, 0, ids[t]).astype(np.uint8)
                if anno == 1:
                    out = np.where(out == 1, 2, np.where(out == 2, 1, out)).astype(np.uint8)
                image = Image.fromarray(out, mode='P')
                image.putpalette(davis_palette())
                image.save(folder / f'{t:05d}.png')
    _tool().main(['--dataset', 'ref-davis', '--data-root', str(tmp_path / 'refdavis'),
                  '--pred', str(pred), '--json', str(tmp_path / 's.json'), '--nproc', '1'])
    scores = json.loads((tmp_path / 's.json').read_text())['pred']
    for anno in range(3):
        assert scores[f'anno_{anno}']['J&F'] == pytest.approx(100.0)
    assert scores['anno_3']['J&F'] == pytest.approx(50.0)
    assert scores['J&F'] == pytest.approx(87.5)
    assert scores['num_missing'] == 1


def test_cli_errors(tmp_path, mevis, capsys):
    root, _ = mevis
    tool = _tool()
    with pytest.raises(SystemExit):
        tool.main(['--dataset', 'mevis', '--data-root', str(root), '--pred', str(tmp_path),
                   '--names', 'a', 'b'])
    assert '2 --names for 1 --pred folders' in capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.main(['--dataset', 'mevis', '--data-root', str(root), '--pred',
                   str(tmp_path / 'nope')])
    assert 'nope is not a folder' in capsys.readouterr().err
    meta = json.loads((root / 'meta_expressions.json').read_text())
    meta['videos']['b']['expressions']['0']['anno_id'] = [99]
    (root / 'meta_expressions.json').write_text(json.dumps(meta))
    # the GT is read by MeViSDataset: its error names the expression and the file
    with pytest.raises(RVOSDataError, match=r"video 'b' exp '0': anno_id 99 is absent from "
                                            r'.*mask_dict\.json'):
        tool.main(['--dataset', 'mevis', '--data-root', str(root), '--pred', str(tmp_path)])


def test_ref_davis_metric_equals_tool_on_its_pngs(tmp_path):
    from mmflowrvs.evaluation import RefDAVISMetric
    davis = tmp_path / 'refdavis' / 'DAVIS'
    gts = make_davis_tree(davis)
    rng = np.random.default_rng(7)
    samples = []
    for video, ids in gts.items():
        shape = ids.shape
        for anno in range(4):
            for obj in (1, 2, 3):
                target = (ids == obj).astype(np.float32)
                scores = np.clip(target * 0.8 + rng.normal(0.1, 0.25, shape), 0, 1)
                s = RVOSDataSample(metainfo=dict(
                    video_id=video, exp_id=str(4 * (obj - 1) + anno), anno_index=anno,
                    obj_ids=[obj], frame_ids=[f'{t:05d}' for t in range(shape[0])],
                    ori_shape=shape[1:]))
                s.pred_masks = torch.as_tensor(scores > 0.5)
                s.pred_scores = torch.as_tensor(scores, dtype=torch.float16)
                samples.append(s.to_dict())
    metric = RefDAVISMetric(davis_root=str(davis), outfile_prefix=str(tmp_path / 'pngs'), nproc=2)
    metric.process({}, samples)
    online = metric.evaluate(len(samples))
    _tool().main(['--dataset', 'ref-davis', '--data-root', str(tmp_path / 'refdavis'),
                  '--pred', str(tmp_path / 'pngs'), '--json', str(tmp_path / 's.json'),
                  '--nproc', '1'])
    offline = json.loads((tmp_path / 's.json').read_text())['pngs']
    assert 0 < online['J&F'] < 100
    assert offline['J&F'] == pytest.approx(online['J&F'], abs=1e-9)
    for anno in range(4):
        for key, value in offline[f'anno_{anno}'].items():
            assert value == pytest.approx(online[f'anno_{anno}/{key}'], abs=1e-9), (anno, key)


def test_mevis_version_and_expression_count_are_reported(tmp_path, mevis, capsys):
    root, gts = mevis
    pred = tmp_path / 'pred'
    for s in _samples(gts, gts):
        write_predictions(s, str(pred), 'mevis')
    out = tmp_path / 'report'
    _tool().main(['--dataset', 'mevis', '--data-root', str(root), '--pred', str(pred),
                  '--json', str(tmp_path / 's.json'), '--out-dir', str(out), '--nproc', '1'])
    captured = capsys.readouterr()
    # a/2 has an empty anno_id list: MeViS v2; 4 expressions is not valid_u's 907
    assert 'MeViS v2 valid_u has 907 expressions but 4 were scored (903 fewer)' in captured.err
    assert 'split valid_u, MeViS v2' in captured.out
    scores = json.loads((tmp_path / 's.json').read_text())['pred']
    assert scores['mevis_version'] == 'v2' and scores['split'] == 'valid_u'
    assert 'MeViS v2' in (out / 'report.md').read_text()
    _tool().main(['--dataset', 'mevis', '--data-root', str(root), '--pred', str(pred),
                  '--json', str(tmp_path / 's.json'), '--mevis-version', 'v1', '--nproc', '1'])
    assert 'MeViS v1 valid_u has 793 expressions' in capsys.readouterr().err
    assert json.loads((tmp_path / 's.json').read_text())['pred']['mevis_version'] == 'v1'


def test_ref_davis_per_expression_protocol_offline(tmp_path):
    """Annotator 2 swaps the two objects of classic-car: davis2017's matching undoes the
    swap, the per-expression protocol scores each mask against its own object."""
    import sys
    sys.path.insert(0, osp.join(ROOT, 'tools', 'dataset_converters'))
    sys.path.insert(0, osp.join(ROOT, 'tests', 'datasets'))
    import ref_davis as converter
    from rvos_fixtures import make_davis
    ids = make_davis(str(tmp_path / 'DAVIS'), str(tmp_path / 'text'))
    root = tmp_path / 'ref-davis'
    converter.convert(str(tmp_path / 'DAVIS'), str(tmp_path / 'text'), str(root))
    meta = json.loads((root / 'meta_expressions' / 'valid' / 'meta_expressions.json')
                      .read_text())['videos']
    per_exp, merged, expected = tmp_path / 'per_exp', tmp_path / 'merged', {}
    for video, vmeta in meta.items():
        frames = vmeta['frames']
        gt_ids = np.stack([ids[(video, f)] for f in frames])             # (T, H, W)
        objects = {}
        for exp_id, exp in vmeta['expressions'].items():
            obj, anno = int(exp['obj_id']), int(exp_id) % 4
            pred_obj = 3 - obj if (anno == 2 and video == 'classic-car') else obj
            pred = gt_ids == pred_obj
            s = RVOSDataSample(metainfo=dict(video_id=video, exp_id=exp_id, frame_ids=frames))
            s.pred_masks = torch.as_tensor(pred)
            write_predictions(s, str(per_exp), 'mevis')
            objects.setdefault(anno, {})[obj] = pred.astype(np.float32)
            gt = gt_ids == obj
            expected[(video, exp_id)] = (
                np.mean([ref_iou(gt[t], pred[t]) for t in range(len(frames))]),
                np.mean([ref_f(gt[t], pred[t]) for t in range(len(frames))]))
        for anno, scores in objects.items():
            write_ref_davis_video(scores, frames, str(merged), video, anno)
    _tool().main(['--dataset', 'ref-davis', '--data-root', str(root), '--pred', str(per_exp),
                  '--protocol', 'per-expression', '--json', str(tmp_path / 'e.json'),
                  '--nproc', '1'])
    _tool().main(['--dataset', 'ref-davis', '--data-root', str(root), '--pred', str(merged),
                  '--json', str(tmp_path / 'u.json'), '--nproc', '1'])
    per_expression = json.loads((tmp_path / 'e.json').read_text())['per_exp']
    unsupervised = json.loads((tmp_path / 'u.json').read_text())['merged']
    assert per_expression['protocol'] == 'per-expression'
    assert unsupervised['protocol'] == 'davis2017-unsupervised'
    j, f = np.mean(list(expected.values()), axis=0) * 100
    assert per_expression['J'] == pytest.approx(j, abs=1e-9)
    assert per_expression['F'] == pytest.approx(f, abs=1e-9)
    assert per_expression['anno_0']['J&F'] == pytest.approx(100.0)
    assert per_expression['anno_2']['J&F'] < 100
    # davis2017: the swap is undone by the matching, so annotators 0 and 2 agree
    assert unsupervised['anno_2']['J&F'] == pytest.approx(unsupervised['anno_0']['J&F'])
    assert per_expression['anno_2']['J&F'] < unsupervised['anno_2']['J&F']


def test_empty_baseline_extra_columns_and_synthetic_kinds(tmp_path, mevis, capsys):
    root, gts = mevis
    meta = json.loads((root / 'meta_expressions.json').read_text())
    texts = {('a', '0'): 'the red circle', ('a', '1'): 'the two circles',
             ('a', '2'): 'the red one', ('b', '0'): 'the circle'}
    for (video, exp), text in texts.items():
        meta['videos'][video]['expressions'][exp]['exp'] = text
    (root / 'meta_expressions.json').write_text(json.dumps(meta))
    pred = tmp_path / 'pred'
    for s in _samples(gts, gts):                                   # a perfect method
        write_predictions(s, str(pred), 'mevis')
    extra = tmp_path / 'extra.json'
    extra.write_text(json.dumps({'ours': {'train s': 12, 'params': '1.0 M'}}))
    out = tmp_path / 'report'
    assert _tool().main(['--dataset', 'mevis', '--data-root', str(root), '--pred', str(pred),
                         '--names', 'ours', '--empty-baseline', '--group-by', 'synthetic-kind',
                         '--extra', str(extra), '--json', str(tmp_path / 's.json'),
                         '--out-dir', str(out), '--nproc', '1', '--notes', 'a note']) == 0
    scores = json.loads((tmp_path / 's.json').read_text())
    assert scores['ours']['J&F'] == 100.0 and scores['ours']['train s'] == 12
    # predicting nothing is right only on a/2, the no-target expression: 1 of 4
    assert scores['empty masks']['J'] == 25.0 and scores['empty masks']['F'] == 25.0
    assert scores['empty masks']['N-acc'] == 100.0 and scores['empty masks']['T-acc'] == 0.0
    assert scores['empty masks']['per_category'] == {'colour': 100.0, 'colour + shape': 0.0,
                                                     'multi': 0.0, 'shape': 0.0}
    table = capsys.readouterr().out
    assert '| train s | params |' in table and '| 12      | 1.0 M  |' in table
    report = (out / 'report.md').read_text()
    assert '## Per-kind J&F (what each expression names)' in report
    assert '| colour + shape | 100.00 | 0.00 | 1 |' in report and 'a note' in report
    extra.write_text(json.dumps({'theirs': {'x': 1}}))
    with pytest.raises(ValueError, match='no method named theirs'):
        _tool().main(['--dataset', 'mevis', '--data-root', str(root), '--pred', str(pred),
                      '--names', 'ours', '--extra', str(extra), '--nproc', '1'])
