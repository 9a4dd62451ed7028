"""Instance-sequence matching (mmdet's HungarianAssigner + FrameAveragedCost) and losses."""
import os

import torch
from mmengine.config import Config
from mmengine.structures import InstanceData

from mmflowrvs.registry import MODELS, TASK_UTILS

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE = os.path.join(REPO, 'configs', '_base_', 'models', 'referformer_r50.py')


def _criterion(**overrides):
    cfg = Config.fromfile(BASE).model.criterion
    cfg.update(overrides)
    return MODELS.build(cfg)


def _clip(t=3, q=4, h=16, w=16, target_query=2, seed=0):
    """Predictions (T, Q, ...) where query ``target_query`` reproduces the target."""
    g = torch.Generator().manual_seed(seed)
    gt = torch.zeros(t, 4 * h, 4 * w)
    for i in range(t):
        gt[i, 8 + 4 * i:30 + 4 * i, 10:40] = 1  # a moving box, visible in every frame
    crit = _criterion()
    targets = crit.targets(gt[None], torch.tensor([[4 * h, 4 * w]]))
    masks = torch.randn(t, q, h, w, generator=g) - 2  # logits, mostly background
    boxes = torch.rand(t, q, 4, generator=g) * 0.3 + 0.35  # cxcywh somewhere central
    cls = torch.full((t, q), -3.0)
    tgt_masks, tgt_boxes = targets['masks'][0], targets['bboxes'][0]
    masks[:, target_query] = tgt_masks * 20 - 10
    cx, cy = (tgt_boxes[:, 0] + tgt_boxes[:, 2]) / 2, (tgt_boxes[:, 1] + tgt_boxes[:, 3]) / 2
    bw, bh = tgt_boxes[:, 2] - tgt_boxes[:, 0], tgt_boxes[:, 3] - tgt_boxes[:, 1]
    boxes[:, target_query] = torch.stack([cx, cy, bw, bh], -1)
    cls[:, target_query] = 3.0
    return crit, cls, boxes, masks, gt, targets


def test_matching_picks_the_query_that_follows_the_object():
    for target_query in range(4):
        crit, cls, boxes, masks, _, targets = _clip(target_query=target_query)
        got = crit.match(cls, boxes, masks, targets['bboxes'][0], targets['masks'][0],
                         targets['valid'][0])
        assert got == target_query


def test_matching_is_video_level_not_per_frame():
    # query 0 is right in frames 0-1 only, query 1 in frames 1-2 and nearly right in 0:
    # per frame the best query changes, over the clip query 1 wins
    crit, cls, boxes, masks, _, targets = _clip(target_query=0)
    good = masks[:, 0].clone()
    masks[:, 1] = good
    masks[2, 0] = -10.0  # query 0 loses the object in the last frame
    masks[0, 1] = good[0] * 0.6  # query 1 is slightly less sure in the first frame
    boxes[:, 1], cls[:, 1] = boxes[:, 0], cls[:, 0]
    got = crit.match(cls, boxes, masks, targets['bboxes'][0], targets['masks'][0],
                     targets['valid'][0])
    assert got == 1


def test_frame_averaged_cost_is_the_mean_of_mmdet_costs_over_visible_frames():
    cost = TASK_UTILS.build(dict(type='FrameAveragedCost',
                                 cost=dict(type='mmdet.IoUCost', iou_mode='giou')))
    plain = TASK_UTILS.build(dict(type='mmdet.IoUCost', iou_mode='giou'))
    g = torch.Generator().manual_seed(1)
    xy = torch.rand(5, 3, 2, generator=g) * 0.5
    pred = InstanceData(bboxes=torch.cat([xy, xy + 0.3], -1))  # (Q=5, T=3, 4)
    gt_xy = torch.rand(2, 3, 2, generator=g) * 0.5
    valid = torch.tensor([[True, False, True], [True, True, True]])
    gt = InstanceData(bboxes=torch.cat([gt_xy, gt_xy + 0.2], -1), valid=valid,
                      labels=torch.zeros(2, dtype=torch.long))
    got = cost(pred, gt)
    for j in range(2):
        frames = [t for t in range(3) if valid[j, t]]
        want = torch.stack([plain(InstanceData(bboxes=pred.bboxes[:, t]),
                                  InstanceData(bboxes=gt.bboxes[j:j + 1, t]))[:, 0]
                            for t in frames]).mean(0)
        assert torch.allclose(got[:, j], want, atol=1e-6)


def test_losses_prefer_the_right_query_and_cover_every_layer():
    crit, cls, boxes, masks, gt, _ = _clip(target_query=1)
    img = torch.tensor([[64, 64]])

    def total(c, b, m):
        out = crit(c[None, None], b[None, None], m[None, None], gt[None], img)
        assert set(out) == {'loss_cls', 'loss_bbox', 'loss_iou', 'loss_mask', 'loss_dice'}
        return sum(out.values())

    right = total(cls, boxes, masks)
    swapped = [0, 1, 2, 3]
    swapped[1], swapped[3] = 3, 1  # the right sequence moved to query 3 and its score kept
    wrong_cls = cls.clone()
    assert torch.isclose(right, total(cls[:, swapped], boxes[:, swapped], masks[:, swapped]))
    wrong_cls[:, 1], wrong_cls[:, 0] = -3.0, 3.0  # the score on the wrong query
    assert total(wrong_cls, boxes, masks) > right + 0.5
    two_layers = crit(torch.stack([cls, cls])[:, None], torch.stack([boxes, boxes])[:, None],
                      torch.stack([masks, masks])[:, None], gt[None], img)
    assert {'d0.loss_cls', 'loss_cls', 'd0.loss_dice', 'loss_dice'} <= set(two_layers)


def test_invisible_frames_are_negatives_and_have_no_box_loss():
    crit, cls, boxes, masks, gt, _ = _clip(target_query=0)
    gt[1] = 0  # the object leaves the clip in frame 1
    out = crit(cls[None, None], boxes[None, None], masks[None, None], gt[None],
               torch.tensor([[64, 64]]))
    assert all(torch.isfinite(v) for v in out.values())
    gt[:] = 0  # never visible: only class and mask losses push to background
    out = crit(cls[None, None], boxes[None, None], masks[None, None], gt[None],
               torch.tensor([[64, 64]]))
    assert float(out['loss_bbox']) == 0 and float(out['loss_iou']) == 0
    assert float(out['loss_cls']) > 0
