"""Array-level evaluation functions (no I/O, no registries)."""
from .davis_measures import (
                             boundary_radius,
                             db_eval_boundary,
                             db_eval_iou,
                             db_eval_jf,
                             disk_dilate,
                             seg2bmap,
)
from .video_scores import db_statistics, evaluate_unsupervised, expression_jf, split_ids

__all__ = ['db_eval_iou', 'db_eval_boundary', 'db_eval_jf', 'seg2bmap', 'boundary_radius',
           'disk_dilate',
           'expression_jf', 'db_statistics', 'evaluate_unsupervised', 'split_ids']
