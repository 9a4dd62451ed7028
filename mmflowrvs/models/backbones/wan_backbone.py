"""The velocity network: Wan 2.1's DiT (diffusers ``WanTransformer3DModel``)."""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmflowrvs.registry import MODELS
from mmflowrvs.utils.wan_folder import wan_subfolder

from ..utils import to_dtype


@MODELS.register_module()
class WanBackbone(BaseModule):
    """Text-conditioned velocity field f(x_s, s, text) on Wan latents.

    Wraps diffusers' ``WanTransformer3DModel`` loaded from ``<pretrained>/transformer``.
    With direct video injection (DVI) the input is ``cat([x_s, z_v], dim=1)`` (32
    channels): the patch embedding grows to 32 input channels, its first 16 copied
    from the pretrained conv and the extra 16 zero, so at initialisation the output
    equals the 16-channel model's.

    Args:
        pretrained (str): The diffusers-format Wan folder.
        subfolder (str): Subfolder of the DiT. Defaults to ``'transformer'``.
        use_dvi (bool): Direct video injection. Defaults to False.
        gradient_checkpointing (bool): Checkpoint every transformer block.
        dtype (str, optional): Weight dtype (``'bf16'``, ``'fp32'``...).
        load_weights (bool): Load the folder's weights (True) or only its config
            (False: random init; used on the meta device or before a checkpoint).
        init_cfg (dict, optional): MMEngine init config.
    """

    def __init__(self,
                 pretrained: Optional[str] = None,
                 subfolder: str = 'transformer',
                 use_dvi: bool = False,
                 gradient_checkpointing: bool = False,
                 dtype: Optional[str] = None,
                 load_weights: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        from diffusers import WanTransformer3DModel

        path = wan_subfolder(pretrained, subfolder)
        if load_weights:
            self.transformer = WanTransformer3DModel.from_pretrained(path)
        else:
            self.transformer = WanTransformer3DModel.from_config(
                WanTransformer3DModel.load_config(path))
        self.latent_channels = self.transformer.config.out_channels
        self.use_dvi = use_dvi
        if use_dvi:
            self._expand_patch_embedding()
        if gradient_checkpointing:
            self.transformer.enable_gradient_checkpointing()
        self.dtype = to_dtype(dtype)
        if self.dtype is not None:
            self.transformer.to(self.dtype)

    def _expand_patch_embedding(self) -> None:
        old = self.transformer.patch_embedding
        if old.in_channels == 2 * self.latent_channels:
            return
        new = nn.Conv3d(2 * old.in_channels, old.out_channels, kernel_size=old.kernel_size,
                        stride=old.stride, device=old.weight.device, dtype=old.weight.dtype)
        with torch.no_grad():
            new.weight.zero_()
            new.weight[:, :old.in_channels].copy_(old.weight)
            new.bias.copy_(old.bias)
        self.transformer.patch_embedding = new
        self.transformer.register_to_config(in_channels=new.in_channels)

    def init_weights(self) -> None:
        """Keeps the pretrained weights (MMEngine's default init would overwrite them)."""

    def forward(self, x: torch.Tensor, timestep: torch.Tensor, text_embeds: torch.Tensor,
                video_latent: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Predicts the velocity.

        Args:
            x (Tensor): (B, 16, T', h, w) the state x_s.
            timestep (Tensor): (B,) integer-valued timesteps in [1, 1000].
            text_embeds (Tensor): (B, L, text_dim) prompt embeddings.
            video_latent (Tensor, optional): (B, 16, T', h, w) z_v, required with DVI.

        Returns:
            Tensor: (B, 16, T', h, w) velocity, float32.
        """
        if self.use_dvi:
            if video_latent is None:
                raise ValueError('WanBackbone(use_dvi=True) needs video_latent')
            x = torch.cat([x, video_latent], dim=1)  # (B, 32, T', h, w)
        dtype = self.transformer.patch_embedding.weight.dtype
        out = self.transformer(
            hidden_states=x.to(dtype), timestep=timestep,
            encoder_hidden_states=text_embeds.to(dtype), return_dict=False)[0]
        return out.float()
