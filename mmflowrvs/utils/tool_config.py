"""Config loading shared by tools/train.py and tools/test.py (mmdet 3.x semantics)."""
import os.path as osp
from argparse import Namespace

from mmengine.config import Config

from .setup_env import register_all_modules


def load_tool_config(args: Namespace) -> Config:
    """Loads ``args.config``, applies ``--launcher``, ``--cfg-options`` and
    ``--work-dir`` (default ``./work_dirs/<config name>``).

    Args:
        args (Namespace): With ``config``, ``launcher``, ``cfg_options``, ``work_dir``.

    Returns:
        Config: The merged config.
    """
    register_all_modules(init_default_scope=False)
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg
