"""Which frames of the video form the clip: the reference 17-frame sampler and simple ones."""
import random
from typing import List, Optional

import numpy as np
from pycocotools import mask as mask_utils

from mmflowrvs.registry import TRANSFORMS

from ..data_errors import RVOSDataError, describe
from .base import RVOSTransform


def _rle_nonempty(rle: Optional[dict]) -> bool:
    if rle is None:
        return False
    counts = rle['counts']
    if isinstance(counts, list):
        return sum(counts[1::2]) > 0
    if isinstance(counts, str):
        rle = dict(size=rle['size'], counts=counts.encode('ascii'))
    return int(mask_utils.area(rle)) > 0


def target_present(results: dict, inds: List[int]) -> bool:
    """Whether the target appears in at least one of the frames ``inds``.

    Uses the per-object frame lists (Ref-YTVOS ``meta.json``) or the RLE areas
    (MeViS), without decoding masks. Unknown (no GT) and no-target
    expressions count as present: there is nothing to resample for.
    """
    if results.get('no_target') or results.get('mask_type') is None:
        return True
    if 'target_frame_ids' in results:
        present = results['target_frame_ids']
        return any(results['frame_ids'][i] in present for i in inds)
    if results.get('mask_type') == 'rle':
        return any(_rle_nonempty(r[i]) for r in results['mask_rles'] for i in set(inds))
    return True


def _short_video(results: dict, n: int, clip_len: int) -> RVOSDataError:
    return RVOSDataError(f"{describe(results)}: video has {n} frames "
                         f"({results.get('frame_dir', '?')}), shorter than the "
                         f'{clip_len}-frame clip')


@TRANSFORMS.register_module()
class ReferenceSampleFrames(RVOSTransform):
    """The reference training clip (docs/datasets.md, "Training clips and resizing").

    Anchor frame (``results['anchor']`` when the dataset expands anchors every
    ``num_frames`` frames, else a random one of ``0, num_frames, ...``) + 2 local
    frames at anchor -/+ U{1..local_max} (clamped to the video) + random global
    frames outside the local span (filled with random repeats if too few),
    sorted. If the target is absent from every frame the clip is redrawn, up to
    ``max_tries`` times; then the sample is dropped (``None``: the dataset
    fetches another, as the reference picks another item). The clip is reversed
    with probability ``reverse_prob`` (Ref-YTVOS: 0.3).

    Args:
        num_frames (int): Clip length T. Defaults to 17.
        local_max (int): Largest local offset. Defaults to 3.
        reverse_prob (float): Defaults to 0.
        max_tries (int): Defaults to 10.
        short_video (str): Videos with fewer than ``num_frames`` frames:
            ``'error'`` (raise, naming the video/expression; the training
            dataset skips it with a warning) or ``'repeat'`` (sample with
            repeats). Defaults to ``'error'``.

    Added keys: ``frame_inds`` (list[int], clip order), ``reversed`` (bool).
    """

    def __init__(self, num_frames: int = 17, local_max: int = 3, reverse_prob: float = 0.0,
                 max_tries: int = 10, short_video: str = 'error') -> None:
        assert short_video in ('error', 'repeat')
        self.num_frames = num_frames
        self.local_max = local_max
        self.reverse_prob = reverse_prob
        self.max_tries = max_tries
        self.short_video = short_video

    def draw(self, n: int, anchor: int) -> List[int]:
        """One clip of ``num_frames`` sorted indices into a video of ``n`` frames."""
        before = max(0, anchor - random.randint(1, self.local_max))
        after = min(n - 1, anchor + random.randint(1, self.local_max))
        inds = [anchor, before, after][:self.num_frames]
        need = self.num_frames - len(inds)
        if need > 0:
            outside = list(range(0, before)) + list(range(after + 1, n))
            if len(outside) >= need:
                inds += random.sample(outside, need)
            else:
                inds += outside
                inds += [random.randrange(n) for _ in range(self.num_frames - len(inds))]
        return sorted(inds)

    def transform(self, results: dict) -> Optional[dict]:
        n = len(results['frame_ids'])
        if n < self.num_frames and self.short_video == 'error':
            raise _short_video(results, n, self.num_frames)
        fixed = results.get('anchor')
        for _ in range(self.max_tries):
            anchor = fixed if fixed is not None else random.choice(
                range(0, n, self.num_frames))
            inds = self.draw(n, min(anchor, n - 1))
            if target_present(results, inds):
                break
        else:
            return None
        reverse = random.random() < self.reverse_prob
        results['frame_inds'] = inds[::-1] if reverse else inds
        results['reversed'] = reverse
        return results


@TRANSFORMS.register_module()
class UniformSampleFrames(RVOSTransform):
    """All frames (test: the whole video as one clip) or a uniform/consecutive clip.

    Args:
        num_frames (int, optional): Clip length; ``None`` = every listed frame
            in order (the reference inference). Defaults to None.
        mode (str): ``'uniform'`` (T frames spread over the video: random
            within equal segments, or segment centres with ``test_mode``) or
            ``'consecutive'`` (a run of T frames, random start; first T with
            ``test_mode``).
        test_mode (bool): Deterministic choice. Defaults to False.
        short_video (str): ``'error'`` or ``'repeat'`` when the video is shorter
            than ``num_frames``. Defaults to ``'error'``.

    Added keys: ``frame_inds`` (list[int]).
    """

    def __init__(self, num_frames: Optional[int] = None, mode: str = 'uniform',
                 test_mode: bool = False, short_video: str = 'error') -> None:
        assert mode in ('uniform', 'consecutive') and short_video in ('error', 'repeat')
        self.num_frames = num_frames
        self.mode = mode
        self.test_mode = test_mode
        self.short_video = short_video

    def transform(self, results: dict) -> dict:
        n = len(results['frame_ids'])
        if n == 0:
            raise RVOSDataError(f'{describe(results)}: the video lists no frames')
        t = self.num_frames
        if t is None:
            results['frame_inds'] = list(range(n))
            return results
        if n < t:
            if self.short_video == 'error':
                raise _short_video(results, n, t)
            results['frame_inds'] = np.linspace(0, n - 1, t).round().astype(int).tolist()
            return results
        if self.mode == 'consecutive':
            start = 0 if self.test_mode else random.randint(0, n - t)
            inds = list(range(start, start + t))
        else:
            edges = np.linspace(0, n, t + 1)
            if self.test_mode:
                inds = ((edges[:-1] + edges[1:]) / 2).astype(int).tolist()
            else:
                inds = [random.randint(int(a), max(int(a), int(np.ceil(b)) - 1))
                        for a, b in zip(edges[:-1], edges[1:])]
        results['frame_inds'] = [min(i, n - 1) for i in inds]
        return results
