# The discriminative baseline of the comparison: ReferFormer at toy size on the built-in
# synthetic benchmark, trained from scratch on CPU (docs/referformer.md has its result).
#   python tools/misc/make_tiny_roberta.py work_dirs/quickstart/roberta_tiny
#   python tools/train.py configs/quickstart/referformer_tiny_synthetic.py
#   python tools/test.py configs/quickstart/referformer_tiny_synthetic.py CKPT
# Same model class, mmdet parts and recipe shape as configs/referformer/*, scaled down:
# mmdet ResNet-18 with 16 base channels (random init), width 64, 2+2 deformable layers,
# a tiny random RoBERTa (tools/misc/make_tiny_roberta.py), 5-frame clips, 5 queries.
_base_ = [
    '../_base_/models/referformer_r50.py',
    '../_base_/datasets/synthetic_rvos.py',
    '../_base_/schedules/referformer_adamw.py',
    '../_base_/default_runtime.py',
]
roberta_folder = 'work_dirs/quickstart/roberta_tiny'
embed_dims = 64
backbone_channels = [16, 32, 64, 128]
mask_out_stride = 2  # 64x64 frames: masks supervised at 32x32
deformable_attn = dict(embed_dims=embed_dims, num_heads=4, num_levels=4, num_points=4,
                       batch_first=True, dropout=0.0)
ffn = dict(embed_dims=embed_dims, feedforward_channels=128, ffn_drop=0.0)
model = dict(
    backbone=dict(_delete_=True, type='mmdet.ResNet', depth=18, base_channels=16,
                  num_stages=4, out_indices=(0, 1, 2, 3), norm_cfg=dict(type='BN'),
                  style='pytorch'),
    neck=dict(in_channels=backbone_channels[1:], out_channels=embed_dims),
    text_encoder=dict(pretrained=roberta_folder, max_length=32),
    text_fusion=dict(num_heads=4),
    text_dropout=0.0,
    encoder=dict(num_layers=2, layer_cfg=dict(self_attn_cfg=deformable_attn, ffn_cfg=ffn)),
    decoder=dict(num_layers=2,
                 layer_cfg=dict(self_attn_cfg=dict(embed_dims=embed_dims, num_heads=4,
                                                   dropout=0.0, batch_first=True),
                                cross_attn_cfg=deformable_attn, ffn_cfg=ffn)),
    pixel_decoder=dict(in_channels=[backbone_channels[0]] + [embed_dims] * 3,
                       feat_channels=embed_dims, out_channels=16, num_heads=4,
                       feedforward_channels=128, dropout=0.0, sr_ratios=(4, 2, 1, 1)),
    mask_head=dict(embed_dims=embed_dims, in_channels=16, out_stride=mask_out_stride),
    criterion=dict(mask_out_stride=mask_out_stride))

num_frames = 5  # ReferFormer's training clip: anchor, 2 local, 2 global frames
train_pipeline = [
    dict(type='ReferenceSampleFrames', num_frames=num_frames, short_video='repeat'),
    dict(type='LoadRVOSFrames', cache_frames=10000),
    dict(type='LoadRVOSMasks'),
    dict(type='ReferenceTrainResize', short_sizes=[64], max_size=128, crop_prob=0.0,
         size_divisor=32),
    dict(type='RVOSRandomFlip', prob=0.5),
    dict(type='PackRVOSInputs'),
]
test_pipeline = [
    dict(type='UniformSampleFrames', num_frames=None),
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),
    dict(type='InferenceResize', max_hw=(64, 64), size_divisor=32),
    dict(type='PackRVOSInputs'),
]
train_dataloader = dict(batch_size=8, sampler=dict(type='InfiniteSampler', shuffle=True),
                        dataset=dict(pipeline=train_pipeline))
# ReferFormer encodes each (video, expression) pair on its own: per-expression test items
val_dataloader = dict(dataset=dict(video_level=False, pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='RVOSMetric')
test_evaluator = val_evaluator

max_iters = 600
# from scratch: one lr for every part (the published multipliers suit pretrained parts)
optim_wrapper = dict(
    optimizer=dict(lr=5e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0),
                                    'text_encoder': dict(lr_mult=1.0)}))
warmup_iters = 50
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=warmup_iters),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=warmup_iters, end=max_iters,
         eta_min=1e-5)]
train_cfg = dict(_delete_=True, type='IterBasedTrainLoop', max_iters=max_iters,
                 val_begin=max_iters + 1)
default_hooks = dict(logger=dict(interval=50),
                     checkpoint=dict(by_epoch=False, interval=max_iters, max_keep_ckpts=1))
log_processor = dict(window_size=50, by_epoch=False)
