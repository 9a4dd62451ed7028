"""J, F and J&F of referring video object segmentation (MeViS / Ref-YTVOS style)."""
import json
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmflowrvs.registry import METRICS
from ..functional import expression_jf
from ..prediction_io import _get, _to_numpy, write_predictions, zip_submission
from .video_level_results import pack_rows, unpack_rows

__all__ = ['RVOSMetric']


@METRICS.register_module()
class RVOSMetric(BaseMetric):
    """Per-expression J and F over all frames, averaged over expressions (x100).

    As the official MeViS ``eval_mevis.py`` on valid_u: j = mean over all frames
    of the expression's J, f likewise; J = mean of j over expressions, F = mean
    of f, J&F = (J + F) / 2. Also reported:

    * per-category J&F (``J&F/<category>``) when samples carry a category;
      the per-video and per-category tables are logged, and written with the
      per-expression scores to ``<outfile_prefix>.json`` when a prefix is set;
    * MeViS v2 no-target accuracies when some samples have ``no_target=True``.
      An expression is *predicted as no-target* when its predicted mask is
      empty on every frame. ``N-acc`` = % of no-target expressions predicted as
      no-target; ``T-acc`` = % of target expressions NOT predicted as no-target.

    ``process()`` keeps a few numbers per expression, never masks, so results
    gather cheaply across ranks.

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
            video_id, exp_id = str(_get(sample, 'video_id')), str(_get(sample, 'exp_id'))
            if self.format_only:
                write_predictions(sample, self.outfile_prefix, self.submission_layout)
                rows.append(dict(video_id=video_id, exp_id=exp_id))
                continue
            pred = _get(sample, 'pred_masks')
            gt = _get(sample, 'gt_masks')
            if pred is None or gt is None:
                raise ValueError(f'{video_id}/{exp_id}: pred_masks and gt_masks are '
                                 'needed (use format_only=True on splits without GT)')
            pred = _to_numpy(pred).astype(bool)                # (T, H, W)
            gt = _to_numpy(gt).astype(bool)                    # (T, H, W)
            if pred.shape != gt.shape:
                raise ValueError(f'{video_id}/{exp_id}: pred_masks {pred.shape} and '
                                 f'gt_masks {gt.shape} differ')
            j, f = expression_jf(gt, pred)
            rows.append(dict(
                video_id=video_id, exp_id=exp_id, j=j, f=f,
                no_target=bool(_get(sample, 'no_target', False)),
                pred_empty=not pred.any(), category=_get(sample, self.category_key)))
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
        j = np.array([r['j'] for r in results])
        f = np.array([r['f'] for r in results])
        metrics = {'J': float(j.mean() * 100), 'F': float(f.mean() * 100)}
        metrics['J&F'] = (metrics['J'] + metrics['F']) / 2
        no_target = np.array([r['no_target'] for r in results])
        empty = np.array([r['pred_empty'] for r in results])
        if no_target.any():
            metrics['N-acc'] = float(empty[no_target].mean() * 100)
            if (~no_target).any():
                metrics['T-acc'] = float((~empty[~no_target]).mean() * 100)
        per_video = self._group(results, 'video_id')
        per_category = self._group([r for r in results if r.get('category')], 'category')
        for name, scores in per_category.items():
            metrics[f'J&F/{name}'] = scores['J&F']
        logger.info('per video J&F:\n' + '\n'.join(
            f'  {v}: {s["J&F"]:.2f} ({s["n"]} exp)' for v, s in sorted(per_video.items())))
        if self.outfile_prefix:
            with open(self.outfile_prefix + '.json', 'w') as out:
                json.dump({'metrics': metrics, 'per_video': per_video,
                           'per_category': per_category, 'per_expression': results},
                          out, indent=1)
            logger.info(f'breakdown written to {osp.abspath(self.outfile_prefix)}.json')
        return metrics

    @staticmethod
    def _group(results: List[dict], key: str) -> Dict[str, dict]:
        """J, F, J&F (x100) and count per value of ``key``."""
        groups = defaultdict(list)
        for r in results:
            groups[str(r[key])].append(r)
        out = {}
        for name, rows in groups.items():
            jm = float(np.mean([r['j'] for r in rows]) * 100)
            fm = float(np.mean([r['f'] for r in rows]) * 100)
            out[name] = {'J': jm, 'F': fm, 'J&F': (jm + fm) / 2, 'n': len(rows)}
        return out
