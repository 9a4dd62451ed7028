"""Reading annotation files as data only: JSON, never pickle.

MMEngine's ``load`` picks the reader from the file extension, so an ``ann_file``
ending in ``.pkl`` is unpickled, and unpickling runs code. Annotation files are
read here as JSON whatever their name; pickle names are refused up front.
"""
import json
import os.path as osp
from typing import Any

from .data_errors import RVOSDataError

PICKLE_EXTS = ('.pkl', '.pickle', '.p')


def refuse_pickle(path: str, what: str = 'annotation file') -> None:
    """Raises if ``path`` is named like a pickle.

    Raises:
        ValueError: Naming the file and the reason.
    """
    if str(path).lower().endswith(PICKLE_EXTS):
        raise ValueError(f'{what} {path} is a pickle: unpickling a data file can run '
                         'arbitrary code, so mmflowrvs reads annotations only as JSON '
                         '(convert it with json.dump)')


def load_json_annotation(path: str, what: str = 'annotation file') -> Any:
    """Reads a JSON annotation file.

    Args:
        path (str): The file.
        what (str): What the file is, for messages (``'MeViS mask_dict'``).

    Returns:
        The parsed JSON.

    Raises:
        ValueError: ``path`` is named like a pickle.
        FileNotFoundError: ``path`` does not exist.
        RVOSDataError: The file is not valid JSON (line and column named).
    """
    refuse_pickle(path, what)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} not found: {path}')
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except json.JSONDecodeError as err:
        raise RVOSDataError(f'{what} {path} is not valid JSON: {err.msg} at line '
                            f'{err.lineno} column {err.colno}') from err
    except UnicodeDecodeError as err:
        raise RVOSDataError(f'{what} {path} is not UTF-8 text (JSON expected): {err}') from err


def videos_of(meta: Any, path: str) -> dict:
    """The ``videos`` dict of a ``meta_expressions.json``-style file.

    Raises:
        RVOSDataError: The file has no ``videos`` mapping.
    """
    if not isinstance(meta, dict) or not isinstance(meta.get('videos'), dict):
        raise RVOSDataError(f"{path}: expected a JSON object with a 'videos' mapping "
                            f'(video id -> frames and expressions)')
    return meta['videos']


def expression_sort_key(exp_id: str) -> tuple:
    """Sort key of expression ids: numeric ids in numeric order, any other after, by string."""
    return (0, int(exp_id), '') if str(exp_id).isdigit() else (1, 0, str(exp_id))
