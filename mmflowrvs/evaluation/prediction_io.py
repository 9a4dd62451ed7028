"""Reading and writing predictions in the official on-disk layouts.

Layouts (docs/datasets.md, "Submission layouts"):

* ``'mevis'``: ``<root>/<video>/<exp_id>/<frame>.png``, single channel 0/255.
* ``'ref-ytvos'``: ``<root>/Annotations/<video>/<exp_id>/<frame>.png``, 0/255.
* ``'ref-davis'``: ``<root>/anno_<a>/<video>/<frame>.png``, a DAVIS-palette
  PNG per frame merging all objects of annotator ``a`` (see
  :func:`merge_object_scores`).

``tools/test.py --pred-dir`` calls :func:`write_predictions` per data sample
(MeViS / Ref-YTVOS); Ref-DAVIS needs all objects of a video, so it goes through
:func:`write_ref_davis_video` (or ``RefDAVISMetric(format_only=True)``).
"""
import os
import os.path as osp
import zipfile
from typing import Dict, Mapping, Optional, Sequence

import numpy as np
from PIL import Image

__all__ = ['LAYOUTS', 'PredictionError', 'get_field', 'to_numpy', 'prediction_path',
           'write_mask_png',
           'write_predictions', 'read_mask_png', 'read_id_png', 'davis_palette',
           'merge_object_scores', 'write_ref_davis_video', 'zip_submission']

LAYOUTS = ('mevis', 'ref-ytvos', 'ref-davis')
_MASK_MODES = ('1', 'L', 'P', 'I', 'I;16')


class PredictionError(ValueError):
    """A prediction file that cannot be used; the message names the file."""


def prediction_path(root: str, layout: str, video_id: str, frame_id: str,
                    exp_id: Optional[str] = None, anno_index: Optional[int] = None) -> str:
    """Path of one frame's PNG in ``layout`` under ``root``."""
    if layout == 'mevis':
        return osp.join(root, video_id, str(exp_id), f'{frame_id}.png')
    if layout == 'ref-ytvos':
        return osp.join(root, 'Annotations', video_id, str(exp_id), f'{frame_id}.png')
    if layout == 'ref-davis':
        return osp.join(root, f'anno_{int(anno_index)}', video_id, f'{frame_id}.png')
    raise ValueError(f'unknown layout {layout!r}, expected one of {LAYOUTS}')


def write_mask_png(path: str, mask: np.ndarray) -> None:
    """Writes a (H, W) mask as a single-channel PNG with values 0/255."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    Image.fromarray(np.asarray(mask, bool).astype(np.uint8) * 255, mode='L').save(path)


def to_numpy(value) -> np.ndarray:
    """A tensor (any device) or array-like as a numpy array."""
    return value.detach().cpu().numpy() if hasattr(value, 'detach') else np.asarray(value)


def get_field(sample, key: str, default=None):
    """A key of a data sample given as RVOSDataSample or as its ``to_dict()``."""
    if isinstance(sample, Mapping):
        return sample.get(key, default)
    return getattr(sample, key, default)


def write_predictions(data_sample, pred_dir: str, layout: str) -> int:
    """Writes one expression's ``pred_masks`` as PNGs in ``layout``.

    Args:
        data_sample (RVOSDataSample | dict): needs metainfo ``video_id``,
            ``exp_id``, ``frame_ids`` and the field ``pred_masks`` (T, H, W).
        pred_dir (str): root of the prediction tree.
        layout (str): ``'mevis'`` or ``'ref-ytvos'``.

    Returns:
        int: the number of PNGs written.
    """
    if layout not in ('mevis', 'ref-ytvos'):
        raise ValueError(f'write_predictions handles mevis/ref-ytvos, got {layout!r}; '
                         'use write_ref_davis_video for ref-davis')
    masks = to_numpy(get_field(data_sample, 'pred_masks'))          # (T, H, W)
    frame_ids = list(get_field(data_sample, 'frame_ids'))
    if masks.shape[0] != len(frame_ids):
        raise ValueError(f'{masks.shape[0]} masks for {len(frame_ids)} frame_ids')
    video_id = str(get_field(data_sample, 'video_id'))
    exp_id = str(get_field(data_sample, 'exp_id'))
    for mask, frame_id in zip(masks, frame_ids):
        write_mask_png(prediction_path(pred_dir, layout, video_id, frame_id, exp_id), mask)
    return len(frame_ids)


def _open_png(path: str) -> Image.Image:
    try:
        image = Image.open(path)
        image.load()
    except FileNotFoundError:
        raise PredictionError(f'missing prediction file: {path}') from None
    except Exception as err:  # PIL raises several types for broken files
        raise PredictionError(f'unreadable prediction file: {path} ({err})') from None
    return image


def read_mask_png(path: str, shape: Optional[Sequence[int]] = None) -> np.ndarray:
    """Reads a prediction mask: any nonzero pixel is foreground.

    Args:
        path (str): PNG file.
        shape (tuple[int, int], optional): expected (H, W).

    Returns:
        np.ndarray: (H, W) bool mask.

    Raises:
        PredictionError: missing, unreadable, multi-channel (RGB...) or
            wrongly sized file; the message names it.
    """
    image = _open_png(path)
    if image.mode not in _MASK_MODES:
        raise PredictionError(f'{path}: expected a single-channel PNG, got mode '
                              f'{image.mode!r}')
    mask = np.asarray(image) != 0
    if shape is not None and tuple(mask.shape) != tuple(shape):
        raise PredictionError(f'{path}: size {mask.shape[1]}x{mask.shape[0]} (WxH), '
                              f'expected {shape[1]}x{shape[0]}')
    return mask


def read_id_png(path: str, shape: Optional[Sequence[int]] = None) -> np.ndarray:
    """Reads an id map (palette or grayscale PNG) as (H, W) int64 ids."""
    image = _open_png(path)
    if image.mode not in _MASK_MODES:
        raise PredictionError(f'{path}: expected a palette/single-channel PNG, got '
                              f'mode {image.mode!r}')
    ids = np.asarray(image).astype(np.int64)
    if shape is not None and tuple(ids.shape) != tuple(shape):
        raise PredictionError(f'{path}: size {ids.shape[1]}x{ids.shape[0]} (WxH), '
                              f'expected {shape[1]}x{shape[0]}')
    return ids


def davis_palette() -> list:
    """The DAVIS (= PASCAL VOC) 256-colour palette as a flat list of 768 ints."""
    palette = []
    for i in range(256):
        r = g = b = 0
        c = i
        for j in range(8):
            r |= ((c >> 0) & 1) << (7 - j)
            g |= ((c >> 1) & 1) << (7 - j)
            b |= ((c >> 2) & 1) << (7 - j)
            c >>= 3
        palette += [r, g, b]
    return palette


def merge_object_scores(scores: Dict[int, np.ndarray]) -> np.ndarray:
    """Merges per-object probabilities into one id map.

    Per pixel: the object id with the highest probability above 0.5, else 0.
    Ties go to the smaller object id.

    Args:
        scores (dict[int, np.ndarray]): object id -> (T, H, W) probabilities
            (boolean masks count as 0/1).

    Returns:
        np.ndarray: (T, H, W) uint8 id map.
    """
    ids = sorted(scores)
    if not ids:
        raise ValueError('no object to merge')
    stack = np.stack([np.asarray(scores[i], np.float32) for i in ids])  # (N, T, H, W)
    best = stack.argmax(axis=0)
    best_val = np.take_along_axis(stack, best[None], axis=0)[0]
    lut = np.asarray(ids, np.uint8)
    return np.where(best_val > 0.5, lut[best], 0).astype(np.uint8)


def write_ref_davis_video(scores: Dict[int, np.ndarray], frame_ids: Sequence[str],
                          root: str, video_id: str, anno_index: int) -> int:
    """Writes ``anno_<a>/<video>/<frame>.png`` palette PNGs of merged objects.

    Returns:
        int: the number of PNGs written.
    """
    id_map = merge_object_scores(scores)                          # (T, H, W)
    if id_map.shape[0] != len(frame_ids):
        raise ValueError(f'{id_map.shape[0]} frames of scores for {len(frame_ids)} frame_ids')
    palette = davis_palette()
    for ids, frame_id in zip(id_map, frame_ids):
        path = prediction_path(root, 'ref-davis', video_id, frame_id, anno_index=anno_index)
        os.makedirs(osp.dirname(path), exist_ok=True)
        image = Image.fromarray(ids, mode='P')
        image.putpalette(palette)
        image.save(path)
    return len(frame_ids)


def zip_submission(root: str, zip_path: str) -> str:
    """Zips everything under ``root`` with paths relative to ``root``.

    For the MeViS layout the video folders end up at the zip root, for the
    Ref-YTVOS layout the ``Annotations/`` folder does.
    """
    with zipfile.ZipFile(zip_path, 'w', zipfile.ZIP_DEFLATED) as archive:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in sorted(filenames):
                full = osp.join(dirpath, name)
                if osp.abspath(full) != osp.abspath(zip_path):
                    archive.write(full, osp.relpath(full, root))
    return zip_path
