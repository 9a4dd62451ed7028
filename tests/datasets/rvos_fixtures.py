"""Builders of tiny datasets in the official on-disk formats (docs/datasets.md)."""
import json
import os
import os.path as osp
from typing import Dict

import cv2
import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils

H, W = 24, 32


def write_jpg(path: str, value: int, hw=(H, W)) -> None:
    """A flat grey JPEG whose value identifies the frame."""
    os.makedirs(osp.dirname(path), exist_ok=True)
    cv2.imwrite(path, np.full((*hw, 3), value, dtype=np.uint8), [cv2.IMWRITE_JPEG_QUALITY, 100])


def rle(mask: np.ndarray) -> dict:
    """COCO RLE with a str ``counts``, as in MeViS' mask_dict.json."""
    r = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return dict(size=list(mask.shape), counts=r['counts'].decode('ascii'))


def write_palette_png(path: str, ids: np.ndarray) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    im = Image.fromarray(ids.astype(np.uint8), mode='P')
    im.putpalette([0, 0, 0, 128, 0, 0, 0, 128, 0, 128, 128, 0] + [0] * 756)
    im.save(path)


def make_mevis(root: str, seed: int = 0) -> Dict[str, np.ndarray]:
    """MeViS ``train`` split: 2 videos; returns the expected masks per anno_id.

    ``vidA``: 8 JPEG files on disk, meta lists only the even ones (4 frames); anno
    10 everywhere, anno 11 null on the 2nd listed frame; expressions: '0' -> [10],
    '1' -> [10, 11] (union), '2' -> [] (v2 no target), with an extra unknown key.
    ``vidB``: 3 frames, anno 12.
    """
    rng = np.random.default_rng(seed)
    split = osp.join(root, 'train')
    for f in range(8):
        write_jpg(osp.join(split, 'JPEGImages', 'vidA', f'{f:05d}.jpg'), 20 * f + 10)
    for f in range(3):
        write_jpg(osp.join(split, 'JPEGImages', 'vidB', f'{f:05d}.jpg'), 200)
    masks = {10: rng.random((4, H, W)) > 0.6, 11: rng.random((4, H, W)) > 0.8,
             12: rng.random((3, H, W)) > 0.5}
    masks[11][1] = False
    mask_dict = {str(a): [None if not m.any() else rle(m) for m in ms]
                 for a, ms in masks.items()}
    meta = dict(videos=dict(
        vidA=dict(frames=['00000', '00002', '00004', '00006'], expressions={
            '0': dict(exp='The  Red\tcar ', obj_id=[0], anno_id=[10]),
            '1': dict(exp='two cars on the left', obj_id=[0, 1], anno_id=[10, 11], extra=1),
            '2': dict(exp='a unicorn', obj_id=[], anno_id=[])}),
        vidB=dict(frames=['00000', '00001', '00002'], expressions={
            '0': dict(exp='the dog', obj_id=[0], anno_id=[12])})))
    with open(osp.join(split, 'meta_expressions.json'), 'w') as f:
        json.dump(meta, f)
    with open(osp.join(split, 'mask_dict.json'), 'w') as f:
        json.dump(mask_dict, f)
    return masks


def make_ytvos(root: str, seed: int = 0) -> Dict[str, np.ndarray]:
    """Ref-YouTube-VOS: train (v1, every 5th frame, palette PNGs) and valid/test.

    Returns the train id maps per frame stem of ``v1`` ((H, W) uint8 each).
    """
    rng = np.random.default_rng(seed)
    stems = ['00000', '00005', '00010']
    ids = {}
    for k, s in enumerate(stems):
        write_jpg(osp.join(root, 'train', 'JPEGImages', 'v1', s + '.jpg'), 50 * k + 20)
        m = rng.integers(0, 3, (H, W)).astype(np.uint8)
        if k == 2:
            m[m == 2] = 0  # object 2 absent from the last frame
        ids[s] = m
        write_palette_png(osp.join(root, 'train', 'Annotations', 'v1', s + '.png'), m)
    meta_exp = dict(videos=dict(v1=dict(frames=stems, expressions={
        '0': dict(exp='a cat', obj_id='1'), '1': dict(exp='a dog', obj_id='2'),
        '2': dict(exp='another cat', obj_id='1')})))
    meta = dict(videos=dict(v1=dict(objects={
        '1': dict(category='cat', frames=stems), '2': dict(category='dog', frames=stems[:2])})))
    valid = {v: dict(frames=['00000', '00005'], expressions={'0': dict(exp=f'{v} thing')})
             for v in ('va', 'vb', 'vc')}
    test = {'vc': valid['vc']}
    for split, data in (('train', meta_exp), ('valid', dict(videos=valid)),
                        ('test', dict(videos=test))):
        path = osp.join(root, 'meta_expressions', split, 'meta_expressions.json')
        os.makedirs(osp.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            json.dump(data, f)
    with open(osp.join(root, 'train', 'meta.json'), 'w') as f:
        json.dump(meta, f)
    for v in ('va', 'vb', 'vc'):
        for s in ('00000', '00005'):
            write_jpg(osp.join(root, 'valid', 'JPEGImages', v, s + '.jpg'), 90)
    return ids


def make_davis(davis: str, text: str, seed: int = 0) -> Dict[str, np.ndarray]:
    """A DAVIS-2017 tree (2 val videos, 1 train) and the 4 text files (annot2 latin-1).

    Returns id maps per (video, stem) of the val videos.
    """
    rng = np.random.default_rng(seed)
    ids = {}
    for vid, n in (('classic-car', 3), ('dogs-scale', 2), ('bear', 2)):
        for f in range(n):
            write_jpg(osp.join(davis, 'JPEGImages', '480p', vid, f'{f:05d}.jpg'), 60)
            m = rng.integers(0, 3, (H, W)).astype(np.uint8)
            ids[(vid, f'{f:05d}')] = m
            write_palette_png(osp.join(davis, 'Annotations_unsupervised', '480p', vid,
                                       f'{f:05d}.png'), m)
    os.makedirs(osp.join(davis, 'ImageSets', '2017'), exist_ok=True)
    with open(osp.join(davis, 'ImageSets', '2017', 'train.txt'), 'w') as f:
        f.write('bear\n')
    with open(osp.join(davis, 'ImageSets', '2017', 'val.txt'), 'w') as f:
        f.write('classic-car\ndogs-scale\n')
    lines = {  # file -> (encoding, lines)
        'Davis17_annot1.txt': ('utf-8', ['clasic-car 1 "a silver car"', 'clasic-car 2 "a man"',
                                         'dog-scale 1 "a dog"', 'bear 1 "a bear"']),
        'Davis17_annot1_full_video.txt': ('utf-8', ['clasic-car 1 "car driving"',
                                                    'clasic-car 2 "man walking"',
                                                    'dog-scale 1 "dog sits"', 'bear 1 "bear"']),
        'Davis17_annot2.txt': ('latin-1', ['clasic-car 1 "the café car"',
                                           'clasic-car 2 "person"', 'dog-scale 1 "pup"',
                                           'bear 1 "brown bear"']),
        'Davis17_annot2_full_video.txt': ('latin-1', ['clasic-car 1 "car  moving"',
                                                      'clasic-car 2 "man"',
                                                      'dog-scale 1 "puppy"', 'bear 1 "bear"']),
    }
    os.makedirs(text, exist_ok=True)
    for name, (enc, ls) in lines.items():
        with open(osp.join(text, name), 'w', encoding=enc) as f:
            f.write('\n'.join(ls) + '\n')
    return ids


# the bad-input tests' whole-clip loading pipeline and helpers
LOAD_PIPE = [dict(type='UniformSampleFrames', num_frames=None), dict(type='LoadRVOSFrames'),
             dict(type='LoadRVOSMasks'), dict(type='PackRVOSInputs')]


def index_of(ds, video: str, exp: str) -> int:
    """The dataset index of (video, expression id)."""
    return next(i for i in range(len(ds)) if ds.get_data_info(i)['video_id'] == video
                and ds.get_data_info(i)['exp_id'] == exp)


def edit_json(path: str, fn) -> None:
    """Rewrites a JSON file after ``fn`` edited its data in place."""
    with open(path) as f:
        data = json.load(f)
    fn(data)
    with open(path, 'w') as f:
        json.dump(data, f)
