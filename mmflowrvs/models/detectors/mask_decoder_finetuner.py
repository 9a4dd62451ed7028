"""Stage 1: fine-tuning the 1-channel mask decoder on mask latents."""
from typing import Dict, List, Optional

import torch

from mmflowrvs.registry import MODELS
from mmflowrvs.structures import RVOSDataSample

from .base_rvos_model import BaseRVOSModel


@MODELS.register_module()
class MaskDecoderFinetuner(BaseRVOSModel):
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
        super().__init__(pretrained, data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        default = dict(pretrained=pretrained)
        self.vae = MODELS.build(vae, default_args=default)
        self.mask_decoder = MODELS.build(mask_decoder, default_args=default)
        if losses is None:
            losses = dict(loss_focal=dict(type='SigmoidFocalLoss', loss_weight=8.0),
                          loss_dice=dict(type='MaskDiceLoss', loss_weight=4.0))
        self.losses = torch.nn.ModuleDict({k: MODELS.build(v) for k, v in losses.items()})
        self.sample_posterior = sample_posterior

    def _reconstruct(self, masks: torch.Tensor, sample: bool) -> torch.Tensor:
        """(B, T, H, W) masks -> (B, 1, T, H, W) decoder logits of their latents."""
        mean, std = self.vae.posterior(self.masks_as_images(masks))
        z = mean + std * torch.randn_like(std) if sample else mean
        if self.vae.normalize_mask_latent:  # the decoder then expects normalised latents
            z = self.vae.normalize(z)
        return self.mask_decoder(z)

    def loss(self, inputs: torch.Tensor, data_samples: List[RVOSDataSample]) -> dict:
        """Focal + dice of the reconstruction (from a posterior sample), and the IoU."""
        masks = self.gt_masks(inputs, data_samples)  # (B, T, H, W)
        logits = self._reconstruct(masks, self.sample_posterior)[:, 0]  # (B, T, H, W)
        out = {k: loss(logits, masks) for k, loss in self.losses.items()}
        with torch.no_grad():
            pred, gt = logits > 0, masks > 0.5
            inter = (pred & gt).flatten(1).sum(1).float()
            union = (pred | gt).flatten(1).sum(1).float()
            out['iou'] = torch.where(union > 0, inter / union.clamp(min=1), 1.0).mean()
        return out

    @torch.no_grad()
    def _forward(self, inputs: torch.Tensor,
                 data_samples: Optional[List[RVOSDataSample]] = None) -> torch.Tensor:
        """Logits (B, 1, T, H, W) of the GT masks reconstructed from posterior means."""
        return self._reconstruct(self.gt_masks(inputs, data_samples), False)

    def predict(self, inputs: torch.Tensor,
                data_samples: List[RVOSDataSample]) -> List[RVOSDataSample]:
        """The reconstructed GT masks as ``pred_masks`` at the original size."""
        logits = self._forward(inputs, data_samples)
        for i, sample in enumerate(data_samples):
            full = self.original_size_logits(logits, i, sample,
                                             self.mask_decoder.resize_logits)
            sample.pred_masks = self.mask_decoder.logits_to_masks(full).cpu()
        return data_samples
