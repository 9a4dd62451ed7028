"""An FSDP auto-wrap policy for models whose parts hold different dtypes."""
import weakref

import torch.nn as nn

# Modules whose parent mixes dtypes: each must become its own FSDP unit (FSDP flattens
# a unit's parameters into one tensor, which needs one dtype). Filled top-down while
# FSDP walks the model (it asks about a parent before its children).
_MIXED_PARENT_CHILDREN: 'weakref.WeakSet[nn.Module]' = weakref.WeakSet()


def _param_dtypes(module: nn.Module) -> set:
    return {p.dtype for p in module.parameters()}


def dtype_uniform_wrap_policy(module: nn.Module, recurse: bool, nonwrapped_numel: int,
                              min_num_params: int = int(1e8)) -> bool:
    """Size-based FSDP wrapping that never puts two dtypes in one unit.

    FlowRVS holds a bf16 DiT next to an fp32 VAE encoder and mask decoder (and a live
    UMT5 keeps its ``wo`` projections in fp32): PyTorch's
    ``size_based_auto_wrap_policy`` would flatten them together and FSDP refuses
    ("Must flatten tensors with uniform dtype"). Here a module becomes a unit when
    its parameters share one dtype and either it holds at least ``min_num_params``
    not-yet-wrapped parameters or its parent mixes dtypes (so every single-dtype
    part of a mixed module gets its own unit). Use it as
    ``model_wrapper=dict(auto_wrap_policy=dict(type='mmflowrvs.engine.fsdp.'
    'dtype_uniform_wrap_policy', min_num_params=...))`` in an ``FSDPStrategy`` (MMEngine
    resolves the dotted path).

    Args:
        module (nn.Module): The module FSDP asks about.
        recurse (bool): True: whether to look into its children (always);
            False: whether to wrap the module itself.
        nonwrapped_numel (int): Its parameters not in a unit yet.
        min_num_params (int): Size threshold. Defaults to 1e8.

    Returns:
        bool: The answer to FSDP's question.
    """
    dtypes = _param_dtypes(module)
    if recurse:
        if len(dtypes) > 1:
            for child in module.children():
                _MIXED_PARENT_CHILDREN.add(child)
        return True
    if len(dtypes) != 1:
        own = {p.dtype for p in module.parameters(recurse=False)}
        if len(own) > 1:
            raise ValueError(f'{type(module).__name__} holds parameters of several dtypes '
                             f'({sorted(map(str, own))}) itself: FSDP cannot flatten them '
                             'into one unit; cast them to one dtype')
        return False
    return module in _MIXED_PARENT_CHILDREN or nonwrapped_numel >= min_num_params
