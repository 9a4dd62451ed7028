"""MMEngine's FSDP wrapper with submodules, named in the config, left out of FSDP."""
from typing import Sequence

import torch
import torch.nn as nn
from mmengine.model.wrappers import MMFullyShardedDataParallel

from mmflowrvs.registry import MODEL_WRAPPERS


@MODEL_WRAPPERS.register_module()
class FSDPIgnoringSubmodules(MMFullyShardedDataParallel):
    """``MMFullyShardedDataParallel`` that leaves named submodules unsharded.

    FSDP gathers a unit's parameters only in that unit's ``forward``. FlowRVS calls
    its frozen VAE encoder through ``encode_video``/``encode_mask`` (diffusers'
    ``AutoencoderKLWan.encode``), not ``forward``; sharded, its weights would be
    read while still sharded. Frozen parts gain little from sharding anyway (no
    gradients, no optimizer states): this wrapper passes them to FSDP as
    ``ignored_modules``, so every process keeps a full copy (moved to the process's
    device), and the checkpoint hooks of the model see them as plain parameters.
    The text encoder is better served by a text-embedding store (no parameters).

    Args:
        module (nn.Module): The model.
        ignored_submodules (Sequence[str]): Dotted names of submodules of
            ``module`` to leave out (e.g. ``['vae', 'mask_decoder']``).
        **kwargs: ``MMFullyShardedDataParallel``'s arguments.
    """

    def __init__(self, module: nn.Module, ignored_submodules: Sequence[str] = (),
                 **kwargs) -> None:
        ignored = []
        for name in ignored_submodules:
            try:
                ignored.append(module.get_submodule(name))
            except AttributeError as err:
                raise ValueError(f'model_wrapper.ignored_submodules: the model has no '
                                 f'submodule {name!r}') from err
        device = kwargs.get('device_id')
        if isinstance(device, int):  # an accelerator index (FSDPStrategy's LOCAL_RANK)
            device = torch.device('cuda', device) if torch.cuda.is_available() else None
        if device is not None:
            for sub in ignored:
                sub.to(device)
        if ignored:
            kwargs['ignored_modules'] = list(kwargs.get('ignored_modules') or []) + ignored
        super().__init__(module, **kwargs)
