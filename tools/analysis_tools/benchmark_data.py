"""Throughput of the 17-frame training pipeline on a 1280x720 synthetic set.

Usage::

    python tools/analysis_tools/benchmark_data.py [--workers 0 1 2] [--clips 24]
        [--size 720x1280] [--num-videos 6] [--keep DIR] [--backend {pil,cv2}]

First times one frame resize (bilinear, the size the test pipelines give: 720x1280 ->
464x832) with each resize backend, side by side. Then generates MeViS-like frames
(1280x720 JPEG) with ``make_synthetic_rvos`` in a temporary folder, builds
``MeViSDataset`` with the reference training pipeline (anchor + 2 local + 14 global
frames -> reference resize/crop to 480x832 with ``--backend`` -> flip -> pack) and prints
clips/s for each number of dataloader workers, plus the dataset's memory per worker.
"""
import argparse
import os.path as osp
import pickle
import tempfile
import time

import numpy as np
import torch
from mmengine.dataset import pseudo_collate

from mmflowrvs.datasets import MeViSDataset
from mmflowrvs.datasets.synthetic_rvos import make_synthetic_rvos
from mmflowrvs.datasets.transforms import InferenceResize
from mmflowrvs.datasets.transforms.resize_backends import BACKENDS, resize_frames
from mmflowrvs.utils import register_all_modules

PIPELINE = [
    dict(type='ReferenceSampleFrames', num_frames=17),
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),
    dict(type='ReferenceTrainResize', short_sizes=[480], max_size=832),
    dict(type='RVOSRandomFlip'),
    dict(type='PackRVOSInputs'),
]


def resize_speed(hw, repeats: int = 30) -> None:
    """Prints ms per frame of the bilinear resize to the test size, per backend."""
    out = InferenceResize().out_size(hw)
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (*hw, 3), dtype=np.uint8) for _ in range(4)]
    print(f'| resize {hw[1]}x{hw[0]} -> {out[1]}x{out[0]} (bilinear) | ms per frame |')
    print('|---|---|')
    times = {b: [] for b in BACKENDS}
    for _ in range(repeats):  # interleaved, so both see the same machine load
        for backend in BACKENDS:
            start = time.perf_counter()
            resize_frames(frames, out, 'bilinear', backend)
            times[backend].append((time.perf_counter() - start) / len(frames))
    for backend in BACKENDS:
        print(f'| {backend} | {1000 * float(np.median(times[backend])):.2f} |')


def measure(dataset: MeViSDataset, workers: int, clips: int) -> float:
    """Clips per second over ``clips`` clips after one warm-up batch per worker."""
    loader = torch.utils.data.DataLoader(
        dataset, batch_size=1, shuffle=True, num_workers=workers, collate_fn=pseudo_collate,
        persistent_workers=False)
    it = iter(loader)
    for _ in range(max(1, workers)):
        next(it)
    start, n = time.perf_counter(), 0
    for _ in range(clips):
        batch = next(it)
        assert batch['inputs'][0].shape[0] == 17
        n += 1
    return n / (time.perf_counter() - start)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--workers', type=int, nargs='+', default=[0, 1, 2])
    p.add_argument('--clips', type=int, default=24)
    p.add_argument('--size', default='720x1280', help='frame HxW')
    p.add_argument('--num-videos', type=int, default=6)
    p.add_argument('--flat', action='store_true',
                   help='flat-colour frames (default: textured, natural-JPEG-like)')
    p.add_argument('--keep', default=None, help='generate here instead of a temp dir')
    p.add_argument('--backend', choices=BACKENDS, default='pil',
                   help="the training resize's backend (FlowRVS configs: pil)")
    args = p.parse_args()
    register_all_modules()
    h, w = (int(v) for v in args.size.split('x'))
    resize_speed((h, w))
    pipeline = [dict(t, backend=args.backend) if t['type'] == 'ReferenceTrainResize' else t
                for t in PIPELINE]
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or tmp
        start = time.time()
        make_synthetic_rvos(root, seed=0, num_train=args.num_videos, num_valid=0,
                            size=(h, w), frames=(34, 60), texture=not args.flat)
        jpg = osp.join(root, 'train', 'JPEGImages', 'train_0000', '00000.jpg')
        print(f'generated {args.num_videos} videos at {w}x{h} in {time.time() - start:.1f}s '
              f'({osp.getsize(jpg) / 1024:.0f} KiB per JPEG)')
        dataset = MeViSDataset(data_root=root, split='train', anchor_stride=17,
                               pipeline=pipeline)
        shape = dataset[0]['inputs'].shape
        print(f'{len(dataset)} items; clip (T, 3, H, W) = {tuple(shape)}')
        print(f'dataset memory: {dataset.store_nbytes() / 1024:.1f} KiB serialised '
              '(shared copy-on-write by forked workers); '
              f'{len(pickle.dumps(dataset)) / 1024:.1f} KiB pickled (per spawned worker)')
        print('| workers | clips/s | clips/s per worker |')
        print('|---|---|---|')
        for nw in args.workers:
            cps = measure(dataset, nw, args.clips)
            print(f'| {nw} | {cps:.2f} | {cps / max(1, nw):.2f} |')


if __name__ == '__main__':
    main()
