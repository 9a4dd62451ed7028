"""One metric result per dataset item, also when an item is a whole video.

MMEngine gathers a metric's ``results`` across ranks and cuts them to the dataset's
length (``BaseMetric.evaluate(size)``, dropping the sampler's padding). In
video-level testing an item is a video with several expressions, so the metrics
store the rows of one video's expressions as a single result and unpack them before
scoring: counts and per-expression semantics stay those of the per-expression mode.
"""
from typing import Any, List, Sequence

from ..prediction_io import get_field

_KEY = 'video_level_rows'


def pack_rows(data_samples: Sequence, rows: Sequence[dict]) -> List[dict]:
    """Groups the rows of consecutive video-level samples of one video.

    Args:
        data_samples (list): The samples ``rows`` were made from (same order).
        rows (list[dict]): One result row per sample.

    Returns:
        list[dict]: Per-expression rows unchanged; each video-level video's rows
        as one ``{'video_id': ..., 'video_level_rows': [...]}``.
    """
    out: List[dict] = []
    for sample, row in zip(data_samples, rows):
        if not get_field(sample, 'video_level', False):
            out.append(row)
            continue
        video = str(get_field(sample, 'video_id'))
        if out and _KEY in out[-1] and out[-1]['video_id'] == video:
            out[-1][_KEY].append(row)
        else:
            out.append({'video_id': video, _KEY: [row]})
    return out


def unpack_rows(results: Sequence[Any]) -> List[dict]:
    """Inverse of :func:`pack_rows`: one row per expression."""
    out: List[dict] = []
    for r in results:
        out.extend(r[_KEY] if isinstance(r, dict) and _KEY in r else [r])
    return out
