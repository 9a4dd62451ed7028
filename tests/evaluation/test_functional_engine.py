"""The J/F engine's pixel counts against per-frame counts from the reference definitions.

Counts are compared exactly (stricter than J and F): the stacked boundary
windows forced on and off, tiny to odd sizes, objects at every border, radii
from 0 to larger than the frame, videos of many 8-frame groups.
"""
import cv2
import numpy as np
import pytest
from skimage.morphology import disk

from mmflowrvs.evaluation.functional import boundary_match, boundary_tiles
from mmflowrvs.evaluation.functional.bit_planes import lane_counts, pack_frames, sparse_lane_counts
from mmflowrvs.testing.reference_measures import ref_bmap


def _ref_counts(gt: np.ndarray, pred: np.ndarray, radius: int) -> np.ndarray:
    """(7,) counts of one frame, straight from the definitions."""
    b_gt, b_pred = ref_bmap(gt), ref_bmap(pred)
    kernel = disk(radius).astype(np.uint8)
    dil_gt = cv2.dilate(b_gt.astype(np.uint8), kernel).astype(bool)
    dil_pred = cv2.dilate(b_pred.astype(np.uint8), kernel).astype(bool)
    return np.array([gt.sum(), pred.sum(), (gt & pred).sum(), b_gt.sum(), b_pred.sum(),
                     (b_gt & dil_pred).sum(), (b_pred & dil_gt).sum()])


def _video(rng, t, h, w, kind):
    """bool (t, h, w) masks: blobs, noise, border bars, or near-full frames."""
    out = np.zeros((t, h, w), np.uint8)
    for frame in out:
        if kind == 'noise':
            frame[:] = rng.random((h, w)) < rng.random()
            continue
        if kind == 'full':
            frame[:] = 1
        for _ in range(int(rng.integers(0, 4))):
            center = (int(rng.integers(-3, w + 3)), int(rng.integers(-3, h + 3)))
            axes = (int(rng.integers(0, w // 2 + 3)), int(rng.integers(0, h // 2 + 3)))
            cv2.ellipse(frame, center, axes, float(rng.uniform(0, 180)), 0, 360,
                        0 if kind == 'full' else 1, -1)
        if kind == 'border':
            side = int(rng.integers(4))
            width = int(rng.integers(1, 4))
            bar = [np.s_[:width], np.s_[-width:], np.s_[:, :width], np.s_[:, -width:]][side]
            frame[bar] = 1
    return out.astype(bool)


def _check_video(gt, pred, radius):
    counts = boundary_match.video_counts(gt, pred, radius)
    expected = np.stack([_ref_counts(g, p, radius) for g, p in zip(gt, pred)], axis=1)
    assert np.array_equal(counts, expected), (gt.shape, radius, counts, expected)


@pytest.mark.parametrize('share', [0.0, 1e9])
def test_counts_match_definitions(monkeypatch, share):
    """Random videos, stacked windows never / always (random tile sides)."""
    monkeypatch.setattr(boundary_tiles, 'MAX_SHARE', share)
    rng = np.random.default_rng(11)
    for it in range(40):
        tile = int(rng.integers(1, 40))
        monkeypatch.setattr(boundary_match, 'tile_side', lambda radius: tile)
        t, h, w = int(rng.integers(1, 20)), int(rng.integers(1, 60)), int(rng.integers(1, 60))
        kind = ['blobs', 'noise', 'border', 'full'][it % 4]
        gt, pred = _video(rng, t, h, w, kind), _video(rng, t, h, w, kind)
        radius = int(rng.choice([0, 1, 2, 3, 8, 13, 70]))
        _check_video(gt, pred, radius)


def test_counts_at_davis_size_with_default_tiles(monkeypatch):
    """A large moving object at 480x854, r = 8: the stacked windows are used."""
    gt = np.zeros((9, 480, 854), np.uint8)
    pred = np.zeros_like(gt)
    for t in range(9):
        cv2.ellipse(gt[t], (420 + 3 * t, 240), (330, 200), 10.0, 0, 360, 1, -1)
        cv2.ellipse(pred[t], (424 + 3 * t, 238), (340, 190), 12.0, 0, 360, 1, -1)
    gt[8] = 1                                  # a whole frame in a group of one
    used = []
    stack = boundary_tiles.stack_windows
    monkeypatch.setattr(boundary_match, 'stack_windows',
                        lambda *a: used.append(stack(*a)) or used[-1])
    _check_video(gt.astype(bool), pred.astype(bool), 8)
    assert any(out is not None for out in used)


def test_empty_groups_between_objects():
    """Groups of 8 frames with nothing, then objects, then nothing; a last short group."""
    rng = np.random.default_rng(12)
    gt = np.zeros((27, 33, 41), bool)
    pred = np.zeros_like(gt)
    gt[9:14] = _video(rng, 5, 33, 41, 'blobs')
    pred[11:17] = _video(rng, 6, 33, 41, 'border')
    gt[26] = True
    for radius in (0, 2, 5):
        _check_video(gt, pred, radius)
    assert np.array_equal(boundary_match.video_counts(gt, pred)[:, :8], np.zeros((3, 8)))


def test_pack_and_lane_counts():
    """Both packing paths, every group size; dense, histogram and sparse lane counts."""
    rng = np.random.default_rng(13)
    for pixels in (1, 5, 8, 24, 4096, 4100, 9000):
        for n in range(1, 9):
            frames = rng.random((n, pixels)) < rng.random()
            plane = np.empty(pixels, np.uint8)
            assert np.array_equal(pack_frames(frames, plane), frames.sum(axis=1))
            assert np.array_equal(((plane[None] >> np.arange(n)[:, None]) & 1).astype(bool),
                                  frames)
            assert np.array_equal(lane_counts(plane, n), frames.sum(axis=1))
    for length in (8, 4096, 40000):
        targets = (rng.integers(0, 256, length) * (rng.random(length) < 0.05)).astype(np.uint8)
        cover = rng.integers(0, 256, length).astype(np.uint8)
        bits = np.arange(8)[:, None]
        counts, matches = sparse_lane_counts(targets, 8, cover)
        assert np.array_equal(counts, ((targets[None] >> bits) & 1).sum(axis=1))
        assert np.array_equal(matches, (((targets & cover)[None] >> bits) & 1).sum(axis=1))
        assert sparse_lane_counts(targets, 3)[1] is None
