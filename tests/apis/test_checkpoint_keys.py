"""init_model refuses checkpoints of other models (issue 20, item 1)."""
import pytest
import torch
from mmengine.config import Config

from mmflowrvs.apis import init_model
from mmflowrvs.utils.checkpoint_keys import CheckpointMismatchError, key_group
from tests.models._builders import build_tiny_flowrvs

BASE_MODEL_CFG = 'configs/_base_/models/flowrvs_wan2.1_t2v_1.3b.py'


def _cfg(wan_dir):
    cfg = Config.fromfile(BASE_MODEL_CFG)
    cfg.model.pretrained = wan_dir
    cfg.model.text_encoder.max_length = 16
    return cfg


@pytest.fixture(scope='module')
def own_state(tiny_wan_dir):
    """A FlowRVS checkpoint's state dict (frozen text encoder / VAE encoder left out)."""
    sd = build_tiny_flowrvs(tiny_wan_dir).state_dict()
    assert not any(k.startswith(('text_encoder.', 'vae.')) for k in sd)
    return sd


def test_key_groups():
    assert key_group('backbone.transformer.blocks.3.attn1.to_q.weight') == \
        'backbone.transformer.blocks.*'
    assert key_group('mask_decoder.vae.decoder.conv_out.weight') == 'mask_decoder.vae.decoder'
    assert key_group('weight') == 'weight'


def test_own_checkpoint_loads_without_frozen_parts(tmp_path, tiny_wan_dir, own_state):
    path = str(tmp_path / 'own.pth')
    torch.save(dict(state_dict={k: v + 1 if v.is_floating_point() else v
                                for k, v in own_state.items()}), path)
    model = init_model(_cfg(tiny_wan_dir), path)
    key = next(k for k, v in own_state.items() if v.is_floating_point())
    assert torch.equal(model.state_dict()[key], own_state[key] + 1)


def test_checkpoint_without_the_dit_is_refused(tmp_path, tiny_wan_dir, own_state):
    path = str(tmp_path / 'no_dit.pth')
    torch.save(dict(state_dict={k: v for k, v in own_state.items()
                                if not k.startswith('backbone.')}), path)
    with pytest.raises(CheckpointMismatchError) as err:
        init_model(_cfg(tiny_wan_dir), path)
    msg = str(err.value)
    assert path in msg and 'missing' in msg and 'backbone.transformer.blocks.*' in msg
    assert 'unexpected' not in msg and 'text_encoder, vae' in msg


def test_state_dict_of_another_model_is_refused(tmp_path, tiny_wan_dir):
    path = str(tmp_path / 'resnet.pth')
    torch.save({'conv1.weight': torch.zeros(4, 3, 3, 3), 'layer1.0.bn1.weight': torch.ones(4),
                'fc.weight': torch.zeros(2, 4)}, path)
    with pytest.raises(CheckpointMismatchError) as err:
        init_model(_cfg(tiny_wan_dir), path)
    msg = str(err.value)
    assert 'unexpected 3 keys' in msg and 'layer1.*' in msg and 'conv1' in msg
    assert 'missing' in msg and 'mask_decoder' in msg
