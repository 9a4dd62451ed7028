"""Frozen Wan VAE encoder: video and mask latents, normalisation, SPA."""
import hashlib
from typing import Callable, Iterator, List, Optional, Tuple

import torch
import torch.nn as nn

from mmflowrvs.registry import MODELS
from mmflowrvs.utils.lru_cache import LRUCache

from ..utils import encode_chunks, freeze, load_wan_vae, register_latent_stats, to_dtype

FramesFn = Callable[[int, int], torch.Tensor]


@MODELS.register_module()
class WanVAEEncoder(nn.Module):
    """The frozen encoder of diffusers' ``AutoencoderKLWan`` (``<pretrained>/vae``).

    Video latent: z_v = (mu - mean) / std per channel, where mu is the posterior
    mean; start-point augmentation (SPA) draws mu + sigma * eps instead (training).
    Mask latent: the binary mask repeated to 3 channels, mapped to {-1, +1}, encoded
    to its posterior mean; normalised by mean/std only if ``normalize_mask_latent``
    (the Oct-2025 release did, the current one does not).

    Only the encoder and ``quant_conv`` are kept (the decoder is a separate,
    fine-tuned component). The VAE drops frames past ``1 + 4k``: callers pad T to
    1 (mod 4) first.

    Args:
        pretrained (str): The diffusers-format Wan folder.
        subfolder (str): Defaults to ``'vae'``.
        normalize_mask_latent (bool): See above. Defaults to False.
        dtype (str, optional): Weight dtype.
        load_weights (bool): Load the weights (True) or only the config.
        cache_size (int): Posteriors kept in an LRU cache keyed on each clip's
            exact contents (the encoder is frozen, so a clip seen again - the same
            frames or mask after the same resize and flip - is not re-encoded).
            Worth it when training clips repeat (e.g. the quickstart's fixed
            9-frame clips); 0 (default) disables it. An entry holds the mean and
            std on CPU: 2 x 16 x T' x h x w floats.
    """

    def __init__(self,
                 pretrained: Optional[str] = None,
                 subfolder: str = 'vae',
                 normalize_mask_latent: bool = False,
                 dtype: Optional[str] = None,
                 load_weights: bool = True,
                 cache_size: int = 0) -> None:
        super().__init__()
        vae = load_wan_vae(pretrained, subfolder, load_weights)
        del vae.decoder, vae.post_quant_conv  # the mask decoder is its own component
        self.vae = freeze(vae)
        if dtype is not None:
            self.vae.to(to_dtype(dtype))
        cfg = vae.config
        self.z_dim = cfg.z_dim
        self.temporal_ratio = 2 ** sum(cfg.temperal_downsample)
        self.spatial_ratio = 2 ** (len(cfg.dim_mult) - 1)
        register_latent_stats(self, cfg)
        self.normalize_mask_latent = normalize_mask_latent
        self.cache_size = cache_size
        self._cache: LRUCache[Tuple[torch.Tensor, torch.Tensor]] = LRUCache(cache_size)

    def train(self, mode: bool = True) -> 'WanVAEEncoder':
        """Stays in eval mode: the encoder is frozen."""
        super().train(False)
        return self

    def normalize(self, z: torch.Tensor) -> torch.Tensor:
        """(z - mean) / std per channel; z: (B, 16, T', h, w)."""
        return (z - self.latents_mean) / self.latents_std

    def denormalize(self, z: torch.Tensor) -> torch.Tensor:
        """Inverse of :meth:`normalize`."""
        return z * self.latents_std + self.latents_mean

    @torch.no_grad()
    def posterior(self, x: torch.Tensor,
                  keys: Optional[List[str]] = None) -> Tuple[torch.Tensor, torch.Tensor]:
        """Encodes frames in [-1, 1].

        Args:
            x (Tensor): (B, 3, T, H, W), T = 1 (mod 4), H and W multiples of 8.
            keys (list[str], optional): Cache keys of the B clips, when the caller
                has a cheaper exact key than ``x``'s contents (e.g. the binary mask
                ``x`` was made from); by default each clip's content digest.

        Returns:
            tuple[Tensor, Tensor]: posterior mean and std, each (B, 16, T', H/8, W/8)
            float32, not normalised.
        """
        if (x.shape[2] - 1) % self.temporal_ratio:
            raise ValueError(f'the VAE needs T = 1 (mod {self.temporal_ratio}), got T={x.shape[2]}')
        if not self.cache_size:
            return self._posterior_uncached(x)
        if keys is None:
            keys = [self._content_key(clip) for clip in x]

        def encode(idx):
            mean, std = self._posterior_uncached(x[idx])
            return list(zip(mean.cpu(), std.cpu()))
        entries = self._cache.get_or_compute(keys, encode)
        mean = torch.stack([e[0] for e in entries]).to(x.device)
        std = torch.stack([e[1] for e in entries]).to(x.device)
        return mean, std

    def _posterior_uncached(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        dtype = next(self.vae.parameters()).dtype
        dist = self.vae.encode(x.to(dtype)).latent_dist
        return dist.mean.float(), dist.std.float()

    @staticmethod
    def _content_key(clip: torch.Tensor, kind: str = 'frames') -> str:
        """SHA-256 digest of one clip's kind, shape, dtype and values."""
        data = clip.detach().contiguous().cpu()
        if data.dtype == torch.bool:
            data = data.to(torch.uint8)
        digest = hashlib.sha256(data.view(torch.uint8).reshape(-1).numpy())
        digest.update(f'{kind}{tuple(data.shape)}{data.dtype}'.encode())
        return digest.hexdigest()

    def encode_video(self, frames: torch.Tensor, sample: bool = False,
                     generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """Video latent z_v (normalised).

        Args:
            frames (Tensor): (B, 3, T, H, W) in [-1, 1].
            sample (bool): Draw from the posterior (SPA) instead of taking its mean.
            generator (torch.Generator, optional): For the SPA draw.

        Returns:
            Tensor: (B, 16, T', H/8, W/8).
        """
        mean, std = self.posterior(frames)
        return self.latent_from_posterior(mean, std, sample, generator)

    @torch.no_grad()
    def encode_video_chunked(self, frames_fn: FramesFn, num_frames: int) -> torch.Tensor:
        """Video latent z_v (normalised posterior mean) of a clip read chunk by chunk.

        Equals :meth:`encode_video` (``sample=False``) on the clip padded in time to
        1 (mod 4) by repeating its last frame, as ``RVOSDataPreprocessor`` pads it,
        but asks ``frames_fn`` for frame 0, then frames 1-4, 5-8, ... only when Wan's
        causal encoder reaches them (:func:`~mmflowrvs.models.utils.encode_chunks`):
        the clip never exists whole in the input space, so the encode's memory does
        not grow with the clip beyond its latent.

        Args:
            frames_fn (callable): ``frames_fn(a, b)`` -> (B, 3, b - a, H, W) frames
                a..b-1 of the clip in the model's input space (normalised).
            num_frames (int): T, the clip's frames.

        Returns:
            Tensor: (B, 16, 1 + ceil((T - 1) / 4), H/8, W/8).
        """
        from diffusers.models.autoencoders.vae import DiagonalGaussianDistribution
        dtype = next(self.vae.parameters()).dtype
        if self.temporal_ratio != 4 or self.vae.use_tiling or \
                getattr(self.vae.config, 'patch_size', None) is not None:
            # not the plain Wan 2.1 loop: the one-shot encode on the whole clip
            return self.encode_video(_pad_last(frames_fn(0, num_frames), num_frames,
                                               self._padded(num_frames)))

        def chunks() -> Iterator[torch.Tensor]:
            padded = self._padded(num_frames)
            for a, b in [(0, 1)] + [(s, s + 4) for s in range(1, padded, 4)]:
                x = frames_fn(a, min(b, num_frames))  # (B, 3, <= 4, H, W)
                yield _pad_last(x, min(b, num_frames) - a, b - a).to(dtype)

        moments = encode_chunks(self.vae, chunks())
        return self.normalize(DiagonalGaussianDistribution(moments).mean.float())

    def _padded(self, t: int) -> int:
        """Smallest T' >= t with T' = 1 (mod temporal_ratio)."""
        r = self.temporal_ratio
        return 1 + -(-(t - 1) // r) * r

    def latent_from_posterior(self, mean: torch.Tensor, std: torch.Tensor, sample: bool = False,
                              generator: Optional[torch.Generator] = None) -> torch.Tensor:
        """Normalised latent from a (possibly cached) posterior mean/std."""
        if sample:
            eps = torch.randn(mean.shape, generator=generator, device=mean.device)
            mean = mean + std * eps
        return self.normalize(mean)

    def encode_mask(self, masks: torch.Tensor) -> torch.Tensor:
        """Mask latent z_m.

        Args:
            masks (Tensor): (B, T, H, W) bool or {0, 1}, at the frame size.

        Returns:
            Tensor: (B, 16, T', H/8, W/8) posterior mean (normalised only if
            ``normalize_mask_latent``).
        """
        m = masks.float().unsqueeze(1).repeat(1, 3, 1, 1, 1) * 2 - 1  # (B, 3, T, H, W)
        # key the cache on the mask itself (it determines m): 3x fewer values to hash
        # than m, 12x fewer bytes when it is bool / uint8
        keys = ([self._content_key(mask, 'mask') for mask in masks]
                if self.cache_size else None)
        mean, _ = self.posterior(m, keys)
        return self.normalize(mean) if self.normalize_mask_latent else mean


def _pad_last(x: torch.Tensor, t: int, target: int) -> torch.Tensor:
    """(B, C, t, H, W) -> (B, C, target, H, W) by repeating the last frame."""
    if target == t:
        return x
    return torch.cat([x, x[:, :, -1:].expand(-1, -1, target - t, -1, -1)], 2)
