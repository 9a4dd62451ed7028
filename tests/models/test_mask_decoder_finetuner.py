import torch

from mmflowrvs.models.detectors import MaskDecoderFinetuner
from mmflowrvs.registry import MODELS

from ._builders import build_tiny_flowrvs, make_batch


def _finetuner(wan_dir, **kw):
    return MODELS.build(dict(type='MaskDecoderFinetuner', pretrained=wan_dir,
                             vae=dict(type='WanVAEEncoder'),
                             mask_decoder=dict(type='WanMaskDecoder'), **kw))


def test_losses_iou_and_reconstructions(tiny_wan_dir):
    model = _finetuner(tiny_wan_dir)
    assert isinstance(model, MaskDecoderFinetuner)
    data = model.data_preprocessor(make_batch(num=2, t=5, ori=(40, 60)), True)
    out = model(**data, mode='loss')
    assert set(out) == {'loss_focal', 'loss_dice', 'iou'}
    assert 0.0 <= out['iou'].item() <= 1.0
    (out['loss_focal'] + out['loss_dice']).backward()
    assert model.mask_decoder.vae.decoder.conv_out.weight.grad is not None
    assert not any(p.requires_grad for p in model.vae.parameters())
    preds = model(**model.data_preprocessor(make_batch(num=1, t=5, ori=(40, 60)), False),
                  mode='predict')
    assert preds[0].pred_masks.shape == (5, 40, 60)


def test_decoder_training_raises_iou_and_loads_into_flowrvs(tiny_wan_dir):
    torch.manual_seed(0)
    model = _finetuner(tiny_wan_dir, sample_posterior=False)
    data = model.data_preprocessor(make_batch(num=2, t=5), True)
    opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3e-3)
    first = None
    for _ in range(25):
        out = model(**data, mode='loss')
        first = first if first is not None else (out['loss_focal'] + out['loss_dice']).item()
        opt.zero_grad()
        (out['loss_focal'] + out['loss_dice']).backward()
        opt.step()
    last = (out['loss_focal'] + out['loss_dice']).item()
    assert last < 0.8 * first, (first, last)
    sd = model.state_dict()
    assert {k.split('.')[0] for k in sd} == {'mask_decoder'}  # frozen encoder left out
    flowrvs = build_tiny_flowrvs(tiny_wan_dir)
    missing, _ = flowrvs.load_state_dict(sd, strict=False)
    assert not any(k.startswith('mask_decoder.') for k in missing)
    assert torch.equal(flowrvs.mask_decoder.vae.decoder.conv_out.weight,
                       model.mask_decoder.vae.decoder.conv_out.weight)


def test_test_time_masks_at_the_original_size_are_resized_to_the_clip(tiny_wan_dir):
    """Test pipelines keep gt_masks at ori_shape while frames are resized."""
    import torch.nn.functional as F
    model = _finetuner(tiny_wan_dir, sample_posterior=False).eval()
    batch = make_batch(num=1, t=5, size=(32, 48), ori=(64, 96))
    small = batch['data_samples'][0].gt_masks  # (5, 32, 48) at the clip size
    big = F.interpolate(small[None].float(), size=(64, 96), mode='nearest')[0] > 0.5
    batch['data_samples'][0].gt_masks = big  # as a test pipeline delivers it
    data = model.data_preprocessor(batch, False)
    logits_big = model(**data, mode='tensor')
    batch['data_samples'][0].gt_masks = small
    logits_small = model(**model.data_preprocessor(batch, False), mode='tensor')
    assert torch.equal(logits_big, logits_small)
