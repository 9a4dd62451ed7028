"""Ground truth read straight from the official dataset files (no dataset classes).

Used by ``tools/eval_predictions.py``. Each reader lists the expressions of a
split as :class:`ExpressionGT` (small, picklable) whose :meth:`load` decodes
the (T, H, W) target masks when a worker needs them.

* MeViS: ``<root>/meta_expressions.json`` and ``<root>/mask_dict.json`` of a
  split folder with GT (e.g. ``mevis/valid_u``); target = union of the
  expression's ``anno_id`` RLE masks (null = empty).
* Ref-YouTube-VOS: a split with GT in the train layout:
  ``<root>/meta_expressions/<split>/meta_expressions.json``,
  ``<root>/<split>/Annotations/<video>/<frame>.png`` (target = png == obj_id),
  categories from ``<root>/<split>/meta.json`` when present.
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image

__all__ = ['ExpressionGT', 'read_mevis_gt', 'read_ytvos_gt', 'resolve_davis_root']


@dataclass
class ExpressionGT:
    """One expression's frames and how to build its target masks.

    Attributes:
        video (str): video folder name.
        exp_id (str): expression id.
        frames (list[str]): frame stems, in order.
        shape (tuple[int, int]): (H, W) of the frames.
        rles (list[list]): MeViS: per anno_id, per frame RLE dict or None.
        png_dir (str): Ref-YTVOS: folder of the palette annotation PNGs.
        obj_id (int): Ref-YTVOS: object id in those PNGs.
        category (str, optional): object category for breakdowns.
        no_target (bool): MeViS v2 expression with an empty ``anno_id`` list.
        expression (str, optional): the expression's text (``exp``).
    """
    video: str
    exp_id: str
    frames: List[str]
    shape: Tuple[int, int]
    rles: List[list] = field(default_factory=list)
    png_dir: Optional[str] = None
    obj_id: int = 0
    category: Optional[str] = None
    no_target: bool = False
    expression: Optional[str] = None

    def load(self) -> np.ndarray:
        """(T, H, W) bool target masks."""
        masks = np.zeros((len(self.frames), ) + tuple(self.shape), bool)
        if self.png_dir is not None:
            for t, frame in enumerate(self.frames):
                path = osp.join(self.png_dir, f'{frame}.png')
                ids = np.asarray(Image.open(path))
                if ids.shape != tuple(self.shape):
                    raise ValueError(f'GT {path}: shape {ids.shape}, expected {self.shape}')
                masks[t] = ids == self.obj_id
            return masks
        from mmflowrvs.datasets.transforms.rle_decoding import decode_rle
        for per_frame in self.rles:
            if len(per_frame) != len(self.frames):
                raise ValueError(f'MeViS GT of {self.video}/{self.exp_id}: {len(per_frame)} '
                                 f'masks for {len(self.frames)} frames')
            for t, rle in enumerate(per_frame):
                if rle is None:
                    continue
                try:
                    masks[t] |= decode_rle(rle).astype(bool)
                except (ValueError, TypeError, KeyError) as err:
                    raise ValueError(f'MeViS GT of {self.video}/{self.exp_id} frame '
                                     f"'{self.frames[t]}': invalid RLE in mask_dict.json "
                                     f'({err})') from err
        return masks


def _load_json(path: str) -> dict:
    if not osp.isfile(path):
        raise FileNotFoundError(f'missing dataset file {path}')
    from mmflowrvs.datasets.annotation_io import load_json_annotation
    return load_json_annotation(path, 'dataset file')  # JSON errors name the file


def _mevis_video_shape(root: str, video: str, info: dict, mask_dict: dict) -> Tuple[int, int]:
    """(H, W) from any RLE of the video, else from its first JPEG."""
    for exp in info['expressions'].values():
        for anno_id in exp.get('anno_id', []):
            for rle in mask_dict.get(str(anno_id), []):
                if rle is not None:
                    return int(rle['size'][0]), int(rle['size'][1])
    path = osp.join(root, 'JPEGImages', video, f'{info["frames"][0]}.jpg')
    if not osp.isfile(path):
        raise FileNotFoundError(f'cannot tell the size of {video}: no mask, no {path}')
    with Image.open(path) as image:
        return image.height, image.width


def read_mevis_gt(root: str) -> List[ExpressionGT]:
    """Expressions of a MeViS split folder with GT (meta_expressions + mask_dict)."""
    meta = _load_json(osp.join(root, 'meta_expressions.json'))['videos']
    mask_dict = _load_json(osp.join(root, 'mask_dict.json'))
    out = []
    for video in sorted(meta):
        info = meta[video]
        for exp_id, exp in info['expressions'].items():
            missing = [a for a in exp.get('anno_id', []) if str(a) not in mask_dict]
            if missing:
                raise KeyError(f'{video}/{exp_id}: anno_id {missing} not in mask_dict.json')
        shape = _mevis_video_shape(root, video, info, mask_dict)
        for exp_id in sorted(info['expressions'], key=lambda k: (len(k), k)):
            anno_ids = info['expressions'][exp_id].get('anno_id', [])
            out.append(ExpressionGT(video, str(exp_id), list(info['frames']), shape,
                                    rles=[mask_dict[str(a)] for a in anno_ids],
                                    no_target=not anno_ids,
                                    expression=info['expressions'][exp_id].get('exp')))
    return out


def read_ytvos_gt(root: str, split: str = 'train') -> List[ExpressionGT]:
    """Expressions of a Ref-YouTube-VOS split with GT (train layout)."""
    meta = _load_json(osp.join(root, 'meta_expressions', split,
                               'meta_expressions.json'))['videos']
    meta_path = osp.join(root, split, 'meta.json')
    objects: Dict[str, dict] = (_load_json(meta_path)['videos'] if osp.isfile(meta_path)
                                else {})
    out = []
    for video in sorted(meta):
        info = meta[video]
        png_dir = osp.join(root, split, 'Annotations', video)
        first = osp.join(png_dir, f'{info["frames"][0]}.png')
        if not osp.isfile(first):
            raise FileNotFoundError(f'missing GT annotation {first}')
        with Image.open(first) as image:
            shape = (image.height, image.width)
        for exp_id in sorted(info['expressions'], key=lambda k: (len(k), k)):
            obj_id = str(info['expressions'][exp_id]['obj_id'])
            category = objects.get(video, {}).get('objects', {}).get(obj_id, {}).get('category')
            out.append(ExpressionGT(video, str(exp_id), list(info['frames']), shape,
                                    png_dir=png_dir, obj_id=int(obj_id), category=category,
                                    expression=info['expressions'][exp_id].get('exp')))
    return out


def resolve_davis_root(root: str) -> str:
    """``<root>/DAVIS`` if it exists (a Ref-DAVIS root), else ``root`` itself."""
    candidate = osp.join(root, 'DAVIS')
    davis = candidate if osp.isdir(candidate) else root
    if not osp.isdir(osp.join(davis, 'Annotations_unsupervised', '480p')):
        raise FileNotFoundError(f'no Annotations_unsupervised/480p under {davis}')
    return davis
