"""Datasets and transforms of mmflowrvs (MeViS, Ref-YouTube-VOS, Ref-DAVIS17, RefCOCO,
the synthetic benchmark)."""
from .base_rvos_dataset import BaseRVOSDataset
from .data_errors import RVOSDataError
from .expression_swap import ExpressionSwapDataset
from .mevis import MeViSDataset
from .ref_davis import RefDAVISDataset
from .ref_ytvos import RefYTVOSDataset
from .refcoco import PlainRefCocoDataset, load_plain_pickle
from .serialized_store import SerializedStore
from .synthetic_rvos_dataset import SyntheticRVOSDataset
from .synthetic_vocab import SYNTHETIC_VOCAB
from .text_utils import clean_expression, swap_left_right
from .transforms import *  # noqa: F401,F403

__all__ = [
    'BaseRVOSDataset', 'ExpressionSwapDataset', 'RVOSDataError', 'MeViSDataset',
    'RefDAVISDataset', 'RefYTVOSDataset', 'SyntheticRVOSDataset', 'PlainRefCocoDataset',
    'load_plain_pickle',
    'SerializedStore', 'SYNTHETIC_VOCAB', 'clean_expression', 'swap_left_right'
]
