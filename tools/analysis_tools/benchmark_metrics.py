"""J and F speed: mmflowrvs vs the straightforward per-frame way, per object size.

The reference (``mmflowrvs.testing.reference_measures``) is the official
davis2017-evaluation approach written out from metrics.md: per frame, J with
numpy sums and F with boundary maps on the full frame, ``skimage`` disk and
``cv2.dilate``. Ours is ``db_eval_jf`` (J and
F of a whole video in one pass, as the metrics use it). Both run on one core
(OpenCV, BLAS and OpenMP threads set to 1 before numpy is imported), side by
side on the same videos: an object of every size from a few pixels to the
whole frame (a moving ellipse and an imperfect prediction of it, with a
spurious blob now and then) and empty frames, at 480x854 and 720x1280.

The machine may be shared, so each row runs the reference and ours in turn,
``--repeats`` times, and reports the medians: of the process CPU time (what
one core spends, whatever else runs) and, for the wall-clock speed-up, of the
elapsed time. The table gives CPU milliseconds per frame of each, both
speed-ups and the largest |difference| of J and F (must be <= 1e-12, else it
stops).

Example:
    python tools/analysis_tools/benchmark_metrics.py --frames 40 --repeats 5
    python tools/analysis_tools/benchmark_metrics.py --profile 1/2   # where ours spends
"""
import os

for _var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
    os.environ.setdefault(_var, '1')

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
from typing import Callable, List, Tuple  # noqa: E402

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from mmflowrvs.evaluation.functional import db_eval_jf  # noqa: E402
from mmflowrvs.testing.reference_measures import ref_f, ref_iou  # noqa: E402

# (label, area of the ellipse as a fraction of the frame); None: empty frames,
# 'full': GT = the whole frame, the prediction misses a moving corner
SIZES = (('empty frames', None), ('a few pixels', 1e-5), ('1/1000', 1e-3),
         ('1/64', 1 / 64), ('1/8', 1 / 8), ('1/2', 1 / 2), ('most (ellipse > frame)', 1.2),
         ('whole frame', 'full'))


def make_video(seed: int, frames: int, height: int, width: int,
               area) -> Tuple[np.ndarray, np.ndarray]:
    """GT and an imperfect prediction, bool (T, H, W), of one object size."""
    rng = np.random.default_rng(seed)
    gt = np.zeros((frames, height, width), np.uint8)
    pred = np.zeros_like(gt)
    if area is None:
        return gt.astype(bool), pred.astype(bool)
    if area == 'full':
        gt[:] = 1
        pred[:] = 1
        for t in range(frames):      # the prediction misses a moving corner
            pred[t, :20 + t % 30, :40 + 2 * t % 60] = 0
        return gt.astype(bool), pred.astype(bool)
    scale = math.sqrt(4 * area / math.pi)    # ellipse semi-axes as fractions of W/2, H/2
    ax, ay = max(scale * width / 2, 1.0), max(scale * height / 2, 1.0)
    cx, cy = rng.uniform(0.4, 0.6) * width, rng.uniform(0.4, 0.6) * height
    vx, vy = rng.uniform(-2, 2), rng.uniform(-1, 1)
    jitter = max(1, min(6, int(ax / 4)))
    for t in range(frames):
        x, y = int(cx + vx * t), int(cy + vy * t)
        cv2.ellipse(gt[t], (x, y), (int(ax), int(ay)), 10.0, 0, 360, 1, -1)
        dx, dy = rng.integers(-jitter, jitter + 1, size=2)
        cv2.ellipse(pred[t], (x + int(dx), y + int(dy)), (int(ax * 1.05), int(ay * 0.95)),
                    12.0, 0, 360, 1, -1)
        if t % 7 == 3:               # a spurious blob now and then
            cv2.circle(pred[t], (int(rng.integers(0, width)), int(rng.integers(0, height))),
                       int(rng.integers(3, 20)), 1, -1)
    return gt.astype(bool), pred.astype(bool)


def _timed(fn: Callable[[], object]) -> Tuple[float, float, object]:
    """(CPU seconds, wall seconds, result) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    out = fn()
    return time.process_time() - cpu, time.perf_counter() - wall, out


def measure(height: int, width: int, frames: int, repeats: int) -> List[dict]:
    """One dict per object size: label, cover (GT fraction), CPU and wall
    seconds of the reference and ours (medians of ``repeats`` alternating
    runs) and the largest |difference| of J and F."""
    rows = []
    for index, (label, area) in enumerate(SIZES):
        gt, pred = make_video(index, frames, height, width, area)
        times = {'ref': [], 'ours': []}
        diff = 0.0
        for _ in range(repeats):
            cpu, wall, (j_ref, f_ref) = _timed(lambda: (
                np.array([ref_iou(g, p) for g, p in zip(gt, pred)]),
                np.array([ref_f(g, p) for g, p in zip(gt, pred)])))
            times['ref'].append((cpu, wall))
            cpu, wall, (j, f) = _timed(lambda: db_eval_jf(gt, pred))
            times['ours'].append((cpu, wall))
            diff = max(diff, np.abs(j - j_ref).max(), np.abs(f - f_ref).max())
            if diff > 1e-12:
                raise AssertionError(f'{label} at {height}x{width}: numbers differ by {diff}')
        (cpu_ref, wall_ref), (cpu_ours, wall_ours) = (np.median(times[k], axis=0)
                                                      for k in ('ref', 'ours'))
        rows.append(dict(label=label, cover=gt.mean(), cpu_ref=cpu_ref, cpu_ours=cpu_ours,
                         wall_ref=wall_ref, wall_ours=wall_ours, diff=diff))
    return rows


def bench(height: int, width: int, frames: int,
          repeats: int = 1) -> List[Tuple[str, float, float, float, float]]:
    """Rows (size, covered fraction, ref CPU ms/frame, ours CPU ms/frame, max |diff|)."""
    return [(row['label'], row['cover'], row['cpu_ref'] / frames * 1e3,
             row['cpu_ours'] / frames * 1e3, row['diff'])
            for row in measure(height, width, frames, repeats)]


# the engine's stage functions, as boundary_match calls them
STAGES = ('pack_frames', '_crop_box', '_intersections', '_canvas', '_boundary_plane',
          'occupied_tiles', 'stack_windows', 'plane_disk_dilate', 'sparse_lane_counts')


def profile(label: str, frames: int, repeats: int) -> None:
    """Prints the CPU time of each stage of ``db_eval_jf`` on one object size.

    Each stage function of the engine is wrapped (while this runs) to add up
    its exclusive CPU time (nested stages subtracted); medians over
    ``repeats`` calls, in microseconds per frame, at 480x854 and 720x1280.
    """
    from mmflowrvs.evaluation.functional import boundary_match
    spent, stack = {}, []

    def wrap(name: str, fn: Callable) -> Callable:
        def timed(*args, **kwargs):
            stack.append(0.0)
            start = time.process_time()
            out = fn(*args, **kwargs)
            took = time.process_time() - start
            inner = stack.pop()
            spent[name] = spent.get(name, 0.0) + took - inner
            if stack:
                stack[-1] += took
            return out
        return timed

    originals = {name: getattr(boundary_match, name) for name in STAGES}
    for name, fn in originals.items():
        setattr(boundary_match, name, wrap(name, fn))
    index = [name for name, _ in SIZES].index(label)
    try:
        for height, width in ((480, 854), (720, 1280)):
            gt, pred = make_video(index, frames, height, width, SIZES[index][1])
            db_eval_jf(gt, pred)                                   # warm-up
            runs = []
            for _ in range(repeats):
                spent.clear()
                cpu, _, _ = _timed(lambda: db_eval_jf(gt, pred))
                runs.append({'total': cpu, **spent})
            per_frame = {name: np.median([run.get(name, 0.0) for run in runs]) / frames * 1e6
                         for name in ('total', ) + STAGES}
            print(f'{height}x{width} {label}: CPU us per frame, medians of {repeats} runs: ' +
                  ', '.join(f'{name} {value:.0f}' for name, value in per_frame.items()))
    finally:
        for name, fn in originals.items():
            setattr(boundary_match, name, fn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--frames', type=int, default=40, help='frames per video')
    parser.add_argument('--repeats', type=int, default=5,
                        help='alternating runs of the reference and ours per row (medians)')
    parser.add_argument('--profile', choices=[label for label, _ in SIZES],
                        help='instead: CPU time of each stage of ours on this size')
    args = parser.parse_args()
    cv2.setNumThreads(1)
    if args.profile:
        profile(args.profile, args.frames, args.repeats)
        return
    print(f'{args.frames} frames per size and resolution, one core, medians of '
          f'{args.repeats} alternating runs; J and F together (CPU ms per frame, lower is '
          f'better); load average at start {os.getloadavg()[0]:.1f}')
    header = (f'| {"resolution":10} | {"object size":22} | {"GT cover":>8} | '
              f'{"reference ms":>12} | {"ours ms":>8} | {"speed-up":>8} | '
              f'{"wall speed-up":>13} | {"max abs diff":>12} |')
    print(header)
    print('|' + '|'.join('-' * len(c) for c in header.split('|')[1:-1]) + '|')
    for height, width in ((480, 854), (720, 1280)):
        for row in measure(height, width, args.frames, args.repeats):
            ms_ref, ms_ours = (row[k] / args.frames * 1e3 for k in ('cpu_ref', 'cpu_ours'))
            print(f'| {height}x{width:<6} | {row["label"]:22} | {row["cover"]:8.4f} | '
                  f'{ms_ref:12.3f} | {ms_ours:8.3f} | {ms_ref / ms_ours:7.1f}x | '
                  f'{row["wall_ref"] / row["wall_ours"]:12.1f}x | {row["diff"]:12.1e} |',
                  flush=True)
    print(f'numbers identical to the reference (max |difference| <= 1e-12); load average '
          f'at end {os.getloadavg()[0]:.1f}')


if __name__ == '__main__':
    main()
