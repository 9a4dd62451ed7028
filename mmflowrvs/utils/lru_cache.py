"""A small LRU cache for what frozen encoders compute (prompt embeddings, posteriors)."""
from collections import OrderedDict
from typing import Callable, Generic, Hashable, List, Sequence, TypeVar

V = TypeVar('V')


class LRUCache(Generic[V]):
    """Least-recently-used cache that computes its misses in one batch.

    Args:
        max_size (int): Entries kept; 0 disables storing (values are still computed).
    """

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self._data: 'OrderedDict[Hashable, V]' = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._data

    def get_or_compute(self, keys: Sequence[Hashable],
                       compute: Callable[[List[int]], Sequence[V]]) -> List[V]:
        """Values for ``keys``, in order.

        Args:
            keys (Sequence[Hashable]): One key per item; repeats are computed once.
            compute (callable): Given the indices (into ``keys``) of the first
                occurrence of each missing key, returns their values in that order.
                Not called when nothing is missing.

        Returns:
            list: One value per key.
        """
        first = {}
        for i, key in enumerate(keys):
            first.setdefault(key, i)
        missing = [i for key, i in first.items() if key not in self._data]
        fresh = dict(zip((keys[i] for i in missing), compute(missing))) if missing else {}
        values = [fresh[k] if k in fresh else self._data[k] for k in keys]
        if self.max_size > 0:
            for key in first:
                self._data[key] = fresh[key] if key in fresh else self._data[key]
                self._data.move_to_end(key)
        while len(self._data) > self.max_size:
            self._data.popitem(last=False)
        return values
