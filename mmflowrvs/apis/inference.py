"""High-level inference APIs in mmdet's style: ``init_model`` and ``inference_rvos``."""
import copy
import os
from contextlib import contextmanager
from typing import Iterator, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose

from mmflowrvs.models.checkpoint_meta import apply_checkpoint_meta
from mmflowrvs.models.detectors.windowed_inference import check_window, window_spans
from mmflowrvs.registry import MODELS, TRANSFORMS
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


DEFAULT_TEST_PIPELINE = [
    dict(type='UniformSampleFrames', num_frames=None),
    dict(type='LoadRVOSFrames'),
    # the reference's resize: inside 480 x 832, multiples of 16, PIL bilinear
    dict(type='InferenceResize', max_hw=(480, 832), size_divisor=16, backend='pil'),
    dict(type='PackRVOSInputs'),
]
FILE_LOADERS = ('LoadRVOSFrames', 'mmflowrvs.LoadRVOSFrames')


def test_pipeline_cfg(cfg: Optional[Config]) -> List[dict]:
    """The config's test pipeline (``test_dataloader.dataset[.dataset...].pipeline``),
    or :data:`DEFAULT_TEST_PIPELINE` for a model-only config."""
    dataset = cfg.get('test_dataloader', {}).get('dataset') if cfg is not None else None
    while dataset is not None and 'pipeline' not in dataset:
        dataset = dataset.get('dataset')
    return copy.deepcopy(list(dataset['pipeline'] if dataset else DEFAULT_TEST_PIPELINE))


def build_inference_pipeline(cfg: Optional[Config]) -> Compose:
    """The test pipeline with its frame-file loader replaced by the in-memory
    ``LoadRVOSFramesFromNDArray`` (as mmdet's ``inference_detector`` does), so a user's
    video is sampled, resized and packed exactly as the benchmark's videos.

    Raises:
        ValueError: The pipeline has no ``LoadRVOSFrames`` to replace.
    """
    steps = test_pipeline_cfg(cfg)
    loaders = [i for i, t in enumerate(steps) if t.get('type') in FILE_LOADERS]
    if len(loaders) != 1:
        raise ValueError(f'the test pipeline must have one LoadRVOSFrames step for '
                         f'inference_rvos to replace, found {len(loaders)}: {steps}')
    steps[loaders[0]] = dict(type='LoadRVOSFramesFromNDArray')
    return Compose([TRANSFORMS.build(t) for t in steps])


@contextmanager
def _test_settings(model: torch.nn.Module, batch_size: Optional[int],
                   window: Union[dict, None, bool]) -> Iterator[None]:
    """Temporarily sets the model's expression batch and window."""
    saved = model.expression_batch, model.window
    try:
        if batch_size is not None:
            if not isinstance(batch_size, int) or batch_size < 1:
                raise ValueError(f'batch_size must be an integer >= 1, got {batch_size!r}')
            model.expression_batch = batch_size
        if window is False:
            model.window = None
        elif window is not None:
            model.window = check_window(window, option='inference_rvos(window=...)')
        yield
    finally:
        model.expression_batch, model.window = saved


@torch.no_grad()
def inference_rvos(model: torch.nn.Module, video: VideoInput,
                   prompts: Union[str, Sequence[str]], batch_size: Optional[int] = None,
                   progress: bool = False,
                   window: Union[dict, None, bool] = None) -> List[np.ndarray]:
    """Segments the object each prompt refers to, in every frame.

    The video goes through the config's test pipeline (its ``InferenceResize``: box,
    divisor and backend; the reference fits frames inside 480 x 832 in multiples of 16
    with PIL bilinear) with an in-memory frame loader,
    is encoded once, and all prompts run on it (video-level inference).

    Args:
        model (nn.Module): From :func:`init_model`.
        video (str | list[np.ndarray]): mp4 path, frame folder, or RGB uint8 frames.
        prompts (str | list[str]): One or more referring expressions.
        batch_size (int, optional): Prompts run through the sampler together
            (default: ``model.test_cfg.expression_batch``).
        progress (bool): Print what runs (frames, prompts, windows).
        window (dict | bool, optional): ``dict(frames=W, overlap=O)`` (W = 4k + 1)
            runs a long video as blended overlapping windows, ``False`` as one clip;
            None (default): ``model.test_cfg.window``.

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
    pipeline = build_inference_pipeline(getattr(model, 'cfg', None))
    item = pipeline(dict(
        video_id='video', exp_id='*', frames=frames,
        frame_ids=[f'{i:05d}' for i in range(len(frames))],
        expressions=[dict(exp_id=str(k), expression=p, obj_ids=[], no_target=False)
                     for k, p in enumerate(prompts)]))
    with _test_settings(model, batch_size, window):
        if progress:
            spans = window_spans(len(frames), *model.window) if model.window else [None]
            print(f'segmenting {len(prompts)} prompt(s) on {len(frames)} frames '
                  f'({len(spans)} window(s), {model.expression_batch} prompts at a time)')
        data = model.data_preprocessor(dict(inputs=[item['inputs']],
                                            data_samples=[item['data_samples']]))
        out = model(**data, mode='predict')
    return [s.pred_masks.cpu().numpy().astype(bool) for s in out]
