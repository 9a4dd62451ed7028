import os

import pytest
import torch

from mmflowrvs.models.backbones import WanBackbone
from mmflowrvs.testing import WAN21_T2V_1_3B, write_wan_configs


def _inputs(b=2):
    x = torch.randn(b, 16, 3, 4, 6)
    z_v = torch.randn(b, 16, 3, 4, 6)
    t = torch.tensor([1000, 437][:b])
    text = torch.randn(b, 7, 32)
    return x, z_v, t, text


def test_loads_from_pretrained_and_predicts_velocity(tiny_wan_dir):
    from diffusers import WanTransformer3DModel
    net = WanBackbone(pretrained=tiny_wan_dir)
    ref = WanTransformer3DModel.from_pretrained(os.path.join(tiny_wan_dir, 'transformer'))
    x, _, t, text = _inputs()
    out = net(x, t, text)
    assert out.shape == x.shape and out.dtype == torch.float32
    torch.testing.assert_close(out, ref(x, t, text, return_dict=False)[0], rtol=0, atol=0)


def test_dvi_at_initialisation_equals_the_plain_model_exactly(tiny_wan_dir):
    plain = WanBackbone(pretrained=tiny_wan_dir)
    dvi = WanBackbone(pretrained=tiny_wan_dir, use_dvi=True)
    pe = dvi.transformer.patch_embedding
    assert pe.in_channels == 32 and dvi.transformer.config.in_channels == 32
    assert torch.equal(pe.weight[:, :16], plain.transformer.patch_embedding.weight)
    assert torch.count_nonzero(pe.weight[:, 16:]) == 0
    x, z_v, t, text = _inputs()
    assert torch.equal(dvi(x, t, text, video_latent=z_v), plain(x, t, text))
    with pytest.raises(ValueError, match='video_latent'):
        dvi(x, t, text)


def test_dvi_weights_get_gradients(tiny_wan_dir):
    dvi = WanBackbone(pretrained=tiny_wan_dir, use_dvi=True)
    x, z_v, t, text = _inputs()
    dvi(x, t, text, video_latent=z_v).pow(2).mean().backward()
    assert dvi.transformer.patch_embedding.weight.grad[:, 16:].abs().sum() > 0


def test_gradient_checkpointing_gives_the_same_gradients(tiny_wan_dir):
    a = WanBackbone(pretrained=tiny_wan_dir)
    b = WanBackbone(pretrained=tiny_wan_dir, gradient_checkpointing=True)
    assert b.transformer.gradient_checkpointing
    x, _, t, text = _inputs()
    a(x, t, text).sum().backward()
    b(x, t, text).sum().backward()
    ga = a.transformer.proj_out.weight.grad
    torch.testing.assert_close(b.transformer.proj_out.weight.grad, ga)


def test_bf16_dtype_option(tiny_wan_dir):
    net = WanBackbone(pretrained=tiny_wan_dir, dtype='bf16')
    assert net.transformer.proj_out.weight.dtype == torch.bfloat16
    x, _, t, text = _inputs()
    assert net(x, t, text).dtype == torch.float32


def test_real_size_instantiates_on_meta_with_1_419b_parameters(tmp_path):
    folder = write_wan_configs(str(tmp_path / 'wan_real'), WAN21_T2V_1_3B)
    with torch.device('meta'):
        net = WanBackbone(pretrained=folder, load_weights=False)
    n = sum(p.numel() for p in net.parameters())
    assert round(n / 1e9, 3) == 1.419, n
    assert net.transformer.proj_out.weight.is_meta


def test_missing_transformer_subfolder(tmp_path):
    with pytest.raises(FileNotFoundError, match='transformer/config.json'):
        WanBackbone(pretrained=str(tmp_path))
    with pytest.raises(FileNotFoundError, match='Wan folder not found'):
        WanBackbone(pretrained=str(tmp_path / 'nope'))
