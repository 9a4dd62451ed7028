"""Video-level testing and windowed inference: the identities the issue asks for."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.dataset import pseudo_collate

from mmflowrvs.models.detectors.windowed_inference import (
    WindowBlender,
    check_window,
    ramp_weights,
    window_spans,
)
from mmflowrvs.structures import RVOSDataSample, RVOSVideoDataSample

from ._builders import build_tiny_flowrvs

PROMPTS = ['the red square', 'a blue circle', 'the left one']


def _video(t, size=(16, 32), seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 255, (t, 3, *size), generator=g, dtype=torch.uint8)


def _samples(t, video_level, size=(16, 32), ori=(20, 40), video_id='v', prompts=PROMPTS):
    out = []
    for k, p in enumerate(prompts):
        meta = dict(expression=p, num_frames=t, img_shape=size, ori_shape=ori,
                    video_id=video_id, exp_id=str(k))
        if video_level:
            meta['video_level'] = True
        out.append(RVOSDataSample(metainfo=meta))
    return out


def _item(frames, video_id='v', prompts=PROMPTS):
    """A packed video-level item, as ``PackRVOSInputs`` makes it."""
    video = RVOSVideoDataSample(metainfo=dict(video_id=video_id))
    video.expression_samples = _samples(frames.shape[0], True, video_id=video_id,
                                        prompts=prompts)
    return dict(inputs=frames, data_samples=video)


def _video_level(model, *items):
    """Video-level prediction through the dataloader's collate, as in a test loop."""
    if isinstance(items[0], torch.Tensor):
        items = [_item(items[0])]
    data = model.data_preprocessor(pseudo_collate(list(items)))
    return model(**data, mode='predict')


def _per_expression(model, frames, video_id='v', prompts=PROMPTS):
    out = []
    for s in _samples(frames.shape[0], False, video_id=video_id, prompts=prompts):
        data = model.data_preprocessor(pseudo_collate([dict(inputs=frames, data_samples=s)]))
        out.extend(model(**data, mode='predict'))
    return out


@pytest.fixture(scope='module')
def model(tiny_wan_dir):
    from mmflowrvs.utils import register_all_modules
    register_all_modules()
    model = build_tiny_flowrvs(tiny_wan_dir, test_cfg=dict(with_scores=True)).eval()
    assert model.expression_batch == 1  # the default
    return model


def test_video_level_equals_per_expression(model):
    """One encode for all expressions (chunk by chunk), each expression through the
    sampler and decoder alone: bit for bit the per-expression path."""
    frames = _video(11)
    video = _video_level(model, frames)
    ref = _per_expression(model, frames)
    assert [s.exp_id for s in video] == [str(k) for k in range(len(PROMPTS))]
    for a, b in zip(video, ref):
        assert a.pred_masks.shape == (11, 20, 40)
        assert torch.equal(a.pred_masks, b.pred_masks)
        assert torch.equal(a.pred_scores, b.pred_scores)
    # the prompts differ in their masks: a batch mixing them up would show
    assert not torch.equal(video[0].pred_scores, video[1].pred_scores)


def test_batched_expressions_agree_to_rounding(model):
    """expression_batch=3 runs the DiT and decoder on all three at once: the kernels
    round differently, the probabilities agree to float16 rounding."""
    frames = _video(11)
    model.expression_batch = 3
    try:
        batched = _video_level(model, frames)
    finally:
        model.expression_batch = 1
    for a, b in zip(batched, _per_expression(model, frames)):
        torch.testing.assert_close(a.pred_scores, b.pred_scores, atol=2e-3, rtol=0)
        differ = a.pred_masks != b.pred_masks
        near = (b.pred_scores.float() - 0.5).abs() < 2e-3
        assert not (differ & ~near).any()  # only pixels at the threshold may differ


def test_a_batch_of_videos_keeps_every_expression(model):
    """Two videos with 3 and 2 expressions in one collated batch (batch_size=2): every
    (video, expression) comes out once, in order, with its per-expression masks."""
    a, b = _video(9, seed=3), _video(6, seed=4)
    out = _video_level(model, _item(a, 'a'), _item(b, 'b', PROMPTS[:2]))
    ref = _per_expression(model, a, 'a') + _per_expression(model, b, 'b', PROMPTS[:2])
    assert [(s.video_id, s.exp_id) for s in out] == [(s.video_id, s.exp_id) for s in ref]
    assert len(out) == 5
    for x, y in zip(out, ref):
        assert torch.equal(x.pred_masks, y.pred_masks)


def test_video_level_with_imagenet_frames(tiny_wan_dir):
    """The video-level path normalises frames as the data preprocessor does
    (the Oct-2025 release's ImageNet statistics here)."""
    model = build_tiny_flowrvs(
        tiny_wan_dir, test_cfg=dict(with_scores=True),
        data_preprocessor=dict(type='RVOSDataPreprocessor', frame_norm='imagenet')).eval()
    frames = _video(5, seed=5)
    for x, y in zip(_video_level(model, frames), _per_expression(model, frames)):
        assert torch.equal(x.pred_masks, y.pred_masks)
        torch.testing.assert_close(x.pred_scores, y.pred_scores, atol=2e-3, rtol=0)


@pytest.mark.parametrize('t', [9, 6])
def test_one_window_is_one_clip(model, t):
    frames = _video(t, seed=1)
    one_clip = _video_level(model, frames)
    model.window = check_window(dict(frames=9, overlap=4))
    try:
        windowed = _video_level(model, frames)
        per_exp = _per_expression(model, frames)  # per-expression path with the window
    finally:
        model.window = None
    for a, b, c in zip(one_clip, windowed, per_exp):
        assert torch.equal(a.pred_masks, b.pred_masks)
        assert torch.equal(a.pred_scores, b.pred_scores)
        assert torch.equal(a.pred_masks, c.pred_masks)


def test_windows_blend_at_the_seam(model):
    """Two windows of 9 over 13 frames (overlap 5), against the formula by hand."""
    frames = _video(13, seed=2)
    model.window = check_window(dict(frames=9, overlap=5))
    try:
        out = _video_level(model, frames)
    finally:
        model.window = None
    assert window_spans(13, 9, 5) == [(0, 9), (4, 13)]
    with torch.no_grad():
        text = model.text_encoder(PROMPTS[:1])
        logits = []
        for a, b in [(0, 9), (4, 13)]:
            z_v = model.vae.encode_video(model.data_preprocessor.clip_to_batch(frames[a:b]))
            z_m = model.sampler.sample(model.velocity_fn(text, z_v), z_v)
            logits.append(model.mask_decoder(z_m)[0, 0])  # (9, 16, 32)
    ramp = torch.arange(1, 6) / 6.0  # the later window's weights on the 5 shared frames
    blend = torch.cat([logits[0][:4],
                       (1 - ramp).view(-1, 1, 1) * logits[0][4:] + ramp.view(-1, 1, 1)
                       * logits[1][:5], logits[1][5:]])  # (13, 16, 32)
    if model.mask_decoder.clamp_before_resize:  # the raw blend is clamped, then resized
        blend = blend.clamp(-1.0, 1.0)
    up = F.interpolate(blend[:, None], size=(20, 40), mode='bilinear', align_corners=False)
    expected = torch.sigmoid(up[:, 0])
    torch.testing.assert_close(out[0].pred_scores.float(), expected, atol=1e-3, rtol=0)
    assert (out[0].pred_masks == (expected > 0.5)).float().mean() > 0.999
    # the seam is really blended: differs from either window alone
    alone = torch.sigmoid(F.interpolate(logits[1][:5, None].clamp(-1.0, 1.0), size=(20, 40),
                                        mode='bilinear', align_corners=False)[:, 0])
    assert (out[0].pred_scores[4:9].float() - alone).abs().max() > 1e-2


def test_blender_weights_and_streaming():
    spans = window_spans(20, 9, 3)
    assert spans == [(0, 9), (6, 15), (11, 20)]
    w0, w1 = ramp_weights(spans, 0), ramp_weights(spans, 1)
    torch.testing.assert_close(w0[6:] + w1[:3], torch.ones(3))
    torch.testing.assert_close(w1[:3], torch.tensor([1, 2, 3]) / 4.0)
    blender = WindowBlender(spans)
    got = torch.zeros(20)
    seen = []
    for k, (a, b) in enumerate(spans):
        logits = torch.full((1, 1, b - a, 1, 1), float(k))
        for first, part in blender.add(k, logits):
            seen.append((first, part.shape[2]))
            got[first:first + part.shape[2]] = part.flatten()
    assert seen == [(0, 6), (6, 5), (11, 9)]  # every frame handed back once, in order
    assert torch.equal(got[:6], torch.zeros(6)) and torch.equal(got[15:], torch.full((5,), 2.))
    torch.testing.assert_close(got[6:9], torch.tensor([1, 2, 3]) / 4.0)


@pytest.mark.parametrize('window, match', [
    (dict(frames=8, overlap=0), r'frames must be of the form 4k \+ 1'),
    (dict(frames=1, overlap=0), r'frames must be of the form 4k \+ 1'),
    (dict(frames=9, overlap=9), 'overlap must be smaller'),
    (dict(frames=9, overlap=-1), 'overlap must be an integer >= 0'),
    (dict(frame=9), 'must be dict'),
])
def test_bad_windows_fail_at_build_naming_the_option(tiny_wan_dir, window, match):
    with pytest.raises(ValueError, match=match) as err:
        build_tiny_flowrvs(tiny_wan_dir, test_cfg=dict(window=window))
    assert 'model.test_cfg.window' in str(err.value)


def test_bad_expression_batch(tiny_wan_dir):
    with pytest.raises(ValueError, match='model.test_cfg.expression_batch'):
        build_tiny_flowrvs(tiny_wan_dir, test_cfg=dict(expression_batch=0))
