"""J, F and J&F of referring video object segmentation (MeViS / Ref-YTVOS style)."""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmflowrvs.registry import METRICS

from ..expression_scores import score_expression, summarize_expressions
from ..prediction_io import get_field, to_numpy, write_predictions, zip_submission
from ..protocols import scored_split_identity
from .video_level_results import pack_rows, unpack_rows

__all__ = ['RVOSMetric']


@METRICS.register_module()
class RVOSMetric(BaseMetric):
    """Per-expression J and F over all frames, averaged over expressions (x100).

    As the official MeViS ``eval_mevis.py`` on valid_u (docs/metrics.md): j = mean
    over all frames of the expression's J, f likewise; J = mean of j over
    expressions, F = mean of f, J&F = (J + F) / 2 (computed by
    :mod:`mmflowrvs.evaluation.expression_scores`, as offline scoring). Also reported:

    * per-category J&F (``J&F/<category>``) when samples carry a category;
      the per-video and per-category tables are logged, and written with the
      per-expression scores to ``<outfile_prefix>.json`` when a prefix is set;
    * MeViS v2 no-target accuracies when some samples have ``no_target=True``.
      An expression is *predicted as no-target* when its predicted mask is
      empty on every frame. ``N-acc`` = % of no-target expressions predicted as
      no-target; ``T-acc`` = % of target expressions NOT predicted as no-target.

    ``process()`` keeps a few numbers per expression, never masks, so results
    gather cheaply across ranks. Results are keyed by (video, expression id): an
    expression scored twice is an error. On MeViS the version and split (from the
    dataset's metainfo) are logged with the numbers and written to the json, and a
    valid_u / valid run that scored another number of expressions than published is
    warned about (:mod:`mmflowrvs.evaluation.protocols`).

    Args:
        format_only (bool): Only write the submission tree (``outfile_prefix``)
            and its zip ``<outfile_prefix>.zip``; no GT needed. Defaults to False.
        outfile_prefix (str, optional): Submission root (format_only) or the
            prefix of the breakdown json.
        submission_layout (str): ``'mevis'`` or ``'ref-ytvos'``.
        category_key (str): metainfo key holding the category. Defaults to
            ``'category'``.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): Prefix of the metric names.
    """
    default_prefix: Optional[str] = None

    def __init__(self, format_only: bool = False, outfile_prefix: Optional[str] = None,
                 submission_layout: str = 'mevis', category_key: str = 'category',
                 collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if submission_layout not in ('mevis', 'ref-ytvos'):
            raise ValueError(f'submission_layout must be mevis or ref-ytvos, got '
                             f'{submission_layout!r}')
        if format_only and not outfile_prefix:
            raise ValueError('format_only=True needs outfile_prefix')
        self.format_only = format_only
        self.outfile_prefix = outfile_prefix
        self.submission_layout = submission_layout
        self.category_key = category_key

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Scores each expression; stores (video, exp, j, f, flags), one result per
        dataset item (a video-level item's expressions together)."""
        rows = []
        for sample in data_samples:
            video_id = str(get_field(sample, 'video_id'))
            exp_id = str(get_field(sample, 'exp_id'))
            if self.format_only:
                write_predictions(sample, self.outfile_prefix, self.submission_layout)
                rows.append(dict(video_id=video_id, exp_id=exp_id))
                continue
            pred = get_field(sample, 'pred_masks')
            gt = get_field(sample, 'gt_masks')
            if pred is None or gt is None:
                raise ValueError(f'{video_id}/{exp_id}: pred_masks and gt_masks are '
                                 'needed (use format_only=True on splits without GT)')
            rows.append(score_expression(
                video_id, exp_id, to_numpy(gt), to_numpy(pred),                # (T, H, W)
                no_target=bool(get_field(sample, 'no_target', False)),
                category=get_field(sample, self.category_key)))
        self.results.extend(pack_rows(data_samples, rows))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """J, F, J&F (x100), per-category J&F and N-acc/T-acc when relevant."""
        logger = MMLogger.get_current_instance()
        results = unpack_rows(results)
        if self.format_only:
            zip_path = zip_submission(self.outfile_prefix, self.outfile_prefix + '.zip')
            logger.info(f'wrote {len(results)} expressions to {self.outfile_prefix} '
                        f'and {zip_path}')
            return {}
        summary = summarize_expressions(results)
        metrics = dict(summary['metrics'])
        for name, scores in summary['per_category'].items():
            metrics[f'J&F/{name}'] = scores['J&F']
        identity, warnings = scored_split_identity(self.dataset_meta, len(results))
        for warning in warnings:
            logger.warning(warning)
        logger.info(identity['description'] + ': ' + ', '.join(
            f'{k} {v:.2f}' for k, v in summary['metrics'].items()))
        logger.info('per video J&F:\n' + '\n'.join(
            f'  {v}: {s["J&F"]:.2f} ({s["n"]} exp)'
            for v, s in sorted(summary['per_video'].items())))
        if self.outfile_prefix:
            with open(self.outfile_prefix + '.json', 'w') as out:
                json.dump({'dataset': identity, 'warnings': warnings, 'metrics': metrics,
                           'per_video': summary['per_video'],
                           'per_category': summary['per_category'],
                           'per_expression': results}, out, indent=1)
            logger.info(f'breakdown written to {osp.abspath(self.outfile_prefix)}.json')
        return metrics
