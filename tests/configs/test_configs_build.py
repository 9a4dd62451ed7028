"""Every config loads and its model builds against a tiny Wan (or RoBERTa) folder."""
import glob
import os

import pytest
import torch
from mmengine.config import Config

from mmflowrvs.registry import MODELS

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONFIGS = sorted(p for p in glob.glob(os.path.join(REPO, 'configs', '**', '*.py'), recursive=True)
                 if '_base_' not in p)


def test_there_are_configs_for_every_benchmark():
    names = {os.path.relpath(p, os.path.join(REPO, 'configs')) for p in CONFIGS}
    for expected in ['flowrvs_mevis.py', 'flowrvs_ref-ytvos.py', 'flowrvs_ref-davis_zero-shot.py',
                     'flowrvs_refcoco-pretrain.py', 'flowrvs_mevis-valid-server.py',
                     'flowrvs_decoder-finetune_mevis.py', 'flowrvs_mevis_fsdp.py',
                     'flowrvs_mevis_deepspeed-zero2.py', 'ablations/flowrvs_mevis_no-dvi.py',
                     'flowrvs_ref-ytvos_joint.py', 'flowrvs_mevis_release-2510.py']:
        assert expected in names


def _tiny_store(wan: str, tmp_path, dtype=None) -> str:
    from mmflowrvs.models.text_encoders import UMT5TextEncoder
    from mmflowrvs.models.text_encoders.embedding_store import ShardWriter, write_index
    enc = UMT5TextEncoder(pretrained=wan, max_length=8, dtype=dtype)
    out = str(tmp_path / 'store')
    writer = ShardWriter(out, 'r00000')
    writer.add('a dog', enc.encode_trimmed(['a dog'])[0])
    writer.flush()
    write_index(out, enc.fingerprint(), enc.embed_dim, enc.torch_dtype or torch.float32,
                [writer.entries])
    return out


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: os.path.relpath(p, REPO))
def test_config_builds(path, tiny_wan_dir, tiny_roberta_dir, tmp_path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmflowrvs'
    if cfg.model.type == 'ReferFormer':  # no Wan folder: a RoBERTa folder for its text
        cfg.model.text_encoder.pretrained = tiny_roberta_dir
    else:
        cfg.model.pretrained = tiny_wan_dir
    if 'text_encoder' in cfg.model:
        cfg.model.text_encoder.max_length = 8
        if cfg.model.text_encoder.get('cache_dir'):  # a store made from the same folder
            cfg.model.text_encoder.cache_dir = _tiny_store(tiny_wan_dir, tmp_path,
                                                       cfg.model.text_encoder.get('dtype'))
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) > 0
    if 'train_dataloader' in cfg and cfg.train_dataloader:
        assert cfg.train_dataloader.dataset.type
    if cfg.get('custom_hooks'):
        for hook in cfg.custom_hooks:
            if hook['type'].endswith('EMAHook'):  # fp32 shadow, kept exact when validating
                assert hook['ema_type'] == 'TrainableFP32EMA'
                assert hook['type'] == 'FP32EMAHook'


def test_24gb_config_serves_text_from_the_store(tiny_wan_dir, tmp_path):
    cfg = Config.fromfile(os.path.join(REPO, 'configs', 'flowrvs_mevis_24gb.py'))
    cfg.model.pretrained = tiny_wan_dir
    cfg.model.text_encoder.max_length = 8
    cfg.model.text_encoder.cache_dir = _tiny_store(tiny_wan_dir, tmp_path,
                                                       cfg.model.text_encoder.get('dtype'))
    model = MODELS.build(cfg.model)
    assert model.text_encoder.encoder is None
    assert model.backbone.transformer.patch_embedding.weight.dtype == torch.bfloat16
    assert next(model.vae.parameters()).dtype == torch.bfloat16
    assert model.text_encoder(['a dog']).shape == (1, 8, 32)


@pytest.mark.parametrize('name,row', [('noise-to-mask', '32.3'), ('mask-prediction', '38.9'),
                                      ('velocity-1step', '50.8'), ('base-flow', '47.9')])
def test_paradigm_configs_are_children_of_flowrvs_mevis_naming_their_row(name, row):
    path = os.path.join(REPO, 'configs', 'paradigms', f'flowrvs_mevis_{name}.py')
    with open(path) as f:
        text = f.read()
    assert "_base_ = '../flowrvs_mevis.py'" in text
    assert f'MeViS valid_u: {row} J&F (full FlowRVS 60.6)' in text
    cfg = Config.fromfile(path)
    assert cfg.model.objective.start_point == cfg.model.sampler.start_point
    assert cfg.model.objective.prediction == cfg.model.sampler.prediction
    assert cfg.model.text_encoder.max_length == 256  # the rest of the recipe is inherited


@pytest.mark.parametrize('name', ['flowrvs_mevis.py', 'flowrvs_ref-ytvos.py',
                                  'flowrvs_ref-davis_zero-shot.py', 'flowrvs_mevis_24gb.py',
                                  'flowrvs_mevis-valid-server.py',
                                  'flowrvs_mevis_release-2510.py'])
def test_paper_configs_test_video_level_one_clip(name):
    """The paper's inference: every video one clip (no windows), its expressions one at a
    time (the per-expression masks), one item per video in testing."""
    cfg = Config.fromfile(os.path.join(REPO, 'configs', name))
    assert cfg.model.test_cfg.window is None
    assert cfg.model.test_cfg.expression_batch == 1
    assert cfg.test_dataloader.dataset.video_level is True


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: os.path.relpath(p, REPO))
def test_only_flowrvs_tests_video_level(path):
    """Video-level items (one per video, every expression) are a FlowRVS path; the stage-0/1
    trainers and ReferFormer take one expression per item, in validation and testing."""
    cfg = Config.fromfile(path)
    for key in ('val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if not loader:
            continue
        dataset = loader.dataset.get('dataset', loader.dataset)  # through a wrapper
        if cfg.model.type != 'FlowRVS' or loader.dataset.type == 'ExpressionSwapDataset':
            assert not dataset.get('video_level', False), (key, cfg.model.type)


def test_a_child_config_sets_windows_as_documented(tmp_path):
    """The base's window=None is replaced with `_delete_=True` (README, the base model
    config); without it MMEngine refuses to merge a dict into None."""
    child = tmp_path / 'windows.py'
    base = os.path.join(REPO, 'configs', 'flowrvs_mevis.py')
    child.write_text(f'_base_ = {base!r}\n'
                     'model = dict(test_cfg=dict(window=dict(_delete_=True, frames=33, '
                     'overlap=8)))\n')
    cfg = Config.fromfile(str(child))
    assert cfg.model.test_cfg.window == dict(frames=33, overlap=8)
    assert cfg.model.test_cfg.expression_batch == 1
