"""``tools/test.py --out``: every expression's prediction in a pickle, also in
video-level testing."""
from typing import Any, Sequence

from mmengine.evaluator import DumpResults

from mmflowrvs.registry import METRICS

from .video_level_results import pack_rows, unpack_rows


@METRICS.register_module()
class DumpRVOSResults(DumpResults):
    """MMEngine's :class:`DumpResults` keeping one result per dataset item.

    MMEngine cuts the gathered results to the dataset's length; in video-level
    testing an item is a video with several expressions, so the plain
    ``DumpResults`` would keep only as many expressions as there are videos. This
    stores each video's predictions as one result and dumps the flat list, one
    entry per expression (see :mod:`.video_level_results`).

    Args:
        out_file_path (str): The pickle (``.pkl`` / ``.pickle``).
        **kwargs: Passed to :class:`DumpResults`.
    """

    def process(self, data_batch: Any, predictions: Sequence[dict]) -> None:
        start = len(self.results)
        super().process(data_batch, predictions)  # one CPU copy per expression
        rows = self.results[start:]
        del self.results[start:]
        self.results.extend(pack_rows(predictions, rows))

    def compute_metrics(self, results: list) -> dict:
        return super().compute_metrics(unpack_rows(results))
