"""Ground truth of a split with masks for offline scoring, read by the dataset classes.

There is one GT reader in mmflowrvs: the datasets parse the annotation files and
``LoadRVOSMasks`` decodes an expression's target (COCO RLE union or palette PNG ==
object id). ``tools/eval_predictions.py`` lists a split's expressions through the
same classes (:func:`read_mevis_gt`, :func:`read_ytvos_gt`, :func:`read_ref_davis_gt`)
as :class:`ExpressionGT`, small and picklable, whose :meth:`~ExpressionGT.load`
runs ``LoadRVOSMasks`` on the expression's data info when a worker needs the masks.
Frames are never decoded: the frame size comes from a mask or a frame's header.

Ref-DAVIS17's davis2017 protocol reads the DAVIS tree instead
(:func:`~mmflowrvs.evaluation.ref_davis_eval.load_davis_gt`).
"""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
from PIL import Image

__all__ = ['ExpressionGT', 'GTSplit', 'read_mevis_gt', 'read_ytvos_gt', 'read_ref_davis_gt',
           'resolve_davis_root']


@dataclass
class ExpressionGT:
    """One expression of a split and how to decode its target masks.

    Attributes:
        info (dict): The dataset's data info of the expression (``get_data_info``).
        shape (tuple[int, int]): (H, W) of the video's frames.
    """
    info: dict
    shape: Tuple[int, int]

    @property
    def video(self) -> str:
        return str(self.info['video_id'])

    @property
    def exp_id(self) -> str:
        return str(self.info['exp_id'])

    @property
    def frames(self) -> List[str]:
        return list(self.info['frame_ids'])

    @property
    def category(self) -> Optional[str]:
        return self.info.get('category')

    @property
    def no_target(self) -> bool:
        return bool(self.info.get('no_target', False))

    @property
    def anno_index(self) -> Optional[int]:
        return self.info.get('anno_index')

    @property
    def expression(self) -> Optional[str]:
        """The expression's text, when the dataset gives it."""
        return self.info.get('expression')

    def load(self) -> np.ndarray:
        """(T, H, W) bool target masks over all listed frames."""
        from mmflowrvs.datasets.transforms import LoadRVOSMasks
        results = dict(self.info, ori_shape=tuple(self.shape),
                       frame_inds=list(range(len(self.info['frame_ids']))))
        return LoadRVOSMasks()(results)['gt_masks']


@dataclass
class GTSplit:
    """The expressions of a split with what identifies it in outputs.

    Attributes:
        expressions (list[ExpressionGT]): In the dataset's order.
        dataset (str): ``'mevis'``, ``'ref-ytvos'`` or ``'ref-davis'``.
        split (str): The split's name.
        mevis_version (str, optional): MeViS only: ``'v1'`` or ``'v2'``.
    """
    expressions: List[ExpressionGT]
    dataset: str
    split: str
    mevis_version: Optional[str] = None


def _image_hw(path: str) -> Optional[Tuple[int, int]]:
    if not osp.isfile(path):
        return None
    with Image.open(path) as image:  # reads the header only
        return image.height, image.width


def _frame_shape(info: dict) -> Optional[Tuple[int, int]]:
    """(H, W) from a target's RLE, else its first mask PNG, else its first frame."""
    for per_frame in info.get('mask_rles', []):
        for rle in per_frame:
            if isinstance(rle, dict) and 'size' in rle:
                return int(rle['size'][0]), int(rle['size'][1])
    frame = info['frame_ids'][0] if info.get('frame_ids') else None
    if frame is None:
        return None
    if info.get('mask_dir'):
        hw = _image_hw(osp.join(info['mask_dir'], f'{frame}.png'))
        if hw is not None:
            return hw
    return _image_hw(osp.join(info.get('frame_dir', ''), f'{frame}.jpg'))


def _expressions(dataset) -> List[ExpressionGT]:
    """Every item of ``dataset`` with its video's frame size."""
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    shapes: Dict[str, Tuple[int, int]] = {}
    for info in infos:  # the first expression of a video that tells the size
        if info['video_id'] not in shapes:
            hw = _frame_shape(info)
            if hw is not None:
                shapes[info['video_id']] = hw
    out = []
    for info in infos:
        if info['video_id'] not in shapes:
            raise FileNotFoundError(
                f"cannot tell the frame size of video {info['video_id']}: no mask and no "
                f"frame {osp.join(info.get('frame_dir', '?'), info['frame_ids'][0])}.jpg")
        out.append(ExpressionGT(info, shapes[info['video_id']]))
    return out


def read_mevis_gt(root: str, version: Optional[str] = None) -> GTSplit:
    """Expressions of a MeViS split folder with GT (``meta_expressions.json`` and
    ``mask_dict.json``, e.g. ``mevis/valid_u``), read by :class:`MeViSDataset`.

    Args:
        root (str): The split folder; its name is the split's.
        version (str, optional): ``'v1'``/``'v2'``; detected when None.
    """
    from mmflowrvs.datasets import MeViSDataset
    root = osp.normpath(root)
    dataset = MeViSDataset(
        split=osp.basename(root), data_root=root, ann_file='meta_expressions.json',
        data_prefix=dict(img_path='JPEGImages', mask_path='mask_dict.json'),
        with_gt=True, version=version, test_mode=True, pipeline=[])
    return GTSplit(_expressions(dataset), 'mevis', osp.basename(root),
                   dataset.metainfo['mevis_version'])


def read_ytvos_gt(root: str, split: str = 'train') -> GTSplit:
    """Expressions of a Ref-YouTube-VOS split with GT (train layout), read by
    :class:`RefYTVOSDataset` (categories from ``<split>/meta.json`` when present)."""
    from mmflowrvs.datasets import RefYTVOSDataset
    dataset = RefYTVOSDataset(split=split, data_root=root, with_gt=True, test_mode=True,
                              pipeline=[])
    return GTSplit(_expressions(dataset), 'ref-ytvos', split)


def read_ref_davis_gt(root: str, split: str = 'valid') -> GTSplit:
    """Expressions of Ref-DAVIS17 (as built by ``tools/dataset_converters/ref_davis.py``)
    with their annotator, read by :class:`RefDAVISDataset`: the per-expression
    protocol's GT (each expression's object in ``<split>/Annotations``)."""
    from mmflowrvs.datasets import RefDAVISDataset
    dataset = RefDAVISDataset(split=split, data_root=root, test_mode=True, pipeline=[])
    return GTSplit(_expressions(dataset), 'ref-davis', split)


def resolve_davis_root(root: str) -> str:
    """``<root>/DAVIS`` if it exists (a Ref-DAVIS root), else ``root`` itself."""
    candidate = osp.join(root, 'DAVIS')
    davis = candidate if osp.isdir(candidate) else root
    if not osp.isdir(osp.join(davis, 'Annotations_unsupervised', '480p')):
        raise FileNotFoundError(f'no Annotations_unsupervised/480p under {davis}')
    return davis
