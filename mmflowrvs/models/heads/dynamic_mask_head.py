"""Dynamic-convolution mask head: each query's embedding becomes a small mask FCN."""
from typing import List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.layers.transformer.utils import MLP

from mmflowrvs.registry import MODELS


@MODELS.register_module()
class DynamicMaskHead(nn.Module):
    """Generates per-query 1x1 convolutions and runs them over the mask features.

    A controller (mmdet's ``MLP``) maps each query embedding to the weights and biases
    of ``num_layers`` 1x1 convolutions (``channels`` wide, ReLU between, one output
    channel) applied to the pixel decoder's mask features concatenated with the pixels'
    coordinates relative to the query's reference point (CondInst / ReferFormer).
    Coordinates are normalised by the frame's size (ReferFormer uses pixels).

    Args:
        embed_dims (int): Query width.
        in_channels (int): Channels of the mask features.
        num_layers (int): Dynamic layers. Defaults to 3.
        channels (int): Width of the dynamic layers. Defaults to 8.
        rel_coords (bool): Append relative coordinates. Defaults to True.
        feat_stride (int): Stride of the mask features. Defaults to 4.
        out_stride (int): Stride of the returned logits (``feat_stride`` divided by a
            whole factor, bilinear upsampling). Defaults to 4.
    """

    def __init__(self, embed_dims: int, in_channels: int, num_layers: int = 3,
                 channels: int = 8, rel_coords: bool = True, feat_stride: int = 4,
                 out_stride: int = 4) -> None:
        super().__init__()
        if num_layers < 2:
            raise ValueError(f'DynamicMaskHead: num_layers must be >= 2, got {num_layers}')
        if feat_stride % out_stride:
            raise ValueError(f'DynamicMaskHead: feat_stride {feat_stride} is not a multiple '
                             f'of out_stride {out_stride}')
        self.in_channels = in_channels
        self.rel_coords = rel_coords
        self.feat_stride, self.out_stride = feat_stride, out_stride
        first_in = in_channels + (2 if rel_coords else 0)
        dims = [first_in] + [channels] * (num_layers - 1) + [1]
        self.layer_shapes: List[Tuple[int, int]] = list(zip(dims[1:], dims[:-1]))  # (out, in)
        num_params = sum(o * i + o for o, i in self.layer_shapes)
        self.controller = MLP(embed_dims, embed_dims, num_params, 3)
        for layer in self.controller.layers:
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)

    def _split_params(self, params: torch.Tensor):
        """(N, Q, P) -> per layer weight (N, Q, out, in) and bias (N, Q, out)."""
        n, q, _ = params.shape
        out, start = [], 0
        for o, i in self.layer_shapes:
            w = params[..., start:start + o * i].reshape(n, q, o, i)
            start += o * i
            b = params[..., start:start + o]
            start += o
            out.append((w, b))
        return out

    def relative_coords(self, ref_points: torch.Tensor, size: Tuple[int, int],
                        img_shapes: torch.Tensor) -> torch.Tensor:
        """Pixel centres minus reference points, in units of the frame size.

        Args:
            ref_points (Tensor): (N, Q, 2) normalised (x, y) w.r.t. the unpadded frame.
            size (tuple): (h, w) of the mask features.
            img_shapes (Tensor): (N, 2) unpadded (H, W) of each frame in pixels.

        Returns:
            Tensor: (N, Q, 2, h*w).
        """
        h, w = size
        device = ref_points.device
        ys = (torch.arange(h, device=device, dtype=torch.float32) + 0.5) * self.feat_stride
        xs = (torch.arange(w, device=device, dtype=torch.float32) + 0.5) * self.feat_stride
        grid_y, grid_x = torch.meshgrid(ys, xs, indexing='ij')
        img_h = img_shapes[:, 0].float().view(-1, 1, 1)
        img_w = img_shapes[:, 1].float().view(-1, 1, 1)
        loc_x = grid_x.reshape(1, 1, -1) / img_w  # (N, 1, h*w)
        loc_y = grid_y.reshape(1, 1, -1) / img_h
        return torch.stack([ref_points[..., 0:1] - loc_x, ref_points[..., 1:2] - loc_y], 2)

    def forward(self, queries: torch.Tensor, mask_feats: torch.Tensor,
                ref_points: torch.Tensor, img_shapes: torch.Tensor) -> torch.Tensor:
        """Mask logits of every query.

        Args:
            queries (Tensor): (N, Q, C) decoder embeddings (N = frames).
            mask_feats (Tensor): (N, in_channels, h, w) at ``feat_stride``.
            ref_points (Tensor): (N, Q, 2) normalised (x, y) of each query.
            img_shapes (Tensor): (N, 2) unpadded (H, W) in pixels.

        Returns:
            Tensor: (N, Q, h * f, w * f) logits, f = feat_stride / out_stride.
        """
        n, q, _ = queries.shape
        _, c, h, w = mask_feats.shape
        layers = self._split_params(self.controller(queries))
        w0, b0 = layers[0]
        feats = mask_feats.flatten(2)  # (N, C, h*w)
        # first layer without repeating the features per query
        x = torch.einsum('nqoc,ncp->nqop', w0[..., :c], feats)
        if self.rel_coords:
            coords = self.relative_coords(ref_points, (h, w), img_shapes)  # (N, Q, 2, h*w)
            x = x + torch.einsum('nqoc,nqcp->nqop', w0[..., c:], coords)
        x = x + b0[..., None]
        for wl, bl in layers[1:]:
            x = torch.einsum('nqoc,nqcp->nqop', wl, F.relu(x)) + bl[..., None]
        logits = x.reshape(n, q, h, w)
        factor = self.feat_stride // self.out_stride
        if factor > 1:
            logits = F.interpolate(logits, scale_factor=factor, mode='bilinear',
                                   align_corners=False)
        return logits
