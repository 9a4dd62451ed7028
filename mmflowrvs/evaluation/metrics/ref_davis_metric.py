"""Ref-DAVIS17: the davis2017 unsupervised protocol per annotator, or per expression."""
import os
import os.path as osp
import shutil
import tempfile
from collections import defaultdict
from multiprocessing import Pool
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dist import broadcast_object_list, get_world_size, is_main_process
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger

from mmflowrvs.registry import METRICS

from ..expression_scores import score_expression, summarize_expressions
from ..prediction_io import get_field, merge_object_scores, to_numpy, write_ref_davis_video
from ..protocols import check_ref_davis_protocol, scored_split_identity
from ..ref_davis_eval import (
    davis_val_videos,
    load_davis_gt,
    score_ref_davis_video,
    summarize_ref_davis,
)
from .video_level_results import pack_rows, unpack_rows

__all__ = ['RefDAVISMetric']


def _load_scores(path: str) -> np.ndarray:
    with np.load(path) as data:
        return data['scores'].astype(np.float32)            # (T, H, W)


def _score_task(task: Tuple[str, str, Dict[int, str], List[str]]):
    """(davis_root, video, {obj_id: file}, frame_ids) -> per-object (J, F) list, missing."""
    davis_root, video, files, frame_ids = task
    gt_frames, gt_ids = load_davis_gt(davis_root, video)     # (T, H, W)
    pred = merge_object_scores({obj: _load_scores(p) for obj, p in files.items()})
    return score_ref_davis_video(video, gt_frames, gt_ids, frame_ids, pred)


@METRICS.register_module()
class RefDAVISMetric(BaseMetric):
    """J&F of Ref-DAVIS17 under a named protocol (docs/metrics.md).

    Each sample is one expression (one object, one annotator ``anno_index``).

    ``protocol='davis2017-unsupervised'`` (the default; what ReferFormer reports):
    ``process()`` saves the object's foreground probability (``pred_scores``, or
    ``pred_masks`` as 0/1), zeroed at or below 0.5, as a compressed ``.npz`` under
    ``tmp_dir`` and keeps only its path, so results gather cheaply across ranks.
    ``compute_metrics()`` merges the objects of each (video, annotator) into one id
    map (highest probability above 0.5, ties to the smaller id), scores it against
    the DAVIS GT with Hungarian matching, and reports per annotator
    ``anno_<a>/{J&F, J-Mean, J-Recall, J-Decay, F-Mean, F-Recall, F-Decay}`` and
    their means over annotators (``J&F``, ``J``, ``F`` and the others without
    prefix), all x100.

    ``protocol='per-expression'``: each expression's ``pred_masks`` against its own
    object's ``gt_masks`` (from the dataset), j and f over all frames, averaged over
    expressions as on MeViS; reports ``J``, ``F``, ``J&F`` and ``anno_<a>/{J, F,
    J&F}``. The protocol's name is logged with the numbers.

    Args:
        davis_root (str, optional): the ``DAVIS`` folder (with
            ``Annotations_unsupervised/480p``); needed by the davis2017 protocol
            unless format_only.
        tmp_dir (str, optional): where per-expression scores go; must be
            shared by all ranks (multi-node: shared storage). Defaults to a
            fresh temporary folder chosen on rank 0 and broadcast.
        format_only (bool): only write ``<outfile_prefix>/anno_<a>/<video>/
            <frame>.png`` palette PNGs. Defaults to False.
        outfile_prefix (str, optional): root of those PNGs; when given without
            format_only, PNGs are written and scored.
        nproc (int): processes for scoring. Defaults to 1.
        protocol (str): ``'davis2017-unsupervised'`` or ``'per-expression'``.
    """
    default_prefix: Optional[str] = None

    def __init__(self, davis_root: Optional[str] = None, tmp_dir: Optional[str] = None,
                 format_only: bool = False, outfile_prefix: Optional[str] = None,
                 nproc: int = 1, collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 protocol: str = 'davis2017-unsupervised') -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.protocol = check_ref_davis_protocol(protocol)
        if format_only and not outfile_prefix:
            raise ValueError('format_only=True needs outfile_prefix')
        if not format_only and not davis_root and protocol == 'davis2017-unsupervised':
            raise ValueError('RefDAVISMetric needs davis_root (or format_only=True, or '
                             "protocol='per-expression')")
        self.davis_root = davis_root
        self.format_only = format_only
        self.outfile_prefix = outfile_prefix
        self.nproc = nproc
        self._own_tmp = tmp_dir is None
        if tmp_dir is None:
            holder = [tempfile.mkdtemp(prefix='refdavis_') if is_main_process() else None]
            if get_world_size() > 1:
                broadcast_object_list(holder)
            tmp_dir = holder[0]
        self.tmp_dir = tmp_dir

    @property
    def _needs_scores(self) -> bool:
        return self.protocol == 'davis2017-unsupervised' or bool(self.outfile_prefix)

    def _save_scores(self, sample, video_id: str, anno: int, obj_id: int) -> str:
        scores = get_field(sample, 'pred_scores')
        if scores is None:
            scores = get_field(sample, 'pred_masks')
        scores = to_numpy(scores).astype(np.float32)        # (T, H, W)
        scores = np.where(scores > 0.5, scores, 0).astype(np.float16)
        folder = osp.join(self.tmp_dir, video_id)
        os.makedirs(folder, exist_ok=True)
        path = osp.join(folder, f'anno{anno}_obj{obj_id}.npz')
        np.savez_compressed(path, scores=scores)
        return path

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Stores (video, annotator, object, frames) per expression, with its saved
        scores' file (davis2017, PNGs) and/or its j and f (per-expression); one
        result per dataset item (a video-level item's expressions together)."""
        rows = []
        for sample in data_samples:
            video_id = str(get_field(sample, 'video_id'))
            anno = int(get_field(sample, 'anno_index'))
            obj_ids = get_field(sample, 'obj_ids')
            if not obj_ids:
                raise ValueError(f'{video_id}: Ref-DAVIS samples need obj_ids')
            obj_id = int(obj_ids[0])
            row = dict(video_id=video_id, anno_index=anno, obj_id=obj_id,
                       frame_ids=list(get_field(sample, 'frame_ids')))
            if self._needs_scores:
                row['file'] = self._save_scores(sample, video_id, anno, obj_id)
            if self.protocol == 'per-expression' and not self.format_only:
                exp_id = str(get_field(sample, 'exp_id'))
                gt = get_field(sample, 'gt_masks')
                if gt is None:
                    raise ValueError(f'{video_id}/{exp_id}: the per-expression protocol '
                                     'needs gt_masks (a test pipeline with LoadRVOSMasks)')
                row.update(score_expression(video_id, exp_id, to_numpy(gt),
                                            to_numpy(get_field(sample, 'pred_masks')),
                                            anno_index=anno))
            rows.append(row)
        self.results.extend(pack_rows(data_samples, rows))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Per-annotator and overall numbers of the protocol (x100)."""
        logger = MMLogger.get_current_instance()
        results = unpack_rows(results)
        if self.outfile_prefix:
            self._write_pngs(results)
            logger.info(f'Ref-DAVIS PNGs written to {self.outfile_prefix}')
        if self.format_only:
            self._cleanup()
            return {}
        if self.protocol == 'per-expression':
            metrics = self._per_expression(results)
        else:
            metrics = self._davis2017(results, logger)
        self._cleanup()
        identity, _ = scored_split_identity(self.dataset_meta, len(results), self.protocol)
        if metrics:
            logger.info(f"Ref-DAVIS17, protocol {self.protocol} "
                        f"({identity['num_expressions']} expressions): J&F "
                        f"{metrics['J&F']:.2f}, J {metrics['J']:.2f}, F {metrics['F']:.2f}")
        return metrics

    def _write_pngs(self, results: List[dict]) -> None:
        groups, frames = self._groups(results)
        for (video, anno), files in sorted(groups.items()):
            scores = {obj: _load_scores(p) for obj, p in files.items()}
            write_ref_davis_video(scores, frames[(video, anno)], self.outfile_prefix,
                                  video, anno)

    @staticmethod
    def _groups(results: List[dict]):
        groups = defaultdict(dict)                 # (video, anno) -> {obj: file}
        frames = {}
        for r in results:
            groups[(r['video_id'], r['anno_index'])][r['obj_id']] = r['file']
            frames[(r['video_id'], r['anno_index'])] = r['frame_ids']
        return groups, frames

    @staticmethod
    def _per_expression(results: List[dict]) -> Dict[str, float]:
        summary = summarize_expressions(results)
        metrics = {k: v for k, v in summary['metrics'].items() if k in ('J', 'F', 'J&F')}
        for anno, scores in summary['per_annotator'].items():
            metrics.update({f'{anno}/{k}': scores[k] for k in ('J&F', 'J', 'F')})
        return metrics

    def _davis2017(self, results: List[dict], logger) -> Dict[str, float]:
        groups, frames = self._groups(results)
        keys = sorted(groups)
        val_txt = osp.join(self.davis_root, 'ImageSets', '2017', 'val.txt')
        if osp.isfile(val_txt):
            absent = sorted(set(davis_val_videos(self.davis_root)) - {v for v, _ in keys})
            if absent:
                logger.warning(f'Ref-DAVIS: {len(absent)} val.txt videos have no prediction '
                               f'and are not scored: {", ".join(absent[:10])}')
        tasks = [(self.davis_root, video, groups[(video, anno)], frames[(video, anno)])
                 for video, anno in keys]
        if self.nproc > 1:
            with Pool(self.nproc) as pool:
                outputs = pool.map(_score_task, tasks)
        else:
            outputs = [_score_task(t) for t in tasks]
        per_anno = defaultdict(list)
        for (video, anno), (pairs, missing) in zip(keys, outputs):
            per_anno[anno].extend(pairs)
            if missing:
                logger.warning(f'Ref-DAVIS {video} anno_{anno}: no prediction for '
                               f'{len(missing)} GT frames (scored as empty), e.g. {missing[0]}')
        metrics = summarize_ref_davis(per_anno)
        if not metrics:
            logger.warning('Ref-DAVIS: no (video, object) pair to score')
        return metrics

    def _cleanup(self) -> None:
        """Empties our own tmp_dir (kept: every rank knows its name)."""
        if self._own_tmp and osp.isdir(self.tmp_dir):
            for name in os.listdir(self.tmp_dir):
                shutil.rmtree(osp.join(self.tmp_dir, name), ignore_errors=True)
