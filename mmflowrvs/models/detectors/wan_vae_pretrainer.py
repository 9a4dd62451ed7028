"""Stage 0 of the built-in quickstart: pre-training a toy Wan VAE.

The real Wan VAE comes pre-trained; a toy one made by tools/misc/make_tiny_wan.py is
random. This model trains the whole ``AutoencoderKLWan`` (encoder and decoder) to
reconstruct both video frames and binary masks (as 3-channel +-1 images), standing
in for Wan's own pre-training. tools/misc/export_wan_vae.py writes the result
back into a Wan folder's ``vae/``.
"""
import os
from typing import List, Optional

import torch

from mmflowrvs.registry import MODELS
from mmflowrvs.structures import RVOSDataSample

from ..utils import decode_unclamped, load_wan_vae
from .base_rvos_model import BaseRVOSModel, resize_frames_bilinear


@MODELS.register_module()
class WanVAEPretrainer(BaseRVOSModel):
    """Trains ``AutoencoderKLWan`` on frames and masks (L1 + MSE + KL).

    Args:
        pretrained (str): The Wan folder whose ``vae/`` is the starting point.
        kl_weight (float): Weight of the KL term. Defaults to 1e-6.
        mask_weight (float): Weight of the mask reconstruction. Defaults to 1.
        mask_fg_weight (float): Extra weight of foreground mask pixels (objects are
            small: without it the decoder learns the background only). Defaults to 1.
        rgb_fg_weight (float): Extra weight, in the frame reconstruction, of the pixels
            of the sample's annotated objects (small objects on a plain background:
            without it the VAE reconstructs the background and drops the objects,
            so the video latent carries nothing to refer to). Defaults to 1.
        init_logvar (float, optional): Start value of the posterior log-variance:
            the logvar half of ``quant_conv`` starts as this constant (zero weights).
            A random VAE starts near unit posterior std, far above the signal of a
            tenth or so its encoder first carries for small objects: posterior
            samples then drown the objects, both here and in FlowRVS's start-point
            augmentation. None keeps the folder's weights.
    """

    def __init__(self, pretrained: str, kl_weight: float = 1e-6, mask_weight: float = 1.0,
                 mask_fg_weight: float = 1.0, rgb_fg_weight: float = 1.0,
                 init_logvar: Optional[float] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(pretrained, data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.vae = load_wan_vae(pretrained, 'vae')
        self.kl_weight = kl_weight
        self.mask_weight = mask_weight
        self.mask_fg_weight = mask_fg_weight
        self.rgb_fg_weight = rgb_fg_weight
        if init_logvar is not None:
            z_dim = self.vae.config.z_dim
            with torch.no_grad():
                self.vae.quant_conv.weight[z_dim:].zero_()
                self.vae.quant_conv.bias[z_dim:].fill_(init_logvar)

    def init_weights(self) -> None:
        """Keeps the folder's weights."""

    def _reconstruct(self, x: torch.Tensor, sample: bool):
        dist = self.vae.encode(x).latent_dist
        z = dist.sample() if sample else dist.mode()
        return decode_unclamped(self.vae, z), dist

    @staticmethod
    def _weighted_l1_l2(rec: torch.Tensor, target: torch.Tensor, fg: torch.Tensor,
                        fg_weight: float) -> torch.Tensor:
        """Mean of |e| + e^2 with foreground pixels weighted ``fg_weight``; (B, 3, T, H, W)."""
        weight = 1 + (fg_weight - 1) * fg
        err = rec - target
        return (weight * (err.abs() + err ** 2)).sum() / weight.sum()

    def loss(self, inputs: torch.Tensor, data_samples: List[RVOSDataSample]) -> dict:
        """Weighted L1 + L2 of frames and masks reconstructed from posterior samples, KL."""
        masks = self.masks_as_images(self.gt_masks(inputs, data_samples))  # (B, 3, T, H, W)
        rec, dist = self._reconstruct(inputs, True)
        rec_m, dist_m = self._reconstruct(masks, True)
        kl = dist.kl().mean() + dist_m.kl().mean()
        fg = (masks > 0).float()  # (B, 3, T, H, W)
        return dict(loss_rgb=self._weighted_l1_l2(rec, inputs, fg, self.rgb_fg_weight),
                    loss_mask=self.mask_weight * self._weighted_l1_l2(
                        rec_m, masks, fg, self.mask_fg_weight),
                    loss_kl=self.kl_weight * kl)

    @torch.no_grad()
    def _forward(self, inputs: torch.Tensor,
                 data_samples: Optional[List[RVOSDataSample]] = None) -> torch.Tensor:
        """The frames reconstructed from their posterior means, (B, 3, T, H, W)."""
        return self._reconstruct(inputs, False)[0]

    @torch.no_grad()
    def predict(self, inputs: torch.Tensor,
                data_samples: List[RVOSDataSample]) -> List[RVOSDataSample]:
        """The GT masks reconstructed through the VAE (channel mean > 0) as ``pred_masks``."""
        masks = self.masks_as_images(self.gt_masks(inputs, data_samples))
        logits = self._reconstruct(masks, False)[0].mean(1, keepdim=True)  # (B, 1, T, H, W)
        for i, sample in enumerate(data_samples):
            full = self.original_size_logits(logits, i, sample, resize_frames_bilinear)
            sample.pred_masks = (full > 0).cpu()
        return data_samples

    def export(self, out_folder: str) -> str:
        """Writes the trained VAE into ``out_folder/vae`` (diffusers format)."""
        self.vae.save_pretrained(os.path.join(out_folder, 'vae'))
        return out_folder
