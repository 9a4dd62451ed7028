"""Conversion of the authors' released FlowRVS checkpoints to mmflowrvs' layout.

Formats (shared/spec/method.md, "Released checkpoints"):

* ``FlowRVS_dit_mevis.pth``: ``{'model': WanTransformer3DModel state dict,
  'ema_model': diffusers EMAModel.state_dict()}`` whose ``shadow_params`` list
  follows ``model.parameters()`` order.
* ``tuned_vae.pth``: the whole ``AutoencoderKLWan`` state dict with the 1-channel
  ``decoder.conv_out``, keys prefixed ``vae.``, possibly nested under ``'model'``.

Both are plain tensor pickles, loaded with ``weights_only=True``.
"""
from collections import OrderedDict
from typing import Dict, Tuple

import torch

DIT_PREFIX = 'backbone.transformer.'
DECODER_PREFIX = 'mask_decoder.vae.'
DECODER_PARTS = ('decoder.', 'post_quant_conv.')


def _load(path: str) -> dict:
    try:
        obj = torch.load(path, map_location='cpu', weights_only=True)
    except Exception as e:  # noqa: BLE001 - name the file in the error
        raise RuntimeError(f'cannot read checkpoint {path!r} as a tensor-only pickle: {e}') from e
    if not isinstance(obj, dict):
        raise ValueError(f'{path!r}: expected a dict, got {type(obj).__name__}')
    return obj


def _strip(sd: Dict[str, torch.Tensor], prefix: str) -> Dict[str, torch.Tensor]:
    return OrderedDict((k[len(prefix):] if k.startswith(prefix) else k, v) for k, v in sd.items())


def convert_dit(path: str, use_ema: bool = True) -> Tuple[Dict[str, torch.Tensor], dict]:
    """Reads ``FlowRVS_dit_*.pth``.

    Args:
        path (str): The authors' DiT checkpoint.
        use_ema (bool): Apply the EMA shadow weights when present.

    Returns:
        tuple: the transformer state dict (diffusers key names) and info
        (``use_dvi``, ``ema_applied``).
    """
    ckpt = _load(path)
    if 'model' not in ckpt:
        raise KeyError(f"{path!r} has no 'model' entry (keys: {sorted(ckpt)[:8]})")
    sd = _strip(_strip(ckpt['model'], 'module.'), 'transformer.')
    if 'patch_embedding.weight' not in sd:
        raise KeyError(f'{path!r}: no patch_embedding.weight: not a WanTransformer3DModel state')
    in_ch = sd['patch_embedding.weight'].shape[1]
    info = dict(use_dvi=in_ch == 32, ema_applied=False, dit_in_channels=int(in_ch))
    ema = ckpt.get('ema_model')
    if use_ema and ema is not None:
        shadow = ema.get('shadow_params') if isinstance(ema, dict) else None
        if shadow is None:
            raise KeyError(f"{path!r}: 'ema_model' has no 'shadow_params'")
        if len(shadow) != len(sd):
            raise ValueError(f'{path!r}: {len(shadow)} EMA shadow params for {len(sd)} '
                             'model tensors; cannot map them in parameters() order')
        for (key, value), s in zip(list(sd.items()), shadow):
            if tuple(s.shape) != tuple(value.shape):
                raise ValueError(f'{path!r}: EMA param for {key} has shape {tuple(s.shape)}, '
                                 f'model has {tuple(value.shape)}')
            sd[key] = s.to(value.dtype)
        info.update(ema_applied=True, ema_decay=ema.get('decay'),
                    ema_optimization_step=ema.get('optimization_step'))
    return sd, info


def convert_vae(path: str) -> Dict[str, torch.Tensor]:
    """Reads ``tuned_vae.pth`` and keeps the mask decoder's part.

    Returns:
        dict: ``decoder.*`` and ``post_quant_conv.*`` tensors (diffusers names).
    """
    ckpt = _load(path)
    if 'model' in ckpt and isinstance(ckpt['model'], dict):
        ckpt = ckpt['model']
    sd = _strip(_strip(ckpt, 'module.'), 'vae.')
    out = OrderedDict((k, v) for k, v in sd.items() if k.startswith(DECODER_PARTS))
    if 'decoder.conv_out.weight' not in out:
        raise KeyError(f'{path!r}: no decoder.conv_out.weight: not an AutoencoderKLWan state')
    if out['decoder.conv_out.weight'].shape[0] != 1:
        raise ValueError(f'{path!r}: decoder.conv_out has {out["decoder.conv_out.weight"].shape[0]}'
                         ' output channels; the tuned mask decoder has 1')
    return out


def convert_official(dit_path: str, vae_path: str, use_ema: bool = True) -> dict:
    """Builds an mmflowrvs checkpoint ``{'state_dict', 'meta'}`` for ``FlowRVS``."""
    dit, info = convert_dit(dit_path, use_ema)
    state = OrderedDict((DIT_PREFIX + k, v) for k, v in dit.items())
    if vae_path:
        state.update((DECODER_PREFIX + k, v) for k, v in convert_vae(vae_path).items())
    meta = dict(info, source=dict(dit=dit_path, vae=vae_path),
                note='converted by tools/model_converters/flowrvs_official_to_mmflowrvs.py')
    return dict(state_dict=state, meta=meta)
