"""Scoring folders of prediction PNGs against GT, several methods at once.

MeViS v2 no-target accuracies (as :class:`RVOSMetric`): a prediction is
"no target" when it is empty on every frame (a missing folder counts as
empty); ``N-acc`` = % of no-target expressions so predicted, ``T-acc`` = %
of target expressions not so predicted.

Each task decodes the GT of one expression (MeViS, Ref-YTVOS) or one video
(Ref-DAVIS) once and scores every method on it. A missing expression / video
folder scores 0 (as the official MeViS script does) and is named in
``missing``; a missing, unreadable, RGB or wrongly sized frame PNG counts as an
empty mask and its message (naming the file) goes to ``issues``.
"""
import os.path as osp
from collections import defaultdict
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Callable, Dict, Iterable, List, Sequence, Tuple

import numpy as np
from tqdm import tqdm

from .functional import expression_jf
from .offline_gt import ExpressionGT
from .prediction_io import PredictionError, prediction_path, read_id_png, read_mask_png
from .ref_davis_eval import load_davis_gt, score_davis_video, summarize_davis

__all__ = ['MethodScores', 'score_expressions', 'score_ref_davis', 'detect_layout',
           'EMPTY_LAYOUT']

#: The layout of a method that predicts nothing (every mask empty, no folder read).
EMPTY_LAYOUT = 'empty'


@dataclass
class MethodScores:
    """Scores of one method (x100) with what was missing or broken."""
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

    def to_json(self) -> dict:
        out = {'J': self.J, 'F': self.F, 'J&F': self.JF, 'num_missing': len(self.missing),
               'num_bad_files': len(self.issues)}
        out.update(self.no_target_acc)
        out.update(self.per_annotator)
        return out


def detect_layout(pred_dir: str, dataset: str) -> str:
    """The prediction layout of ``pred_dir`` for ``dataset``."""
    if dataset == 'ref-ytvos':
        return 'ref-ytvos' if osp.isdir(osp.join(pred_dir, 'Annotations')) else 'mevis'
    return 'ref-davis' if dataset == 'ref-davis' else 'mevis'


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
    """GT of one expression vs each (pred_dir, layout): [(j, f, missing, issues, empty)]."""
    gt_info, preds = task
    gt = gt_info.load()                                            # (T, H, W)
    out = []
    for root, layout in preds:
        if layout == EMPTY_LAYOUT:
            j, f = expression_jf(gt, np.zeros_like(gt, dtype=bool))
            out.append((j, f, None, [], True))
            continue
        paths = [prediction_path(root, layout, gt_info.video, f, gt_info.exp_id)
                 for f in gt_info.frames]
        if not osp.isdir(osp.dirname(paths[0])):
            out.append((0.0, 0.0, osp.dirname(paths[0]), [], True))
            continue
        issues: List[str] = []
        pred = _read_masks(paths, gt_info.shape, read_mask_png, bool, issues)
        j, f = expression_jf(gt, pred)
        out.append((j, f, None, issues, not pred.any()))
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
            if osp.isdir(folder):
                pred = _read_masks(paths, gt_ids.shape[1:], read_id_png, np.int64, issues)
            else:
                pred = np.zeros(gt_ids.shape, np.int64)
            j, f = score_davis_video(gt_ids, pred)
            per_anno[anno] = (list(zip(j, f)), None if osp.isdir(folder) else folder, issues)
        out.append(per_anno)
    return out


def _run(func: Callable, tasks: list, nproc: int, desc: str) -> Iterable:
    """Maps ``func`` over ``tasks`` (in order) with a progress bar."""
    if nproc <= 1:
        return [func(t) for t in tqdm(tasks, desc=desc, unit='task')]
    with get_context('fork').Pool(nproc) as pool:
        return list(tqdm(pool.imap(func, tasks, chunksize=4), total=len(tasks), desc=desc,
                         unit='task'))


def score_expressions(gts: List[ExpressionGT], preds: List[Tuple[str, str, str]],
                      nproc: int = 1) -> List[MethodScores]:
    """MeViS-style scores (mean over expressions of per-expression j, f).

    Args:
        gts (list[ExpressionGT]): the split's expressions.
        preds (list[tuple[str, str]]): (name, pred_dir, layout) per method;
            layout :data:`EMPTY_LAYOUT` scores empty masks (pred_dir unused).
        nproc (int): worker processes.

    Returns:
        list[MethodScores]: one per method, in order.
    """
    roots = [(root, layout) for _, root, layout in preds]
    outputs = _run(_score_expression, [(g, roots) for g in gts], nproc, 'scoring')
    methods = []
    for m, (name, _, _) in enumerate(preds):
        scores = MethodScores(name, num_units=len(gts))
        j = np.array([o[m][0] for o in outputs])
        f = np.array([o[m][1] for o in outputs])
        jf = (j + f) / 2
        scores.J, scores.F = float(j.mean() * 100), float(f.mean() * 100)
        scores.JF = (scores.J + scores.F) / 2
        for key, attr in (('video', 'per_video'), ('category', 'per_category')):
            groups = defaultdict(list)
            for g, value in zip(gts, jf):
                if getattr(g, key):
                    groups[getattr(g, key)].append(value)
            setattr(scores, attr, {k: float(np.mean(v) * 100) for k, v in groups.items()})
            if key == 'category':
                scores.category_counts = {k: len(v) for k, v in groups.items()}
        no_target = np.array([g.no_target for g in gts])
        empty = np.array([o[m][4] for o in outputs])
        if no_target.any():   # MeViS v2: "no target" = empty on every frame
            scores.no_target_acc['N-acc'] = float(empty[no_target].mean() * 100)
            if (~no_target).any():
                scores.no_target_acc['T-acc'] = float((~empty[~no_target]).mean() * 100)
        scores.missing = [o[m][2] for o in outputs if o[m][2] is not None]
        scores.issues = [msg for o in outputs for msg in o[m][3]]
        methods.append(scores)
    return methods


def score_ref_davis(davis_root: str, videos: List[str], preds: List[Tuple[str, str]],
                    nproc: int = 1) -> List[MethodScores]:
    """Ref-DAVIS17 scores per annotator (davis2017 unsupervised) and their mean.

    Args:
        davis_root (str): the DAVIS folder.
        videos (list[str]): videos to score (val.txt).
        preds (list[tuple[str, str]]): (name, root with anno_<a>/ folders).
        nproc (int): worker processes.
    """
    tasks = [(davis_root, v, [root for _, root in preds]) for v in videos]
    outputs = _run(_score_davis_video, tasks, nproc, 'scoring')
    methods = []
    for m, (name, _) in enumerate(preds):
        scores = MethodScores(name, num_units=len(videos))
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
        summaries = {a: summarize_davis(p) for a, p in sorted(per_anno.items()) if p}
        scores.per_annotator = {f'anno_{a}': s for a, s in summaries.items()}
        if summaries:
            scores.J = float(np.mean([s['J-Mean'] for s in summaries.values()]))
            scores.F = float(np.mean([s['F-Mean'] for s in summaries.values()]))
            scores.JF = (scores.J + scores.F) / 2
        methods.append(scores)
    return methods
