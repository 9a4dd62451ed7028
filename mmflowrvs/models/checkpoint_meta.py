"""Applies what a checkpoint records about its architecture to the config that loads it.

A converted release (tools/model_converters/flowrvs_official_to_mmflowrvs.py) records
``use_dvi`` in its ``meta`` (and, when the user named the release, ``frame_norm`` and
``normalize_mask_latent``). :func:`apply_checkpoint_meta` writes those values into the
model config before the model is built, so one config runs either release. Checkpoints
without that metadata (our own training) tell ``use_dvi`` by their patch embedding.

The config files' values are recipe defaults and give way to the checkpoint (with a
log line). A value the user sets explicitly (``cfg_options`` / ``--cfg-options``) that
disagrees with the checkpoint is an error naming both values and the file.
"""
import os
from typing import Any, Dict, Mapping, Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.logging import print_log

# checkpoint meta key -> the config entries it decides
META_TO_CFG: Dict[str, Tuple[str, ...]] = {
    'use_dvi': ('model.backbone.use_dvi', ),
    'frame_norm': ('model.data_preprocessor.frame_norm', ),
    'normalize_mask_latent': ('model.vae.normalize_mask_latent',
                              'model.mask_decoder.latent_is_normalized'),
}
PATCH_EMBED_KEY = 'backbone.transformer.patch_embedding.weight'


def read_checkpoint_meta(path: str) -> Dict[str, Any]:
    """The architecture facts a checkpoint records (keys of :data:`META_TO_CFG`).

    The file is memory-mapped where possible (tensors are not read), with
    ``weights_only=True``.

    Args:
        path (str): An mmflowrvs checkpoint ``{'state_dict', 'meta', ...}``.

    Returns:
        dict: Subset of ``use_dvi``, ``frame_norm``, ``normalize_mask_latent``.
    """
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=True, mmap=True)
    except RuntimeError:  # files of the legacy (non-zip) format cannot be mapped
        ckpt = torch.load(path, map_location='cpu', weights_only=True)
    if not isinstance(ckpt, Mapping):
        return {}
    meta = ckpt.get('meta') if isinstance(ckpt.get('meta'), Mapping) else {}
    found = {k: meta[k] for k in META_TO_CFG if meta.get(k) is not None}
    state = ckpt.get('state_dict', ckpt)
    weight = state.get(PATCH_EMBED_KEY) if isinstance(state, Mapping) else None
    if 'use_dvi' not in found and isinstance(weight, torch.Tensor) and weight.dim() == 5:
        found['use_dvi'] = weight.shape[1] == 32  # 16 latent + 16 injected channels
    return found


def _flatten(options: Optional[Mapping], prefix: str = '') -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for key, value in (options or {}).items():
        name = f'{prefix}{key}'
        if isinstance(value, Mapping):
            out.update(_flatten(value, name + '.'))
        else:
            out[name] = value
    return out


def _parent(cfg: Config, dotted: str):
    node: Any = cfg  # a Config (not a Mapping itself), then ConfigDicts
    for part in dotted.split('.')[:-1]:
        node = node.get(part) if hasattr(node, 'get') else None
        if node is None:
            return None
    return node if isinstance(node, Mapping) else None


def apply_checkpoint_meta(cfg: Config, checkpoint: Optional[str],
                          cfg_options: Optional[Mapping] = None) -> Config:
    """Sets the config entries a checkpoint decides (in place; returns ``cfg``).

    Args:
        cfg (Config): The loaded config (``cfg_options`` already merged).
        checkpoint (str, optional): The checkpoint to be loaded; None: no change.
        cfg_options (Mapping, optional): The user's explicit overrides (dotted or
            nested keys); one that disagrees with the checkpoint raises.

    Returns:
        Config: ``cfg``.

    Raises:
        ValueError: An explicit override disagrees with the checkpoint.
    """
    if checkpoint is None or not os.path.isfile(checkpoint):
        return cfg  # the caller reports a missing file
    explicit = _flatten(cfg_options)
    for meta_key, value in read_checkpoint_meta(checkpoint).items():
        for dotted in META_TO_CFG[meta_key]:
            parent = _parent(cfg, dotted)
            if parent is None:  # e.g. the decoder fine-tuner has no backbone
                continue
            leaf = dotted.rsplit('.', 1)[1]
            if dotted in explicit and explicit[dotted] != value:
                raise ValueError(
                    f'{checkpoint}: the checkpoint was made with {meta_key}={value!r}, but '
                    f'{dotted}={explicit[dotted]!r} was set explicitly; drop the override '
                    'or use a checkpoint that matches it')
            if parent.get(leaf) != value:
                print_log(f'{dotted}={value!r} from {checkpoint} (the config had '
                          f'{parent.get(leaf)!r})', logger='current')
                parent[leaf] = value
    return cfg
