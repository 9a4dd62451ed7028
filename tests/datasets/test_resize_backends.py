"""Frames as PIL's bilinear resize (bit for bit), masks as torch's nearest interpolate."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from mmflowrvs.datasets.transforms import InferenceResize, ReferenceTrainResize
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
