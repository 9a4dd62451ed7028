"""The built-in synthetic benchmark as a dataset: the MeViS layout under its own name."""
from mmflowrvs.registry import DATASETS

from .mevis import MeViSDataset


@DATASETS.register_module()
class SyntheticRVOSDataset(MeViSDataset):
    """The synthetic RVOS benchmark of ``tools/dataset_converters/make_synthetic_rvos.py``.

    Its files are in the MeViS layout and read exactly as :class:`MeViSDataset`
    reads them; the dataset names itself ``synthetic_rvos`` so that metrics do not
    hold it to MeViS's expression counts (docs/metrics.md).

    Args:
        split (str): ``train`` or ``valid_u``.
        data_root (str): Folder the generator wrote.
        **kwargs: See :class:`MeViSDataset`.
    """

    METAINFO = dict(dataset_name='synthetic_rvos')

    def __init__(self, split: str = 'train', data_root: str = 'data/synthetic_rvos',
                 **kwargs) -> None:
        super().__init__(split=split, data_root=data_root, **kwargs)
