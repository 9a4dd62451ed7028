"""Encodes every expression of a config's datasets once into a text-embedding store.

Usage:
    python tools/misc/cache_text_embeddings.py CONFIG --out DIR [--splits train valid_u]
        [--batch-size 16] [--cfg-options k=v ...]
    torchrun --nproc_per_node N tools/misc/cache_text_embeddings.py CONFIG --out DIR \\
        --launcher pytorch        # prompts sharded over the processes

Each expression is cleaned as the text encoder cleans it (its keys); for a dataset
whose training pipeline flips clips (``RVOSRandomFlip``), the left/right-swapped
variant is stored too. Then train with ``model.text_encoder.cache_dir=DIR``: the UMT5
weights are not loaded at all.
"""
import argparse
import copy
import glob
import os
import time
from typing import Dict, List, Set

import torch
from mmengine.config import Config, DictAction

from mmflowrvs.datasets.text_utils import swap_left_right
from mmflowrvs.models.text_encoders import UMT5TextEncoder
from mmflowrvs.models.text_encoders.embedding_store import ShardWriter, write_index
from mmflowrvs.registry import DATASETS, MODELS
from mmflowrvs.utils.setup_env import register_all_modules

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='training config (its model.text_encoder and datasets)')
    parser.add_argument('--out', required=True, help='store folder to write')
    parser.add_argument('--splits', nargs='+', default=None,
                        help="dataset splits (default: those of the config's train/val/test "
                        'dataloaders)')
    parser.add_argument('--batch-size', type=int, default=16, help='prompts per encoder call')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override settings of the config, key=value')
    parser.add_argument('--launcher', choices=['none', 'pytorch'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    return parser.parse_args()


def dataset_cfgs(cfg: Config, splits: List[str] = None) -> List[dict]:
    """Dataset configs of the requested splits (a split missing from the config's
    dataloaders reuses the validation dataset's config with that split)."""
    found = []
    for loader in LOADERS:
        if cfg.get(loader) and cfg[loader].get('dataset'):
            found.append(copy.deepcopy(cfg[loader]['dataset']))
    if splits is None:
        return found
    by_split = {d.get('split'): d for d in found}
    template = next((d for d in found if d.get('test_mode')), found[0] if found else None)
    chosen = []
    for split in splits:
        if split in by_split:
            chosen.append(by_split[split])
        elif template is not None:
            chosen.append(dict(copy.deepcopy(template), split=split,
                               test_mode=split != 'train'))
        else:
            raise ValueError(f'the config has no dataset to read split {split!r} with')
    return chosen


def _flips(dataset_cfg: dict) -> bool:
    return any(t.get('type') == 'RVOSRandomFlip' and t.get('prob', 0.5) > 0
               for t in dataset_cfg.get('pipeline', []))


def _expressions_of(info: dict) -> List[str]:
    if 'expressions' in info:  # a video-level test item: one entry per expression
        return [e['expression'] for e in info['expressions']]
    value = info.get('expression', info.get('text'))
    if value is None:
        raise KeyError(f'a data item has neither "expression" nor "text": {sorted(info)}')
    return [value] if isinstance(value, str) else list(value)


def collect_prompts(cfg: Config, splits: List[str] = None) -> List[str]:
    """Sorted unique cleaned prompts of the datasets (and their flipped variants)."""
    prompts: Set[str] = set()
    for dcfg in dataset_cfgs(cfg, splits):
        flip = _flips(dcfg)
        dcfg['pipeline'] = []
        dataset = DATASETS.build(dcfg)
        for i in range(len(dataset)):
            for text in _expressions_of(dataset.get_data_info(i)):
                variants = [text, swap_left_right(text)] if flip else [text]
                prompts.update(UMT5TextEncoder.clean_prompts(variants))
    return sorted(prompts)


def build_encoder(cfg: Config) -> UMT5TextEncoder:
    te_cfg = copy.deepcopy(cfg.model.text_encoder)
    te_cfg.pop('cache_dir', None)
    te_cfg.pop('cache_fallback', None)
    if te_cfg.get('load_weights', True) is False:
        raise ValueError('model.text_encoder.load_weights=False: a store of randomly '
                         'initialised embeddings would be mistaken for the real ones')
    return MODELS.build(te_cfg, default_args=dict(pretrained=cfg.model.pretrained))


def main() -> None:
    args = parse_args()
    register_all_modules(init_default_scope=True)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    from mmengine.dist import all_gather_object, barrier, get_dist_info, init_dist, is_main_process
    if args.launcher == 'pytorch':
        init_dist('pytorch', backend='nccl' if torch.cuda.is_available() else 'gloo')
    rank, world = get_dist_info()
    start = time.perf_counter()
    prompts = collect_prompts(cfg, args.splits)
    encoder = build_encoder(cfg)
    if torch.cuda.is_available():
        encoder.to(f'cuda:{int(os.environ.get("LOCAL_RANK", 0))}')
    if is_main_process():
        for old in glob.glob(os.path.join(args.out, 'shard-*.safetensors')):
            os.remove(old)
    barrier()
    mine = prompts[rank::world]
    writer = ShardWriter(args.out, prefix=f'r{rank:05d}')
    from tqdm import tqdm
    bar = tqdm(total=len(mine), desc=f'encoding (rank {rank}/{world})', unit='prompt',
               disable=not is_main_process())
    for i in range(0, len(mine), args.batch_size):
        batch = mine[i:i + args.batch_size]
        for prompt, emb in zip(batch, encoder.encode_trimmed(batch)):
            writer.add(prompt, emb)
        bar.update(len(batch))
    bar.close()
    writer.flush()
    parts: List[Dict] = all_gather_object(writer.entries)
    sizes: List[int] = all_gather_object(writer.num_bytes)
    if is_main_process():
        dtype = encoder.torch_dtype or torch.float32
        path = write_index(args.out, encoder.fingerprint(), encoder.embed_dim, dtype, parts)
        tokens = sum(e[2] for part in parts for e in part.values())
        print(f'text-embedding store {path}: {len(prompts)} prompts, {tokens} tokens, '
              f'{sum(sizes) / 2**20:.1f} MiB ({str(dtype).replace("torch.", "")}), '
              f'{world} process(es), {time.perf_counter() - start:.1f} s')
    barrier()


if __name__ == '__main__':
    main()
