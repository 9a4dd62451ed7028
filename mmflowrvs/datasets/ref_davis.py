"""Ref-DAVIS17 in the Ref-YouTube-VOS layout (built by tools/dataset_converters/ref_davis.py)."""
from typing import Optional

from mmflowrvs.registry import DATASETS

from .ref_ytvos import RefYTVOSDataset


@DATASETS.register_module()
class RefDAVISDataset(RefYTVOSDataset):
    """Ref-DAVIS17: every annotator's expressions, ``anno_index = exp_id % 4``.

    The converter numbers expressions ``exp_id = 4 * k + a`` (k: the object's
    rank, a: the source annot1-first, annot1-full, annot2-first, annot2-full),
    so each item carries ``anno_index`` in 0..3 for the per-annotator
    evaluation. GT palette PNGs are read from ``<split>/Annotations``.

    Args:
        split (str): ``valid`` (the 30 DAVIS-2017 val videos) or ``train``.
        data_root (str): The ``ref-davis`` folder.
        ann_file (str, optional): Defaults to
            ``meta_expressions/<split>/meta_expressions.json``.
        data_prefix (dict, optional): As :class:`RefYTVOSDataset`; no
            ``exclude_path``.
        with_gt (bool, optional): Defaults to True (DAVIS ships the masks).
        **kwargs: See :class:`BaseRVOSDataset`.
    """

    METAINFO = dict(dataset_name='ref_davis')
    DEFAULT_WITH_GT_SPLITS = ('train', 'valid')

    def __init__(self,
                 split: str = 'valid',
                 data_root: str = 'data/ref-davis',
                 ann_file: Optional[str] = None,
                 data_prefix: Optional[dict] = None,
                 **kwargs) -> None:
        prefix = dict(exclude_path=None)
        prefix.update(data_prefix or {})
        super().__init__(split=split, data_root=data_root, ann_file=ann_file,
                         data_prefix=prefix, **kwargs)

    def make_item(self, vid: str, exp_id: str, exp: dict, objects: dict) -> Optional[dict]:
        item = super().make_item(vid, exp_id, exp, objects)
        if item is None:
            return None
        item['anno_index'] = int(exp_id) % 4
        return item
