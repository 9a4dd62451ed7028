"""Reading a user's video: an mp4 (or any container OpenCV decodes), a folder of frames,
or a list of RGB uint8 arrays."""
import os
from typing import List, Sequence, Union

import cv2
import numpy as np

from mmflowrvs.datasets.transforms.frame_file import read_rgb_frame

VideoInput = Union[str, Sequence[np.ndarray]]
FRAME_EXTS = ('.jpg', '.jpeg', '.png', '.bmp', '.webp')


def read_video(video: VideoInput) -> List[np.ndarray]:
    """Returns the frames as a list of (H, W, 3) RGB uint8 arrays.

    Args:
        video (str | list[np.ndarray]): A video file, a folder of frames (sorted by
            name), or RGB uint8 arrays of one size.

    Raises:
        FileNotFoundError: The path does not exist.
        ValueError: No frames, undecodable video or frame, or inconsistent sizes.
    """
    if isinstance(video, (str, os.PathLike)):
        path = os.fspath(video)
        if os.path.isdir(path):
            frames = _read_folder(path)
        elif os.path.isfile(path):
            frames = _read_file(path)
        else:
            raise FileNotFoundError(f'video not found: {path}')
        source = path
    else:
        frames = [np.asarray(f) for f in video]
        source = 'the given frame list'
        for i, f in enumerate(frames):
            if f.ndim != 3 or f.shape[2] != 3 or f.dtype != np.uint8:
                raise ValueError(f'frame {i} of {source} must be (H, W, 3) RGB uint8, '
                                 f'got {f.shape} {f.dtype}')
    if not frames:
        raise ValueError(f'video with no frames: {source}')
    shapes = {f.shape for f in frames}
    if len(shapes) != 1:
        raise ValueError(f'frames of {source} differ in size: {sorted(shapes)[:3]}')
    return frames


def _read_folder(path: str) -> List[np.ndarray]:
    names = sorted(n for n in os.listdir(path) if n.lower().endswith(FRAME_EXTS))
    frames = []
    for n in names:
        frames.append(read_rgb_frame(os.path.join(path, n)))  # truncated JPEGs refused
    return frames


def _read_file(path: str) -> List[np.ndarray]:
    cap = cv2.VideoCapture(path)
    if not cap.isOpened():
        raise ValueError(f'cannot decode video {path} (not a video OpenCV/FFmpeg can read)')
    frames = []
    try:
        while True:
            ok, img = cap.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
    finally:
        cap.release()
    if not frames:
        raise ValueError(f'cannot decode video {path}: no frame could be read')
    return frames


def fit_inside(height: int, width: int, max_size=(480, 832), divisor: int = 16):
    """The reference inference size: fit inside ``max_size`` keeping the aspect
    ratio, floored to multiples of ``divisor`` (the test pipelines' ``InferenceResize``).

    Returns:
        tuple[int, int]: (H, W).
    """
    from mmflowrvs.datasets.transforms import InferenceResize
    return InferenceResize(max_hw=tuple(max_size), size_divisor=divisor).out_size((height, width))
