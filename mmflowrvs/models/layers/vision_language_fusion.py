"""Vision-language fusion blocks of ReferFormer: text features into visual tokens."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn.bricks.transformer import FFN


class FeatureResizer(nn.Module):
    """Maps text-encoder features to the model width: linear, LayerNorm, dropout.

    Args:
        in_dims (int): Text-encoder width (768 for roberta-base).
        out_dims (int): Model width.
        dropout (float): Defaults to 0.1.
    """

    def __init__(self, in_dims: int, out_dims: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.fc = nn.Linear(in_dims, out_dims)
        self.norm = nn.LayerNorm(out_dims, eps=1e-12)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., in_dims) -> (..., out_dims)."""
        return self.dropout(self.norm(self.fc(x)))


class VisionLanguageFusion(nn.Module):
    """Early fusion: each visual token is scaled by what it attends to in the sentence.

    out = x * MHA(query=x, key=words, value=words), as ReferFormer before its encoder.

    Args:
        embed_dims (int): Model width.
        num_heads (int): Defaults to 8.
        dropout (float): Attention dropout. Defaults to 0.
    """

    def __init__(self, embed_dims: int, num_heads: int = 8, dropout: float = 0.0) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(embed_dims, num_heads, dropout=dropout,
                                          batch_first=True)

    def forward(self, x: torch.Tensor, words: torch.Tensor,
                words_pad_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """x (B, S, C) visual tokens, words (B, L, C), words_pad_mask (B, L) True at
        padding -> (B, S, C)."""
        attended = self.attn(x, words, words, key_padding_mask=words_pad_mask,
                             need_weights=False)[0]
        return x * attended


class VisionLanguageBlock(nn.Module):
    """Post-norm block over a clip's tokens: self-attention across frames and space (keys
    and queries pooled ``sr_ratio`` times in space), cross-attention to the words, FFN.

    ReferFormer runs one per level of its cross-modal FPN.

    Args:
        embed_dims (int): Model width.
        num_heads (int): Defaults to 8.
        feedforward_channels (int): FFN hidden width. Defaults to 2048.
        dropout (float): Defaults to 0.1.
        sr_ratio (int): Spatial reduction of the self-attention. Defaults to 1.
    """

    def __init__(self, embed_dims: int, num_heads: int = 8, feedforward_channels: int = 2048,
                 dropout: float = 0.1, sr_ratio: int = 1) -> None:
        super().__init__()
        self.sr_ratio = sr_ratio
        self.self_attn = nn.MultiheadAttention(embed_dims, num_heads, dropout=dropout,
                                               batch_first=True)
        self.cross_attn = nn.MultiheadAttention(embed_dims, num_heads, dropout=dropout,
                                                batch_first=True)
        self.ffn = FFN(embed_dims, feedforward_channels, ffn_drop=dropout)
        self.norms = nn.ModuleList(nn.LayerNorm(embed_dims) for _ in range(3))
        self.dropout = nn.Dropout(dropout)

    def _pool(self, x: torch.Tensor, size) -> torch.Tensor:
        """(N, C, h, w) -> (N, C, *size), nearest."""
        return x if tuple(x.shape[-2:]) == tuple(size) else F.interpolate(x, size=size)

    def forward(self, x: torch.Tensor, pos: torch.Tensor, words: torch.Tensor,
                words_pad_mask: Optional[torch.Tensor], num_frames: int,
                pad_mask: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Fuses one FPN level.

        Args:
            x (Tensor): (B*T, C, h, w) visual features.
            pos (Tensor): (B*T, C, h, w) positional encoding.
            words (Tensor): (B, L, C) text features.
            words_pad_mask (Tensor, optional): (B, L), True at padding.
            num_frames (int): T.
            pad_mask (Tensor, optional): (B*T, h, w), True at padded pixels.

        Returns:
            Tensor: (B*T, C, h, w).
        """
        n, c, h, w = x.shape
        b, t = n // num_frames, num_frames
        size = (max(h // self.sr_ratio, 1), max(w // self.sr_ratio, 1))

        def tokens(m: torch.Tensor) -> torch.Tensor:  # (B*T, C, h', w') -> (B, T*h'*w', C)
            return m.reshape(b, t, c, -1).permute(0, 1, 3, 2).reshape(b, -1, c)

        q = self._pool(x + pos, size)
        key_mask = None
        if pad_mask is not None:
            key_mask = self._pool(pad_mask[:, None].float(), size)[:, 0] > 0.5
            key_mask = key_mask.reshape(b, -1)  # (B, T*h'*w')
        out = self.self_attn(tokens(q), tokens(q), tokens(self._pool(x, size)),
                             key_padding_mask=key_mask, need_weights=False)[0]
        out = out.reshape(b, t, size[0] * size[1], c).permute(0, 1, 3, 2).reshape(n, c, *size)
        if size != (h, w):
            out = F.interpolate(out, size=(h, w), mode='bilinear', align_corners=False)
        y = self.norms[0](tokens(x) + self.dropout(tokens(out)))  # (B, T*h*w, C)
        attended = self.cross_attn(y + tokens(pos), words, words,
                                   key_padding_mask=words_pad_mask, need_weights=False)[0]
        y = self.norms[1](y + self.dropout(attended))
        y = self.norms[2](self.ffn(y))
        return y.reshape(b, t, h * w, c).permute(0, 1, 3, 2).reshape(n, c, h, w)
