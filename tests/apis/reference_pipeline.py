"""An independent re-implementation of the authors' FlowRVS inference, for tests.

Written from shared/spec/method.md with diffusers, transformers, PIL and torch used
directly; nothing from mmflowrvs is imported, so a bug in our code cannot hide here.
It loads the authors' file formats (``FlowRVS_dit_*.pth``, ``tuned_vae.pth``) the way
their loader does and runs one video (all frames as one clip) for one expression:

    PIL bilinear resize into 480 x 832 (aspect kept, floored to 16) -> frame
    normalisation -> VAE posterior mean -> (mu - mean) / std -> cleaned, raw-case text
    -> UMT5, trimmed and zero-padded -> Euler with diffusers' FlowMatchEulerDiscrete-
    Scheduler (shift-3 timesteps) -> [denormalise] -> tuned VAE decode -> bilinear
    resize to the original size -> sigmoid > 0.5.

Fp32 throughout (the authors run bf16 on a GPU; the comparison needs one dtype).
"""
import html
import os
import re
from dataclasses import dataclass
from typing import List, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

# what each release fed the VAE and did with the mask latent (method.md)
RELEASES = {
    '2602': dict(frame_mean=(0.5, 0.5, 0.5), frame_std=(0.5, 0.5, 0.5),
                 dvi=False, mask_latent_normalized=False),
    '2510': dict(frame_mean=(0.485, 0.456, 0.406), frame_std=(0.229, 0.224, 0.225),
                 dvi=True, mask_latent_normalized=True),
}


@dataclass
class ReferenceOutput:
    """What the authors' pipeline computes for one video and expression."""
    frames: torch.Tensor  # (1, 3, T_pad, h, w) the normalised, padded VAE input
    z_v: torch.Tensor  # (1, 16, T', h/8, w/8) normalised posterior mean
    text: torch.Tensor  # (1, max_length, D) prompt embeddings
    timesteps: List[float]
    z_m: torch.Tensor  # (1, 16, T', h/8, w/8) the ODE's end (before any denormalisation)
    logits: torch.Tensor  # (T_pad, h, w) decoder output (clamped by AutoencoderKLWan.decode)
    full_logits: torch.Tensor  # (T, H, W) resized to the original size, pad frames dropped
    masks: np.ndarray  # (T, H, W) bool


def clean_prompt(text: str) -> str:
    """Whitespace collapsed and stripped, HTML unescaped once, ``"`` and ``\\`` removed."""
    text = re.sub(r'\s+', ' ', text).strip()
    text = html.unescape(text)
    return re.sub(r'["\\]+', '', text)


def fit_size(h: int, w: int, box=(480, 832), multiple: int = 16) -> Tuple[int, int]:
    """The largest (h, w) inside ``box`` with the aspect ratio kept, floored to ``multiple``."""
    ratio = min(box[0] / h, box[1] / w)
    return int(h * ratio) // multiple * multiple, int(w * ratio) // multiple * multiple


def load_dit(wan_dir: str, dit_path: str, dvi: bool):
    """The DiT with the file's weights; EMA shadow weights copied in when present."""
    from diffusers import WanTransformer3DModel
    from diffusers.training_utils import EMAModel
    config = WanTransformer3DModel.load_config(os.path.join(wan_dir, 'transformer'))
    if dvi:  # direct video injection: 32 input channels, 16 out
        config = dict(config, in_channels=2 * config['out_channels'])
    dit = WanTransformer3DModel.from_config(config)
    ckpt = torch.load(dit_path, map_location='cpu', weights_only=True)
    dit.load_state_dict(ckpt.get('model', ckpt), strict=True)
    if 'ema_model' in ckpt:
        ema = EMAModel(dit.parameters())
        ema.load_state_dict(ckpt['ema_model'])
        ema.copy_to(dit.parameters())
    return dit.eval()


def load_tuned_vae(wan_dir: str, vae_path: str):
    """Wan's VAE with a 1-channel causal ``decoder.conv_out`` and the tuned weights."""
    from diffusers import AutoencoderKLWan
    from diffusers.models.autoencoders.autoencoder_kl_wan import WanCausalConv3d
    vae = AutoencoderKLWan.from_pretrained(os.path.join(wan_dir, 'vae'))
    vae.decoder.conv_out = WanCausalConv3d(vae.decoder.conv_out.in_channels, 1, 3, padding=1)
    ckpt = torch.load(vae_path, map_location='cpu', weights_only=True)
    sd = ckpt.get('model', ckpt)
    vae.load_state_dict({k[len('vae.'):]: v for k, v in sd.items()}, strict=True)
    return vae.eval()


def encode_prompt(wan_dir: str, prompt: str, max_length: int) -> torch.Tensor:
    """(1, max_length, D): UMT5 states of the cleaned prompt, zero past its tokens."""
    from transformers import AutoTokenizer, UMT5EncoderModel
    tokenizer = AutoTokenizer.from_pretrained(os.path.join(wan_dir, 'tokenizer'))
    encoder = UMT5EncoderModel.from_pretrained(os.path.join(wan_dir, 'text_encoder')).eval()
    tokens = tokenizer([clean_prompt(prompt)], padding='max_length', max_length=max_length,
                       truncation=True, add_special_tokens=True, return_attention_mask=True,
                       return_tensors='pt')
    states = encoder(tokens.input_ids, tokens.attention_mask).last_hidden_state[0]
    n = int(tokens.attention_mask.gt(0).sum())
    out = states.new_zeros(max_length, states.shape[-1])
    out[:n] = states[:n]
    return out[None]


def preprocess(frames: List[np.ndarray], release: str, box=(480, 832)) -> torch.Tensor:
    """(1, 3, T_pad, h, w): PIL-resized into ``box``, normalised, time padded to 1 (mod 4)."""
    h, w = fit_size(*frames[0].shape[:2], box)
    cfg = RELEASES[release]
    mean = torch.tensor(cfg['frame_mean']).view(3, 1, 1)
    std = torch.tensor(cfg['frame_std']).view(3, 1, 1)
    clip = []
    for f in frames:
        img = np.asarray(Image.fromarray(f).resize((w, h), Image.BILINEAR))
        x = torch.from_numpy(img.copy()).permute(2, 0, 1).float().div(255)  # as ToTensor
        clip.append((x - mean) / std)  # as Normalize
    x = torch.stack(clip)  # (T, 3, h, w)
    pad = (4 - (x.shape[0] - 1) % 4) % 4
    x = torch.cat([x, x[-1:].repeat(pad, 1, 1, 1)])
    return x.unsqueeze(0).transpose(1, 2)


@torch.no_grad()
def reference_inference(wan_dir: str, dit_path: str, vae_path: str, frames: List[np.ndarray],
                        prompt: str, release: str, num_steps: int = 1, max_length: int = 256,
                        box=(480, 832)) -> ReferenceOutput:
    """The authors' inference of one video and expression (see the module docstring).

    ``box`` is the authors' 480 x 832; tests pass a smaller one to stay fast.
    """
    from diffusers import FlowMatchEulerDiscreteScheduler
    cfg = RELEASES[release]
    dit = load_dit(wan_dir, dit_path, cfg['dvi'])
    vae = load_tuned_vae(wan_dir, vae_path)
    mean = torch.tensor(vae.config.latents_mean).view(1, -1, 1, 1, 1)
    std = torch.tensor(vae.config.latents_std).view(1, -1, 1, 1, 1)

    x = preprocess(frames, release, box)
    z_v = (vae.encode(x).latent_dist.mean - mean) / std  # (1, 16, T', h/8, w/8)
    text = encode_prompt(wan_dir, prompt, max_length)

    shift = 3
    s = torch.linspace(1.0, 0.001, num_steps + 1, dtype=torch.float)
    timesteps = (shift * s / (1 + (shift - 1) * s) * 1000)[:-1].round()
    # the Wan folder's scheduler config is UniPC's: "shift" is unset (1), so the
    # sigmas are timesteps / 1000 followed by 0
    scheduler = FlowMatchEulerDiscreteScheduler.from_config(
        FlowMatchEulerDiscreteScheduler.load_config(os.path.join(wan_dir, 'scheduler')))
    scheduler.set_timesteps(timesteps=timesteps.tolist())
    z = z_v
    for t in timesteps:
        inp = torch.cat([z, z_v], dim=1) if cfg['dvi'] else z
        v = dit(hidden_states=inp, timestep=t.expand(1), encoder_hidden_states=text,
                return_dict=True)[0]
        z = scheduler.step(v, t, z, return_dict=False)[0]
    z_m = z
    if cfg['mask_latent_normalized']:
        z = z * std + mean
    logits = vae.decode(z).sample[0, 0]  # (T_pad, h, w), clamped to [-1, 1] by diffusers
    H, W = frames[0].shape[:2]
    full = F.interpolate(logits[:, None], size=(H, W), mode='bilinear',
                         align_corners=False)[:len(frames), 0]
    masks = (torch.sigmoid(full) > 0.5).numpy()
    return ReferenceOutput(x, z_v, text, timesteps.tolist(), z_m, logits, full, masks)
