"""Frames/s of J and F: mmflowrvs vs the straightforward per-frame way.

The reference below is the official davis2017-evaluation approach written out
from metrics.md: per frame, boundary maps on the full frame, ``skimage`` disk
and ``cv2.dilate``. Ours: ``db_eval_iou`` (J column), ``db_eval_boundary``
(F column) and ``db_eval_jf`` (J&F column, both in one pass, as the metrics
use it) on whole videos, single process and with N processes (one video per
task). The script checks that all give the same numbers as the reference.

Example:
    python tools/analysis_tools/benchmark_metrics.py --frames 60 --videos 4 --nproc 2
"""
import argparse
import math
import time
from multiprocessing import get_context
from typing import Callable, List, Tuple

import cv2
import numpy as np
from skimage.morphology import disk

from mmflowrvs.evaluation.functional import db_eval_boundary, db_eval_iou, db_eval_jf


def ref_iou(gt: np.ndarray, pred: np.ndarray) -> float:
    """Per-frame J, the straightforward way."""
    inter = np.sum(gt & pred)
    union = np.sum(gt | pred)
    return 1.0 if union == 0 else inter / union


def _ref_bmap(m: np.ndarray) -> np.ndarray:
    e = np.zeros_like(m)
    s = np.zeros_like(m)
    se = np.zeros_like(m)
    e[:, :-1] = m[:, 1:]
    s[:-1, :] = m[1:, :]
    se[:-1, :-1] = m[1:, 1:]
    b = (m ^ e) | (m ^ s) | (m ^ se)
    b[-1, :] = m[-1, :] ^ e[-1, :]
    b[:, -1] = m[:, -1] ^ s[:, -1]
    b[-1, -1] = 0
    return b


def ref_f(gt: np.ndarray, pred: np.ndarray, bound_th: float = 0.008) -> float:
    """Per-frame F, the official way (full frame, skimage disk, cv2.dilate)."""
    radius = math.ceil(bound_th * math.hypot(*gt.shape))
    b_pred, b_gt = _ref_bmap(pred), _ref_bmap(gt)
    pred_dil = cv2.dilate(b_pred.astype(np.uint8), disk(radius).astype(np.uint8))
    gt_dil = cv2.dilate(b_gt.astype(np.uint8), disk(radius).astype(np.uint8))
    n_pred, n_gt = np.sum(b_pred), np.sum(b_gt)
    if n_pred == 0 and n_gt > 0:
        p, r = 1.0, 0.0
    elif n_pred > 0 and n_gt == 0:
        p, r = 0.0, 1.0
    elif n_pred == 0 and n_gt == 0:
        p, r = 1.0, 1.0
    else:
        p = np.sum(b_pred * gt_dil) / float(n_pred)
        r = np.sum(b_gt * pred_dil) / float(n_gt)
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def make_video(seed: int, frames: int, height: int, width: int,
               scale: float) -> Tuple[np.ndarray, np.ndarray]:
    """A moving two-ellipse object (GT) and an imperfect prediction, (T, H, W)."""
    rng = np.random.default_rng(seed)
    gt = np.zeros((frames, height, width), np.uint8)
    pred = np.zeros_like(gt)
    cx, cy = rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height
    vx, vy = rng.uniform(-2, 2), rng.uniform(-1, 1)
    ax, ay = scale * width / 2, scale * height / 2
    for t in range(frames):
        x, y = int(cx + vx * t), int(cy + vy * t)
        cv2.ellipse(gt[t], (x, y), (int(ax), int(ay)), 10.0, 0, 360, 1, -1)
        cv2.ellipse(gt[t], (x + int(ax * 0.6), y - int(ay * 0.8)),
                    (int(ax / 3), int(ay / 3)), 0.0, 0, 360, 1, -1)
        dx, dy = rng.integers(-6, 7, size=2)
        cv2.ellipse(pred[t], (x + int(dx), y + int(dy)), (int(ax * 1.05), int(ay * 0.95)),
                    12.0, 0, 360, 1, -1)
        if t % 7 == 3:  # a spurious blob now and then
            cv2.circle(pred[t], (int(rng.integers(0, width)), int(rng.integers(0, height))),
                       int(rng.integers(5, 30)), 1, -1)
    return gt.astype(bool), pred.astype(bool)


_VIDEOS: List[Tuple[np.ndarray, np.ndarray]] = []  # shared with forked workers


def _ours(index: int) -> Tuple[np.ndarray, np.ndarray]:
    """J and F of video ``index`` (workers read it from the forked memory)."""
    gt, pred = _VIDEOS[index]
    return db_eval_jf(gt, pred)


def _timed(fn: Callable[[], List], repeat: int = 1) -> Tuple[float, List]:
    """Best wall time of ``repeat`` runs (robust to a busy machine) and the output."""
    best = float('inf')
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def bench(height: int, width: int, args) -> List[Tuple[str, float, float]]:
    """Rows (method, J fps, F fps) for one resolution; checks equal numbers."""
    videos = [make_video(i, args.frames, height, width, args.scale) for i in range(args.videos)]
    _VIDEOS[:] = videos
    n = args.frames * args.videos
    rep = args.repeat
    tj_ref, j_ref = _timed(
        lambda: [[ref_iou(g[t], p[t]) for t in range(len(g))] for g, p in videos], rep)
    tf_ref, f_ref = _timed(
        lambda: [[ref_f(g[t], p[t]) for t in range(len(g))] for g, p in videos], rep)
    tj, j_ours = _timed(lambda: [db_eval_iou(g, p) for g, p in videos], rep)
    tf, f_ours = _timed(lambda: [db_eval_boundary(g, p) for g, p in videos], rep)
    tjf, jf_ours = _timed(lambda: [db_eval_jf(g, p) for g, p in videos], rep)
    with get_context('fork').Pool(args.nproc) as pool:
        pool.map(_ours, range(min(args.nproc, len(videos))))  # warm the workers up
        tjf_par, par = _timed(lambda: pool.map(_ours, range(len(videos)), chunksize=1), rep)
    dj = max(np.abs(np.asarray(a) - b).max() for a, b in zip(j_ref, j_ours))
    df = max(np.abs(np.asarray(a) - b).max() for a, b in zip(f_ref, f_ours))
    dp = max(max(np.abs(a - c).max(), np.abs(b - d).max())
             for (a, b), c, d in zip(par + jf_ours, j_ours * 2, f_ours * 2))
    if max(dj, df, dp) > 1e-12:
        raise AssertionError(f'numbers differ: J {dj}, F {df}, db_eval_jf/parallel {dp}')
    jf_ref = tj_ref + tf_ref
    return [('reference (per frame)', n / tj_ref, n / tf_ref, n / jf_ref, 1.0),
            ('ours, 1 process', n / tj, n / tf, n / tjf, jf_ref / tjf),
            (f'ours, {args.nproc} processes (J+F)', float('nan'), float('nan'),
             n / tjf_par, jf_ref / tjf_par)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--frames', type=int, default=40, help='frames per video')
    parser.add_argument('--videos', type=int, default=4, help='videos per resolution')
    parser.add_argument('--nproc', type=int, default=2, help='processes for the parallel run')
    parser.add_argument('--repeat', type=int, default=3, help='runs per timing (best kept)')
    parser.add_argument('--scale', type=float, default=0.25,
                        help='object size as a fraction of the frame size')
    args = parser.parse_args()
    cv2.setNumThreads(1)
    print(f'{args.videos} videos x {args.frames} frames per resolution, object scale '
          f'{args.scale}, best of {args.repeat} runs, OpenCV single-threaded; '
          f'frames/s (higher is better)')
    header = f'| {"resolution":10} | {"method":30} | {"J fps":>8} | {"F fps":>8} | ' \
             f'{"J&F fps":>8} | {"speed-up":>8} |'
    print(header)
    print('|' + '|'.join('-' * (len(c)) for c in header.split('|')[1:-1]) + '|')
    for height, width in ((480, 854), (720, 1280)):
        for name, j_fps, f_fps, jf_fps, speed in bench(height, width, args):
            cells = [f'{v:8.0f}' if v == v else f'{"-":>8}' for v in (j_fps, f_fps, jf_fps)]
            print(f'| {height}x{width:<6} | {name:30} | ' + ' | '.join(cells)
                  + f' | {speed:7.1f}x |')
    print('numbers identical to the reference (max abs difference <= 1e-12)')


if __name__ == '__main__':
    main()
