"""tools/analysis_tools/benchmark_metrics.py on tiny videos: every size row, same numbers."""
import importlib.util
import os.path as osp

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _load():
    path = osp.join(ROOT, 'tools', 'analysis_tools', 'benchmark_metrics.py')
    spec = importlib.util.spec_from_file_location('benchmark_metrics', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_rows_cover_every_size_with_equal_numbers():
    bench = _load()
    rows = bench.bench(30, 52, 9)
    assert [row[0] for row in rows] == [label for label, _ in bench.SIZES]
    covers = {label: cover for label, cover, *_ in rows}
    assert covers['empty frames'] == 0 and covers['whole frame'] == 1
    assert 0.3 < covers['1/2'] < 0.7 and covers['most (ellipse > frame)'] > 0.8
    for _, _, ms_ref, ms_ours, diff in rows:
        assert ms_ref > 0 and ms_ours > 0 and diff <= 1e-12


def test_make_video_prediction_is_imperfect():
    bench = _load()
    gt, pred = bench.make_video(0, 8, 48, 80, 1 / 8)
    assert gt.shape == pred.shape == (8, 48, 80) and gt.dtype == bool
    assert gt.any() and not np.array_equal(gt, pred)
