import os
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from mmflowrvs.apis import init_model

from ._builders import BASE_MODEL_CFG, build_tiny_flowrvs, make_batch, write_tuned_vae

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONVERTER = os.path.join(REPO, 'tools', 'model_converters', 'flowrvs_official_to_mmflowrvs.py')


def _perturb(module, scale, seed):
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.add_(torch.randn(p.shape, generator=g) * scale)


def _official_files(tmp_path, wan_dir, use_dvi):
    """A tiny model saved in the authors' formats: DiT {'model','ema_model'}, tuned VAE."""
    src = build_tiny_flowrvs(wan_dir, backbone=dict(type='WanBackbone', use_dvi=use_dvi))
    _perturb(src.backbone, 0.02, 1)
    _perturb(src.mask_decoder, 0.02, 2)
    tr = src.backbone.transformer
    shadow = [p.detach().clone() + 0.01 for p in tr.parameters()]
    dit = dict(model=tr.state_dict(),
               ema_model=dict(shadow_params=shadow, decay=0.9999, optimization_step=123,
                              min_decay=0.0, update_after_step=0, use_ema_warmup=False,
                              inv_gamma=1.0, power=2 / 3))
    dit_path, vae_path = str(tmp_path / 'FlowRVS_dit_mevis.pth'), str(tmp_path / 'tuned_vae.pth')
    torch.save(dit, dit_path)
    write_tuned_vae(src, wan_dir, vae_path)
    return src, shadow, dit_path, vae_path


def _config(wan_dir, use_dvi):
    cfg = Config.fromfile(BASE_MODEL_CFG)
    cfg.model.pretrained = wan_dir
    cfg.model.text_encoder.max_length = 16
    cfg.model.backbone.use_dvi = use_dvi
    return cfg


@pytest.mark.parametrize('use_dvi', [False, True])
def test_converted_checkpoint_gives_the_same_masks(tmp_path, tiny_wan_dir, use_dvi):
    src, shadow, dit_path, vae_path = _official_files(tmp_path, tiny_wan_dir, use_dvi)
    out = str(tmp_path / 'converted.pth')
    res = subprocess.run([sys.executable, CONVERTER, '--dit', dit_path, '--vae', vae_path,
                          '--out', out], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    assert f'DVI={"yes" if use_dvi else "no"}' in res.stdout
    ckpt = torch.load(out, map_location='cpu', weights_only=True)
    assert ckpt['meta']['use_dvi'] is use_dvi and ckpt['meta']['ema_applied'] is True

    model = init_model(_config(tiny_wan_dir, use_dvi), out)
    # the reference: the source model with its EMA weights applied
    with torch.no_grad():
        for p, s in zip(src.backbone.transformer.parameters(), shadow):
            p.copy_(s)
    src.eval()
    for a, b in zip(model.backbone.transformer.parameters(), src.backbone.transformer.parameters()):
        assert torch.equal(a, b)
    batch = make_batch(num=1, t=5, ori=(40, 60))
    got = model(**model.data_preprocessor(batch, False), mode='predict')[0].pred_masks
    batch = make_batch(num=1, t=5, ori=(40, 60))
    want = src(**src.data_preprocessor(batch, False), mode='predict')[0].pred_masks
    assert torch.equal(got, want)
    assert got.any() or not want.any()


def test_no_ema_keeps_raw_weights(tmp_path, tiny_wan_dir):
    from mmflowrvs.models.official_checkpoint import convert_official
    src, shadow, dit_path, vae_path = _official_files(tmp_path, tiny_wan_dir, False)
    ckpt = convert_official(dit_path, vae_path, use_ema=False)
    assert ckpt['meta']['ema_applied'] is False
    key = 'backbone.transformer.proj_out.weight'
    assert torch.equal(ckpt['state_dict'][key], src.backbone.transformer.proj_out.weight)


def test_mismatched_checkpoint_is_a_clear_error(tmp_path, tiny_wan_dir):
    _, _, dit_path, vae_path = _official_files(tmp_path, tiny_wan_dir, use_dvi=True)
    out = str(tmp_path / 'c.pth')
    subprocess.run([sys.executable, CONVERTER, '--dit', dit_path, '--vae', vae_path,
                    '--out', out], check=True, capture_output=True, cwd=REPO)
    # the config's value gives way to the checkpoint's metadata ...
    assert init_model(_config(tiny_wan_dir, use_dvi=False), out).backbone.use_dvi is True
    # ... an explicit override that disagrees is an error
    with pytest.raises(ValueError, match=r'use_dvi=True.*model\.backbone\.use_dvi=False'):
        init_model(_config(tiny_wan_dir, use_dvi=False), out,
                   cfg_options={'model.backbone.use_dvi': False})


def test_bad_official_files(tmp_path):
    from mmflowrvs.models.official_checkpoint import convert_dit, convert_vae
    bad = str(tmp_path / 'bad.pth')
    torch.save({'weights': torch.zeros(1)}, bad)
    with pytest.raises(KeyError, match="no 'model'"):
        convert_dit(bad)
    with pytest.raises(KeyError, match='decoder.conv_out'):
        convert_vae(bad)
