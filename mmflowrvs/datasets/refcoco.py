"""RefCOCO/+/g through mmdet's ``RefCocoDataset``, with its split file read as data only.

The official split files (``refs(unc).p``, ``refs(umd).p``) are pickles of plain
Python values (lists, dicts, strings, numbers). mmdet reads them with
``mmengine.load(..., file_format='pkl')``, a full unpickler: a crafted file runs
code. :class:`PlainRefCocoDataset` reads the same file with an unpickler that
builds plain values only and refuses any class or function the file names.
"""
import io
import pickle
from contextlib import contextmanager
from typing import Any, Iterator, List

from mmdet.datasets import RefCocoDataset
from mmengine.fileio.handlers import BaseFileHandler
from mmengine.fileio.handlers.registry_utils import file_handlers

from mmflowrvs.registry import DATASETS

from .data_errors import RVOSDataError


class _PlainValueUnpickler(pickle.Unpickler):
    """An unpickler that builds only pickle's built-in values (no globals)."""

    def __init__(self, fileobj: io.BufferedIOBase, path: str) -> None:
        super().__init__(fileobj, encoding='latin1')  # Python 2 str -> str
        self.path = path

    def find_class(self, module: str, name: str) -> Any:
        raise RVOSDataError(
            f'split file {self.path} names {module}.{name}: a RefCOCO split file holds '
            'only lists, dicts, strings and numbers, and mmflowrvs never unpickles code '
            'from a data file')


def _load_plain(fileobj: io.BufferedIOBase, path: str) -> Any:
    try:
        return _PlainValueUnpickler(fileobj, path).load()
    except RVOSDataError:
        raise
    except Exception as err:  # truncated, or not a pickle at all
        raise RVOSDataError(f'split file {path} is not a readable pickle of plain '
                            f'values: {type(err).__name__}: {err}') from err


def load_plain_pickle(path: str) -> Any:
    """Reads a pickle of plain values (lists, dicts, str, numbers), refusing any global.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        RVOSDataError: The file names a class or function, or is not a pickle.
    """
    with open(path, 'rb') as f:
        return _load_plain(f, path)


class _PlainPickleHandler(BaseFileHandler):
    """mmengine 'pkl' handler that reads one known file through the plain unpickler."""

    str_like = False

    def __init__(self, path: str) -> None:
        self.path = path

    def load_from_fileobj(self, file, **kwargs) -> Any:
        return _load_plain(file, self.path)

    def dump_to_fileobj(self, obj, file, **kwargs):
        raise NotImplementedError('read-only handler')

    def dump_to_str(self, obj, **kwargs):
        raise NotImplementedError('read-only handler')


@contextmanager
def _plain_pickle_reads(path: str) -> Iterator[None]:
    previous = file_handlers['pkl']
    file_handlers['pkl'] = _PlainPickleHandler(path)
    try:
        yield
    finally:
        file_handlers['pkl'] = previous


@DATASETS.register_module()
class PlainRefCocoDataset(RefCocoDataset):
    """mmdet's ``RefCocoDataset`` whose split file is read as plain values only.

    Same arguments and items as ``mmdet.RefCocoDataset``; the instances file is
    JSON as before, and the split file may name no class or function.
    """

    def load_data_list(self) -> List[dict]:
        with _plain_pickle_reads(self.split_file):
            return super().load_data_list()
