"""Helpers that build tiny FlowRVS models and synthetic batches for tests."""
import copy

import torch
from mmengine.config import Config

from mmflowrvs.registry import MODELS
from mmflowrvs.structures import RVOSDataSample

BASE_MODEL_CFG = 'configs/_base_/models/flowrvs_wan2.1_t2v_1.3b.py'


def tiny_model_cfg(wan_dir: str, **overrides) -> dict:
    cfg = copy.deepcopy(Config.fromfile(BASE_MODEL_CFG).model)
    cfg.pretrained = wan_dir
    cfg.text_encoder.max_length = 16
    cfg.update(overrides)
    return cfg


def build_tiny_flowrvs(wan_dir: str, **overrides):
    return MODELS.build(tiny_model_cfg(wan_dir, **overrides))


def make_batch(num=2, t=5, size=(32, 48), ori=(40, 60), seed=0, prompts=None):
    """Packed-style data: uint8 (T, 3, H, W) frames with a moving square and its mask."""
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    prompts = prompts or ['the red square', 'the blue circle moving left']
    for i in range(num):
        frames = torch.randint(0, 60, (t, 3, *size), generator=g, dtype=torch.uint8)
        masks = torch.zeros(t, *size, dtype=torch.bool)
        for k in range(t):
            y, x = 4 + k, 6 + 3 * k + 5 * i
            masks[k, y:y + 12, x:x + 12] = True
            frames[k, 0, y:y + 12, x:x + 12] = 230
        s = RVOSDataSample(metainfo=dict(
            expression=prompts[i % len(prompts)], num_frames=t, img_shape=size, ori_shape=ori,
            video_id=f'v{i}', exp_id='0'))
        s.gt_masks = masks
        inputs.append(frames)
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


def write_tuned_vae(model, wan_dir: str, path: str, nested: bool = True) -> str:
    """Writes ``tuned_vae.pth`` as the authors release it: the Wan folder's encoder and
    ``model``'s mask decoder as one AutoencoderKLWan state dict with ``vae.``-prefixed
    keys, under ``'model'`` if ``nested``."""
    import os

    from diffusers import AutoencoderKLWan
    full = AutoencoderKLWan.from_pretrained(os.path.join(wan_dir, 'vae'))
    sd = {f'vae.{k}': v for k, v in full.state_dict().items()
          if not k.startswith(('decoder.', 'post_quant_conv.'))}
    sd.update({f'vae.{k}': v for k, v in model.mask_decoder.vae.state_dict().items()})
    torch.save(dict(model=sd) if nested else sd, path)
    return path
