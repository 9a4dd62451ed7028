"""The error type raised for bad dataset input, and the skip/raise policy."""


class RVOSDataError(RuntimeError):
    """Bad input found while reading a sample (missing/corrupt file, bad mask, ...).

    The message always names the offending file (when there is one) and the
    video / expression, e.g. ``"video 'abc' exp '3': cannot read frame
    /data/mevis/train/JPEGImages/abc/00007.jpg"``.
    """


def describe(results: dict) -> str:
    """A short ``video '<id>' exp '<id>'`` prefix for error messages.

    Args:
        results (dict): The pipeline's results dict (or a data info dict).

    Returns:
        str: The human-readable location of the sample.
    """
    return f"video '{results.get('video_id', '?')}' exp '{results.get('exp_id', '?')}'"
