# ReferFormer (Wu et al., "Language as Queries for Referring Video Object Segmentation",
# CVPR 2022) with a ResNet-50, composed from mmdet parts by type; the published
# architecture: width 256, 4 feature levels, 4 encoder + 4 decoder deformable layers
# (8 heads, 4 points, FFN 2048, dropout 0.1), 5 queries, iterative box refinement,
# dynamic mask head of 3 layers x 8 channels over 256-channel mask features at stride 4.
# Swap the backbone by type (mmdet.SwinTransformer: referformer_swin-t_ref-ytvos.py).
# Local folders only, never downloaded: set them (or --cfg-options).
roberta_folder = 'data/pretrained/roberta-base'  # transformers folder (AutoModel format)
resnet50_checkpoint = 'data/pretrained/resnet50-torchvision.pth'  # torchvision keys
embed_dims = 256
num_levels = 4
num_queries = 5
backbone_channels = [256, 512, 1024, 2048]  # strides 4, 8, 16, 32
mask_out_stride = 4

deformable_attn = dict(embed_dims=embed_dims, num_heads=8, num_levels=num_levels,
                       num_points=4, batch_first=True, dropout=0.1)
ffn = dict(embed_dims=embed_dims, feedforward_channels=2048, ffn_drop=0.1)
model = dict(
    type='ReferFormer',
    num_queries=num_queries,
    data_preprocessor=dict(type='RVOSDataPreprocessor', frame_norm='imagenet',
                           size_divisor=32, temporal_divisor=1),
    # DETR's backbone: frozen BN, stem and first stage frozen
    backbone=dict(type='mmdet.ResNet', depth=50, num_stages=4, out_indices=(0, 1, 2, 3),
                  frozen_stages=1, norm_cfg=dict(type='BN', requires_grad=False),
                  norm_eval=True, style='pytorch',
                  init_cfg=dict(type='Pretrained', checkpoint=resnet50_checkpoint)),
    # strides 8, 16, 32 + one stride-2 conv on the last: 4 levels (the stride-4 output
    # goes to the pixel decoder only)
    neck=dict(type='mmdet.ChannelMapper', in_channels=backbone_channels[1:], kernel_size=1,
              out_channels=embed_dims, act_cfg=None, norm_cfg=dict(type='GN', num_groups=32),
              num_outs=num_levels),
    text_encoder=dict(type='RobertaTextEncoder', pretrained=roberta_folder, max_length=64),
    encoder=dict(num_layers=4, layer_cfg=dict(self_attn_cfg=deformable_attn, ffn_cfg=ffn)),
    decoder=dict(num_layers=4, return_intermediate=True, post_norm_cfg=None,
                 layer_cfg=dict(self_attn_cfg=dict(embed_dims=embed_dims, num_heads=8,
                                                   dropout=0.1, batch_first=True),
                                cross_attn_cfg=deformable_attn, ffn_cfg=ffn)),
    # class and box branches of every decoder layer (their forward and initialisation;
    # width, depth and box refinement follow the model; matching and losses: criterion)
    bbox_head=dict(type='mmdet.DeformableDETRHead', num_classes=1, train_cfg=None,
                   loss_cls=dict(type='mmdet.FocalLoss', use_sigmoid=True, loss_weight=2.0),
                   loss_bbox=dict(type='mmdet.L1Loss', loss_weight=5.0),
                   loss_iou=dict(type='mmdet.GIoULoss', loss_weight=2.0)),
    pixel_decoder=dict(type='CrossModalPixelDecoder',
                       in_channels=[backbone_channels[0]] + [embed_dims] * 3,
                       feat_channels=embed_dims, out_channels=embed_dims,
                       feedforward_channels=2048, sr_ratios=(8, 4, 2, 1)),
    mask_head=dict(type='DynamicMaskHead', embed_dims=embed_dims, in_channels=embed_dims,
                   num_layers=3, channels=8, feat_stride=4, out_stride=mask_out_stride),
    # ReferFormer's matcher and loss weights: class 2, L1 5, GIoU 2, mask focal 1, dice 1
    criterion=dict(
        type='VideoSetCriterion',
        mask_out_stride=mask_out_stride,
        assigner=dict(type='mmdet.HungarianAssigner', match_costs=[
            dict(type='mmflowrvs.FrameAveragedCost',
                 cost=dict(type='mmdet.FocalLossCost', weight=2.0)),
            dict(type='mmflowrvs.FrameAveragedCost',
                 cost=dict(type='mmdet.BBoxL1Cost', box_format='xywh', weight=5.0)),
            dict(type='mmflowrvs.FrameAveragedCost',
                 cost=dict(type='mmdet.IoUCost', iou_mode='giou', weight=2.0)),
            dict(type='mmdet.FocalLossCost', binary_input=True, weight=1.0),
            dict(type='mmdet.DiceCost', pred_act=True, eps=1.0, weight=1.0)]),
        loss_cls=dict(type='mmdet.FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
                      loss_weight=2.0),
        loss_bbox=dict(type='mmdet.L1Loss', loss_weight=5.0),
        loss_iou=dict(type='mmdet.GIoULoss', loss_weight=2.0),
        loss_mask=dict(type='mmdet.FocalLoss', use_sigmoid=True, gamma=2.0, alpha=0.25,
                       loss_weight=1.0),
        loss_dice=dict(type='mmdet.DiceLoss', use_sigmoid=True, activate=True,
                       naive_dice=True, eps=1.0, loss_weight=1.0)),
    test_cfg=dict(mask_thr=0.5))

