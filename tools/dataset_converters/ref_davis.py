"""Builds Ref-DAVIS17 in the Ref-YouTube-VOS layout from DAVIS-2017 and the text annotations.

Usage::

    python tools/dataset_converters/ref_davis.py DAVIS_ROOT TEXT_ROOT OUT [--copy]

DAVIS_ROOT is the DAVIS-2017 tree (``JPEGImages/480p``, ``Annotations_unsupervised/480p``
from the Unsupervised trainval 480p zip, ``ImageSets/2017/{train,val}.txt``, optional
``davis_semantics.json``); TEXT_ROOT holds ``Davis17_annot{1,2}[_full_video].txt``.
OUT gets ``{train,valid}/{JPEGImages,Annotations}/<video>`` (symlinks, or copies with
``--copy``), ``{train,valid}/meta.json``, ``meta_expressions/{train,valid}/
meta_expressions.json`` and ``DAVIS`` (a link to DAVIS_ROOT, read by the evaluation).
Expression ids are ``4 * k + a``: k the object's rank (obj ids sorted as strings), a the
source (annot1-first, annot1-full, annot2-first, annot2-full).
"""
import argparse
import json
import os
import os.path as osp
import re
import shutil
import warnings
from collections import defaultdict
from typing import Dict, List

import numpy as np
from PIL import Image

#: (file name, encoding) in annotator order a = 0..3.
TEXT_SOURCES = (('Davis17_annot1.txt', 'utf-8'), ('Davis17_annot1_full_video.txt', 'utf-8'),
                ('Davis17_annot2.txt', 'latin-1'), ('Davis17_annot2_full_video.txt', 'latin-1'))
NAME_FIXES = {'clasic-car': 'classic-car', 'dog-scale': 'dogs-scale', 'motor-bike': 'motorbike'}
_LINE = re.compile(r'^(\S+)\s+(\d+)\s+(.*)$')


def read_text_file(path: str, encoding: str) -> Dict[str, Dict[str, str]]:
    """``{video: {obj_id (str): expression}}`` from one annotation text file."""
    out: Dict[str, Dict[str, str]] = defaultdict(dict)
    with open(path, encoding=encoding) as f:
        for n, line in enumerate(f, start=1):
            line = line.strip()
            if not line:
                continue
            m = _LINE.match(line)
            if m is None:
                raise ValueError(f'{path}:{n}: expected <video> <obj_id> "<exp>", got {line!r}')
            video, obj, exp = m.groups()
            out[NAME_FIXES.get(video, video)][str(int(obj))] = exp.strip().strip('"').strip()
    return out


def build_expressions(texts: List[Dict[str, Dict[str, str]]], video: str) -> Dict[str, dict]:
    """The video's expressions, ``exp_id = 4 * k + a`` (gaps where a source lacks one)."""
    objs = sorted({o for t in texts for o in t.get(video, {})})
    exps = {}
    for k, obj in enumerate(objs):
        for a, t in enumerate(texts):
            if obj not in t.get(video, {}):
                warnings.warn(f'{video} object {obj}: no expression in {TEXT_SOURCES[a][0]}')
                continue
            exps[str(4 * k + a)] = dict(exp=t[video][obj], obj_id=obj)
    return exps


def _place(src: str, dst: str, copy: bool) -> None:
    if osp.lexists(dst):
        return
    os.makedirs(osp.dirname(dst), exist_ok=True)
    if copy:
        shutil.copytree(src, dst)
    else:
        os.symlink(osp.abspath(src), dst)


def object_frames(ann_dir: str) -> Dict[str, List[str]]:
    """``{obj_id: [frame stems where it is visible]}`` from palette PNGs."""
    frames: Dict[str, List[str]] = defaultdict(list)
    for name in sorted(os.listdir(ann_dir)):
        if not name.endswith('.png'):
            continue
        for v in np.unique(np.array(Image.open(osp.join(ann_dir, name)))):
            if v != 0:
                frames[str(int(v))].append(osp.splitext(name)[0])
    return frames


def convert(davis_root: str, text_root: str, out: str, copy: bool = False,
            ann_subdir: str = 'Annotations_unsupervised/480p',
            img_subdir: str = 'JPEGImages/480p') -> Dict[str, int]:
    """Runs the conversion; returns the number of videos per split."""
    texts = [read_text_file(osp.join(text_root, name), enc) for name, enc in TEXT_SOURCES]
    sem_path = osp.join(davis_root, 'davis_semantics.json')
    semantics = json.load(open(sem_path)) if osp.isfile(sem_path) else {}
    counts = {}
    for split, list_name in (('train', 'train.txt'), ('valid', 'val.txt')):
        with open(osp.join(davis_root, 'ImageSets', '2017', list_name)) as f:
            videos = [ln.strip() for ln in f if ln.strip()]
        meta_exp, meta = {}, {}
        for vid in videos:
            img_dir = osp.join(davis_root, img_subdir, vid)
            ann_dir = osp.join(davis_root, ann_subdir, vid)
            stems = sorted(osp.splitext(n)[0] for n in os.listdir(img_dir) if n.endswith('.jpg'))
            _place(img_dir, osp.join(out, split, 'JPEGImages', vid), copy)
            _place(ann_dir, osp.join(out, split, 'Annotations', vid), copy)
            cats = semantics.get(vid, {})
            meta[vid] = dict(objects={o: dict(category=cats.get(o), frames=fr)
                                      for o, fr in sorted(object_frames(ann_dir).items())})
            meta_exp[vid] = dict(expressions=build_expressions(texts, vid), frames=stems)
        for path, data in ((osp.join(out, 'meta_expressions', split, 'meta_expressions.json'),
                            meta_exp), (osp.join(out, split, 'meta.json'), meta)):
            os.makedirs(osp.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                json.dump(dict(videos=data), f)
        counts[split] = len(videos)
    if not osp.lexists(osp.join(out, 'DAVIS')):
        os.symlink(osp.abspath(davis_root), osp.join(out, 'DAVIS'))
    return counts


def main() -> None:
    p = argparse.ArgumentParser(description='DAVIS-2017 + text annotations -> Ref-DAVIS17')
    p.add_argument('davis_root')
    p.add_argument('text_root')
    p.add_argument('out')
    p.add_argument('--copy', action='store_true', help='copy the video folders (default: link)')
    p.add_argument('--ann-subdir', default='Annotations_unsupervised/480p')
    p.add_argument('--img-subdir', default='JPEGImages/480p')
    args = p.parse_args()
    counts = convert(args.davis_root, args.text_root, args.out, args.copy,
                     args.ann_subdir, args.img_subdir)
    print(', '.join(f'{k}: {v} videos' for k, v in counts.items()))


if __name__ == '__main__':
    from mmflowrvs.utils.tool_errors import run_tool
    run_tool(main)
