"""FlowRVS: deforming a video's latent into its mask's latent by flow matching."""
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import torch

from mmflowrvs.registry import MODELS, TASK_UTILS
from mmflowrvs.structures import RVOSDataSample, RVOSVideoDataSample

from ..objectives.flow_matching_objective import check_model_paradigm
from .base_rvos_model import BaseRVOSModel
from .windowed_inference import WindowBlender, check_window, window_spans

FramesFn = Callable[[int, int], torch.Tensor]
DEFAULT_EXPRESSION_BATCH = 1
RESIZE_FRAMES = 16  # frames resized to the original size at a time


@MODELS.register_module()
class FlowRVS(BaseRVOSModel):
    """Referring video object segmentation by text-conditioned flow matching.

    Pipeline (numerics: docs/method.md): frames -> frozen VAE encoder -> z_v; prompt ->
    frozen UMT5 -> text embeddings; an ODE sampler integrates the DiT velocity field
    from z_v (s = 1) to the mask latent (s = 0); the fine-tuned VAE decoder turns it
    into mask logits, resized to the original frames and thresholded.

    Every component reads its architecture from ``pretrained`` (a diffusers-format
    Wan folder), so one config runs the real 1.3 B model or a tiny one.

    Args:
        pretrained (str): The diffusers-format Wan folder.
        backbone (dict): Velocity network, e.g. ``WanBackbone``.
        text_encoder (dict): e.g. ``UMT5TextEncoder``.
        vae (dict): Frozen encoder, e.g. ``WanVAEEncoder``.
        objective (dict): The training objective, e.g. ``FlowMatchingObjective``.
        sampler (dict): The ODE solver (a task util), e.g. ``FlowEulerSampler``.
        mask_decoder (dict): e.g. ``WanMaskDecoder``.
        start_point_augmentation (bool): SPA: posterior sample as z_v in training.
        data_preprocessor (dict, optional): Defaults to ``RVOSDataPreprocessor``.
        test_cfg (dict, optional): ``with_scores`` (bool): also store
            ``pred_scores`` (float16 probabilities) in the data samples.
            ``expression_batch`` (int): expressions of one video run through the
            sampler and decoder together in video-level testing (default 1: masks
            bit for bit those of the per-expression path, and one expression's
            memory; docs/benchmarks/inference.md measures larger batches).
            ``window`` (dict, optional): ``dict(frames=W, overlap=O)`` runs a video
            longer than W frames (W = 4k + 1) as overlapping windows whose logits are blended with
            linear ramps (see :mod:`.windowed_inference`); None (default) runs the
            whole video as one clip, the reference inference.
        init_cfg (dict, optional): MMEngine init config.
    """

    frozen_components = ('text_encoder', 'vae')

    def __init__(self,
                 pretrained: str,
                 backbone: dict,
                 text_encoder: dict,
                 vae: dict,
                 objective: dict,
                 sampler: dict,
                 mask_decoder: dict,
                 start_point_augmentation: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(pretrained, data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.test_cfg = test_cfg or {}
        # test settings checked first: a bad one fails before any weight is loaded
        self.window = check_window(self.test_cfg.get('window'))
        batch = self.test_cfg.get('expression_batch', DEFAULT_EXPRESSION_BATCH)
        if not isinstance(batch, int) or batch < 1:
            raise ValueError(f'model.test_cfg.expression_batch must be an integer >= 1, '
                             f'got {batch!r}')
        self.expression_batch = batch
        default = dict(pretrained=pretrained)
        self.backbone = MODELS.build(backbone, default_args=default)
        self.text_encoder = MODELS.build(text_encoder, default_args=default)
        self.vae = MODELS.build(vae, default_args=default)
        self.mask_decoder = MODELS.build(mask_decoder, default_args=default)
        if self.vae.normalize_mask_latent != self.mask_decoder.latent_is_normalized:
            raise ValueError(
                'model.vae.normalize_mask_latent='
                f'{self.vae.normalize_mask_latent} and model.mask_decoder.latent_is_normalized='
                f'{self.mask_decoder.latent_is_normalized} disagree: the decoder would decode '
                'mask latents in the wrong space (set both True for the Oct-2025 release)')
        # The flow-matching loss never reaches the decoder (stage 1 fine-tunes it, see
        # MaskDecoderFinetuner): without gradients it must not count as trainable, or
        # data-parallel training waits forever for its gradients to be reduced.
        self.mask_decoder.requires_grad_(False)
        self.objective = MODELS.build(objective)
        self.sampler = TASK_UTILS.build(sampler)
        check_model_paradigm(self.objective, self.sampler, getattr(self.backbone, 'use_dvi', False))
        self.start_point_augmentation = start_point_augmentation
        self.train_cfg = train_cfg or {}

    # ------------------------------------------------------------------ helpers
    def velocity_fn(self, text_embeds: torch.Tensor, video_latent: torch.Tensor):
        """f(z, t) closed over the prompt embeddings and (for DVI) z_v."""
        def fn(z: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
            return self.backbone(z, t, text_embeds, video_latent)
        return fn

    def encode_prompts(self, data_samples: List[RVOSDataSample]) -> torch.Tensor:
        """(B, L, D) embeddings of the samples' ``expression``."""
        return self.text_encoder([s.expression for s in data_samples])

    # ------------------------------------------------------------------ modes
    def loss(self, inputs: torch.Tensor, data_samples: List[RVOSDataSample]) -> Dict:
        """Flow-matching loss on a batch.

        Args:
            inputs (Tensor): (B, 3, T, H, W) frames in [-1, 1].
            data_samples (list[RVOSDataSample]): with ``gt_masks`` (T, H, W).
        """
        masks = self.gt_masks(inputs, data_samples)  # (B, T, H, W)
        z_v = self.vae.encode_video(inputs, sample=self.start_point_augmentation)
        z_m = self.vae.encode_mask(masks)
        text = self.encode_prompts(data_samples)
        return self.objective.loss(self.velocity_fn(text, z_v), z_v, z_m)

    @torch.no_grad()
    def predict_logits(self, inputs: torch.Tensor,
                       data_samples: List[RVOSDataSample]) -> torch.Tensor:
        """Mask logits (B, 1, T, H, W) at the (padded) input size."""
        z_v = self.vae.encode_video(inputs, sample=False)  # (B, 16, T', h, w)
        text = self.encode_prompts(data_samples)
        z_m = self.sampler.sample(self.velocity_fn(text, z_v), z_v)
        return self.mask_decoder(z_m)

    def predict(self, inputs: Union[torch.Tensor, List[torch.Tensor]],
                data_samples: List) -> List[RVOSDataSample]:
        """Masks at the original resolution.

        Per-expression batches (``inputs`` (B, 3, T, H, W), one sample each) run
        as one clip per expression, the reference inference, unless
        ``test_cfg.window`` is set. Video-level batches (``inputs`` a list of
        uint8 (T, 3, H, W) videos, ``data_samples`` one
        :class:`RVOSVideoDataSample` per video holding all its expressions, see
        ``RVOSDataPreprocessor``) go through :meth:`predict_video`.

        Returns:
            list[RVOSDataSample]: each with ``pred_masks`` (T, H_ori, W_ori) bool
            (and ``pred_scores`` if ``test_cfg.with_scores``); metainfo ``nfe``.
            Video-level: the expressions of all videos, in order.
        """
        if data_samples and isinstance(data_samples[0], RVOSVideoDataSample):
            if len(inputs) != len(data_samples):
                raise ValueError(f'{len(inputs)} videos but {len(data_samples)} '
                                 'RVOSVideoDataSamples in a video-level batch')
            out = []
            for frames, video in zip(inputs, data_samples):
                self.predict_video(
                    lambda a, b, x=frames: self.data_preprocessor.clip_to_batch(
                        x[a:b], pad_time=False), frames.shape[0], video.expression_samples)
                out.extend(video.expression_samples)
            return out
        if self.window is not None:
            for i, sample in enumerate(data_samples):
                self.predict_video(lambda a, b, i=i: inputs[i:i + 1, :, a:b],
                                   sample.metainfo.get('num_frames', inputs.shape[2]), [sample])
            return data_samples
        logits = self.predict_logits(inputs, data_samples)
        for i, sample in enumerate(data_samples):
            full = self.original_size_logits(  # (T, H_ori, W_ori)
                logits, i, sample, self.mask_decoder.resize_logits)
            sample.pred_masks = self.mask_decoder.logits_to_masks(full).cpu()
            if self.test_cfg.get('with_scores', False):
                sample.pred_scores = torch.sigmoid(full).half().cpu()
            sample.set_metainfo(dict(nfe=self.sampler.nfe))
        return data_samples

    @torch.no_grad()
    def predict_video(self, frames_fn: FramesFn, num_frames: int,
                      samples: Sequence[RVOSDataSample]) -> Sequence[RVOSDataSample]:
        """All expressions of one video: each window's posterior mean is encoded once
        (chunk by chunk, :meth:`WanVAEEncoder.encode_video_chunked`), the expressions
        go through the sampler and decoder ``expression_batch`` at a time, the
        windows' logits are blended and every finished frame is resized to the
        original size and thresholded at once (so with windows, memory does not grow
        with the video's length beyond the uint8 frames and the bool masks).

        With ``expression_batch=1`` every expression's masks are bit for bit those of
        the per-expression path; a larger batch runs the DiT and decoder on several
        expressions at once, whose kernels round differently (CPU convolutions and
        small matrix products are not batch-invariant), so a pixel whose
        probability is within rounding of the threshold can differ.

        Args:
            frames_fn (callable): ``frames_fn(a, b)`` -> (1, 3, b - a, H, W) frames
                a..b-1 in the model's input space (normalised, H and W padded).
            num_frames (int): T, the video's frames.
            samples (list[RVOSDataSample]): The expressions (same ``img_shape``,
                ``ori_shape``); filled in place.

        Returns:
            list[RVOSDataSample]: ``samples`` with ``pred_masks`` (and scores).
        """
        spans = window_spans(num_frames, *self.window) if self.window else [(0, num_frames)]
        h, w = samples[0].metainfo['img_shape']
        ori = tuple(samples[0].metainfo.get('ori_shape', (h, w)))
        with_scores = self.test_cfg.get('with_scores', False)
        masks = torch.zeros((len(samples), num_frames, *ori), dtype=torch.bool)
        scores = torch.zeros(masks.shape, dtype=torch.float16) if with_scores else None
        chunks = list(range(0, len(samples), self.expression_batch))
        texts = [self.encode_prompts(list(samples[lo:lo + self.expression_batch]))
                 for lo in chunks]  # (n, L, D) each, batched as the sampler will be
        blenders = [WindowBlender(spans) for _ in chunks]
        for k, (a, b) in enumerate(spans):
            z_v = self.vae.encode_video_chunked(  # (1, 16, T', h', w')
                lambda c, d, a=a: frames_fn(a + c, a + d), b - a)
            for blender, lo, emb in zip(blenders, chunks, texts):
                z = z_v.expand(emb.shape[0], *z_v.shape[1:])
                logits = self.mask_decoder(self.sampler.sample(self.velocity_fn(emb, z), z))
                for first, part in blender.add(k, logits[:, :, :b - a, :h, :w]):
                    self._write_frames(part, first, lo, ori, masks, scores)
        for i, sample in enumerate(samples):
            sample.pred_masks = masks[i]
            if with_scores:
                sample.pred_scores = scores[i]
            sample.set_metainfo(dict(nfe=self.sampler.nfe))
        return samples

    def _write_frames(self, logits: torch.Tensor, first: int, lo: int, ori: Tuple[int, int],
                      masks: torch.Tensor, scores: Optional[torch.Tensor]) -> None:
        """Resizes (n, 1, t, h, w) finished logits of expressions lo.. to ``ori`` into
        frames first..first+t-1 of ``masks`` (and ``scores``), a few frames at a time
        (the resize is per frame: the same values, bounded memory)."""
        for j in range(logits.shape[0]):
            for f in range(0, logits.shape[2], RESIZE_FRAMES):
                part = logits[j:j + 1, :, f:f + RESIZE_FRAMES]
                full = self.mask_decoder.resize_logits(part, ori)[0]  # (t', H, W)
                dst = slice(first + f, first + f + full.shape[0])
                masks[lo + j, dst] = self.mask_decoder.logits_to_masks(full).cpu()
                if scores is not None:
                    scores[lo + j, dst] = torch.sigmoid(full).half().cpu()

    def _forward(self, inputs: torch.Tensor,
                 data_samples: Optional[List[RVOSDataSample]] = None) -> torch.Tensor:
        """Mask logits (B, 1, T, H, W) at the input size."""
        if data_samples is None:
            raise ValueError('FlowRVS needs data_samples with an expression in tensor mode')
        return self.predict_logits(inputs, data_samples)
