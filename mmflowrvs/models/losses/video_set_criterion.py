"""Instance-sequence matching and losses of ReferFormer, on mmdet's assigner and losses."""
from typing import Dict, List

import torch
import torch.nn as nn
from mmdet.structures.bbox import bbox_cxcywh_to_xyxy, bbox_xyxy_to_cxcywh
from mmdet.structures.mask import mask2bbox
from mmdet.utils import reduce_mean
from mmengine.structures import InstanceData

from mmflowrvs.registry import MODELS, TASK_UTILS


@MODELS.register_module()
class VideoSetCriterion(nn.Module):
    """Matches one query sequence to the referred object and computes the losses.

    A prediction is a query across the clip's T frames (per frame: a referred-ness
    logit, a box, a mask); the target is the expression's mask over the same frames,
    with a box and a visibility flag per frame taken from the mask. For each clip the
    assigner (``mmdet.HungarianAssigner``; with one target it picks the cheapest query)
    matches on frame-averaged class and box costs and clip-level mask costs. Losses, all
    mmdet's and divided by the number of visible target frames in the batch as in
    ReferFormer: the class loss (matched query positive on visible frames, every other
    query and frame negative), L1 on normalised (cx, cy, w, h) and GIoU on boxes of the
    visible frames, focal and dice on the matched query's masks over the clip. Each
    decoder layer is matched and supervised (``d{i}.`` prefixes as mmdet's DETRs).

    Args:
        assigner (dict): e.g. ``mmdet.HungarianAssigner`` with match costs that read
            ``scores`` (Q, T, 1), ``bboxes`` (Q, T, 4) normalised xyxy, ``masks``
            (Q, T*h*w) logits; targets have ``valid`` (1, T).
        loss_cls (dict): e.g. ``mmdet.FocalLoss``.
        loss_bbox (dict): e.g. ``mmdet.L1Loss``.
        loss_iou (dict): e.g. ``mmdet.GIoULoss``.
        loss_mask (dict): e.g. ``mmdet.FocalLoss`` (pixel-wise).
        loss_dice (dict): e.g. ``mmdet.DiceLoss``.
        mask_out_stride (int): Stride of the predicted masks; the targets are taken
            every ``mask_out_stride`` pixels (from the middle of each cell). Defaults to 4.
        aux_loss (bool): Supervise every decoder layer. Defaults to True.
    """

    def __init__(self, assigner: dict, loss_cls: dict, loss_bbox: dict, loss_iou: dict,
                 loss_mask: dict, loss_dice: dict, mask_out_stride: int = 4,
                 aux_loss: bool = True) -> None:
        super().__init__()
        self.assigner = TASK_UTILS.build(assigner)
        self.loss_cls = MODELS.build(loss_cls)
        self.loss_bbox = MODELS.build(loss_bbox)
        self.loss_iou = MODELS.build(loss_iou)
        self.loss_mask = MODELS.build(loss_mask)
        self.loss_dice = MODELS.build(loss_dice)
        self.mask_out_stride = mask_out_stride
        self.aux_loss = aux_loss

    def targets(self, gt_masks: torch.Tensor, img_shapes: torch.Tensor) -> Dict:
        """Per-frame targets from the padded masks.

        Args:
            gt_masks (Tensor): (B, T, H, W) in {0, 1}, padded.
            img_shapes (Tensor): (B, 2) unpadded (H, W).

        Returns:
            dict: ``masks`` (B, T, H/s, W/s), ``bboxes`` (B, T, 4) xyxy normalised by
            the unpadded size, ``valid`` (B, T) bool (object visible in the frame).
        """
        b, t, h, w = gt_masks.shape
        s = self.mask_out_stride
        if h % s or w % s:
            raise ValueError(f'VideoSetCriterion: padded size {(h, w)} is not a multiple of '
                             f'mask_out_stride {s}; raise the data preprocessor\'s '
                             'size_divisor')
        binary = gt_masks > 0.5
        boxes = mask2bbox(binary.flatten(0, 1)).view(b, t, 4).to(gt_masks.device)
        scale = img_shapes.flip(-1).repeat(1, 2).float().view(b, 1, 4)  # (w, h, w, h)
        return dict(masks=gt_masks[:, :, s // 2::s, s // 2::s].float(),
                    bboxes=boxes / scale, valid=binary.flatten(2).any(-1))

    @torch.no_grad()
    def match(self, cls: torch.Tensor, boxes: torch.Tensor, masks: torch.Tensor,
              gt_boxes: torch.Tensor, gt_masks: torch.Tensor, valid: torch.Tensor) -> int:
        """Index of the query matched to the target in one clip.

        Args:
            cls (Tensor): (T, Q) logits. boxes (Tensor): (T, Q, 4) cxcywh.
            masks (Tensor): (T, Q, h, w) logits. gt_boxes (Tensor): (T, 4) xyxy.
            gt_masks (Tensor): (T, h, w). valid (Tensor): (T,) bool.
        """
        q = cls.shape[1]
        pred = InstanceData(scores=cls.transpose(0, 1)[..., None],
                            bboxes=bbox_cxcywh_to_xyxy(boxes).transpose(0, 1),
                            masks=masks.transpose(0, 1).flatten(1))
        gt = InstanceData(labels=cls.new_zeros(1, dtype=torch.long), bboxes=gt_boxes[None],
                          masks=gt_masks.flatten()[None], valid=valid[None])
        result = self.assigner.assign(pred, gt, img_meta=dict(img_shape=(1, 1)))
        matched = (result.gt_inds == 1).nonzero().flatten()
        if matched.numel() != 1:
            raise RuntimeError(f'the assigner matched {matched.numel()} of {q} queries to '
                               'the one target')
        return int(matched[0])

    def layer_loss(self, cls: torch.Tensor, boxes: torch.Tensor, masks: torch.Tensor,
                   targets: Dict) -> Dict[str, torch.Tensor]:
        """Losses of one decoder layer.

        Args:
            cls (Tensor): (B, T, Q) logits. boxes (Tensor): (B, T, Q, 4) cxcywh.
            masks (Tensor): (B, T, Q, h, w) logits at ``mask_out_stride``.
            targets (dict): From :meth:`targets`.
        """
        b, t, q = cls.shape
        valid = targets['valid']
        inds = torch.tensor([self.match(cls[i], boxes[i], masks[i], targets['bboxes'][i],
                                        targets['masks'][i], valid[i]) for i in range(b)],
                            device=cls.device)
        num_pos = reduce_mean(valid.sum().float()).clamp(min=1).item()
        labels = torch.ones(b, t, q, dtype=torch.long, device=cls.device)  # 1: background
        rows = torch.arange(b, device=cls.device)
        labels[rows, :, inds] = torch.where(valid, 0, 1)
        out = dict(loss_cls=self.loss_cls(cls.reshape(-1, 1), labels.flatten(),
                                          avg_factor=num_pos))
        matched_boxes = boxes[rows, :, inds][valid]  # (M, 4) cxcywh
        gt_boxes = targets['bboxes'][valid]  # (M, 4) xyxy
        if gt_boxes.numel():
            out['loss_bbox'] = self.loss_bbox(matched_boxes, bbox_xyxy_to_cxcywh(gt_boxes),
                                              avg_factor=num_pos)
            out['loss_iou'] = self.loss_iou(bbox_cxcywh_to_xyxy(matched_boxes), gt_boxes,
                                            avg_factor=num_pos)
        else:  # no visible target in the batch: keep the graph, add nothing
            out['loss_bbox'] = out['loss_iou'] = boxes.sum() * 0
        pred_masks = masks[rows, :, inds].flatten(1)  # (B, T*h*w)
        gt_masks = targets['masks'].flatten(1)
        out['loss_mask'] = self.loss_mask(pred_masks, gt_masks,
                                          avg_factor=num_pos * pred_masks.shape[1])
        out['loss_dice'] = self.loss_dice(pred_masks, gt_masks, avg_factor=num_pos)
        return out

    def forward(self, cls: torch.Tensor, boxes: torch.Tensor, masks: torch.Tensor,
                gt_masks: torch.Tensor, img_shapes: torch.Tensor) -> Dict[str, torch.Tensor]:
        """All losses.

        Args:
            cls (Tensor): (L, B, T, Q) logits of every decoder layer.
            boxes (Tensor): (L, B, T, Q, 4) normalised cxcywh.
            masks (Tensor): (L, B, T, Q, h, w) logits.
            gt_masks (Tensor): (B, T, H, W) padded target masks.
            img_shapes (Tensor): (B, 2) unpadded (H, W).
        """
        targets = self.targets(gt_masks, img_shapes)
        if targets['masks'].shape[-2:] != masks.shape[-2:]:
            raise ValueError(f'predicted masks {tuple(masks.shape[-2:])} and targets '
                             f'{tuple(targets["masks"].shape[-2:])} differ: the mask head\'s '
                             'out_stride and the criterion\'s mask_out_stride must agree')
        losses: Dict[str, torch.Tensor] = {}
        num_layers = cls.shape[0]
        layers: List[int] = list(range(num_layers)) if self.aux_loss else [num_layers - 1]
        for layer in layers:
            prefix = '' if layer == num_layers - 1 else f'd{layer}.'
            for k, v in self.layer_loss(cls[layer], boxes[layer], masks[layer],
                                        targets).items():
                losses[prefix + k] = v
        return losses

