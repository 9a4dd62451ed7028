"""A dataset wrapper for grounding checks: every expression swapped for another one
of the same video that refers to a different target."""
import copy
import random
from collections import defaultdict
from typing import Any, List, Optional

from mmengine.dataset import BaseDataset

from mmflowrvs.registry import DATASETS


def _target_key(info: dict) -> tuple:
    ids = info.get('anno_ids') or info.get('obj_ids') or []
    return tuple(sorted(int(i) for i in ids))


@DATASETS.register_module()
class ExpressionSwapDataset:
    """Keeps each item's video and ground truth, replaces its expression.

    The replacement is another expression of the same video whose target (its
    ``anno_ids``, else ``obj_ids``) differs; a model that reads the text then
    segments the wrong object and its J&F falls, one that ignores the text does not.
    Items whose video has no such expression keep their own and are counted
    (``num_unswapped``).

    Args:
        dataset (dict | BaseDataset): The wrapped RVOS dataset.
        seed (int): Seed of the choice among candidates. Defaults to 0.
    """

    def __init__(self, dataset, seed: int = 0, lazy_init: bool = False) -> None:
        self.dataset: BaseDataset = DATASETS.build(dataset) if isinstance(dataset, dict) \
            else dataset
        self.seed = seed
        self._swap: Optional[List[Optional[str]]] = None
        self.num_unswapped = 0
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        return copy.deepcopy(self.dataset.metainfo)

    @property
    def pipeline(self):
        return self.dataset.pipeline

    def full_init(self) -> None:
        """Chooses the replacement expression of every item."""
        if self._swap is not None:
            return
        self.dataset.full_init()
        if getattr(self.dataset, 'video_level', False):
            raise ValueError('ExpressionSwapDataset swaps expressions one by one: build its '
                             'dataset with video_level=False')
        infos = [self.dataset.get_data_info(i) for i in range(len(self.dataset))]
        by_video = defaultdict(list)
        for info in infos:
            by_video[info['video_id']].append(info)
        rng = random.Random(self.seed)
        self._swap = []
        for info in infos:
            own = _target_key(info)
            candidates = sorted({o['expression'] for o in by_video[info['video_id']]
                                 if _target_key(o) != own
                                 and o['expression'] != info['expression']})
            if candidates:
                self._swap.append(rng.choice(candidates))
            else:
                self._swap.append(None)
                self.num_unswapped += 1

    def __len__(self) -> int:
        return len(self.dataset)

    def get_data_info(self, idx: int) -> dict:
        self.full_init()
        info = self.dataset.get_data_info(idx)
        if self._swap[idx] is not None:
            info['original_expression'] = info['expression']
            info['expression'] = self._swap[idx]
        return info

    def __getitem__(self, idx: int) -> Any:
        return self.dataset.pipeline(self.get_data_info(idx))
