"""The data sample of a video-level test item: one video, all of its expressions."""
from typing import Iterator, List

from mmengine.structures import BaseDataElement

from .rvos_data_sample import RVOSDataSample


class RVOSVideoDataSample(BaseDataElement):
    """Every expression of one video, as one data sample (video-level testing).

    ``PackRVOSInputs`` packs a video-level item (``BaseRVOSDataset(video_level=True)``,
    ``inference_rvos``) as the video's frames once and this sample, which holds one
    :class:`RVOSDataSample` per expression in order (each with its own metainfo and
    ``gt_masks``, plus ``video_level=True``). The model encodes the video once, runs
    all the expressions on it and returns the flat list of expression samples, so
    the metrics, hooks and writers see expressions as in per-expression testing.

    It is a single element, not a list, on purpose (as mmdet's ``TrackDataSample``
    holds a video's frames): MMEngine's ``pseudo_collate`` transposes nested
    sequences, so a list of expression samples per item would reach the model as a
    list of one-expression "videos" and all but the first expression would be lost.

    Metainfo keys: ``video_id`` (str), ``num_expressions`` (int).

    Data fields:
        expression_samples (list[RVOSDataSample]): the video's expressions.
    """

    @property
    def expression_samples(self) -> List[RVOSDataSample]:
        return self._expression_samples

    @expression_samples.setter
    def expression_samples(self, value: List[RVOSDataSample]) -> None:
        if not value or not all(isinstance(s, RVOSDataSample) for s in value):
            raise TypeError('expression_samples must be a non-empty list of RVOSDataSample, '
                            f'got {value!r}')
        self.set_field(list(value), '_expression_samples', dtype=list)

    @expression_samples.deleter
    def expression_samples(self) -> None:
        del self._expression_samples

    def __len__(self) -> int:
        return len(self.expression_samples)

    def __iter__(self) -> Iterator[RVOSDataSample]:
        return iter(self.expression_samples)

    def __getitem__(self, idx: int) -> RVOSDataSample:
        return self.expression_samples[idx]
