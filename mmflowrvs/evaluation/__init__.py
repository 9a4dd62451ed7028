"""Evaluation: J/F functions, registered metrics, prediction I/O."""
from .functional import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .prediction_io import (LAYOUTS, PredictionError, merge_object_scores, read_id_png,
                            read_mask_png, write_predictions, write_ref_davis_video,
                            zip_submission)

__all__ = ['LAYOUTS', 'PredictionError', 'merge_object_scores', 'read_id_png',
           'read_mask_png', 'write_predictions', 'write_ref_davis_video', 'zip_submission',
           'RVOSMetric', 'RefDAVISMetric', 'db_eval_iou', 'db_eval_boundary']
