"""Small helpers shared by the Wan components."""
from typing import Iterable, Optional, Union

import torch

from mmflowrvs.utils.wan_folder import wan_subfolder


def to_dtype(dtype: Union[str, torch.dtype, None]) -> Optional[torch.dtype]:
    """Maps ``'bf16'``/``'bfloat16'``/``'fp16'``/``'fp32'`` (or a dtype) to a torch dtype."""
    if dtype is None or isinstance(dtype, torch.dtype):
        return dtype
    table = {'bf16': torch.bfloat16, 'bfloat16': torch.bfloat16, 'fp16': torch.float16,
             'float16': torch.float16, 'fp32': torch.float32, 'float32': torch.float32}
    if dtype not in table:
        raise ValueError(f'unknown dtype {dtype!r}; use one of {sorted(table)}')
    return table[dtype]


def freeze(module: torch.nn.Module) -> torch.nn.Module:
    """Sets ``requires_grad=False`` on every parameter and puts it in eval mode."""
    module.eval()
    for p in module.parameters():
        p.requires_grad_(False)
    return module


def load_wan_vae(pretrained: Optional[str], subfolder: str = 'vae', load_weights: bool = True):
    """Loads diffusers' ``AutoencoderKLWan`` from ``pretrained/subfolder``.

    Args:
        pretrained (str): The diffusers-format Wan folder.
        subfolder (str): Defaults to ``'vae'``.
        load_weights (bool): Weights too (True), or the architecture only.

    Returns:
        AutoencoderKLWan: The VAE.
    """
    from diffusers import AutoencoderKLWan
    path = wan_subfolder(pretrained, subfolder)
    if load_weights:
        return AutoencoderKLWan.from_pretrained(path)
    return AutoencoderKLWan.from_config(AutoencoderKLWan.load_config(path))


def register_latent_stats(module: torch.nn.Module, vae_config) -> None:
    """Registers the VAE config's per-channel ``latents_mean`` / ``latents_std`` as
    (1, C, 1, 1, 1) non-persistent buffers of ``module``."""
    for name in ('latents_mean', 'latents_std'):
        value = torch.tensor(getattr(vae_config, name)).view(1, -1, 1, 1, 1)
        module.register_buffer(name, value, persistent=False)


def decode_unclamped(vae, z: torch.Tensor) -> torch.Tensor:
    """Runs ``AutoencoderKLWan``'s causal frame-by-frame decoding without the final
    clamp to [-1, 1] that ``AutoencoderKLWan.decode`` applies (a clamp zeroes the
    gradients of a reconstruction loss and breaks logits).

    Args:
        vae (AutoencoderKLWan): With ``post_quant_conv`` and ``decoder``.
        z (Tensor): (B, z_dim, T', h, w) latents (not normalised).

    Returns:
        Tensor: (B, C_out, 1 + 4 (T' - 1), 8h, 8w).
    """
    vae.clear_cache()
    x = vae.post_quant_conv(z)
    frames = []
    for i in range(x.shape[2]):
        vae._conv_idx = [0]
        frames.append(vae.decoder(x[:, :, i:i + 1], feat_cache=vae._feat_map,
                                  feat_idx=vae._conv_idx, first_chunk=(i == 0)))
    vae.clear_cache()
    return torch.cat(frames, dim=2)


def encode_chunks(vae, chunks: Iterable[torch.Tensor]) -> torch.Tensor:
    """Runs ``AutoencoderKLWan``'s causal chunk-by-chunk encoding on chunks that the
    caller makes one at a time.

    ``AutoencoderKLWan.encode`` slices its input into frame 0, frames 1-4, 5-8, ...
    and passes each slice through the encoder with a cache of the previous slice's
    features (the encoder is causal in time). This runs the same loop on
    ``chunks`` given in that order, so only one chunk needs to exist in the input
    space at a time: for a long video that is the difference between one chunk of
    float frames and the whole video of them. The result equals ``encode``'s on the
    concatenated chunks (tested).

    Args:
        vae (AutoencoderKLWan): With ``encoder`` and ``quant_conv``, no spatial
            tiling, no patchify (Wan 2.1).
        chunks (iterable[Tensor]): (B, 3, T_i, H, W) in the VAE's dtype: T_0 = 1,
            then 4 frames each.

    Returns:
        Tensor: (B, 2 z_dim, T', H/8, W/8) posterior parameters (mean, log-variance),
        as ``DiagonalGaussianDistribution`` takes them.
    """
    vae.clear_cache()
    out = []
    try:
        for chunk in chunks:
            vae._enc_conv_idx = [0]
            out.append(vae.encoder(chunk, feat_cache=vae._enc_feat_map,
                                   feat_idx=vae._enc_conv_idx))
    finally:
        vae.clear_cache()
    return vae.quant_conv(torch.cat(out, 2))
