"""Start-up checks: fail in the first second, naming the path, not after minutes."""
import os
from typing import List

from mmengine.config import Config


def _dataset_cfgs(cfg: Config, mode: str) -> List[dict]:
    keys = {'train': ['train_dataloader', 'val_dataloader'],
            'test': ['test_dataloader']}[mode]
    out = []
    for key in keys:
        loader = cfg.get(key)
        if not loader:
            continue
        stack = [loader.get('dataset', {})]
        while stack:
            ds = stack.pop()
            if isinstance(ds, dict):
                out.append(ds)
                for k in ('dataset', 'datasets'):
                    sub = ds.get(k)
                    stack.extend(sub if isinstance(sub, list) else [sub] if sub else [])
    return out


def check_paths(cfg: Config, mode: str = 'train') -> None:
    """Checks that the Wan folder and the datasets' roots exist.

    Args:
        cfg (Config): The full config.
        mode (str): ``'train'`` (train + val data) or ``'test'``.

    Raises:
        FileNotFoundError: naming the config key and the missing path.
        ValueError: an ``ann_file`` named like a pickle (unpickling runs code).
    """
    model = cfg.get('model', {})
    pretrained = model.get('pretrained') if isinstance(model, dict) else None
    if pretrained is not None:
        from .wan_folder import check_wan_folder
        subs = ('vae',) if model.get('type') == 'MaskDecoderFinetuner' else None
        check_wan_folder(pretrained, subs) if subs else check_wan_folder(pretrained)
    for ds in _dataset_cfgs(cfg, mode):
        root = ds.get('data_root')
        if root and not os.path.isdir(root):
            raise FileNotFoundError(
                f"data root of {ds.get('type', 'dataset')} not found: {root!r} "
                '(set data_root in the config or with --cfg-options)')
        ann = ds.get('ann_file')
        if root and ann and not os.path.isabs(ann):
            ann = os.path.join(root, ann)
        if ann:
            from mmflowrvs.datasets.annotation_io import refuse_pickle
            refuse_pickle(ann, f"ann_file of {ds.get('type', 'dataset')}")
        if ann and not os.path.exists(ann):
            raise FileNotFoundError(f"annotation file of {ds.get('type', 'dataset')} not "
                                    f'found: {ann!r}')


def check_strategy(cfg: Config) -> None:
    """Checks that the config's distributed strategy can run on this machine.

    Raises:
        ValueError: naming the config and what is missing: DeepSpeed's package or a
            CUDA GPU for ``DeepSpeedStrategy``; an ``EMAHook`` with
            ``FSDPStrategy`` (the EMA copies the model, which FSDP has sharded).
    """
    strategy = cfg.get('strategy') or {}
    kind = strategy.get('type') if isinstance(strategy, dict) else type(strategy).__name__
    where = f'{cfg.filename or "the config"}: strategy={kind}'
    if kind == 'DeepSpeedStrategy':
        import importlib.util

        import torch
        if importlib.util.find_spec('deepspeed') is None:
            raise ValueError(f'{where} needs the deepspeed package (pip install deepspeed, on '
                             'a machine with CUDA GPUs); it is not installed here. '
                             'configs/flowrvs_mevis_fsdp.py shards the model without it '
                             '(also on CPU / gloo)')
        if not torch.cuda.is_available():
            raise ValueError(f'{where} needs CUDA GPUs (DeepSpeed ZeRO); this machine has '
                             'none. configs/flowrvs_mevis_fsdp.py runs on CPU / gloo')
    if kind == 'FSDPStrategy':
        emas = [h['type'] for h in cfg.get('custom_hooks') or []
                if str(h.get('type')).endswith('EMAHook')]
        if emas:
            raise ValueError(f'{where} with custom_hooks {emas[0]}: the EMA copies the '
                             'model, whose parameters FSDP has sharded; remove the EMA hook '
                             'or train with data parallelism (configs/flowrvs_mevis.py)')
