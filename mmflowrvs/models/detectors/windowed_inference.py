"""Windows over a long video at test time: where they start and how their logits blend.

A video of T frames longer than the window W (``model.test_cfg.window =
dict(frames=W, overlap=O)``, W = 4k + 1 so that a window is a whole number of VAE
latent frames) is cut into windows of exactly W frames starting at 0, S, 2S, ...
with the stride S = W - O, the last one moved back to end at frame T (so it may
overlap its neighbour by more than O frames). Each window is encoded, sampled and
decoded on its own, and the mask logits of overlapping frames are blended with
linear ramps (a cross-fade):

* a window that shares its first L frames with the previous window weighs its
  i-th frame (i = 0..L-1) by (i + 1) / (L + 1); one that shares its last R frames
  with the next weighs its i-th frame from the end (i = 0..R-1) by
  (i + 1) / (R + 1); other frames weigh 1 (the minimum of both ramps where they
  meet);
* the blended logit of a frame is sum_k w_k l_k / sum_k w_k over the windows k
  that contain it. Where two windows overlap the weights are (L - j) / (L + 1)
  and (j + 1) / (L + 1) at the j-th shared frame: they sum to 1 and the earlier
  window fades out as the later fades in.

Frames are blended at the model's working size, before the bilinear resize to the
original frames (the resize is linear, so the order does not change the result
beyond rounding). :class:`WindowBlender` keeps only the frames that a later window
still reaches, so the memory it needs does not grow with the video's length.
"""
from typing import Iterator, List, Optional, Tuple

import torch

WINDOW_OPTION = 'model.test_cfg.window'


def check_window(window: Optional[dict], option: str = WINDOW_OPTION,
                 temporal_ratio: int = 4,
                 names: Optional[Tuple[str, str]] = None) -> Optional[Tuple[int, int]]:
    """Validates a window setting; returns (frames, overlap) or None (one clip).

    Args:
        window (dict, optional): ``dict(frames=W, overlap=O)``; None: no windows.
        option (str): The option's name, for the error messages.
        temporal_ratio (int): The VAE's temporal compression (W = 1 mod it).
        names (tuple[str, str], optional): How the messages name W and O
            (default ``<option>.frames``, ``<option>.overlap``; a command line
            passes its flags, e.g. ``('--window', '--overlap')``).

    Raises:
        ValueError: W not of the form 4k + 1 (k >= 1), O < 0, O >= W, unknown keys.
    """
    if window is None:
        return None
    if not isinstance(window, dict):
        raise ValueError(f'{option} must be None or dict(frames=W, overlap=O), got {window!r}')
    unknown = set(window) - {'frames', 'overlap'}
    if unknown or 'frames' not in window:
        raise ValueError(f'{option} must be dict(frames=W, overlap=O), got {dict(window)!r}')
    w_name, o_name = names or (f'{option}.frames', f'{option}.overlap')
    frames, overlap = window['frames'], window.get('overlap', 0)
    if not isinstance(frames, int) or frames < 1 + temporal_ratio \
            or (frames - 1) % temporal_ratio:
        raise ValueError(f'{w_name} must be of the form {temporal_ratio}k + 1 '
                         f'(k >= 1: 5, 9, 13, ...), got {frames!r}')
    if not isinstance(overlap, int) or overlap < 0:
        raise ValueError(f'{o_name} must be an integer >= 0, got {overlap!r}')
    if overlap >= frames:
        raise ValueError(f'{o_name} must be smaller than {w_name} ({frames}), got {overlap}')
    return frames, overlap


def window_spans(num_frames: int, frames: int, overlap: int) -> List[Tuple[int, int]]:
    """The windows' [start, end) frame spans; one span [0, T) when T <= W."""
    if num_frames <= frames:
        return [(0, num_frames)]
    stride = frames - overlap
    starts = list(range(0, num_frames - frames, stride)) + [num_frames - frames]
    return [(s, s + frames) for s in starts]


def ramp_weights(spans: List[Tuple[int, int]], k: int) -> torch.Tensor:
    """(W,) blending weights of window ``k`` (module docstring)."""
    start, end = spans[k]
    length = end - start
    i = torch.arange(length, dtype=torch.float32)
    w = torch.ones(length)
    if k > 0:
        left = spans[k - 1][1] - start
        w = torch.minimum(w, (i + 1) / (left + 1))
    if k + 1 < len(spans):
        right = end - spans[k + 1][0]
        w = torch.minimum(w, (length - i) / (right + 1))
    return w


class WindowBlender:
    """Blends the logits of consecutive windows and hands back finished frames.

    Args:
        spans (list[tuple[int, int]]): From :func:`window_spans`.
    """

    def __init__(self, spans: List[Tuple[int, int]]) -> None:
        self.spans = spans
        self._start = 0
        self._num: Optional[torch.Tensor] = None  # (B, 1, n, h, w) weighted sums
        self._den: Optional[torch.Tensor] = None  # (n,) weight sums

    def add(self, k: int, logits: torch.Tensor) -> Iterator[Tuple[int, torch.Tensor]]:
        """Adds window ``k``'s logits (B, 1, W, h, w); yields (first frame, logits
        (B, 1, n, h, w)) of the frames no later window reaches."""
        start, end = self.spans[k]
        w = ramp_weights(self.spans, k).to(logits.device)
        if self._num is None:
            self._num = logits.new_zeros((*logits.shape[:2], 0, *logits.shape[3:]))
            self._den = logits.new_zeros(0)
            self._start = start
        grow = end - self._start - self._num.shape[2]
        if grow > 0:
            self._num = torch.cat(
                [self._num, logits.new_zeros((*logits.shape[:2], grow, *logits.shape[3:]))], 2)
            self._den = torch.cat([self._den, logits.new_zeros(grow)])
        a, b = start - self._start, end - self._start
        self._num[:, :, a:b] += logits * w.view(1, 1, -1, 1, 1)
        self._den[a:b] += w
        done = self.spans[k + 1][0] if k + 1 < len(self.spans) else end
        n = done - self._start
        if n > 0:
            out = self._num[:, :, :n] / self._den[:n].view(1, 1, -1, 1, 1)
            first = self._start
            self._num, self._den = self._num[:, :, n:], self._den[n:]
            self._start = done
            yield first, out
