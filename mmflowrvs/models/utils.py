"""Small helpers shared by the Wan components."""
import os
from typing import Optional, Union

import torch


def resolve_subfolder(pretrained: Optional[str], subfolder: str) -> str:
    """Returns ``pretrained/subfolder`` after checking it holds a config.

    Args:
        pretrained (str): The diffusers-format Wan folder (``model.pretrained``).
        subfolder (str): ``transformer``, ``vae``, ``text_encoder`` or ``tokenizer``.

    Raises:
        ValueError: If ``pretrained`` is not set.
        FileNotFoundError: If the folder or the subfolder's config is missing.
    """
    if not pretrained:
        raise ValueError(f'no Wan folder given: set model.pretrained (needed for {subfolder}/)')
    if not os.path.isdir(pretrained):
        raise FileNotFoundError(
            f'Wan folder not found: {pretrained!r} (model.pretrained must name a local '
            'diffusers-format Wan 2.1 folder; tools/misc/make_tiny_wan.py makes a toy one)')
    path = os.path.join(pretrained, subfolder)
    marker = 'tokenizer_config.json' if subfolder == 'tokenizer' else 'config.json'
    if not os.path.isfile(os.path.join(path, marker)):
        raise FileNotFoundError(
            f'Wan folder {pretrained!r} has no {subfolder}/{marker}: expected the diffusers '
            'layout transformer/ vae/ text_encoder/ tokenizer/')
    return path


def to_dtype(dtype: Union[str, torch.dtype, None]) -> Optional[torch.dtype]:
    """Maps ``'bf16'``/``'bfloat16'``/``'fp16'``/``'fp32'`` (or a dtype) to a torch dtype."""
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    table = {'bf16': torch.bfloat16, 'bfloat16': torch.bfloat16, 'fp16': torch.float16,
             'float16': torch.float16, 'fp32': torch.float32, 'float32': torch.float32}
    if dtype not in table:
        raise ValueError(f'unknown dtype {dtype!r}; use one of {sorted(table)}')
    return table[dtype]


def freeze(module: torch.nn.Module) -> torch.nn.Module:
    """Sets ``requires_grad=False`` on every parameter and puts it in eval mode."""
    module.eval()
    for p in module.parameters():
        p.requires_grad_(False)
    return module
