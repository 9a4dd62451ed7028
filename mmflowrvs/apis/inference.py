"""High-level inference APIs in mmdet's style: ``init_model`` and ``inference_rvos``."""
import copy
import os
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config

from mmflowrvs.models.checkpoint_meta import apply_checkpoint_meta
from mmflowrvs.registry import MODELS
from mmflowrvs.structures import RVOSDataSample
from mmflowrvs.utils import register_all_modules
from mmflowrvs.utils.checkpoint_keys import load_model_checkpoint
from .video_io import VideoInput, read_video


def init_model(config: Union[str, Config], checkpoint: Optional[str] = None,
               device: str = 'cpu', cfg_options: Optional[dict] = None) -> torch.nn.Module:
    """Builds a model from a config and loads a checkpoint.

    Args:
        config (str | Config): Config file or object.
        checkpoint (str, optional): mmflowrvs checkpoint (e.g. from training or from
            tools/model_converters/flowrvs_official_to_mmflowrvs.py). Without it the
            model has the Wan folder's weights and a freshly initialised decoder head.
        device (str): Defaults to ``'cpu'``.
        cfg_options (dict, optional): Overrides merged into the config.

    Returns:
        nn.Module: The model in eval mode, with ``model.cfg`` set.
    """
    if isinstance(config, (str, os.PathLike)):
        config = Config.fromfile(os.fspath(config))
    elif not isinstance(config, Config):
        raise TypeError(f'config must be a filename or Config, got {type(config)}')
    config = copy.deepcopy(config)
    if cfg_options is not None:
        config.merge_from_dict(cfg_options)
    register_all_modules()
    apply_checkpoint_meta(config, checkpoint, cfg_options)  # e.g. use_dvi of a release
    model = MODELS.build(config.model)
    if checkpoint is not None:
        if not os.path.isfile(checkpoint):
            raise FileNotFoundError(f'checkpoint not found: {checkpoint}')
        load_model_checkpoint(model, checkpoint, map_location='cpu')
    model.cfg = config
    return model.to(device).eval()


def _inference_resize(cfg: Optional[Config]):
    """The ``InferenceResize`` of the config's test pipeline (its box, divisor and
    backend); without one, the reference's: inside 480 x 832, multiples of 16, PIL.
    ``cfg.inference_max_size``, when set, overrides the box."""
    from mmflowrvs.datasets.transforms import InferenceResize
    kwargs = dict(max_hw=(480, 832), size_divisor=16, backend='pil')
    dataset = cfg.get('test_dataloader', {}).get('dataset') if cfg is not None else None
    while dataset is not None and 'pipeline' not in dataset:
        dataset = dataset.get('dataset')
    for step in (dataset or {}).get('pipeline', []):
        if step.get('type') in ('InferenceResize', 'mmflowrvs.InferenceResize'):
            kwargs = {k: v for k, v in step.items() if k != 'type'}
    if cfg is not None and cfg.get('inference_max_size') is not None:
        kwargs['max_hw'] = tuple(cfg.inference_max_size)
    return InferenceResize(**kwargs)


def _prepare(frames: List[np.ndarray], cfg: Optional[Config]) -> torch.Tensor:
    """Resizes frames exactly as the config's test pipeline does (``InferenceResize``)."""
    resize = _inference_resize(cfg)
    resized = resize(dict(imgs=list(frames), ori_shape=frames[0].shape[:2]))['imgs']
    return torch.from_numpy(np.stack(resized)).permute(0, 3, 1, 2).contiguous()  # (T, 3, H, W)


@torch.no_grad()
def inference_rvos(model: torch.nn.Module, video: VideoInput,
                   prompts: Union[str, Sequence[str]], batch_size: int = 1,
                   progress: bool = False) -> List[np.ndarray]:
    """Segments the object each prompt refers to, in every frame.

    The whole video runs as one clip (the reference inference), frames resized as the
    config's test pipeline resizes them (``InferenceResize``; the reference: inside
    480 x 832, multiples of 16, PIL bilinear), or inside ``cfg.inference_max_size``.

    Args:
        model (nn.Module): From :func:`init_model`.
        video (str | list[np.ndarray]): mp4 path, frame folder, or RGB uint8 frames.
        prompts (str | list[str]): One or more referring expressions.
        batch_size (int): Prompts run together. Defaults to 1.
        progress (bool): Show a progress bar over the prompts.

    Returns:
        list[np.ndarray]: One (T, H, W) bool mask per prompt, original resolution.
    """
    if isinstance(prompts, str):
        prompts = [prompts]
    if not prompts:
        raise ValueError('no prompt given')
    for p in prompts:
        if not isinstance(p, str) or not p.strip():
            raise ValueError(f'empty prompt: {p!r}')
    frames = read_video(video)
    clip = _prepare(frames, getattr(model, 'cfg', None))
    ori_shape = frames[0].shape[:2]
    results = []
    starts = range(0, len(prompts), batch_size)
    if progress:
        from tqdm import tqdm
        starts = tqdm(starts, desc='segmenting', unit='batch of prompts')
    for start in starts:
        chunk = prompts[start:start + batch_size]
        samples = [RVOSDataSample(metainfo=dict(
            expression=p, num_frames=clip.shape[0], img_shape=tuple(clip.shape[-2:]),
            ori_shape=tuple(ori_shape), frame_ids=[f'{i:05d}' for i in range(clip.shape[0])]))
            for p in chunk]
        data = model.data_preprocessor(dict(inputs=[clip] * len(chunk), data_samples=samples))
        out = model(**data, mode='predict')
        results.extend(s.pred_masks.cpu().numpy().astype(bool) for s in out)
    return results
