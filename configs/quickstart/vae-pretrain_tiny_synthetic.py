# Stage 0 of the built-in quickstart: a toy Wan folder's VAE is random, so a short
# pre-training on the synthetic frames and masks stands in for Wan's own pre-training.
# tools/misc/export_wan_vae.py then writes it into the quickstart's Wan folder.
_base_ = [
    '../_base_/datasets/synthetic_rvos.py',
    '../_base_/default_runtime.py',
]
wan_folder = 'work_dirs/quickstart/wan_random'
# Small objects on a plain background: weight the annotated objects' pixels (frames and
# masks), and start from a sharp posterior (std exp(-2.5)) so that posterior samples -
# here and in FlowRVS's start-point augmentation - do not drown the objects.
model = dict(type='WanVAEPretrainer', pretrained=wan_folder, kl_weight=1e-6, mask_weight=4.0,
             mask_fg_weight=10.0, rgb_fg_weight=10.0, init_logvar=-5.0)
# 5-frame clips (2 latent frames) keep this stage short
train_pipeline = [
    dict(type='ReferenceSampleFrames', num_frames=5, short_video='repeat'),
    dict(type='LoadRVOSFrames'),
    dict(type='LoadRVOSMasks'),
    dict(type='ReferenceTrainResize', short_sizes=[64], max_size=128, crop_prob=0.0,
         size_divisor=16),
    dict(type='RVOSRandomFlip', prob=0.5),
    dict(type='PackRVOSInputs'),
]

train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
# it reconstructs each expression's GT masks: per-expression test items, not video-level
val_dataloader = dict(dataset=dict(video_level=False))
test_dataloader = val_dataloader
val_evaluator = dict(type='RVOSMetric')
test_evaluator = val_evaluator
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.0),
                     clip_grad=dict(max_norm=1.0))
param_scheduler = []
# no validation pass: stage 1's validation scores the decoded mask latents of this VAE
# (the ceiling); tools/test.py scores this stage on demand
train_cfg = dict(type='IterBasedTrainLoop', max_iters=200, val_begin=201)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(logger=dict(interval=10),
                     checkpoint=dict(by_epoch=False, interval=200, max_keep_ckpts=1))
log_processor = dict(window_size=10, by_epoch=False)
