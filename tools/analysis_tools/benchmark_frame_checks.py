"""Cost of the input checks: truncated-JPEG check and RLE run-length check, side by side.

Usage: python tools/analysis_tools/benchmark_frame_checks.py [--repeats 50]

Prints ms per call of plain ``cv2.imread`` vs ``read_rgb_frame`` (EOI check) on a
720x1280 JPEG, and of ``pycocotools.mask.decode`` vs ``decode_rle`` (run lengths
summed first) on a 720x1280 object mask, measured alternately in one run.
"""
import argparse
import os
import tempfile
import time

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from mmflowrvs.datasets.transforms.frame_file import read_rgb_frame
from mmflowrvs.datasets.transforms.rle_decoding import decode_rle


def _time(fn, repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=50)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:720, :1280]
    img = np.stack([(xx // 5 + yy // 7) % 256, (xx * yy // 97) % 256,
                    rng.integers(0, 40, (720, 1280))], -1).astype(np.uint8)
    mask = ((yy - 400) ** 2 + (xx - 600) ** 2 < 200 ** 2) | ((yy > 50) & (yy < 300)
                                                           & (xx > 900) & (xx < 1200))
    rle = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    rle_str = dict(size=rle['size'], counts=rle['counts'].decode('ascii'))
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'frame.jpg')
        cv2.imwrite(path, img, [cv2.IMWRITE_JPEG_QUALITY, 90])
        for flag, name in ((cv2.IMREAD_COLOR, 'full'), (cv2.IMREAD_REDUCED_COLOR_4, '1/4')):
            base, checked = [], []
            for _ in range(3):  # alternate, so load changes hit both alike
                base.append(_time(lambda: cv2.cvtColor(cv2.imread(path, flag),
                                                       cv2.COLOR_BGR2RGB), args.repeats))
                checked.append(_time(lambda: read_rgb_frame(path, flag), args.repeats))
            rows.append((f'JPEG 720x1280 decode ({name})', min(base), min(checked)))
    base, checked = [], []
    for _ in range(3):
        base.append(_time(lambda: mask_utils.decode(rle), args.repeats))
        checked.append(_time(lambda: decode_rle(rle_str), args.repeats))
    rows.append((f"RLE 720x1280 ({len(rle['counts'])} chars)", min(base), min(checked)))
    print(f"| {'what':<34} | unchecked ms | checked ms | ratio |")
    print(f"|{'-' * 36}|--------------|------------|-------|")
    for name, a, b in rows:
        print(f'| {name:<34} | {a:12.3f} | {b:10.3f} | {b / a:5.2f} |')


if __name__ == '__main__':
    main()
