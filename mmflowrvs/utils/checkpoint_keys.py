"""Checkpoint loading that refuses foreign weights (testing and inference).

``mmengine``'s ``load_checkpoint`` (and the runner's ``load_from``) load with
``strict=False``: a checkpoint of another model, or one without the DiT, loads with
a warning and is scored. Here the checkpoint's keys must be exactly the model's,
except the frozen components (``model.frozen_components``: the text encoder and
the VAE encoder), which are read from the Wan folder and kept out of checkpoints
by design.
"""
import re
from collections import Counter
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

import torch.nn as nn

MAX_GROUPS = 8


class CheckpointMismatchError(ValueError):
    """A checkpoint whose keys do not match the model it is loaded into."""


def _unwrap(model: nn.Module) -> nn.Module:
    from mmengine.model import is_model_wrapper
    return model.module if is_model_wrapper(model) else model


def key_group(key: str) -> str:
    """The group a state-dict key belongs to, for messages.

    The key's first three dotted parts, stopping before a block index, which
    becomes ``*`` (``backbone.transformer.blocks.3.attn1.to_q.weight`` ->
    ``backbone.transformer.blocks.*``).
    """
    names = key.split('.')[:-1] or key.split('.')
    parts = []
    for part in names:
        if part.isdigit():
            parts.append('*')
            break
        if len(parts) == 3:
            break
        parts.append(part)
    return '.'.join(parts)


def describe_groups(keys: Iterable[str]) -> str:
    """``group (n keys), ...`` of the largest groups, e.g. for an error message."""
    counts = Counter(key_group(k) for k in keys)
    shown = ', '.join(f'{g} ({n})' for g, n in counts.most_common(MAX_GROUPS))
    more = len(counts) - MAX_GROUPS
    return shown + (f' and {more} more groups' if more > 0 else '')


def _strip_module_prefix(state_dict: Mapping) -> Dict[str, object]:
    # what mmengine's loaders do (revise_keys=[(r'^module.', '')])
    return {re.sub(r'^module\.', '', k): v for k, v in state_dict.items()}


def mismatched_keys(model: nn.Module, state_dict: Mapping) -> Tuple[List[str], List[str]]:
    """The (missing, unexpected) keys of ``state_dict`` for ``model``.

    Keys of the frozen components are neither missing (the model keeps the Wan
    folder's values) nor unexpected (they are loaded if present).
    """
    model = _unwrap(model)
    frozen = tuple(f'{p}.' for p in getattr(model, 'frozen_components', ()))
    own = set(model.state_dict().keys())  # frozen components already left out
    given = set(_strip_module_prefix(state_dict))
    missing = sorted(k for k in own - given if not k.startswith(frozen))
    unexpected = sorted(k for k in given - own if not k.startswith(frozen))
    return missing, unexpected


def check_checkpoint_keys(model: nn.Module, checkpoint: Mapping,
                          filename: Optional[str] = None) -> None:
    """Raises if ``checkpoint`` (a dict with ``state_dict`` or a bare state dict)
    does not hold exactly ``model``'s keys.

    Args:
        model (nn.Module): The model (a wrapper is unwrapped).
        checkpoint (Mapping): The loaded checkpoint.
        filename (str, optional): Named in the error.

    Raises:
        CheckpointMismatchError: Naming the groups of missing and unexpected keys.
    """
    state_dict = checkpoint.get('state_dict', checkpoint)
    missing, unexpected = mismatched_keys(model, state_dict)
    if not missing and not unexpected:
        return
    model = _unwrap(model)
    lines = [f'checkpoint {filename or "(given)"} does not match '
             f'{type(model).__name__}: it is not a checkpoint of this model']
    if missing:
        lines.append(f'  missing {len(missing)} keys: {describe_groups(missing)}')
    if unexpected:
        lines.append(f'  unexpected {len(unexpected)} keys: {describe_groups(unexpected)}')
    frozen = getattr(model, 'frozen_components', ())
    if frozen:
        lines.append(f"  (the frozen {', '.join(frozen)} are read from model.pretrained and "
                     'are not expected in checkpoints)')
    raise CheckpointMismatchError('\n'.join(lines))


def load_model_checkpoint(model: nn.Module, filename: str,
                          map_location: str = 'cpu') -> dict:
    """Loads an mmflowrvs checkpoint into ``model``, refusing foreign ones.

    Args:
        model (nn.Module): The model.
        filename (str): The checkpoint file.
        map_location (str): Defaults to ``'cpu'``.

    Returns:
        dict: The loaded checkpoint.

    Raises:
        CheckpointMismatchError: If the keys do not match (see
            :func:`check_checkpoint_keys`).
    """
    from mmengine.runner.checkpoint import _load_checkpoint, _load_checkpoint_to_model
    checkpoint = _load_checkpoint(filename, map_location=map_location)
    if not isinstance(checkpoint, dict):
        raise CheckpointMismatchError(f'checkpoint {filename} holds a '
                                      f'{type(checkpoint).__name__}, not a state dict')
    check_checkpoint_keys(model, checkpoint, filename)
    _load_checkpoint_to_model(_unwrap(model), checkpoint, strict=True)
    return checkpoint
