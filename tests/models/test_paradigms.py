"""The paper's paradigm baselines: start point (video / noise) and target (velocity / mask)."""
import os

import pytest
import torch
from mmengine.config import Config

from mmflowrvs.models.objectives import FlowMatchingObjective
from mmflowrvs.models.task_modules import FlowEulerSampler, FlowHeunSampler
from mmflowrvs.registry import MODELS

from ._builders import build_tiny_flowrvs, make_batch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# config -> (start point, prediction, Euler steps, bound on the loss after / before 12 steps)
# (a noise start leaves part of its target, the noise, unpredictable near the mask end)
PARADIGMS = {
    'noise-to-mask': ('noise', 'velocity', 10, 0.85),
    'mask-prediction': ('video', 'mask', 1, 0.3),
    'velocity-1step': ('video', 'velocity', 1, 0.3),
    'base-flow': ('video', 'velocity', 1, 0.3),
}


def _recording(fn):
    """Wraps f(z, t), recording every (z, t) it is called with."""
    calls = []

    def wrapped(z, t):
        calls.append((z.clone(), t.clone()))
        return fn(z, t)
    return wrapped, calls


# ------------------------------------------------------------------ sampler
def test_video_start_point_is_z_v_and_default_numerics_unchanged():
    z_v = torch.randn(2, 16, 2, 4, 4)
    f, calls = _recording(lambda z, t: torch.sin(z))
    out = FlowEulerSampler(num_steps=1).sample(f, z_v)
    assert torch.equal(calls[0][0], z_v)
    assert torch.equal(out, z_v - torch.sin(z_v))


@pytest.mark.parametrize('sampler_type', [FlowEulerSampler, FlowHeunSampler])
def test_noise_start_point_is_seeded_noise_not_the_video(sampler_type):
    sampler = sampler_type(num_steps=3, start_point='noise', noise_seed=7)
    expected = torch.randn((2, 16, 2, 4, 4), generator=torch.Generator().manual_seed(7))
    firsts = []
    for z_v in (torch.randn(2, 16, 2, 4, 4), torch.randn(2, 16, 2, 4, 4) + 5):
        f, calls = _recording(lambda z, t: 0.1 * z)
        sampler.sample(f, z_v)
        assert torch.equal(calls[0][1], torch.full((2,), 1000.0))
        assert not torch.equal(calls[0][0], z_v)
        firsts.append(calls[0][0])
    torch.testing.assert_close(firsts[0], expected, rtol=0, atol=0)
    assert torch.equal(firsts[0], firsts[1])  # independent of the video's values


def test_unseeded_noise_follows_the_global_generator():
    sampler = FlowEulerSampler(start_point='noise', noise_seed=None)
    f, calls = _recording(lambda z, t: z)
    sampler.sample(f, torch.zeros(1, 4, 1, 2, 2))
    sampler.sample(f, torch.zeros(1, 4, 1, 2, 2))
    assert not torch.equal(calls[0][0], calls[1][0])


def test_one_step_mask_prediction_returns_the_network_output_itself():
    z_v = torch.randn(2, 16, 3, 4, 4)
    f, calls = _recording(lambda z, t: torch.tanh(3 * z) + 0.25)
    out = FlowEulerSampler(num_steps=1, prediction='mask').sample(f, z_v)
    assert len(calls) == 1 and torch.equal(calls[0][0], z_v)
    assert torch.equal(out, torch.tanh(3 * z_v) + 0.25)  # z_m = f(z_v, 1000), bit for bit


@pytest.mark.parametrize('sampler_type', [FlowEulerSampler, FlowHeunSampler])
@pytest.mark.parametrize('start', ['video', 'noise'])
def test_a_constant_mask_prediction_is_reached_in_any_number_of_steps(sampler_type, start):
    m = torch.randn(1, 16, 2, 3, 3)
    for n in (1, 2, 4):
        sampler = sampler_type(num_steps=n, start_point=start, prediction='mask')
        f, calls = _recording(lambda z, t: m)
        out = sampler.sample(f, torch.randn_like(m))
        torch.testing.assert_close(out, m, rtol=0, atol=1e-5)
        assert len(calls) == sampler.nfe


def test_mask_prediction_steps_along_the_straight_path():
    # the straight path x_s = s x_1 + (1 - s) m: the velocity the mask implies is x_1 - m
    m, x_1 = torch.randn(1, 4, 1, 2, 2), torch.randn(1, 4, 1, 2, 2)
    sampler = FlowEulerSampler(num_steps=3, prediction='mask')
    f, calls = _recording(lambda z, t: m)
    sampler.sample(f, x_1)
    for (z, t), sigma in zip(calls, sampler.sigmas):
        assert t[0].item() == round(sigma * 1000)
        torch.testing.assert_close(z, sigma * x_1 + (1 - sigma) * m, rtol=0, atol=1e-6)


def test_bad_start_point_or_prediction():
    with pytest.raises(ValueError, match="FlowEulerSampler: start_point must be one of"):
        FlowEulerSampler(start_point='mask')
    with pytest.raises(ValueError, match='FlowMatchingObjective: prediction must be one of'):
        FlowMatchingObjective(prediction='noise')


# ------------------------------------------------------------------ objective
def test_noise_start_point_in_training():
    objective = FlowMatchingObjective(boundary_prob=1.0, start_point='noise')
    z_v, z_m = torch.randn(2, 16, 2, 4, 4), torch.randn(2, 16, 2, 4, 4)
    f, calls = _recording(lambda x, t: torch.zeros_like(x))
    loss = objective.loss(f, z_v, z_m, generator=torch.Generator().manual_seed(3))['loss_flow']
    g = torch.Generator().manual_seed(3)
    objective.sample_timesteps(2, generator=g)  # the objective draws the timesteps first
    noise = torch.randn(z_v.shape, generator=g)
    assert torch.equal(calls[0][1], torch.full((2,), 1000))
    torch.testing.assert_close(calls[0][0], noise)  # s = 1: the network sees only noise
    torch.testing.assert_close(loss, ((noise - z_m) ** 2).mean())


def test_mask_target_in_training():
    objective = FlowMatchingObjective(boundary_prob=0.0, prediction='mask')
    z_v, z_m = torch.randn(3, 16, 2, 4, 4), torch.randn(3, 16, 2, 4, 4)
    assert objective.loss(lambda x, t: z_m, z_v, z_m)['loss_flow'].item() == 0.0
    zero_velocity = objective.loss(lambda x, t: torch.zeros_like(x), z_v, z_m)['loss_flow']
    torch.testing.assert_close(zero_velocity, (z_m ** 2).mean())


# ------------------------------------------------------------------ model
def test_mismatched_or_videoless_paradigms_are_refused(tiny_wan_dir):
    with pytest.raises(ValueError, match="model.objective.prediction='mask' but model.sampler"):
        build_tiny_flowrvs(tiny_wan_dir,
                           objective=dict(type='FlowMatchingObjective', prediction='mask'))
    noise = dict(type='FlowMatchingObjective', start_point='noise')
    with pytest.raises(ValueError, match='needs model.backbone.use_dvi=True'):
        build_tiny_flowrvs(tiny_wan_dir, objective=noise,
                           sampler=dict(type='FlowEulerSampler', start_point='noise'),
                           backbone=dict(type='WanBackbone', use_dvi=False))


def _paradigm_model(name: str, wan_dir: str):
    cfg = Config.fromfile(os.path.join(REPO, 'configs', 'paradigms', f'flowrvs_mevis_{name}.py'))
    cfg.model.pretrained = wan_dir
    cfg.model.text_encoder.update(max_length=16, dtype=None)  # fp32, no checkpointing: toy size
    cfg.model.backbone.update(dtype=None, gradient_checkpointing=False)
    return MODELS.build(cfg.model)


@pytest.mark.parametrize('name', list(PARADIGMS))
def test_paradigm_config_names_its_paradigm_and_its_loss_falls(name, tiny_wan_dir):
    start, prediction, steps, bound = PARADIGMS[name]
    model = _paradigm_model(name, tiny_wan_dir)
    assert (model.objective.start_point, model.objective.prediction) == (start, prediction)
    assert (model.sampler.start_point, model.sampler.prediction) == (start, prediction)
    assert model.sampler.num_steps == steps
    assert model.backbone.use_dvi == (start == 'noise')  # the noise start gets the video by DVI
    model.train()
    data = model.data_preprocessor(make_batch(num=2, t=5), True)

    def fixed_draw_loss():  # the training batch, the same timesteps and noise each time
        with torch.no_grad():
            losses = []
            for seed in range(2):
                torch.manual_seed(100 + seed)
                losses.append(model(**data, mode='loss')['loss_flow'].item())
        return sum(losses) / len(losses)
    before = fixed_draw_loss()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=3e-3,
                            weight_decay=0.0)
    torch.manual_seed(0)
    for _ in range(12):
        loss = model(**data, mode='loss')['loss_flow']
        opt.zero_grad()
        loss.backward()
        opt.step()
    after = fixed_draw_loss()
    assert after < bound * before, (before, after)


def test_noise_to_mask_model_samples_from_noise_and_injects_the_video(tiny_wan_dir):
    model = _paradigm_model('noise-to-mask', tiny_wan_dir).eval()
    data = model.data_preprocessor(make_batch(num=1, t=5), False)
    seen = []
    forward = model.backbone.forward

    def spy(x, t, text, video_latent=None):
        seen.append((x.clone(), t.clone(), video_latent.clone()))
        return forward(x, t, text, video_latent)
    model.backbone.forward = spy
    model(**data, mode='predict')
    z_v = model.vae.encode_video(data['inputs'], sample=False)
    assert len(seen) == 10
    first_x, first_t, video = seen[0]
    assert first_t[0].item() == 1000
    assert torch.equal(first_x, model.sampler.start(z_v)) and not torch.equal(first_x, z_v)
    assert all(torch.equal(v, z_v) for _, _, v in seen)  # DVI: z_v at every step


def test_mask_prediction_model_decodes_the_network_output(tiny_wan_dir):
    model = _paradigm_model('mask-prediction', tiny_wan_dir).eval()
    data = model.data_preprocessor(make_batch(num=1, t=5), False)
    logits = model(**data, mode='tensor')
    with torch.no_grad():
        z_v = model.vae.encode_video(data['inputs'], sample=False)
        text = model.text_encoder(['the red square'])
        z_m = model.backbone(z_v, torch.full((1,), 1000.0), text, z_v)
        assert torch.equal(logits, model.mask_decoder(z_m))


@pytest.mark.parametrize('name', ['velocity-1step', 'base-flow', 'mask-prediction'])
def test_video_start_paradigms_query_the_video_latent_once_at_t_1000(name, tiny_wan_dir):
    """One step from s = 1: the network sees z_v itself at t = 1000, once."""
    model = _paradigm_model(name, tiny_wan_dir).eval()
    data = model.data_preprocessor(make_batch(num=1, t=5), False)
    seen = []
    forward = model.backbone.forward

    def spy(x, t, text, video_latent=None):
        seen.append((x.clone(), t.clone()))
        return forward(x, t, text, video_latent)
    model.backbone.forward = spy
    model(**data, mode='predict')
    z_v = model.vae.encode_video(data['inputs'], sample=False)
    assert len(seen) == 1
    assert torch.equal(seen[0][0], z_v) and seen[0][1].tolist() == [1000]
