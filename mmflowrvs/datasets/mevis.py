"""MeViS (v1 and v2): ``<split>/{JPEGImages,meta_expressions.json,mask_dict.json}``."""
import os.path as osp
from typing import Dict, List, Optional, Tuple

from mmflowrvs.registry import DATASETS

from .annotation_io import expression_sort_key, load_json_annotation, videos_of
from .base_rvos_dataset import BaseRVOSDataset

MEVIS_VERSIONS = ('v1', 'v2')


@DATASETS.register_module()
class MeViSDataset(BaseRVOSDataset):
    """MeViS, read exactly as shipped (docs/datasets.md).

    One item per expression. The target is the union over ``anno_id`` of the
    per-frame COCO RLEs of ``mask_dict.json`` (null = empty); an empty
    ``anno_id`` list (v2) is a no-target expression (``no_target=True``). Masks
    are decoded lazily by ``LoadRVOSMasks``; the RLE lists of the needed
    annotations are kept serialised, one copy per annotation.

    Args:
        split (str): ``train``, ``valid_u`` or ``valid`` (server, no GT).
        data_root (str): The ``mevis`` folder.
        ann_file (str, optional): Defaults to ``<split>/meta_expressions.json``.
        data_prefix (dict, optional): ``img_path`` (frames folder, default
            ``<split>/JPEGImages``) and ``mask_path`` (default
            ``<split>/mask_dict.json``).
        with_gt (bool, optional): Defaults to ``split != 'valid'``.
        version (str, optional): ``'v1'`` or ``'v2'``. None (default) detects it: v2
            when some expression has an empty ``anno_id`` list (a no-target
            expression), else v1 (a split without ``anno_id`` at all, as the server
            split, reads as v1: set it there). It goes into the metainfo
            (``mevis_version``, with ``split``) and so into every metric output.
        **kwargs: See :class:`BaseRVOSDataset`.

    Example config::

        dict(type='MeViSDataset', data_root='data/mevis', split='valid_u',
             test_mode=True, pipeline=[...])
    """

    METAINFO = dict(dataset_name='mevis')

    def __init__(self,
                 split: str = 'train',
                 data_root: str = 'data/mevis',
                 ann_file: Optional[str] = None,
                 data_prefix: Optional[dict] = None,
                 with_gt: Optional[bool] = None,
                 version: Optional[str] = None,
                 **kwargs) -> None:
        if version is not None and version not in MEVIS_VERSIONS:
            raise ValueError(f'MeViSDataset: version must be one of {MEVIS_VERSIONS} or None '
                             f'(detect), got {version!r}')
        self.version = version
        ann_file = ann_file or f'{split}/meta_expressions.json'
        prefix = dict(img_path=f'{split}/JPEGImages', mask_path=f'{split}/mask_dict.json')
        prefix.update(data_prefix or {})
        with_gt = (split != 'valid') if with_gt is None else with_gt
        super().__init__(split=split, with_gt=with_gt, data_root=data_root,
                         ann_file=ann_file, data_prefix=prefix, **kwargs)

    def parse_annotations(self) -> Tuple[Dict[str, dict], List[dict], Optional[dict]]:
        meta = videos_of(load_json_annotation(self.ann_file, 'MeViS meta_expressions'),
                         self.ann_file)
        mask_dict = None
        mask_path = self.data_prefix['mask_path']
        if self.with_gt:
            mask_dict = load_json_annotation(mask_path, 'MeViS mask_dict')
        self._metainfo.update(mevis_version=self.version or _detect_version(meta),
                              split=self.split)
        videos, items = {}, []
        for vid in sorted(meta):
            vmeta = meta[vid]
            frame_ids = [str(f) for f in vmeta['frames']]
            videos[vid] = dict(frame_ids=frame_ids,
                               frame_dir=osp.join(self.data_prefix['img_path'], vid))
            for exp_id in sorted(vmeta['expressions'], key=expression_sort_key):
                exp = vmeta['expressions'][exp_id]
                expression = self.expression_of(vid, str(exp_id), exp)
                if expression is None:
                    continue
                anno_ids = [int(a) for a in exp.get('anno_id', [])]
                obj_ids = [int(o) for o in exp.get('obj_id', [])]
                item = dict(video_id=vid, exp_id=str(exp_id),
                            expression=expression,
                            obj_ids=obj_ids, anno_ids=anno_ids,
                            # only an explicit empty list means "no target"; the
                            # server split has no anno_id at all
                            no_target='anno_id' in exp and len(anno_ids) == 0,
                            mask_type='rle' if self.with_gt else None)
                if mask_dict is not None and not self._annos_ok(item, mask_dict,
                                                               len(frame_ids), mask_path):
                    continue
                items.append(item)
        return videos, items, mask_dict

    def _annos_ok(self, item: dict, mask_dict: dict, num_frames: int, path: str) -> bool:
        for a in item['anno_ids']:
            where = f"video '{item['video_id']}' exp '{item['exp_id']}'"
            if str(a) not in mask_dict:
                self.invalid(f'{where}: anno_id {a} is absent from {path}')
                return False
            if len(mask_dict[str(a)]) != num_frames:
                self.invalid(f'{where}: anno_id {a} has {len(mask_dict[str(a)])} RLEs in '
                             f'{path} but the video lists {num_frames} frames')
                return False
        return True


def _detect_version(meta: dict) -> str:
    """``'v2'`` when some expression has an empty ``anno_id`` list, else ``'v1'``."""
    for vmeta in meta.values():
        for exp in vmeta.get('expressions', {}).values():
            if isinstance(exp, dict) and 'anno_id' in exp and not exp['anno_id']:
                return 'v2'
    return 'v1'
