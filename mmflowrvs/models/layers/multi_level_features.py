"""Multi-level features to and from the flat token layout of mmdet's deformable DETR."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmdet.models.detectors.deformable_detr import DeformableDETR


def frame_padding_masks(img_shapes: Sequence[Tuple[int, int]], num_frames: int,
                        batch_shape: Tuple[int, int], device) -> Optional[torch.Tensor]:
    """Padding masks of a batch of clips, one per frame.

    Args:
        img_shapes (Sequence[tuple]): Each clip's (H, W) before padding.
        num_frames (int): T, frames per clip in the batch.
        batch_shape (tuple): (H_pad, W_pad) of the batch.
        device: Device of the masks.

    Returns:
        Tensor or None: (B*T, H_pad, W_pad) bool, True at padded pixels; None when no
        clip is padded.
    """
    h_pad, w_pad = batch_shape
    if all(tuple(s) == (h_pad, w_pad) for s in img_shapes):
        return None
    masks = torch.ones(len(img_shapes), h_pad, w_pad, dtype=torch.bool, device=device)
    for i, (h, w) in enumerate(img_shapes):
        masks[i, :h, :w] = False
    return masks.repeat_interleave(num_frames, dim=0)


def flatten_levels(feats: Sequence[torch.Tensor], pad_mask: Optional[torch.Tensor],
                   positional_encoding, level_embed: torch.Tensor) -> Dict:
    """Flattens (N, C, h_l, w_l) levels into the inputs of mmdet's deformable layers.

    The same steps as ``DeformableDETR.pre_transformer`` of mmdet, for N frames.

    Args:
        feats (Sequence[Tensor]): Per level (N, C, h_l, w_l).
        pad_mask (Tensor, optional): (N, H, W) True at padding (None: no padding).
        positional_encoding: mmdet's ``SinePositionalEncoding``.
        level_embed (Tensor): (num_levels, C).

    Returns:
        dict: ``feat`` (N, S, C), ``feat_pos`` (N, S, C) (level embedding added),
        ``feat_mask`` (N, S) or None, ``spatial_shapes`` (L, 2), ``level_start_index``
        (L,), ``valid_ratios`` (N, L, 2), ``level_masks`` (per level (N, h_l, w_l) or
        None) and ``level_pos`` (per level (N, C, h_l, w_l), no level embedding).
    """
    flat, flat_pos, flat_mask, shapes, level_masks, level_pos = [], [], [], [], [], []
    for lvl, feat in enumerate(feats):
        n, c, h, w = feat.shape
        mask = None
        if pad_mask is not None:
            mask = F.interpolate(pad_mask[None].float(), size=(h, w))[0].bool()
            pos = positional_encoding(mask)
        else:
            pos = positional_encoding(None, input=feat)
        level_masks.append(mask)
        level_pos.append(pos)
        flat.append(feat.flatten(2).transpose(1, 2))
        flat_pos.append(pos.flatten(2).transpose(1, 2) + level_embed[lvl].view(1, 1, -1))
        flat_mask.append(None if mask is None else mask.flatten(1))
        shapes.append((h, w))
    device = feats[0].device
    spatial_shapes = torch.tensor(shapes, dtype=torch.long, device=device)
    level_start_index = torch.cat((spatial_shapes.new_zeros((1,)),
                                   spatial_shapes.prod(1).cumsum(0)[:-1]))
    if pad_mask is None:
        valid_ratios = feats[0].new_ones(feats[0].shape[0], len(feats), 2)
        feat_mask = None
    else:
        valid_ratios = torch.stack([DeformableDETR.get_valid_ratio(m) for m in level_masks], 1)
        feat_mask = torch.cat(flat_mask, 1)
    return dict(feat=torch.cat(flat, 1), feat_pos=torch.cat(flat_pos, 1), feat_mask=feat_mask,
                spatial_shapes=spatial_shapes, level_start_index=level_start_index,
                valid_ratios=valid_ratios, level_masks=level_masks, level_pos=level_pos)


def split_levels(memory: torch.Tensor, spatial_shapes: torch.Tensor) -> List[torch.Tensor]:
    """(N, S, C) flat tokens -> per level (N, C, h_l, w_l)."""
    n, _, c = memory.shape
    sizes = [int(h) * int(w) for h, w in spatial_shapes.tolist()]
    return [m.transpose(1, 2).reshape(n, c, int(h), int(w))
            for m, (h, w) in zip(memory.split(sizes, dim=1), spatial_shapes.tolist())]
