"""FlowRVS: deforming a video's latent into its mask's latent by flow matching."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModel

from mmflowrvs.registry import MODELS
from mmflowrvs.structures import RVOSDataSample
from .frozen_state import exclude_from_checkpoints

ForwardResults = Union[Dict[str, torch.Tensor], List[RVOSDataSample], torch.Tensor]


@MODELS.register_module()
class FlowRVS(BaseModel):
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
        head (dict): Training objective, e.g. ``FlowMatchingHead``.
        sampler (dict): ODE solver, e.g. ``FlowEulerSampler``.
        mask_decoder (dict): e.g. ``WanMaskDecoder``.
        start_point_augmentation (bool): SPA: posterior sample as z_v in training.
        data_preprocessor (dict, optional): Defaults to ``RVOSDataPreprocessor``.
        test_cfg (dict, optional): ``with_scores`` (bool): also store
            ``pred_scores`` (float16 probabilities) in the data samples.
        init_cfg (dict, optional): MMEngine init config.
    """

    frozen_components = ('text_encoder', 'vae')

    def __init__(self,
                 pretrained: str,
                 backbone: dict,
                 text_encoder: dict,
                 vae: dict,
                 head: dict,
                 sampler: dict,
                 mask_decoder: dict,
                 start_point_augmentation: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='RVOSDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.pretrained = pretrained
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
        self.head = MODELS.build(head)
        self.sampler = MODELS.build(sampler)
        self.start_point_augmentation = start_point_augmentation
        self.train_cfg = train_cfg or {}
        self.test_cfg = test_cfg or {}
        exclude_from_checkpoints(self, self.frozen_components)

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
    def forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None,
                mode: str = 'tensor') -> ForwardResults:
        """``loss``: dict of losses; ``predict``: data samples with ``pred_masks``;
        ``tensor``: mask logits (B, 1, T, H, W) at the input size."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self._forward(inputs, data_samples)
        raise RuntimeError(f'invalid mode {mode!r}; use loss, predict or tensor')

    def loss(self, inputs: torch.Tensor, data_samples: List[RVOSDataSample]) -> Dict:
        """Flow-matching loss on a batch.

        Args:
            inputs (Tensor): (B, 3, T, H, W) frames in [-1, 1].
            data_samples (list[RVOSDataSample]): with ``gt_masks`` (T, H, W).
        """
        b, _, t, h, w = inputs.shape
        masks = self.data_preprocessor.pad_masks(
            [s.gt_masks for s in data_samples], (t, h, w),
            [s.metainfo.get('img_shape', s.gt_masks.shape[-2:]) for s in data_samples]
        ).to(inputs.device)  # (B, T, H, W)
        z_v = self.vae.encode_video(inputs, sample=self.start_point_augmentation)
        z_m = self.vae.encode_mask(masks)
        text = self.encode_prompts(data_samples)
        return self.head.loss(self.velocity_fn(text, z_v), z_v, z_m)

    @torch.no_grad()
    def predict_logits(self, inputs: torch.Tensor,
                       data_samples: List[RVOSDataSample]) -> torch.Tensor:
        """Mask logits (B, 1, T, H, W) at the (padded) input size."""
        z_v = self.vae.encode_video(inputs, sample=False)  # (B, 16, T', h, w)
        text = self.encode_prompts(data_samples)
        z_m = self.sampler.sample(self.velocity_fn(text, z_v), z_v)
        return self.mask_decoder(z_m)

    def predict(self, inputs: torch.Tensor,
                data_samples: List[RVOSDataSample]) -> List[RVOSDataSample]:
        """Masks at the original resolution.

        Returns:
            list[RVOSDataSample]: each with ``pred_masks`` (T, H_ori, W_ori) bool
            (and ``pred_scores`` if ``test_cfg.with_scores``); metainfo ``nfe``.
        """
        logits = self.predict_logits(inputs, data_samples)
        for i, sample in enumerate(data_samples):
            num_frames = sample.metainfo.get('num_frames', inputs.shape[2])
            h, w = sample.metainfo.get('img_shape', inputs.shape[-2:])
            ori = sample.metainfo.get('ori_shape', (h, w))
            clip = logits[i:i + 1, :, :num_frames, :h, :w]
            full = self.mask_decoder.resize_logits(clip, ori)[0]  # (T, H_ori, W_ori)
            sample.pred_masks = self.mask_decoder.logits_to_masks(full).cpu()
            if self.test_cfg.get('with_scores', False):
                sample.pred_scores = torch.sigmoid(full).half().cpu()
            sample.set_metainfo(dict(nfe=self.sampler.nfe))
        return data_samples

    def _forward(self, inputs: torch.Tensor,
                 data_samples: Optional[List[RVOSDataSample]] = None) -> torch.Tensor:
        if data_samples is None:
            raise ValueError('FlowRVS needs data_samples with an expression in tensor mode')
        return self.predict_logits(inputs, data_samples)
