import os
import shutil

import pytest
import torch

from mmflowrvs.models.detectors import FlowRVS

from ._builders import build_tiny_flowrvs, make_batch


def test_built_from_a_tiny_folder_through_from_pretrained(tiny_wan_dir):
    model = build_tiny_flowrvs(tiny_wan_dir)
    assert isinstance(model, FlowRVS)
    from diffusers import WanTransformer3DModel
    ref = WanTransformer3DModel.from_pretrained(os.path.join(tiny_wan_dir, 'transformer'))
    torch.testing.assert_close(model.backbone.transformer.proj_out.weight, ref.proj_out.weight)
    # only the DiT trains here (the decoder is stage 1's, the rest is frozen)
    assert not any(p.requires_grad for p in model.text_encoder.parameters())
    assert not any(p.requires_grad for p in model.vae.parameters())
    assert not any(p.requires_grad for p in model.mask_decoder.parameters())
    assert all(p.requires_grad for p in model.backbone.parameters())


def test_predict_returns_bool_masks_at_original_size(tiny_wan_dir):
    model = build_tiny_flowrvs(tiny_wan_dir).eval()
    data = model.data_preprocessor(make_batch(num=2, t=6, ori=(45, 70)), False)
    assert data['inputs'].shape == (2, 3, 9, 32, 48)  # T padded to 1 (mod 4)
    out = model(**data, mode='predict')
    for s in out:
        assert s.pred_masks.shape == (6, 45, 70) and s.pred_masks.dtype == torch.bool
        assert s.nfe == 1
    logits = model(**data, mode='tensor')
    assert logits.shape == (2, 1, 9, 32, 48)


def test_predict_matches_the_reference_numerics(tiny_wan_dir):
    """Mask = sigmoid(bilinear(decoder(z_v - f(z_v, 1000)))) > 0.5, by hand."""
    import torch.nn.functional as F
    model = build_tiny_flowrvs(tiny_wan_dir).eval()
    data = model.data_preprocessor(make_batch(num=1, t=5, ori=(40, 60)), False)
    out = model(**data, mode='predict')[0]
    x = data['inputs']
    with torch.no_grad():
        z_v = model.vae.encode_video(x)
        text = model.text_encoder(['the red square'])
        z_m = z_v - model.backbone(z_v, torch.full((1,), 1000.0), text, z_v)
        logits = model.mask_decoder(z_m)[0, 0]  # (T, H, W)
        up = F.interpolate(logits[:, None], size=(40, 60), mode='bilinear', align_corners=False)
    assert torch.equal(out.pred_masks, torch.sigmoid(up[:, 0]) > 0.5)


def test_with_scores(tiny_wan_dir):
    model = build_tiny_flowrvs(tiny_wan_dir, test_cfg=dict(with_scores=True)).eval()
    data = model.data_preprocessor(make_batch(num=1), False)
    s = model(**data, mode='predict')[0]
    assert s.pred_scores.dtype == torch.float16
    assert torch.equal(s.pred_scores.float() > 0.5, s.pred_masks) or \
        (s.pred_scores.float() - 0.5).abs().min() < 1e-3


def test_training_steps_on_a_fixed_batch_halve_the_loss(tiny_wan_dir):
    torch.manual_seed(0)
    model = build_tiny_flowrvs(tiny_wan_dir, start_point_augmentation=False,
                               objective=dict(type='FlowMatchingObjective', boundary_prob=1.0))
    model.train()
    data = model.data_preprocessor(make_batch(num=2, t=5), True)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=2e-3, weight_decay=0.0)
    losses = []
    for _ in range(40):
        loss = model(**data, mode='loss')['loss_flow']
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] <= 0.5 * losses[0], losses


def test_loss_with_bbs_and_spa_runs_and_backprops(tiny_wan_dir):
    model = build_tiny_flowrvs(tiny_wan_dir).train()
    data = model.data_preprocessor(make_batch(num=2), True)
    loss = model(**data, mode='loss')['loss_flow']
    loss.backward()
    assert model.backbone.transformer.proj_out.weight.grad is not None
    assert loss.item() > 0


def test_checkpoint_keeps_only_trained_parts_and_checks_shapes(tiny_wan_dir):
    model = build_tiny_flowrvs(tiny_wan_dir)
    sd = model.state_dict()
    assert {k.split('.')[0] for k in sd} == {'backbone', 'mask_decoder'}
    other = build_tiny_flowrvs(tiny_wan_dir)
    other.load_state_dict(sd, strict=True)
    no_dvi = build_tiny_flowrvs(tiny_wan_dir, backbone=dict(type='WanBackbone', use_dvi=False))
    with pytest.raises(ValueError, match='use_dvi'):
        no_dvi.load_state_dict(sd, strict=False)


def test_wan_folder_missing_a_subfolder(tiny_wan_dir, tmp_path):
    broken = str(tmp_path / 'wan')
    shutil.copytree(tiny_wan_dir, broken)
    shutil.rmtree(os.path.join(broken, 'text_encoder'))
    with pytest.raises(FileNotFoundError, match='text_encoder/config.json'):
        build_tiny_flowrvs(broken)


def test_video_with_no_frames(tiny_wan_dir):
    model = build_tiny_flowrvs(tiny_wan_dir)
    data = make_batch(num=1)
    data['inputs'] = [data['inputs'][0][:0]]
    with pytest.raises(ValueError, match='no frames'):
        model.data_preprocessor(data, False)


def test_empty_expression(tiny_wan_dir):
    model = build_tiny_flowrvs(tiny_wan_dir).eval()
    data = make_batch(num=1)
    data['data_samples'][0].set_metainfo(dict(expression='  '))
    data = model.data_preprocessor(data, False)
    with pytest.raises(ValueError, match='empty'):
        model(**data, mode='predict')
