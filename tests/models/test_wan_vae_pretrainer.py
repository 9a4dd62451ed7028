import os
import subprocess
import sys

import pytest
import torch

from mmflowrvs.models.detectors import WanVAEPretrainer

from ._builders import make_batch

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_pretraining_lowers_the_loss_and_exports_a_wan_folder(tiny_wan_dir, tmp_path):
    torch.manual_seed(0)
    model = WanVAEPretrainer(pretrained=tiny_wan_dir, mask_fg_weight=10.0)
    data = model.data_preprocessor(make_batch(num=2, t=5, size=(32, 32), ori=(32, 32)), True)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    losses = []
    for _ in range(30):
        loss = sum(model(**data, mode='loss').values())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert sum(losses[-5:]) / 5 < 0.8 * sum(losses[:3]) / 3, losses
    # unclamped decoding: gradients reach the decoder's output conv
    assert model.vae.decoder.conv_out.weight.grad.abs().sum() > 0
    ckpt = str(tmp_path / 'vae.pth')
    from mmengine.logging import HistoryBuffer  # what MMEngine's checkpoints also hold
    history = HistoryBuffer()
    history.update(1.0)
    torch.save({'state_dict': model.state_dict(), 'message_hub': {'loss': history}}, ckpt)
    out = str(tmp_path / 'wan_trained')
    subprocess.run([sys.executable, 'tools/misc/export_wan_vae.py', tiny_wan_dir, ckpt, out],
                   cwd=REPO, check=True, capture_output=True)
    from diffusers import AutoencoderKLWan
    exported = AutoencoderKLWan.from_pretrained(os.path.join(out, 'vae'))
    assert torch.equal(exported.decoder.conv_out.weight, model.vae.decoder.conv_out.weight)
    assert os.path.isfile(os.path.join(out, 'transformer', 'config.json'))


def test_init_logvar_and_foreground_weights(tiny_wan_dir):
    torch.manual_seed(0)
    model = WanVAEPretrainer(pretrained=tiny_wan_dir, init_logvar=-5.0)
    x = torch.rand(1, 3, 5, 16, 16) * 2 - 1
    std = model.vae.encode(x).latent_dist.std
    assert torch.allclose(std, torch.full_like(std, torch.exp(torch.tensor(-2.5)).item()))
    rec, target = torch.zeros(1, 3, 1, 2, 2), torch.zeros(1, 3, 1, 2, 2)
    fg = torch.zeros_like(rec)
    rec[..., 0, 0] = 1.0  # error 1 on one pixel of four
    assert model._weighted_l1_l2(rec, target, fg, 10.0).item() == pytest.approx(0.5)
    fg[..., 0, 0] = 1  # that pixel is foreground, weighted 10: 10 * 2 / (10 + 3)
    assert model._weighted_l1_l2(rec, target, fg, 10.0).item() == pytest.approx(20 / 13)
