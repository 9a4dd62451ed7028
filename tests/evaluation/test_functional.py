"""db_eval_iou / db_eval_boundary against the straightforward reference."""
import cv2
import numpy as np
import pytest
from skimage.morphology import disk

from mmflowrvs.evaluation.functional import (
    boundary_radius,
    db_eval_boundary,
    db_eval_iou,
    db_eval_jf,
    db_statistics,
    disk_dilate,
    seg2bmap,
)
from mmflowrvs.testing.reference_measures import ref_bmap, ref_f, ref_iou


def _blobs(rng, h, w, n):
    """(h, w) bool mask of n random filled ellipses (some cut by the border)."""
    m = np.zeros((h, w), np.uint8)
    for _ in range(n):
        center = (int(rng.integers(-2, w + 2)), int(rng.integers(-2, h + 2)))
        axes = (int(rng.integers(0, w // 2 + 2)), int(rng.integers(0, h // 2 + 2)))
        cv2.ellipse(m, center, axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    return m.astype(bool)


def _edge_cases(h, w):
    """Named (gt, pred, void) triples of edge cases at (h, w)."""
    empty = np.zeros((h, w), bool)
    full = np.ones((h, w), bool)
    one = empty.copy()
    one[h // 2, w // 2] = True
    corner = empty.copy()
    corner[-1, -1] = True
    border = empty.copy()
    border[:, :2] = True
    border[-1, :] = True
    top_left = empty.copy()
    top_left[0, 0] = True
    void = empty.copy()
    void[: h // 2] = True
    return {
        'empty/empty': (empty, empty, None), 'empty/full': (empty, full, None),
        'full/empty': (full, empty, None), 'full/full': (full, full, None),
        'one/one': (one, one, None), 'one/empty': (one, empty, None),
        'corner/one': (corner, one, None), 'border/full': (border, full, None),
        'border/border': (border, border, None), 'topleft/corner': (top_left, corner, None),
        'border/one void': (border, one, void), 'full/one void': (full, one, void),
        'all void': (full, one, full.copy()),
    }


@pytest.mark.parametrize('shape', [(1, 1), (1, 7), (6, 1), (2, 2), (5, 9), (31, 17), (64, 101)])
def test_edge_cases_match_reference(shape):
    for name, (gt, pred, void) in _edge_cases(*shape).items():
        for th in (0.008, 1, 3, 0):
            assert db_eval_boundary(gt, pred, void, th) == pytest.approx(
                ref_f(gt, pred, void, th), abs=1e-12), (name, shape, th)
        assert db_eval_iou(gt, pred, void) == pytest.approx(
            ref_iou(gt, pred, void), abs=1e-12), (name, shape)
        j, f = db_eval_jf(gt, pred, void)
        assert j == pytest.approx(ref_iou(gt, pred, void), abs=1e-12), (name, shape)
        assert f == pytest.approx(ref_f(gt, pred, void), abs=1e-12), (name, shape)


def test_known_values():
    gt = np.zeros((10, 10), bool)
    gt[2:6, 2:6] = True                    # 16 px
    pred = np.zeros((10, 10), bool)
    pred[4:8, 4:8] = True                  # overlap 4, union 28
    assert db_eval_iou(gt, pred) == pytest.approx(4 / 28)
    assert db_eval_iou(np.zeros((3, 3)), np.zeros((3, 3))) == 1.0
    assert db_eval_boundary(gt, gt) == 1.0
    assert db_eval_boundary(gt, np.zeros_like(gt)) == 0.0
    assert db_eval_boundary(np.zeros_like(gt), np.zeros_like(gt)) == 1.0
    assert boundary_radius(0.008, 480, 854) == 8
    assert boundary_radius(0.008, 720, 1280) == 12
    with pytest.raises(ValueError):
        boundary_radius(2.5, 10, 10)


def test_random_masks_match_reference():
    rng = np.random.default_rng(0)
    for it in range(250):
        h, w = int(rng.integers(1, 70)), int(rng.integers(1, 70))
        if it % 2:
            gt, pred = _blobs(rng, h, w, 2), _blobs(rng, h, w, 2)
        else:
            gt = rng.random((h, w)) < rng.random()
            pred = rng.random((h, w)) < rng.random()
        void = (rng.random((h, w)) < 0.2) if it % 3 == 0 else None
        th = 0.008 if it % 4 else float(rng.integers(1, 12))
        assert db_eval_boundary(gt, pred, void, th) == pytest.approx(
            ref_f(gt, pred, void, th), abs=1e-12), it
        assert db_eval_iou(gt, pred, void) == pytest.approx(ref_iou(gt, pred, void), abs=1e-12)
        j, f = db_eval_jf(gt, pred, void, th)
        assert (j, f) == (pytest.approx(ref_iou(gt, pred, void), abs=1e-12),
                          pytest.approx(ref_f(gt, pred, void, th), abs=1e-12))


def test_video_at_davis_size_matches_reference():
    rng = np.random.default_rng(1)
    gt = np.stack([_blobs(rng, 480, 854, 2) for _ in range(4)])       # (T, H, W)
    pred = np.stack([_blobs(rng, 480, 854, 2) for _ in range(4)])
    pred[1] = np.roll(gt[1], 12, axis=1)                               # partly within r=8
    void = np.zeros_like(gt)
    void[2, 100:200] = True
    f = db_eval_boundary(gt, pred, void)
    j = db_eval_iou(gt, pred, void)
    assert f.shape == (4, ) and f.dtype == np.float64 and j.dtype == np.float64
    for t in range(4):
        assert f[t] == pytest.approx(ref_f(gt[t], pred[t], void[t]), abs=1e-12)
        assert j[t] == pytest.approx(ref_iou(gt[t], pred[t], void[t]), abs=1e-12)
    assert 0 < f[1] < 1


def test_seg2bmap_and_disk_dilate():
    rng = np.random.default_rng(2)
    for _ in range(30):
        m = rng.random((int(rng.integers(1, 40)), int(rng.integers(1, 40)))) < 0.3
        assert np.array_equal(seg2bmap(m), ref_bmap(m))
        for r in (1, 2, 5, 8, 12, 20):
            expected = cv2.dilate(m.astype(np.uint8), disk(r).astype(np.uint8))
            assert np.array_equal(disk_dilate(m, r), expected), r
    assert disk(8).sum() == 197


def test_plane_disk_dilate_matches_cv2_per_frame():
    """Each bit (frame) of a dilated plane is cv2.dilate with the disk."""
    from mmflowrvs.evaluation.functional.plane_dilation import plane_disk_dilate
    rng = np.random.default_rng(5)
    for width in (1, 7, 63, 65, 130):
        for r in (1, 2, 8, 12, 30, 70):
            plane = (rng.random((40, width)) < 0.03) * rng.integers(0, 256, (40, width))
            stride = width + r                          # r zero bytes after each row
            canvas = np.zeros((40, stride), np.uint8)
            canvas[:, :width] = plane
            flat = canvas.reshape(-1)
            out = plane_disk_dilate(flat, stride, r, np.empty_like(flat),
                                    (np.empty_like(flat), np.empty_like(flat)))
            got = out.reshape(40, stride)[:, :width]
            kernel = disk(r).astype(np.uint8)
            for bit in range(8):
                expected = cv2.dilate(((plane >> bit) & 1).astype(np.uint8), kernel)
                assert np.array_equal((got >> bit) & 1, expected), (width, r, bit)


def test_frame_planes_and_lane_counts_match_plain_counts():
    """Packing frames into bit planes and counting per bit = counting each frame."""
    from mmflowrvs.evaluation.functional.bit_planes import lane_counts, pack_frames
    rng = np.random.default_rng(6)
    for pixels in (1, 7, 8, 13, 64, 1001, 4100):       # odd sizes: the uint8 path
        for n in (1, 3, 8):
            frames = rng.random((n, pixels)) < rng.random()
            plane, tmp = np.empty(pixels, np.uint8), np.empty(pixels, np.uint8)
            assert np.array_equal(pack_frames(frames, plane), np.count_nonzero(frames, axis=1))
            for i in range(n):
                assert np.array_equal((plane >> i) & 1, frames[i]), (pixels, n, i)
            assert np.array_equal(lane_counts(plane, n, tmp),
                                  np.count_nonzero(frames, axis=1)), (pixels, n)


def test_large_radius_and_long_videos():
    """Radii beyond a 64-bit word and videos of many 8-frame groups."""
    rng = np.random.default_rng(7)
    gt = _blobs(rng, 150, 160, 2)
    pred = _blobs(rng, 150, 160, 2)
    for th in (64, 70):
        assert db_eval_boundary(gt, pred, bound_th=th) == pytest.approx(
            ref_f(gt, pred, None, th), abs=1e-12)
    gt = np.stack([_blobs(rng, 21, 38, 2) for _ in range(19)])      # 3 groups, 3 left over
    pred = np.stack([_blobs(rng, 21, 38, 2) for _ in range(19)])
    gt[4] = pred[4] = False                                          # an empty frame
    j, f = db_eval_jf(gt, pred, bound_th=3)
    assert np.allclose(j, [ref_iou(g, p) for g, p in zip(gt, pred)], rtol=0, atol=1e-12)
    assert np.allclose(f, [ref_f(g, p, None, 3) for g, p in zip(gt, pred)], rtol=0,
                       atol=1e-12)
    assert j[4] == f[4] == 1.0


def test_shape_errors():
    with pytest.raises(ValueError, match='same shape'):
        db_eval_iou(np.zeros((2, 3)), np.zeros((3, 2)))
    with pytest.raises(ValueError, match='void_pixels'):
        db_eval_boundary(np.zeros((2, 3)), np.zeros((2, 3)), np.zeros((3, 3)))
    with pytest.raises(ValueError, match=r'\(H, W\)'):
        db_eval_iou(np.zeros(3), np.zeros(3))


def test_db_statistics():
    values = np.array([1.0, 1.0, 0.9, 0.8, 0.6, 0.4, 0.2, 0.0])
    mean, recall, decay = db_statistics(values)
    assert mean == pytest.approx(values.mean())
    assert recall == pytest.approx(5 / 8)
    # bins (edges round(linspace(1, 8, 5)) - 1 = 0, 2, 4, 5, 7): [0:3] and [5:8]
    assert decay == pytest.approx(values[0:3].mean() - values[5:8].mean())
    assert np.isnan(db_statistics(np.array([np.nan, np.nan]))[0])


@pytest.mark.parametrize('group', [8, 3, 1])
def test_videos_of_mixed_frames_match_reference(monkeypatch, group):
    """Frames of different crops share one bit plane (or groups of 3 / 1)."""
    from mmflowrvs.evaluation.functional import boundary_match
    monkeypatch.setattr(boundary_match, 'GROUP', group)
    rng = np.random.default_rng(4)
    for h, w in ((37, 53), (9, 70), (64, 12)):
        cases = list(_edge_cases(h, w).values())
        frames = [(g, p) for g, p, _ in cases]
        frames += [(_blobs(rng, h, w, 3), _blobs(rng, h, w, 1)) for _ in range(10)]
        frames += [(rng.random((h, w)) < 0.5, rng.random((h, w)) < 0.1) for _ in range(4)]
        order = rng.permutation(len(frames))
        gt = np.stack([frames[i][0] for i in order])                 # (T, H, W)
        pred = np.stack([frames[i][1] for i in order])
        for th in (0.008, 2, 9):
            f = db_eval_boundary(gt, pred, bound_th=th)
            expected = [ref_f(gt[t], pred[t], None, th) for t in range(len(gt))]
            assert np.allclose(f, expected, rtol=0, atol=1e-12), (h, w, th)
        expected_j = [ref_iou(gt[t], pred[t]) for t in range(len(gt))]
        assert np.allclose(db_eval_iou(gt, pred), expected_j, rtol=0, atol=1e-12)
        j, f = db_eval_jf(gt, pred)
        assert np.allclose(j, expected_j, rtol=0, atol=1e-12)
        assert np.allclose(f, [ref_f(gt[t], pred[t]) for t in range(len(gt))], rtol=0, atol=1e-12)


@pytest.mark.parametrize('tile', [1, 3, 8, 32, 64])
def test_stacked_boundary_windows_match_reference(monkeypatch, tile):
    """F from the stacked windows of boundary tiles (forced on) = the reference."""
    from mmflowrvs.evaluation.functional import boundary_match, boundary_tiles
    monkeypatch.setattr(boundary_match, 'tile_side', lambda radius: tile)
    monkeypatch.setattr(boundary_tiles, 'MAX_SHARE', 1e9)
    used = []
    stack = boundary_tiles.stack_windows
    monkeypatch.setattr(boundary_match, 'stack_windows', lambda *a: used.append(1) or stack(*a))
    rng = np.random.default_rng(8)
    for h, w in ((37, 53), (64, 12), (90, 130)):
        frames = [(g, p) for g, p, _ in _edge_cases(h, w).values()]
        frames += [(_blobs(rng, h, w, 3), _blobs(rng, h, w, 1)) for _ in range(6)]
        gt = np.stack([g for g, _ in frames])                         # (T, H, W)
        pred = np.stack([p for _, p in frames])
        for th in (0.008, 2, 9, 0):
            j, f = db_eval_jf(gt, pred, bound_th=th)
            assert np.allclose(f, [ref_f(g, p, None, th) for g, p in frames], rtol=0,
                               atol=1e-12), (tile, h, w, th)
            assert np.allclose(j, [ref_iou(g, p) for g, p in frames], rtol=0, atol=1e-12)
    assert used
