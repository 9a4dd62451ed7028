"""Frames as PIL's bilinear resize (bit for bit), masks as torch's nearest interpolate."""
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from mmflowrvs.datasets.transforms import InferenceResize, ReferenceTrainResize, short_side_size
from mmflowrvs.datasets.transforms.resize_backends import resize_frames, resize_masks_nearest


def _frames(n=2, hw=(72, 128), seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (*hw, 3), dtype=np.uint8) for _ in range(n)]


@pytest.mark.parametrize('src,dst', [((720, 1280), (464, 832)), ((72, 128), (48, 80)),
                                     ((50, 70), (96, 128))])
def test_pil_backend_equals_pil_bilinear_bit_for_bit(src, dst):
    imgs = _frames(hw=src)
    out = resize_frames(imgs, dst, 'bilinear', 'pil')
    for img, o in zip(imgs, out):
        ref = np.asarray(Image.fromarray(img).resize((dst[1], dst[0]), Image.BILINEAR))
        assert o.dtype == np.uint8 and np.array_equal(o, ref)
    # cv2 samples differently when it shrinks (no antialiasing): the option matters
    if dst[0] < src[0]:
        assert not np.array_equal(resize_frames(imgs, dst, 'bilinear', 'cv2')[0], out[0])


@pytest.mark.parametrize('src,dst', [((720, 1280), (464, 832)), ((7, 13), (16, 32)),
                                     ((100, 300), (33, 97)), ((64, 64), (64, 48))])
def test_masks_follow_torch_nearest(src, dst):
    masks = np.random.default_rng(1).random((3, *src)) > 0.5
    ref = F.interpolate(torch.from_numpy(masks[None].astype(np.float32)), size=dst,
                        mode='nearest')[0].numpy() > 0.5
    assert np.array_equal(resize_masks_nearest(masks, dst), ref)


def test_transforms_use_the_backend_and_refuse_unknown_ones():
    imgs = _frames(hw=(720, 1280))
    res = InferenceResize(backend='pil').transform(dict(imgs=list(imgs), ori_shape=(720, 1280)))
    assert res['img_shape'] == (464, 832)
    ref = np.asarray(Image.fromarray(imgs[0]).resize((832, 464), Image.BILINEAR))
    assert np.array_equal(res['imgs'][0], ref)
    masks = np.zeros((2, 720, 1280), bool)
    masks[:, 100:300, 200:700] = True
    res = ReferenceTrainResize(crop_prob=0.0, backend='pil').transform(
        dict(imgs=list(imgs), gt_masks=masks, img_shape=(720, 1280)))
    ref = F.interpolate(torch.from_numpy(masks[None].astype(np.float32)), size=(448, 832),
                        mode='nearest')[0].numpy() > 0.5
    assert res['img_shape'] == (448, 832) and np.array_equal(res['gt_masks'], ref)
    with pytest.raises(ValueError, match="resize backend must be one of"):
        InferenceResize(backend='skimage')
    with pytest.raises(ValueError, match='interpolation must be one of'):
        ReferenceTrainResize(interpolation='lanczos9')


def _pil(img, hw):
    return np.asarray(Image.fromarray(img).resize((hw[1], hw[0]), Image.BILINEAR))


def _nearest(masks, hw):
    return F.interpolate(torch.from_numpy(masks[None].astype(np.float32)), size=hw,
                         mode='nearest')[0].numpy() > 0.5


def test_crop_branch_is_the_references_three_steps():
    """Pre-resize (floored to 32), crop the pre-resized frames, resize again (floored)."""
    random.seed(3)
    imgs = _frames(hw=(720, 1280), seed=2)
    masks = np.zeros((2, 720, 1280), bool)
    masks[:, 200:600, 300:1000] = True
    tr = ReferenceTrainResize(crop_prob=1.0, backend='pil')
    pres = set()
    for _ in range(4):
        res = tr.transform(dict(imgs=list(imgs), gt_masks=masks.copy(), img_shape=(720, 1280)))
        pre = res['pre_resize_shape']
        pres.add(pre)
        assert pre in [short_side_size((720, 1280), p, None, 32) for p in (400, 500, 600)]
        x1, y1, x2, y2 = res['crop_box']
        assert 384 <= x2 - x1 <= 600 and 384 <= y2 - y1 <= min(600, pre[0])
        assert 0 <= x1 and x2 <= pre[1] and 0 <= y1 and y2 <= pre[0]
        out = short_side_size((y2 - y1, x2 - x1), 480, 832, 32)
        assert res['img_shape'] == out and out[0] % 32 == 0 and out[1] % 32 == 0
        for img, got in zip(imgs, res['imgs']):
            assert np.array_equal(got, _pil(_pil(img, pre)[y1:y2, x1:x2], out))
        want = _nearest(_nearest(masks, pre)[:, y1:y2, x1:x2], out)
        assert np.array_equal(res['gt_masks'], want)
    assert len(pres) > 1


def test_crop_branch_floors_every_intermediate_size():
    """720x1280, pre-size 400, whole-frame crop: flooring once would give another size."""
    imgs = _frames(hw=(720, 1280), seed=4)
    tr = ReferenceTrainResize(crop_prob=1.0, pre_sizes=[400], crop_range=(10000, 10000),
                              backend='pil')
    res = tr.transform(dict(imgs=list(imgs), img_shape=(720, 1280)))
    # floored at each step: 400x711 -> 384x704, then short 454 (max 832) -> 448x832
    assert res['pre_resize_shape'] == (384, 704) and res['crop_box'] == (0, 0, 704, 384)
    assert res['img_shape'] == (448, 832)
    # floored once at the end: 400x711 -> short 468 (max 832) -> 448x800
    assert short_side_size(short_side_size((720, 1280), 400, None), 480, 832, 32) == (448, 800)
    assert np.array_equal(res['imgs'][0], _pil(_pil(imgs[0], (384, 704)), (448, 832)))
    # the crop height can never exceed the floored pre-resized height (384, not 400)
    random.seed(0)
    tr = ReferenceTrainResize(crop_prob=1.0, pre_sizes=[400], backend='pil')
    small = _frames(n=1, hw=(720, 1280), seed=5)
    boxes = [tr.transform(dict(imgs=list(small), img_shape=(720, 1280)))['crop_box']
             for _ in range(5)]
    assert all(y2 - y1 == 384 for _, y1, _, y2 in boxes)


def test_jpeg_frames_decode_as_pil_reads_them(tmp_path):
    """Our frame reader (OpenCV) gives the pixels of PIL's ``Image.open(...).convert('RGB')``
    (the reference's reader) for 4:2:0 JPEGs written by either library."""
    import cv2

    from mmflowrvs.datasets.transforms.frame_file import read_rgb_frame
    img = _frames(n=1, hw=(72, 130), seed=7)[0]
    pil_path, cv2_path = str(tmp_path / 'a.jpg'), str(tmp_path / 'b.jpg')
    Image.fromarray(img).save(pil_path, quality=90)
    cv2.imwrite(cv2_path, img[:, :, ::-1], [cv2.IMWRITE_JPEG_QUALITY, 90])
    for path in (pil_path, cv2_path):
        with Image.open(path) as im:
            want = np.asarray(im.convert('RGB'))
        got = read_rgb_frame(path)
        assert not np.array_equal(got, img)  # lossy: the decoders are what is compared
        assert np.array_equal(got, want)
