"""Keeps frozen components out of checkpoints and checks shapes on load."""
from typing import Iterable

import torch.nn as nn


def exclude_from_checkpoints(model: nn.Module, prefixes: Iterable[str]) -> None:
    """Makes ``model``'s checkpoints skip (and loads tolerate) frozen components.

    Frozen parts (the 5.7 B text encoder, the VAE encoder) are read from the Wan
    folder, never from checkpoints: ``state_dict`` drops their keys, and loading
    keeps their current values when a checkpoint lacks them. A key present in both
    with different shapes raises a clear error instead of being skipped (a silently
    skipped tensor means wrong masks).

    Args:
        model (nn.Module): The root model (its state-dict prefix is '').
        prefixes (Iterable[str]): Attribute names of the frozen components.
    """
    prefixes = tuple(f'{p}.' for p in prefixes)

    def drop_frozen(module, state_dict, prefix, local_metadata):
        if getattr(module, '_keep_frozen_in_state_dict', False):
            return state_dict
        for key in [k for k in state_dict if k[len(prefix):].startswith(prefixes)]:
            del state_dict[key]
        return state_dict

    def fill_and_check(state_dict, prefix, local_metadata, strict, missing_keys,
                       unexpected_keys, error_msgs):
        model._keep_frozen_in_state_dict = True
        try:
            own = model.state_dict(prefix=prefix, keep_vars=True)
        finally:
            model._keep_frozen_in_state_dict = False
        for key, tensor in own.items():
            if key[len(prefix):].startswith(prefixes) and key not in state_dict:
                state_dict[key] = tensor.detach()
        bad = [(k, tuple(v.shape), tuple(own[k].shape)) for k, v in state_dict.items()
               if k in own and hasattr(v, 'shape') and tuple(v.shape) != tuple(own[k].shape)]
        if bad:
            lines = '\n'.join(f'  {k}: checkpoint {a} vs model {b}' for k, a, b in bad[:10])
            hint = ''
            if any('patch_embedding' in k for k, _, _ in bad):
                hint = ('\nThe patch embedding differs: the checkpoint was trained '
                        f"{'with' if bad[0][1][1:2] == (32,) else 'without'} direct video "
                        'injection; set model.backbone.use_dvi accordingly.')
            raise ValueError(
                f'checkpoint does not match the model built from the Wan folder '
                f'({len(bad)} tensors differ in shape):\n{lines}{hint}')

    model._register_state_dict_hook(drop_frozen)
    model._register_load_state_dict_pre_hook(fill_and_check)
