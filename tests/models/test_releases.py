"""Both FlowRVS releases load and run as released: the Oct-2025 preprocessing, bare DiT
files, training-script checkpoints and the checkpoint metadata applied to the config."""
import argparse
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmflowrvs.apis import init_model
from mmflowrvs.models.checkpoint_meta import apply_checkpoint_meta, read_checkpoint_meta
from mmflowrvs.models.data_preprocessors import RVOSDataPreprocessor
from mmflowrvs.models.official_checkpoint import convert_dit, convert_official
from mmflowrvs.registry import MODELS

from ._builders import make_batch, write_tuned_vae

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CFG_2510 = os.path.join(REPO, 'configs', 'flowrvs_mevis_release-2510.py')
CFG_CURRENT = os.path.join(REPO, 'configs', 'flowrvs_mevis.py')
CONVERTER = os.path.join(REPO, 'tools', 'model_converters', 'flowrvs_official_to_mmflowrvs.py')


class _NotAllowed:
    """A class no allow-list names: its pickle must be refused."""

    def __init__(self):
        self.lr = 1e-4


def _tiny_cfg(path, wan_dir):
    cfg = Config.fromfile(path)
    cfg.model.pretrained = wan_dir
    cfg.model.text_encoder.update(max_length=16, dtype=None)
    cfg.model.backbone.update(gradient_checkpointing=False, dtype=None)
    return cfg


def _perturbed(cfg):
    model = MODELS.build(cfg.model)
    g = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for p in list(model.backbone.parameters()) + list(model.mask_decoder.parameters()):
            p.add_(torch.randn(p.shape, generator=g) * 0.02)
    return model.eval()


def _logits(model, seed=0):
    batch = make_batch(num=1, t=5, ori=(32, 48), seed=seed)
    with torch.no_grad():
        return model(**model.data_preprocessor(batch, False), mode='tensor')


# ------------------------------------------------------------ frame normalisation
def test_frame_norm_wan_and_imagenet():
    x = torch.randint(0, 256, (2, 3, 16, 32), dtype=torch.uint8)
    wan = RVOSDataPreprocessor()(dict(inputs=[x]))['inputs']  # (1, 3, 5, 16, 32)
    assert torch.allclose(wan[0, :, :2].permute(1, 0, 2, 3), x.float() / 127.5 - 1)
    out = RVOSDataPreprocessor(frame_norm='imagenet')(dict(inputs=[x]))['inputs']
    assert out.shape == (1, 3, 5, 16, 32) and out.dtype == torch.float32
    arr = x.numpy().astype(np.float64) / 255.0
    for c, (m, s) in enumerate(zip((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))):
        want = torch.from_numpy((arr[:, c] - m) / s).float()  # (T, H, W)
        assert torch.allclose(out[0, c, :2], want, atol=1e-5)
        assert torch.equal(out[0, c, 4], out[0, c, 1])  # time padding repeats the last frame
    with pytest.raises(ValueError, match="frame_norm must be one of .*'ImageNet'"):
        RVOSDataPreprocessor(frame_norm='ImageNet')


def test_mask_latent_flags_must_agree(tiny_wan_dir):
    cfg = _tiny_cfg(CFG_2510, tiny_wan_dir)
    cfg.model.mask_decoder.latent_is_normalized = False
    with pytest.raises(ValueError, match='normalize_mask_latent=True and '
                                         'model.mask_decoder.latent_is_normalized=False'):
        MODELS.build(cfg.model)


def test_release_2510_config():
    cfg = Config.fromfile(CFG_2510)
    m = cfg.model
    assert m.data_preprocessor.frame_norm == 'imagenet' and m.backbone.use_dvi is True
    assert m.vae.normalize_mask_latent is True and m.mask_decoder.latent_is_normalized is True
    assert cfg.train_dataloader.dataset.type == 'MeViSDataset'  # a child of flowrvs_mevis


# ------------------------------------------------------------ the Oct-2025 files
def test_bare_2510_dit_runs_as_released(tmp_path, tiny_wan_dir):
    """A bare DiT state dict (no EMA) of a DVI model with the 2510 preprocessing: the
    converted checkpoint gives the source model's logits and masks, under the 2510
    config and, with ``--release 2510`` metadata, under the current config too."""
    src = _perturbed(_tiny_cfg(CFG_2510, tiny_wan_dir))
    dit, vae = str(tmp_path / 'FlowRVS_dit_mevis.pth'), str(tmp_path / 'tuned_vae.pth')
    torch.save(src.backbone.transformer.state_dict(), dit)  # bare, no 'model', no EMA
    write_tuned_vae(src, tiny_wan_dir, vae, nested=False)
    out = str(tmp_path / 'converted.pth')
    res = subprocess.run([sys.executable, CONVERTER, '--dit', dit, '--vae', vae, '--out', out,
                          '--release', '2510'], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    assert 'DVI=yes' in res.stdout and 'the file has no EMA' in res.stdout
    meta = torch.load(out, map_location='cpu', weights_only=True)['meta']
    assert meta['use_dvi'] is True and meta['ema_present'] is False
    assert meta['frame_norm'] == 'imagenet' and meta['normalize_mask_latent'] is True

    want = _logits(src)
    got_2510 = _logits(init_model(_tiny_cfg(CFG_2510, tiny_wan_dir), out))
    model = init_model(_tiny_cfg(CFG_CURRENT, tiny_wan_dir), out)  # meta decides
    assert model.data_preprocessor.frame_norm == 'imagenet'
    assert model.vae.normalize_mask_latent and model.mask_decoder.latent_is_normalized
    got_current = _logits(model)
    assert torch.equal(got_2510, want) and torch.equal(got_current, want)
    batch = make_batch(num=1, t=5, ori=(40, 60))
    masks = model(**model.data_preprocessor(batch, False), mode='predict')[0].pred_masks
    batch = make_batch(num=1, t=5, ori=(40, 60))
    assert torch.equal(masks, src(**src.data_preprocessor(batch, False),
                                  mode='predict')[0].pred_masks)

    # the preprocessing matters: the same weights with the current release's
    # preprocessing give other logits
    wrong_cfg = _tiny_cfg(CFG_CURRENT, tiny_wan_dir)
    wrong = MODELS.build(wrong_cfg.model)
    wrong.load_state_dict(src.state_dict(), strict=False)
    assert not torch.allclose(_logits(wrong.eval()), want)


def test_release_must_match_the_weights(tmp_path, tiny_wan_dir):
    src = _perturbed(_tiny_cfg(CFG_2510, tiny_wan_dir))  # DVI
    dit = str(tmp_path / 'dit.pth')
    torch.save(src.backbone.transformer.state_dict(), dit)
    with pytest.raises(ValueError, match='release 2602 has use_dvi=False.*32 input channels'):
        convert_official(dit, '', release='2602')
    with pytest.raises(ValueError, match='unknown release'):
        convert_official(dit, '', release='2511')
    ckpt = convert_official(dit, '')  # no release: only what the weights show
    assert ckpt['meta']['use_dvi'] is True and 'frame_norm' not in ckpt['meta']
    raw = src.backbone.transformer.state_dict()
    for k, v in convert_dit(dit)[0].items():
        assert torch.equal(v, raw[k])


# ------------------------------------------------------------ training-script files
def _training_checkpoint(tiny_wan_dir, args):
    src = _perturbed(_tiny_cfg(CFG_CURRENT, tiny_wan_dir))
    tr = src.backbone.transformer
    opt = torch.optim.AdamW(tr.parameters(), lr=5e-5)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[30], gamma=0.9)
    shadow = [p.detach().clone() + 0.01 for p in tr.parameters()]
    return tr, shadow, dict(
        model=tr.state_dict(),
        ema_model=dict(shadow_params=shadow, decay=0.9999, optimization_step=7),
        optimizer=opt.state_dict(), lr_scheduler=sched.state_dict(), epoch=3, args=args)


def test_training_script_checkpoint_with_namespace(tmp_path, tiny_wan_dir):
    args = argparse.Namespace(lr=5e-5, lr_drop=[30], output_dir='out', amp=False,
                              device='cuda', resume='', seed=42)
    tr, shadow, ckpt = _training_checkpoint(tiny_wan_dir, args)
    path = str(tmp_path / 'checkpoint0003.pth')
    torch.save(ckpt, path)
    sd, info = convert_dit(path)
    assert info['ema_applied'] is True and info['epoch'] == 3
    assert info['training_args']['lr'] == 5e-5 and info['training_args']['lr_drop'] == [30]
    for (k, v), s in zip(sd.items(), shadow):
        assert torch.equal(v, s), k
    # the allow-list holds only while the converter reads: plain loading still refuses
    with pytest.raises(pickle.UnpicklingError, match='Namespace'):
        torch.load(path, map_location='cpu', weights_only=True)


def test_other_classes_are_still_refused(tmp_path, tiny_wan_dir):
    _, _, ckpt = _training_checkpoint(tiny_wan_dir, _NotAllowed())
    path = str(tmp_path / 'evil.pth')
    torch.save(ckpt, path)
    with pytest.raises(RuntimeError,
                       match=r'tensor-only pickle: it holds an object of \S*_NotAllowed'):
        convert_dit(path)


# ------------------------------------------------------------ metadata -> config
def _fake_checkpoint(path, use_dvi_meta=None, in_channels=16):
    meta = {} if use_dvi_meta is None else dict(use_dvi=use_dvi_meta)
    sd = {'backbone.transformer.patch_embedding.weight': torch.zeros(8, in_channels, 1, 2, 2)}
    torch.save(dict(state_dict=sd, meta=meta), path)
    return path


def test_meta_overrides_config_defaults(tmp_path):
    ckpt = _fake_checkpoint(str(tmp_path / 'a.pth'), use_dvi_meta=False, in_channels=32)
    assert read_checkpoint_meta(ckpt) == dict(use_dvi=False)  # the metadata wins
    cfg = Config.fromfile(CFG_CURRENT)
    assert cfg.model.backbone.use_dvi is True
    apply_checkpoint_meta(cfg, ckpt)
    assert cfg.model.backbone.use_dvi is False
    # without metadata (our own training), the patch embedding tells
    plain = _fake_checkpoint(str(tmp_path / 'b.pth'), in_channels=32)
    cfg = Config.fromfile(CFG_CURRENT)
    cfg.model.backbone.use_dvi = False
    assert apply_checkpoint_meta(cfg, plain).model.backbone.use_dvi is True
    # a model without a backbone (the decoder fine-tuner) is left alone
    cfg = Config.fromfile(os.path.join(REPO, 'configs', 'flowrvs_decoder-finetune_mevis.py'))
    before = cfg.to_dict()
    assert apply_checkpoint_meta(cfg, ckpt).to_dict() == before


@pytest.mark.parametrize('options', [{'model.backbone.use_dvi': True},
                                     {'model': {'backbone': {'use_dvi': True}}}])
def test_explicit_disagreement_names_both_values_and_the_file(tmp_path, options):
    ckpt = _fake_checkpoint(str(tmp_path / 'feb.pth'), use_dvi_meta=False)
    cfg = Config.fromfile(CFG_CURRENT)
    with pytest.raises(ValueError) as err:
        apply_checkpoint_meta(cfg, ckpt, options)
    msg = str(err.value)
    assert 'use_dvi=False' in msg and 'model.backbone.use_dvi=True' in msg and ckpt in msg
    # an explicit value that agrees is fine
    apply_checkpoint_meta(cfg, ckpt, {'model.backbone.use_dvi': False})


def test_init_model_applies_use_dvi(tmp_path, tiny_wan_dir):
    src = _perturbed(_tiny_cfg(CFG_CURRENT, tiny_wan_dir))  # DVI
    dit = str(tmp_path / 'dit.pth')
    torch.save(dict(model=src.backbone.transformer.state_dict()), dit)
    vae = str(tmp_path / 'tuned_vae.pth')  # a whole release: strict loading needs the decoder
    write_tuned_vae(src, tiny_wan_dir, vae, nested=False)
    out = str(tmp_path / 'c.pth')
    torch.save(convert_official(dit, vae), out)
    cfg = _tiny_cfg(CFG_CURRENT, tiny_wan_dir)
    cfg.model.backbone.use_dvi = False  # a config value, not an explicit override
    model = init_model(cfg, out)
    assert model.backbone.use_dvi is True
    assert model.backbone.transformer.patch_embedding.weight.shape[1] == 32
    with pytest.raises(ValueError, match=r'use_dvi=True.*model\.backbone\.use_dvi=False'):
        init_model(_tiny_cfg(CFG_CURRENT, tiny_wan_dir), out,
                   cfg_options={'model.backbone.use_dvi': False})


def test_tools_test_rejects_an_explicit_mismatch(tmp_path):
    ckpt = _fake_checkpoint(str(tmp_path / 'feb.pth'), use_dvi_meta=False)
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get('PYTHONPATH', ''))
    res = subprocess.run([sys.executable, 'tools/test.py', CFG_CURRENT, ckpt,
                          '--work-dir', str(tmp_path / 'w'),
                          '--cfg-options', 'model.backbone.use_dvi=True'],
                         capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert res.returncode != 0
    assert 'use_dvi=False' in res.stderr and 'model.backbone.use_dvi=True' in res.stderr
    assert ckpt in res.stderr
