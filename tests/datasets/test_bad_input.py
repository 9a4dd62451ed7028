"""Bad input: each error names the file and the video/expression; training skips, testing never."""
import os
import os.path as osp

import pytest
from rvos_fixtures import LOAD_PIPE, edit_json, index_of

from mmflowrvs.datasets import MeViSDataset, RefYTVOSDataset, RVOSDataError

PIPE = LOAD_PIPE


def test_missing_frame_file(mevis):
    root, _ = mevis
    path = osp.join(root, 'train', 'JPEGImages', 'vidB', '00001.jpg')
    os.remove(path)
    ds = MeViSDataset(data_root=root, split='train', test_mode=True, pipeline=PIPE)
    with pytest.raises(RVOSDataError) as err:
        ds[index_of(ds, 'vidB', '0')]
    assert path in str(err.value) and "video 'vidB' exp '0'" in str(err.value)
    assert 'missing' in str(err.value)


def test_corrupt_jpeg(mevis):
    root, _ = mevis
    path = osp.join(root, 'train', 'JPEGImages', 'vidB', '00002.jpg')
    with open(path, 'wb') as f:
        f.write(b'\xff\xd8 not really a jpeg')
    ds = MeViSDataset(data_root=root, split='train', test_mode=True, pipeline=PIPE)
    with pytest.raises(RVOSDataError, match=f"video 'vidB' exp '0'.*{path}"):
        ds[index_of(ds, 'vidB', '0')]


def test_training_skips_bad_samples_with_a_warning_and_count(mevis):
    root, _ = mevis
    os.remove(osp.join(root, 'train', 'JPEGImages', 'vidB', '00001.jpg'))
    ds = MeViSDataset(data_root=root, split='train', pipeline=PIPE)
    bad = index_of(ds, 'vidB', '0')
    with pytest.warns(UserWarning, match=r"vidB.*00001\.jpg.*1 skipped"):
        assert ds.prepare_data(bad) is None
    out = ds[bad]  # MMEngine fetches another sample
    assert out['data_samples'].video_id == 'vidA' and ds.num_skipped_samples >= 2


def test_rle_size_mismatch(mevis):
    root, _ = mevis
    path = osp.join(root, 'train', 'mask_dict.json')

    def shrink(d):
        d['12'][1]['size'] = [10, 10]
    edit_json(path, shrink)
    ds = MeViSDataset(data_root=root, split='train', test_mode=True, pipeline=PIPE)
    with pytest.raises(RVOSDataError) as err:
        ds[index_of(ds, 'vidB', '0')]
    msg = str(err.value)
    assert "video 'vidB' exp '0'" in msg and "frame '00001'" in msg and path in msg
    assert '[10, 10]' in msg and '[24, 32]' in msg


def test_anno_id_absent_from_mask_dict(mevis):
    root, _ = mevis
    meta = osp.join(root, 'train', 'meta_expressions.json')

    def add(d):
        d['videos']['vidB']['expressions']['1'] = dict(exp='ghost', obj_id=[5], anno_id=[999])
    edit_json(meta, add)
    with pytest.raises(RVOSDataError, match=r"video 'vidB' exp '1': anno_id 999 is absent "
                                            r'from .*mask_dict\.json'):
        MeViSDataset(data_root=root, split='train', test_mode=True, pipeline=PIPE)
    with pytest.warns(UserWarning, match='anno_id 999.*skipped'):
        ds = MeViSDataset(data_root=root, split='train', pipeline=PIPE)
    assert len(ds) == 4 and ds.num_skipped_at_init == 1


def test_rle_list_length_differs_from_frames(mevis):
    root, _ = mevis

    def cut(d):
        d['12'] = d['12'][:2]
    edit_json(osp.join(root, 'train', 'mask_dict.json'), cut)
    with pytest.raises(RVOSDataError, match=r"video 'vidB' exp '0': anno_id 12 has 2 RLEs"):
        MeViSDataset(data_root=root, split='train', test_mode=True, pipeline=PIPE)


def test_video_shorter_than_clip(mevis, ytvos):
    root, _ = mevis
    pipe = [dict(type='ReferenceSampleFrames', num_frames=4)] + PIPE[1:]
    ds = MeViSDataset(data_root=root, split='train', test_mode=True, pipeline=pipe)
    with pytest.raises(RVOSDataError, match=r"video 'vidB' exp '0': video has 3 frames "
                                            r'\(.*JPEGImages/vidB\), shorter than the 4-frame'):
        ds[index_of(ds, 'vidB', '0')]
    # the reference Ref-YTVOS policy: drop videos shorter than the clip at init (train)
    yroot, _ = ytvos
    with pytest.warns(UserWarning, match="video 'v1' exp '0': 3 frames listed.*min_num_frames=17"):
        with pytest.raises(RVOSDataError, match=r'no expression left .* \(3 skipped\)'):
            RefYTVOSDataset(data_root=yroot, split='train', min_num_frames=17, pipeline=pipe)
    with pytest.raises(RVOSDataError, match="video 'v1' exp '0'"):
        RefYTVOSDataset(data_root=yroot, split='train', min_num_frames=17, test_mode=True,
                        pipeline=pipe)


def test_missing_palette_png_and_annotation_file(ytvos):
    root, _ = ytvos
    png = osp.join(root, 'train', 'Annotations', 'v1', '00005.png')
    os.remove(png)
    ds = RefYTVOSDataset(data_root=root, split='train', test_mode=True, pipeline=PIPE)
    with pytest.raises(RVOSDataError, match=f"video 'v1' exp '0'.*{png}"):
        ds[0]
    os.remove(osp.join(root, 'meta_expressions', 'test', 'meta_expressions.json'))
    with pytest.raises(FileNotFoundError, match='test'):
        RefYTVOSDataset(data_root=root, split='valid', test_mode=True, pipeline=PIPE)


def test_missing_data_root_and_meta_file(tmp_path, mevis):
    with pytest.raises(FileNotFoundError, match=r'data root not found: .*nowhere'):
        MeViSDataset(data_root=str(tmp_path / 'nowhere'), split='train', pipeline=PIPE)
    root, _ = mevis
    with pytest.raises(FileNotFoundError, match=r'meta_expressions not found: .*valid_u'):
        MeViSDataset(data_root=root, split='valid_u', pipeline=PIPE)
