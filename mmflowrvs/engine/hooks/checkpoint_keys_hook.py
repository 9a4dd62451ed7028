"""Refuses a ``load_from`` checkpoint that is not one of the model (tools/test.py)."""
from mmengine.config import Config
from mmengine.hooks import Hook

from mmflowrvs.registry import HOOKS
from mmflowrvs.utils.checkpoint_keys import check_checkpoint_keys


@HOOKS.register_module()
class CheckpointKeysHook(Hook):
    """Raises before the runner loads a checkpoint whose keys are not the model's.

    The runner loads ``load_from`` with ``strict=False``; this hook checks the
    checkpoint first (:func:`mmflowrvs.utils.checkpoint_keys.check_checkpoint_keys`:
    missing and unexpected key groups named; the frozen components are not
    expected). It runs before the other hooks see the checkpoint (EMA).
    """

    priority = 'VERY_HIGH'

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        check_checkpoint_keys(runner.model, checkpoint, runner._load_from)


def require_matching_checkpoint(cfg: Config) -> None:
    """Adds :class:`CheckpointKeysHook` to ``cfg.custom_hooks`` (once)."""
    hooks = list(cfg.get('custom_hooks', None) or [])
    if not any(h.get('type') == 'CheckpointKeysHook' for h in hooks):
        hooks.append(dict(type='CheckpointKeysHook'))
    cfg.custom_hooks = hooks
