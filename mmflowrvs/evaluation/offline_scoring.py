"""Scoring folders of prediction PNGs against GT, several methods at once.

The scores are those of the online metrics, computed by the same code: GT through
the dataset classes (:mod:`.offline_gt`), per-expression rows and their summary
(:mod:`.expression_scores`), Ref-DAVIS17 videos and annotators
(:mod:`.ref_davis_eval`).

Each task decodes the GT of one expression (MeViS, Ref-YTVOS, Ref-DAVIS17
per-expression) or one video (Ref-DAVIS17 davis2017) once and scores every method
on it. A missing expression / video folder scores 0 (as the official MeViS script
does) and is named in ``missing``; a missing, unreadable, RGB or wrongly sized frame
PNG counts as an empty mask and its message (naming the file) goes to ``issues``.
"""
import os.path as osp
from collections import defaultdict
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from tqdm import tqdm

from .expression_scores import score_expression, summarize_expressions
from .offline_gt import ExpressionGT, GTSplit
from .prediction_io import PredictionError, prediction_path, read_id_png, read_mask_png
from .ref_davis_eval import load_davis_gt, score_ref_davis_video, summarize_ref_davis

__all__ = ['MethodScores', 'score_expressions', 'score_ref_davis', 'detect_layout',
           'EMPTY_LAYOUT']

#: The layout of a method that predicts nothing (every mask empty, no folder read).
EMPTY_LAYOUT = 'empty'


@dataclass
class MethodScores:
    """Scores of one method (x100) with what was missing or broken.

    ``identity`` names what was scored and how (``dataset``, ``split``,
    ``mevis_version``, ``protocol``): it goes into every output.
    """
    name: str
    J: float = 0.0
    F: float = 0.0
    JF: float = 0.0
    per_video: Dict[str, float] = field(default_factory=dict)
    per_category: Dict[str, float] = field(default_factory=dict)
    category_counts: Dict[str, int] = field(default_factory=dict)
    per_annotator: Dict[str, Dict[str, float]] = field(default_factory=dict)
    no_target_acc: Dict[str, float] = field(default_factory=dict)
    missing: List[str] = field(default_factory=list)
    issues: List[str] = field(default_factory=list)
    num_units: int = 0
    identity: Dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        out = {'J': self.J, 'F': self.F, 'J&F': self.JF, 'num_missing': len(self.missing),
               'num_bad_files': len(self.issues)}
        out.update(self.no_target_acc)
        out.update(self.per_annotator)
        out.update(self.identity)
        return out


def detect_layout(pred_dir: str, dataset: str, protocol: Optional[str] = None) -> str:
    """The prediction layout of ``pred_dir`` for ``dataset`` (and Ref-DAVIS17 protocol)."""
    if dataset == 'ref-davis' and protocol != 'per-expression':
        return 'ref-davis'
    return 'ref-ytvos' if osp.isdir(osp.join(pred_dir, 'Annotations')) else 'mevis'


def _read_masks(paths: Sequence[str], shape, reader: Callable, dtype, issues: List[str]):
    """Reads frame PNGs; a bad one becomes zeros and a message in ``issues``."""
    out = np.zeros((len(paths), ) + tuple(shape), dtype)
    for t, path in enumerate(paths):
        try:
            out[t] = reader(path, shape)
        except PredictionError as err:
            issues.append(str(err))
    return out


def _score_expression(task: Tuple[ExpressionGT, List[Tuple[str, str]]]) -> list:
    """GT of one expression vs each (pred_dir, layout): [(row, missing, issues)]."""
    gt_info, preds = task
    gt = gt_info.load()                                            # (T, H, W)
    out = []
    for root, layout in preds:
        issues: List[str] = []
        missing = None
        if layout == EMPTY_LAYOUT:                 # a method that predicts nothing
            pred = np.zeros(gt.shape, bool)
        else:
            paths = [prediction_path(root, layout, gt_info.video, f, gt_info.exp_id)
                     for f in gt_info.frames]
            folder = osp.dirname(paths[0])
            if osp.isdir(folder):
                pred = _read_masks(paths, gt_info.shape, read_mask_png, bool, issues)
            else:                                  # scored 0, as the official script
                pred, missing = np.zeros(gt.shape, bool), folder
        row = score_expression(gt_info.video, gt_info.exp_id, gt, pred, gt_info.no_target,
                               gt_info.category, gt_info.anno_index)
        if missing is not None:
            row.update(j=0.0, f=0.0)
        out.append((row, missing, issues))
    return out


def _score_davis_video(task: Tuple[str, str, List[str]]) -> list:
    """One video's GT vs each method root: per method {anno: (pairs, missing, issues)}."""
    davis_root, video, roots = task
    frames, gt_ids = load_davis_gt(davis_root, video)              # (T, H, W)
    out = []
    for root in roots:
        per_anno = {}
        for anno in range(4):
            paths = [prediction_path(root, 'ref-davis', video, f, anno_index=anno)
                     for f in frames]
            folder = osp.dirname(paths[0])
            issues: List[str] = []
            found = osp.isdir(folder)
            pred = (_read_masks(paths, gt_ids.shape[1:], read_id_png, np.int64, issues)
                    if found else np.zeros((0, ) + gt_ids.shape[1:], np.int64))
            pairs, _ = score_ref_davis_video(video, frames, gt_ids,
                                             frames if found else [], pred)
            per_anno[anno] = (pairs, None if found else folder, issues)
        out.append(per_anno)
    return out


def _run(func: Callable, tasks: list, nproc: int, desc: str) -> Iterable:
    """Maps ``func`` over ``tasks`` (in order) with a progress bar."""
    if nproc <= 1:
        return [func(t) for t in tqdm(tasks, desc=desc, unit='task')]
    with get_context('fork').Pool(nproc) as pool:
        return list(tqdm(pool.imap(func, tasks, chunksize=4), total=len(tasks), desc=desc,
                         unit='task'))


def score_expressions(gt: GTSplit, preds: List[Tuple[str, str, str]], nproc: int = 1,
                      protocol: Optional[str] = None) -> List[MethodScores]:
    """Per-expression scores (mean over expressions of per-expression j, f).

    Args:
        gt (GTSplit): The split's expressions.
        preds (list[tuple[str, str, str]]): (name, pred_dir, layout) per method;
            layout :data:`EMPTY_LAYOUT` scores empty masks (pred_dir unused).
        nproc (int): Worker processes.
        protocol (str, optional): Recorded in the outputs (Ref-DAVIS17
            ``'per-expression'``).

    Returns:
        list[MethodScores]: One per method, in order.
    """
    gts = gt.expressions
    roots = [(root, layout) for _, root, layout in preds]
    outputs = _run(_score_expression, [(g, roots) for g in gts], nproc, 'scoring')
    identity = _identity(gt, protocol)
    methods = []
    for m, (name, _, _) in enumerate(preds):
        summary = summarize_expressions([o[m][0] for o in outputs])
        scores = MethodScores(name, num_units=len(gts), identity=identity)
        metrics = summary['metrics']
        scores.J, scores.F, scores.JF = metrics['J'], metrics['F'], metrics['J&F']
        scores.no_target_acc = {k: metrics[k] for k in ('N-acc', 'T-acc') if k in metrics}
        scores.per_video = {k: v['J&F'] for k, v in summary['per_video'].items()}
        scores.per_category = {k: v['J&F'] for k, v in summary['per_category'].items()}
        scores.category_counts = {k: v['n'] for k, v in summary['per_category'].items()}
        scores.per_annotator = summary['per_annotator']
        scores.missing = [o[m][1] for o in outputs if o[m][1] is not None]
        scores.issues = [msg for o in outputs for msg in o[m][2]]
        methods.append(scores)
    return methods


def score_ref_davis(davis_root: str, videos: List[str], preds: List[Tuple[str, str]],
                    nproc: int = 1) -> List[MethodScores]:
    """Ref-DAVIS17 davis2017-unsupervised scores per annotator and their mean.

    Args:
        davis_root (str): The DAVIS folder.
        videos (list[str]): Videos to score (val.txt).
        preds (list[tuple[str, str]]): (name, root with anno_<a>/ folders).
        nproc (int): Worker processes.
    """
    tasks = [(davis_root, v, [root for _, root in preds]) for v in videos]
    outputs = _run(_score_davis_video, tasks, nproc, 'scoring')
    identity = {'dataset': 'ref-davis', 'protocol': 'davis2017-unsupervised'}
    methods = []
    for m, (name, _) in enumerate(preds):
        scores = MethodScores(name, num_units=len(videos), identity=identity)
        per_anno: Dict[int, list] = defaultdict(list)
        for video, out in zip(videos, outputs):
            video_jf = []
            for anno, (pairs, missing, issues) in out[m].items():
                per_anno[anno].extend(pairs)
                video_jf += [(np.mean(j) + np.mean(f)) / 2 for j, f in pairs]
                scores.issues += issues
                if missing:
                    scores.missing.append(missing)
            if video_jf:
                scores.per_video[video] = float(np.mean(video_jf) * 100)
        metrics = summarize_ref_davis(per_anno)
        annos = sorted({k.split('/')[0] for k in metrics if '/' in k})
        scores.per_annotator = {a: {k.split('/', 1)[1]: v for k, v in metrics.items()
                                    if k.startswith(a + '/')} for a in annos}
        if metrics:
            scores.J, scores.F = metrics['J'], metrics['F']
            scores.JF = (scores.J + scores.F) / 2
        methods.append(scores)
    return methods


def _identity(gt: GTSplit, protocol: Optional[str]) -> Dict[str, str]:
    identity = {'dataset': gt.dataset, 'split': gt.split}
    if gt.mevis_version:
        identity['mevis_version'] = gt.mevis_version
    if protocol:
        identity['protocol'] = protocol
    return identity
