"""Ref-DAVIS17: the davis2017 unsupervised protocol per annotator."""
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
from ..prediction_io import _get, _to_numpy, merge_object_scores, write_ref_davis_video
from ..ref_davis_eval import (davis_val_videos, load_davis_gt, score_davis_video,
                              summarize_davis)
from .video_level_results import pack_rows, unpack_rows

__all__ = ['RefDAVISMetric']


def _load_scores(path: str) -> np.ndarray:
    with np.load(path) as data:
        return data['scores'].astype(np.float32)            # (T, H, W)


def _score_task(task: Tuple[str, str, Dict[int, str], List[str]]):
    """(davis_root, video, {obj_id: file}, frame_ids) -> per-object (J, F) list."""
    davis_root, video, files, frame_ids = task
    gt_frames, gt_ids = load_davis_gt(davis_root, video)     # (T, H, W)
    scores = {obj: _load_scores(path) for obj, path in files.items()}
    pred = merge_object_scores(scores)                       # (T', H, W)
    index = {f: i for i, f in enumerate(frame_ids)}
    missing = [f for f in gt_frames if f not in index]
    pred_ids = np.zeros(gt_ids.shape, np.int64)
    for t, frame in enumerate(gt_frames):
        if frame in index:
            if pred.shape[1:] != gt_ids.shape[1:]:
                raise ValueError(f'{video}: predictions {pred.shape[1:]} vs GT '
                                 f'{gt_ids.shape[1:]}')
            pred_ids[t] = pred[index[frame]]
    j, f = score_davis_video(gt_ids, pred_ids)
    return list(zip(j, f)), missing


@METRICS.register_module()
class RefDAVISMetric(BaseMetric):
    """J&F of Ref-DAVIS17 as ReferFormer reports it (davis2017 unsupervised).

    Each sample is one expression (one object, one annotator ``anno_index``).
    ``process()`` saves the object's foreground probability (``pred_scores``,
    or ``pred_masks`` as 0/1), zeroed at or below 0.5, as a compressed ``.npz``
    under ``tmp_dir`` and keeps only its path, so results gather cheaply
    across ranks. ``compute_metrics()`` merges the objects of each (video,
    annotator) into one id map (highest probability above 0.5, ties to the
    smaller id), scores it against the DAVIS GT with Hungarian matching, and
    reports per annotator ``anno_<a>/{J&F, J-Mean, J-Recall, J-Decay, F-Mean,
    F-Recall, F-Decay}`` and their means over annotators (``J&F``, ``J``, ``F``
    and the others without prefix), all x100.

    Args:
        davis_root (str, optional): the ``DAVIS`` folder (with
            ``Annotations_unsupervised/480p``); not needed when format_only.
        tmp_dir (str, optional): where per-expression scores go; must be
            shared by all ranks (multi-node: shared storage). Defaults to a
            fresh temporary folder chosen on rank 0 and broadcast.
        format_only (bool): only write ``<outfile_prefix>/anno_<a>/<video>/
            <frame>.png`` palette PNGs. Defaults to False.
        outfile_prefix (str, optional): root of those PNGs; when given without
            format_only, PNGs are written and scored.
        nproc (int): processes for scoring. Defaults to 1.
    """
    default_prefix: Optional[str] = None

    def __init__(self, davis_root: Optional[str] = None, tmp_dir: Optional[str] = None,
                 format_only: bool = False, outfile_prefix: Optional[str] = None,
                 nproc: int = 1, collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if format_only and not outfile_prefix:
            raise ValueError('format_only=True needs outfile_prefix')
        if not format_only and not davis_root:
            raise ValueError('RefDAVISMetric needs davis_root (or format_only=True)')
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

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Saves each expression's scores; stores (video, annotator, object, file), one
        result per dataset item (a video-level item's expressions together)."""
        rows = []
        for sample in data_samples:
            video_id = str(_get(sample, 'video_id'))
            anno = int(_get(sample, 'anno_index'))
            obj_ids = _get(sample, 'obj_ids')
            if not obj_ids:
                raise ValueError(f'{video_id}: Ref-DAVIS samples need obj_ids')
            obj_id = int(obj_ids[0])
            scores = _get(sample, 'pred_scores')
            if scores is None:
                scores = _get(sample, 'pred_masks')
            scores = _to_numpy(scores).astype(np.float32)       # (T, H, W)
            scores = np.where(scores > 0.5, scores, 0).astype(np.float16)
            folder = osp.join(self.tmp_dir, video_id)
            os.makedirs(folder, exist_ok=True)
            path = osp.join(folder, f'anno{anno}_obj{obj_id}.npz')
            np.savez_compressed(path, scores=scores)
            rows.append(dict(video_id=video_id, anno_index=anno, obj_id=obj_id,
                             file=path, frame_ids=list(_get(sample, 'frame_ids'))))
        self.results.extend(pack_rows(data_samples, rows))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Per-annotator and mean J&F, J/F Mean, Recall, Decay (x100)."""
        logger = MMLogger.get_current_instance()
        results = unpack_rows(results)
        groups = defaultdict(dict)                 # (video, anno) -> {obj: file}
        frames = {}
        for r in results:
            groups[(r['video_id'], r['anno_index'])][r['obj_id']] = r['file']
            frames[(r['video_id'], r['anno_index'])] = r['frame_ids']
        if self.outfile_prefix:
            for (video, anno), files in sorted(groups.items()):
                scores = {obj: _load_scores(p) for obj, p in files.items()}
                write_ref_davis_video(scores, frames[(video, anno)], self.outfile_prefix,
                                      video, anno)
            logger.info(f'Ref-DAVIS PNGs written to {self.outfile_prefix}')
        if self.format_only:
            self._cleanup()
            return {}
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
        metrics = {}
        summaries = {a: summarize_davis(pairs) for a, pairs in sorted(per_anno.items()) if pairs}
        if not summaries:
            logger.warning('Ref-DAVIS: no (video, object) pair to score')
            self._cleanup()
            return metrics
        for anno, summary in summaries.items():
            metrics.update({f'anno_{anno}/{k}': v for k, v in summary.items()})
        for key in next(iter(summaries.values())):
            metrics[key] = float(np.mean([s[key] for s in summaries.values()]))
        metrics['J'] = metrics['J-Mean']
        metrics['F'] = metrics['F-Mean']
        self._cleanup()
        return metrics

    def _cleanup(self) -> None:
        """Empties our own tmp_dir (kept: every rank knows its name)."""
        if self._own_tmp and osp.isdir(self.tmp_dir):
            for name in os.listdir(self.tmp_dir):
                shutil.rmtree(osp.join(self.tmp_dir, name), ignore_errors=True)
