"""Generator of the built-in synthetic referring-video benchmark (MeViS on-disk layout).

Each video shows 2-4 coloured shapes moving in distinct ways (left, right, up,
down, still, stops half-way), drawn in depth order so they occlude each other
at times. In about half of the videos two objects look the same and only their
motion tells them apart. Expressions (from :mod:`synthetic_vocab`) refer by
appearance, motion, relation and to several objects; each is kept only when
exactly the objects it names match it. Masks are the visible pixels, stored as
COCO RLE in ``mask_dict.json`` (null when the object is hidden).
"""
import json
import os
import os.path as osp
import random
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from pycocotools import mask as mask_utils

from .synthetic_vocab import COLORS, MOTIONS, NUMBERS, RELATIONS, SHAPES, SYNTHETIC_VOCAB

_DIRS = {'left': (-1, 0), 'right': (1, 0), 'up': (0, -1), 'down': (0, 1),
         'still': (0, 0), 'stops': None}


def _trajectory(motion: str, num_frames: int, hw: Tuple[int, int], r: int,
                rng: random.Random,
                travel_range: Tuple[float, float] = (0.45, 0.7)) -> np.ndarray:
    """(T, 2) centre (x, y) per frame that keeps the shape inside the frame.

    A moving shape travels ``travel_range`` (a fraction of the free span along its
    direction) over the video, or until it stops.
    """
    h, w = hw
    if motion == 'stops':
        motion_dir = rng.choice(['left', 'right', 'up', 'down'])
        stop = rng.randint(num_frames // 3, max(num_frames // 3, 2 * num_frames // 3))
    else:
        motion_dir, stop = motion, num_frames - 1
    dx, dy = _DIRS[motion_dir]
    span_x, span_y = w - 2 * r - 1, h - 2 * r - 1
    dist = rng.uniform(*travel_range) * (span_x if dx else span_y)
    x0 = rng.uniform(r, r + span_x - (dist if dx else 0))
    y0 = rng.uniform(r, r + span_y - (dist if dy else 0))
    if dx < 0:
        x0 += dist
    if dy < 0:
        y0 += dist
    prog = np.clip(np.arange(num_frames) / max(stop, 1), 0, 1)  # 0 -> 1 until stop
    return np.stack([x0 + dx * dist * prog, y0 + dy * dist * prog], axis=1)


def _draw(label: np.ndarray, shape: str, centre: Sequence[float], r: int, value: int) -> None:
    x, y = int(round(centre[0])), int(round(centre[1]))
    if shape == 'circle':
        cv2.circle(label, (x, y), r, value, -1)
    elif shape == 'square':
        cv2.rectangle(label, (x - r, y - r), (x + r, y + r), value, -1)
    else:
        pts = np.array([[x, y - r], [x - r, y + r], [x + r, y + r]], dtype=np.int32)
        cv2.fillPoly(label, [pts], value)


def _make_objects(rng: random.Random, ambiguous: bool,
                  num_objects: Tuple[int, int] = (2, 4)) -> List[dict]:
    n = rng.randint(*num_objects)
    motions = rng.sample(list(MOTIONS), n)
    objs = [dict(color=rng.choice(list(COLORS)), shape=rng.choice(list(SHAPES)),
                 motion=m) for m in motions]
    if ambiguous:  # a twin that looks the same, told apart only by its motion
        objs[1].update(color=objs[0]['color'], shape=objs[0]['shape'])
    return objs


#: Kinds of expression the generator emits (see :func:`expression_kind`).
EXPRESSION_KINDS = ('appearance', 'motion', 'multi', 'relation')


def expression_kind(text: str) -> str:
    """The kind of a generated expression: appearance, motion, multi or relation."""
    if any(f' {words} ' in text for words in RELATIONS.values()):
        return 'relation'
    if text.split()[0] == 'all' or text.split()[1] in NUMBERS:
        return 'multi'
    if any(text.endswith(words) for words in MOTIONS.values()):
        return 'motion'
    return 'appearance'


def expression_group(text: str) -> str:
    """What a generated expression names, for per-kind breakdowns of scores.

    Appearance expressions split by the words they use: ``'colour + shape'``
    ("the red circle"), ``'colour'`` ("the red one") or ``'shape'`` ("the
    circle"); the other kinds keep their :func:`expression_kind`. Text the
    generator cannot emit (a word outside its vocabulary, fewer than two words)
    is ``'not synthetic'``.
    """
    words = text.split()
    if len(words) < 2 or not set(words) <= set(SYNTHETIC_VOCAB):
        return 'not synthetic'
    kind = expression_kind(text)
    if kind != 'appearance':
        return kind
    names = [n for n, vocab in (('colour', COLORS), ('shape', SHAPES)) if set(words) & set(vocab)]
    return ' + '.join(names) or kind


def _candidates(objs: List[dict], centres: np.ndarray) -> List[Tuple[str, List[int], int]]:
    """All (expression, referred object indices, required count) candidates."""
    out = []
    for o in objs:
        c, s, m = o['color'], o['shape'], o['motion']
        out += [(f'the {c} {s}', (lambda q, c=c, s=s: q['color'] == c and q['shape'] == s), 1),
                (f'the {s}', (lambda q, s=s: q['shape'] == s), 1),
                (f'the {c} one', (lambda q, c=c: q['color'] == c), 1),
                (f'the {s} {MOTIONS[m]}', (lambda q, s=s, m=m: q['shape'] == s
                                            and q['motion'] == m), 1),
                (f'the {c} {s} {MOTIONS[m]}', (lambda q, c=c, s=s, m=m: q['color'] == c and
                                                q['shape'] == s and q['motion'] == m), 1),
                (f'the shape {MOTIONS[m]}', (lambda q, m=m: q['motion'] == m), 1),
                (f'the one {MOTIONS[m]}', (lambda q, m=m: q['motion'] == m), 1)]
        plural = SHAPES[s]
        for k, word in enumerate(NUMBERS, start=2):
            out += [(f'the {word} {plural}', (lambda q, s=s: q['shape'] == s), k),
                    (f'the {word} {c} shapes', (lambda q, c=c: q['color'] == c), k),
                    (f'the {word} {c} {plural}', (lambda q, c=c, s=s: q['color'] == c
                                                   and q['shape'] == s), k)]
        out.append((f'all {c} {plural}', (lambda q, c=c, s=s: q['color'] == c
                                          and q['shape'] == s), -2))
    exps = {}
    for text, pred, count in out:
        ids = [i for i, q in enumerate(objs) if pred(q)]
        ok = len(ids) == count or (count == -2 and len(ids) >= 2)
        if ok:
            exps[text] = ids
    mean = centres.mean(axis=1)  # (N, 2) mean centre over the video
    for i, ref in enumerate(objs):
        ref_name = f"the {ref['color']} {ref['shape']}"
        if exps.get(ref_name) != [i]:
            continue
        for rel, words in RELATIONS.items():
            axis, sign = {'left': (0, -1), 'right': (0, 1), 'above': (1, -1),
                          'below': (1, 1)}[rel]
            for s in SHAPES:
                ids = [j for j, q in enumerate(objs) if j != i and q['shape'] == s and
                       sign * (mean[j, axis] - mean[i, axis]) > 0.1 * mean.max()]
                if len(ids) == 1:
                    exps[f'the {s} {words} {ref_name}'] = ids
    return sorted(exps.items())


#: Draws of sizes and trajectories tried for one video under ``max_hidden``; every
#: ``_SHAPE_REDRAW_PERIOD`` draws the shapes (colours, kinds, motions) are redrawn too,
#: since some sets of motions cannot avoid each other.
_MAX_REDRAWS = 1000
_SHAPE_REDRAW_PERIOD = 20


def _hidden_share(objs: List[dict], radius: List[int], centres: np.ndarray,
                  hw: Tuple[int, int]) -> float:
    """The largest share of a shape's area hidden by shapes in front, over all frames.

    ``centres``: (N, T, 2) centre per shape and frame; later shapes are in front.
    """
    worst = 0.0
    for f in range(centres.shape[1]):
        label = np.zeros(hw, dtype=np.uint8)
        for k, (o, r) in enumerate(zip(objs, radius)):
            _draw(label, o['shape'], centres[k, f], r, k + 1)
        for k, (o, r) in enumerate(zip(objs, radius)):
            alone = np.zeros(hw, dtype=np.uint8)
            _draw(alone, o['shape'], centres[k, f], r, 1)
            area = int(alone.sum())
            if area:
                worst = max(worst, 1.0 - float((label == k + 1).sum()) / area)
    return worst


def make_video(rng: random.Random, hw: Tuple[int, int], frames: Tuple[int, int],
               ambiguous: bool, texture: bool = False,
               radius_range: Tuple[float, float] = (0.08, 0.13),
               num_objects: Tuple[int, int] = (2, 4), max_hidden: float = 1.0,
               travel_range: Tuple[float, float] = (0.45, 0.7)
               ) -> Tuple[List[np.ndarray], List[List[Optional[dict]]], list, List[dict]]:
    """One video: RGB frames, per-object RLE lists (None = hidden), expressions, objects.

    Shapes have a radius of ``radius_range`` (fractions of the frame's short side);
    a video has ``num_objects`` (inclusive range) of them. ``max_hidden`` < 1 redraws
    the sizes and trajectories (and, now and then, the shapes) until no shape has more
    than that share of its area hidden by another shape in any frame (0: shapes never
    overlap). A moving shape travels ``travel_range`` of the free span over the video.
    """
    h, w = hw
    t = rng.randint(*frames)
    for attempt in range(_MAX_REDRAWS):
        if attempt % _SHAPE_REDRAW_PERIOD == 0:
            objs = _make_objects(rng, ambiguous, num_objects)
        radius = [max(2, int(min(h, w) * rng.uniform(*radius_range))) for _ in objs]
        centres = np.stack([_trajectory(o['motion'], t, hw, r, rng, travel_range)
                            for o, r in zip(objs, radius)])
        if max_hidden >= 1 or _hidden_share(objs, radius, centres, hw) <= max_hidden:
            break
    else:
        raise ValueError(f'max_hidden={max_hidden}: no layout of {num_objects} shapes of radius '
                         f'{radius_range} in {h}x{w} frames found in {_MAX_REDRAWS} draws; '
                         'allow more overlap, fewer or smaller shapes')
    bg = np.array([rng.randint(40, 90)] * 3, dtype=np.uint8)
    palette = np.array([bg] + [COLORS[o['color']] for o in objs], dtype=np.uint8)
    grad = (np.linspace(0, 25, w, dtype=np.float32)[None, :, None]).astype(np.uint8)
    imgs, rles = [], [[] for _ in objs]
    nrng = np.random.default_rng(rng.randrange(2**31))
    if texture:  # natural-image-like JPEG cost: smooth clutter + per-frame noise
        low = nrng.integers(0, 60, (max(2, h // 16), max(2, w // 16), 3), dtype=np.uint8)
        grad = cv2.resize(low, (w, h), interpolation=cv2.INTER_CUBIC)
    for f in range(t):
        label = np.zeros(hw, dtype=np.uint8)
        for k, (o, r) in enumerate(zip(objs, radius)):  # later objects are in front
            _draw(label, o['shape'], centres[k, f], r, k + 1)
        img = palette[label] + grad
        if texture:
            img = cv2.add(img, nrng.integers(0, 12, img.shape, dtype=np.uint8))
        imgs.append(img)
        for k in range(len(objs)):
            m = np.asfortranarray((label == k + 1).astype(np.uint8))
            if not m.any():
                rles[k].append(None)
                continue
            rle = mask_utils.encode(m)
            rles[k].append(dict(size=[h, w], counts=rle['counts'].decode('ascii')))
    return imgs, rles, _candidates(objs, centres), objs


def _check_options(num_objects: Tuple[int, int], kinds: Sequence[str],
                   ambiguous_ratio: float,
                   travel_range: Tuple[float, float] = (0.45, 0.7)) -> None:
    """Rejects options no video can satisfy (the redraw loop would never end)."""
    if not 0.0 <= travel_range[0] <= travel_range[1] <= 1.0:
        raise ValueError(f'travel_range={tuple(travel_range)}: need 0 <= a <= b <= 1 '
                         '(fractions of the free span)')
    low, high = num_objects
    least = 2 if ambiguous_ratio > 0 else 1  # a look-alike twin needs a second shape
    if not least <= low <= high <= len(MOTIONS):
        raise ValueError(f'num_objects={num_objects}: need {least} <= a <= b <= '
                         f'{len(MOTIONS)} (one motion per shape)')
    unknown = set(kinds) - set(EXPRESSION_KINDS)
    if not kinds or unknown:
        raise ValueError(f'kinds={list(kinds)}: choose one or more of {EXPRESSION_KINDS}')


def write_split(out_dir: str, split: str, num_videos: int, rng: random.Random,
                hw: Tuple[int, int], frames: Tuple[int, int], max_exps: int = 6,
                ambiguous_ratio: float = 0.5, jpeg_quality: int = 90,
                texture: bool = False,
                radius_range: Tuple[float, float] = (0.08, 0.13),
                num_objects: Tuple[int, int] = (2, 4),
                kinds: Sequence[str] = EXPRESSION_KINDS,
                max_hidden: float = 1.0,
                travel_range: Tuple[float, float] = (0.45, 0.7)) -> Dict[str, int]:
    """Writes ``<out_dir>/<split>/{JPEGImages,meta_expressions.json,mask_dict.json}``.

    ``texture=True`` adds background clutter and per-frame noise so that JPEG
    decoding costs about what natural frames cost (used by the data benchmark).
    ``radius_range``: shape radii as fractions of the frame's short side.
    ``num_objects``: inclusive range of shapes per video. ``kinds``: the kinds of
    expression kept (:data:`EXPRESSION_KINDS`); a video keeps at least one.
    ``max_hidden``: the largest share of a shape's area another may hide (1: any).
    ``travel_range``: how far a moving shape travels over the video, as a fraction
    of the free span along its direction (the default moves it about half-way).

    Returns:
        dict: Counts of videos, expressions and frames written.
    """
    _check_options(num_objects, kinds, ambiguous_ratio, travel_range)  # before writing
    root = osp.join(out_dir, split)
    os.makedirs(root, exist_ok=True)
    videos, mask_dict, anno = {}, {}, 0
    num_exps = num_frames = 0
    for v in range(num_videos):
        vid = f'{split}_{v:04d}'
        cands = []
        while not cands:  # redraw a video none of whose expressions is of the kinds kept
            imgs, rles, cands, objs = make_video(rng, hw, frames,
                                                 rng.random() < ambiguous_ratio, texture,
                                                 radius_range, num_objects, max_hidden,
                                                 travel_range)
            cands = [c for c in cands if expression_kind(c[0]) in kinds]
        os.makedirs(osp.join(root, 'JPEGImages', vid), exist_ok=True)
        stems = [f'{f:05d}' for f in range(len(imgs))]
        for stem, img in zip(stems, imgs):
            cv2.imwrite(osp.join(root, 'JPEGImages', vid, stem + '.jpg'),
                        cv2.cvtColor(img, cv2.COLOR_RGB2BGR),
                        [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
        anno_ids = []
        for obj_rles in rles:
            mask_dict[str(anno)] = obj_rles
            anno_ids.append(anno)
            anno += 1
        motion = [c for c in cands if expression_kind(c[0]) == 'motion']
        others = [c for c in cands if c not in motion]
        rng.shuffle(motion)
        rng.shuffle(others)
        chosen = (motion[:max_exps // 2] + others)[:max_exps]
        exps = {str(e): dict(exp=text, obj_id=ids, anno_id=[anno_ids[i] for i in ids])
                for e, (text, ids) in enumerate(chosen)}
        # "objects" is an extra key (MeViS readers ignore it): ground truth for analysis
        videos[vid] = dict(expressions=exps, frames=stems, objects=objs)
        num_exps += len(exps)
        num_frames += len(stems)
    with open(osp.join(root, 'meta_expressions.json'), 'w') as f:
        json.dump(dict(videos=videos), f)
    with open(osp.join(root, 'mask_dict.json'), 'w') as f:
        json.dump(mask_dict, f)
    return dict(videos=num_videos, expressions=num_exps, frames=num_frames)


def make_synthetic_rvos(out_dir: str, seed: int = 0, num_train: int = 32, num_valid: int = 8,
                        size: Tuple[int, int] = (96, 96), frames: Tuple[int, int] = (9, 33),
                        **kwargs) -> Dict[str, Dict[str, int]]:
    """Generates ``train`` and ``valid_u`` splits of the synthetic benchmark.

    Args:
        out_dir (str): Output folder (the MeViS-style ``data_root``).
        seed (int): Random seed: same seed, same dataset (each split has its own
            generator, so ``valid_u`` does not depend on ``num_train``).
        num_train (int): Training videos. Defaults to 32.
        num_valid (int): ``valid_u`` videos. Defaults to 8.
        size (tuple[int, int]): Frame (H, W). Defaults to (96, 96).
        frames (tuple[int, int]): Inclusive range of frames per video.
        **kwargs: Passed to :func:`write_split`.

    Returns:
        dict: Per split, the counts written.
    """
    # one generator per split: valid_u does not change with the number of training videos
    return {split: write_split(out_dir, split, n, random.Random(f'{seed}-{split}'), tuple(size),
                               tuple(frames), **kwargs)
            for split, n in (('train', num_train), ('valid_u', num_valid))}
