"""The synthetic benchmark: deterministic, MeViS layout read by MeViSDataset, honest targets."""
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest

from mmflowrvs.datasets import SYNTHETIC_VOCAB, MeViSDataset, SyntheticRVOSDataset
from mmflowrvs.datasets.synthetic_rvos import make_synthetic_rvos

PIPE = [dict(type='UniformSampleFrames', num_frames=None), dict(type='LoadRVOSFrames'),
        dict(type='LoadRVOSMasks'), dict(type='PackRVOSInputs')]


def _meta(root, split='train'):
    with open(osp.join(root, split, 'meta_expressions.json')) as f:
        return json.load(f)['videos']


def test_deterministic_and_layout(tmp_path):
    a, b = str(tmp_path / 'a'), str(tmp_path / 'b')
    counts = make_synthetic_rvos(a, seed=3, num_train=6, num_valid=2)
    make_synthetic_rvos(b, seed=3, num_train=6, num_valid=2)
    for split in ('train', 'valid_u'):
        for name in ('meta_expressions.json', 'mask_dict.json'):
            assert open(osp.join(a, split, name)).read() == open(osp.join(b, split, name)).read()
    assert counts['train']['videos'] == 6 and counts['valid_u']['videos'] == 2
    for vid, v in _meta(a).items():
        assert 9 <= len(v['frames']) <= 33
        assert all(osp.isfile(osp.join(a, 'train', 'JPEGImages', vid, f + '.jpg'))
                   for f in v['frames'])


def test_vocabulary_covers_every_expression(tmp_path):
    root = str(tmp_path / 's')
    make_synthetic_rvos(root, seed=0, num_train=40, num_valid=0)
    words = {w for v in _meta(root).values() for e in v['expressions'].values()
             for w in e['exp'].split()}
    assert words <= set(SYNTHETIC_VOCAB)
    texts = [e['exp'] for v in _meta(root).values() for e in v['expressions'].values()]
    assert any('moving' in t for t in texts) and any('stops' in t for t in texts)
    assert any(t.startswith(('the two', 'all')) for t in texts)
    assert any(' of the ' in t or 'above' in t or 'below' in t for t in texts)


def test_appearance_is_ambiguous_in_many_videos_and_motion_resolves_it(tmp_path):
    root = str(tmp_path / 's')
    make_synthetic_rvos(root, seed=1, num_train=30, num_valid=0)
    ds = MeViSDataset(data_root=root, split='train', test_mode=True, pipeline=PIPE)
    meta = _meta(root)
    ambiguous = 0
    for v in meta.values():
        looks = [(o['color'], o['shape']) for o in v['objects']]
        twins = len(set(looks)) < len(looks)
        ambiguous += twins
        if twins:  # some expression tells a twin apart by its motion alone
            assert any(len(e['obj_id']) == 1 and looks.count(looks[e['obj_id'][0]]) > 1
                       for e in v['expressions'].values())
    assert 0.3 * len(meta) <= ambiguous <= 0.7 * len(meta)
    checked = 0
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        for word, axis, sign in (('moving left', 1, -1), ('moving down', 0, 1)):
            if not info['expression'].endswith(word) or len(info['obj_ids']) != 1:
                continue
            masks = ds[i]['data_samples'].gt_masks.numpy()
            vis = [t for t in range(len(masks)) if masks[t].any()]
            first = np.nonzero(masks[vis[0]])[axis].mean()
            last = np.nonzero(masks[vis[-1]])[axis].mean()
            assert sign * (last - first) > 0, info['expression']
            checked += 1
    assert checked >= 5


def test_cli(tmp_path):
    out = str(tmp_path / 'cli')
    tool = osp.join(osp.dirname(__file__), '..', '..', 'tools', 'dataset_converters',
                    'make_synthetic_rvos.py')
    res = subprocess.run([sys.executable, tool, out, '--num-train', '2', '--num-valid', '1',
                          '--size', '48x64', '--frames', '9-10'], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    ds = MeViSDataset(data_root=out, split='valid_u', test_mode=True, pipeline=PIPE)
    s = ds[0]
    assert s['inputs'].shape[2:] == (48, 64) and s['data_samples'].gt_masks.any()
    # the benchmark's own dataset class: the same items, under its own name
    syn = SyntheticRVOSDataset(data_root=out, split='valid_u', test_mode=True, pipeline=PIPE)
    assert syn.metainfo['dataset_name'] == 'synthetic_rvos'
    assert ds.metainfo['dataset_name'] == 'mevis'
    assert [syn.get_data_info(i) for i in range(len(syn))] == \
        [ds.get_data_info(i) for i in range(len(ds))]


def test_radius_range_sets_the_shape_size():
    import random

    from mmflowrvs.datasets.synthetic_rvos import make_video

    def largest_area(radius_range):
        areas = []
        for seed in range(4):
            _, rles, _, _ = make_video(random.Random(seed), (96, 96), (9, 9), False,
                                       radius_range=radius_range)
            from pycocotools import mask as mask_utils
            areas += [mask_utils.area(dict(size=r['size'], counts=r['counts'].encode()))
                      for obj in rles for r in obj if r is not None]
        return max(areas)

    # radius 7 px: at most a (2r+1)^2 square; radius 19 px: a visible disc or more
    assert largest_area((0.08, 0.08)) <= 15 ** 2
    assert largest_area((0.2, 0.2)) >= 0.75 * 3.14 * 19 ** 2


def test_travel_range_sets_how_far_shapes_move(tmp_path):
    import random

    from pycocotools import mask as mask_utils

    from mmflowrvs.datasets.synthetic_rvos import make_video

    def largest_shift(travel_range):
        shifts = []
        for seed in range(4):
            _, rles, _, objs = make_video(random.Random(seed), (64, 64), (9, 9), False,
                                          radius_range=(0.1, 0.1), max_hidden=0.0,
                                          travel_range=travel_range)
            for obj_rles in rles:
                boxes = np.array([mask_utils.toBbox(dict(size=r['size'],
                                                         counts=r['counts'].encode()))
                                  for r in obj_rles])
                centres = boxes[:, :2] + boxes[:, 2:] / 2  # (T, 2) box centre per frame
                shifts.append(np.abs(centres - centres[0]).max())
        return max(shifts)

    # the free span along a direction is 64 - 2 * 6 - 1 = 51 px
    assert largest_shift((0.0, 0.0)) <= 1
    assert largest_shift((0.1, 0.1)) <= 0.1 * 51 + 1
    assert largest_shift((0.45, 0.7)) >= 0.45 * 51 - 1
    with pytest.raises(ValueError, match='travel_range'):
        make_synthetic_rvos(str(tmp_path / 'bad'), num_train=1, num_valid=0,
                            travel_range=(0.5, 0.2))
    assert not (tmp_path / 'bad').exists()  # rejected before anything is written


def test_valid_split_does_not_depend_on_the_number_of_training_videos(tmp_path):
    for n in (2, 3):
        make_synthetic_rvos(str(tmp_path / str(n)), num_train=n, num_valid=2, frames=(9, 9))
    texts = [open(tmp_path / str(n) / 'valid_u' / 'meta_expressions.json').read() for n in (2, 3)]
    assert texts[0] == texts[1]


def test_expression_kind_classifies_every_generated_kind(tmp_path):
    from mmflowrvs.datasets.synthetic_rvos import expression_kind
    assert expression_kind('the red circle') == 'appearance'
    assert expression_kind('the red one') == 'appearance'
    assert expression_kind('the square moving left') == 'motion'
    assert expression_kind('the one that does not move') == 'motion'
    assert expression_kind('the two white squares') == 'multi'
    assert expression_kind('all red circles') == 'multi'
    assert expression_kind('the circle on the left of the red square') == 'relation'
    assert expression_kind('the triangle below the blue circle') == 'relation'
    root = str(tmp_path / 's')
    make_synthetic_rvos(root, seed=0, num_train=30, num_valid=0)
    kinds = {expression_kind(e['exp']) for v in _meta(root).values()
             for e in v['expressions'].values()}
    assert kinds == {'appearance', 'motion', 'multi', 'relation'}


def test_objects_and_kinds_options(tmp_path):
    from mmflowrvs.datasets.synthetic_rvos import expression_kind
    root = str(tmp_path / 's')
    make_synthetic_rvos(root, seed=1, num_train=20, num_valid=0, num_objects=(2, 2),
                        kinds=('appearance',), ambiguous_ratio=0.0)
    meta = _meta(root)
    assert len(meta) == 20
    for v in meta.values():
        assert len(v['objects']) == 2
        assert v['expressions'], 'every video keeps at least one expression'
        for e in v['expressions'].values():
            assert expression_kind(e['exp']) == 'appearance'
            objs = [v['objects'][i] for i in e['obj_id']]
            assert all(o['color'] in e['exp'] or o['shape'] in e['exp'] for o in objs)


def test_impossible_options_are_rejected(tmp_path):
    with pytest.raises(ValueError, match='num_objects'):
        make_synthetic_rvos(str(tmp_path / 'a'), num_train=1, num_valid=0, num_objects=(1, 2))
    with pytest.raises(ValueError, match='num_objects'):
        make_synthetic_rvos(str(tmp_path / 'b'), num_train=1, num_valid=0, num_objects=(3, 99))
    with pytest.raises(ValueError, match='kinds'):
        make_synthetic_rvos(str(tmp_path / 'c'), num_train=1, num_valid=0, kinds=())
    with pytest.raises(ValueError, match='kinds'):
        make_synthetic_rvos(str(tmp_path / 'd'), num_train=1, num_valid=0, kinds=('colour',))
    # one shape is fine without look-alike twins
    make_synthetic_rvos(str(tmp_path / 'e'), num_train=2, num_valid=0, num_objects=(1, 1),
                        ambiguous_ratio=0.0, kinds=('appearance',))


def _largest_hidden_share(root, split='train'):
    """Largest share of a shape's full area hidden by others, from the written masks."""
    from pycocotools import mask as mask_utils
    masks = json.load(open(f'{root}/{split}/mask_dict.json'))
    meta = _meta(root, split)
    worst = 0.0
    for v in meta.values():
        ids = sorted({a for e in v['expressions'].values() for a in e['anno_id']})
        for a in ids:
            # a shape's visible area drops below its full area only when it is hidden
            areas = [mask_utils.area(dict(size=r['size'], counts=r['counts'].encode()))
                     if r else 0 for r in masks[str(a)]]
            worst = max(worst, 1.0 - min(areas) / max(max(areas), 1))
    return worst


def test_max_hidden_keeps_shapes_apart(tmp_path):
    import random

    from mmflowrvs.datasets.synthetic_rvos import _hidden_share, make_video
    opts = dict(num_train=30, num_valid=0, size=(64, 64), frames=(9, 9),
                radius_range=(0.15, 0.22), num_objects=(2, 3), ambiguous_ratio=0.0,
                kinds=('appearance',))
    make_synthetic_rvos(str(tmp_path / 'any'), **opts)
    make_synthetic_rvos(str(tmp_path / 'apart'), max_hidden=0.0, **opts)
    # shapes of a fixed size move without a limit: some get (partly) hidden
    assert _largest_hidden_share(str(tmp_path / 'any')) > 0.2
    # with max_hidden 0 no visible area ever shrinks (a shape's area is constant)
    assert _largest_hidden_share(str(tmp_path / 'apart')) < 0.05
    # the measure itself: two squares on the same spot, the back one fully hidden
    objs = [dict(shape='square'), dict(shape='square')]
    centres = np.full((2, 1, 2), 20.0)
    assert _hidden_share(objs, [5, 5], centres, (40, 40)) == 1.0
    centres[1, 0] = 34.0
    assert _hidden_share(objs, [5, 5], centres, (40, 40)) == 0.0
    # no limit (the default) takes the first draw: the same video as max_hidden=1
    a = make_video(random.Random(3), (64, 64), (9, 9), False)
    b = make_video(random.Random(3), (64, 64), (9, 9), False, max_hidden=1.0)
    assert all((x == y).all() for x, y in zip(a[0], b[0]))


def test_impossible_max_hidden_is_rejected():
    import random

    from mmflowrvs.datasets.synthetic_rvos import make_video
    with pytest.raises(ValueError, match='max_hidden'):
        make_video(random.Random(0), (32, 32), (9, 9), False, radius_range=(0.45, 0.45),
                   num_objects=(4, 4), max_hidden=0.0)


def test_expression_group_names_what_an_expression_uses():
    from mmflowrvs.datasets.synthetic_rvos import expression_group
    assert expression_group('the red circle') == 'colour + shape'
    assert expression_group('the red one') == 'colour'
    assert expression_group('the circle') == 'shape'
    assert expression_group('the circle moving left') == 'motion'
    assert expression_group('the two circles') == 'multi'
    assert expression_group('the square above the red circle') == 'relation'
    assert expression_group('a dog') == 'not synthetic' and expression_group('') == 'not synthetic'
