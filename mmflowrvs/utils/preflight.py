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
