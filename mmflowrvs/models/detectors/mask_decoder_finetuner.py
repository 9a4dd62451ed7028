"""Stage 1: fine-tuning the 1-channel mask decoder on mask latents."""
from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModel

from mmflowrvs.registry import MODELS
from mmflowrvs.structures import RVOSDataSample
from .frozen_state import exclude_from_checkpoints


@MODELS.register_module()
class MaskDecoderFinetuner(BaseModel):
    """Trains the mask decoder to reconstruct masks from their VAE latents.

    mask -> 3 channels in [-1, 1] -> frozen encoder -> posterior *sample* (mean at
    test) -> decoder -> 1-channel logits at full resolution -> focal + dice against
    the mask (the authors never released this stage; docs/method.md). ``predict``
    reconstructs the ground-truth masks, so the RVOS metric's J is the mask IoU of
    reconstructions; ``loss`` also logs the batch IoU.

    Its checkpoint's ``mask_decoder.*`` weights load directly into ``FlowRVS``.

    Args:
        pretrained (str): The diffusers-format Wan folder.
        vae (dict): Frozen encoder config (``WanVAEEncoder``).
        mask_decoder (dict): ``WanMaskDecoder`` config.
        losses (dict): Name -> loss config, each called as loss(logits, target).
        sample_posterior (bool): Posterior sample (True) or mean in training.
        data_preprocessor (dict, optional): Defaults to ``RVOSDataPreprocessor``.
    """

    frozen_components = ('vae',)

    def __init__(self,
                 pretrained: str,
                 vae: dict,
                 mask_decoder: dict,
                 losses: Optional[Dict[str, dict]] = None,
                 sample_posterior: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='RVOSDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        default = dict(pretrained=pretrained)
        self.pretrained = pretrained
        self.vae = MODELS.build(vae, default_args=default)
        self.mask_decoder = MODELS.build(mask_decoder, default_args=default)
        if losses is None:
            losses = dict(loss_focal=dict(type='SigmoidFocalLoss', loss_weight=8.0),
                          loss_dice=dict(type='MaskDiceLoss', loss_weight=4.0))
        self.losses = torch.nn.ModuleDict({k: MODELS.build(v) for k, v in losses.items()})
        self.sample_posterior = sample_posterior
        exclude_from_checkpoints(self, self.frozen_components)

    def _masks(self, inputs: torch.Tensor, data_samples: List[RVOSDataSample]) -> torch.Tensor:
        b, _, t, h, w = inputs.shape
        return self.data_preprocessor.pad_masks(
            [s.gt_masks for s in data_samples], (t, h, w),
            [s.metainfo.get('img_shape', s.gt_masks.shape[-2:]) for s in data_samples]
        ).to(inputs.device)  # (B, T, H, W)

    def _reconstruct(self, masks: torch.Tensor, sample: bool) -> torch.Tensor:
        m = masks.float().unsqueeze(1).repeat(1, 3, 1, 1, 1) * 2 - 1  # (B, 3, T, H, W)
        mean, std = self.vae.posterior(m)
        z = mean + std * torch.randn_like(std) if sample else mean
        if self.vae.normalize_mask_latent:  # the decoder then expects normalised latents
            z = self.vae.normalize(z)
        return self.mask_decoder(z)  # (B, 1, T, H, W)

    def forward(self, inputs: torch.Tensor, data_samples: Optional[List] = None,
                mode: str = 'tensor'):
        """``loss`` / ``predict`` / ``tensor`` (logits (B, 1, T, H, W))."""
        if data_samples is None:
            raise ValueError('MaskDecoderFinetuner needs data samples with gt_masks')
        masks = self._masks(inputs, data_samples)
        if mode == 'loss':
            logits = self._reconstruct(masks, self.sample_posterior)[:, 0]  # (B, T, H, W)
            out = {k: loss(logits, masks) for k, loss in self.losses.items()}
            with torch.no_grad():
                pred, gt = logits > 0, masks > 0.5
                inter = (pred & gt).flatten(1).sum(1).float()
                union = (pred | gt).flatten(1).sum(1).float()
                out['iou'] = torch.where(union > 0, inter / union.clamp(min=1), 1.0).mean()
            return out
        with torch.no_grad():
            logits = self._reconstruct(masks, False)
        if mode == 'tensor':
            return logits
        if mode != 'predict':
            raise RuntimeError(f'invalid mode {mode!r}')
        for i, sample in enumerate(data_samples):
            num_frames = sample.metainfo.get('num_frames', inputs.shape[2])
            h, w = sample.metainfo.get('img_shape', inputs.shape[-2:])
            ori = sample.metainfo.get('ori_shape', (h, w))
            full = self.mask_decoder.resize_logits(logits[i:i + 1, :, :num_frames, :h, :w], ori)[0]
            sample.pred_masks = self.mask_decoder.logits_to_masks(full).cpu()
        return data_samples
