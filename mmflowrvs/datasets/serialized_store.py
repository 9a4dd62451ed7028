"""A read-only key -> object map packed into one numpy buffer (shared by workers).

Datasets keep per-video data (frame lists) and per-annotation data (RLE lists)
here instead of in every expression's data info: one copy, no Python objects
per entry, so forked dataloader workers do not copy it on access (no refcount
writes), exactly like MMEngine's serialised data list.
"""
import pickle
from typing import Any, Dict, Hashable, Iterator

import numpy as np


class SerializedStore:
    """Immutable mapping from hashable keys to picklable values.

    Args:
        items (dict): The mapping to pack. It is not kept.
    """

    def __init__(self, items: Dict[Hashable, Any]) -> None:
        self._index: Dict[Hashable, int] = {}
        chunks = []
        for i, (key, value) in enumerate(items.items()):
            self._index[key] = i
            chunks.append(np.frombuffer(pickle.dumps(value, protocol=4), dtype=np.uint8))
        lengths = np.array([len(c) for c in chunks], dtype=np.int64)
        self._ends = np.cumsum(lengths)
        self._buffer = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.uint8)

    def __getitem__(self, key: Hashable) -> Any:
        i = self._index[key]
        start = 0 if i == 0 else int(self._ends[i - 1])
        return pickle.loads(self._buffer[start:int(self._ends[i])].tobytes())

    def __contains__(self, key: Hashable) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self._index)

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._index)

    @property
    def nbytes(self) -> int:
        """Bytes held by the packed buffer and offsets."""
        return int(self._buffer.nbytes + self._ends.nbytes)
