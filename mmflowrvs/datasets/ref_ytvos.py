"""Ref-YouTube-VOS: ``meta_expressions/<split>/meta_expressions.json`` + palette PNG masks."""
import os.path as osp
from typing import Dict, List, Optional, Tuple

from mmflowrvs.registry import DATASETS

from .annotation_io import expression_sort_key, load_json_annotation, videos_of
from .base_rvos_dataset import BaseRVOSDataset


@DATASETS.register_module()
class RefYTVOSDataset(BaseRVOSDataset):
    """Ref-YouTube-VOS, read exactly as shipped (docs/datasets.md).

    One item per expression; the target of expression ``obj_id`` is
    ``Annotations/<video>/<frame>.png == int(obj_id)`` (palette PNGs, decoded
    lazily by ``LoadRVOSMasks``). The ``valid`` split is the videos of
    ``meta_expressions/valid`` minus those of ``meta_expressions/test`` (202 in
    the real set) and has no GT.

    Args:
        split (str): ``train`` or ``valid``.
        data_root (str): The ``ref-youtube-vos`` folder.
        ann_file (str, optional): Defaults to
            ``meta_expressions/<split>/meta_expressions.json``.
        data_prefix (dict, optional): ``img_path`` (``<split>/JPEGImages``),
            ``mask_path`` (``<split>/Annotations``), ``meta_path``
            (``<split>/meta.json``: categories and frames per object) and
            ``exclude_path`` (videos to remove from the split; defaults to
            ``meta_expressions/test/meta_expressions.json`` for ``valid``).
        with_gt (bool, optional): Defaults to ``split == 'train'``.
        **kwargs: See :class:`BaseRVOSDataset`.
    """

    METAINFO = dict(dataset_name='ref_ytvos')
    DEFAULT_WITH_GT_SPLITS = ('train', )

    def __init__(self,
                 split: str = 'train',
                 data_root: str = 'data/ref-youtube-vos',
                 ann_file: Optional[str] = None,
                 data_prefix: Optional[dict] = None,
                 with_gt: Optional[bool] = None,
                 **kwargs) -> None:
        ann_file = ann_file or f'meta_expressions/{split}/meta_expressions.json'
        prefix = dict(img_path=f'{split}/JPEGImages', mask_path=f'{split}/Annotations',
                      meta_path=f'{split}/meta.json')
        if split == 'valid':
            prefix['exclude_path'] = 'meta_expressions/test/meta_expressions.json'
        prefix.update(data_prefix or {})
        prefix = {k: v for k, v in prefix.items() if v}  # None / '' = not used
        with_gt = (split in self.DEFAULT_WITH_GT_SPLITS) if with_gt is None else with_gt
        super().__init__(split=split, with_gt=with_gt, data_root=data_root,
                         ann_file=ann_file, data_prefix=prefix, **kwargs)

    def _objects(self) -> Dict[str, dict]:
        path = self.data_prefix.get('meta_path')
        if not self.with_gt or not path or not osp.isfile(path):
            return {}
        return videos_of(load_json_annotation(path, 'Ref-YouTube-VOS meta.json'), path)

    def _excluded_videos(self) -> set:
        path = self.data_prefix.get('exclude_path')
        if not path:
            return set()
        return set(videos_of(load_json_annotation(path, 'videos to exclude (test split)'), path))

    def make_item(self, vid: str, exp_id: str, exp: dict, objects: dict) -> Optional[dict]:
        """Builds one expression's item (subclasses add keys); None: skipped."""
        expression = self.expression_of(vid, str(exp_id), exp)
        if expression is None:
            return None
        obj_ids = exp.get('obj_id', [])
        obj_ids = [int(o) for o in (obj_ids if isinstance(obj_ids, list) else [obj_ids])]
        item = dict(video_id=vid, exp_id=str(exp_id), expression=expression,
                    obj_ids=obj_ids, no_target='obj_id' in exp and len(obj_ids) == 0,
                    mask_type='png' if self.with_gt else None)
        cats = [objects.get(str(o), {}).get('category') for o in obj_ids]
        if cats and cats[0] is not None:
            item['category'] = cats[0]
        return item

    def parse_annotations(self) -> Tuple[Dict[str, dict], List[dict], Optional[dict]]:
        meta = videos_of(load_json_annotation(self.ann_file, 'meta_expressions'), self.ann_file)
        excluded = self._excluded_videos()
        objects_all = self._objects()
        videos, items = {}, []
        for vid in sorted(meta):
            if vid in excluded:
                continue
            vmeta = meta[vid]
            objects = objects_all.get(vid, {}).get('objects', {})
            videos[vid] = dict(frame_ids=[str(f) for f in vmeta['frames']],
                               frame_dir=osp.join(self.data_prefix['img_path'], vid),
                               mask_dir=osp.join(self.data_prefix['mask_path'], vid),
                               objects={str(k): list(v.get('frames', []))
                                        for k, v in objects.items()} if objects else None)
            for exp_id in sorted(vmeta['expressions'], key=expression_sort_key):
                item = self.make_item(vid, exp_id, vmeta['expressions'][exp_id], objects)
                if item is not None:
                    items.append(item)
        return videos, items, None

    def get_data_info(self, idx: int) -> dict:
        info = super().get_data_info(idx)
        objects = info.pop('objects', None)
        if objects is not None and info.get('mask_type') == 'png':
            present = set()
            for o in info['obj_ids']:
                present.update(objects.get(str(o), []))
            info['target_frame_ids'] = present
        return info
