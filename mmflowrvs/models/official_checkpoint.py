"""Conversion of the authors' released FlowRVS checkpoints to mmflowrvs' layout.

Formats (docs/method.md, "The released checkpoints"):

* ``FlowRVS_dit_mevis.pth``: ``{'model': WanTransformer3DModel state dict,
  'ema_model': diffusers EMAModel.state_dict()}`` whose ``shadow_params`` list
  follows ``model.parameters()`` order. The Oct-2025 DiT file may instead be a
  bare transformer state dict without EMA; like the authors' loader
  (``ckpt.get('model', ckpt)``, EMA copied only when ``'ema_model'`` exists) both
  are read.
* Checkpoints of the authors' training script additionally hold ``'optimizer'``,
  ``'lr_scheduler'``, ``'epoch'`` and ``'args'``, an ``argparse.Namespace``.
* ``tuned_vae.pth``: the whole ``AutoencoderKLWan`` state dict with the 1-channel
  ``decoder.conv_out``, keys prefixed ``vae.``, possibly nested under ``'model'``.

All are loaded with ``weights_only=True``; the one class allowed beyond tensors and
plain containers is ``argparse.Namespace`` (for ``'args'``), and only while these
files are read.

Whether the DiT uses direct video injection is read from its patch embedding. The
frame and mask-latent normalisation of a release cannot be read from its weights:
``release`` (see :data:`RELEASES`) records them when the user names the release.
"""
import argparse
import pickle
import re
from collections import OrderedDict
from typing import Dict, Optional, Tuple

import torch

DIT_PREFIX = 'backbone.transformer.'
DECODER_PREFIX = 'mask_decoder.vae.'
DECODER_PARTS = ('decoder.', 'post_quant_conv.')
# Globals the authors' files need beyond tensors and plain containers: the training
# script pickles its argparse.Namespace under 'args'.
TRAINING_GLOBALS = (argparse.Namespace, )
# What each release did that its weights do not show (docs/releases_and_joint_training.md).
RELEASES = {
    '2510': dict(use_dvi=True, frame_norm='imagenet', normalize_mask_latent=True),
    '2602': dict(use_dvi=False, frame_norm='wan', normalize_mask_latent=False),
}
_PLAIN = (str, int, float, bool, type(None))


def _load(path: str) -> dict:
    try:
        with torch.serialization.safe_globals(list(TRAINING_GLOBALS)):
            obj = torch.load(path, map_location='cpu', weights_only=True)
    except pickle.UnpicklingError as e:
        found = re.search(r'GLOBAL (\S+) was not an allowed global', str(e))
        what = f'an object of {found.group(1)}' if found else 'a non-tensor object'
        raise RuntimeError(
            f'cannot read checkpoint {path!r} as a tensor-only pickle: it holds {what}; '
            'only tensors, plain containers and argparse.Namespace are loaded') from e
    except Exception as e:  # noqa: BLE001 - name the file in the error
        raise RuntimeError(f'cannot read checkpoint {path!r} as a tensor-only pickle: {e}') from e
    if not isinstance(obj, dict):
        raise ValueError(f'{path!r}: expected a dict, got {type(obj).__name__}')
    return obj


def _strip(sd: Dict[str, torch.Tensor], prefix: str) -> Dict[str, torch.Tensor]:
    return OrderedDict((k[len(prefix):] if k.startswith(prefix) else k, v) for k, v in sd.items())


def _is_bare_state_dict(ckpt: dict) -> bool:
    return any(k.endswith('patch_embedding.weight') for k in ckpt) and all(
        isinstance(v, torch.Tensor) for v in ckpt.values())


def _training_args(ckpt: dict) -> Optional[dict]:
    """The plain-typed entries of the training script's ``args`` Namespace."""
    args = ckpt.get('args')
    if not isinstance(args, argparse.Namespace):
        return None
    out = {}
    for key, value in sorted(vars(args).items()):
        if isinstance(value, _PLAIN) or (isinstance(value, (list, tuple))
                                         and all(isinstance(v, _PLAIN) for v in value)):
            out[key] = list(value) if isinstance(value, tuple) else value
    return out


def convert_dit(path: str, use_ema: bool = True) -> Tuple[Dict[str, torch.Tensor], dict]:
    """Reads ``FlowRVS_dit_*.pth`` (or a checkpoint of the authors' training script).

    Args:
        path (str): The authors' DiT checkpoint: ``{'model', 'ema_model'?, ...}`` or a
            bare transformer state dict.
        use_ema (bool): Apply the EMA shadow weights when the file has them.

    Returns:
        tuple: the transformer state dict (diffusers key names) and info
        (``use_dvi``, ``dit_in_channels``, ``ema_present``, ``ema_applied``, and
        ``epoch`` / ``training_args`` for training-script checkpoints).
    """
    ckpt = _load(path)
    if isinstance(ckpt.get('model'), dict):
        model_sd = ckpt['model']
    elif _is_bare_state_dict(ckpt):
        model_sd, ckpt = ckpt, {}
    else:
        raise KeyError(f"{path!r} has no 'model' entry and is not a bare WanTransformer3DModel "
                       f'state dict (keys: {sorted(ckpt)[:8]})')
    sd = _strip(_strip(model_sd, 'module.'), 'transformer.')
    if 'patch_embedding.weight' not in sd:
        raise KeyError(f'{path!r}: no patch_embedding.weight: not a WanTransformer3DModel state')
    in_ch = sd['patch_embedding.weight'].shape[1]
    ema = ckpt.get('ema_model')
    info = dict(use_dvi=in_ch == 32, ema_applied=False, dit_in_channels=int(in_ch),
                ema_present=ema is not None)
    if isinstance(ckpt.get('epoch'), int):
        info['epoch'] = ckpt['epoch']
    args = _training_args(ckpt)
    if args is not None:
        info['training_args'] = args
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


def convert_official(dit_path: str, vae_path: str, use_ema: bool = True,
                     release: Optional[str] = None) -> dict:
    """Builds an mmflowrvs checkpoint ``{'state_dict', 'meta'}`` for ``FlowRVS``.

    Args:
        dit_path (str): The DiT file (see :func:`convert_dit`).
        vae_path (str): ``tuned_vae.pth``, or empty to leave the decoder out.
        use_ema (bool): Apply the EMA weights when present. Defaults to True.
        release (str, optional): ``'2510'`` or ``'2602'`` (:data:`RELEASES`):
            records that release's ``frame_norm`` and ``normalize_mask_latent`` in
            the metadata, after checking its DVI against the weights.

    Returns:
        dict: ``state_dict`` and ``meta`` (``use_dvi`` always; the release's
        settings when ``release`` is given), which :func:`apply_checkpoint_meta`
        applies to the config.
    """
    if release is not None and release not in RELEASES:
        raise ValueError(f'unknown release {release!r}; known: {sorted(RELEASES)}')
    dit, info = convert_dit(dit_path, use_ema)
    if release is not None:
        settings = RELEASES[release]
        if settings['use_dvi'] != info['use_dvi']:
            raise ValueError(
                f"{dit_path!r}: release {release} has use_dvi={settings['use_dvi']}, but the "
                f"file's patch embedding has {info['dit_in_channels']} input channels "
                f"(use_dvi={info['use_dvi']}): not that release")
        info.update(settings, release=release)
    state = OrderedDict((DIT_PREFIX + k, v) for k, v in dit.items())
    if vae_path:
        state.update((DECODER_PREFIX + k, v) for k, v in convert_vae(vae_path).items())
    meta = dict(info, source=dict(dit=dit_path, vae=vae_path),
                note='converted by tools/model_converters/flowrvs_official_to_mmflowrvs.py')
    return dict(state_dict=state, meta=meta)
