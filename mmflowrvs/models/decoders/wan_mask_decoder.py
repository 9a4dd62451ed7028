"""The mask decoder: Wan's VAE decoder with a 1-channel causal output conv."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from mmflowrvs.registry import MODELS

from ..utils import decode_unclamped, load_wan_vae, register_latent_stats, to_dtype


@MODELS.register_module()
class WanMaskDecoder(nn.Module):
    """Decodes mask latents into per-pixel mask logits.

    The decoder of diffusers' ``AutoencoderKLWan`` (``<pretrained>/vae``) with
    ``decoder.conv_out`` replaced by a fresh causal 3D conv to 1 channel (kernel 3,
    padding 1). Decoding runs the decoder's own causal frame-by-frame loop but,
    unlike ``AutoencoderKLWan.decode``, returns logits without clamping to [-1, 1]
    (the clamp would break a loss on logits).

    Args:
        pretrained (str): The diffusers-format Wan folder.
        subfolder (str): Defaults to ``'vae'``.
        latent_is_normalized (bool): If the latents it receives are normalised by the
            VAE's mean/std (Oct-2025 release), denormalise before decoding.
        threshold (float): Probability threshold of :meth:`logits_to_masks`.
        clamp_before_resize (bool): Clamp the logits to [-1, 1] in
            :meth:`resize_logits` before resizing, as the reference's inference does
            (it decodes with ``AutoencoderKLWan.decode``, which clamps). The sign of
            each logit is kept, but the bilinear resize of clamped logits puts mask
            boundaries elsewhere than that of raw logits. Also bounds ``pred_scores``
            to [0.27, 0.73]. :meth:`forward` (the losses' input) is never clamped.
            Defaults to True.
        conv_out_init (str): ``'fresh'`` (the method: a newly initialised conv) or
            ``'rgb_mean'``: the mean over the 3 output channels of the VAE's own
            ``conv_out``, so that the logit starts as the VAE's reconstruction of the
            {-1, +1} mask image (sign = mask). Useful when the VAE was itself trained
            on masks, like the quickstart's toy VAE.
        dtype (str, optional): Weight dtype.
        load_weights (bool): Load the VAE weights (True) or only the config.
    """

    def __init__(self,
                 pretrained: Optional[str] = None,
                 subfolder: str = 'vae',
                 latent_is_normalized: bool = False,
                 threshold: float = 0.5,
                 clamp_before_resize: bool = True,
                 conv_out_init: str = 'fresh',
                 dtype: Optional[str] = None,
                 load_weights: bool = True) -> None:
        super().__init__()
        from diffusers.models.autoencoders.autoencoder_kl_wan import WanCausalConv3d

        vae = load_wan_vae(pretrained, subfolder, load_weights)
        del vae.encoder, vae.quant_conv  # the encoder is the frozen WanVAEEncoder
        old = vae.decoder.conv_out
        vae.decoder.conv_out = WanCausalConv3d(old.in_channels, 1, 3, padding=1)
        if conv_out_init == 'rgb_mean':
            with torch.no_grad():
                vae.decoder.conv_out.weight.copy_(old.weight.mean(0, keepdim=True))
                vae.decoder.conv_out.bias.copy_(old.bias.mean(0, keepdim=True))
        elif conv_out_init != 'fresh':
            raise ValueError(f"conv_out_init must be 'fresh' or 'rgb_mean', got {conv_out_init!r}")
        self.vae = vae
        if dtype is not None:
            self.vae.to(to_dtype(dtype))
        register_latent_stats(self, vae.config)
        self.latent_is_normalized = latent_is_normalized
        self.threshold = threshold
        self.clamp_before_resize = clamp_before_resize

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        """Decodes latents to logits.

        Args:
            z (Tensor): (B, 16, T', h, w) mask latents.

        Returns:
            Tensor: (B, 1, 1 + 4 (T' - 1), 8h, 8w) float32 logits.
        """
        if self.latent_is_normalized:
            z = z * self.latents_std + self.latents_mean
        z = z.to(next(self.vae.parameters()).dtype)
        return decode_unclamped(self.vae, z).float()

    def resize_logits(self, logits: torch.Tensor, size) -> torch.Tensor:
        """Bilinear (align_corners False) resize of (N, 1, T, H, W) logits' frames,
        clamped to [-1, 1] first if ``clamp_before_resize``.

        Returns:
            Tensor: (N, T, size[0], size[1]).
        """
        if self.clamp_before_resize:
            logits = logits.clamp(-1.0, 1.0)
        n, _, t, h, w = logits.shape
        flat = logits.permute(0, 2, 1, 3, 4).reshape(n * t, 1, h, w)
        if (h, w) != tuple(size):
            flat = F.interpolate(flat, size=tuple(size), mode='bilinear', align_corners=False)
        return flat.view(n, t, *size)

    def logits_to_masks(self, logits: torch.Tensor) -> torch.Tensor:
        """sigmoid(logit) > threshold, as a bool tensor of the same shape."""
        return torch.sigmoid(logits) > self.threshold
