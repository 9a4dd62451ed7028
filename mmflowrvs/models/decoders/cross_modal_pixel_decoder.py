"""ReferFormer's cross-modal FPN: mmdet's ``PixelDecoder`` with text fused at every level."""
from typing import List, Optional, Sequence

import torch
import torch.nn.functional as F
from mmdet.models.layers import PixelDecoder, SinePositionalEncoding
from mmengine.model import ModuleList

from mmflowrvs.registry import MODELS

from ..layers import VisionLanguageBlock


@MODELS.register_module()
class CrossModalPixelDecoder(PixelDecoder):
    """An FPN-like pixel decoder whose levels attend to the clip and the words.

    mmdet's ``PixelDecoder`` (lateral 1x1 + top-down nearest upsampling + 3x3 output
    convs, a final 3x3 ``mask_feature`` conv) with a :class:`VisionLanguageBlock` after
    each level's lateral conv (after ``last_feat_conv`` for the coarsest level):
    self-attention over the clip's frames and pixels, cross-attention to the words.

    Inputs, high resolution first, are ReferFormer's: the backbone's stride-4 feature
    and the encoder memory at strides 8, 16 and 32.

    Args:
        in_channels (Sequence[int]): Channels of each input level.
        feat_channels (int): FPN width (the model width).
        out_channels (int): Channels of the mask features.
        norm_cfg (dict): Defaults to GN with 8 groups.
        act_cfg (dict): Defaults to ReLU.
        num_heads (int): Heads of the fusion blocks. Defaults to 8.
        feedforward_channels (int): FFN width of the fusion blocks. Defaults to 2048.
        dropout (float): Defaults to 0.1.
        sr_ratios (Sequence[int]): Spatial reduction of each level's self-attention,
            high resolution first. Defaults to (8, 4, 2, 1).
    """

    def __init__(self, in_channels: Sequence[int], feat_channels: int, out_channels: int,
                 norm_cfg: dict = dict(type='GN', num_groups=8),
                 act_cfg: dict = dict(type='ReLU'), num_heads: int = 8,
                 feedforward_channels: int = 2048, dropout: float = 0.1,
                 sr_ratios: Sequence[int] = (8, 4, 2, 1),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(in_channels, feat_channels, out_channels, norm_cfg=norm_cfg,
                         act_cfg=act_cfg, init_cfg=init_cfg)
        if len(sr_ratios) != len(in_channels):
            raise ValueError(f'CrossModalPixelDecoder: {len(in_channels)} levels but '
                             f'{len(sr_ratios)} sr_ratios')
        self.positional_encoding = SinePositionalEncoding(num_feats=feat_channels // 2,
                                                          normalize=True)
        self.fusion_blocks = ModuleList(
            VisionLanguageBlock(feat_channels, num_heads, feedforward_channels, dropout, sr)
            for sr in sr_ratios)

    def _fuse(self, i: int, x: torch.Tensor, words: torch.Tensor,
              words_pad_mask: Optional[torch.Tensor], num_frames: int,
              pad_mask: Optional[torch.Tensor]) -> torch.Tensor:
        mask = None
        if pad_mask is not None:
            mask = F.interpolate(pad_mask[None].float(), size=x.shape[-2:])[0].bool()
            pos = self.positional_encoding(mask)
        else:
            pos = self.positional_encoding(None, input=x)
        return self.fusion_blocks[i](x, pos, words, words_pad_mask, num_frames, mask)

    def forward(self, feats: List[torch.Tensor], words: torch.Tensor,
                words_pad_mask: Optional[torch.Tensor], num_frames: int,
                pad_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Mask features at the resolution of ``feats[0]``.

        Args:
            feats (list[Tensor]): (B*T, C_i, h_i, w_i), high resolution first.
            words (Tensor): (B, L, feat_channels) text features.
            words_pad_mask (Tensor, optional): (B, L), True at padding.
            num_frames (int): T.
            pad_mask (Tensor, optional): (B*T, H, W), True at padded input pixels.

        Returns:
            Tensor: (B*T, out_channels, h_0, w_0).
        """
        y = self.last_feat_conv(feats[-1])
        y = self._fuse(self.num_inputs - 1, y, words, words_pad_mask, num_frames, pad_mask)
        for i in range(self.num_inputs - 2, -1, -1):
            cur = self.lateral_convs[i](feats[i])
            cur = self._fuse(i, cur, words, words_pad_mask, num_frames, pad_mask)
            y = cur + F.interpolate(y, size=cur.shape[-2:], mode='nearest')
            y = self.output_convs[i](y)
        return self.mask_feature(y)
