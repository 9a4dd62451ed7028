"""Bad files that used to pass silently or fail without a name (issue 20, items 2-5)."""
import json
import os
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest
from mmengine.config import Config
from rvos_fixtures import LOAD_PIPE, edit_json, index_of

from mmflowrvs.apis import read_video
from mmflowrvs.datasets import MeViSDataset, RefYTVOSDataset, RVOSDataError
from mmflowrvs.utils.preflight import check_paths

PIPE = LOAD_PIPE


def _write_truncated_jpeg(path, hw=(24, 32)):
    """A textured JPEG cut in the middle of its scan data: cv2.imread decodes it with
    no error (the missing rows grey), the silent case."""
    img = np.random.default_rng(0).integers(0, 255, (*hw, 3), dtype=np.uint8)
    data = cv2.imencode('.jpg', img)[1].tobytes()
    sos = data.rfind(b'\xff\xda')
    cut = data[:sos + (len(data) - sos) // 2]
    with open(path, 'wb') as f:
        f.write(cut)
    decoded = cv2.imread(path)
    assert decoded is not None and decoded.shape == (*hw, 3)  # what OpenCV alone gives


def test_truncated_jpeg_named_in_testing_and_skipped_in_training(mevis):
    root, _ = mevis
    path = osp.join(root, 'train', 'JPEGImages', 'vidB', '00002.jpg')
    _write_truncated_jpeg(path)
    ds = MeViSDataset(data_root=root, split='train', test_mode=True, pipeline=PIPE)
    bad = index_of(ds, 'vidB', '0')
    with pytest.raises(RVOSDataError, match=f"video 'vidB' exp '0'.*{path}.*truncated JPEG"):
        ds[bad]
    train = MeViSDataset(data_root=root, split='train', pipeline=PIPE)
    with pytest.warns(UserWarning, match=r'00002\.jpg: truncated JPEG.*1 skipped'):
        assert train.prepare_data(bad) is None
    assert train.num_skipped_samples == 1


def test_truncated_jpeg_in_a_video_folder(mevis):
    root, _ = mevis
    folder = osp.join(root, 'train', 'JPEGImages', 'vidA')
    assert len(read_video(folder)) == 8
    path = osp.join(folder, '00003.jpg')
    _write_truncated_jpeg(path)
    with pytest.raises(ValueError, match=f'{path}.*truncated JPEG'):
        read_video(folder)


@pytest.mark.parametrize('text', ['', '   ', '\t\n'])
def test_empty_expression_skipped_in_training_raised_in_testing(mevis, ytvos, text):
    root, _ = mevis
    meta = osp.join(root, 'train', 'meta_expressions.json')

    def blank(d):
        d['videos']['vidA']['expressions']['1']['exp'] = text
    edit_json(meta, blank)
    with pytest.raises(RVOSDataError, match=r"video 'vidA' exp '1': empty or missing expression"):
        MeViSDataset(data_root=root, split='train', test_mode=True, pipeline=PIPE)
    with pytest.warns(UserWarning, match=r"video 'vidA' exp '1': empty.*skipped \(1 skipped"):
        ds = MeViSDataset(data_root=root, split='train', pipeline=PIPE)
    assert len(ds) == 3 and ds.num_skipped_at_init == 1
    yroot, _ = ytvos
    ymeta = osp.join(yroot, 'meta_expressions', 'train', 'meta_expressions.json')

    def yblank(d):
        d['videos']['v1']['expressions']['0']['exp'] = text
    edit_json(ymeta, yblank)
    with pytest.raises(RVOSDataError, match=r"video 'v1' exp '0': empty or missing expression"):
        RefYTVOSDataset(data_root=yroot, split='train', test_mode=True, pipeline=PIPE)


def test_invalid_json_names_the_file(mevis):
    root, _ = mevis
    meta = osp.join(root, 'train', 'meta_expressions.json')
    with open(meta) as f:
        text = f.read()
    with open(meta, 'w') as f:
        f.write(text[:-5])  # cut: not valid JSON any more
    with pytest.raises(RVOSDataError, match=f'{meta} is not valid JSON.*line 1'):
        MeViSDataset(data_root=root, split='train', pipeline=PIPE)
    with open(meta, 'w') as f:
        json.dump(dict(vids={}), f)
    with pytest.raises(RVOSDataError, match=f"{meta}: expected a JSON object with a 'videos'"):
        MeViSDataset(data_root=root, split='train', pipeline=PIPE)


@pytest.mark.parametrize('counts', ['garbage!!', '', 'PP'])
def test_garbage_rle_counts_named_and_skipped_in_training(mevis, counts):
    root, _ = mevis
    path = osp.join(root, 'train', 'mask_dict.json')

    def spoil(d):
        d['12'][1]['counts'] = counts
    edit_json(path, spoil)
    ds = MeViSDataset(data_root=root, split='train', test_mode=True, pipeline=PIPE)
    bad = index_of(ds, 'vidB', '0')
    with pytest.raises(RVOSDataError) as err:
        ds[bad]
    msg = str(err.value)
    assert "video 'vidB' exp '0'" in msg and "frame '00001'" in msg and path in msg
    assert 'invalid RLE counts' in msg
    train = MeViSDataset(data_root=root, split='train', pipeline=PIPE)
    with pytest.warns(UserWarning, match='invalid RLE counts.*1 skipped'):
        assert train.prepare_data(bad) is None


class _RunsCode:
    """Unpickling this creates a file: the proof that a data file ran code."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, 'w'))


def test_pickled_annotation_files_are_refused_unread(mevis, tmp_path):
    root, _ = mevis
    marker = str(tmp_path / 'code_ran')
    pkl = osp.join(root, 'train', 'meta_expressions.pkl')
    with open(pkl, 'wb') as f:
        pickle.dump(_RunsCode(marker), f)
    with pytest.raises(ValueError, match=r'meta_expressions\.pkl is a pickle'):
        MeViSDataset(data_root=root, split='train', ann_file='train/meta_expressions.pkl',
                     pipeline=PIPE)
    with pytest.raises(ValueError, match=r'mask\.pkl is a pickle'):
        MeViSDataset(data_root=root, split='train', pipeline=PIPE,
                     data_prefix=dict(mask_path=osp.join(root, 'train', 'mask.pkl')))
    cfg = Config(dict(test_dataloader=dict(dataset=dict(
        type='MeViSDataset', data_root=root, ann_file='train/meta_expressions.pkl'))))
    with pytest.raises(ValueError, match='ann_file of MeViSDataset .*is a pickle'):
        check_paths(cfg, mode='test')
    assert not os.path.exists(marker)
