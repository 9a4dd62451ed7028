"""Every config loads and its model builds against a tiny Wan folder."""
import glob
import os

import pytest
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


@pytest.mark.parametrize('path', CONFIGS, ids=lambda p: os.path.relpath(p, REPO))
def test_config_builds(path, tiny_wan_dir):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmflowrvs'
    cfg.model.pretrained = tiny_wan_dir
    if 'text_encoder' in cfg.model:
        cfg.model.text_encoder.max_length = 8
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) > 0
    if 'train_dataloader' in cfg and cfg.train_dataloader:
        assert cfg.train_dataloader.dataset.type
    if cfg.get('custom_hooks'):
        for hook in cfg.custom_hooks:
            if hook['type'] == 'EMAHook':
                assert hook['ema_type'] == 'TrainableFP32EMA'
