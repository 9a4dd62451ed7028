"""RefCOCO/+/g images (mmdet's ``RefCocoDataset`` items) as 1-frame referring clips."""
import os.path as osp
import random
from typing import Union

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from mmflowrvs.registry import TRANSFORMS

from ..data_errors import RVOSDataError
from ..text_utils import normalize_expression
from .base import RVOSTransform


def _segm_to_mask(segm: Union[list, dict], hw) -> np.ndarray:
    """COCO polygons / RLE (compressed or not) -> (H, W) bool."""
    h, w = hw
    if isinstance(segm, list):
        rle = mask_utils.merge(mask_utils.frPyObjects(segm, h, w))
    elif isinstance(segm['counts'], list):
        rle = mask_utils.frPyObjects(segm, h, w)
    else:
        rle = dict(segm)
        if isinstance(rle['counts'], str):
            rle['counts'] = rle['counts'].encode('ascii')
    return mask_utils.decode(rle).astype(bool)


@TRANSFORMS.register_module()
class ImageToRVOSClip(RVOSTransform):
    """Turns one mmdet RefCOCO item (image + referred instances) into a T=1 clip.

    mmdet's ``RefCocoDataset`` yields per image ``img_path``, ``img_id``,
    ``instances`` (``mask``: COCO segmentation of each referred object) and
    ``text`` (one list of sentences per instance). This picks one instance
    (random in training, the first with ``test_mode``) and one of its
    sentences, reads the image and writes the keys the RVOS transforms use
    (``imgs``, ``gt_masks`` (1, H, W), ``frame_ids``, ``frame_inds``,
    ``video_id``, ``exp_id``, ``expression``, ``ori_shape``, ``img_shape``...).
    Composition, not a copy: the dataset stays mmdet's.

    Args:
        test_mode (bool): Deterministic choice. Defaults to False.
    """

    def __init__(self, test_mode: bool = False) -> None:
        self.test_mode = test_mode

    def transform(self, results: dict) -> dict:
        path = results['img_path']
        where = f"image '{results.get('img_id', path)}'"
        instances, texts = results.get('instances', []), results.get('text', [])
        if not instances:
            raise RVOSDataError(f'{where}: no referred instance ({path})')
        k = 0 if self.test_mode else random.randrange(len(instances))
        sentences = texts[k] if k < len(texts) else ''
        if isinstance(sentences, (list, tuple)):
            sentences = sentences[0] if self.test_mode else random.choice(sentences)
        img = results.get('img')
        if img is None:
            if not osp.isfile(path):
                raise RVOSDataError(f'{where}: image file missing: {path}')
            img = cv2.imread(path, cv2.IMREAD_COLOR)
            if img is None:
                raise RVOSDataError(f'{where}: cannot decode image {path}')
        hw = img.shape[:2]
        stem = osp.splitext(osp.basename(path))[0]
        results.update(
            imgs=[cv2.cvtColor(img, cv2.COLOR_BGR2RGB)],
            gt_masks=_segm_to_mask(instances[k]['mask'], hw)[None],  # (1, H, W)
            frame_ids=[stem], frame_inds=[0], frame_dir=osp.dirname(path),
            video_id=str(results.get('img_id', stem)), exp_id=str(k),
            expression=normalize_expression(str(sentences)), obj_ids=[k],
            no_target=False, mask_type='decoded', ori_shape=hw, img_shape=hw)
        return results
