"""Evaluation: J/F functions, per-expression scores and summaries, named protocols,
registered metrics, prediction I/O (docs/metrics.md)."""
from .expression_scores import score_expression, summarize_expressions
from .functional import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .prediction_io import (
                            LAYOUTS,
                            PredictionError,
                            merge_object_scores,
                            read_id_png,
                            read_mask_png,
                            write_predictions,
                            write_ref_davis_video,
                            zip_submission,
)
from .protocols import MEVIS_EXPECTED_EXPRESSIONS, REF_DAVIS_PROTOCOLS, check_expression_count

__all__ = ['LAYOUTS', 'PredictionError', 'merge_object_scores', 'read_id_png',
           'read_mask_png', 'write_predictions', 'write_ref_davis_video', 'zip_submission',
           'RVOSMetric', 'RefDAVISMetric', 'db_eval_iou', 'db_eval_boundary',
           'score_expression', 'summarize_expressions', 'MEVIS_EXPECTED_EXPRESSIONS',
           'REF_DAVIS_PROTOCOLS', 'check_expression_count']
